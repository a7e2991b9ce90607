"""Reads for the auditors: the red-flag queue with its filters (open flags first) and a flag's
review history from the audit log; and the grouped reads behind the workspace's figures
(transparency/figures.py), each for one fiscal year (the year of the budget lines funding the
lots) and optionally one agency."""

from collections import defaultdict
from decimal import Decimal

from django.db.models import Case, Count, IntegerField, OuterRef, Q, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce

from audit.models import Entry
from bids.models import Bid
from contracts.choices import SIGNED_STATUSES
from contracts.models import Contract
from procurement.models import BudgetEntry, BudgetLine, Lot, PlanItem, Tender
from procurement.money import ZERO
from procurement.querysets import MONEY
from transparency.flags.native import COMPETING
from transparency.models import FlagStatus, RedFlag


def flag_queue(
    *,
    status: str | None = None,
    indicator: str | None = None,
    firing: bool | None = None,
    agency: str | None = None,
):
    """Flags to review first (open), then the most recently found. `agency` is a BIN: the
    flagged tender's agency or the flagged organisation itself."""
    flags = RedFlag.objects.select_related("tender__agency", "organisation", "reviewed_by")
    if status:
        flags = flags.filter(status=status)
    if indicator:
        flags = flags.filter(indicator=indicator)
    if firing is not None:
        flags = flags.filter(still_fires=firing)
    if agency:
        flags = flags.filter(Q(tender__agency__bin=agency) | Q(organisation__bin=agency))
    open_first = Case(
        When(status=FlagStatus.OPEN, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    return flags.order_by(open_first, "-last_seen_at", "-pk")


def indicators_raised() -> list[str]:
    """The indicators with at least one flag in the queue, for the filter."""
    codes = RedFlag.objects.order_by("indicator").values_list("indicator", flat=True)
    return list(codes.distinct())


def flag_history(flag: RedFlag):
    """The audit events written about this flag (its reviews), oldest first."""
    return (
        Entry.objects.filter(subject_type=RedFlag._meta.label_lower, subject_id=str(flag.pk))
        .select_related("actor")
        .defer("payload")
        .order_by("seq")
    )


# --- the workspace ---------------------------------------------------------------------------


def budget_lines(year: int, agency=None):
    lines = BudgetLine.objects.filter(fiscal_year=year)
    return lines.filter(agency=agency) if agency else lines


def signed_contracts(year: int, agency=None):
    """Contracts signed by both sides (in force, fulfilled or terminated) on the year's lines."""
    contracts = Contract.objects.filter(
        status__in=SIGNED_STATUSES, lot__budget_line__fiscal_year=year
    )
    return contracts.filter(agency=agency) if agency else contracts


def funded_tenders(year: int, agency=None):
    """Tenders with a lot funded from the year's lines (no join left behind to multiply rows)."""
    funded = Lot.objects.filter(budget_line__fiscal_year=year).values("tender_id")
    tenders = Tender.objects.filter(pk__in=funded)
    return tenders.filter(agency=agency) if agency else tenders


def standing_bids():
    """For a tender (the outer row): its bids standing at the deadline, 0 without any."""
    bids = (
        Bid.objects.filter(tender=OuterRef("pk"), status__in=COMPETING)
        .order_by()
        .values("tender")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(bids), Value(0))


def ledger_sums(year: int, agency=None) -> dict[tuple, dict[str, Decimal]]:
    """The sums of the ledger's moves per (agency BIN, programme), by kind: one query."""
    entries = BudgetEntry.objects.filter(line__in=budget_lines(year, agency).values("pk"))
    moved = defaultdict(dict)
    for row in (
        entries.values("line__agency__bin", "line__programme_code", "kind")
        .annotate(total=Sum("amount", output_field=MONEY))
        .order_by()
    ):
        moved[(row["line__agency__bin"], row["line__programme_code"])][row["kind"]] = row["total"]
    return moved


def contract_estimates(year: int, agency=None):
    """Signed contracts per agency and programme: how many, the plan's estimate of their lots
    (the planned amounts of the lots' plan items) and their prices."""
    estimate = (
        PlanItem.objects.filter(lots=OuterRef("lot_id"))
        .order_by()
        .values("lots")
        .annotate(total=Sum("planned_amount"))
        .values("total")
    )
    return (
        signed_contracts(year, agency)
        .alias(lot_estimate=Coalesce(Subquery(estimate, output_field=MONEY), Value(ZERO)))
        .values("lot__budget_line__agency__bin", "lot__budget_line__programme_code")
        .annotate(
            contracts=Count("pk"),
            estimate=Sum("lot_estimate", output_field=MONEY),
            price=Sum("price", output_field=MONEY),
        )
        .order_by()
    )
