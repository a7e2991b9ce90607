"""The red-flag queue on the web and in the API: auditors (and operators, read-only) list the
flags, open ones first, with filters and pages; a flag's page says what its indicator means,
links the tender and organisation, shows the figures, why it fired and its review history;
an auditor reviews it with a note (one audit event), and a refused review changes nothing and
says why next to the field."""

import pytest
from django.urls import reverse

from audit.models import Entry
from tests.procurement.factories import draft_tender
from transparency.flags.findings import Finding
from transparency.models import RedFlag
from transparency.services.flags import compute_flags, review_flag

pytestmark = pytest.mark.django_db

LIST = reverse("transparency:flag-list")
API = "/api/v1/red-flags"


def detail(flag) -> str:
    return reverse("transparency:flag-detail", args=[flag.pk])


def review_url(flag) -> str:
    return reverse("transparency:flag-review", args=[flag.pk])


def queue(cast) -> dict[str, RedFlag]:
    """Four flags: two on tenders of the cast's agency, one on the other agency's tender, one
    on a supplier (as Cardinal's Tenderer group raises them) and one on the other agency."""
    mine, other = draft_tender(cast.agency), draft_tender(cast.other_agency)
    a, b = cast.supplier_org_a.bin, cast.supplier_org_b.bin
    compute_flags(
        [
            Finding(
                "same_contact",
                f"{mine.number}:{a}:{b}",
                f"Medservice Plus LLP and Steppe Construction JSC, competing for {mine.number}, "
                "share their phone.",
                {"shared": ["phone"], "bids": ["B-1", "B-2"]},
                mine.pk,
            ),
            Finding(
                "R018",
                f"OCID:ocds-abc123-{mine.number}",
                "Cardinal's R018 fired for the contracting process (value 1.0).",
                {"group": "OCID", "value": 1.0},
                mine.pk,
            ),
            Finding(
                "R018",
                f"OCID:ocds-abc123-{other.number}",
                "Cardinal's R018 fired for the contracting process (value 1.0).",
                {"group": "OCID", "value": 1.0},
                other.pk,
            ),
            Finding(
                "R025",
                f"Tenderer:KZ-BIN-{a}",
                "Cardinal's R025 fired for the tenderer (value 0.05).",
                {"group": "Tenderer", "value": 0.05},
                None,
                cast.supplier_org_a.pk,
            ),
        ]
    )
    return {
        "contact": RedFlag.objects.get(indicator="same_contact"),
        "single": RedFlag.objects.get(indicator="R018", tender=mine),
        "other": RedFlag.objects.get(indicator="R018", tender=other),
        "supplier": RedFlag.objects.get(indicator="R025"),
    }


def listed(response) -> list[int]:
    return [flag.pk for flag in response.context["page"]]


def state() -> tuple:
    return (
        list(RedFlag.objects.order_by("pk").values_list("pk", "status", "note", "reviewed_by")),
        Entry.objects.count(),
    )


# --- who may see the queue -------------------------------------------------------------------


def test_auditors_and_operators_see_the_queue_and_nobody_else(client, cast):
    flags = queue(cast)
    for user in (cast.auditor, cast.operator):
        client.force_login(user)
        assert client.get(LIST).status_code == 200
        assert client.get(detail(flags["contact"])).status_code == 200
    for user in (cast.buyer, cast.agency_admin, cast.supplier_a, cast.reviewer, cast.outsider):
        client.force_login(user)
        assert client.get(LIST).status_code == 403, user.email
        assert client.get(detail(flags["contact"])).status_code == 403, user.email
    client.logout()
    assert client.get(LIST)["Location"].startswith(reverse("accounts:login"))


# --- the list --------------------------------------------------------------------------------


def test_open_flags_come_first_then_the_latest_found(client, cast):
    flags = queue(cast)
    review_flag(flag=flags["contact"], actor=cast.auditor, decision="escalated", note="AFM")
    review_flag(flag=flags["other"], actor=cast.auditor, decision="dismissed", note="Niche")
    client.force_login(cast.auditor)
    assert listed(client.get(LIST)) == [
        flags["supplier"].pk,
        flags["single"].pk,
        flags["other"].pk,
        flags["contact"].pk,
    ]


