"""Public search over tenders, on the web list and the API: every word must match the tender's
number, title or description, in any case and order, Russian and Kazakh included; a tender
number finds that tender; filters, pagination and the URLs stay as they were; the list costs a
fixed number of queries however many tenders there are.

PostgreSQL searches with full-text search ('simple' configuration, a GIN index; a word matches
the beginning of a word), SQLite with case-folded substrings; the tests here pass on both, and
those about what only PostgreSQL does are skipped on SQLite."""

import re

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from procurement.models import Tender
from tests.procurement.factories import FROZEN, draft_tender

API = "/api/v1/tenders"
ROW = re.compile(r'<td class="mono"><a href="/tenders/[^"]+/">([^<]+)</a></td>')


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(FROZEN, tick=False):
        yield


def listed(agency, title: str, description: str = "", **fields) -> Tender:
    """A published tender row (no lots, no events): all the search reads."""
    return draft_tender(
        agency,
        title=title,
        description=description,
        status=fields.pop("status", "enquiries"),
        published_at=fields.pop("published_at", timezone.now()),
        **fields,
    )


def found(q: str, **params) -> set[str]:
    """The numbers the web list shows for `q`, checked against the API's answer."""
    web = Client().get(reverse("procurement:tender-list"), {"q": q, **params})
    assert web.status_code == 200
    api = Client().get(API, {"q": q, **params})
    assert api.status_code == 200, api.content
    numbers = {item["number"] for item in api.json()["items"]}
    assert set(ROW.findall(web.content.decode())) == numbers
    return numbers


def skip_unless_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("full-text search is PostgreSQL's; SQLite compares substrings")


@pytest.fixture
def tenders(cast):
    return {
        "insulin": listed(
            cast.agency,
            "Insulin glargine 100 IU/ml, 3 ml cartridge",
            "Long-acting insulin for the endocrinology ward.",
        ),
        "russian": listed(
            cast.agency, "Инсулин гларгин", "Поставка ИНСУЛИНА для городской больницы"
        ),
        "kazakh": listed(
            cast.other_agency, "Әлеуметтік нысандарға арналған жиһаз", "Қазақстан өндірісі"
        ),
        "bandages": listed(cast.agency, "Bandages and gauze", "Sterile, 10 cm x 5 m"),
    }


def test_words_match_title_and_description_in_any_order_and_case(tenders):
    insulin = tenders["insulin"].number
    assert found("insulin") == {insulin}
    assert found("GLARGINE insulin") == {insulin}
    assert found("endocrinology glargine") == {insulin}  # one word from each field
    assert found("Insulin for the ward") == {insulin}


def test_every_word_must_match(tenders):
    assert found("insulin bulldozer") == set()
    assert found("bulldozer") == set()


def test_russian_and_kazakh_words_match_in_any_case(tenders):
    russian, kazakh = tenders["russian"].number, tenders["kazakh"].number
    assert found("инсулин") == {russian}
    assert found("ИНСУЛИН Гларгин") == {russian}
    assert found("инсулина больницы") == {russian}
    assert found("жиһаз") == {kazakh}
    assert found("ҚАЗАҚСТАН әлеуметтік") == {kazakh}


def test_the_beginning_of_a_word_is_enough(tenders):
    assert found("insul") == {tenders["insulin"].number}
    assert found("инсул") == {tenders["russian"].number}
    assert found("әлеум") == {tenders["kazakh"].number}


def test_punctuation_separates_words(tenders):
    insulin = tenders["insulin"].number
    assert found("ml") == {insulin}
    assert found("IU/ml") == {insulin}
    assert found("long acting") == {insulin}
    assert found("sterile, gauze!") == {tenders["bandages"].number}


def test_query_syntax_and_nul_bytes_are_only_characters(tenders):
    insulin = tenders["insulin"].number
    assert found("'insulin' & !glargine:* | (") == {insulin}
    assert found("insulin) <-> (glargine") == {insulin}
    # A NUL byte is refused before any search (PostgreSQL cannot hold one in text).
    assert Client().get(API, {"q": "insulin\x00glargine"}).status_code == 422
    web = Client().get(reverse("procurement:tender-list"), {"q": "insulin\x00glargine"})
    assert web.status_code == 200 and ROW.findall(web.content.decode()) == []


def test_a_tender_number_finds_that_tender_in_any_case(tenders):
    insulin = tenders["insulin"].number
    assert found(insulin) == {insulin}
    assert found(insulin.lower()) == {insulin}
    assert found(f"  {insulin} ") == {insulin}


def test_the_digits_of_a_number_find_it(tenders):
    insulin = tenders["insulin"].number
    assert found(insulin.rsplit("-", 1)[1]) == {insulin}


