"""The documents API: anyone who sees the tender lists its documents with their SHA-256; a
buyer's ERP attaches files to a draft with a multipart POST; refusals in the one error shape."""

import hashlib

import pytest
from django.test import Client

from accounts.services.tokens import create_api_token
from procurement.models import TenderDocument
from procurement.services.documents import attach_document
from procurement.services.tenders import publish_tender
from tests.procurement.factories import counts, events_since, ready_tender
from tests.procurement.uploads import PDF_BYTES, pdf_of_size, stored_files, upload
from tests.test_api_errors import error_of

BASE = "/api/v1/tenders"


def token_client(user) -> Client:
    _token, raw = create_api_token(user=user, name="ERP", actor=user)
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


@pytest.fixture
def draft(cast):
    return ready_tender(cast)


def test_the_buyer_attaches_a_document_with_one_event(cast, draft):
    buyer = token_client(cast.buyer)
    before = counts()
    response = buyer.post(
        f"{BASE}/{draft.number}/documents", {"title": "Terms", "file": upload("terms.pdf")}
    )
    assert response.status_code == 201, response.content
    body = response.json()
    document = TenderDocument.objects.get()
    assert body == {
        "id": document.pk,
        "title": "Terms",
        "original_name": "terms.pdf",
        "content_type": "application/pdf",
        "size": len(PDF_BYTES),
        "sha256": hashlib.sha256(PDF_BYTES).hexdigest(),
        "uploaded_at": body["uploaded_at"],
        "download_url": f"/tenders/{draft.number}/documents/{document.pk}/",
    }
    assert [e.action for e in events_since(before["events"])] == ["procurement.document.attached"]


def test_anyone_lists_a_published_tenders_documents(cast, draft):
    attach_document(tender=draft, uploaded_file=upload(), title="Terms", actor=cast.buyer)
    publish_tender(tender=draft, actor=cast.buyer)
    response = Client().get(f"{BASE}/{draft.number}/documents")
    assert response.status_code == 200
    [listed] = response.json()
    assert (listed["title"], listed["size"]) == ("Terms", len(PDF_BYTES))
    assert Client().get(listed["download_url"]).status_code == 200


def test_a_wrong_kind_is_refused_with_the_field_named(cast, draft):
    response = token_client(cast.buyer).post(
        f"{BASE}/{draft.number}/documents",
        {"title": "Terms", "file": upload("x.pdf", b"hello\n")},
    )
    error = error_of(response, 422)
    assert error["code"] == "unsupported_type"
    assert list(error["fields"]) == ["file"]
    assert "PDF, Word (.docx), Excel (.xlsx), ZIP, PNG, JPEG" in error["message"]
    assert TenderDocument.objects.count() == 0
    assert stored_files() == []


def test_one_byte_over_the_limit_is_refused(cast, draft, settings):
    settings.TENDER_DOCUMENT_MAX_BYTES = 1024 * 1024
    response = token_client(cast.buyer).post(
        f"{BASE}/{draft.number}/documents",
        {"title": "Terms", "file": upload(content=pdf_of_size(1024 * 1024 + 1))},
    )
    error = error_of(response, 422)
    assert error["code"] == "too_large"
    assert error["message"] == "The file is 1 MB; documents can be at most 1 MB."
    assert stored_files() == []


def test_a_published_tender_takes_a_document_as_an_amendment_with_a_reason(cast, draft):
    publish_tender(tender=draft, actor=cast.buyer)
    url = f"{BASE}/{draft.number}/documents"
    response = token_client(cast.buyer).post(url, {"title": "Terms", "file": upload()})
    error = error_of(response, 422)
    assert error["fields"] == {"reason": ["Say why the document is added."]}
    response = token_client(cast.buyer).post(
        url, {"title": "Terms", "file": upload(), "reason": "Terms were missing"}
    )
    assert response.status_code == 201
    assert draft.versions.count() == 2


def test_the_commission_may_not_attach(cast, draft):
    response = token_client(cast.commission[0]).post(
        f"{BASE}/{draft.number}/documents", {"title": "Terms", "file": upload()}
    )
    assert error_of(response, 403)["message"] == (
        "Only the agency's buyers and administrators run its tenders."
    )
    assert error_of(Client().post(f"{BASE}/{draft.number}/documents", {}), 401)
