"""Hostile input by hand (issue 9): what a fuzzer does not think of. Malformed, truncated and
oversized JSON; bodies of the wrong kind; base64 that is not base64; truncated and garbage
CMS signatures and HPKE payloads sent to the bid, results and contract-signature endpoints;
uploads over the limits; file names that try to climb out of their folder; and HTML typed
into the main forms, which every page must show as text.

The API answers each with a 4xx in the one error shape, the web with a 400 page that says
why; neither writes anything (no row, no audit event, no file) and neither ever answers 5xx.
"""

import base64
import hashlib
import json
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from accounts.services.tokens import create_api_token
from audit.models import Entry
from awards.models import Complaint, ComplaintDocument, ResultsProtocol
from awards.results import results_bytes
from awards.services.complaints import decide_complaint
from awards.services.reviews import request_correction
from bids.models import Bid, UsedNonce
from contracts.models import Contract
from contracts.services.single_source import contract_directly
from procurement.models import Question, Tender, TenderDocument
from procurement.services.questions import answer_question
from procurement.services.tenders import publish_tender
from tests.awards.world import (
    award_world,
    meets_all,
    on_a_monday,
    review_all,
    sign,
    signer_for,
    trusted_ca,
)
from tests.bids.ceremony import open_tender
from tests.bids.support import make_bid, trusted_world
from tests.procurement.factories import procedure, ready_tender
from tests.procurement.uploads import PDF_BYTES, pdf_of_size
from tests.test_api_errors import error_of

pytestmark = pytest.mark.django_db

API = "/api/v1"
PRICES = {"1": "2900000.00"}
# Breaks out of an attribute, opens a script and an event handler: shown as text, or a hole.
HTML = "\"'><script>alert(1)</script><img src=x onerror=alert(2)>"
LIVE = ("<script>alert(1)</script>", "<img src=x onerror=alert(2)>")


def token_client(user) -> Client:
    _token, raw = create_api_token(user=user, name="hostile", actor=user)
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def post_json(client, url, body, **extra):
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post(url, data, content_type="application/json", **extra)


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def snapshot() -> dict:
    """What a refusal must leave as it was: the rows the endpoints below write, and the log."""
    models = (Entry, Tender, Question, TenderDocument, Bid, UsedNonce, ResultsProtocol)
    models += (Complaint, ComplaintDocument, Contract)
    return {m.__name__: m.objects.count() for m in models} | {"files": stored_files()}


def stored_files() -> list[str]:
    root = Path(settings.MEDIA_ROOT)
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def refused(response, status: int | tuple = (400, 413, 415, 422), *, code=None) -> dict:
    """The error of a refusal: a 4xx in the one shape (never 5xx), with `code` if given."""
    statuses = status if isinstance(status, tuple) else (status,)
    assert response.status_code in statuses, (response.status_code, response.content[:500])
    error = error_of(response, response.status_code)
    if code is not None:
        assert error["code"] == code, error
    return error


def page_refused(response, *messages: str) -> str:
    """A web refusal: the page again with status 400, saying why."""
    assert response.status_code == 400, (response.status_code, response.content[:300])
    html = response.content.decode()
    for message in messages:
        assert escape(message) in html, message
    return html


def shown_as_text(html: str) -> None:
    for live in LIVE:
        assert live not in html, f"{live} reached the page unescaped"
    assert escape("<script>alert(1)</script>") in html, "the text is not on the page at all"


@pytest.fixture
def draft(cast):
    return ready_tender(cast)


@pytest.fixture
def buyer(cast):
    return token_client(cast.buyer)


@pytest.fixture
def supplier(cast):
    return token_client(cast.supplier_a)


# --- JSON bodies -------------------------------------------------------------------------------

MALFORMED = {
    "truncated": '{"agency_bin": "000240000016", "title": "Insu',
    "only an opening brace": "{",
    "trailing comma": '{"title": "x",}',
    "single quotes": "{'title': 'x'}",
    "not JSON at all": "title=x&procedure=open_tender",
    "bare word": "undefined",
    "bytes that are not UTF-8": b'{"title": "\xff\xfe\xfa"}',
    "UTF-16": '{"title": "x"}'.encode("utf-16"),
    "nested a hundred thousand deep": "[" * 100_000 + "]" * 100_000,
    "a number beyond any float": '{"title": 1e999999}',
    "duplicate keys only": '{"title": 1, "title": [}',
}