def test_drafts_are_never_found(cast, tenders):
    draft = draft_tender(cast.agency, title="Secret insulin draft")
    assert draft.number not in found("insulin")
    assert found(draft.number) == set()
    assert found("secret") == set()


def test_a_search_without_words_lists_everything(tenders):
    assert found("") == {t.number for t in tenders.values()}
    assert found(" -- / ") == {t.number for t in tenders.values()}


def test_search_keeps_the_filters(cast, tenders):
    russian = tenders["russian"].number
    assert found("инсулин", agency=cast.agency.bin) == {russian}
    assert found("инсулин", agency=cast.other_agency.bin) == set()
    assert found("инсулин", status="enquiries") == {russian}
    assert found("инсулин", status="tendering") == set()
    assert found("insulin", procedure="price_quotations") == set()


def test_pages_of_a_search_have_stable_addresses(cast):
    older = [listed(cast.agency, f"Insulin pens, batch {n}") for n in range(30)]
    listed(cast.agency, "Bandages")
    for n, tender in enumerate(older):  # newest first: batch 29 leads
        Tender.objects.filter(pk=tender.pk).update(
            published_at=FROZEN - timezone.timedelta(minutes=100 - n)
        )
    url = reverse("procurement:tender-list")
    first = Client().get(url, {"q": "insulin pens"}).content.decode()
    assert "30 tenders found." in first
    assert "page=2" in first and "q=insulin+pens" in first
    second = Client().get(url, {"q": "insulin pens", "page": 2}).content.decode()
    assert older[0].number in second and older[29].number not in second
    assert older[29].number in first and older[0].number not in first
    again = Client().get(url, {"q": "insulin pens", "page": 2}).content.decode()
    assert ROW.findall(again) == ROW.findall(second)
    body = Client().get(API, {"q": "insulin pens", "page": 1}).json()
    assert body["count"] == 30
    assert body["items"][0]["number"] == older[29].number


def _list_queries(django_assert_max_num_queries, params: dict, limit: int) -> None:
    with django_assert_max_num_queries(limit):
        assert Client().get(reverse("procurement:tender-list"), params).status_code == 200
    with django_assert_max_num_queries(limit):
        assert Client().get(API, params).status_code == 200


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"q": "insulin"},
        {"q": "инсулин", "status": "enquiries", "value_min": "1", "value_max": "9000000"},
    ],
    ids=["everything", "a word", "words and filters"],
)
def test_the_list_costs_the_same_few_queries_for_3_or_40_tenders(
    cast, django_assert_max_num_queries, params
):
    from tests.procurement.factories import approved_item

    def add(n):
        for i in range(n):
            tender = listed(cast.agency, f"Insulin инсулин {i}", f"Batch {i}")
            item = approved_item(cast.agency)
            tender.lots.create(
                number=1, title="Lot", amount=item.planned_amount, budget_line=item.budget_line
            )

    add(3)
    _list_queries(django_assert_max_num_queries, params, 4)
    add(37)
    _list_queries(django_assert_max_num_queries, params, 4)


# --- PostgreSQL: full-text search ---------------------------------------------------------


def test_no_stemming_on_postgresql(tenders):
    """'simple' keeps words as written: a plural finds no singular (English stemming would)."""
    skip_unless_postgresql()
    assert found("cartridges") == set()
    assert found("bandage") == {tenders["bandages"].number}  # the beginning of "bandages"


def test_words_match_at_their_beginning_only_on_postgresql(tenders):
    skip_unless_postgresql()
    assert found("sulin") == set()
    assert found("ulin glar") == set()


def test_multi_word_search_uses_the_gin_index_on_postgresql(tenders):
    skip_unless_postgresql()
    # The index serves its own column only: the plan uses it if the search still reads
    # search_document, the words that migration 0009 stores and indexes.
    tenders_found = Tender.objects.matching("инсулин гларгин")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = tenders_found.explain()
    assert "tender_search" in plan, plan
    assert [t.number for t in tenders_found] == [tenders["russian"].number]


def test_an_edited_tender_is_found_by_its_new_words(tenders):
    # On PostgreSQL the words are stored (migration 0009): they must follow every edit.
    bandages = tenders["bandages"]
    bandages.title = "Syringes"
    bandages.save(update_fields=["title"])
    assert found("syringes") == {bandages.number}
    assert found("bandages") == set()
    Tender.objects.filter(pk=bandages.pk).update(description="Disposable, 5 ml")
    assert found("disposable syringes") == {bandages.number}
    assert found("sterile") == set()


def test_a_search_inside_a_subquery_reads_the_inner_tenders(tenders):
    insulin = Tender.objects.matching("glargine insulin").values("pk")
    assert {t.number for t in Tender.objects.filter(pk__in=insulin)} == {tenders["insulin"].number}
