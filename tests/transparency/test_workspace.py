"""The Ministry of Finance's workspace: budget execution per agency and programme with the
savings, competition, the procedure mix and top suppliers of one fiscal year; the charts; the
CSV and XLSX exports read back against the page's figures; who may open it; and a number of
queries that does not grow with the data.

`a_year` writes one fiscal year of two agencies directly (rows, ledger moves through the
ledger service), with figures worked out by hand in its docstring; the last test runs a real
tender from opened bids to payment through the services and reads the same figures back.
"""

import csv
import datetime as dt
import hashlib
import io
import itertools
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from awards.models import Award
from bids.models import Bid
from contracts.models import Contract
from pki.models import SigningCertificate
from procurement.models import BudgetLine, Lot, Tender
from tests.factories import AgencyFactory, SupplierFactory
from tests.procurement.factories import (
    BudgetLineFactory,
    PlanItemFactory,
    draft_tender,
    move,
    procedure,
)
from transparency.charts import BAR_AREA, bar_chart
from transparency.figures import (
    TABLES,
    Scope,
    budget_tables,
    competition_table,
    procedure_table,
    supplier_table,
    workspace_tables,
)

pytestmark = pytest.mark.django_db

D = Decimal
YEAR = 2025
_serial = itertools.count(1)


# --- one fiscal year, built from rows ------------------------------------------------------


def line(agency, programme: str, approved: str, *, sub: str = "015", year: int = YEAR):
    return BudgetLineFactory(
        agency=agency,
        fiscal_year=year,
        programme_code=programme,
        subprogramme_code=sub,
        approved_amount=D(approved),
    )


def tender(agency, lots, *, code="open_tender", status="evaluation", closed=True) -> Tender:
    """A published tender of `agency` with `lots`: (line, amount, estimate[, lot status])."""
    row = draft_tender(agency, procedure=procedure(code))
    now = timezone.now()
    for number, (budget_line, amount, estimate, *lot_status) in enumerate(lots, start=1):
        item = PlanItemFactory(
            budget_line=budget_line, status="approved", planned_amount=D(estimate)
        )
        lot = Lot.objects.create(
            tender=row,
            number=number,
            title=item.subject,
            amount=D(amount),
            budget_line=budget_line,
            status=(lot_status or ["active"])[0],
        )
        lot.plan_items.set([item])
    Tender.objects.filter(pk=row.pk).update(
        status=status, published_at=now, closed_at=now if closed else None
    )
    return row


def certificate(org):
    n = next(_serial)
    now = timezone.now()
    return SigningCertificate.objects.create(
        organisation=org,
        der=b"not parsed by the figures",
        fingerprint_sha256=hashlib.sha256(f"cert {n}".encode()).hexdigest(),
        serial=f"{n:x}",
        issuer="CN=Test CA",
        subject=f"CN={org.legal_name}",
        subject_bin=org.bin,
        key_type="ecdsa",
        not_before=now - dt.timedelta(days=1),
        not_after=now + dt.timedelta(days=365),
        registered_by=org.memberships.first().user,
    )


def bids(row: Tender, *bidders, status="valid"):
    now = timezone.now()
    for org in bidders:
        n = next(_serial)
        Bid.objects.create(
            public_id=f"B-{n:020x}",
            tender=row,
            supplier=org,
            submitted_by=org.memberships.first().user,
            certificate=certificate(org),
            statement=b"{}",
            statement_sha256="0" * 64,
            signature=b"",
            sealed=b"",
            sealed_sha256=hashlib.sha256(f"sealed {n}".encode()).hexdigest(),
            lots=[1],
            tender_version="v1",
            opening_key_id="k",
            signed_at=now,
            received_at=now,
            status=status,
        )


def contract(row: Tender, supplier, price: str, *, status="active", lot_number=1) -> Contract:
    lot = row.lots.get(number=lot_number)
    now = timezone.now()
    award = Award.objects.create(
        tender=row,
        lot=lot,
        supplier=supplier,
        price=D(price),
        currency="KZT",
        standstill_end=now,
        status="active" if status != "pending" else "pending",
    )
    return Contract.objects.create(
        number=f"C-{row.number}-{lot_number}",
        award=award,
        tender=row,
        lot=lot,
        agency=row.agency,
        supplier=supplier,
        original_price=D(price),
        price=D(price),
        currency="KZT",
        content=b"{}",
        sha256="0" * 64,
        status=status,
        sign_deadline=now,
        signed_at=None if status == "pending" else now,
    )