@pytest.mark.parametrize("body", MALFORMED.values(), ids=MALFORMED.keys())
def test_a_malformed_json_body_is_a_400_and_changes_nothing(cast, buyer, body):
    before = snapshot()

    error = refused(post_json(buyer, f"{API}/tenders", body), (400, 422))

    assert snapshot() == before
    assert error["message"]


def test_a_malformed_body_is_named_malformed_json(buyer):
    error = refused(post_json(buyer, f"{API}/tenders", "{"), 400, code="malformed_json")
    assert error["message"] == "The request body is not valid JSON."


@pytest.mark.parametrize("body", ["[]", "null", '"a string"', "42", "true"])
def test_json_that_is_not_an_object_names_the_missing_fields(buyer, body):
    error = refused(post_json(buyer, f"{API}/tenders", body), 422, code="invalid")
    assert error["fields"], error


def test_a_body_over_the_upload_limit_is_a_413(cast, buyer):
    body = {"agency_bin": cast.agency.bin, "title": "x", "procedure": "open_tender"}
    body["description"] = "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    before = snapshot()

    refused(post_json(buyer, f"{API}/tenders", body), 413, code="too_large")

    assert snapshot() == before


def test_a_text_over_its_field_limit_is_a_422_on_that_field(cast, buyer, draft):
    url = f"{API}/tenders/{draft.number}/contract-terms"
    before = snapshot()

    error = refused(buyer.put(url, {"terms": "x" * 20001}, content_type="application/json"), 422)

    assert list(error["fields"]) == ["terms"]
    assert snapshot() == before


UNSTORABLE = {"NUL": "Insulin\x00", "lone surrogate": "Insulin \ud800"}


@pytest.mark.parametrize("text", UNSTORABLE.values(), ids=UNSTORABLE.keys())
def test_text_no_database_stores_is_a_422_on_its_field(cast, buyer, text):
    # PostgreSQL refuses NUL and UTF-8 cannot encode a lone surrogate: both were 500s.
    body = {"agency_bin": cast.agency.bin, "title": "Insulin", "procedure": "open_tender"}
    raw = json.dumps({**body, "description": text})  # \u0000 and \ud800 escapes, valid JSON
    before = snapshot()

    error = refused(post_json(buyer, f"{API}/tenders", raw), 422, code="invalid")

    assert list(error["fields"]) == ["description"]
    assert snapshot() == before


@pytest.mark.parametrize("text", UNSTORABLE.values(), ids=UNSTORABLE.keys())
def test_unstorable_text_deep_in_a_body_is_named_by_its_path(cast, text):
    with on_a_monday(), award_world(cast) as world:
        decisions = meets_all(world.tender)
        decisions["1"] = {"met": False, "reason": text}
        url = f"{API}/bids/{world.bids['a'].public_id}/review"
        chair = token_client(cast.buyer)
        before = snapshot()

        error = refused(post_json(chair, url, {"decisions": decisions}), 422)

        assert list(error["fields"]) == ["decisions.1.reason"]
        assert snapshot() == before


@pytest.mark.parametrize(
    "query", [{"q": "in\x00sulin"}, {"agency": "\x00"}, {"procedure": "open\x00"}]
)
def test_a_nul_in_a_query_is_a_422_on_that_parameter(query):
    error = refused(Client().get(f"{API}/tenders", query), 422)
    assert list(error["fields"]) == list(query)


@pytest.mark.parametrize(
    "path",
    [
        "/tenders/T-%00",
        "/contracts/C-%00/document",
        "/complaints/%00",
        "/registers/organisations/%00",
    ],
)
def test_a_nul_in_a_path_finds_nothing(path):
    error = refused(Client().get(API + path), (404, 422))
    assert error["code"] in ("not_found", "invalid_bin")


@pytest.mark.parametrize(
    "query",
    [
        {"page": "1" + "0" * 20},
        {"page": "0"},
        {"page": "-1"},
        {"page": "one"},
        {"page_size": "0"},
        {"page_size": "9" * 30},
    ],
)
def test_a_page_past_any_list_is_a_422_on_the_page(query):
    # page=10**20 made an OFFSET past 64-bit integers: a 500 on both databases.
    for url in ("/tenders", "/contracts", "/complaints", "/registers/suppliers"):
        response = Client().get(API + url, query)
        if response.status_code == 200:  # a huge page_size is only capped at 100
            assert "page_size" in query and response.json()["items"] == []
        else:
            assert list(refused(response, 422)["fields"]) == list(query)


