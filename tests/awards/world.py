"""A tender brought to the award stage the way the platform gets there: requirements on the
draft, publication, three suppliers' signed sealed bids, the opening ceremony. Certificates
come from a test CA the settings trust for the duration; the agency's chair and the suppliers
have registered theirs, so protocols and contracts can be signed with `sign`.

    with award_world(cast) as world:
        world.tender        # in evaluation, bids opened
        world.bids["a"]     # supplier A's bid (also "b", "c")
        sign(world.chair, results_bytes(world.tender))

The helpers below move such a world along through the services (review, publish, the end of
standstill, signatures) and take the snapshots the service tests compare: `on_a_monday` fixes
the calendar (standstill and signature periods are working days), `state` is everything a
refused call must leave as it was, and `balances` a budget line's four states.
"""

import datetime as dt
import hashlib
import tempfile
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import time_machine
from django.test import override_settings
from django.utils import timezone

from accounts.choices import Role
from audit.models import Entry
from awards.models import (
    Award,
    BidReview,
    Complaint,
    ComplaintDocument,
    Requirement,
    RequirementCheck,
    ResultsProtocol,
)
from awards.results import results_bytes
from awards.services.requirements import add_requirement, set_contract_terms
from awards.services.results import publish_results
from awards.services.reviews import review_bid
from bids.services.submission import submit_bid
from contracts.models import Acceptance, Contract, ContractAmendment, Payment
from contracts.services.signing import sign_contract
from procurement.clock import tick
from procurement.models import BudgetEntry, BudgetLine, Lot, Notice, Tender
from procurement.services.tenders import publish_tender
from tests.bids.ceremony import open_tender
from tests.bids.support import Signer, make_bid, register, tool
from tests.factories import SupplierFactory, member
from tests.pki.ca import TestCA, cache, pem
from tests.procurement.factories import approved_item, procedure, ready_tender

# Monday 2 February 2026, 09:00 in Almaty: a week without holidays, in a year the holiday
# calendar covers, so standstill (3 working days) and signature (5) periods are fixed instants.
MONDAY = dt.datetime(2026, 2, 2, 4, 0, tzinfo=dt.UTC)
# Revocation lists cached at the start stay fresh for the weeks a story travels through.
CRL_DAYS = 60

# Lot amounts and each supplier's prices per lot: C is cheapest on lot 1, A on lot 2.
LOTS = {"1": "3000000.00", "2": "1000000.00"}
PRICES = {
    "a": {"1": "2900000.00", "2": "800000.00"},
    "b": {"1": "2800000.00", "2": "900000.00"},
    "c": {"1": "2700000.00"},
}


def sign(signer: Signer, content: bytes) -> bytes:
    """A detached CMS over `content`, as `tenderctl.py sign` makes it."""
    return tool.sign_cms(content, signer.key, signer.certificate, signer.chain)


def third_supplier(cast):
    """Supplier C and its administrator (the cast has two honest suppliers)."""
    org = SupplierFactory(legal_name="Aral Pharm LLP")
    user = member(org, Role.ADMIN, email="supplier.c@example.kz")
    return org, user


def draft_with_lots(cast, *, procedure_code: str = "open_tender", lots=LOTS):
    """The cast's ready draft (buyer chairs, two members, two needed) with these lots."""
    tender = ready_tender(cast, amount=lots["1"])
    if procedure_code != "open_tender":
        Tender.objects.filter(pk=tender.pk).update(procedure=procedure(procedure_code))
        tender.refresh_from_db()
    for number, amount in list(lots.items())[1:]:
        item = approved_item(cast.agency, planned_amount=Decimal(amount))
        lot = Lot.objects.create(
            tender=tender,
            number=int(number),
            title=item.subject,
            amount=item.planned_amount,
            budget_line=item.budget_line,
        )
        lot.plan_items.set([item])
    return tender


def add_checklist(tender, actor, *, weighted: bool = False):
    add_requirement(
        tender=tender, actor=actor, kind="document", title="Licence for pharmaceutical activity"
    )
    add_requirement(
        tender=tender, actor=actor, kind="qualification", title="Three years of experience"
    )
    if weighted:
        add_requirement(
            tender=tender, actor=actor, kind="criterion", title="Delivery time", weight="30"
        )
    set_contract_terms(
        tender=tender, actor=actor, terms="Delivery to the hospital pharmacy within 30 days."
    )


