"""The figures of the Ministry of Finance's workspace, read in the database with GROUP BY and
a fixed number of queries whatever the amount of data: budget execution per agency and per
budget programme, savings against the plan's estimates, competition, the procedure mix and
the top suppliers of each agency.

Everything is for one fiscal year, the year of the budget lines that fund the lots (so the
budget, the savings and the tenders of a year describe the same money), optionally for one
agency. Each figure is a `Table`: the page renders it with its chart, the exports write the
same rows, so what an auditor downloads is what they saw.
"""

from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext_lazy as _

from procurement.choices import EntryKind, LotStatus
from procurement.models import BudgetLine, Tender
from procurement.money import ZERO
from procurement.querysets import MONEY
from suppliers.models import Organisation
from transparency.charts import bar_chart
from transparency.querysets import (
    budget_lines,
    contract_estimates,
    funded_tenders,
    ledger_sums,
    signed_contracts,
    standing_bids,
)

TOP_SUPPLIERS = 5
HUNDREDTH = Decimal("0.01")


def ratio(numerator, denominator) -> Decimal:
    """numerator / denominator to two places, half up; 0.00 when there is nothing to divide."""
    if not denominator:
        return ZERO
    return (Decimal(numerator) / Decimal(denominator)).quantize(HUNDREDTH, ROUND_HALF_UP)


def percent(part, whole) -> Decimal:
    return ratio(Decimal(part) * 100, whole)


@dataclass(frozen=True)
class Scope:
    year: int
    agency: Organisation | None = None


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: str = "text"  # text, count, money, ratio or percent

    @property
    def numeric(self) -> bool:
        return self.kind != "text"


@dataclass
class Table:
    slug: str
    title: str
    columns: list[Column]
    rows: list[dict]
    total: dict | None
    # The chart: which column labels the bars, which columns are the (stacked) series.
    label_keys: tuple[str, ...]
    series: tuple[str, ...]

    def label(self, row: dict) -> str:
        return " · ".join(str(row[k]) for k in self.label_keys if row.get(k) not in (None, ""))

    def chart(self):
        names = {c.key: str(c.label) for c in self.columns}
        return bar_chart(
            [(self.label(row), [row[k] for k in self.series]) for row in self.rows],
            title=str(self.title),
            series=[names[k] for k in self.series],
        )

    def cells(self, row: dict) -> list[tuple[Column, object]]:
        return [(column, row.get(column.key, "")) for column in self.columns]

    def body(self) -> list[list[tuple[Column, object]]]:
        return [self.cells(row) for row in self.rows]

    def total_cells(self) -> list[tuple[Column, object]]:
        return self.cells(self.total) if self.total else []


AGENCY = [Column("agency", _("Agency")), Column("bin", _("BIN"))]
PROGRAMME = Column("programme", _("Budget programme"))
BALANCES = ("approved", "reserved", "obligated", "paid", "available")
BUDGET = [
    Column("lines", _("Budget lines"), "count"),
    Column("approved", _("Approved"), "money"),
    Column("reserved", _("Reserved"), "money"),
    Column("obligated", _("Obligated"), "money"),
    Column("paid", _("Paid"), "money"),
    Column("available", _("Available"), "money"),
]
SAVINGS = [
    Column("contracts", _("Signed contracts"), "count"),
    Column("estimate", _("Planned estimate of their lots"), "money"),
    Column("price", _("Contract prices"), "money"),
    Column("savings", _("Savings"), "money"),
    Column("savings_share", _("Savings as a share of the estimate, per cent"), "percent"),
]
SUMMED = ("lines", *BALANCES, "contracts", "estimate", "price", "savings")


def _balances(approved: Decimal, moved: dict[str, Decimal]) -> dict[str, Decimal]:
    """The four states of BudgetLine's docstring, from the sums of the ledger's moves."""

    def total(kind) -> Decimal:
        return moved.get(kind, ZERO)

    pay = total(EntryKind.PAY)
    reserved = total(EntryKind.RESERVE) - total(EntryKind.RELEASE) - total(EntryKind.OBLIGATE)
    obligated = total(EntryKind.OBLIGATE) - pay - total(EntryKind.DEOBLIGATE)
    return {
        "approved": approved,
        "reserved": reserved,
        "obligated": obligated,
        "paid": pay,
        "available": approved - reserved - obligated - pay,
    }


