"""The tamper drill (issue 9): a database superuser lifts the triggers and changes a bid's
stored hash, an audit payload byte, a budget entry and a checkpoint; verify_audit_log names
each of them, not only the first, and exits 1. The state is built through the services."""

import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit import crosschecks
from audit.models import Checkpoint, Entry
from audit.services.checkpoints import checkpoint_file, issue_checkpoint
from audit.services.verification import NAMED_AT_MOST, run_verification, verify_and_record
from bids.models import Bid
from contracts.models import Payment
from contracts.services.execution import accept_delivery, amend_contract, record_payment
from procurement.models import BudgetEntry
from tests.audit.tampering import attack
from tests.awards.world import award_world, contract_for, on_a_monday, signed, to_contracting

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(cast, django_capture_on_commit_callbacks):
    """Bids opened and awarded, lot 1's contract signed, amended, delivered and paid in part,
    and a checkpoint over all of it (with its file copy)."""
    with on_a_monday() as clock, award_world(cast) as built:
        to_contracting(built, cast, clock, disqualified=("c",))
        contract = signed(built, cast, contract_for(built.tender, 1))
        amend_contract(contract=contract, actor=cast.buyer, new_price="2900000.00", reason="Rates")
        accept_delivery(contract=contract, actor=cast.buyer, amount="1000000.00", description="1")
        record_payment(contract=contract, actor=cast.buyer, amount="400000.00", reference="PO-1")
        with django_capture_on_commit_callbacks(execute=True):
            issue_checkpoint()
        yield built


def _verify(*options):
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("verify_audit_log", *options, stdout=out, stderr=err)
    except SystemExit as exc:
        return exc.code, err.getvalue().splitlines()
    return 0, out.getvalue().splitlines()


def _named(lines, *words):
    return [line for line in lines if all(word in line for word in words)]


def _flip_payload_byte(seq: int) -> None:
    payload = bytearray(bytes(Entry.objects.get(seq=seq).payload))
    payload[payload.index(b'"action":"') + 10] ^= 0x01
    attack("UPDATE audit_entry SET payload = %s WHERE seq = %s", [bytes(payload), seq])


def test_the_honest_world_verifies_with_every_crosscheck(world):
    code, lines = _verify()
    assert code == 0, lines
    assert lines[0].startswith("OK: ")
    assert Bid.objects.count() == 3 and Payment.objects.count() == 1
    assert BudgetEntry.objects.filter(reference_type="contracts.contract").count() == 3


def test_all_four_alterations_at_once_are_each_named(world):
    bid = Bid.objects.order_by("pk").first()
    entry = BudgetEntry.objects.filter(kind="obligate").order_by("pk").first()
    checkpoint = Checkpoint.objects.order_by("-tree_size").first()
    attack("UPDATE bids_bid SET sealed_sha256 = %s WHERE id = %s", ["ab" * 32, bid.pk])
    _flip_payload_byte(2)
    attack("UPDATE procurement_budgetentry SET amount = amount + 1 WHERE id = %s", [entry.pk])
    attack(
        "UPDATE audit_checkpoint SET root_hash = %s WHERE tree_size = %s",
        [b"\x07" * 32, checkpoint.tree_size],
    )

    code, lines = _verify()

    assert code == 1
    assert all(line.startswith("FAIL: ") for line in lines)
    assert _named(lines, f"size={checkpoint.tree_size}", "root")
    assert _named(lines, "seq=2", "leaf hash")
    assert _named(lines, f"bids_bid id={bid.pk}", "sealed_sha256", "ab" * 32)
    assert _named(lines, f"procurement_budgetentry id={entry.pk}", "amount", str(entry.amount))


def test_the_recorded_outcome_keeps_every_mismatch(world, cast):
    bid = Bid.objects.order_by("pk").last()
    attack("UPDATE bids_bid SET statement_sha256 = %s WHERE id = %s", ["cd" * 32, bid.pk])
    payment = Payment.objects.get()
    attack("UPDATE contracts_payment SET amount = %s WHERE id = %s", ["900000.00", payment.pk])
    result, run = verify_and_record(actor=cast.auditor)
    assert not result.ok and not run.ok
    assert _named(run.message.splitlines(), f"bids_bid id={bid.pk}", "statement_sha256")
    assert _named(run.message.splitlines(), f"contracts_payment id={payment.pk}", "amount")
    code, _ = _verify("--log-only")
    assert code == 0


