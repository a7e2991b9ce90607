"""RFC 9162 (Certificate Transparency v2) Merkle tree hashing, proofs and verification.

Pure functions over 32-byte SHA-256 hashes; no Django, no I/O. Section numbers refer to
RFC 9162. A "range" is a half-open leaf interval [start, end); every range this module
returns is a node of the RFC 9162 tree over the relevant number of leaves, so callers can
serve its hash from a table of nodes instead of rehashing leaves.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence

HASH_SIZE = 32
_sha256 = hashlib.sha256
EMPTY_ROOT = hashlib.sha256(b"").digest()  # MTH({}) (section 2.1.1)

Range = tuple[int, int]
RangeHash = Callable[[int, int], bytes]


def leaf_hash(data: bytes) -> bytes:
    """MTH({d}) = SHA-256(0x00 || d); the prefix keeps leaves and interior nodes apart."""
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """SHA-256(0x01 || left || right): an interior node."""
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """RFC 9162's k: the largest power of two strictly smaller than n (n >= 2)."""
    return 1 << ((n - 1).bit_length() - 1)


def _is_hash(value: object) -> bool:
    return isinstance(value, bytes) and len(value) == HASH_SIZE


def _is_count(value: object) -> bool:
    # bool is an int subclass; True as a tree size is a caller bug, not a size of 1.
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _is_proof(value: object) -> bool:
    return isinstance(value, list | tuple) and all(_is_hash(p) for p in value)


