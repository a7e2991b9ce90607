"""Documents a buyer attaches to a tender: freely to a draft, by amendment once published.

The file is checked (size, kind from its first bytes) and hashed before anything is written;
it is stored only once the locked tender is known to accept it, and deleted again if the
row or its audit event cannot be written, so a refusal or a failure leaves neither behind.
On a published tender the document is part of a new tender version, with the reason given,
and the deadline moves out if too little time would remain (services/amendments.py).
"""

import hashlib

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from audit.actions import Action
from audit.recorder import record
from procurement.amending import (
    announce,
    checked_text,
    new_version,
    refuse_unless_amendable,
    version_data,
)
from procurement.choices import TenderStatus
from procurement.filetypes import allowed_labels, detect_content_type, safe_name
from procurement.models import Tender, TenderDocument
from procurement.permissions import can_manage_tender

TITLE_MAX = 300
MIB = 1024 * 1024


def _megabytes(size: int) -> str:
    """`20` for 20 MiB, `0.5` for half of one: the unit the refusals speak in."""
    return f"{size / MIB:.2f}".rstrip("0").rstrip(".")


def _checked_title(title: str) -> str:
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": [_("Give the document a title.")]})
    if len(title) > TITLE_MAX:
        raise ValidationError(
            {"title": [_("Keep the title to %(n)s characters or fewer.") % {"n": TITLE_MAX}]}
        )
    return title


def _checked_size(size: int) -> None:
    limit = settings.TENDER_DOCUMENT_MAX_BYTES
    if size <= 0:
        raise ValidationError({"file": [ValidationError(_("The file is empty."), code="empty")]})
    if size > limit:
        raise ValidationError(
            {
                "file": [
                    ValidationError(
                        _("The file is %(size)s MB; documents can be at most %(limit)s MB.")
                        % {"size": _megabytes(size), "limit": _megabytes(limit)},
                        code="too_large",
                    )
                ]
            }
        )


def _checked_type(uploaded_file) -> str:
    allowed = settings.TENDER_DOCUMENT_TYPES
    content_type = detect_content_type(uploaded_file)
    if content_type not in allowed:
        raise ValidationError(
            {
                "file": [
                    ValidationError(
                        _(
                            "The file's contents are not one of the allowed kinds: %(kinds)s. "
                            "Its name and declared type do not count."
                        )
                        % {"kinds": allowed_labels(allowed)},
                        code="unsupported_type",
                    )
                ]
            }
        )
    return content_type


def _hash_and_size(uploaded_file) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    for chunk in uploaded_file.chunks():
        digest.update(chunk)
        size += len(chunk)
    uploaded_file.seek(0)
    return digest.hexdigest(), size


def attach_document(
    *, tender: Tender, uploaded_file, title: str, actor: User, reason: str = ""
) -> TenderDocument:
    """Attach a file to a tender, recording its SHA-256, size and kind; a published tender
    (enquiries or tendering, before the deadline) takes it as an amendment with `reason`."""
    if not can_manage_tender(tender, actor):
        raise PermissionDenied(_("Only the agency's buyers and administrators run its tenders."))
    title = _checked_title(title)
    if tender.status != TenderStatus.DRAFT:
        reason = checked_text(reason, "reason", _("Say why the document is added."))
    _checked_size(uploaded_file.size or 0)
    content_type = _checked_type(uploaded_file)
    sha256, size = _hash_and_size(uploaded_file)
    _checked_size(size)  # what was read, not what the upload claimed
    stored = None
    try:
        with transaction.atomic():
            tender = (
                Tender.objects.select_for_update()
                .select_related("procedure", "agency")
                .get(pk=tender.pk)
            )
            now = timezone.now()
            if tender.status != TenderStatus.DRAFT:
                refuse_unless_amendable(tender, now)
            if tender.documents.filter(sha256=sha256).exists():
                raise ValidationError(
                    {
                        "file": [
                            ValidationError(_("This file is already attached."), code="duplicate")
                        ]
                    }
                )
            document = TenderDocument(
                tender=tender,
                title=title,
                original_name=safe_name(uploaded_file.name),
                content_type=content_type,
                size=size,
                sha256=sha256,
                uploaded_by=actor,
            )
            document.file.save("upload", uploaded_file, save=False)
            stored = document.file.name
            document.save()
            data = {
                "tender": tender.number,
                "title": title,
                "name": document.original_name,
                "content_type": content_type,
                "size": size,
                "sha256": sha256,
            }
            if tender.status != TenderStatus.DRAFT:
                version = new_version(
                    tender, actor=actor, reason=reason, changes=["documents"], now=now
                )
                data.update(version_data(version), reason=reason)
                data["notices"] = announce(tender, version, reason)
            record(Action.DOCUMENT_ATTACHED, subject=document, actor=actor, data=data)
    except BaseException:
        if stored is not None:
            default_storage.delete(stored)
        raise
    return document
