"""How many tenders the public list says it found (issue 7): counted exactly up to COUNT_CAP,
"more than COUNT_CAP" past it, on the web and in the API; pages still lead on while the count
is open, the last page knows the count exactly, and a link past the end shows the last page.

The cap is 1000 in service; here it is 5 and a page holds 2 tenders, so that the boundaries
(exactly the cap, one past it) take a few rows."""

import re

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from procurement.models import Tender
from tests.procurement.factories import FROZEN, draft_tender

API = "/api/v1/tenders"
CAP = 5
ROW = re.compile(r'<td class="mono"><a href="/tenders/[^"]+/">([^<]+)</a></td>')


@pytest.fixture(autouse=True)
def _small_cap_and_pages(monkeypatch):
    monkeypatch.setattr("procurement.paging.COUNT_CAP", CAP)
    monkeypatch.setattr("procurement.views.tenders.PAGE_SIZE", 2)
    with time_machine.travel(FROZEN, tick=False), translation.override("en"):
        yield


def insulin_tenders(cast, n: int) -> list[Tender]:
    """`n` published tenders that "insulin" finds, newest first, and one it does not."""
    draft_tender(cast.agency, title="Bandages", status="enquiries", published_at=timezone.now())
    return [
        draft_tender(
            cast.agency,
            title=f"Insulin pens, batch {i}",
            status="enquiries",
            published_at=FROZEN - timezone.timedelta(minutes=i),
        )
        for i in range(n)
    ]


def web(params: dict, client: Client | None = None) -> str:
    response = (client or Client()).get(reverse("procurement:tender-list"), params)
    assert response.status_code == 200
    return response.content.decode()


def api(params: dict) -> dict:
    response = Client().get(API, {"page_size": 2, **params})
    assert response.status_code == 200, response.content
    return response.json()


def test_counts_exactly_up_to_the_cap(cast):
    insulin_tenders(cast, CAP)
    html = web({"q": "insulin"})
    assert "5 tenders found." in html
    assert "Page 1 of 3" in html
    body = api({"q": "insulin"})
    assert (body["count"], body["count_is_exact"], body["has_next"]) == (5, True, True)


def test_says_more_than_the_cap_one_past_it(cast):
    tenders = insulin_tenders(cast, CAP + 1)
    html = web({"q": "insulin"})
    assert "More than 5 tenders found." in html
    assert "tenders found." not in html.replace("More than 5 tenders found.", "")
    assert "Page 1" in html and "Page 1 of" not in html
    assert "q=insulin&amp;page=2" in html
    assert ROW.findall(html) == [t.number for t in tenders[:2]]
    body = api({"q": "insulin"})
    assert (body["count"], body["count_is_exact"], body["has_next"]) == (5, False, True)


def test_pages_lead_on_past_the_cap_and_the_last_one_knows_the_count(cast):
    tenders = insulin_tenders(cast, CAP + 1)
    html = web({"q": "insulin", "page": 2})
    assert "More than 5 tenders found." in html
    assert "q=insulin&amp;page=3" in html and "q=insulin&amp;page=1" in html
    html = web({"q": "insulin", "page": 3})
    assert "6 tenders found." in html
    assert "Page 3 of 3" in html and "page=4" not in html
    assert ROW.findall(html) == [t.number for t in tenders[4:]]
    body = api({"q": "insulin", "page": 3})
    assert (body["count"], body["count_is_exact"], body["has_next"]) == (6, True, False)
    assert [item["number"] for item in body["items"]] == [t.number for t in tenders[4:]]


def reading(queries) -> list[str]:
    """The queries of a request that read tenders (not the form's procedures)."""
    return [q["sql"] for q in queries if "procurement_tender" in q["sql"]]


def test_matches_up_to_the_cap_are_counted_by_listing_them(cast):
    insulin_tenders(cast, CAP)
    with CaptureQueriesContext(connection) as queries:
        html = web({"q": "insulin", "page": 2})
    assert "5 tenders found." in html
    listed, ordered, rows = reading(queries)
    assert f"LIMIT {CAP + 1}" in listed and "ORDER BY" not in listed
    # The ids are put in the list's order without searching again, then the page's 2 read.
    assert "ORDER BY" in ordered and "insulin" in listed and "insulin" not in ordered
    assert "LIMIT" not in rows and "OFFSET" not in rows
    assert "COUNT(" not in " ".join(reading(queries))


def test_a_page_that_holds_every_match_takes_two_queries(cast):
    insulin_tenders(cast, 2)
    with CaptureQueriesContext(connection) as queries:
        html = web({"q": "insulin"})
    assert "2 tenders found." in html
    assert len(reading(queries)) == 2
    body = api({"q": "insulin"})
    assert (body["count"], body["count_is_exact"], body["has_next"]) == (2, True, False)


def test_the_matches_are_listed_no_further_than_one_past_the_cap(cast):
    insulin_tenders(cast, CAP + 3)
    with CaptureQueriesContext(connection) as queries:
        web({"q": "insulin"})
    listed, rows = reading(queries)
    assert f"LIMIT {CAP + 1}" in listed
    assert "LIMIT 3" in rows  # the page and one row past it, in the list's order
    assert Tender.objects.count_at_most(3) == 3
    assert Tender.objects.filter(title__startswith="Insulin").count_at_most(100) == CAP + 3


def test_pages_past_the_cap_are_read_without_listing_or_counting(cast):
    insulin_tenders(cast, CAP + 3)
    with CaptureQueriesContext(connection) as queries:
        html = web({"q": "insulin", "page": 3})  # tenders 5 and 6, and a 7th after them
    assert "More than 5 tenders found." in html
    (rows,) = reading(queries)
    assert "LIMIT 3 OFFSET 4" in rows


def test_a_link_past_the_end_shows_the_last_page(cast):
    tenders = insulin_tenders(cast, CAP + 1)
    for page in ("4", "1000000", "1" + "0" * 20):
        html = web({"q": "insulin", "page": page})
        assert "Page 3 of 3" in html
        assert ROW.findall(html) == [t.number for t in tenders[4:]]
    for page in ("0", "-1", "one", ""):
        assert ROW.findall(web({"q": "insulin", "page": page})) == [t.number for t in tenders[:2]]
    body = api({"q": "insulin", "page": 4})
    assert body["items"] == [] and body["has_next"] is False
    assert (body["count"], body["count_is_exact"]) == (CAP, False)  # more than the cap match


def test_no_match_at_all(cast):
    insulin_tenders(cast, 1)
    assert "No tenders match." in web({"q": "bulldozer"})
    body = api({"q": "bulldozer"})
    assert body == {"items": [], "count": 0, "count_is_exact": True, "has_next": False}


@pytest.mark.parametrize(
    ("language", "more", "page"),
    [("ru", "Найдено более 5 тендеров.", "Страница 1"), ("kk", "5-нан астам тендер", "Бет: 1")],
)
def test_more_than_the_cap_in_russian_and_kazakh(cast, language, more, page):
    insulin_tenders(cast, CAP + 1)
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    html = web({"q": "insulin"}, client)
    assert more in html and page in html


def test_the_api_documents_its_count():
    schema = Client().get("/api/v1/openapi.json").json()["components"]["schemas"]
    (paged,) = [s for name, s in schema.items() if name.startswith("PagedTenderSummaryOut")]
    assert {"count", "count_is_exact", "has_next"} <= set(paged["required"])
    # The cap is read when the API module is first imported, which may be under this file's cap.
    assert re.search(
        r"counting stopped at \d+ and more", paged["properties"]["count"]["description"]
    )