def a_year(cast) -> dict:
    """Fiscal year 2025 of the cast's two agencies (A = City Hospital No. 7, B = Karaganda
    Education Department), and one line of A in 2024 that must stay out.

    A 001/015 10.0M: reserve 3.0M, obligate 2.8M, release 0.2M, pay 1.0M
    A 001/016  5.0M: reserve 1.0M
    A 002/015  2.0M: reserve 0.2M, obligate 0.2M
    B 005/015  8.0M: reserve 0.5M, obligate 0.45M, release 0.05M, pay 0.45M

    T1 A open, lot on A/001/015 3.0M (estimate 3.0M): bids A, B valid, shady invalid, C
       withdrawn; contract B 2.8M
    T2 A open, A/001/016 1.0M: one bid (A); a contract of 0.99M not yet signed
    T3 A price quotations, A/002/015: lot 0.5M and a cancelled lot 0.1M; bidding not closed
    T4 B open, B/005/015 0.5M: bids A, B; contract A 0.45M, completed
    T5 B open, B/005/015 0.3M: no bid, unsuccessful
    T7 A single source, A/002/015 0.2M: contract A 0.2M (bidding never opened)
    T6 A 2024 open, one bid, contract 0.9M: another year
    """
    a, b = cast.agency, cast.other_agency
    s_a, s_b, shady = cast.supplier_org_a, cast.supplier_org_b, cast.shady_org
    s_c = SupplierFactory(legal_name="Aral Pharm LLP")
    s_c.memberships.create(user=cast.outsider, role="admin")
    a1, a1b, a2 = line(a, "001", "10000000"), line(a, "001", "5000000", sub="016"), None
    a2 = line(a, "002", "2000000")
    b5 = line(b, "005", "8000000")
    old = line(a, "001", "99000000", year=2024)
    for kind, budget_line, amount in (
        ("reserve", a1, "3000000"),
        ("obligate", a1, "2800000"),
        ("release", a1, "200000"),
        ("pay", a1, "1000000"),
        ("reserve", a1b, "1000000"),
        ("reserve", a2, "200000"),
        ("obligate", a2, "200000"),
        ("reserve", b5, "500000"),
        ("obligate", b5, "450000"),
        ("release", b5, "50000"),
        ("pay", b5, "450000"),
        ("reserve", old, "1000000"),
    ):
        move(kind, budget_line, amount)
    t1 = tender(a, [(a1, "3000000", "3000000")])
    bids(t1, s_a, s_b)
    bids(t1, shady, status="invalid")
    bids(t1, s_c, status="withdrawn")
    contract(t1, s_b, "2800000")
    t2 = tender(a, [(a1b, "1000000", "1000000")])
    bids(t2, s_a)
    contract(t2, s_a, "990000", status="pending")
    tender(
        a,
        [(a2, "500000", "500000"), (a2, "100000", "100000", "cancelled")],
        code="price_quotations",
        status="tendering",
        closed=False,
    )
    t4 = tender(b, [(b5, "500000", "500000")], status="complete")
    bids(t4, s_a, s_b)
    contract(t4, s_a, "450000", status="completed")
    tender(b, [(b5, "300000", "300000", "unsuccessful")], status="unsuccessful")
    t7 = tender(a, [(a2, "200000", "200000")], code="single_source", status="contracting")
    Tender.objects.filter(pk=t7.pk).update(closed_at=None)
    contract(t7, s_a, "200000")
    t6 = tender(a, [(old, "900000", "1000000")], status="complete")
    bids(t6, s_b)
    contract(t6, s_b, "900000")
    return {"a1": a1, "a1b": a1b, "a2": a2, "b5": b5, "old": old}


def by(table, *keys) -> dict:
    return {tuple(str(row[k]) for k in keys): row for row in table.rows}


