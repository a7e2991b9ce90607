"""Questions suppliers ask during the enquiry period and the buyer's answers (both public).

Lock order as in services/tenders.py: the tender's row first, then the question's.
"""

import hashlib
from zoneinfo import ZoneInfo

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from audit.actions import Action
from audit.recorder import record
from procurement.choices import LotStatus, TenderStatus
from procurement.models import Lot, Question, Tender
from procurement.models.questions import QUESTION_TEXT_MAX
from procurement.permissions import asking_organisations, can_answer_question, can_ask_question
from suppliers.models import Organisation

ALMATY = ZoneInfo("Asia/Almaty")
# Answers may still be given once bidding has opened, until the submission deadline.
ANSWERING_STATUSES = (TenderStatus.ENQUIRIES, TenderStatus.TENDERING)


def _digest(text: str) -> str:
    """The audit log is public, so it holds a hash of a question or answer, not the text."""
    return hashlib.sha256(text.encode()).hexdigest()


def _almaty(instant) -> str:
    return timezone.localtime(instant, ALMATY).strftime("%d.%m.%Y %H:%M:%S")


def _checked_text(text: str, field: str, empty: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationError({field: [empty]})
    if len(text) > QUESTION_TEXT_MAX:
        raise ValidationError(
            {field: [_("Keep it to %(n)s characters or fewer.") % {"n": QUESTION_TEXT_MAX}]}
        )
    return text


def _refuse_unless_open_for_questions(tender: Tender, now) -> None:
    if tender.status != TenderStatus.ENQUIRIES or tender.enquiry_end is None:
        raise ValidationError(
            _("Questions are asked during enquiries; %(number)s is %(status)s.")
            % {"number": tender.number, "status": tender.get_status_display().lower()},
            code="invalid_status",
        )
    if now >= tender.enquiry_end:
        raise ValidationError(
            _("Enquiries on %(number)s ended at %(end)s (Almaty time); no more questions.")
            % {"number": tender.number, "end": _almaty(tender.enquiry_end)},
            code="enquiries_ended",
        )


def _asking_organisation(actor: User, now) -> Organisation:
    candidates = asking_organisations(actor)
    barred = set(
        Organisation.objects.filter(pk__in=[o.pk for o in candidates])
        .blacklisted_at(now)
        .values_list("pk", flat=True)
    )
    allowed = [o for o in candidates if o.pk not in barred]
    if not allowed:
        raise PermissionDenied(
            _("%(org)s is on the blacklist and cannot ask questions.") % {"org": candidates[0]}
        )
    return allowed[0]


def _checked_lot(tender: Tender, lot: Lot | None) -> Lot | None:
    if lot is not None and (lot.tender_id != tender.pk or lot.status != LotStatus.ACTIVE):
        raise ValidationError({"lot": [_("Choose an active lot of this tender.")]})
    return lot


def ask_question(*, tender: Tender, text: str, actor: User, lot: Lot | None = None) -> Question:
    """A verified, not blacklisted supplier asks about a tender before its enquiries end."""
    if not can_ask_question(tender, actor):
        raise PermissionDenied(_("Only members of a verified supplier ask questions."))
    text = _checked_text(text, "text", _("Write the question."))
    with transaction.atomic():
        tender = Tender.objects.select_for_update().get(pk=tender.pk)
        now = timezone.now()  # after the lock: the clock may have just ended the enquiries
        supplier = _asking_organisation(actor, now)
        _refuse_unless_open_for_questions(tender, now)
        question = Question.objects.create(
            tender=tender,
            lot=_checked_lot(tender, lot),
            asked_by=actor,
            supplier=supplier,
            text=text,
            asked_at=now,
        )
        record(
            Action.QUESTION_ASKED,
            subject=question,
            actor=actor,
            data={
                "tender": tender.number,
                "lot": lot.number if lot else None,
                "supplier": supplier.pk,
                "text_sha256": _digest(text),
            },
        )
    return question


def answer_question(*, question: Question, text: str, actor: User) -> Question:
    """The tender's buyer answers a question, once: a published answer is never changed."""
    if not can_answer_question(question, actor):
        raise PermissionDenied(_("Only the agency's buyers and administrators answer questions."))
    text = _checked_text(text, "answer", _("Write the answer."))
    with transaction.atomic():
        tender = Tender.objects.select_for_update().get(pk=question.tender_id)
        question = Question.objects.select_for_update().get(pk=question.pk)
        if tender.status not in ANSWERING_STATUSES:
            raise ValidationError(
                _("Questions are answered during enquiries and tendering; %(number)s is %(s)s.")
                % {"number": tender.number, "s": tender.get_status_display().lower()},
                code="invalid_status",
            )
        if question.is_answered:
            raise ValidationError(
                _("This question was answered at %(at)s (Almaty time); an answer is not changed.")
                % {"at": _almaty(question.answered_at)},
                code="already_answered",
            )
        question.answer = text
        question.answered_by = actor
        question.answered_at = timezone.now()
        question.save(update_fields=["answer", "answered_by", "answered_at"])
        record(
            Action.QUESTION_ANSWERED,
            subject=question,
            actor=actor,
            data={"tender": tender.number, "question": question.pk, "text_sha256": _digest(text)},
        )
    return question