@pytest.mark.parametrize(
    "instant",
    ["0418-08-15T17:00:07+23:51", "0001-01-01T00:00:00+05:00", "9999-12-31T23:59:59-05:00"],
)
def test_an_instant_out_of_range_is_refused_or_read_in_utc(instant):
    # +23:51 reached PostgreSQL as it was, which refused it: a 500.
    response = Client().get(f"{API}/tenders", {"deadline_from": instant})
    if response.status_code != 200:
        assert list(refused(response, 422)["fields"]) == ["deadline_from"]
    response = Client().get(f"{API}/ocds/releases", {"since": instant})
    if response.status_code == 200:
        assert json.loads(b"".join(response.streaming_content))["releases"] == []
    else:
        assert list(refused(response, 422)["fields"]) == ["since"]


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("commission", {"chair": 10**30, "members": [], "threshold": 1}, "chair"),
        ("commission", {"chair": 1, "members": [2**63], "threshold": 1}, "members.0"),
        ("commission", {"chair": 1, "members": list(range(1, 40_000)), "threshold": 1}, "members"),
        ("lots", {"plan_items": [10**30]}, "plan_items.0"),
        ("lots", {"plan_items": list(range(1, 40_000))}, "plan_items"),
    ],
    ids=["chair", "member", "40,000 members", "plan item", "40,000 plan items"],
)
def test_ids_beyond_what_the_database_holds_are_a_422(buyer, draft, path, body, field):
    # `pk__in` with a 100-bit id, or with more ids than SQLite takes parameters: 500s.
    before = snapshot()

    error = refused(post_json(buyer, f"{API}/tenders/{draft.number}/{path}", body), 422)

    assert list(error["fields"]) == [field]
    assert snapshot() == before


# --- wrong content types -----------------------------------------------------------------------

WRONG_TYPES = [
    "text/plain",
    "application/x-www-form-urlencoded",
    "application/xml",
    "application/octet-stream",
    "multipart/form-data; boundary=xyz",
    "",
]


@pytest.mark.parametrize("content_type", WRONG_TYPES)
def test_a_json_endpoint_refuses_another_content_type_with_a_415(cast, buyer, content_type):
    body = json.dumps({"agency_bin": cast.agency.bin, "title": "x", "procedure": "open_tender"})
    before = snapshot()

    response = buyer.generic("POST", f"{API}/tenders", body, content_type=content_type)

    refused(response, 415, code="unsupported_media_type")
    assert snapshot() == before


def test_json_with_a_charset_or_a_json_suffix_is_json(cast, buyer):
    body = json.dumps({"agency_bin": cast.agency.bin, "title": "x", "procedure": "open_tender"})
    for content_type in ("application/json; charset=utf-8", "application/problem+json"):
        response = buyer.generic("POST", f"{API}/tenders", body, content_type=content_type)
        assert response.status_code == 201, response.content


def test_an_upload_endpoint_sent_json_names_what_is_missing(cast, buyer, draft):
    before = snapshot()

    error = refused(post_json(buyer, f"{API}/tenders/{draft.number}/documents", {"title": "x"}))

    assert {"title", "file"} <= set(error["fields"])
    assert snapshot() == before


# --- base64 that is not base64 -----------------------------------------------------------------

NOT_BASE64 = {
    "punctuation": "not base64!",
    "padding inside": "QU=JD",
    "too short": "QUJ",
    "a line break": "QUJD\nRA==",
    "url-safe alphabet": "-_-_",
    "not ASCII": "ÿÿÿÿ",
    "data URL": "data:application/pkcs7-signature;base64,QUJD",
}


@pytest.fixture
def bidding(cast):
    """A tender in tendering and supplier A's registered certificate (tests/bids/support)."""
    with trusted_world(cast) as world:
        yield world


@pytest.mark.parametrize("text", NOT_BASE64.values(), ids=NOT_BASE64.keys())
def test_a_bid_whose_signature_or_payload_is_not_base64_is_a_422_on_that_field(
    cast, bidding, text, supplier
):
    made = make_bid(bidding.tender, bidding.signer, cast.supplier_org_a.bin, PRICES)
    good = {
        "statement": made.statement.decode(),
        "signature": b64(made.signature),
        "sealed": b64(made.sealed),
    }
    url = f"{API}/tenders/{bidding.tender.number}/bids"
    before = snapshot()

    for field in ("signature", "sealed"):
        error = refused(post_json(supplier, url, {**good, field: text}), 422)
        assert error["fields"] == {field: ["This is not base64."]}
    # Excess padding decodes (Python's base64 is lenient there); the bytes are then no CMS.
    error = refused(post_json(supplier, url, {**good, "signature": "QUJD="}), 422)
    assert error["code"] == "signature_malformed"
    upload = {"statement": good["statement"], "signature": text}
    upload["sealed"] = SimpleUploadedFile("bid.sealed", made.sealed)
    error = refused(supplier.post(f"{url}/upload", upload), 422)
    assert list(error["fields"]) == ["signature"]

    assert snapshot() == before