def money(*values) -> list[Decimal]:
    return [D(v) for v in values]


BUDGET = ("lines", "approved", "reserved", "obligated", "paid", "available")
SAVINGS = ("contracts", "estimate", "price", "savings")


def pick(row, keys) -> list:
    return [row[k] for k in keys]


def budget(scope: Scope, slug: str = "budget-programmes"):
    return next(t for t in budget_tables(scope) if t.slug == slug)


# --- the figures -----------------------------------------------------------------------------


def test_budget_execution_per_programme_and_agency_with_the_savings(cast):
    a_year(cast)
    agencies, programmes = budget(Scope(YEAR), "budget-agencies"), budget(Scope(YEAR))
    rows = by(programmes, "agency", "programme")
    a, b = cast.agency.legal_name, cast.other_agency.legal_name
    assert list(rows) == [(a, "001"), (a, "002"), (b, "005")]
    assert pick(rows[(a, "001")], BUDGET) == [2, *money(15e6, 1e6, 1.8e6, 1e6, 11.2e6)]
    assert pick(rows[(a, "001")], SAVINGS) == [1, *money(3e6, 2.8e6, 2e5)]
    assert pick(rows[(a, "002")], BUDGET) == [1, *money(2e6, 0, 2e5, 0, 1.8e6)]
    assert pick(rows[(a, "002")], SAVINGS) == [1, *money(2e5, 2e5, 0)]
    assert pick(rows[(b, "005")], BUDGET) == [1, *money(8e6, 0, 0, 4.5e5, 7.55e6)]
    assert pick(rows[(b, "005")], SAVINGS) == [1, *money(5e5, 4.5e5, 5e4)]

    per_agency = by(agencies, "agency")
    assert pick(per_agency[(a,)], BUDGET + SAVINGS) == [
        3,
        *money(17e6, 1e6, 2e6, 1e6, 13e6),
        2,
        *money(3.2e6, 3e6, 2e5),
    ]
    assert pick(agencies.total, BUDGET + SAVINGS) == [
        4,
        *money(25e6, 1e6, 2e6, 1.45e6, 20.55e6),
        3,
        *money(3.7e6, 3.45e6, 2.5e5),
    ]
    assert agencies.total["savings_share"] == D("6.76")  # 250,000 of 3,700,000


def test_the_savings_tables_list_only_what_has_a_signed_contract(cast):
    a_year(cast)
    line(cast.agency, "777", "1000")  # a programme without any contract
    savings = budget(Scope(YEAR), "savings-programmes")
    assert [(r["programme"], r["savings_share"]) for r in savings.rows] == [
        ("001", D("6.67")),
        ("002", D("0.00")),
        ("005", D("10.00")),
    ]
    assert len(budget(Scope(YEAR), "budget-programmes").rows) == 4


def test_the_balances_are_those_of_the_ledger_line_by_line(cast):
    a_year(cast)
    programmes = budget(Scope(YEAR))
    lines = BudgetLine.objects.with_balances().filter(fiscal_year=YEAR)
    for row in programmes.rows:
        mine = [
            x for x in lines if x.agency.bin == row["bin"] and x.programme_code == row["programme"]
        ]
        assert row["approved"] == sum(x.approved_amount for x in mine)
        for state in ("reserved", "obligated", "paid", "available"):
            assert row[state] == sum(getattr(x, state) for x in mine), state


def test_another_year_and_one_agency_are_figures_of_their_own(cast):
    a_year(cast)
    [row] = budget(Scope(2024)).rows
    assert pick(row, BUDGET + SAVINGS) == [
        1,
        *money(99e6, 1e6, 0, 0, 98e6),
        1,
        *money(1e6, 9e5, 1e5),
    ]

    only_b = Scope(YEAR, cast.other_agency)
    assert [r["bin"] for r in budget(only_b).rows] == [cast.other_agency.bin]
    assert [r["bin"] for r in competition_table(only_b).rows] == [cast.other_agency.bin]
    assert {r["agency"] for r in supplier_table(only_b).rows} == {cast.other_agency.legal_name}
    assert [r["code"] for r in procedure_table(only_b).rows] == ["open_tender"]