def test_the_list_filters_by_status_indicator_firing_and_agency(client, cast):
    flags = queue(cast)
    review_flag(flag=flags["contact"], actor=cast.auditor, decision="escalated", note="AFM")
    RedFlag.objects.filter(pk=flags["single"].pk).update(still_fires=False)
    client.force_login(cast.auditor)

    def only(**query) -> set[int]:
        response = client.get(LIST, query)
        assert response.status_code == 200
        return set(listed(response))

    assert only(status="escalated") == {flags["contact"].pk}
    assert only(indicator="R018") == {flags["single"].pk, flags["other"].pk}
    assert only(firing="no") == {flags["single"].pk}
    assert only(firing="yes", indicator="R018") == {flags["other"].pk}
    assert only(agency=cast.agency.bin) == {flags["contact"].pk, flags["single"].pk}
    assert only(agency=cast.other_agency.bin) == {flags["other"].pk}


def test_an_unknown_filter_value_is_refused_under_its_field(client, cast):
    queue(cast)
    client.force_login(cast.auditor)
    response = client.get(LIST, {"status": "burnt"})
    assert response.status_code == 400
    assert 'id="id_status_errors"' in response.content.decode()
    assert response.context["page"] is None


def test_the_list_is_paginated_and_pages_keep_the_filters(client, cast):
    tender = draft_tender(cast.agency)
    compute_flags(
        [Finding("R003", f"OCID:{n}", "Short period.", {"n": n}, tender.pk) for n in range(30)]
    )
    client.force_login(cast.auditor)
    first = client.get(LIST, {"indicator": "R003"})
    assert len(first.context["page"]) == 25
    assert "?indicator=R003&amp;page=2" in first.content.decode()
    second = client.get(LIST, {"indicator": "R003", "page": 2})
    assert len(second.context["page"]) == 5