# --- truncated and garbage CMS and HPKE --------------------------------------------------------


def truncated(data: bytes) -> bytes:
    return data[: len(data) // 2]


GARBAGE = bytes(range(256)) * 4


def cms_variants(signature: bytes) -> dict[str, bytes]:
    return {
        "truncated CMS": truncated(signature),
        "CMS missing its last byte": signature[:-1],
        # The last byte is the signature value's; a flip in the unsigned digestAlgorithms SET
        # near the start still verifies (CMS is malleable there, see the report).
        "CMS with its signature value's last bit flipped": signature[:-1]
        + bytes([signature[-1] ^ 1]),
        "garbage": GARBAGE,
        "empty": b"",
        "a DER header claiming 2 GB": b"\x30\x84\x7f\xff\xff\xff" + GARBAGE[:10],
    }


def test_bids_with_truncated_or_garbage_signatures_are_refused(cast, bidding, supplier):
    made = make_bid(bidding.tender, bidding.signer, cast.supplier_org_a.bin, PRICES)
    url = f"{API}/tenders/{bidding.tender.number}/bids"
    before = snapshot()

    for name, signature in cms_variants(made.signature).items():
        body = {"statement": made.statement.decode(), "signature": b64(signature)}
        body["sealed"] = b64(made.sealed)
        error = refused(post_json(supplier, url, body), 422)
        assert error["code"].startswith(("signature_", "certificate_")), (name, error)
        upload = {"statement": body["statement"], "signature": body["signature"]}
        upload["sealed"] = SimpleUploadedFile("bid.sealed", made.sealed)
        error = refused(supplier.post(f"{url}/upload", upload), 422)
        assert error["code"].startswith(("signature_", "certificate_")), (name, error)

    assert snapshot() == before


def test_bids_with_truncated_or_garbage_sealed_payloads_are_refused_by_their_hash(
    cast, bidding, supplier
):
    made = make_bid(bidding.tender, bidding.signer, cast.supplier_org_a.bin, PRICES)
    url = f"{API}/tenders/{bidding.tender.number}/bids"
    payloads = {
        "truncated": truncated(made.sealed),
        "without its tag": made.sealed[:-16],
        "only the encapsulated key": made.sealed[:32],
        "garbage": GARBAGE,
        "empty": b"",
    }
    before = snapshot()

    for name, sealed in payloads.items():
        # Shorter than any HPKE seal (48 bytes) is refused as such before the hash is compared.
        expected = "sealed_too_short" if len(sealed) < 48 else "sealed_hash_mismatch"
        body = {"statement": made.statement.decode(), "signature": b64(made.signature)}
        error = refused(post_json(supplier, url, {**body, "sealed": b64(sealed)}), 422)
        assert error["code"] == expected, (name, error)
        files = {**body, "sealed": SimpleUploadedFile("bid.sealed", sealed)}
        error = refused(supplier.post(f"{url}/upload", files), 422)
        assert error["code"] == expected, (name, error)

    assert snapshot() == before


@pytest.mark.parametrize(
    "statement",
    [
        "",
        "{",
        "[]",
        '{"type": "bid-submission/v1"}',
        "x" * 20_000,
        "\ufeff{}",
    ],
    ids=["empty", "truncated", "an array", "missing fields", "oversized", "with a BOM"],
)
def test_a_truncated_or_malformed_statement_is_refused(cast, bidding, statement, supplier):
    made = make_bid(bidding.tender, bidding.signer, cast.supplier_org_a.bin, PRICES)
    url = f"{API}/tenders/{bidding.tender.number}/bids"
    body = {"statement": statement, "signature": b64(made.signature), "sealed": b64(made.sealed)}
    before = snapshot()

    error = refused(post_json(supplier, url, body), 422)

    assert error["code"].startswith("statement_"), error
    assert snapshot() == before


def test_the_statement_cut_short_in_transit_fails_its_signature(cast, bidding, supplier):
    made = make_bid(bidding.tender, bidding.signer, cast.supplier_org_a.bin, PRICES)
    url = f"{API}/tenders/{bidding.tender.number}/bids"
    body = {"statement": made.statement.decode()[:-1], "signature": b64(made.signature)}
    before = snapshot()

    refused(post_json(supplier, url, {**body, "sealed": b64(made.sealed)}))

    assert snapshot() == before


def test_a_signed_statement_over_a_garbage_payload_is_accepted_and_invalid_at_opening(
    cast, bidding, supplier
):
    """The platform cannot read a sealed bid before opening, so a bidder who seals garbage and
    signs a statement naming it is accepted; at opening that bid is invalid, with the reason,
    and the opening goes through."""
    tender = bidding.tender
    garbage = GARBAGE[:60]
    made = make_bid(
        tender,
        bidding.signer,
        cast.supplier_org_a.bin,
        PRICES,
        outer_overrides={"sealed_sha256": hashlib.sha256(garbage).hexdigest()},
    )
    body = {
        "statement": made.statement.decode(),
        "signature": b64(made.signature),
        "sealed": b64(garbage),
    }
    response = post_json(supplier, f"{API}/tenders/{tender.number}/bids", body)
    assert response.status_code == 201, response.content

    protocol = open_tender(cast, Tender.objects.get(pk=tender.pk))

    assert json.loads(bytes(protocol.content))["bids"][0]["status"] == "invalid"
    bid = Bid.objects.get()
    assert bid.status == "invalid"
    assert "cannot be read" in bid.invalid_reason


@pytest.fixture
def evaluated(cast):
    """Every bid decided: the chair (the buyer, with a registered certificate) may publish."""
    with on_a_monday(), award_world(cast) as world:
        review_all(world, cast)
        yield world


def test_results_with_truncated_or_garbage_signatures_are_refused(cast, evaluated):
    content = results_bytes(evaluated.tender)
    url = f"{API}/tenders/{evaluated.tender.number}/results"
    chair = token_client(cast.buyer)
    digest = hashlib.sha256(content).hexdigest()
    before = snapshot()

    for name, signature in cms_variants(sign(evaluated.chair, content)).items():
        body = {"sha256": digest, "signature": b64(signature)}
        error = refused(post_json(chair, url, body), 422)
        assert error["code"].startswith(("signature_", "certificate_")), (name, error)
    for text in NOT_BASE64.values():
        error = refused(post_json(chair, url, {"sha256": digest, "signature": text}), 422)
        assert list(error["fields"]) == ["signature"]

    assert snapshot() == before
    assert Tender.objects.get(pk=evaluated.tender.pk).status == "evaluation"


@pytest.fixture
def to_sign(cast):
    """A single-source contract waiting for both signatures, both sides' certificates
    registered."""
    with on_a_monday(), trusted_ca() as ca:
        tender = ready_tender(cast)
        Tender.objects.filter(pk=tender.pk).update(procedure=procedure("single_source"))
        contract = contract_directly(
            tender=Tender.objects.get(pk=tender.pk),
            actor=cast.buyer,
            supplier=cast.supplier_org_a,
            price="2900000.00",
            justification="The only holder of the patent.",
        )
        signers = {
            "buyer": signer_for(ca, cast.agency, cast.buyer),
            "supplier": signer_for(ca, cast.supplier_org_a, cast.supplier_a),
        }
        yield contract, signers


def test_contract_signatures_truncated_or_garbage_are_refused(cast, to_sign):
    contract, signers = to_sign
    url = f"{API}/contracts/{contract.number}/signatures"
    clients = {"buyer": token_client(cast.buyer), "supplier": token_client(cast.supplier_a)}
    before = snapshot()

    for side, client in clients.items():
        for name, signature in cms_variants(sign(signers[side], bytes(contract.content))).items():
            error = refused(post_json(client, url, {"signature": b64(signature)}), 422)
            assert error["code"].startswith(("signature_", "certificate_")), (side, name, error)
        for text in NOT_BASE64.values():
            error = refused(post_json(client, url, {"signature": text}), 422)
            assert list(error["fields"]) == ["signature"]

    assert snapshot() == before
    contract = Contract.objects.get(pk=contract.pk)
    assert (contract.buyer_signed_at, contract.supplier_signed_at) == (None, None)


# --- uploads over the limits -------------------------------------------------------------------


@pytest.fixture
def huge():
    """One byte over the documents' limit (20 MB unless the settings say otherwise)."""
    return pdf_of_size(settings.TENDER_DOCUMENT_MAX_BYTES + 1)


def test_a_document_over_the_limit_is_refused_by_the_api(cast, buyer, draft, huge):
    before = snapshot()

    response = buyer.post(
        f"{API}/tenders/{draft.number}/documents",
        {"title": "Specification", "file": SimpleUploadedFile("spec.pdf", huge)},
    )

    error = refused(response, 422, code="too_large")
    assert list(error["fields"]) == ["file"]
    assert snapshot() == before


def test_a_document_over_the_limit_is_refused_on_the_page(cast, draft, huge):
    before = snapshot()

    response = logged_in(cast.buyer).post(
        reverse("procurement:tender-document-attach", args=[draft.number]),
        {"title": "Specification", "file": SimpleUploadedFile("spec.pdf", huge)},
    )

    page_refused(response, "Nothing was changed: see the problems marked below.")
    assert "documents can be at most 20 MB" in response.content.decode()
    assert snapshot() == before


@pytest.fixture
def enquiries(cast):
    return publish_tender(tender=ready_tender(cast), actor=cast.buyer)


def complaint_files(*files) -> dict:
    return {"kind": "conditions", "text": "The specification names one brand.", "files": files}


def test_a_complaint_document_over_the_limit_is_refused_by_the_api(cast, enquiries, huge, supplier):
    before = snapshot()

    response = supplier.post(
        f"{API}/tenders/{enquiries.number}/complaints",
        complaint_files(SimpleUploadedFile("evidence.pdf", huge)),
    )

    error = refused(response, 422, code="too_large")
    assert list(error["fields"]) == ["file"]
    assert snapshot() == before


def test_a_complaint_document_over_the_limit_is_refused_on_the_page(cast, enquiries, huge):
    before = snapshot()

    response = logged_in(cast.supplier_a).post(
        reverse("awards:complaint-file", args=[enquiries.number]),
        complaint_files(SimpleUploadedFile("evidence.pdf", huge)),
    )

    html = page_refused(response)
    assert "documents can be at most 20 MB" in html
    assert snapshot() == before


def test_six_complaint_documents_are_refused(cast, enquiries, supplier):
    files = [SimpleUploadedFile(f"e{i}.pdf", PDF_BYTES) for i in range(6)]
    before = snapshot()

    response = supplier.post(
        f"{API}/tenders/{enquiries.number}/complaints", complaint_files(*files)
    )

    assert list(refused(response, 422)["fields"]) == ["files"]
    assert snapshot() == before


def test_a_sealed_upload_over_the_limit_is_refused(cast, bidding, settings, supplier):
    settings.BID_SEALED_MAX_BYTES = 64 * 1024
    made = make_bid(bidding.tender, bidding.signer, cast.supplier_org_a.bin, PRICES)
    before = snapshot()

    response = supplier.post(
        f"{API}/tenders/{bidding.tender.number}/bids/upload",
        {
            "statement": made.statement.decode(),
            "signature": b64(made.signature),
            "sealed": SimpleUploadedFile("bid.sealed", GARBAGE * 65),
        },
    )

    refused(response, 422, code="sealed_too_large")
    assert snapshot() == before


def test_too_many_form_fields_are_a_400(cast, buyer, draft):
    fields = {f"f{i}": "x" for i in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)}
    before = snapshot()

    response = buyer.post(f"{API}/tenders/{draft.number}/documents", fields)

    refused(response, 400, code="bad_request")
    assert snapshot() == before