def test_competition_counts_the_bids_standing_when_bidding_closed(cast):
    a_year(cast)
    table = competition_table(Scope(YEAR))
    keys = ("tenders", "bids", "average", "no_bid", "single", "single_share")
    rows = by(table, "agency")
    assert pick(rows[(cast.agency.legal_name,)], keys) == [2, 4, D("2.00"), 0, 1, D("50.00")]
    assert pick(rows[(cast.other_agency.legal_name,)], keys) == [2, 2, D("1.00"), 1, 0, D("0.00")]
    assert pick(table.total, keys) == [4, 6, D("1.50"), 1, 1, D("25.00")]


def test_procedure_mix_counts_tenders_and_values_their_lots(cast):
    a_year(cast)
    table = procedure_table(Scope(YEAR))
    keys = ("tenders", "value", "share", "contracts", "contracted")
    rows = by(table, "code")
    assert pick(rows[("open_tender",)], keys) == [4, D("4800000"), D("87.27"), 2, D("3250000")]
    assert pick(rows[("price_quotations",)], keys) == [1, D("500000"), D("9.09"), 0, 0]
    assert pick(rows[("single_source",)], keys) == [1, D("200000"), D("3.64"), 1, D("200000")]
    assert pick(table.total, keys) == [6, D("5500000"), D("100.00"), 3, D("3450000")]


def test_top_suppliers_of_each_agency_by_signed_contract_value(cast):
    a_year(cast)
    table = supplier_table(Scope(YEAR))
    got = [(r["agency"], r["rank"], r["supplier"], r["value"], r["share"]) for r in table.rows]
    a, b = cast.agency.legal_name, cast.other_agency.legal_name
    assert got == [
        (a, 1, cast.supplier_org_b.legal_name, D("2800000"), D("93.33")),
        (a, 2, cast.supplier_org_a.legal_name, D("200000"), D("6.67")),
        (b, 1, cast.supplier_org_a.legal_name, D("450000"), D("100.00")),
    ]
    assert len(supplier_table(Scope(YEAR), top=1).rows) == 2


def test_an_empty_year_has_tables_without_rows(cast):
    tables = workspace_tables(Scope(2031))
    assert [t.rows for t in tables] == [[]] * 7
    assert tables[0].total["approved"] == 0


# --- the charts ------------------------------------------------------------------------------


def test_a_chart_escapes_its_labels_and_scales_its_bars():
    svg = str(
        bar_chart(
            [('<script>alert("x")</script> & Co', [D("30"), D("10")]), ("Small", [D("10"), 0])],
            title="Budget <b>",
            series=["Paid", "Available"],
        )
    )
    assert "<script>" not in svg and "<b>" not in svg
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co" in svg
    assert svg.startswith("<svg") and 'role="img"' in svg
    # The longest bar takes the whole bar area, the others in proportion.
    assert f'width="{BAR_AREA * 3 / 4:.1f}"' in svg and f'width="{BAR_AREA / 4:.1f}"' in svg
    assert svg.count("<rect") == 2 + 3  # two legend keys, three segments (a zero draws none)


def test_a_chart_of_nothing_and_of_negative_savings_draws_no_bar():
    svg = str(bar_chart([("Loss", [D("-5.00")]), ("None", [0])], title="Savings"))
    assert "<rect" not in svg
    assert "-5.00" in svg


# --- the page and who may open it ------------------------------------------------------------


def url(**query) -> str:
    path = reverse("transparency:workspace")
    return path + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def test_auditors_and_operators_open_the_workspace_and_nobody_else(client, cast):
    client.force_login(cast.auditor)
    assert client.get(url()).status_code == 200
    client.force_login(cast.operator)
    assert client.get(url()).status_code == 200
    for user in (cast.buyer, cast.agency_admin, cast.supplier_a, cast.reviewer, cast.outsider):
        client.force_login(user)
        assert client.get(url()).status_code == 403, user.email
    client.logout()
    response = client.get(url())
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_the_page_shows_each_table_with_its_chart_and_exports(client, cast):
    a_year(cast)
    client.force_login(cast.auditor)
    response = client.get(url(year=YEAR))
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count("<svg") == 7
    for slug in TABLES:
        for fmt in ("csv", "xlsx"):
            assert reverse("transparency:workspace-export", args=[slug, fmt]) + "?year=2025" in page
    assert "17,000,000.00" in page  # agency A's approved budget
    assert "Share of single-bid tenders (%)" in page


