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
        (plain.append if i % 5 == 0 else plain.append_plain)(leaf)
        assert plain.root() == full.root()
    assert full.root() == root_from_leaf_hashes(leaves(n))


def test_after_a_plain_append_an_inner_subtree_is_refused_not_guessed():
    builder = TreeBuilder()
    for leaf in leaves(8):
        builder.append_plain(leaf)
    with pytest.raises(ValueError):
        builder.range_root(6)  # [6, 8): a perfect subtree inside the last frontier element
    full = TreeBuilder()
    for leaf in leaves(8):
        full.append(leaf)
    assert builder.range_root(0) == full.range_root(0)  # the whole tree is still known