# --- file names that climb out of their folder -------------------------------------------------

# Sent as raw multipart: Django's test client would clean the names before they left.
FILENAMES = [
    'filename="../../../../etc/passwd.pdf"',
    'filename="..\\..\\..\\windows\\win.ini.pdf"',
    'filename="/var/lib/postgresql/data.pdf"',
    'filename="C:\\evil.pdf"',
    'filename="spec.pdf/../../../escape.pdf"',
    'filename="....//....//escape.pdf"',
    'filename="&#x2e;&#x2e;&#x2f;&#x2e;&#x2e;&#x2fescape.pdf"',
    "filename*=UTF-8''..%2F..%2F..%2Fescape.pdf",
    'filename="%2e%2e%2f%2e%2e%2fescape.pdf"',
    'filename=".htaccess"',
    'filename=".."',
    'filename="spec\x00.exe.pdf"',
    'filename="spec\u202egnp.pdf"',
    'filename="' + "x" * 300 + '.pdf"',
]
BOUNDARY = "hostile-boundary"


def multipart(fields: dict, file_field: str, filename: str) -> bytes:
    """A multipart body with `filename` as it is put in the part's header."""
    body = b""
    for name, value in fields.items():
        body += (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        ).encode()
    body += (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{file_field}"; {filename}\r\n'
        "Content-Type: application/pdf\r\n\r\n"
    ).encode()
    return body + PDF_BYTES + f"\r\n--{BOUNDARY}--\r\n".encode()


