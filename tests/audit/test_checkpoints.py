from audit import keys, merkle, notes
from audit.models import Checkpoint, Entry, MerkleNode
from audit.services.checkpoints import checkpoint_file, issue_checkpoint


def test_empty_log_gets_no_checkpoint(db):
    assert issue_checkpoint() is None
    assert Checkpoint.objects.count() == 0


def test_signs_the_root_of_all_entries_in_the_c2sp_format(grow_log, settings):
    entries = grow_log(7)
    checkpoint = issue_checkpoint(reason="test")
    expected_root = merkle.root_from_leaf_hashes([bytes(e.leaf_hash) for e in entries])
    assert checkpoint.tree_size == 7
    assert bytes(checkpoint.root_hash) == expected_root
    body = notes.open_note(checkpoint.note, keys.key_name(), keys.verifying_key())
    assert notes.parse_checkpoint(body) == (settings.AUDIT_LOG_ORIGIN, 7, expected_root)
    lines = checkpoint.note.split("\n")
    assert lines[3] == "" and lines[4].startswith("\u2014 " + keys.key_name() + " ")


def test_writes_the_off_database_copy_after_commit(grow_log, django_capture_on_commit_callbacks):
    grow_log(3)
    with django_capture_on_commit_callbacks(execute=True):
        checkpoint = issue_checkpoint()
    assert checkpoint_file(3).read_text() == checkpoint.note


def test_returns_the_latest_when_the_log_did_not_grow(grow_log):
    grow_log(2)
    first = issue_checkpoint()
    assert issue_checkpoint() == first
    assert Checkpoint.objects.count() == 1


def checkpointed_twice(grow_log, first: int, then: int) -> list[bytes]:
    """Checkpoint after `first` entries and again after `then` more; the leaf hashes, once
    the second checkpoint is known to sign their root."""
    grow_log(first)
    issue_checkpoint()
    grow_log(then)
    checkpoint = issue_checkpoint()
    leaves = [bytes(h) for h in Entry.objects.order_by("seq").values_list("leaf_hash", flat=True)]
    assert bytes(checkpoint.root_hash) == merkle.root_from_leaf_hashes(leaves)
    return leaves


def test_extends_the_node_table_incrementally(grow_log):
    leaves = checkpointed_twice(grow_log, 5, 6)
    # Every perfect subtree of 11 leaves above the leaves: 5 + 2 + 1 = 8 nodes.
    assert MerkleNode.objects.count() == 8
    level3 = MerkleNode.objects.get(level=3, index=0)
    assert bytes(level3.hash) == merkle.root_from_leaf_hashes(leaves[:8])


def test_nodes_stored_in_several_batches_are_the_subtree_roots(grow_log, monkeypatch):
    """The node table is written a batch of leaves at a time; with batches of 3, 13 leaves
    checkpointed after 2 take five writes."""
    from audit import tree

    monkeypatch.setattr(tree, "BATCH", 3)
    leaves = checkpointed_twice(grow_log, 2, 11)
    stored = {(n.level, n.index): bytes(n.hash) for n in MerkleNode.objects.all()}
    expected = {
        (level, index): merkle.root_from_leaf_hashes(leaves[index << level : (index + 1) << level])
        for level in range(1, 4)
        for index in range(len(leaves) >> level)
    }
    assert stored == expected  # 6 + 3 + 1 nodes, each the root of its aligned range


def test_generates_a_missing_key_outside_production_with_private_permissions(grow_log, settings):
    grow_log(1)
    issue_checkpoint()
    assert settings.AUDIT_CHECKPOINT_KEY.stat().st_mode & 0o777 == 0o600
    assert keys.public_key_path(settings.AUDIT_CHECKPOINT_KEY).exists()
