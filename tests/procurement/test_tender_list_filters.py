"""The public tender list, on the web and the API, filtered by a submission deadline range
(whole Almaty days on the web, instants on the API) and a value range (the sum of the active
lots); backwards or malformed ranges are refused with the reason next to the field."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from procurement.models import Lot, Tender
from procurement.services.tenders import cancel_tender, publish_tender
from tests.procurement.factories import FROZEN, approved_item, draft_tender, ready_tender
from tests.test_api_errors import error_of

ALMATY = ZoneInfo("Asia/Almaty")
API = "/api/v1/tenders"
BACKWARDS = "The end of the range comes before its start."


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(FROZEN, tick=False):
        yield


def almaty(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=ALMATY)


def add_lot(tender: Tender, amount: str, status: str = "active") -> Lot:
    item = approved_item(tender.agency, planned_amount=Decimal(amount))
    lot = Lot.objects.create(
        tender=tender,
        number=tender.lots.count() + 1,
        title=item.subject,
        amount=item.planned_amount,
        budget_line=item.budget_line,
        status=status,
    )
    lot.plan_items.set([item])
    return lot


def published(cast, *, amount="3000000.00", deadline=None, title=None, lots=()) -> Tender:
    """A tender of the cast's agency, published at FROZEN with one lot of `amount` and the
    extra `lots` as (amount, status); the deadline is the earliest allowed unless given."""
    tender = ready_tender(cast, amount=amount)
    for lot_amount, status in lots:
        add_lot(tender, lot_amount, status)
    if deadline is not None:
        tender.submission_deadline = deadline
    if title is not None:
        tender.title = title
    tender.save()
    return publish_tender(tender=tender, actor=cast.buyer)


def web_list(params: dict) -> str:
    response = Client().get(reverse("procurement:tender-list"), params)
    assert response.status_code == 200
    return response.content.decode()


def api_numbers(params: dict) -> set[str]:
    response = Client().get(API, params)
    assert response.status_code == 200, response.content
    return {item["number"] for item in response.json()["items"]}


def field_errors(html: str, field: str) -> str:
    """The error list the page shows next to `field` ("" when there is none)."""
    start = html.find(f'id="id_{field}_errors"')
    return "" if start < 0 else html[start : html.index("</ul>", start)]


# --- Deadline range ---------------------------------------------------------------------


@pytest.fixture
def around_midnight(cast):
    """Deadlines one second either side of the starts and ends of 10 and 11 March (Almaty)."""
    return {
        "before_from": published(cast, deadline=almaty(2026, 3, 9, 23, 59, 59)),
        "at_from": published(cast, deadline=almaty(2026, 3, 10, 0, 0, 0)),
        "at_end_of_to": published(cast, deadline=almaty(2026, 3, 11, 23, 59, 59)),
        "after_to": published(cast, deadline=almaty(2026, 3, 12, 0, 0, 0)),
    }


def test_web_deadline_range_takes_whole_almaty_days(around_midnight):
    html = web_list({"deadline_from": "2026-03-10", "deadline_to": "2026-03-11"})
    assert around_midnight["at_from"].number in html
    assert around_midnight["at_end_of_to"].number in html
    assert around_midnight["before_from"].number not in html
    assert around_midnight["after_to"].number not in html


def test_web_deadline_on_a_single_day(around_midnight):
    html = web_list({"deadline_from": "2026-03-11", "deadline_to": "2026-03-11"})
    assert around_midnight["at_end_of_to"].number in html
    assert around_midnight["at_from"].number not in html
    assert around_midnight["after_to"].number not in html


def test_web_deadline_range_open_at_either_end(around_midnight):
    html = web_list({"deadline_to": "2026-03-09"})
    assert around_midnight["before_from"].number in html
    assert around_midnight["at_from"].number not in html
    html = web_list({"deadline_from": "2026-03-12"})
    assert around_midnight["after_to"].number in html
    assert around_midnight["at_end_of_to"].number not in html


def test_the_almaty_day_is_not_the_utc_day(around_midnight):
    # 10 March 00:00 in Almaty is 9 March 19:00 UTC: a UTC reading of the day would list it
    # under 9 March.
    html = web_list({"deadline_from": "2026-03-09", "deadline_to": "2026-03-09"})
    assert around_midnight["before_from"].number in html
    assert around_midnight["at_from"].number not in html


def test_api_deadline_range_includes_its_start_and_excludes_its_end(around_midnight):
    found = api_numbers(
        {"deadline_from": "2026-03-10T00:00:00+05:00", "deadline_to": "2026-03-12T00:00:00+05:00"}
    )
    assert found == {around_midnight["at_from"].number, around_midnight["at_end_of_to"].number}


def test_api_deadline_range_reads_any_offset(around_midnight):
    # The same instants as above, written in UTC.
    found = api_numbers(
        {"deadline_from": "2026-03-09T19:00:00Z", "deadline_to": "2026-03-11T19:00:00Z"}
    )
    assert found == {around_midnight["at_from"].number, around_midnight["at_end_of_to"].number}
    found = api_numbers({"deadline_to": "2026-03-11T19:00:01Z"})
    assert around_midnight["after_to"].number in found


# --- Value range ------------------------------------------------------------------------


@pytest.fixture
def priced(cast):
    return {
        amount: published(cast, amount=amount)
        for amount in ("999.99", "1000.00", "2000.00", "2000.01")
    }


def test_web_value_range_includes_both_ends(priced):
    html = web_list({"value_min": "1000.00", "value_max": "2000"})
    assert priced["1000.00"].number in html
    assert priced["2000.00"].number in html
    assert priced["999.99"].number not in html
    assert priced["2000.01"].number not in html


def test_api_value_range_includes_both_ends(priced):
    found = api_numbers({"value_min": "1000", "value_max": "2000.00"})
    assert found == {priced["1000.00"].number, priced["2000.00"].number}
    assert api_numbers({"value_min": "2000.01"}) == {priced["2000.01"].number}
    assert api_numbers({"value_max": "999.99"}) == {priced["999.99"].number}


def test_value_sums_active_lots_only_and_exactly(cast):
    tender = published(cast, amount="0.10", lots=[("0.20", "active"), ("500.00", "cancelled")])
    # 0.10 + 0.20 is not 0.30 in binary floating point, which SQLite sums in.
    assert api_numbers({"value_min": "0.30", "value_max": "0.30"}) == {tender.number}
    assert api_numbers({"value_max": "0.29"}) == set()
    assert api_numbers({"value_min": "0.31"}) == set()
    assert tender.number in web_list({"value_min": "0.30", "value_max": "0.30"})
    [item] = Client().get(API).json()["items"]
    assert item["value"] == "0.30"


def test_the_list_shows_each_tenders_value(cast):
    tender = published(cast, amount="1250000.50", lots=[("750000.00", "active")])
    html = web_list({})
    row = html[html.index(tender.number) : html.index("</tr>", html.index(tender.number))]
    assert "2,000,000.50 <small>KZT</small>" in row
    [item] = Client().get(API).json()["items"]
    assert item["value"] == "2000000.50"


# --- Filters together ---------------------------------------------------------------------


def test_filters_combine(cast):
    wanted = published(
        cast, amount="1500.00", deadline=almaty(2026, 3, 10, 18), title="Insulin pens"
    )
    too_dear = published(
        cast, amount="9000.00", deadline=almaty(2026, 3, 10, 18), title="Insulin pumps"
    )
    too_late = published(
        cast, amount="1500.00", deadline=almaty(2026, 3, 20, 18), title="Insulin cartridges"
    )
    other_subject = published(
        cast, amount="1500.00", deadline=almaty(2026, 3, 10, 18), title="Bandages"
    )
    cancelled = published(
        cast, amount="1500.00", deadline=almaty(2026, 3, 10, 18), title="Insulin vials"
    )
    cancel_tender(tender=cancelled, reason="no_demand", text="Bought centrally.", actor=cast.buyer)
    web = {
        "q": "insulin",
        "status": "enquiries",
        "agency": cast.agency.bin,
        "procedure": "open_tender",
        "deadline_from": "2026-03-01",
        "deadline_to": "2026-03-15",
        "value_min": "1000",
        "value_max": "5000",
    }
    html = web_list(web)
    assert wanted.number in html
    for other in (too_dear, too_late, other_subject, cancelled):
        assert other.number not in html
    api = {
        **web,
        "deadline_from": "2026-03-01T00:00:00+05:00",
        "deadline_to": "2026-03-16T00:00:00+05:00",
    }
    assert api_numbers(api) == {wanted.number}
    assert api_numbers({**api, "agency": cast.other_agency.bin}) == set()
    assert wanted.number not in web_list({**web, "agency": cast.other_agency.bin})


def test_pages_keep_the_filters(cast, monkeypatch):
    monkeypatch.setattr("procurement.views.tenders.PAGE_SIZE", 1)
    for amount in ("100.00", "200.00", "300.00"):
        published(cast, amount=amount)
    html = web_list({"value_min": "150", "deadline_from": "2026-02-01"})
    assert "Page 1 of 2" in html
    assert 'href="?value_min=150&amp;deadline_from=2026-02-01&amp;page=2"' in html
    html = web_list({"value_min": "150", "deadline_from": "2026-02-01", "page": "2"})
    assert 'href="?value_min=150&amp;deadline_from=2026-02-01&amp;page=1"' in html


# --- Drafts -------------------------------------------------------------------------------


def test_drafts_are_never_listed_whatever_the_filters(cast):
    draft = ready_tender(cast, amount="1500.00")
    bare = draft_tender(cast.agency, title="Insulin draft")
    visible = published(cast, amount="1500.00")
    filters = {"value_min": "0", "value_max": "2000"}
    for html in (web_list(filters), web_list({}), web_list({"value_max": "0"})):
        assert draft.number not in html and bare.number not in html
    assert visible.number in web_list(filters)
    assert api_numbers(filters) == {visible.number}
    assert api_numbers({"value_max": "0"}) == set()
    assert api_numbers({"deadline_from": "2000-01-01T00:00:00Z"}) == {visible.number}


# --- Refusals -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"deadline_from": "2026-03-11", "deadline_to": "2026-03-10"}, "deadline_to", BACKWARDS),
        ({"value_min": "2000", "value_max": "1999.99"}, "value_max", BACKWARDS),
        ({"value_min": "-0.01"}, "value_min", "greater than or equal to 0"),
        ({"value_max": "10.001"}, "value_max", "no more than 2 decimal places"),
        ({"value_min": "a lot"}, "value_min", "Enter a number."),
        ({"deadline_from": "10.03.2026"}, "deadline_from", "Enter a valid date."),
    ],
)
def test_web_refuses_a_bad_range_next_to_its_field_and_lists_nothing(cast, params, field, message):
    tender = published(cast, amount="1500.00", deadline=almaty(2026, 3, 10, 18))
    html = web_list(params)
    assert message in field_errors(html, field)
    assert tender.number not in html
    assert "No tenders match." in html


def test_web_accepts_a_range_of_one_day_or_one_amount(cast):
    tender = published(cast, amount="1500.00", deadline=almaty(2026, 3, 10, 18))
    html = web_list(
        {
            "deadline_from": "2026-03-10",
            "deadline_to": "2026-03-10",
            "value_min": "1500",
            "value_max": "1500.00",
        }
    )
    assert 'class="errorlist' not in html
    assert tender.number in html


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        (
            {"deadline_from": "2026-03-11T00:00:00+05:00", "deadline_to": "2026-03-10T00:00:00Z"},
            "deadline_to",
            BACKWARDS,
        ),
        ({"value_min": "2000", "value_max": "1999.99"}, "value_max", BACKWARDS),
        ({"deadline_from": "2026-03-10T00:00:00"}, "deadline_from", "timezone"),
        ({"deadline_to": "2026-03-10"}, "deadline_to", "timezone"),
        ({"value_min": "-0.01"}, "value_min", "greater than or equal to 0"),
        ({"value_max": "10.001"}, "value_max", "2 decimal places"),
    ],
)
def test_api_refuses_a_bad_range_in_the_error_shape(cast, params, field, message):
    error = error_of(Client().get(API, params), 422)
    assert error["code"] == "invalid"
    assert list(error["fields"]) == [field]
    assert message in error["fields"][field][0]
    assert field in error["message"]


def test_api_accepts_an_empty_deadline_range(cast):
    # [start, start) holds no instant: not an error, just no tender.
    published(cast, deadline=almaty(2026, 3, 10, 18))
    moment = "2026-03-10T18:00:00+05:00"
    assert api_numbers({"deadline_from": moment, "deadline_to": moment}) == set()