def test_the_year_defaults_to_the_latest_with_budget_lines_and_an_agency_narrows_it(client, cast):
    a_year(cast)
    client.force_login(cast.auditor)
    response = client.get(url())
    assert response.context["scope"].year == YEAR
    response = client.get(url(year=YEAR, agency=cast.other_agency.bin))
    assert response.context["scope"].agency == cast.other_agency
    assert cast.agency.legal_name not in "".join(
        str(r["agency"]) for t in response.context["tables"] for r in t.rows if "agency" in r
    )


def test_a_year_without_budget_lines_or_an_unknown_agency_is_refused(client, cast):
    a_year(cast)
    client.force_login(cast.auditor)
    response = client.get(url(year=1999))
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert client.get(url(agency="000000000000")).status_code == 400
    export = reverse("transparency:workspace-export", args=["competition", "csv"])
    assert client.get(export + "?year=1999").status_code == 400


def test_names_typed_by_organisations_are_escaped_in_the_page_and_the_chart(client, cast):
    hostile = AgencyFactory(legal_name='<script>alert("pwned")</script> Agency')
    line(hostile, "009", "1000")
    client.force_login(cast.auditor)
    page = client.get(url(year=YEAR)).content.decode()
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt; Agency" in page


def test_the_page_takes_the_same_number_of_queries_whatever_the_data(client, cast):
    client.force_login(cast.auditor)
    line(cast.agency, "900", "1000")
    with CaptureQueriesContext(connection) as small:
        client.get(url(year=YEAR))
    a_year(cast)
    for n in range(3):
        agency = AgencyFactory()
        budget_line = line(agency, "001", "1000000")
        row = tender(agency, [(budget_line, "1000", "1000")])
        bids(row, cast.supplier_org_a, cast.supplier_org_b)
        contract(row, cast.supplier_org_a, f"{900 + n}")
    with CaptureQueriesContext(connection) as large:
        response = client.get(url(year=YEAR))
    assert len(response.context["tables"][0].rows) == 5
    assert len(large) == len(small)


def test_the_page_stays_within_its_query_budget(client, cast, django_assert_max_num_queries):
    a_year(cast)
    client.force_login(cast.auditor)
    with django_assert_max_num_queries(12):
        assert client.get(url(year=YEAR)).status_code == 200


# --- exports ---------------------------------------------------------------------------------


def export(client, slug: str, fmt: str, **query):
    path = reverse("transparency:workspace-export", args=[slug, fmt])
    return client.get(path, query)


def read_csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def read_xlsx(response) -> list[list]:
    book = load_workbook(io.BytesIO(response.content))
    return [list(row) for row in book.worksheets[0].iter_rows(values_only=True)]


@pytest.mark.parametrize("slug", TABLES)
def test_csv_and_xlsx_hold_the_figures_of_the_page(client, cast, slug):
    a_year(cast)
    client.force_login(cast.auditor)
    [table] = [t for t in workspace_tables(Scope(YEAR)) if t.slug == slug]
    expected = [*table.rows, *([table.total] if table.total else [])]

    response = export(client, slug, "csv", year=YEAR)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="{slug}-2025.csv"'
    header, *rows = read_csv(response)
    assert header == [str(c.label) for c in table.columns]
    assert len(rows) == len(expected)
    for got, row in zip(rows, expected, strict=True):
        for column, value in zip(table.columns, got, strict=True):
            if column.numeric:
                assert D(value) == D(row[column.key]), column.key
            else:
                assert value == str(row[column.key])

    response = export(client, slug, "xlsx", year=YEAR)
    assert response["Content-Disposition"] == f'attachment; filename="{slug}-2025.xlsx"'
    header, *rows = read_xlsx(response)
    assert list(header) == [str(c.label) for c in table.columns]
    for got, row in zip(rows, expected, strict=True):
        for column, value in zip(table.columns, got, strict=True):
            if column.numeric:
                assert D(str(value)) == D(row[column.key]), column.key
            else:
                assert (value or "") == str(row[column.key])


