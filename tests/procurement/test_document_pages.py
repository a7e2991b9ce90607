"""Documents on the tender page: listed with size and SHA-256 to whoever sees the tender,
attached by the agency's buyers on drafts, downloaded as attachments under a clean name."""

import hashlib

import pytest
from django.test import Client
from django.urls import reverse

from procurement.models import TenderDocument
from procurement.services.documents import attach_document
from procurement.services.tenders import publish_tender
from tests.procurement.factories import draft_tender, ready_tender
from tests.procurement.uploads import PDF_BYTES, PNG_BYTES, stored_files, upload


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def page_text(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def draft(cast):
    return ready_tender(cast)


def attach_url(tender) -> str:
    return reverse("procurement:tender-document-attach", args=[tender.number])


def test_the_buyer_sees_a_multipart_upload_form_on_a_draft(cast, draft):
    html = page_text(logged_in(cast.buyer).get(draft.get_absolute_url()))
    assert 'enctype="multipart/form-data"' in html
    assert f'action="{attach_url(draft)}"' in html
    assert "No documents yet." in html


def test_the_commission_sees_the_draft_but_no_upload_form(cast, draft):
    html = page_text(logged_in(cast.commission[0]).get(draft.get_absolute_url()))
    assert f'action="{attach_url(draft)}"' not in html


def test_the_buyer_attaches_a_document_and_the_public_sees_it_once_published(cast, draft):
    buyer = logged_in(cast.buyer)
    response = buyer.post(
        attach_url(draft), {"title": "Technical specification", "file": upload("../../spec.pdf")}
    )
    assert response.status_code == 302
    html = page_text(buyer.get(response["Location"]))
    assert "The document was attached." in html

    publish_tender(tender=draft, actor=cast.buyer)
    document = TenderDocument.objects.get()
    html = page_text(Client().get(draft.get_absolute_url()))
    assert "Technical specification" in html
    assert "spec.pdf" in html
    assert hashlib.sha256(PDF_BYTES).hexdigest() in html
    assert f'<data value="{len(PDF_BYTES)}">' in html
    assert document.get_absolute_url() in html
    form = f'action="{attach_url(draft)}"'
    assert form not in html  # the public gets no form
    # The buyer's form now asks for the reason: a published tender is amended.
    assert "Reason for the amendment" in page_text(buyer.get(draft.get_absolute_url()))


def test_a_refusal_is_shown_on_the_page_and_leaves_nothing(cast, draft):
    buyer = logged_in(cast.buyer)
    text = upload("x.pdf", b"plain text\n", content_type="application/pdf")
    response = buyer.post(attach_url(draft), {"title": "Terms", "file": text})
    assert response.status_code == 400
    html = response.content.decode()
    errors = html.split('id="id_document_file_errors"')[1].split("</ul>")[0]
    assert "not one of the allowed kinds: PDF, Word (.docx)" in errors
    assert 'value="Terms"' in html  # the title as typed
    assert TenderDocument.objects.count() == 0
    assert stored_files() == []


def test_a_missing_file_is_a_form_error(cast, draft):
    response = logged_in(cast.buyer).post(attach_url(draft), {"title": "Terms"})
    assert response.status_code == 400
    errors = response.content.decode().split('id="id_document_file_errors"')[1].split("</ul>")[0]
    assert "This field is required." in errors
    assert TenderDocument.objects.count() == 0


def test_the_download_is_an_attachment_under_the_clean_name_not_sniffed(cast, draft):
    document = attach_document(
        tender=draft,
        uploaded_file=upload("../../etc/passwd.pdf", PNG_BYTES),
        title="Site plan",
        actor=cast.buyer,
    )
    publish_tender(tender=draft, actor=cast.buyer)
    response = Client().get(document.get_absolute_url())
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="passwd.pdf"'
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PNG_BYTES


def test_a_drafts_document_is_hidden_from_the_public(cast):
    tender = draft_tender(cast.agency)
    document = attach_document(
        tender=tender, uploaded_file=upload(), title="Terms", actor=cast.buyer
    )
    assert Client().get(document.get_absolute_url()).status_code == 404
    assert logged_in(cast.supplier_a).get(document.get_absolute_url()).status_code == 404
    assert logged_in(cast.commission[0]).get(document.get_absolute_url()).status_code == 200


def test_a_document_is_only_found_under_its_own_tender(cast, draft):
    document = attach_document(tender=draft, uploaded_file=upload(), title="T", actor=cast.buyer)
    other = draft_tender(cast.agency)
    url = reverse("procurement:tender-document", args=[other.number, document.pk])
    assert logged_in(cast.buyer).get(url).status_code == 404
