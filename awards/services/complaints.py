"""Complaints: a supplier files one against the tender's conditions (enquiries or tendering,
before the deadline) or against its results (a bidder, during standstill, before it ends). A
reviewer of the review body decides it. Pending, a conditions complaint holds the opening and
a results complaint holds every award in standstill; satisfied, the first cancels the tender
and the second sets the results aside for the commission to evaluate again."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from accounts.models import User
from audit.actions import Action
from audit.recorder import record
from awards.choices import AwardStatus, ComplaintKind, ComplaintStatus
from awards.common import checked_text, lock_tender, sha256_text
from awards.models import Complaint, ComplaintDocument
from awards.permissions import acts_for, can_decide_complaint
from awards.timers import refresh_timer
from procurement.choices import CancelReason, LotStatus, TenderStatus
from procurement.filetypes import safe_name
from procurement.models import Notice, NoticeKind, Tender
from procurement.periods import local_text
from procurement.services.documents import _checked_size, _checked_type, _hash_and_size
from procurement.services.ledger import release_held
from procurement.services.tenders import TENDER_SUBJECT
from suppliers.models import Organisation

MAX_FILES = 5


def _refuse_unless_member(actor: User, organisation: Organisation) -> None:
    # Verification first: a suspended supplier's memberships are not in force, and its members
    # should hear why they cannot complain (the register shows every supplier's status anyway).
    if organisation.kind == "supplier" and not organisation.is_verified:
        raise PermissionDenied(_("Only verified suppliers file complaints."))
    if organisation.kind != "supplier" or not acts_for(actor, organisation):
        raise PermissionDenied(_("Complaints are filed by a supplier's members, for it."))


def _refuse_outside_window(tender: Tender, kind: str, organisation: Organisation, now) -> None:
    if kind == ComplaintKind.CONDITIONS:
        if tender.status not in (TenderStatus.ENQUIRIES, TenderStatus.TENDERING) or (
            now >= tender.submission_deadline
        ):
            raise ValidationError(
                _(
                    "Complaints against the tender conditions are filed before the submission "
                    "deadline, %(when)s (Almaty time)."
                )
                % {"when": local_text(tender.submission_deadline)},
                code="complaint_window_closed",
            )
        return
    if not tender.bids.filter(supplier=organisation).exclude(opened_content=None).exists():
        raise PermissionDenied(_("Only the tender's bidders complain against its results."))
    ends = list(
        tender.awards.filter(status=AwardStatus.PENDING).values_list("standstill_end", flat=True)
    )
    if tender.status != TenderStatus.STANDSTILL or not ends or now >= max(ends):
        raise ValidationError(
            _("Complaints against the results are filed during the standstill, before it ends."),
            code="complaint_window_closed",
        )


def _store(complaint: Complaint, uploaded_file) -> ComplaintDocument:
    _checked_size(uploaded_file.size or 0)
    content_type = _checked_type(uploaded_file)
    sha256, size = _hash_and_size(uploaded_file)
    _checked_size(size)
    document = ComplaintDocument(
        complaint=complaint,
        original_name=safe_name(uploaded_file.name),
        content_type=content_type,
        size=size,
        sha256=sha256,
    )
    document.file.save("upload", uploaded_file, save=False)
    document.save()
    return document


def file_complaint(
    *,
    tender: Tender,
    actor: User,
    complainant: Organisation,
    kind: str,
    text: str,
    files=(),
) -> Complaint:
    """File a complaint with its text and up to five documents."""
    _refuse_unless_member(actor, complainant)
    if kind not in ComplaintKind.values:
        raise ValidationError({"kind": [_("Complain against the conditions or the results.")]})
    text = checked_text(text, "text", _("Write the complaint."), limit=20000)
    if len(files) > MAX_FILES:
        raise ValidationError({"files": [_("Attach at most %(n)s files.") % {"n": MAX_FILES}]})
    stored = []
    try:
        with transaction.atomic():
            tender = lock_tender(tender)
            now = timezone.now()
            _refuse_outside_window(tender, kind, complainant, now)
            number = f"CMP-{tender.number[2:]}-{tender.complaints.count() + 1}"
            complaint = Complaint.objects.create(
                number=number,
                tender=tender,
                kind=kind,
                protocol=tender.results_protocols.filter(set_aside_at=None).last()
                if kind == ComplaintKind.RESULTS
                else None,
                complainant=complainant,
                filed_by=actor,
                filed_at=now,
                text=text,
                text_sha256=sha256_text(text),
            )
            documents = []
            for uploaded in files:
                documents.append(_store(complaint, uploaded))
                stored.append(documents[-1].file.name)
            refresh_timer(tender)
            tender.save(update_fields=["timer_at"])
            record(
                Action.COMPLAINT_FILED,
                subject=complaint,
                actor=actor,
                data={
                    "tender": tender.number,
                    "number": number,
                    "kind": kind,
                    "complainant": complainant.bin,
                    "text_sha256": complaint.text_sha256,
                    "documents": [{"name": d.original_name, "sha256": d.sha256} for d in documents],
                },
            )
    except BaseException:
        for name in stored:
            default_storage.delete(name)
        raise
    return complaint


def decide_complaint(
    *, complaint: Complaint, actor: User, satisfied: bool, decision: str
) -> Complaint:
    """A reviewer satisfies or dismisses a pending complaint, with reasons."""
    if not can_decide_complaint(actor):
        raise PermissionDenied(_("Only the review body's reviewers decide complaints."))
    decision = checked_text(decision, "decision", _("Give the reasons for the decision."))
    with transaction.atomic():
        tender = lock_tender(complaint.tender)
        complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
        if complaint.status != ComplaintStatus.PENDING:
            raise ValidationError(
                _("%(number)s was already decided: %(status)s.")
                % {"number": complaint.number, "status": complaint.get_status_display().lower()},
                code="complaint_decided",
            )
        effect = {}
        if satisfied:
            complaint.satisfy(by=actor, decision=decision)
            complaint.save()
            effect = _set_aside(tender, complaint, actor)
        else:
            complaint.dismiss(by=actor, decision=decision)
            complaint.save()
            refresh_timer(tender)
            tender.save(update_fields=["timer_at"])
        Notice.objects.create(
            supplier=complaint.complainant,
            tender=tender,
            kind=NoticeKind.COMPLAINT,
            message=_("%(number)s was %(status)s: %(decision)s")
            % {
                "number": complaint.number,
                "status": complaint.get_status_display().lower(),
                "decision": decision,
            },
        )
        record(
            Action.COMPLAINT_SATISFIED if satisfied else Action.COMPLAINT_DISMISSED,
            subject=complaint,
            actor=actor,
            data={
                "tender": tender.number,
                "number": complaint.number,
                "decision_sha256": sha256_text(decision),
                **effect,
            },
        )
    return complaint


def _set_aside(tender: Tender, complaint: Complaint, actor: User) -> dict:
    """A satisfied complaint undoes what it was against."""
    if complaint.kind == ComplaintKind.CONDITIONS:
        if not can_proceed(tender.cancel):
            # The tender ended meanwhile (it failed at the deadline with too few bids, and its
            # money went back then): the decision stands, there is nothing left to cancel.
            return {"tender_status": tender.status}
        # The conditions broke the law: the tender is cancelled and its money released.
        tender.cancel(reason=CancelReason.VIOLATIONS, text=complaint.decision)
        tender.save()
        tender.lots.filter(status=LotStatus.ACTIVE).update(status=LotStatus.CANCELLED)
        released = release_held(
            reference=(TENDER_SUBJECT, tender.pk), actor=actor, note=f"{complaint.number}"
        )
        return {
            "tender_status": tender.status,
            "released": {str(k): v for k, v in released.items()},
        }
    now = timezone.now()
    cancelled = []
    # Only the results the complaint was against: when another complaint already set them
    # aside, the protocol published since stands (and its awards wait no longer).
    protocol = tender.results_protocols.filter(pk=complaint.protocol_id, set_aside_at=None)
    if protocol.exists():
        for award in tender.awards.filter(
            status=AwardStatus.PENDING, protocol_id=complaint.protocol_id
        ).select_related("lot"):
            award.cancel(reason=_("set aside by %(number)s") % {"number": complaint.number})
            award.save()
            cancelled.append(award.lot.number)
        protocol.update(set_aside_at=now)
        if tender.status in (TenderStatus.STANDSTILL, TenderStatus.CONTRACTING):
            tender.reopen_evaluation()
    refresh_timer(tender)
    tender.save()
    return {"tender_status": tender.status, "awards_cancelled": cancelled}
