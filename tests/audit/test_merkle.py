"""RFC 9162 Merkle tree: published vectors, a naive reference, corruption probes, streaming."""

import functools
import hashlib
import itertools

import pytest

from audit.merkle import (
    EMPTY_ROOT,
    TreeBuilder,
    consistency_proof,
    consistency_proof_from_leaves,
    consistency_proof_ranges,
    inclusion_proof,
    inclusion_proof_from_leaves,
    inclusion_proof_ranges,
    leaf_hash,
    node_hash,
    root_from_leaf_hashes,
    verify_consistency,
    verify_inclusion,
)

# Certificate Transparency / Trillian test vectors (transparency-dev/merkle testonly).
CT_LEAVES = [
    bytes.fromhex(h)
    for h in [
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    ]
]
CT_ROOTS = {
    0: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    1: "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    2: "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    3: "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    4: "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    5: "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    6: "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    7: "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    8: "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
}
# Node hashes of the size-8 tree by level: (level, index) covers [index*2^level, ...).
CT_NODES = {
    (0, 1): "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
    (0, 4): "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
    (0, 6): "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
    (1, 1): "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
    (1, 2): "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
    (1, 3): "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
    (2, 1): "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
}
# (index, size) -> PATH and (first, second) -> PROOF, 0-based, from the same suite.
CT_INCLUSION = {
    (0, 1): [],
    (0, 8): [
        "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    ],
    (5, 8): [
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    ],
    (2, 3): ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"],
    (1, 5): [
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
    ],
}
CT_CONSISTENCY = {
    (1, 1): [],
    (1, 8): [
        "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    ],
    (6, 8): [
        "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    ],
    (2, 5): [
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
    ],
    (6, 7): [
        "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
        "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    ],
}

N = 70
DATA = tuple(f"entry {i}".encode() for i in range(N))


# --- a naive reference, written straight from RFC 9162 sections 2.1.1, 2.1.3.1, 2.1.4.1 ---


def _sha(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def _k(n: int) -> int:
    k = 1
    while k * 2 < n:
        k *= 2
    return k


@functools.cache
def ref_mth(d: tuple[bytes, ...]) -> bytes:
    if not d:
        return _sha(b"")
    if len(d) == 1:
        return _sha(b"\x00" + d[0])
    k = _k(len(d))
    return _sha(b"\x01" + ref_mth(d[:k]) + ref_mth(d[k:]))


def ref_path(m: int, d: tuple[bytes, ...]) -> list[bytes]:
    if len(d) == 1:
        return []
    k = _k(len(d))
    if m < k:
        return [*ref_path(m, d[:k]), ref_mth(d[k:])]
    return [*ref_path(m - k, d[k:]), ref_mth(d[:k])]


def ref_subproof(m: int, d: tuple[bytes, ...], b: bool) -> list[bytes]:
    if m == len(d):
        return [] if b else [ref_mth(d)]
    k = _k(len(d))
    if m <= k:
        return [*ref_subproof(m, d[:k], b), ref_mth(d[k:])]
    return [*ref_subproof(m - k, d[k:], False), ref_mth(d[:k])]


def ref_proof(m: int, d: tuple[bytes, ...]) -> list[bytes]:
    return ref_subproof(m, d, True)


@functools.cache
def ref_nodes(lo: int, hi: int) -> frozenset[tuple[int, int]]:
    """Every node [a, b) of the RFC 9162 tree over leaves lo..hi-1."""
    if hi - lo == 1:
        return frozenset({(lo, hi)})
    mid = lo + _k(hi - lo)
    return frozenset({(lo, hi)}) | ref_nodes(lo, mid) | ref_nodes(mid, hi)


def range_hash(a: int, b: int) -> bytes:
    return ref_mth(DATA[a:b])


LEAVES = [leaf_hash(d) for d in DATA]
ROOTS = [ref_mth(DATA[:n]) for n in range(N + 1)]


def flip(h: bytes, byte: int) -> bytes:
    return h[:byte] + bytes([h[byte] ^ 1]) + h[byte + 1 :]


def is_power_of_two(n: int) -> bool:
    return n > 0 and n & (n - 1) == 0


def inclusion_shape(index: int, size: int) -> tuple[bool, ...]:
    """Left/right sibling pattern: all the RFC verifier derives from (index, size)."""
    return tuple(b <= index for _, b in inclusion_proof_ranges(index, size))


def consistency_shape(first: int, second: int) -> tuple[bool, tuple[bool, ...]]:
    ranges = consistency_proof_ranges(first, second)
    return is_power_of_two(first), tuple(b <= first for _, b in ranges)


# --- hashing and roots -------------------------------------------------------------------


def test_empty_root_is_sha256_of_nothing():
    assert EMPTY_ROOT.hex() == CT_ROOTS[0]
    assert root_from_leaf_hashes([]) == EMPTY_ROOT
    assert TreeBuilder().root() == EMPTY_ROOT


def test_leaf_and_node_hashes_use_the_rfc_domain_separation_prefixes():
    assert leaf_hash(b"abc") == _sha(b"\x00abc")
    assert node_hash(b"L" * 32, b"R" * 32) == _sha(b"\x01" + b"L" * 32 + b"R" * 32)


def test_roots_match_the_certificate_transparency_vectors_for_sizes_0_to_8():
    leaves = [leaf_hash(d) for d in CT_LEAVES]
    builder = TreeBuilder()
    for size in range(9):
        assert root_from_leaf_hashes(leaves[:size]).hex() == CT_ROOTS[size]
        assert builder.root().hex() == CT_ROOTS[size]
        if size < 8:
            builder.append(leaves[size])


def test_interior_nodes_match_the_published_node_hashes_of_the_size_8_tree():
    leaves = [leaf_hash(d) for d in CT_LEAVES]
    for (level, index), expected in CT_NODES.items():
        start = index << level
        assert root_from_leaf_hashes(leaves[start : start + (1 << level)]).hex() == expected


def test_inclusion_proofs_match_the_published_vectors_and_verify():
    leaves = [leaf_hash(d) for d in CT_LEAVES]
    for (index, size), expected in CT_INCLUSION.items():
        proof = inclusion_proof_from_leaves(index, leaves[:size])
        assert [p.hex() for p in proof] == expected
        root = bytes.fromhex(CT_ROOTS[size])
        assert verify_inclusion(leaves[index], index, size, proof, root)


def test_consistency_proofs_match_the_published_vectors_and_verify():
    leaves = [leaf_hash(d) for d in CT_LEAVES]
    for (first, second), expected in CT_CONSISTENCY.items():
        proof = consistency_proof_from_leaves(first, leaves[:second])
        assert [p.hex() for p in proof] == expected
        old, new = bytes.fromhex(CT_ROOTS[first]), bytes.fromhex(CT_ROOTS[second])
        assert verify_consistency(first, second, old, new, proof)


def test_root_agrees_with_the_recursive_reference_for_every_size_up_to_70():
    for size in range(N + 1):
        assert root_from_leaf_hashes(LEAVES[:size]) == ROOTS[size]


# --- proofs against the reference --------------------------------------------------------


def test_inclusion_proofs_agree_with_the_reference_for_every_index_and_size_up_to_70():
    for size in range(1, N + 1):
        for index in range(size):
            ranges = inclusion_proof_ranges(index, size)
            assert set(ranges) <= ref_nodes(0, size)
            proof = inclusion_proof(index, size, range_hash)
            assert proof == ref_path(index, DATA[:size])
            assert verify_inclusion(LEAVES[index], index, size, proof, ROOTS[size])


def test_consistency_proofs_agree_with_the_reference_for_every_pair_up_to_70():
    for second in range(1, N + 1):
        for first in range(1, second + 1):
            ranges = consistency_proof_ranges(first, second)
            assert set(ranges) <= ref_nodes(0, second)
            proof = consistency_proof(first, second, range_hash)
            assert proof == ref_proof(first, DATA[:second])
            assert verify_consistency(first, second, ROOTS[first], ROOTS[second], proof)


def test_proofs_from_leaves_match_proofs_from_a_node_table():
    for size in (1, 2, 7, 8, 9, 33, N):
        for index in range(0, size, 3):
            assert inclusion_proof_from_leaves(index, LEAVES[:size]) == inclusion_proof(
                index, size, range_hash
            )
            if index:
                assert consistency_proof_from_leaves(index, LEAVES[:size]) == consistency_proof(
                    index, size, range_hash
                )


def test_proof_ranges_reject_impossible_positions():
    for index, size in [(0, 0), (5, 5), (6, 5), (-1, 5), (True, 5)]:
        with pytest.raises(ValueError):
            inclusion_proof_ranges(index, size)
    for first, second in [(0, 5), (6, 5), (-1, 5), (1, True)]:
        with pytest.raises(ValueError):
            consistency_proof_ranges(first, second)
    assert consistency_proof_ranges(5, 5) == []


# --- corruption probes ---------------------------------------------------------------------


def test_inclusion_proof_fails_with_any_element_bit_flipped():
    for size in range(1, N + 1):
        for index in range(size):
            proof = inclusion_proof(index, size, range_hash)
            every_byte = size % 9 == 0  # a sample of sizes gets every byte position
            for j in range(len(proof)):
                for byte in range(32) if every_byte else [(index + 7 * j) % 32]:
                    bad = [*proof[:j], flip(proof[j], byte), *proof[j + 1 :]]
                    assert not verify_inclusion(LEAVES[index], index, size, bad, ROOTS[size])


def test_inclusion_proof_fails_when_truncated_extended_prepended_or_against_wrong_root():
    junk = _sha(b"junk")
    for size in range(1, N + 1):
        for index in range(size):
            proof = inclusion_proof(index, size, range_hash)
            root, leaf = ROOTS[size], LEAVES[index]
            probes = [
                [*proof, junk],
                [*proof, root],
                [junk, *proof],
                [root, *proof],
            ]
            if proof:
                probes += [proof[:-1], proof[1:]]
            for bad in probes:
                assert not verify_inclusion(leaf, index, size, bad, root)
            assert not verify_inclusion(leaf, index, size, proof, flip(root, index % 32))
            assert not verify_inclusion(leaf, index, size, proof, EMPTY_ROOT)
            assert not verify_inclusion(flip(leaf, 0), index, size, proof, root)
            assert not verify_inclusion(LEAVES[(index + 1) % N], index, size, proof, root)


def test_inclusion_proof_fails_for_a_wrong_index():
    for size in range(1, N + 1):
        for index in range(size):
            proof = inclusion_proof(index, size, range_hash)
            for wrong in {index - 1, index + 1, index ^ 2, size, size + 1, -1}:
                if wrong != index:
                    assert not verify_inclusion(LEAVES[index], wrong, size, proof, ROOTS[size])


def test_inclusion_proof_fails_for_a_wrong_size_unless_the_path_shape_is_identical():
    # The RFC verifier derives only the left/right pattern from (index, size), so a proof
    # also "verifies" for a neighbouring size with the same pattern: the size is bound by
    # the signed checkpoint, not by the proof. Everything else must fail.
    outcomes = set()
    for size in range(1, N + 1):
        for index in range(size):
            proof = inclusion_proof(index, size, range_hash)
            for wrong in (size - 1, size + 1, size * 2, size // 2):
                ok = verify_inclusion(LEAVES[index], index, wrong, proof, ROOTS[size])
                same_shape = index < wrong and inclusion_shape(index, wrong) == inclusion_shape(
                    index, size
                )
                assert ok == same_shape
                outcomes.add(ok)
                if wrong in (size * 2, size // 2):
                    assert not ok
    assert outcomes == {True, False}  # both cases really occur
    assert verify_inclusion(LEAVES[0], 0, 6, inclusion_proof(0, 5, range_hash), ROOTS[5])


def test_consistency_proof_fails_with_any_element_bit_flipped():
    for second in range(2, N + 1):
        for first in range(1, second):
            proof = consistency_proof(first, second, range_hash)
            every_byte = (first * second) % 23 == 0
            for j in range(len(proof)):
                for byte in range(32) if every_byte else [(first + 5 * j) % 32]:
                    bad = [*proof[:j], flip(proof[j], byte), *proof[j + 1 :]]
                    assert not verify_consistency(first, second, ROOTS[first], ROOTS[second], bad)


def test_consistency_proof_fails_when_truncated_extended_prepended_or_against_wrong_roots():
    junk = _sha(b"junk")
    for second in range(2, N + 1):
        for first in range(1, second):
            proof = consistency_proof(first, second, range_hash)
            old, new = ROOTS[first], ROOTS[second]
            probes = [
                proof[:-1],
                proof[1:],
                [*proof, junk],
                [*proof, new],
                [junk, *proof],
                [old, *proof],
                [],
            ]
            for bad in probes:
                assert not verify_consistency(first, second, old, new, bad)
            assert not verify_consistency(first, second, flip(old, 3), new, proof)
            assert not verify_consistency(first, second, old, flip(new, 3), proof)
            assert not verify_consistency(first, second, new, old, proof)
            assert not verify_consistency(first, second, ROOTS[first - 1], new, proof)


def test_consistency_proof_fails_for_wrong_sizes_unless_the_proof_shape_is_identical():
    outcomes = set()
    for second in range(2, N + 1):
        for first in range(1, second):
            proof = consistency_proof(first, second, range_hash)
            old, new = ROOTS[first], ROOTS[second]
            for f, s in [
                (first - 1, second),
                (first + 1, second),
                (first, second - 1),
                (first, second + 1),
                (second, first),
            ]:
                ok = verify_consistency(f, s, old, new, proof)
                same = 0 < f < s and consistency_shape(f, s) == consistency_shape(first, second)
                assert ok == same
                outcomes.add(ok)
    assert outcomes == {True, False}
    assert verify_consistency(3, 6, ROOTS[3], ROOTS[5], consistency_proof(3, 5, range_hash))


def test_consistency_special_cases_follow_the_rfc():
    root = ROOTS[5]
    assert verify_consistency(5, 5, root, root, [])
    assert not verify_consistency(5, 5, root, ROOTS[4], [])
    assert not verify_consistency(5, 5, root, root, [root])
    assert not verify_consistency(0, 5, EMPTY_ROOT, root, [])  # RFC defines 0 < first only
    assert not verify_consistency(6, 5, ROOTS[6], root, [])
    # first a power of two: the proof omits the old root; the verifier prepends it.
    assert consistency_proof_ranges(4, 7) == [(4, 7)]
    assert verify_consistency(4, 7, ROOTS[4], ROOTS[7], consistency_proof(4, 7, range_hash))


@pytest.mark.parametrize(
    "args",
    [
        ("leaf", 0, 1, [], "root"),
        (LEAVES[0][:31], 0, 1, [], ROOTS[1]),
        (bytearray(LEAVES[0]), 0, 1, [], ROOTS[1]),
        (LEAVES[0], 0, 1, [], ROOTS[1] + b"\x00"),
        (LEAVES[0], 0, 1, None, ROOTS[1]),
        (LEAVES[0], 0, 1, "", ROOTS[1]),
        (LEAVES[0], 0, 2, [LEAVES[1].hex()], ROOTS[2]),
        (LEAVES[0], 0, 2, [LEAVES[1][:16]], ROOTS[2]),
        (LEAVES[0], 0, 2, iter([LEAVES[1]]), ROOTS[2]),
        (LEAVES[0], -1, 2, [LEAVES[1]], ROOTS[2]),
        (LEAVES[0], 0, -2, [LEAVES[1]], ROOTS[2]),
        (LEAVES[0], 0.0, 2, [LEAVES[1]], ROOTS[2]),
        (LEAVES[0], False, 2, [LEAVES[1]], ROOTS[2]),
        (LEAVES[0], 0, "2", [LEAVES[1]], ROOTS[2]),
        (LEAVES[0], 2, 2, [LEAVES[1]], ROOTS[2]),
        (LEAVES[0], 0, 0, [], EMPTY_ROOT),
        (LEAVES[0], 0, 2, [LEAVES[1]] * 10_000, ROOTS[2]),
    ],
)
def test_verify_inclusion_returns_false_for_malformed_input(args):
    assert verify_inclusion(*args) is False


@pytest.mark.parametrize(
    "args",
    [
        (1, 2, ROOTS[1], ROOTS[2], [LEAVES[1].hex()]),
        (1, 2, ROOTS[1][:31], ROOTS[2], [LEAVES[1]]),
        (1, 2, ROOTS[1], None, [LEAVES[1]]),
        (1, 2, ROOTS[1], ROOTS[2], None),
        (1, 2, ROOTS[1], ROOTS[2], LEAVES[1]),
        (1, 2, ROOTS[1], ROOTS[2], [bytearray(LEAVES[1])]),
        (-1, 2, ROOTS[1], ROOTS[2], [LEAVES[1]]),
        (1, -2, ROOTS[1], ROOTS[2], [LEAVES[1]]),
        (True, 2, ROOTS[1], ROOTS[2], [LEAVES[1]]),
        (1, 2.0, ROOTS[1], ROOTS[2], [LEAVES[1]]),
        (1, 2, ROOTS[1], ROOTS[2], [LEAVES[1]] * 10_000),
        (3, 2, ROOTS[3], ROOTS[2], [LEAVES[1]]),
    ],
)
def test_verify_consistency_returns_false_for_malformed_input(args):
    assert verify_consistency(*args) is False


# --- TreeBuilder -------------------------------------------------------------------------


def test_tree_builder_root_equals_root_from_leaf_hashes_for_every_size_up_to_300():
    leaves = [leaf_hash(i.to_bytes(2, "big")) for i in range(300)]
    builder = TreeBuilder()
    for size in range(301):
        assert builder.size == size
        assert builder.root() == root_from_leaf_hashes(leaves[:size])
        if size < 300:
            builder.append(leaves[size])


def test_tree_builder_keeps_only_the_binary_decomposition_of_its_size():
    builder = TreeBuilder()
    for size in range(1, N + 1):
        builder.append(LEAVES[size - 1])
        tiles = builder.frontier()
        assert len(tiles) == size.bit_count()
        starts = [0, *(end for _, end, _ in tiles)]
        assert [(a, b) for a, b, _ in tiles] == list(itertools.pairwise(starts))
        assert all(h == range_hash(a, b) and is_power_of_two(b - a) for a, b, h in tiles)


def test_range_root_serves_exactly_the_tree_nodes_that_end_at_the_current_size():
    builder = TreeBuilder()
    for size in range(1, N + 1):
        builder.append(LEAVES[size - 1])
        nodes = ref_nodes(0, size)
        for start in range(size):
            if (start, size) in nodes:
                assert builder.range_root(start) == range_hash(start, size)
            else:
                with pytest.raises(ValueError):
                    builder.range_root(start)
        for bad in (-1, size, size + 1):
            with pytest.raises(ValueError):
                builder.range_root(bad)


def test_right_child_proof_nodes_are_merged_out_of_the_frontier_yet_range_root_serves_them():
    # PROOF(1, D[4]) = [leaf 1, [2, 4)]. At position 2 the node [1, 2) has already been
    # merged into the frontier element [0, 2), so "fold the trailing frontier elements
    # from 1" cannot produce it; the builder keeps the nodes the last append created.
    assert consistency_proof_ranges(1, 4) == [(1, 2), (2, 4)]
    builder = TreeBuilder()
    builder.append(LEAVES[0])
    builder.append(LEAVES[1])
    assert [(a, b) for a, b, _ in builder.frontier()] == [(0, 2)]
    assert builder.range_root(1) == LEAVES[1]


def test_every_node_of_a_tree_is_a_node_of_the_tree_of_its_end():
    for size in range(1, N + 1):
        for a, b in ref_nodes(0, size):
            assert (a, b) in ref_nodes(0, b)


def test_streaming_collects_every_consistency_proof_from_frontier_and_range_roots():
    # The streaming verifier's recipe: at the old size m, proof ranges inside [0, m) are
    # exactly the frontier tiles (minus [0, m) itself, which the verifier prepends); the
    # others end in (m, n] and are captured with range_root when the stream reaches them.
    for first in range(1, N):
        builder = TreeBuilder()
        for leaf in LEAVES[:first]:
            builder.append(leaf)
        tiles = {(a, b): h for a, b, h in builder.frontier()}
        wanted, starts_by_end, collected = {}, {}, {}
        for second in range(first + 1, N + 1):
            ranges = consistency_proof_ranges(first, second)
            inside = [r for r in ranges if r[1] <= first]
            assert set(inside) == set(tiles) - {(0, first)}
            for a, b in set(ranges) - set(inside):
                assert first < b <= second
                starts_by_end.setdefault(b, set()).add(a)
            wanted[second] = ranges
        for leaf in LEAVES[first:]:
            builder.append(leaf)
            for a in starts_by_end.get(builder.size, ()):
                collected[(a, builder.size)] = builder.range_root(a)
        for second, ranges in wanted.items():
            proof = [tiles.get(r) or collected[r] for r in ranges]
            assert proof == consistency_proof(first, second, range_hash)
            assert verify_consistency(first, second, ROOTS[first], ROOTS[second], proof)


def test_tree_builder_rejects_a_leaf_that_is_not_a_32_byte_hash():
    builder = TreeBuilder()
    for bad in (b"short", LEAVES[0].hex(), None, bytearray(32)):
        with pytest.raises(ValueError):
            builder.append(bad)
    assert builder.size == 0


def test_root_from_leaf_hashes_handles_a_large_log_without_recursion():
    leaves = [leaf_hash(i.to_bytes(4, "big")) for i in range(5000)]
    builder = TreeBuilder()
    for leaf in leaves:
        builder.append(leaf)
    assert root_from_leaf_hashes(leaves) == builder.root()
