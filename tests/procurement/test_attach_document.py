"""A buyer attaches documents to a draft tender: the kind is told from the file's bytes,
the size is limited, the SHA-256 recorded, and a refusal leaves no row and no file."""

import hashlib

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from audit.models import Entry
from procurement.models import TenderDocument
from procurement.services.documents import attach_document
from procurement.services.tenders import cancel_tender, publish_tender
from tests.procurement.factories import draft_tender, events_since, ready_tender
from tests.procurement.uploads import (
    JPEG_BYTES,
    PDF_BYTES,
    PNG_BYTES,
    pdf_of_size,
    stored_files,
    upload,
    zip_bytes,
)

MIB = 1024 * 1024


@pytest.fixture
def draft(cast):
    return draft_tender(cast.agency)


def attach(tender, actor, file=None, title="Terms of reference"):
    return attach_document(tender=tender, uploaded_file=file or upload(), title=title, actor=actor)


def assert_nothing_left(before: int) -> None:
    assert TenderDocument.objects.count() == 0
    assert stored_files() == []
    assert Entry.objects.count() == before


def test_buyer_attaches_a_pdf_with_its_hash_size_and_one_event(cast, draft):
    before = Entry.objects.count()
    document = attach(draft, cast.buyer)

    sha = hashlib.sha256(PDF_BYTES).hexdigest()
    document.refresh_from_db()
    assert (document.title, document.original_name) == ("Terms of reference", "terms.pdf")
    assert (document.content_type, document.size, document.sha256) == (
        "application/pdf",
        len(PDF_BYTES),
        sha,
    )
    assert document.uploaded_by == cast.buyer
    assert document.file.name == f"tenders/{draft.number}/{sha}.pdf"
    assert stored_files() == [f"tenders/{draft.number}/{sha}.pdf"]
    with document.file.open("rb") as f:
        assert f.read() == PDF_BYTES
    [event] = events_since(before)
    assert event.action == "procurement.document.attached"
    assert (event.subject_type, event.subject_id) == (
        "procurement.tenderdocument",
        str(document.pk),
    )
    assert event.actor_id == cast.buyer.pk
    assert event.data == {
        "tender": draft.number,
        "title": "Terms of reference",
        "name": "terms.pdf",
        "content_type": "application/pdf",
        "size": len(PDF_BYTES),
        "sha256": sha,
    }


def test_the_agency_admin_may_attach_too(cast, draft):
    assert attach(draft, cast.agency_admin).uploaded_by == cast.agency_admin


@pytest.mark.parametrize(
    "role", ["commission", "other_buyer", "supplier_a", "auditor", "outsider", "operator"]
)
def test_refuses_everyone_but_the_agencys_buyers_and_admins(cast, draft, role):
    from tests.conftest import cast_member

    before = Entry.objects.count()
    with pytest.raises(PermissionDenied, match="Only the agency's buyers and administrators"):
        attach(draft, cast_member(cast, role))
    assert_nothing_left(before)


def test_a_published_tender_takes_a_document_only_with_a_reason(cast):
    tender = publish_tender(tender=ready_tender(cast), actor=cast.buyer)
    before = Entry.objects.count()
    with pytest.raises(ValidationError) as exc:
        attach(tender, cast.buyer)
    assert exc.value.message_dict == {"reason": ["Say why the document is added."]}
    assert_nothing_left(before)


def test_refuses_a_cancelled_tender(cast, draft):
    cancel_tender(tender=draft, reason="no_demand", text="Bought centrally", actor=cast.buyer)
    before = Entry.objects.count()
    with pytest.raises(ValidationError, match="is cancelled"):
        attach(draft, cast.buyer)
    assert_nothing_left(before)


def test_accepts_a_file_exactly_at_the_limit(cast, draft, settings):
    settings.TENDER_DOCUMENT_MAX_BYTES = MIB
    document = attach(draft, cast.buyer, upload(content=pdf_of_size(MIB)))
    assert document.size == MIB


def test_refuses_a_file_one_byte_over_the_limit_naming_the_limit(cast, draft, settings):
    settings.TENDER_DOCUMENT_MAX_BYTES = MIB
    before = Entry.objects.count()
    with pytest.raises(ValidationError) as exc:
        attach(draft, cast.buyer, upload(content=pdf_of_size(MIB + 1)))
    assert exc.value.message_dict == {"file": ["The file is 1 MB; documents can be at most 1 MB."]}
    assert_nothing_left(before)


