"""`manage.py demo --full-cycle`: one open tender from plan to payment, through the services
only, so every step is in the audit log: two lots, three suppliers' signed sealed bids, a
complaint against the conditions dismissed, the opening, one bid disqualified, the results
signed by the chair, contracts signed by both sides, one delivery accepted and paid.

It runs under the demo-only quick procedure (periods in seconds, no standstill), sleeping
through enquiries and bidding like the other quick demo tenders. Idempotent: a second run
finds the tender and does nothing.
"""

import datetime as dt
import hashlib
from decimal import Decimal

from django.utils import timezone

from accounts.models import User
from awards.results import results_bytes
from awards.services.complaints import decide_complaint, file_complaint
from awards.services.requirements import add_requirement, set_contract_terms
from awards.services.results import publish_results
from awards.services.reviews import review_bid
from bids.demo import ensure_signing_certificate, open_demo_share, sign_as, submit_demo_bid
from bids.services.opening import post_share
from contracts.models import Contract
from contracts.services.execution import accept_delivery, record_payment
from contracts.services.signing import sign_contract
from procurement.clock import tick
from procurement.models import PlanItem, Procedure, Tender
from procurement.services.budget import add_plan_item, approve_plan_item, create_budget_line
from procurement.services.tenders import (
    add_lot,
    create_tender,
    publish_tender,
    set_commission,
    set_periods,
)
from suppliers.models import Organisation

TITLE = "Insulin and syringes for 2026 (full cycle)"
AGENCY = "961141000023"
BUYER, MEMBERS = "buyer@demo.kz", ["commission1@demo.kz", "commission2@demo.kz"]
REVIEWER = "reviewer@demo.kz"
ITEMS = [
    ("Insulin glargine 100 IU/ml, 3 ml pen", "212013.900.000032", "2000", "pen", "9000000.00"),
    ("Insulin syringes 1 ml U-100", "325013.500.000011", "50000", "piece", "1500000.00"),
]
# (supplier BIN, the member who bids, prices per lot)
BIDS = [
    ("070941024691", "supplier@demo.kz", {"1": "8650000.00", "2": "1390000.00"}),
    ("990140004654", "supplier2@demo.kz", {"1": "8720000.00", "2": "1350000.00"}),
    ("071150099606", "supplier3@demo.kz", {"1": "8400000.00"}),
]
DISQUALIFIED = "071150099606"  # its bid lacks the licence


def user(email: str) -> User:
    return User.objects.get(email=email)


def _plan_items(agency, buyer, procedure) -> list[PlanItem]:
    line = create_budget_line(
        agency=agency,
        fiscal_year=timezone.now().year,
        programme_code="067",
        subprogramme_code="100",
        name="Medicines for diabetes (full-cycle demo)",
        approved_amount=Decimal("12000000.00"),
        actor=buyer,
    )
    items = []
    for subject, code, quantity, unit, amount in ITEMS:
        item = add_plan_item(
            agency=agency,
            budget_line=line,
            fiscal_year=line.fiscal_year,
            subject=subject,
            nomenclature_code=code,
            quantity=Decimal(quantity),
            unit=unit,
            planned_amount=Decimal(amount),
            procedure=procedure,
            planned_month=timezone.now().month,
            actor=buyer,
        )
        items.append(approve_plan_item(item=item, actor=buyer))
    return items