def post_multipart(client, url, fields, file_field, filename):
    data = multipart(fields, file_field, filename)
    return client.post(url, data, content_type=f"multipart/form-data; boundary={BOUNDARY}")


def kept_in(folder: str, document) -> None:
    root = Path(settings.MEDIA_ROOT).resolve()
    stored = (root / document.file.name).resolve()
    assert stored.is_relative_to(root / folder), document.file.name
    assert stored.read_bytes() == PDF_BYTES
    assert stored_files() == [str(stored.relative_to(root))]
    name = document.original_name
    assert "/" not in name and "\\" not in name and not name.startswith("."), name
    assert all(c.isprintable() for c in name), repr(name)
    assert len(name) <= 200


@pytest.mark.parametrize("filename", FILENAMES)
def test_a_document_name_never_leaves_the_tenders_folder(cast, buyer, draft, filename):
    url = f"{API}/tenders/{draft.number}/documents"
    before = snapshot()

    response = post_multipart(buyer, url, {"title": "Specification"}, "file", filename)

    if response.status_code != 201:  # Django drops a part named "." or ".."
        assert list(refused(response, 422)["fields"]) == ["file"]
        assert snapshot() == before
        return
    document = TenderDocument.objects.get()
    kept_in(f"tenders/{draft.number}", document)
    assert response.json()["original_name"] == document.original_name
    download = logged_in(cast.buyer).get(response.json()["download_url"])
    assert download.status_code == 200
    disposition = download["Content-Disposition"]
    assert disposition.startswith("attachment;") and "/" not in disposition, disposition