def test_the_default_limit_is_20_mib(settings):
    assert settings.TENDER_DOCUMENT_MAX_BYTES == 20 * MIB


def test_refuses_an_empty_file(cast, draft):
    before = Entry.objects.count()
    with pytest.raises(ValidationError) as exc:
        attach(draft, cast.buyer, upload(content=b""))
    assert exc.value.message_dict == {"file": ["The file is empty."]}
    assert_nothing_left(before)


def test_refuses_a_text_file_named_pdf_naming_the_allowed_kinds(cast, draft):
    before = Entry.objects.count()
    text = upload("x.pdf", b"just some text, not a PDF\n", content_type="application/pdf")
    with pytest.raises(ValidationError) as exc:
        attach(draft, cast.buyer, text)
    assert exc.value.message_dict == {
        "file": [
            "The file's contents are not one of the allowed kinds: PDF, Word (.docx), "
            "Excel (.xlsx), ZIP, PNG, JPEG. Its name and declared type do not count."
        ]
    }
    assert_nothing_left(before)


def test_png_bytes_named_pdf_are_stored_as_png(cast, draft):
    document = attach(draft, cast.buyer, upload("scan.pdf", PNG_BYTES))
    assert document.content_type == "image/png"
    assert document.file.name.endswith(".png")


def test_png_bytes_are_refused_when_png_is_not_allowed(cast, draft, settings):
    settings.TENDER_DOCUMENT_TYPES = ["application/pdf"]
    before = Entry.objects.count()
    with pytest.raises(ValidationError, match="allowed kinds: PDF\\. "):
        attach(draft, cast.buyer, upload("scan.pdf", PNG_BYTES))
    assert_nothing_left(before)


@pytest.mark.parametrize(
    ("content", "kind"),
    [
        (zip_bytes("[Content_Types].xml", "word/document.xml"), "wordprocessingml.document"),
        (zip_bytes("[Content_Types].xml", "xl/workbook.xml"), "spreadsheetml.sheet"),
        (zip_bytes("drawings/plan.dwg"), "application/zip"),
        (JPEG_BYTES, "image/jpeg"),
    ],
)
def test_tells_office_files_archives_and_jpegs_from_their_bytes(cast, draft, content, kind):
    document = attach(draft, cast.buyer, upload("whatever.bin", content))
    assert document.content_type.endswith(kind)


def test_refuses_a_damaged_archive(cast, draft):
    before = Entry.objects.count()
    with pytest.raises(ValidationError, match="not one of the allowed kinds"):
        attach(draft, cast.buyer, upload("a.zip", b"PK\x03\x04 not really a zip"))
    assert_nothing_left(before)


@pytest.mark.parametrize(
    ("name", "kept"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("..\\..\\windows\\system.ini.pdf", "system.ini.pdf"),
        ("bad\x00na\x1bme\u202e.pdf", "badname.pdf"),
        ("\x01\x02", "document"),
        ("a" * 300 + ".pdf", "a" * 196 + ".pdf"),
    ],
)
def test_keeps_only_a_clean_base_name_and_stores_by_hash(cast, draft, name, kept):
    document = attach(draft, cast.buyer, upload(name))
    assert document.original_name == kept
    assert stored_files() == [f"tenders/{draft.number}/{document.sha256}.pdf"]


def test_refuses_the_same_file_twice(cast, draft):
    attach(draft, cast.buyer)
    before = Entry.objects.count()
    with pytest.raises(ValidationError, match="already attached"):
        attach(draft, cast.buyer, upload("copy.pdf"))
    assert TenderDocument.objects.count() == 1
    assert len(stored_files()) == 1
    assert Entry.objects.count() == before


def test_refuses_an_empty_title(cast, draft):
    before = Entry.objects.count()
    with pytest.raises(ValidationError) as exc:
        attach(draft, cast.buyer, title="  ")
    assert exc.value.message_dict == {"title": ["Give the document a title."]}
    assert_nothing_left(before)


def test_a_failure_after_the_file_was_stored_deletes_it(cast, draft, monkeypatch):
    def broken(*args, **kwargs):
        assert len(stored_files()) == 1  # the file was stored when the event failed
        raise RuntimeError("the audit log is unavailable")

    monkeypatch.setattr("procurement.services.documents.record", broken)
    before = Entry.objects.count()
    with pytest.raises(RuntimeError, match="unavailable"):
        attach(draft, cast.buyer)
    assert_nothing_left(before)