def _programme_rows(scope: Scope) -> list[dict]:
    """Three queries: the lines' approved amounts, the ledger's moves by kind, the contracts."""
    approved = (
        budget_lines(scope.year, scope.agency)
        .values("agency__bin", "agency__legal_name", "programme_code")
        .annotate(lines=Count("pk"), approved=Sum("approved_amount", output_field=MONEY))
        .order_by("agency__legal_name", "agency__bin", "programme_code")
    )
    moved = ledger_sums(scope.year, scope.agency)
    contracted = {
        (r["lot__budget_line__agency__bin"], r["lot__budget_line__programme_code"]): r
        for r in contract_estimates(scope.year, scope.agency)
    }
    rows = []
    for line in approved:
        key = (line["agency__bin"], line["programme_code"])
        signed = contracted.get(key, {})
        estimate, price = signed.get("estimate") or ZERO, signed.get("price") or ZERO
        rows.append(
            {
                "agency": line["agency__legal_name"],
                "bin": line["agency__bin"],
                "programme": line["programme_code"],
                "lines": line["lines"],
                **_balances(line["approved"], moved.get(key, {})),
                "contracts": signed.get("contracts", 0),
                "estimate": estimate,
                "price": price,
                "savings": estimate - price,
                "savings_share": percent(estimate - price, estimate),
            }
        )
    return rows


def _summed(rows: list[dict], **labels) -> dict:
    return {**labels, **{k: sum((r[k] for r in rows), 0) for k in SUMMED}}


def budget_tables(scope: Scope) -> list[Table]:
    """Budget execution per agency and per programme, and the savings on the contracts they
    fund (only where a contract was signed), from the same rows."""
    programmes = _programme_rows(scope)
    per_agency = defaultdict(list)
    for row in programmes:
        per_agency[(row["agency"], row["bin"])].append(row)
    agencies = [_summed(rows, agency=a, bin=b) for (a, b), rows in per_agency.items()]
    total = _summed(programmes, agency=_("All agencies"), bin="", programme="")
    for row in [*agencies, total]:
        row["savings_share"] = percent(row["savings"], row["estimate"])
    spent, saved = ("paid", "obligated", "reserved", "available"), ("price", "savings")
    by_agency, by_programme = ("agency",), ("agency", "programme")
    signed_agencies = [row for row in agencies if row["contracts"]]
    signed_programmes = [row for row in programmes if row["contracts"]]
    return [
        Table(
            "budget-agencies",
            _("Budget execution per agency"),
            [*AGENCY, *BUDGET],
            *(agencies, total, by_agency, spent),
        ),
        Table(
            "budget-programmes",
            _("Budget execution per budget programme"),
            [*AGENCY, PROGRAMME, *BUDGET[1:]],  # the number of lines aside: too wide
            *(programmes, total, by_programme, spent),
        ),
        Table(
            "savings-agencies",
            _("Savings against the plan's estimates per agency"),
            [*AGENCY, *SAVINGS],
            *(signed_agencies, total, by_agency, saved),
        ),
        Table(
            "savings-programmes",
            _("Savings against the plan's estimates per budget programme"),
            [*AGENCY, PROGRAMME, *SAVINGS],
            *(signed_programmes, total, by_programme, saved),
        ),
    ]


def competition_table(scope: Scope) -> Table:
    """Tenders whose bidding has closed: the bids that stood at the deadline, per agency."""
    rows = []
    for row in (
        funded_tenders(scope.year, scope.agency)
        .filter(closed_at__isnull=False)
        .alias(bid_count=standing_bids())
        .values("agency__bin", "agency__legal_name")
        .annotate(
            tenders=Count("pk"),
            bids=Sum("bid_count"),
            no_bid=Count("pk", filter=Q(bid_count=0)),
            single=Count("pk", filter=Q(bid_count=1)),
        )
        .order_by("agency__legal_name", "agency__bin")
    ):
        counts = {k: row[k] or 0 for k in ("tenders", "bids", "no_bid", "single")}
        rows.append({"agency": row["agency__legal_name"], "bin": row["agency__bin"], **counts})
    total = {"agency": _("All agencies"), "bin": ""}
    total |= {k: sum(r[k] for r in rows) for k in ("tenders", "bids", "no_bid", "single")}
    for row in [*rows, total]:
        row["average"] = ratio(row["bids"], row["tenders"])
        row["single_share"] = percent(row["single"], row["tenders"])
    columns = [
        *AGENCY,
        Column("tenders", _("Tenders closed"), "count"),
        Column("bids", _("Bids"), "count"),
        Column("average", _("Bids per tender"), "ratio"),
        Column("no_bid", _("Tenders without a bid"), "count"),
        Column("single", _("Single-bid tenders"), "count"),
        Column("single_share", _("Share of single-bid tenders (%)"), "percent"),
    ]
    title = _("Competition: bids per tender")
    return Table("competition", title, columns, rows, total, ("agency",), ("average",))


