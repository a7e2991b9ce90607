"""Budget lines, plan items and procedures for the plans and budget tests.

Like tests/factories.py these write rows directly (no services, no events). Procedures are
looked up, not invented: `procedure(code)` returns the row the data migration loads, and
loads it again from the same data when a transactional test's flush has emptied the table.
"""

import datetime as dt
import hashlib
import importlib
from decimal import Decimal

import factory
from django.db import transaction
from django.utils import timezone

from audit.models import Entry
from procurement.models import BudgetEntry, BudgetLine, PlanItem, Procedure
from procurement.services import ledger
from tests.factories import AgencyFactory

PROCEDURES = importlib.import_module(
    "procurement.migrations.0002_procedures_and_ledger_guards"
).PROCEDURES


def procedure(code: str = "open_tender") -> Procedure:
    row = next(r for r in PROCEDURES if r["code"] == code)
    defaults = {k: v for k, v in row.items() if k != "code"}
    return Procedure.objects.get_or_create(code=code, defaults=defaults)[0]


class BudgetLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BudgetLine

    agency = factory.SubFactory(AgencyFactory)
    fiscal_year = 2025
    programme_code = factory.Sequence(lambda n: f"{n % 900 + 100:03d}")
    subprogramme_code = "015"
    name = "Medicines"
    approved_amount = Decimal("10000000.00")


class PlanItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PlanItem

    budget_line = factory.SubFactory(BudgetLineFactory)
    agency = factory.SelfAttribute("budget_line.agency")
    fiscal_year = factory.SelfAttribute("budget_line.fiscal_year")
    subject = "Insulin glargine 100 IU/ml, 3 ml cartridge"
    nomenclature_code = "212013.900.000032"
    quantity = Decimal("1200.000")
    unit = "pack"
    planned_amount = Decimal("3000000.00")
    currency = "KZT"
    procedure = factory.LazyFunction(procedure)
    planned_month = 3


def move(kind: str, line: BudgetLine, amount: str, reference=("procurement.tender", 1), actor=None):
    """One ledger move in its own transaction, the way a calling service would make it."""
    with transaction.atomic():
        return getattr(ledger, kind)(
            line=line, amount=Decimal(amount), reference=reference, actor=actor
        )


def counts() -> dict:
    """How many lines, entries, plan items and audit events there are: for "nothing changed"."""
    return {
        "lines": BudgetLine.objects.count(),
        "entries": BudgetEntry.objects.count(),
        "items": PlanItem.objects.count(),
        "events": Entry.objects.count(),
    }


def events_since(before: int) -> list:
    return list(Entry.objects.filter(seq__gte=before).order_by("seq"))


def approved_item(agency, line: BudgetLine | None = None, **fields) -> PlanItem:
    """An approved plan item of the agency (on a new line of 10,000,000.00 unless given)."""
    line = line or BudgetLineFactory(agency=agency)
    return PlanItemFactory(budget_line=line, status="approved", **fields)


FROZEN = dt.datetime(2026, 2, 2, 5, 0, tzinfo=dt.UTC)  # Monday 10:00 in Almaty (UTC+5)


def draft_tender(agency, **fields):
    """A bare draft tender row (no lots, no commission, no periods, no event)."""
    from procurement.models import Tender

    n = Tender.objects.count() + 1
    defaults = {
        "number": f"T-2026-{900000 + n:06d}",
        "title": "Insulin for 2026",
        "procedure": procedure("open_tender"),
    }
    return Tender.objects.create(agency=agency, **{**defaults, **fields})


def commission_private_key(user) -> bytes:
    """A member's X25519 private key, derived from their e-mail so tests can open shares."""
    return hashlib.sha256(b"test opening key:" + user.email.encode()).digest()


def give_opening_key(user):
    """Register the member's test opening key (as `tenderctl.py keygen` + the API would)."""
    from bids.crypto import public_key_of
    from bids.models import CommissionKey

    public = public_key_of(commission_private_key(user))
    return CommissionKey.objects.get_or_create(
        user=user,
        retired_at=None,
        defaults={"public_key": public, "key_id": hashlib.sha256(public).hexdigest()[:16]},
    )[0]


def ready_tender(cast, *, amount: str = "3000000.00", line: BudgetLine | None = None, now=None):
    """A draft of the cast's agency that may be published at `now`: one lot of `amount` on
    `line`, a commission (the buyer chairs, two members, two needed) and the shortest periods
    the open tender allows."""
    from procurement.models import CommissionMember, Lot
    from procurement.periods import earliest_periods

    tender = draft_tender(cast.agency)
    item = approved_item(cast.agency, line, planned_amount=Decimal(amount))
    lot = Lot.objects.create(
        tender=tender,
        number=1,
        title=item.subject,
        amount=item.planned_amount,
        budget_line=item.budget_line,
    )
    lot.plan_items.set([item])
    for user, role in (
        (cast.buyer, "chair"),
        (cast.commission[0], "member"),
        (cast.commission[1], "member"),
    ):
        CommissionMember.objects.create(tender=tender, user=user, role=role)
        give_opening_key(user)
    tender.opening_threshold = 2
    tender.enquiry_end, tender.submission_deadline = earliest_periods(
        tender.procedure, now or timezone.now()
    )
    tender.save()
    return tender
