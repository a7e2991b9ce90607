"""The checkpoint a receipt names: the first one covering the bid's entry, signed, and shared by
the receipts of bids accepted close together instead of one signature per bid."""

import datetime as dt
import threading

import pytest
import time_machine
from django.db import connection, connections, transaction
from django.utils import timezone

from audit import keys, notes
from audit.actions import Action
from audit.merkle import verify_inclusion
from audit.models import Checkpoint, Entry
from audit.proofs import inclusion_proof
from audit.recorder import record
from audit.services.checkpoints import issue_checkpoint
from bids import receipts
from bids.crypto import verify_receipt
from bids.models import Bid
from bids.receipts import bid_receipt, checkpoint_spacing, covering_checkpoint, receipt_key
from bids.services.submission import submit_bid
from tests.bids.support import make_bid, register
from tests.factories import SupplierFactory


@pytest.fixture(autouse=True)
def _spaced(settings):
    """Most tests here are of receipts that share checkpoints signed at most every 50 ms (for
    threaded workers); the default, 0, has tests of its own."""
    settings.BID_RECEIPT_CHECKPOINT_SPACING_MS = 50


def _entry(subject) -> Entry:
    with transaction.atomic():
        return record(Action.ORGANISATION_UPDATED, subject=subject)


def _checks_out(receipt: dict, log_index: int) -> None:
    """The receipt verifies, and its checkpoint is signed and proves the entry is in it."""
    body = verify_receipt(receipt, receipt_key().public_key())
    assert body["log_index"] == log_index
    checkpoint = Checkpoint.objects.get(tree_size=body["checkpoint"]["size"])
    assert checkpoint.tree_size > log_index
    assert bytes(checkpoint.root_hash).hex() == body["checkpoint"]["root_hash"]
    signed = notes.open_note(checkpoint.note, keys.key_name(), keys.verifying_key())
    assert notes.parse_checkpoint(signed)[1:] == (checkpoint.tree_size, bytes(checkpoint.root_hash))
    leaf = bytes(Entry.objects.get(seq=log_index).leaf_hash)
    proof = inclusion_proof(log_index, checkpoint.tree_size)
    assert verify_inclusion(
        leaf, log_index, checkpoint.tree_size, proof, bytes(checkpoint.root_hash)
    )
    earlier = Checkpoint.objects.filter(tree_size__gt=log_index, tree_size__lt=checkpoint.tree_size)
    assert not earlier.exists(), "the receipt must name the first covering checkpoint"


def test_receipts_of_bids_in_a_row_each_name_a_checkpoint_covering_their_entry(
    cast, tendering, signer_a
):
    accepted = []
    for price in ("100.00", "200.00", "300.00"):
        made = make_bid(tendering, signer_a, cast.supplier_org_a.bin, {"1": price})
        accepted.append(
            submit_bid(
                tender=tendering,
                actor=cast.supplier_a,
                statement=made.statement,
                signature=made.signature,
                sealed=made.sealed,
            )
        )
    for one in accepted:
        _checks_out(one.receipt, one.bid.log_index)
        assert bid_receipt(Bid.objects.get(pk=one.bid.pk)) == one.receipt  # asked again: same


def test_a_receipt_soon_after_a_checkpoint_waits_and_takes_the_one_issued_meanwhile(
    db, monkeypatch
):
    subject = SupplierFactory()
    _entry(subject)
    issue_checkpoint()  # just now: a receipt needing a newer one waits out the spacing
    entry = _entry(subject)
    waits = []

    def another_request_issues_meanwhile(seconds):
        waits.append(seconds)
        issue_checkpoint(reason="scheduled")

    monkeypatch.setattr(receipts.time, "sleep", another_request_issues_meanwhile)
    before = Checkpoint.objects.count()
    checkpoint = covering_checkpoint(entry.seq)
    assert len(waits) == 1 and 0 < waits[0] <= checkpoint_spacing().total_seconds()
    assert Checkpoint.objects.count() == before + 1  # the other request's, not one more
    assert checkpoint.reason == "scheduled"
    assert checkpoint.tree_size == entry.seq + 1


def test_a_receipt_beyond_the_newest_checkpoint_seen_waits_first_and_asks_once(db, monkeypatch):
    subject = SupplierFactory()
    seen = covering_checkpoint(_entry(subject).seq)  # issued just now, and seen by this process
    entry = _entry(subject)
    steps = []
    asking = receipts._rows

    def ask(index):
        steps.append("ask")
        return asking(index)

    def another_request_issues_meanwhile(seconds):
        steps.append("wait")
        issue_checkpoint(reason="scheduled")

    monkeypatch.setattr(receipts, "_rows", ask)
    monkeypatch.setattr(receipts.time, "sleep", another_request_issues_meanwhile)
    checkpoint = covering_checkpoint(entry.seq)
    assert steps == ["wait", "ask"]  # not asked before the wait, when nothing could cover it
    assert (checkpoint.reason, checkpoint.tree_size) == ("scheduled", entry.seq + 1)
    assert seen.tree_size == entry.seq