def test_sealed_bytes_that_no_longer_hash_to_the_stored_hash_are_named(world):
    bid = Bid.objects.order_by("pk").first()
    sealed = bytearray(bytes(bid.sealed))
    sealed[-1] ^= 0x01
    attack("UPDATE bids_bid SET sealed = %s WHERE id = %s", [bytes(sealed), bid.pk])
    lines = run_verification().message.splitlines()
    assert _named(lines, f"bids_bid id={bid.pk}", "stored sealed bytes hash to")


def test_a_changed_bidder_and_receipt_time_are_named_without_the_bidder(world, cast):
    bid = Bid.objects.order_by("pk").first()
    other = (
        cast.supplier_org_b if bid.supplier_id == cast.supplier_org_a.pk else cast.supplier_org_a
    )
    attack(
        "UPDATE bids_bid SET supplier_id = %s, received_at = %s WHERE id = %s",
        [other.pk, "2020-01-01 00:00:00+00:00", bid.pk],
    )
    lines = run_verification().message.splitlines()
    assert _named(lines, f"bids_bid id={bid.pk}", "bidder differs", f"seq {bid.log_index}")
    assert _named(lines, f"bids_bid id={bid.pk}", "received_at", "2020-01-01T00:00:00")
    assert not any(other.bin in line or bid.supplier.bin in line for line in lines)


def test_a_ledger_entry_removed_added_or_turned_is_named(world):
    reserve, _release = BudgetEntry.objects.filter(kind__in=["reserve", "release"]).order_by("pk")[
        :2
    ]
    attack("UPDATE procurement_budgetentry SET kind = 'release' WHERE id = %s", [reserve.pk])
    attack(
        "INSERT INTO procurement_budgetentry (line_id, kind, amount, reference_type, reference_id,"
        " note, created_at) VALUES (%s, 'pay', 5.00, 'procurement.tender', %s, '', %s)",
        [reserve.line_id, reserve.reference_id, reserve.created_at],
    )
    lines = run_verification().message.splitlines()
    assert _named(lines, f"procurement_budgetentry id={reserve.pk}", "kind", "'reserve'")
    assert _named(lines, "a pay of 5.00", "that no event recorded")


def test_a_changed_checkpoint_file_is_named_beside_a_changed_payload(world):
    checkpoint = Checkpoint.objects.order_by("-tree_size").first()
    path = checkpoint_file(checkpoint.tree_size)
    path.write_text(path.read_text().replace("\n\n", "\nforged\n\n", 1), encoding="utf-8")
    _flip_payload_byte(checkpoint.tree_size - 1)
    lines = run_verification().message.splitlines()
    assert _named(lines, f"size={checkpoint.tree_size}", "signature")
    assert _named(lines, f"seq={checkpoint.tree_size - 1}", "leaf hash")


def test_a_bid_row_deleted_after_submission_is_named_by_its_event(cast):
    with on_a_monday(), award_world(cast, opened=False) as built:
        gone = built.bids["c"]
        attack("DELETE FROM bids_bid WHERE id = %s", [gone.pk])
        lines = run_verification().message.splitlines()
    assert _named(lines, f"bids_bid id={gone.pk}", f"event seq {gone.log_index}", "gone")


def test_the_checkers_read_in_batches(world):
    bids = Bid.objects.count()
    with CaptureQueriesContext(connection) as queries:
        assert list(crosschecks.run(batch_size=1)) == []
    bid_batches = [q for q in queries if q["sql"].startswith('SELECT "bids_bid"."id"')]
    assert len(bid_batches) == bids + 1  # one row each, and the empty one that ends it


def test_the_names_stop_at_a_sensible_number_with_a_count_of_the_rest(grow_log):
    grow_log(NAMED_AT_MOST + 10)
    for seq in range(NAMED_AT_MOST + 10):
        _flip_payload_byte(seq)
    lines = run_verification().message.splitlines()
    assert len(lines) == NAMED_AT_MOST + 1
    assert lines[0].startswith("entry seq=0: leaf hash") and lines[-1] == "... and 10 more"


def test_a_reservation_moved_to_another_budget_line_is_named(world):
    from tests.procurement.factories import BudgetLineFactory

    reserve = BudgetEntry.objects.filter(kind="reserve").order_by("pk").first()
    other = BudgetLineFactory()
    attack("UPDATE procurement_budgetentry SET line_id = %s WHERE id = %s", [other.pk, reserve.pk])
    lines = run_verification().message.splitlines()
    assert _named(lines, f"procurement_budgetentry id={reserve.pk}", "line", str(other.pk))