def root_from_leaf_hashes(leaf_hashes: Sequence[bytes]) -> bytes:
    """MTH over the given leaf hashes (section 2.1.1), level by level, without recursion.

    After j rounds, item i of `level` is MTH of leaves [i*2^j, min((i+1)*2^j, n)): pairing
    items 2i and 2i+1 splits a range of more than 2^j leaves at 2^j, which is RFC 9162's k,
    and an unpaired last item already covers [i*2^(j+1), n), so it moves up unchanged.
    """
    level = list(leaf_hashes)
    if not level:
        return EMPTY_ROOT
    while len(level) > 1:
        paired = [node_hash(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            paired.append(level[-1])
        level = paired
    return level[0]


def inclusion_proof_ranges(index: int, size: int) -> list[Range]:
    """PATH(index, D[size]) (section 2.1.3.1) as node ranges, leaf-side sibling first."""
    if not (_is_count(index) and _is_count(size) and index < size):
        raise ValueError(f"need 0 <= index < size, got index={index!r} size={size!r}")
    siblings: list[Range] = []  # collected root-down; the RFC lists them leaf-up
    lo, hi = 0, size
    while hi - lo > 1:
        mid = lo + _split(hi - lo)
        if index < mid:
            siblings.append((mid, hi))
            hi = mid
        else:
            siblings.append((lo, mid))
            lo = mid
    siblings.reverse()
    return siblings


def consistency_proof_ranges(first: int, second: int) -> list[Range]:
    """PROOF(first, D[second]) = SUBPROOF(first, D[second], true) (section 2.1.4.1).

    Proofs are defined for 0 < first <= second; first == second gives the empty proof.
    """
    if not (_is_count(first) and _is_count(second) and 0 < first <= second):
        raise ValueError(f"need 0 < first <= second, got first={first!r} second={second!r}")
    siblings: list[Range] = []  # root-down, reversed at the end like PATH
    lo, hi, whole = 0, second, True  # `whole` is SUBPROOF's flag b
    while first != hi:
        mid = lo + _split(hi - lo)
        if first <= mid:
            siblings.append((mid, hi))
            hi = mid
        else:
            siblings.append((lo, mid))
            lo, whole = mid, False
    siblings.reverse()
    # SUBPROOF(m, D[m], false) = {MTH(D[m])}: the old tree's last node is not its whole root,
    # so the verifier needs it; when `whole` is still true it is the old root, which the
    # verifier already has.
    return siblings if whole else [(lo, hi), *siblings]


def inclusion_proof(index: int, size: int, range_hash: RangeHash) -> list[bytes]:
    return [range_hash(a, b) for a, b in inclusion_proof_ranges(index, size)]


def consistency_proof(first: int, second: int, range_hash: RangeHash) -> list[bytes]:
    return [range_hash(a, b) for a, b in consistency_proof_ranges(first, second)]


def _slice_hasher(leaf_hashes: Sequence[bytes]) -> RangeHash:
    # Proof ranges are disjoint, so hashing each from its leaves costs O(n) per proof.
    return lambda a, b: root_from_leaf_hashes(leaf_hashes[a:b])


def inclusion_proof_from_leaves(index: int, leaf_hashes: Sequence[bytes]) -> list[bytes]:
    return inclusion_proof(index, len(leaf_hashes), _slice_hasher(leaf_hashes))


def consistency_proof_from_leaves(first: int, leaf_hashes: Sequence[bytes]) -> list[bytes]:
    return consistency_proof(first, len(leaf_hashes), _slice_hasher(leaf_hashes))


def _shift_until_odd_or_zero(fn: int, sn: int) -> tuple[int, int]:
    while fn and not fn & 1:
        fn, sn = fn >> 1, sn >> 1
    return fn, sn


def verify_inclusion(
    leaf_hash: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes
) -> bool:
    """Section 2.1.3.2, step by step. False (never an exception) for malformed input.

    The proof binds the leaf and index to `root`; it does not bind `size` by itself (the
    same hashes can verify for a neighbouring size with the same path shape), which is why
    sizes are trusted only from a signed checkpoint.
    """
    if not (_is_hash(leaf_hash) and _is_hash(root) and _is_count(index) and _is_count(size)):
        return False
    if not _is_proof(proof) or index >= size:  # step 1
        return False
    fn, sn, r = index, size - 1, leaf_hash  # steps 2-3
    for p in proof:  # step 4
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                fn, sn = _shift_until_odd_or_zero(fn, sn)
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and r == root  # step 5


def verify_consistency(
    first: int, second: int, first_root: bytes, second_root: bytes, proof: Sequence[bytes]
) -> bool:
    """Section 2.1.4.2, step by step. False (never an exception) for malformed input.

    The RFC defines the algorithm for 0 < first < second. Outside it: first == second is
    consistent only with an empty proof and equal roots; first == 0 is rejected (every
    tree extends the empty one, so callers skip that check rather than ask for a proof).
    """
    if not (_is_count(first) and _is_count(second) and _is_proof(proof)):
        return False
    if not (_is_hash(first_root) and _is_hash(second_root)) or first > second:
        return False
    if first == second:
        return not proof and first_root == second_root
    if first == 0 or not proof:  # step 1
        return False
    path = list(proof)
    if first & (first - 1) == 0:  # step 2: the old root is itself a node of the new tree
        path.insert(0, first_root)
    fn, sn = first - 1, second - 1  # step 3
    while fn & 1:  # step 4
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]  # step 5
    for c in path[1:]:  # step 6
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            if not fn & 1:
                fn, sn = _shift_until_odd_or_zero(fn, sn)
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    return fr == first_root and sr == second_root and sn == 0  # step 7


class TreeBuilder:
    """Streaming MTH in O(log n) memory: the "compact range" (frontier) of a growing log.

    The frontier holds the roots of the perfect subtrees that tile [0, size), largest
    first; their sizes are the set bits of `size`. Appending merges equal-sized neighbours
    like a binary counter's carry.

    Why the right-to-left fold equals MTH even when size is not a power of two: write
    size = 2^a1 + 2^a2 + ... with a1 > a2 > .... Then RFC 9162's split k (largest power
    of two below size) is 2^a1, so MTH = node(first frontier element, MTH of the rest),
    and the rest has the remaining elements as its own frontier; by induction
    MTH = node(f1, node(f2, ... node(f[r-1], f[r]))).
    """

    def __init__(self) -> None:
        self._size = 0
        self._frontier: list[bytes] = []
        # _edge[j] = MTH of [size - 2^j, size) for 2^j dividing size: the perfect subtrees
        # ending here. The last append built them; merging hid all but the largest.
        self._edge: list[bytes] = []

    @property
    def size(self) -> int:
        return self._size

    def append(self, leaf_hash: bytes) -> None:
        if not _is_hash(leaf_hash):
            raise ValueError("leaf hash must be 32 bytes")
        node, edge, carry = leaf_hash, [leaf_hash], self._size
        while carry & 1:  # each trailing 1 bit is a subtree as big as `node`
            node = node_hash(self._frontier.pop(), node)
            edge.append(node)
            carry >>= 1
        self._frontier.append(node)
        self._edge = edge
        self._size += 1

    def extend_plain(self, leaf_hashes: Sequence[bytes]) -> None:
        """`append` for a run of leaves in a hot loop that computed them itself: no checks, the
        same node hashes in far fewer Python steps, and no record of the subtrees the run
        completed, so `range_root` refuses (never guesses) those until the next full `append`.
        Verification uses it between checkpoints and proof nodes, where nothing reads them.

        The run is cut into the largest aligned perfect subtrees it holds; each is hashed
        level by level (one list comprehension per level) and then pushed like a single
        append at its level, carrying into equal-sized frontier elements. Every interior node
        is computed once, exactly as leaf-by-leaf appends would, so the roots agree.
        """
        if not leaf_hashes:
            return
        sha256, frontier = _sha256, self._frontier
        size, start, end = self._size, 0, len(leaf_hashes)
        while start < end:
            level = (end - start).bit_length() - 1
            if size:  # a subtree may only start where its size divides the position
                level = min(level, (size & -size).bit_length() - 1)
            nodes = leaf_hashes[start : start + (1 << level)]
            while len(nodes) > 1:
                nodes = [
                    sha256(b"\x01" + left + right).digest()
                    for left, right in zip(nodes[::2], nodes[1::2], strict=True)
                ]
            node, carry = nodes[0], size >> level
            while carry & 1:
                node = sha256(b"\x01" + frontier.pop() + node).digest()
                carry >>= 1
            frontier.append(node)
            size += 1 << level
            start += 1 << level
        self._edge = []
        self._size = size

    def root(self) -> bytes:
        if not self._frontier:
            return EMPTY_ROOT
        acc = self._frontier[-1]
        for h in reversed(self._frontier[:-1]):
            acc = node_hash(h, acc)
        return acc

    @classmethod
    def from_frontier(cls, size: int, hashes: Sequence[bytes]) -> TreeBuilder:
        """Resume a tree from a stored frontier (one hash per set bit of `size`, largest first)."""
        if (
            not _is_count(size)
            or len(hashes) != size.bit_count()
            or not all(_is_hash(h) for h in hashes)
        ):
            raise ValueError("a frontier has one 32-byte hash per set bit of the size")
        builder = cls()
        builder._size = size
        builder._frontier = list(hashes)
        return builder

    def frontier_hashes(self) -> list[bytes]:
        return list(self._frontier)

    def completed_subtrees(self) -> list[tuple[int, int, bytes]]:
        """(level, index, hash) of the perfect subtrees the last append completed.

        The subtree at `level` covers leaves [index * 2^level, (index + 1) * 2^level).
        """
        return [(level, (self._size >> level) - 1, h) for level, h in enumerate(self._edge)]

    def frontier(self) -> list[tuple[int, int, bytes]]:
        """The perfect subtrees tiling [0, size) as (start, end, hash), largest first.

        For 0 < m < n, the ranges of consistency_proof_ranges(m, n) that end at or before m
        are exactly these tiles at size m, minus [0, m) itself (the verifier prepends the old
        root instead): they tile [0, m) in decreasing powers of two, which is unique. So a
        streaming verifier standing at checkpoint m already holds them, and collects the
        rest with range_root as the stream reaches each range's end.
        """
        out, start = [], 0
        for bit, h in zip(_set_bits_high_to_low(self._size), self._frontier, strict=True):
            out.append((start, start + bit, h))
            start += bit
        return out

    def range_root(self, start: int) -> bytes:
        """MTH of leaves [start, size), when that range is a node of the RFC 9162 tree of
        the current size; ValueError otherwise.

        Nodes ending at `size` are either unions of trailing frontier elements (the right
        spine) or perfect subtrees inside the last element, which the last append built.
        Every node [a, b) of a larger tree is also a node of the tree of size b (perfect
        aligned subtrees belong to every tree that covers them; other nodes end at the
        tree's size), so a stream can capture any proof node the moment it reaches b.
        """
        size = self._size
        if not (_is_count(start) and start < size):
            raise ValueError(f"start must be in [0, {size}), got {start!r}")
        width = size - start
        level = width.bit_length() - 1
        if width == 1 << level and level < len(self._edge):
            return self._edge[level]
        if width != size & ((1 << width.bit_length()) - 1):
            raise ValueError(f"[{start}, {size}) is not a node of the tree of size {size}")
        tail = self._frontier[-width.bit_count() :]
        acc = tail[-1]
        for h in reversed(tail[:-1]):
            acc = node_hash(h, acc)
        return acc


def _set_bits_high_to_low(n: int) -> list[int]:
    return [1 << i for i in reversed(range(n.bit_length())) if n >> i & 1]
