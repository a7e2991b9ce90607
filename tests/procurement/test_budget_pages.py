"""The budget page of an agency: lines with their balances, the plan, and the forms that
change them, for the people who may."""

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from procurement.models import BudgetLine, PlanItem
from tests.conftest import cast_member
from tests.procurement.factories import (
    BudgetLineFactory,
    PlanItemFactory,
    counts,
    events_since,
    move,
    procedure,
)


def visitor(cast, role: str) -> Client:
    client = Client()
    if role != "anonymous":
        client.force_login(cast_member(cast, role))
    return client


def errors_of_field(html: str, field_id: str) -> str:
    match = re.search(
        rf'<ul class="errorlist" id="{re.escape(field_id)}_errors"[^>]*>(.*?)</ul>', html, re.S
    )
    return match.group(1) if match else ""


def page(cast, year=2025) -> str:
    return f"{reverse('procurement:budget', args=[cast.agency.bin])}?year={year}"


@pytest.fixture
def medicines(cast):
    line = BudgetLineFactory(
        agency=cast.agency,
        fiscal_year=2025,
        programme_code="001",
        subprogramme_code="015",
        name="Medicines",
        approved_amount=Decimal("12500000.00"),
    )
    move("reserve", line, "4000000.00")
    move("obligate", line, "3000000.00")
    move("pay", line, "1250000.50")
    return line


def test_the_page_shows_each_lines_balances_and_the_plan(cast, medicines):
    PlanItemFactory(budget_line=medicines, subject="Insulin glargine", planned_month=4)

    html = visitor(cast, "buyer").get(page(cast)).content.decode()

    assert "Plan and budget of City Hospital No. 7, 2025" in html
    row = re.search(r"<tr>\s*<td class=\"mono\">001/015.*?</tr>", html, re.S).group(0)
    cells = re.findall(r'<td class="num">([^<]*)', row)
    assert [c.strip() for c in cells] == [
        "12,500,000.00",  # approved
        "1,000,000.00",  # reserved
        "1,749,999.50",  # obligated
        "1,250,000.50",  # paid
        "8,500,000.00",  # available
    ]
    assert "Insulin glargine" in html
    assert "April" in html


def test_the_lines_cost_the_same_number_of_queries_however_many_there_are(cast):
    def queries_for_page() -> int:
        client = visitor(cast, "buyer")
        client.get(page(cast))  # warm the session and the cast's memberships
        with CaptureQueriesContext(connection) as queries:
            assert client.get(page(cast)).status_code == 200
        return len(queries)

    BudgetLineFactory(agency=cast.agency)
    one = queries_for_page()
    for _ in range(6):
        move("reserve", BudgetLineFactory(agency=cast.agency), "1.00")

    assert queries_for_page() == one


def test_only_the_chosen_years_lines_are_shown_with_links_to_the_others(cast, medicines):
    BudgetLineFactory(agency=cast.agency, fiscal_year=2026, name="Next year's drugs")

    html = visitor(cast, "buyer").get(page(cast, 2025)).content.decode()

    assert "Medicines" in html
    assert "Next year&#x27;s drugs" not in html
    assert '<a href="?year=2026">2026</a>' in html


def test_an_empty_year_says_so_and_asks_for_a_line_first(cast):
    html = visitor(cast, "buyer").get(page(cast, 2031)).content.decode()

    assert "No budget lines for 2031 yet." in html
    assert "Add a budget line for 2031 first" in html


@pytest.mark.parametrize("role", ["commission", "auditor"])
def test_those_who_only_see_get_no_forms(cast, medicines, role):
    PlanItemFactory(budget_line=medicines)

    html = visitor(cast, role).get(page(cast)).content.decode()

    assert "8,500,000.00" in html
    assert "Add a budget line" not in html
    assert "Approve</button>" not in html


@pytest.mark.parametrize("role", ["supplier_a", "other_buyer", "outsider"])
def test_strangers_get_the_403_page_saying_who_may_look(cast, role):
    response = visitor(cast, role).get(page(cast))

    assert response.status_code == 403
    assert (
        "Only members of City Hospital No. 7, auditors and operators" in response.content.decode()
    )


def test_anonymous_visitors_are_sent_to_log_in(cast):
    response = visitor(cast, "anonymous").get(page(cast))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_a_supplier_or_unknown_bin_has_no_budget_page(cast):
    client = visitor(cast, "operator")

    assert (
        client.get(reverse("procurement:budget", args=[cast.supplier_org_a.bin])).status_code == 404
    )
    assert client.get(reverse("procurement:budget", args=["000000000000"])).status_code == 404


def test_the_agencys_members_find_the_page_in_the_navigation(cast):
    link = f'href="{reverse("procurement:budget", args=[cast.agency.bin])}"'

    assert link in visitor(cast, "commission").get(reverse("home")).content.decode()
    assert link not in visitor(cast, "supplier_a").get(reverse("home")).content.decode()
    assert link not in visitor(cast, "other_buyer").get(reverse("home")).content.decode()


# --- adding a budget line -------------------------------------------------------------------

LINE = {
    "fiscal_year": "2025",
    "programme_code": "002",
    "subprogramme_code": "",
    "specifics_code": "",
    "name": "Office supplies",
    "approved_amount": "1000000.00",
}