def to_tendering(tender) -> Tender:
    """Bidding open since a minute ago, closing in an hour (as tests/bids does)."""
    now = timezone.now().replace(microsecond=0)
    Tender.objects.filter(pk=tender.pk).update(
        status="tendering",
        enquiry_end=now - dt.timedelta(minutes=1),
        submission_deadline=now + dt.timedelta(hours=1),
        next_check=now + dt.timedelta(hours=1),
    )
    return Tender.objects.select_related("opening_key", "procedure", "agency").get(pk=tender.pk)


def bid(tender, signer, org, user, prices):
    made = make_bid(tender, signer, org.bin, prices)
    return submit_bid(
        tender=tender,
        actor=user,
        statement=made.statement,
        signature=made.signature,
        sealed=made.sealed,
    ).bid


@contextmanager
def trusted_ca(name: str = "Awards"):
    ca = TestCA(name)
    with tempfile.TemporaryDirectory() as folder:
        root, intermediate = Path(folder) / "root.pem", Path(folder) / "intermediate.pem"
        root.write_bytes(pem(ca.root))
        intermediate.write_bytes(pem(ca.intermediate))
        with override_settings(
            PKI_TRUST_ROOTS=[root],
            PKI_INTERMEDIATES=[intermediate],
            PKI_CRL_SOURCES=[],
            PKI_CRL_MAX_AGE_SECONDS=CRL_DAYS * 86400,
        ):
            until = timezone.now() + dt.timedelta(days=CRL_DAYS)
            cache(ca.crl(next_update=until))
            cache(ca.crl(by_root=True, next_update=until))
            yield ca


def signer_for(ca, organisation, user, **issue) -> Signer:
    key, certificate = ca.issue(organisation.bin, **issue)
    return register(organisation, user, key, certificate)


@contextmanager
def award_world(
    cast,
    *,
    weighted: bool = False,
    procedure_code: str = "open_tender",
    prices=PRICES,
    lots=LOTS,
    opened: bool = True,
):
    """A tender in evaluation with the bids in `prices` opened (see the module docstring);
    with `opened=False` it is left in tendering with the bids submitted."""
    with trusted_ca() as ca:
        org_c, user_c = third_supplier(cast)
        people = {
            "a": (cast.supplier_org_a, cast.supplier_a),
            "b": (cast.supplier_org_b, cast.supplier_b),
            "c": (org_c, user_c),
        }
        signers = {k: signer_for(ca, org, user) for k, (org, user) in people.items()}
        chair = signer_for(ca, cast.agency, cast.buyer)
        tender = draft_with_lots(cast, procedure_code=procedure_code, lots=lots)
        if weighted:
            procedure_row = tender.procedure
            procedure_row.award_criterion = "weighted_scoring"
            procedure_row.save(update_fields=["award_criterion"])
        add_checklist(tender, cast.buyer, weighted=weighted)
        tender = to_tendering(publish_tender(tender=tender, actor=cast.buyer))
        bids = {k: bid(tender, signers[k], *people[k], prices[k]) for k in prices if prices[k]}
        if opened:
            open_tender(cast, tender)
        yield SimpleNamespace(
            ca=ca,
            tender=Tender.objects.select_related("procedure", "agency").get(pk=tender.pk),
            bids={k: b.__class__.objects.get(pk=b.pk) for k, b in bids.items()},
            signers=signers,
            chair=chair,
            people=people,
            org_c=org_c,
            user_c=user_c,
        )


def meets_all(tender, **scores) -> dict:
    """Decisions for review_bid: every requirement met; criteria scored from `scores`."""
    decisions = {}
    for requirement in tender.requirements.order_by("number"):
        if requirement.kind == "criterion":
            decisions[str(requirement.number)] = {"score": scores.get(str(requirement.number), 50)}
        else:
            decisions[str(requirement.number)] = {"met": True}
    return decisions


def fails(tender, number: int, reason: str) -> dict:
    decisions = meets_all(tender)
    decisions[str(number)] = {"met": False, "reason": reason}
    return decisions


# --- moving the world along ------------------------------------------------------------------


@contextmanager
def on_a_monday():
    """The story starts at MONDAY and time runs on from there; the traveller it yields moves
    the story on for good (`move_to`), where `at` only visits an instant."""
    with time_machine.travel(MONDAY, tick=True) as traveller:
        yield traveller


def at(moment: dt.datetime):
    """Stand still at `moment` (for the one-second-before, at and after checks)."""
    return time_machine.travel(moment, tick=False)


def fresh(model):
    return type(model).objects.get(pk=model.pk)


def review_all(world, cast, *, disqualified=(), domestic=(), scores=None) -> None:
    """The commission decides every bid: those in `disqualified` lack the licence."""
    tender = world.tender
    for key, bid in world.bids.items():
        decisions = (
            fails(tender, 1, "No licence for pharmaceutical activity attached")
            if key in disqualified
            else meets_all(tender, **((scores or {}).get(key, {})))
        )
        review_bid(bid=bid, actor=cast.buyer, decisions=decisions, domestic=key in domestic)