@pytest.mark.parametrize("filename", FILENAMES)
def test_a_complaint_document_name_never_leaves_the_complaints_folder(
    cast, enquiries, supplier, filename
):
    url = f"{API}/tenders/{enquiries.number}/complaints"
    fields = {"kind": "conditions", "text": "The specification names one brand."}

    response = post_multipart(supplier, url, fields, "files", filename)

    assert response.status_code == 201, response.content[:300]
    documents = list(ComplaintDocument.objects.all())
    if documents:  # none when Django dropped a part named "." or ".."
        [document] = documents
        kept_in(f"complaints/{document.complaint.number}", document)


def test_a_complaint_filed_on_the_page_keeps_its_document_in_its_folder(cast, enquiries):
    response = post_multipart(
        logged_in(cast.supplier_a),
        reverse("awards:complaint-file", args=[enquiries.number]),
        {"kind": "conditions", "text": "The specification names one brand."},
        "files",
        FILENAMES[0],
    )
    assert response.status_code == 302, response.content[:300]
    document = ComplaintDocument.objects.get()
    kept_in(f"complaints/{document.complaint.number}", document)
    assert document.original_name == "passwd.pdf"


# --- HTML in every text field, shown as text ---------------------------------------------------


def test_a_tender_typed_with_html_shows_it_as_text(cast):
    buyer = logged_in(cast.buyer)
    response = buyer.post(
        reverse("procurement:tender-create", args=[cast.agency.bin]),
        {"title": HTML, "description": HTML, "procedure": "open_tender"},
    )
    assert response.status_code == 302, response.content[:300]
    tender = Tender.objects.get()
    assert tender.title == HTML  # stored as typed, escaped where shown

    html = buyer.get(tender.get_absolute_url()).content.decode()
    shown_as_text(html)
    assert html.count(escape(HTML)) >= 2  # the title and the description


def test_the_public_list_and_page_show_a_published_title_as_text(cast):
    tender = ready_tender(cast)
    Tender.objects.filter(pk=tender.pk).update(title=HTML, description=HTML)
    publish_tender(tender=Tender.objects.get(pk=tender.pk), actor=cast.buyer)

    for url in (reverse("procurement:tender-list"), tender.get_absolute_url()):
        shown_as_text(Client().get(url).content.decode())
    shown_as_text(Client().get(reverse("procurement:tender-list"), {"q": HTML}).content.decode())


def test_questions_and_answers_typed_with_html_show_as_text(cast, enquiries):
    response = logged_in(cast.supplier_a).post(
        reverse("procurement:tender-question-ask", args=[enquiries.number]), {"text": HTML}
    )
    assert response.status_code == 302, response.content[:300]
    question = Question.objects.get()
    answer_question(question=question, text=HTML + " (answer)", actor=cast.buyer)

    html = Client().get(enquiries.get_absolute_url()).content.decode()
    shown_as_text(html)
    assert escape(HTML + " (answer)") in html


