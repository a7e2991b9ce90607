"""Both sides sign the contract (detached CMS over its exact bytes) with a certificate their
organisation registered; in force, the lot's reservation becomes an obligation at the contract
price and the savings go back to the line."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from audit.models import Checkpoint
from contracts.services.signing import sign_contract
from pki.errors import CertificateRefused
from pki.models import SigningCertificate
from procurement.clock import tick
from procurement.models import BudgetEntry
from procurement.services.amendments import cancel_lot
from tests.awards.world import (
    LOTS,
    at,
    award_world,
    awarded,
    balances,
    contract_for,
    events_since,
    fresh,
    log_size,
    on_a_monday,
    sign,
    sign_as_buyer,
    sign_as_supplier,
    signed,
    state,
    to_contracting,
)
from tests.bids.support import Signer

pytestmark = pytest.mark.django_db

D = Decimal
LINE = D("10000000.00")
# Activated at the end of standstill (Thursday 5 February 2026, 18:00 in Almaty), the winner
# signs within five working days: by Thursday 12 February, 18:00.
SIGN_BY = dt.datetime(2026, 2, 12, 13, 0, tzinfo=dt.UTC)
SECOND = dt.timedelta(seconds=1)


@pytest.fixture(autouse=True)
def clock():
    with on_a_monday() as traveller:
        yield traveller


@pytest.fixture
def world(cast, clock):
    """Contracts drafted: lot 1 to B at 2,800,000.00, lot 2 to A at 800,000.00."""
    with award_world(cast) as world:
        world.contracts = to_contracting(world, cast, clock, disqualified=("c",))
        yield world


def ledger(contract) -> list[tuple]:
    return list(
        BudgetEntry.objects.filter(line=contract.lot.budget_line)
        .order_by("pk")
        .values_list("kind", "amount", "reference_type")
    )


def test_the_drafted_contract_waits_for_both_signatures(cast, world):
    contract = world.contracts[1]
    assert (contract.status, contract.supplier, contract.price, contract.sign_deadline) == (
        "pending",
        cast.supplier_org_b,
        D("2800000.00"),
        SIGN_BY,
    )
    assert fresh(world.tender).timer_at == SIGN_BY


@pytest.mark.parametrize("supplier_first", [True, False])
def test_both_sides_sign_in_either_order_and_the_price_is_obligated(
    cast, world, supplier_first, django_capture_on_commit_callbacks
):
    contract = world.contracts[1]
    first, second = (
        (sign_as_supplier, lambda w, c: sign_as_buyer(w, cast, c))
        if supplier_first
        else (lambda w, c: sign_as_buyer(w, cast, c), sign_as_supplier)
    )
    before = log_size()
    entries = ledger(contract)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        first(world, contract)
    assert callbacks == []  # no checkpoint for half a contract
    half = fresh(contract)
    assert (half.status, half.signed_at) == ("pending", None)
    assert ledger(contract) == entries
    assert balances(contract.lot) == (D("3000000.00"), 0, 0, LINE - D("3000000.00"))
    [event] = events_since(before)
    assert (event.action, event.data["party"], event.data["in_force"]) == (
        "contracts.contract.signed",
        "supplier" if supplier_first else "buyer",
        False,
    )

    before = log_size()
    with django_capture_on_commit_callbacks(execute=True):
        second(world, contract)

    contract = fresh(contract)
    assert contract.status == "active"
    assert contract.signed_at is not None
    assert bytes(contract.supplier_signature) and bytes(contract.buyer_signature)
    assert contract.buyer_certificate == SigningCertificate.objects.get(organisation=cast.agency)
    assert contract.supplier_certificate.organisation == cast.supplier_org_b
    assert (contract.buyer_signed_by, contract.supplier_signed_by) == (cast.buyer, cast.supplier_b)
    # The reservation of 3,000,000.00 became an obligation of 2,800,000.00 and 200,000.00 of
    # savings went back to the line.
    assert balances(contract.lot) == (0, D("2800000.00"), 0, LINE - D("2800000.00"))
    assert ledger(contract)[len(entries) :] == [
        ("obligate", D("2800000.00"), "procurement.tender"),
        ("release", D("200000.00"), "procurement.tender"),
    ]
    [event] = events_since(before)
    assert (event.action, event.actor_id, event.subject_type, event.subject_id) == (
        "contracts.contract.signed",
        (cast.buyer if supplier_first else cast.supplier_b).pk,
        "contracts.contract",
        str(contract.pk),
    )
    assert event.data == {
        "tender": world.tender.number,
        "number": contract.number,
        "party": "buyer" if supplier_first else "supplier",
        "sha256": contract.sha256,
        "certificate": (
            contract.buyer_certificate if supplier_first else contract.supplier_certificate
        ).fingerprint_sha256,
        "in_force": True,
        "status": "contracting",  # lot 2 is still unsigned
        "obligated": "2800000.00",
        "savings": "200000.00",
    }
    checkpoint = Checkpoint.objects.filter(reason="contract").get()
    assert checkpoint.tree_size == event.seq + 1


def test_the_tender_is_complete_when_every_active_lot_is_signed(cast, world):
    signed(world, cast, world.contracts[1])
    assert fresh(world.tender).status == "contracting"
    before = log_size()
    signed(world, cast, world.contracts[2])

    tender = fresh(world.tender)
    assert (tender.status, tender.timer_at, tender.next_check) == ("complete", None, None)
    assert tender.completed_at is not None
    assert events_since(before)[-1].data["status"] == "complete"
    assert balances(world.contracts[2].lot) == (0, D("800000.00"), 0, LINE - D("800000.00"))


def test_a_contract_at_the_lots_amount_releases_no_savings(cast, clock):
    prices = {"a": {"1": LOTS["1"]}, "b": {"2": LOTS["2"]}}
    with award_world(cast, prices=prices) as world:
        contracts = to_contracting(world, cast, clock)
        signed(world, cast, contracts[1])
        assert [k for k, _a, _r in ledger(contracts[1])] == ["reserve", "obligate"]
        assert balances(contracts[1].lot) == (0, D("3000000.00"), 0, LINE - D("3000000.00"))


# --- the supplier's deadline -------------------------------------------------------------------


def test_the_supplier_signs_one_second_before_the_deadline(cast, world):
    with at(SIGN_BY - SECOND):
        contract = sign_as_supplier(world, world.contracts[1])
    assert fresh(contract).supplier_signed_at == SIGN_BY - SECOND


def test_refuses_the_suppliers_signature_at_the_deadline(cast, world):
    before = state(world.tender)
    with at(SIGN_BY), pytest.raises(ValidationError) as refused:
        sign_as_supplier(world, world.contracts[1])
    assert refused.value.code == "signature_deadline_passed"
    assert "ended at 12.02.2026 18:00" in refused.value.message
    assert state(world.tender) == before


def test_the_deadline_binds_the_supplier_only(cast, world):
    with at(SIGN_BY - SECOND):
        sign_as_supplier(world, world.contracts[1])
    with at(SIGN_BY + dt.timedelta(days=2)):
        contract = sign_as_buyer(world, cast, world.contracts[1])
    assert fresh(contract).status == "active"


# --- refusals ----------------------------------------------------------------------------------


def _signature(world, cast, contract, case) -> tuple:
    content = bytes(contract.content)
    if case == "unregistered":
        key, certificate = world.ca.issue(cast.supplier_org_b.bin)
        return cast.supplier_b, sign(Signer(key, certificate), content)
    if case == "supplier_with_another_suppliers_certificate":
        return cast.supplier_b, sign(world.signers["a"], content)
    if case == "buyer_with_a_suppliers_certificate":
        return cast.buyer, sign(world.signers["b"], content)
    return cast.supplier_b, sign(world.signers["b"], content + b"\n")  # other bytes


@pytest.mark.parametrize(
    ("case", "code"),
    [
        ("unregistered", "certificate_not_registered"),
        ("supplier_with_another_suppliers_certificate", "certificate_wrong_bin"),
        ("buyer_with_a_suppliers_certificate", "certificate_wrong_bin"),
        ("other_bytes", "signature_invalid"),
    ],
)
def test_refuses_a_signature_that_does_not_hold(cast, world, case, code):
    contract = world.contracts[1]
    actor, signature = _signature(world, cast, contract, case)
    before = state(world.tender)
    with pytest.raises(CertificateRefused) as refused:
        sign_contract(contract=contract, actor=actor, signature=signature)
    assert refused.value.code == code
    assert state(world.tender) == before


@pytest.mark.parametrize("who", ["supplier_a", "commission", "other_buyer", "outsider", "auditor"])
def test_only_the_parties_sign(cast, world, who):
    actor = cast.commission[0] if who == "commission" else getattr(cast, who)
    contract = world.contracts[1]  # B's
    before = state(world.tender)
    with pytest.raises(PermissionDenied, match="Only the buyer and the supplier sign"):
        sign_contract(
            contract=contract, actor=actor, signature=sign(world.chair, bytes(contract.content))
        )
    assert state(world.tender) == before


def test_refuses_a_second_signature_of_the_same_side(cast, world):
    sign_as_supplier(world, world.contracts[1])
    before = state(world.tender)
    with pytest.raises(ValidationError) as refused:
        sign_as_supplier(world, world.contracts[1])
    assert refused.value.code == "already_signed"
    assert state(world.tender) == before


def test_refuses_to_sign_the_contract_of_a_lot_cancelled_after_its_award(cast, clock):
    with award_world(cast) as world:
        awarded(world, cast, disqualified=("c",))
        lot2 = world.tender.lots.get(number=2)
        cancel_lot(lot=lot2, reason="budget_cut", text="Funds withdrawn", actor=cast.buyer)
        assert balances(lot2) == (0, 0, 0, LINE)  # its reservation went back
        clock.move_to(fresh(world.tender).timer_at)
        tick()
        contract = contract_for(world.tender, 2)
        before = state(world.tender)
        for sign_it in (sign_as_supplier, lambda w, c: sign_as_buyer(w, cast, c)):
            with pytest.raises(ValidationError) as refused:
                sign_it(world, contract)
            assert refused.value.code == "invalid_status"
            assert "lot 2 of" in refused.value.message
        assert state(world.tender) == before


def test_refuses_to_sign_a_contract_in_force(cast, world):
    signed(world, cast, world.contracts[1])
    before = state(world.tender)
    with pytest.raises(ValidationError) as refused:
        sign_as_buyer(world, cast, world.contracts[1])
    assert refused.value.code == "invalid_status"
    assert state(world.tender) == before
