"""The Merkle tree over the log, kept as a table of perfect-subtree hashes.

Checkpoint issuance extends it; proofs then need O(log n) lookups instead of hashing the
whole log. It is derived data: verification recomputes everything from the entries.
"""

from django.db import connection
from django.db.models import Q

from audit import merkle
from audit.models import Entry, MerkleNode, TreeState
from config import prepared

BATCH = 5000


def load_builder(state: TreeState) -> merkle.TreeBuilder:
    frontier = bytes(state.frontier)
    hashes = [frontier[i : i + 32] for i in range(0, len(frontier), 32)]
    return merkle.TreeBuilder.from_frontier(state.size, hashes)


def extend_tree(
    state: TreeState, to_size: int, *, leaves: list[tuple] = (), run=prepared.run
) -> merkle.TreeBuilder:
    """Append entries [state.size, to_size) to the node table; the caller holds the row lock.

    `leaves`: (seq, leaf hash) rows from state.size on that the caller read already (rows from
    to_size on are ignored), so that only what is missing is fetched. The writes go through
    `run(sql, params)`: a caller may collect them and send them with its own (the pipeline of
    audit/services/checkpoints.py).
    """
    builder = load_builder(state)
    known = [row for row in leaves if row[0] < to_size]
    while builder.size < to_size:
        low, high = builder.size, min(to_size, builder.size + BATCH)
        nodes = []
        if known and known[0][0] == low:
            rows, known = known[: high - low], known[high - low :]
        else:
            rows = prepared.fetch(LEAVES, {"low": low, "high": high})
        for seq, leaf in rows:
            if seq != builder.size:
                raise RuntimeError(f"audit log has a gap at seq {builder.size}")
            builder.append(bytes(leaf))
            nodes.extend(
                (level, index, digest)
                for level, index, digest in builder.completed_subtrees()
                if level > 0
            )
        _store_nodes(nodes, run)
    state.size = builder.size
    state.frontier = b"".join(builder.frontier_hashes())
    run(MOVE_STATE, {"size": state.size, "frontier": state.frontier, "id": state.pk})
    return builder


# One statement, prepared once, however many nodes a checkpoint adds (a few, under load):
# bulk_create builds its query anew each time, about a quarter of a checkpoint's Python.
INSERT_NODES = (
    'INSERT INTO audit_merklenode ("level", "index", "hash") '
    "SELECT * FROM unnest(%(levels)s::smallint[], %(indexes)s::bigint[], %(hashes)s::bytea[])"
)


def _store_nodes(nodes: list[tuple[int, int, bytes]], run) -> None:
    if not nodes:
        return
    if connection.vendor != "postgresql":
        MerkleNode.objects.bulk_create(
            [MerkleNode(level=level, index=index, hash=digest) for level, index, digest in nodes],
            batch_size=BATCH,
        )
        return
    levels, indexes, hashes = zip(*nodes, strict=True)
    run(INSERT_NODES, {"levels": list(levels), "indexes": list(indexes), "hashes": list(hashes)})


# Receipts issue checkpoints under load, each extending the tree by a few leaves while every
# other issuer waits for the tree's lock: prepared statements, not queries built each time.
LEAVES = (
    "SELECT seq, leaf_hash FROM audit_entry WHERE seq >= %(low)s AND seq < %(high)s ORDER BY seq"
)
# The first leaves a checkpoint adds, read in the round trip that locks the tree's row: they
# start where the tree stands (a size only the lock holder changes).
LEAVES_BEYOND_TREE = (
    "SELECT seq, leaf_hash FROM audit_entry "
    "WHERE seq >= (SELECT size FROM audit_treestate WHERE id = 1) ORDER BY seq LIMIT %(batch)s"
)
MOVE_STATE = "UPDATE audit_treestate SET size = %(size)s, frontier = %(frontier)s WHERE id = %(id)s"


def _perfect_pieces(start: int, end: int) -> list[tuple[int, int]]:
    """Tile [start, end) with aligned perfect subtrees, largest first, as (level, index)."""
    pieces = []
    while start < end:
        level = (start & -start).bit_length() - 1 if start else (end - start).bit_length() - 1
        while start + (1 << level) > end:
            level -= 1
        pieces.append((level, start >> level))
        start += 1 << level
    return pieces


def range_hasher(built_size: int):
    """A `range_hash(start, end)` for merkle's proof builders, reading stored nodes.

    Ranges must lie within the built tree; hashes of one proof are fetched together.
    """

    def fetch(pairs: set[tuple[int, int]]) -> dict[tuple[int, int], bytes]:
        found: dict[tuple[int, int], bytes] = {}
        leaves = [index for level, index in pairs if level == 0]
        if leaves:
            for seq, leaf in Entry.objects.filter(seq__in=leaves).values_list("seq", "leaf_hash"):
                found[(0, seq)] = bytes(leaf)
        inner = [pair for pair in pairs if pair[0] > 0]
        if inner:
            query = Q()
            for level, index in inner:
                query |= Q(level=level, index=index)
            for level, index, digest in MerkleNode.objects.filter(query).values_list(
                "level", "index", "hash"
            ):
                found[(level, index)] = bytes(digest)
        missing = pairs - set(found)
        if missing:
            raise RuntimeError(f"Merkle nodes missing from the table: {sorted(missing)[:5]}")
        return found

    def range_hash(start: int, end: int) -> bytes:
        if end > built_size:
            raise ValueError(f"range [{start}, {end}) is beyond the built tree ({built_size})")
        pieces = _perfect_pieces(start, end)
        hashes = fetch(set(pieces))
        acc = hashes[pieces[-1]]
        for piece in reversed(pieces[:-1]):
            acc = merkle.node_hash(hashes[piece], acc)
        return acc

    return range_hash