def publish(world, cast) -> ResultsProtocol:
    """The chair downloads the protocol, signs it and publishes it."""
    content = results_bytes(world.tender)
    return publish_results(
        tender=world.tender,
        actor=cast.buyer,
        content_sha256=hashlib.sha256(content).hexdigest(),
        signature=sign(world.chair, content),
    )


def awarded(world, cast, **review) -> ResultsProtocol:
    """Reviewed and published: the tender is in standstill."""
    review_all(world, cast, **review)
    return publish(world, cast)


def run_clock_at(tender, moment: dt.datetime) -> Tender:
    with at(moment):
        tick()
    return fresh(tender)


def end_standstill(tender) -> Tender:
    """The clock at the instant the standstill ends: awards active, contracts drafted."""
    tender = fresh(tender)
    return run_clock_at(tender, tender.timer_at)


def to_contracting(world, cast, clock, **review) -> dict[int, Contract]:
    """Reviewed, published, and the story moved on (`clock` is on_a_monday's traveller) to the
    end of standstill, when the clock activates the awards: {lot number: contract drafted}."""
    awarded(world, cast, **review)
    clock.move_to(fresh(world.tender).timer_at)
    tick()
    world.tender = fresh(world.tender)
    return {c.lot.number: c for c in Contract.objects.filter(tender=world.tender)}


def contract_for(tender, lot_number: int) -> Contract:
    return (
        Contract.objects.filter(tender=tender, lot__number=lot_number)
        .select_related("lot__budget_line")
        .order_by("-pk")
        .first()
    )


def supplier_key(world, contract) -> str:
    return next(k for k, (org, _user) in world.people.items() if org.pk == contract.supplier_id)


def sign_as_supplier(world, contract) -> Contract:
    key = supplier_key(world, contract)
    return sign_contract(
        contract=contract,
        actor=world.people[key][1],
        signature=sign(world.signers[key], bytes(contract.content)),
    )


def sign_as_buyer(world, cast, contract) -> Contract:
    return sign_contract(
        contract=contract, actor=cast.buyer, signature=sign(world.chair, bytes(contract.content))
    )


def signed(world, cast, contract) -> Contract:
    sign_as_supplier(world, contract)
    return sign_as_buyer(world, cast, contract)


# --- what the tests compare ------------------------------------------------------------------


def balances(line) -> tuple:
    """(reserved, obligated, paid, available) of a budget line (or a lot's line)."""
    pk = line.budget_line_id if isinstance(line, Lot) else line.pk
    line = BudgetLine.objects.with_balances().get(pk=pk)
    return (line.reserved, line.obligated, line.paid, line.available)


def events_since(before: int) -> list[Entry]:
    return list(Entry.objects.filter(seq__gte=before).order_by("seq"))


def log_size() -> int:
    return Entry.objects.count()


ROWS = (
    Entry,
    BudgetEntry,
    Notice,
    Requirement,
    RequirementCheck,
    BidReview,
    ResultsProtocol,
    Award,
    Complaint,
    ComplaintDocument,
    Contract,
    ContractAmendment,
    Acceptance,
    Payment,
)


def state(tender) -> dict:
    """Everything a refused call must leave as it was: the row counts of the award stage and
    the ledger, and the fields its services change on the tender, lots, reviews, awards,
    complaints and contracts."""
    tender = fresh(tender)
    return {
        "rows": {m.__name__: m.objects.count() for m in ROWS},
        "tender": (tender.status, tender.timer_at, tender.next_check, tender.contract_terms),
        "lots": list(tender.lots.order_by("pk").values_list("pk", "status")),
        "reviews": list(
            BidReview.objects.filter(tender=tender)
            .order_by("pk")
            .values_list("pk", "status", "domestic", "correction_answer", "decided_at")
        ),
        "protocols": list(
            tender.results_protocols.order_by("pk").values_list("pk", "set_aside_at")
        ),
        "awards": list(
            tender.awards.order_by("pk").values_list("pk", "status", "blacklist_proposed_at")
        ),
        "complaints": list(tender.complaints.order_by("pk").values_list("pk", "status")),
        "contracts": list(
            tender.contracts.order_by("pk").values_list(
                "pk", "status", "price", "buyer_signed_at", "supplier_signed_at", "signed_at"
            )
        ),
        "acts": list(
            Acceptance.objects.filter(contract__tender=tender)
            .order_by("pk")
            .values_list("pk", "status")
        ),
    }