def test_the_list_takes_the_same_number_of_queries_for_more_flags(
    client, cast, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    queue(cast)
    client.force_login(cast.auditor)
    with CaptureQueriesContext(connection) as few:
        client.get(LIST)
    tender = draft_tender(cast.other_agency)
    compute_flags(
        [Finding("R003", f"OCID:{n}", "Short.", {}, tender.pk) for n in range(20)]
        + [Finding("R048", f"T:{n}", "Many.", {}, None, cast.supplier_org_b.pk) for n in range(5)]
    )
    with django_assert_max_num_queries(len(few)), CaptureQueriesContext(connection) as many:
        assert len(client.get(LIST).context["page"]) == 25
    assert len(many) <= 10


# --- a flag's page ---------------------------------------------------------------------------


def test_the_flag_page_explains_the_indicator_and_links_what_it_is_about(client, cast):
    flags = queue(cast)
    client.force_login(cast.auditor)
    page = client.get(detail(flags["contact"])).content.decode()
    assert "share an e-mail address, a phone number or an address" in page  # the meaning
    assert "share their phone." in page  # why it fired
    tender = flags["contact"].tender
    assert f'href="{tender.get_absolute_url()}"' in page
    assert reverse("suppliers:organisation-detail", args=[cast.agency.bin]) in page
    assert "<code>shared</code>" in page and ">phone</td>" in page
    assert "Not reviewed yet." in page
    assert 'name="decision"' in page

    page = client.get(detail(flags["single"])).content.decode()
    assert "Single bid received in a competitive procedure" in page
    assert "https://cardinal.readthedocs.io/en/latest/cli/indicators/R/018.html" in page
    page = client.get(detail(flags["supplier"])).content.decode()
    assert reverse("suppliers:organisation-detail", args=[cast.supplier_org_a.bin]) in page


def test_text_from_the_data_is_escaped_on_the_flag_page(client, cast):
    tender = draft_tender(cast.agency)
    compute_flags([Finding("R003", "x", "<script>alert(1)</script>", {"<b>": "<i>"}, tender.pk)])
    client.force_login(cast.auditor)
    page = client.get(detail(RedFlag.objects.get())).content.decode()
    assert "<script>alert(1)</script>" not in page and "<b>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_operators_read_a_flag_but_get_no_review_form(client, cast):
    flags = queue(cast)
    client.force_login(cast.operator)
    page = client.get(detail(flags["contact"])).content.decode()
    assert "share their phone." in page
    assert 'name="decision"' not in page


def test_the_flag_page_takes_a_bounded_number_of_queries(
    client, cast, django_assert_max_num_queries
):
    flags = queue(cast)
    for decision in ("escalated", "reviewed"):
        review_flag(flag=flags["contact"], actor=cast.auditor, decision=decision, note="x")
    client.force_login(cast.auditor)
    with django_assert_max_num_queries(6):
        assert client.get(detail(flags["contact"])).status_code == 200


# --- the review ------------------------------------------------------------------------------


def test_an_auditor_reviews_a_flag_with_a_note_and_it_shows_in_the_history(client, cast):
    flags = queue(cast)
    client.force_login(cast.auditor)
    before = Entry.objects.count()
    response = client.post(
        review_url(flags["contact"]),
        {"decision": "escalated", "note": "Same director; sent to the AFM"},
    )
    assert response.status_code == 302
    assert response["Location"] == detail(flags["contact"])
    flag = RedFlag.objects.get(pk=flags["contact"].pk)
    assert (flag.status, flag.note, flag.reviewed_by) == (
        "escalated",
        "Same director; sent to the AFM",
        cast.auditor,
    )
    [event] = Entry.objects.filter(seq__gte=before)
    assert event.action == "transparency.redflag.reviewed"
    assert (event.subject_id, event.actor_id) == (str(flag.pk), cast.auditor.pk)
    assert (event.data["from"], event.data["to"]) == ("open", "escalated")

    page = client.get(detail(flag)).content.decode()
    assert "Your review of the flag was recorded." in page
    assert "To review → Escalated" in page
    assert "Same director; sent to the AFM" in page
    assert f'href="{event.get_absolute_url()}"' in page
    # Escalated, it may still be closed: the form is offered again; once closed it is not.
    assert 'name="decision"' in page
    client.post(review_url(flag), {"decision": "reviewed", "note": "The AFM answered"})
    page = client.get(detail(flag)).content.decode()
    assert "Escalated → Reviewed: no concern" in page
    assert 'name="decision"' not in page


def test_a_review_without_a_note_is_refused_under_the_note_and_nothing_changes(client, cast):
    flags = queue(cast)
    client.force_login(cast.auditor)
    before = state()
    response = client.post(review_url(flags["contact"]), {"decision": "dismissed", "note": "  "})
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="id_note_errors"' in page
    assert "Write what you found, for the next auditor." in page
    assert "Nothing was changed" in page
    assert state() == before


def test_a_review_without_a_decision_is_refused_under_the_decision(client, cast):
    flags = queue(cast)
    client.force_login(cast.auditor)
    before = state()
    response = client.post(review_url(flags["contact"]), {"decision": "burn", "note": "x"})
    assert response.status_code == 400
    assert 'id="id_decision_errors"' in response.content.decode()
    assert state() == before


def test_a_decision_the_flag_cannot_take_now_is_refused_and_nothing_changes(client, cast):
    flags = queue(cast)
    review_flag(flag=flags["contact"], actor=cast.auditor, decision="escalated", note="AFM")
    client.force_login(cast.auditor)
    before = state()
    response = client.post(review_url(flags["contact"]), {"decision": "escalated", "note": "x"})
    assert response.status_code == 400
    assert "This flag is escalated; it cannot be marked that way now." in response.content.decode()
    assert state() == before


def test_only_auditors_review_and_a_refusal_changes_nothing(client, cast):
    flags = queue(cast)
    before = state()
    for user in (cast.operator, cast.buyer, cast.supplier_a):
        client.force_login(user)
        response = client.post(review_url(flags["contact"]), {"decision": "dismissed", "note": "x"})
        assert response.status_code == 403, user.email
    client.logout()
    assert client.post(review_url(flags["contact"]), {"decision": "dismissed"}).status_code == 302
    assert state() == before
    client.force_login(cast.auditor)
    assert client.get(review_url(flags["contact"])).status_code == 405


# --- the API ---------------------------------------------------------------------------------


def test_the_api_lists_the_queue_for_auditors_with_filters(client, cast):
    flags = queue(cast)
    review_flag(flag=flags["contact"], actor=cast.auditor, decision="escalated", note="AFM")
    client.force_login(cast.auditor)
    body = client.get(API).json()
    assert body["count"] == 4
    assert [item["id"] for item in body["items"]][-1] == flags["contact"].pk
    item = next(i for i in body["items"] if i["id"] == flags["single"].pk)
    assert item["indicator"] == "R018"
    assert item["meaning"].startswith("Single bid received")
    assert item["tender"] == flags["single"].tender.number
    assert item["agency"] == cast.agency.bin
    assert (item["status"], item["still_fires"]) == ("open", True)
    assert item["figures"] == {"group": "OCID", "value": 1.0}

    def ids(**query) -> set[int]:
        return {i["id"] for i in client.get(API, query).json()["items"]}

    assert ids(status="escalated") == {flags["contact"].pk}
    assert ids(indicator="R025") == {flags["supplier"].pk}
    assert ids(agency=cast.supplier_org_a.bin) == {flags["supplier"].pk}
    assert ids(agency=cast.other_agency.bin, firing="true") == {flags["other"].pk}
    assert ids(firing="false") == set()
    refused = client.get(API, {"status": "burnt"})
    assert refused.status_code == 422
    assert "status" in refused.json()["error"]["fields"]


def test_the_api_gives_a_flag_with_its_review_history(client, cast):
    flags = queue(cast)
    review_flag(flag=flags["contact"], actor=cast.auditor, decision="escalated", note="AFM")
    client.force_login(cast.operator)
    body = client.get(f"{API}/{flags['contact'].pk}").json()
    assert body["status"] == "escalated"
    assert body["reviewed_by"] == cast.auditor.email
    [event] = body["history"]
    assert (event["by"], event["before"], event["after"], event["note"]) == (
        cast.auditor.email,
        "open",
        "escalated",
        "AFM",
    )
    missing = client.get(f"{API}/999999")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "not_found"


def test_an_auditor_reviews_over_the_api_and_refusals_change_nothing(client, cast):
    flags = queue(cast)
    url = f"{API}/{flags['single'].pk}/review"
    client.force_login(cast.auditor)
    before = state()
    blank = client.post(
        url, {"decision": "dismissed", "note": " "}, content_type="application/json"
    )
    assert blank.status_code == 422
    assert blank.json()["error"]["fields"] == {
        "note": ["Write what you found, for the next auditor."]
    }
    wrong = client.post(url, {"decision": "burnt", "note": "x"}, content_type="application/json")
    assert wrong.status_code == 422
    assert list(wrong.json()["error"]["fields"]) == ["decision"]
    assert state() == before

    done = client.post(
        url, {"decision": "dismissed", "note": "A niche product"}, content_type="application/json"
    )
    assert done.status_code == 200
    assert (done.json()["status"], done.json()["history"][0]["after"]) == ("dismissed", "dismissed")
    assert RedFlag.objects.get(pk=flags["single"].pk).status == "dismissed"
    again = client.post(url, {"decision": "reviewed", "note": "x"}, content_type="application/json")
    assert again.status_code == 422
    assert again.json()["error"]["code"] == "invalid_status"


def test_the_api_refuses_everyone_but_auditors_and_operators(client, cast):
    flags = queue(cast)
    url = f"{API}/{flags['single'].pk}"
    before = state()
    assert client.get(API).status_code == 401
    client.force_login(cast.buyer)
    refused = client.get(API)
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "forbidden"
    assert client.get(url).status_code == 403
    for user in (cast.buyer, cast.operator):
        client.force_login(user)
        response = client.post(
            f"{url}/review", {"decision": "dismissed", "note": "x"}, content_type="application/json"
        )
        assert response.status_code == 403
    assert state() == before


def test_the_api_list_takes_the_same_number_of_queries_for_more_flags(client, cast):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    queue(cast)
    client.force_login(cast.auditor)
    with CaptureQueriesContext(connection) as few:
        client.get(API)
    tender = draft_tender(cast.other_agency)
    compute_flags([Finding("R003", f"OCID:{n}", "Short.", {}, tender.pk) for n in range(30)])
    with CaptureQueriesContext(connection) as many:
        assert client.get(API).json()["count"] == 34
    assert len(many) == len(few)
