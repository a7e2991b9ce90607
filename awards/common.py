"""Small steps every award-stage service shares: the tender lock and the text checks."""

import hashlib

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from procurement.models import Tender

TEXT_MAX = 5000


def lock_tender(tender: Tender) -> Tender:
    """The tender's row is the lock for everything under it (reviews, awards, complaints,
    contracts): services take it first, then what they change."""
    return (
        Tender.objects.select_for_update(of=("self",))
        .select_related("procedure", "agency")
        .get(pk=tender.pk)
    )


def checked_text(text: str | None, field: str, missing: str, limit: int = TEXT_MAX) -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationError({field: [missing]})
    if len(text) > limit:
        raise ValidationError(
            {field: [_("Keep this to %(n)s characters or fewer.") % {"n": limit}]}
        )
    return text


def refuse_unless_status(tender: Tender, statuses, doing: str) -> None:
    if tender.status not in statuses:
        raise ValidationError(
            _("%(doing)s is not possible while %(number)s is %(status)s.")
            % {
                "doing": doing,
                "number": tender.number,
                "status": tender.get_status_display().lower(),
            },
            code="invalid_status",
        )


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()