def _contracted_per_procedure(scope: Scope) -> dict[str, dict]:
    contracts = (
        signed_contracts(scope.year, scope.agency)
        .values("tender__procedure__code")
        .annotate(contracts=Count("pk"), contracted=Sum("price", output_field=MONEY))
        .order_by()
    )
    return {row["tender__procedure__code"]: row for row in contracts}


def procedure_table(scope: Scope) -> Table:
    """Published tenders per procedure (value: their lots of the year, cancelled lots aside)
    and the contracts signed under each."""
    tenders = Tender.objects.published().filter(lots__budget_line__fiscal_year=scope.year)
    if scope.agency:
        tenders = tenders.filter(agency=scope.agency)
    signed = _contracted_per_procedure(scope)
    rows = []
    for row in (
        tenders.values("procedure__code", "procedure__name")
        .annotate(
            tenders=Count("pk", distinct=True),
            value=Sum(
                "lots__amount", filter=~Q(lots__status=LotStatus.CANCELLED), output_field=MONEY
            ),
        )
        .order_by("procedure__code")
    ):
        done = signed.get(row["procedure__code"], {})
        rows.append(
            {
                "code": row["procedure__code"],
                "procedure": row["procedure__name"],
                "tenders": row["tenders"],
                "value": row["value"] or ZERO,
                "contracts": done.get("contracts", 0),
                "contracted": done.get("contracted") or ZERO,
            }
        )
    total = {"code": "", "procedure": _("All procedures")}
    total |= {k: sum((r[k] for r in rows), 0) for k in ("tenders", "value", "contracts")}
    total["contracted"] = sum((r["contracted"] for r in rows), ZERO)
    for row in [*rows, total]:
        row["share"] = percent(row["value"], total["value"])
    columns = [
        Column("code", _("Code")),
        Column("procedure", _("Procedure")),
        Column("tenders", _("Tenders"), "count"),
        Column("value", _("Value of their lots"), "money"),
        Column("share", _("Share of the value (%)"), "percent"),
        Column("contracts", _("Signed contracts"), "count"),
        Column("contracted", _("Contracted value"), "money"),
    ]
    title = _("Procedure mix")
    return Table("procedures", title, columns, rows, total, ("procedure",), ("value",))


def supplier_table(scope: Scope, top: int = TOP_SUPPLIERS) -> Table:
    """Each agency's `top` suppliers by the value of their signed contracts."""
    ranked = (
        signed_contracts(scope.year, scope.agency)
        .values("agency__bin", "agency__legal_name", "supplier__bin", "supplier__legal_name")
        .annotate(contracts=Count("pk"), value=Sum("price", output_field=MONEY))
        .order_by("agency__legal_name", "agency__bin", "-value", "supplier__legal_name")
    )
    per_agency = defaultdict(list)
    for row in ranked:
        per_agency[row["agency__bin"]].append(row)
    rows = []
    for suppliers in per_agency.values():
        whole = sum((r["value"] for r in suppliers), ZERO)
        for rank, row in enumerate(suppliers[:top], start=1):
            rows.append(
                {
                    "agency": row["agency__legal_name"],
                    "bin": row["agency__bin"],
                    "rank": rank,
                    "supplier": row["supplier__legal_name"],
                    "supplier_bin": row["supplier__bin"],
                    "contracts": row["contracts"],
                    "value": row["value"],
                    "share": percent(row["value"], whole),
                }
            )
    columns = [
        *AGENCY,
        Column("rank", _("Rank"), "count"),
        Column("supplier", _("Supplier")),
        Column("supplier_bin", _("Supplier's BIN")),
        Column("contracts", _("Signed contracts"), "count"),
        Column("value", _("Contract value"), "money"),
        Column("share", _("Share of the agency's contracts (%)"), "percent"),
    ]
    title = _("Top suppliers per agency")
    return Table("suppliers", title, columns, rows, None, ("supplier", "agency"), ("value",))


def workspace_tables(scope: Scope) -> list[Table]:
    return [
        *budget_tables(scope),
        competition_table(scope),
        procedure_table(scope),
        supplier_table(scope),
    ]


BUDGET_TABLES = ("budget-agencies", "budget-programmes", "savings-agencies", "savings-programmes")
TABLES = (*BUDGET_TABLES, "competition", "procedures", "suppliers")


def workspace_table(slug: str, scope: Scope) -> Table:
    if slug in BUDGET_TABLES:
        return next(t for t in budget_tables(scope) if t.slug == slug)
    return {
        "competition": competition_table,
        "procedures": procedure_table,
        "suppliers": supplier_table,
    }[slug](scope)


def fiscal_years() -> list[int]:
    """The years with budget lines, latest first."""
    years = BudgetLine.objects.values_list("fiscal_year", flat=True)
    return list(years.distinct().order_by("-fiscal_year"))
