"""A tender brought to the award stage the way the platform gets there: requirements on the
draft, publication, three suppliers' signed sealed bids, the opening ceremony. Certificates
come from a test CA the settings trust for the duration; the agency's chair and the suppliers
have registered theirs, so protocols and contracts can be signed with `sign`.

    with award_world(cast) as world:
        world.tender        # in evaluation, bids opened
        world.bids["a"]     # supplier A's bid (also "b", "c")
        sign(world.chair, results_bytes(world.tender))
"""

import datetime as dt
import tempfile
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

from django.test import override_settings
from django.utils import timezone

from accounts.choices import Role
from awards.services.requirements import add_requirement, set_contract_terms
from bids.services.submission import submit_bid
from procurement.models import Lot, Tender
from procurement.services.tenders import publish_tender
from tests.bids.ceremony import open_tender
from tests.bids.support import Signer, make_bid, register, tool
from tests.factories import SupplierFactory, member
from tests.pki.ca import TestCA, cache, pem
from tests.procurement.factories import approved_item, procedure, ready_tender

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
            PKI_TRUST_ROOTS=[root], PKI_INTERMEDIATES=[intermediate], PKI_CRL_SOURCES=[]
        ):
            cache(ca.crl())
            cache(ca.crl(by_root=True))
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
):
    """A tender in evaluation with the bids in `prices` opened (see the module docstring)."""
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