def test_the_export_of_one_agency_names_it_in_the_file(client, cast):
    a_year(cast)
    client.force_login(cast.auditor)
    response = export(client, "suppliers", "csv", year=YEAR, agency=cast.other_agency.bin)
    name = f"suppliers-2025-{cast.other_agency.bin}.csv"
    assert response["Content-Disposition"] == f'attachment; filename="{name}"'
    _header, *rows = read_csv(response)
    assert [(r[3], D(r[6])) for r in rows] == [(cast.supplier_org_a.legal_name, D("450000"))]
    book = load_workbook(io.BytesIO(export(client, "suppliers", "xlsx", year=YEAR).content))
    about = dict(book["About"].iter_rows(values_only=True))
    assert about["Fiscal year"] == YEAR


def test_a_name_that_looks_like_a_formula_stays_text_in_both_exports(client, cast):
    a_year(cast)
    cast.supplier_org_b.legal_name = '=HYPERLINK("http://evil.example","x")'
    cast.supplier_org_b.save(update_fields=["legal_name"])
    client.force_login(cast.auditor)
    rows = read_csv(export(client, "suppliers", "csv", year=YEAR))
    assert rows[1][3] == "'" + cast.supplier_org_b.legal_name
    book = load_workbook(io.BytesIO(export(client, "suppliers", "xlsx", year=YEAR).content))
    cell = book.worksheets[0]["D2"]
    assert cell.data_type == "s"
    assert cell.value == cast.supplier_org_b.legal_name


def test_exports_are_for_the_workspace_users_only_and_of_known_tables(client, cast):
    client.force_login(cast.buyer)
    assert export(client, "competition", "csv").status_code == 403
    client.force_login(cast.operator)
    assert export(client, "competition", "xlsx").status_code == 200
    assert export(client, "salaries", "csv").status_code == 404
    assert export(client, "competition", "pdf").status_code == 404
    client.logout()
    assert export(client, "competition", "csv").status_code == 302


# --- a real tender, through the services -----------------------------------------------------


def test_a_tender_run_to_payment_reads_back_in_the_workspace(client, cast):
    from contracts.services.execution import accept_delivery, record_payment
    from tests.awards.world import award_world, on_a_monday, signed, to_contracting

    with on_a_monday() as clock, award_world(cast) as world:
        contracts = to_contracting(world, cast, clock)
        for contract_row in contracts.values():
            signed(world, cast, contract_row)
        paid = Contract.objects.get(pk=contracts[2].pk)
        accept_delivery(contract=paid, actor=cast.buyer, amount="800000.00", description="All")
        record_payment(contract=paid, actor=cast.buyer, amount="800000.00", reference="PO-1")
    scope = Scope(YEAR, cast.agency)
    [agency] = budget(scope, "budget-agencies").rows
    lines = BudgetLine.objects.with_balances().filter(agency=cast.agency, fiscal_year=YEAR)
    for state in ("approved_amount", "reserved", "obligated", "paid", "available"):
        key = "approved" if state == "approved_amount" else state
        assert agency[key] == sum(getattr(x, state) for x in lines), state
    # Every bid qualifies: C wins lot 1 at 2,700,000 of 3,000,000, A lot 2 at 800,000 of 1M.
    assert pick(agency, SAVINGS) == [2, *money(4e6, 3.5e6, 5e5)]
    assert agency["paid"] == D("800000.00")
    [competition] = competition_table(scope).rows
    assert (competition["tenders"], competition["bids"], competition["single"]) == (1, 3, 0)
    top = [(r["supplier"], r["value"]) for r in supplier_table(scope).rows]
    assert top == [
        (world.org_c.legal_name, D("2700000.00")),
        (cast.supplier_org_a.legal_name, D("800000.00")),
    ]
    client.force_login(cast.auditor)
    _header, *rows = read_csv(export(client, "savings-agencies", "csv", year=YEAR))
    assert D(rows[0][-2]) == D("500000.00")  # the savings column of the agency