def test_a_receipt_for_an_entry_a_seen_checkpoint_covers_asks_at_once(db, monkeypatch):
    subject = SupplierFactory()
    entry = _entry(subject)
    first = covering_checkpoint(entry.seq)
    monkeypatch.setattr(receipts.time, "sleep", lambda seconds: pytest.fail("waited"))
    assert covering_checkpoint(entry.seq) == first  # asked again right after: the same one


def test_a_receipt_on_a_quiet_platform_does_not_wait(db, monkeypatch):
    subject = SupplierFactory()
    _entry(subject)
    with time_machine.travel(timezone.now() - dt.timedelta(minutes=5), tick=False):
        issue_checkpoint()
    entry = _entry(subject)
    monkeypatch.setattr(receipts.time, "sleep", lambda seconds: pytest.fail("waited"))
    checkpoint = covering_checkpoint(entry.seq)
    assert (checkpoint.reason, checkpoint.tree_size) == ("receipt", entry.seq + 1)


def test_the_first_covering_checkpoint_is_named_even_when_newer_ones_exist(db):
    subject = SupplierFactory()
    entry = _entry(subject)
    first = issue_checkpoint()
    _entry(subject)
    issue_checkpoint()
    assert covering_checkpoint(entry.seq).tree_size == first.tree_size
    # and by the issuer too, which a receipt reaches when it found none before taking the lock
    found = issue_checkpoint(reason="receipt", covering=entry.seq)
    assert (found.pk, found.tree_size, found.issued_at) == (
        first.pk,
        first.tree_size,
        first.issued_at,
    )
    assert found.note == first.note  # read in the locking round trip without it; loads on use


def test_with_no_spacing_a_receipt_goes_straight_to_the_issuer(db, monkeypatch, settings):
    """BID_RECEIPT_CHECKPOINT_SPACING_MS=0 (sync workers, one per core): no wait, and no
    question before the issuer's, which finds a covering checkpoint under the tree's lock."""
    settings.BID_RECEIPT_CHECKPOINT_SPACING_MS = 0
    subject = SupplierFactory()
    _entry(subject)
    issue_checkpoint()  # just now: with a spacing, the next receipt would wait
    entry = _entry(subject)
    monkeypatch.setattr(receipts.time, "sleep", lambda seconds: pytest.fail("waited"))
    monkeypatch.setattr(receipts, "_rows", lambda index: pytest.fail("asked before issuing"))
    before = Checkpoint.objects.count()
    checkpoint = covering_checkpoint(entry.seq)
    assert (checkpoint.reason, checkpoint.tree_size) == ("receipt", entry.seq + 1)
    assert covering_checkpoint(entry.seq).pk == checkpoint.pk  # asked again: found, not signed
    assert Checkpoint.objects.count() == before + 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("spacing_ms", [50, 0])
def test_concurrent_bids_share_checkpoints_and_every_receipt_checks_out(
    cast, tendering, trusted, settings, spacing_ms
):
    settings.BID_RECEIPT_CHECKPOINT_SPACING_MS = spacing_ms
    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith(
        "file:memorydb"
    ):
        pytest.skip(
            "SQLite's in-memory test database is one connection; PostgreSQL runs this in CI"
        )
    bidders = []
    for organisation, user in [
        (cast.supplier_org_a, cast.supplier_a),
        (cast.supplier_org_b, cast.supplier_b),
    ]:
        key, certificate = trusted.issue(organisation.bin)
        bidders.append((organisation, user, register(organisation, user, key, certificate)))
    jobs = []
    for i in range(12):
        organisation, user, signer = bidders[i % 2]
        jobs.append((user, make_bid(tendering, signer, organisation.bin, {"1": f"{1000 + i}.00"})))
    accepted, errors, start = [], [], threading.Barrier(len(jobs))

    def bid(user, made):
        try:
            start.wait()
            accepted.append(
                submit_bid(
                    tender=tendering,
                    actor=user,
                    statement=made.statement,
                    signature=made.signature,
                    sealed=made.sealed,
                )
            )
        except Exception as exc:  # reported to the test thread
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=bid, args=job) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(accepted) == len(jobs)
    for one in accepted:
        _checks_out(one.receipt, one.bid.log_index)
    assert Checkpoint.objects.count() < len(jobs)


@pytest.mark.django_db(transaction=True)
def test_concurrent_issuers_never_sign_one_size_twice(db):
    """Issuers that waited for the tree's lock decide on what the previous holder committed:
    read in the locking statement itself, the sizes came from before the wait, and two
    issuers signed the same size (a unique violation under load, found by bench/bid_submit)."""
    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith(
        "file:memorydb"
    ):
        pytest.skip("SQLite's in-memory test database is one connection; PostgreSQL runs this")
    subject = SupplierFactory()
    errors, start = [], threading.Barrier(8)

    def issue_after_each_event():
        try:
            start.wait()
            for _ in range(15):
                seq = _entry(subject).seq
                checkpoint = issue_checkpoint(reason="receipt", covering=seq)
                assert checkpoint.tree_size > seq
        except Exception as exc:  # reported to the test thread
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=issue_after_each_event) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    sizes = list(Checkpoint.objects.values_list("tree_size", flat=True))
    assert len(sizes) == len(set(sizes)) and max(sizes) == Entry.objects.count()
