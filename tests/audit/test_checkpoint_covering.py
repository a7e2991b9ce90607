"""Receipts share checkpoints: one that already covers the entry is taken, not re-signed."""


def test_a_receipt_takes_a_checkpoint_that_already_covers_its_entry(db):
    from django.db import transaction

    from audit.actions import Action
    from audit.models import Checkpoint
    from audit.recorder import record
    from audit.services.checkpoints import issue_checkpoint

    with transaction.atomic():
        first = record(Action.LOG_VERIFIED, subject=("audit.log", "1"), data={})
        record(Action.LOG_VERIFIED, subject=("audit.log", "2"), data={})
    signed = issue_checkpoint(reason="scheduled")
    with transaction.atomic():
        record(Action.LOG_VERIFIED, subject=("audit.log", "3"), data={})
    # The log grew, but entry `first` is already covered: no new signature for it.
    assert issue_checkpoint(reason="receipt", covering=first.seq) == signed
    assert Checkpoint.objects.count() == 1
    assert issue_checkpoint(reason="scheduled").tree_size == signed.tree_size + 1