def test_buyer_adds_a_line_and_returns_to_its_year(cast):
    before = counts()

    response = visitor(cast, "buyer").post(
        reverse("procurement:budgetline-create", args=[cast.agency.bin]), LINE
    )

    assert response.status_code == 302
    assert response["Location"] == page(cast, 2025)
    line = BudgetLine.objects.get(agency=cast.agency, programme_code="002")
    assert line.approved_amount == Decimal("1000000.00")
    assert [e.action for e in events_since(before["events"])] == ["procurement.budgetline.created"]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"programme_code": "2"}, "id_programme_code", "exactly three digits"),
        ({"approved_amount": "-1"}, "id_approved_amount", "greater than or equal to 0"),
        ({"name": ""}, "id_name", "This field is required."),
    ],
)
def test_a_wrong_line_comes_back_with_the_error_at_its_field(cast, changes, field, message):
    before = counts()

    response = visitor(cast, "buyer").post(
        reverse("procurement:budgetline-create", args=[cast.agency.bin]), {**LINE, **changes}
    )

    assert response.status_code == 200
    assert message in errors_of_field(response.content.decode(), field)
    assert counts() == before


def test_a_duplicate_line_is_refused_at_the_programme_code(cast, medicines):
    before = counts()

    response = visitor(cast, "buyer").post(
        reverse("procurement:budgetline-create", args=[cast.agency.bin]),
        {**LINE, "programme_code": "001", "subprogramme_code": "015"},
    )

    errors = errors_of_field(response.content.decode(), "id_programme_code")
    assert "The agency already has budget line 001/015 for 2025." in errors
    assert counts() == before


def test_the_commission_may_not_add_lines(cast):
    response = visitor(cast, "commission").post(
        reverse("procurement:budgetline-create", args=[cast.agency.bin]), LINE
    )

    assert response.status_code == 403
    assert not BudgetLine.objects.exists()


# --- the plan -------------------------------------------------------------------------------


def item_body(**changes) -> dict:
    return {
        "fiscal_year": "2025",
        "budget_line": "001/015",
        "subject": "Insulin glargine",
        "nomenclature_code": "212013.900.000032",
        "quantity": "1200",
        "unit": "pack",
        "planned_amount": "3000000.00",
        "procedure": "open_tender",
        "planned_month": "4",
        **changes,
    }


def test_buyer_adds_a_plan_item_citing_the_line_by_its_code(cast, medicines):
    procedure("open_tender")

    response = visitor(cast, "buyer").post(
        reverse("procurement:planitem-create", args=[cast.agency.bin]), item_body()
    )

    assert response.status_code == 302
    assert response["Location"] == page(cast, 2025)
    item = PlanItem.objects.get()
    assert (item.budget_line, item.status, item.planned_month) == (medicines, "draft", 4)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"budget_line": "009"}, "id_item_budget_line", "no budget line 009 for 2025"),
        (
            {"procedure": "price_quotations", "planned_amount": "20000000.00"},
            "id_item_planned_amount",
            "may be used up to 15,728,000.00 KZT",
        ),
        ({"procedure": "auction"}, "id_item_procedure", "Select a valid choice"),
        ({"planned_month": "13"}, "id_item_planned_month", "Select a valid choice"),
    ],
)
def test_a_wrong_item_comes_back_with_the_error_at_its_field(
    cast, medicines, changes, field, message
):
    procedure("price_quotations")
    before = counts()

    response = visitor(cast, "buyer").post(
        reverse("procurement:planitem-create", args=[cast.agency.bin]), item_body(**changes)
    )

    assert response.status_code == 200
    assert message in errors_of_field(response.content.decode(), field)
    assert counts() == before


def test_approving_an_item_from_the_page(cast, medicines):
    item = PlanItemFactory(budget_line=medicines)
    client = visitor(cast, "agency_admin")

    response = client.post(
        reverse("procurement:planitem-approve", args=[cast.agency.bin, item.pk]), follow=True
    )

    assert PlanItem.objects.get(pk=item.pk).status == "approved"
    assert "is approved." in response.content.decode()


def test_an_approval_above_the_line_is_refused_with_a_message(cast, medicines):
    item = PlanItemFactory(budget_line=medicines, planned_amount=Decimal("13000000.00"))

    response = visitor(cast, "buyer").post(
        reverse("procurement:planitem-approve", args=[cast.agency.bin, item.pk]), follow=True
    )

    assert "more than the approved amount of budget line 001/015" in response.content.decode()
    assert PlanItem.objects.get(pk=item.pk).status == "draft"


def test_cancelling_needs_a_reason(cast, medicines):
    item = PlanItemFactory(budget_line=medicines)
    url = reverse("procurement:planitem-cancel", args=[cast.agency.bin, item.pk])
    client = visitor(cast, "buyer")

    refused = client.post(url, {"reason": ""}, follow=True).content.decode()
    assert "This field is required." in refused
    assert PlanItem.objects.get(pk=item.pk).status == "draft"

    client.post(url, {"reason": "Bought centrally"})
    assert PlanItem.objects.get(pk=item.pk).cancel_reason == "Bought centrally"


def test_an_item_is_found_only_under_its_own_agency(cast, medicines):
    item = PlanItemFactory(budget_line=medicines)

    response = visitor(cast, "operator").post(
        reverse("procurement:planitem-approve", args=[cast.other_agency.bin, item.pk])
    )

    assert response.status_code == 404
    assert PlanItem.objects.get(pk=item.pk).status == "draft"


@pytest.mark.parametrize(
    "route", ["budgetline-create", "planitem-create", "planitem-approve", "planitem-cancel"]
)
def test_changes_are_never_made_by_a_get(cast, medicines, route):
    item = PlanItemFactory(budget_line=medicines)
    args = (
        [cast.agency.bin, item.pk]
        if route.startswith("planitem-") and route != "planitem-create"
        else [cast.agency.bin]
    )

    response = visitor(cast, "buyer").get(reverse(f"procurement:{route}", args=args))

    assert response.status_code == 405
    assert PlanItem.objects.get(pk=item.pk).status == "draft"
