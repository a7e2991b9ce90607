"""The verifier's fast append builds the same tree as the full one, and refuses (rather than
answers wrongly) a proof node it did not keep."""

import hashlib

import pytest

from audit.merkle import TreeBuilder, root_from_leaf_hashes


def leaves(n: int) -> list[bytes]:
    return [hashlib.sha256(b"\x00" + str(i).encode()).digest() for i in range(n)]


@pytest.mark.parametrize("n", [1, 2, 3, 7, 8, 9, 64, 100, 257])
def test_plain_appends_give_the_same_roots(n):
    full, plain = TreeBuilder(), TreeBuilder()
    for i, leaf in enumerate(leaves(n)):
        full.append(leaf)
        if i % 5 == 0:
            plain.append(leaf)
        else:
            plain.extend_plain([leaf])
        assert plain.root() == full.root()
    assert full.root() == root_from_leaf_hashes(leaves(n))


def test_after_a_plain_append_an_inner_subtree_is_refused_not_guessed():
    builder = TreeBuilder()
    for leaf in leaves(8):
        builder.extend_plain([leaf])
    with pytest.raises(ValueError):
        builder.range_root(6)  # [6, 8): a perfect subtree inside the last frontier element
    full = TreeBuilder()
    for leaf in leaves(8):
        full.append(leaf)
    assert builder.range_root(0) == full.range_root(0)  # the whole tree is still known


@pytest.mark.parametrize("start", [0, 1, 3, 4, 5, 8, 13])
@pytest.mark.parametrize("run", [1, 2, 3, 7, 8, 16, 31, 100])
def test_a_run_of_leaves_gives_the_same_tree_as_appending_them_one_by_one(start, run):
    full, batched = TreeBuilder(), TreeBuilder()
    for leaf in leaves(start):
        full.append(leaf)
        batched.append(leaf)
    for leaf in leaves(start + run)[start:]:
        full.append(leaf)
    batched.extend_plain(leaves(start + run)[start:])
    assert batched.size == full.size == start + run
    assert batched.frontier_hashes() == full.frontier_hashes()
    assert batched.root() == root_from_leaf_hashes(leaves(start + run))


def test_after_a_run_an_inner_subtree_is_refused_and_a_full_append_restores_them():
    refused = TreeBuilder()
    refused.extend_plain(leaves(8))
    with pytest.raises(ValueError):
        refused.range_root(6)  # [6, 8): a perfect subtree inside the last frontier element
    builder = TreeBuilder()
    builder.extend_plain(leaves(7))
    builder.append(leaves(8)[7])
    full = TreeBuilder()
    for leaf in leaves(8):
        full.append(leaf)
    assert builder.range_root(6) == full.range_root(6)
    assert builder.range_root(4) == full.range_root(4)


def test_an_empty_run_keeps_the_subtrees_of_the_last_append():
    builder = TreeBuilder()
    for leaf in leaves(4):
        builder.append(leaf)
    builder.extend_plain([])
    assert builder.size == 4 and builder.range_root(2) == root_from_leaf_hashes(leaves(4)[2:])