def test_a_complaint_and_its_decision_typed_with_html_show_as_text(cast, enquiries):
    response = logged_in(cast.supplier_a).post(
        reverse("awards:complaint-file", args=[enquiries.number]),
        {"kind": "conditions", "text": HTML},
    )
    assert response.status_code == 302, response.content[:300]
    complaint = Complaint.objects.get()
    url = reverse("awards:complaint-detail", args=[complaint.number])
    shown_as_text(logged_in(cast.supplier_a).get(url).content.decode())

    decide_complaint(
        complaint=complaint, actor=cast.reviewer, satisfied=False, decision=HTML + " (decision)"
    )
    html = Client().get(url).content.decode()
    shown_as_text(html)
    assert escape(HTML + " (decision)") in html


def test_review_reasons_and_notes_typed_with_html_show_as_text(cast):
    with on_a_monday(), award_world(cast) as world:
        tender, bid = world.tender, world.bids["a"]
        response = logged_in(cast.buyer).post(
            reverse("awards:bid-review", args=[tender.number, bid.public_id]),
            {"met_1": "not_met", "reason_1": HTML, "met_2": "met", "note": HTML + " (note)"},
        )
        assert response.status_code == 302, response.content[:300]
        request_correction(bid=world.bids["b"], actor=cast.buyer, text=HTML + " (correction)")

        html = logged_in(cast.buyer).get(reverse("awards:evaluation", args=[tender.number]))
        html = html.content.decode()
        shown_as_text(html)
        for suffix in ("", " (note)", " (correction)"):
            assert escape(HTML + suffix) in html, suffix
        bidder_view = logged_in(cast.supplier_b).get(tender.get_absolute_url()).content.decode()
        shown_as_text(bidder_view)


def test_contract_terms_typed_with_html_show_as_text(cast, draft):
    buyer = logged_in(cast.buyer)
    response = buyer.post(reverse("awards:contract-terms", args=[draft.number]), {"terms": HTML})
    assert response.status_code == 302, response.content[:300]

    shown_as_text(buyer.get(reverse("awards:requirements", args=[draft.number])).content.decode())


def test_a_contract_drafted_from_html_terms_shows_them_as_text(cast, to_sign):
    contract, _signers = to_sign
    Contract.objects.filter(pk=contract.pk).update(terms=HTML)

    url = reverse("contracts:contract-detail", args=[contract.number])
    shown_as_text(logged_in(cast.supplier_a).get(url).content.decode())


def test_a_refused_form_shows_what_was_typed_as_text(cast, draft):
    # A refusal renders the form again with the value as typed: inside an attribute or a
    # textarea, where an unescaped quote or tag would break out.
    response = logged_in(cast.buyer).post(
        reverse("procurement:tender-cancel", args=[draft.number]), {"reason": "x", "text": HTML}
    )
    shown_as_text(page_refused(response))


# --- web forms: refusals are 400 pages ---------------------------------------------------------


@pytest.mark.parametrize("text", ["x\x00y", "x" * 4001], ids=["NUL", "over the limit"])
def test_a_question_the_form_refuses_is_a_400_page(cast, enquiries, text):
    before = snapshot()

    response = logged_in(cast.supplier_a).post(
        reverse("procurement:tender-question-ask", args=[enquiries.number]), {"text": text}
    )

    page_refused(response, "Nothing was changed: see the problems marked below.")
    assert snapshot() == before


def test_a_form_over_the_upload_limit_is_a_400_page(cast, enquiries):
    text = "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    before = snapshot()

    response = logged_in(cast.supplier_a).post(
        reverse("procurement:tender-question-ask", args=[enquiries.number]), {"text": text}
    )

    # The site's own 400 page says why, in the user's words.
    assert response.status_code == 400
    assert b"too large or malformed" in response.content
    assert snapshot() == before


@pytest.mark.parametrize("path", ["/tenders/T-%00/", "/contracts/C-%00/", "/complaints/%00/"])
def test_a_nul_in_a_page_address_finds_nothing(path):
    assert Client(raise_request_exception=False).get(path).status_code == 404


def test_a_tender_the_form_refuses_is_a_400_page(cast):
    before = snapshot()

    response = logged_in(cast.buyer).post(
        reverse("procurement:tender-create", args=[cast.agency.bin]),
        {"title": "x\x00y", "procedure": "open_tender"},
    )

    assert snapshot() == before
    page_refused(response)