def _draft(seconds: float) -> tuple[Tender, dt.datetime, dt.datetime]:
    agency, buyer = Organisation.objects.get(bin=AGENCY), user(BUYER)
    procedure = Procedure.objects.get(code="demo_quick")
    tender = create_tender(agency=agency, title=TITLE, procedure=procedure, actor=buyer)
    for item in _plan_items(agency, buyer, procedure):
        add_lot(tender=tender, plan_items=[item], actor=buyer)
    set_commission(
        tender=tender,
        chair=buyer,
        members=[user(m) for m in MEMBERS],
        threshold=2,
        actor=buyer,
    )
    for kind, title in (
        ("document", "Licence for pharmaceutical activity"),
        ("qualification", "Three years of supplying medicines to hospitals"),
    ):
        add_requirement(tender=tender, actor=buyer, kind=kind, title=title)
    set_contract_terms(
        tender=tender,
        actor=buyer,
        terms="Delivery DDP to the hospital pharmacy, Almaty, in two batches within 60 days; "
        "payment within 30 days of each signed acceptance act.",
    )
    start = timezone.now()
    enquiry_end = start + dt.timedelta(seconds=seconds)
    deadline = enquiry_end + dt.timedelta(seconds=seconds)
    set_periods(tender=tender, enquiry_end=enquiry_end, submission_deadline=deadline, actor=buyer)
    return publish_tender(tender=tender, actor=buyer), enquiry_end, deadline


def _bidding(tender: Tender) -> None:
    for bin, email, prices in BIDS:
        submit_demo_bid(
            tender=tender,
            actor=user(email),
            supplier=Organisation.objects.get(bin=bin),
            prices=prices,
        )
    complaint = file_complaint(
        tender=tender,
        actor=user("supplier3@demo.kz"),
        complainant=Organisation.objects.get(bin=DISQUALIFIED),
        kind="conditions",
        text="Three years of experience shuts out new suppliers; one year is enough.",
    )
    decide_complaint(
        complaint=complaint,
        actor=user(REVIEWER),
        satisfied=False,
        decision="Experience in supplying medicines is a lawful qualification requirement "
        "(Rules of public procurement, para. 129).",
    )


def _evaluate_and_publish(tender: Tender) -> None:
    buyer = user(BUYER)
    for bid in tender.bids.filter(status="valid").select_related("supplier"):
        decisions = {str(r.number): {"met": True} for r in tender.requirements.all()}
        if bid.supplier.bin == DISQUALIFIED:
            decisions["1"] = {"met": False, "reason": "No licence attached to the bid."}
        review_bid(bid=bid, actor=buyer, decisions=decisions)
    content = results_bytes(tender)
    publish_results(
        tender=tender,
        actor=buyer,
        content_sha256=hashlib.sha256(content).hexdigest(),
        signature=sign_as(AGENCY, content),
    )


def _contracts(tender: Tender) -> None:
    buyer = user(BUYER)
    signers = {bin: email for bin, email, _prices in BIDS}
    for contract in Contract.objects.filter(tender=tender).select_related("supplier"):
        content = bytes(contract.content)
        sign_contract(
            contract=contract,
            actor=user(signers[contract.supplier.bin]),
            signature=sign_as(contract.supplier.bin, content),
        )
        sign_contract(contract=contract, actor=buyer, signature=sign_as(AGENCY, content))
    first = Contract.objects.filter(tender=tender).order_by("lot__number").first()
    first.refresh_from_db()
    half = (first.price / 2).quantize(Decimal("0.01"))
    accept_delivery(contract=first, actor=buyer, amount=half, description="First batch delivered")
    record_payment(contract=first, actor=buyer, amount=half, reference="PO-2026-000117")


def run_full_cycle(seconds: float, sleep_until) -> Tender:
    existing = Tender.objects.filter(agency__bin=AGENCY, title=TITLE).first()
    if existing is not None:
        return existing
    agency = Organisation.objects.get(bin=AGENCY)
    ensure_signing_certificate(agency, user(BUYER))
    for bin, email, _prices in BIDS:
        ensure_signing_certificate(Organisation.objects.get(bin=bin), user(email))
    tender, enquiry_end, deadline = _draft(seconds)
    sleep_until(enquiry_end)
    tick()
    _bidding(tender)
    sleep_until(deadline)
    tick()
    for email in [BUYER, MEMBERS[0]]:
        post_share(tender=tender, actor=user(email), share=open_demo_share(tender, user(email)))
    tick()  # opens the bids
    tender = Tender.objects.get(pk=tender.pk)
    _evaluate_and_publish(tender)
    tick()  # no standstill under the quick procedure: the awards become active
    _contracts(tender)
    return Tender.objects.get(pk=tender.pk)
