"""A buyer's tender from draft to publication, and its cancellation.

Lock order: the tender's row first, then its plan items (adding a lot, in id order) or its
budget lines (through the ledger, in line order). Budget services lock a line and then a plan
item, never a tender, so no two services wait on each other in opposite orders.
"""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from accounts.models import User
from audit.actions import Action
from audit.recorder import record
from bids.opening_keys import create_opening_key
from procurement.amending import new_version
from procurement.choices import (
    CancelReason,
    CommissionRole,
    LotStatus,
    PlanItemStatus,
    TenderStatus,
)
from procurement.models import (
    CommissionMember,
    Lot,
    NoticeKind,
    PlanItem,
    Procedure,
    Tender,
    TenderCounter,
)
from procurement.money import format_money, round_money
from procurement.notify import notify
from procurement.periods import check_periods
from procurement.permissions import (
    can_create_tender,
    can_manage_tender,
    is_commission_member_of,
)
from procurement.services.ledger import release_held, reserve
from suppliers.models import Organisation

TENDER_SUBJECT = "procurement.tender"
TEXT_MAX = 2000


def _refuse_unless(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied(_("Only the agency's buyers and administrators run its tenders."))


def _locked(tender: Tender) -> Tender:
    return (
        Tender.objects.select_for_update().select_related("procedure", "agency").get(pk=tender.pk)
    )


def _refuse_unless_draft(tender: Tender, doing: str) -> None:
    if tender.status != TenderStatus.DRAFT:
        raise ValidationError(
            _("Only a draft tender can be changed (%(doing)s); %(number)s is %(status)s.")
            % {
                "doing": doing,
                "number": tender.number,
                "status": tender.get_status_display().lower(),
            },
            code="invalid_status",
        )


def _next_number(now: dt.datetime) -> str:
    """`T-2026-000042`; the year's counter row is locked until the tender is saved."""
    year = timezone.localtime(now).year
    counter, _created = TenderCounter.objects.select_for_update().get_or_create(year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"T-{year}-{counter.last:06d}"


def create_tender(
    *,
    agency: Organisation,
    title: str,
    procedure: Procedure,
    actor: User,
    description: str = "",
) -> Tender:
    """Open a draft tender of the agency; lots, periods and a commission are added next."""
    _refuse_unless(can_create_tender(agency, actor))
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": [_("Give the tender a title.")]})
    if not procedure.is_active:
        raise ValidationError({"procedure": [_("%(p)s is no longer used.") % {"p": procedure}]})
    with transaction.atomic():
        tender = Tender(
            agency=agency,
            title=title[:500],
            description=(description or "").strip(),
            procedure=procedure,
            currency=procedure.currency,
            created_by=actor,
        )
        tender.number = _next_number(tender.created_at)
        tender.save()
        record(
            Action.TENDER_CREATED,
            subject=tender,
            actor=actor,
            data={
                "number": tender.number,
                "agency": agency.pk,
                "title": tender.title,
                "procedure": procedure.code,
            },
        )
    return tender


def _checked_plan_items(tender: Tender, plan_items) -> list[PlanItem]:
    ids = sorted({item.pk for item in plan_items})
    if not ids:
        raise ValidationError({"plan_items": [_("Choose at least one approved plan item.")]})
    # Locked in id order, so two drafts taking the same item one moment apart are served one
    # after the other and the second sees the first one's lot ("already in a lot").
    items = list(
        PlanItem.objects.select_for_update(of=("self",))
        .select_related("budget_line")
        .filter(pk__in=ids)
        .order_by("pk")
    )
    for item in items:
        problem = _plan_item_problem(tender, item)
        if problem:
            raise ValidationError({"plan_items": [problem % {"item": item.subject}]})
    if len({item.budget_line_id for item in items}) > 1:
        raise ValidationError(
            {"plan_items": [_("A lot is paid from one budget line; these items use several.")]}
        )
    return items


def _plan_item_problem(tender: Tender, item: PlanItem) -> str:
    if item.agency_id != tender.agency_id:
        return _("“%(item)s” is not in this agency's plan.")
    if item.status != PlanItemStatus.APPROVED:
        return _("“%(item)s” is not an approved plan item.")
    if item.procedure_id != tender.procedure_id:
        return _("“%(item)s” is planned for another procedure.")
    if item.currency != tender.currency:
        return _("“%(item)s” is planned in another currency.")
    in_use = Lot.objects.filter(plan_items=item, status=LotStatus.ACTIVE).exclude(
        tender__status__in=[TenderStatus.CANCELLED, TenderStatus.UNSUCCESSFUL]
    )
    if in_use.exists():
        return _("“%(item)s” is already in a lot of another tender.")
    return ""


def _checked_lot_amount(amount: Decimal | None, planned: Decimal) -> Decimal:
    if amount is None:
        return planned
    if round_money(amount) != amount or amount <= 0:
        raise ValidationError(
            {"amount": [_("The amount is more than zero, with at most two decimal places.")]}
        )
    if amount > planned:
        raise ValidationError(
            {
                "amount": [
                    _("The lot's amount cannot exceed what its plan items plan, %(planned)s.")
                    % {"planned": format_money(planned)}
                ]
            }
        )
    return amount


def _refuse_over_ceiling(tender: Tender, amount: Decimal) -> None:
    """The law caps some procedures by the value of the whole purchase, not of one lot."""
    held = tender.lots.filter(status=LotStatus.ACTIVE).values_list("amount", flat=True)
    total = sum(held, Decimal("0.00")) + amount
    if not tender.procedure.allows_amount(total):
        raise ValidationError(
            {
                "amount": [
                    _(
                        "%(procedure)s is for purchases up to %(ceiling)s; with this lot the "
                        "tender would be worth %(total)s."
                    )
                    % {
                        "procedure": tender.procedure,
                        "ceiling": format_money(tender.procedure.value_ceiling),
                        "total": format_money(total),
                    }
                ]
            }
        )


def add_lot(
    *,
    tender: Tender,
    plan_items,
    actor: User,
    title: str = "",
    amount: Decimal | None = None,
) -> Lot:
    """Add a lot to a draft from approved plan items of its agency, all on one budget line;
    the amount defaults to what the items plan."""
    _refuse_unless(can_manage_tender(tender, actor))
    with transaction.atomic():
        tender = _locked(tender)
        _refuse_unless_draft(tender, _("adding a lot"))
        items = _checked_plan_items(tender, plan_items)
        planned = sum((item.planned_amount for item in items), Decimal("0.00"))
        amount = _checked_lot_amount(amount, planned)
        _refuse_over_ceiling(tender, amount)
        lot = Lot.objects.create(
            tender=tender,
            number=tender.lots.count() + 1,
            title=(title or "").strip()[:500] or items[0].subject[:500],
            amount=amount,
            budget_line=items[0].budget_line,
        )
        lot.plan_items.set(items)
        record(
            Action.LOT_ADDED,
            subject=lot,
            actor=actor,
            data={
                "tender": tender.number,
                "number": lot.number,
                "title": lot.title,
                "amount": lot.amount,
                "budget_line": lot.budget_line_id,
                "plan_items": [item.pk for item in items],
            },
        )
    return lot


def set_commission(
    *, tender: Tender, chair: User, members, threshold: int, actor: User
) -> list[CommissionMember]:
    """Name the opening commission (a chair and members, all commission members of the
    agency) and how many of them it takes to open the bids."""
    _refuse_unless(can_manage_tender(tender, actor))
    others = [user for user in dict.fromkeys(members) if user.pk != chair.pk]
    seats = [chair, *others]
    for user in seats:
        if not is_commission_member_of(tender.agency, user):
            raise ValidationError(
                {
                    "members": [
                        _("%(user)s is not a commission member of %(agency)s.")
                        % {"user": user.email, "agency": tender.agency}
                    ]
                }
            )
    if not 1 <= threshold <= len(seats):
        raise ValidationError(
            {
                "threshold": [
                    _("The number needed to open is between 1 and %(n)s, the commission's size.")
                    % {"n": len(seats)}
                ]
            }
        )
    with transaction.atomic():
        tender = _locked(tender)
        _refuse_unless_draft(tender, _("naming the commission"))
        tender.commission.all().delete()
        created = [
            CommissionMember.objects.create(
                tender=tender,
                user=user,
                role=CommissionRole.CHAIR if user.pk == chair.pk else CommissionRole.MEMBER,
            )
            for user in seats
        ]
        tender.opening_threshold = threshold
        tender.save(update_fields=["opening_threshold"])
        record(
            Action.COMMISSION_APPOINTED,
            subject=tender,
            actor=actor,
            data={"chair": chair.pk, "members": [u.pk for u in others], "threshold": threshold},
        )
    return created


def set_periods(
    *, tender: Tender, enquiry_end: dt.datetime, submission_deadline: dt.datetime, actor: User
) -> Tender:
    """Set the end of enquiries and the bid deadline, as if published now; publication
    checks them again against its own instant."""
    _refuse_unless(can_manage_tender(tender, actor))
    with transaction.atomic():
        tender = _locked(tender)
        _refuse_unless_draft(tender, _("setting the periods"))
        check_periods(tender.procedure, enquiry_end, submission_deadline, timezone.now())
        tender.enquiry_end = enquiry_end
        tender.submission_deadline = submission_deadline
        tender.save(update_fields=["enquiry_end", "submission_deadline"])
        record(
            Action.TENDER_SCHEDULED,
            subject=tender,
            actor=actor,
            data={"enquiry_end": enquiry_end, "submission_deadline": submission_deadline},
        )
    return tender


def publish_tender(*, tender: Tender, actor: User) -> Tender:
    """Publish a draft tender and reserve its lots' budget: all of it, or none."""
    _refuse_unless(can_manage_tender(tender, actor))
    with transaction.atomic():
        tender = _locked(tender)
        _refuse_unless_draft(tender, _("publishing"))
        missing = tender.publication_blockers()
        if missing or not can_proceed(tender.publish):
            raise ValidationError(
                _("The tender cannot be published yet: %(what)s.") % {"what": ", ".join(missing)},
                code="not_ready",
            )
        check_periods(
            tender.procedure, tender.enquiry_end, tender.submission_deadline, timezone.now()
        )
        tender.publish()
        tender.save()
        lots = list(tender.lots.filter(status=LotStatus.ACTIVE).order_by("budget_line_id", "pk"))
        _reserve(tender, lots, actor)
        opening_key = create_opening_key(tender) if tender.procedure.sealed_bids else None
        version = new_version(
            tender, actor=actor, reason="", changes=[], now=tender.published_at, give_time=False
        )
        record(
            Action.TENDER_PUBLISHED,
            subject=tender,
            actor=actor,
            data={
                "number": tender.number,
                "ocid": tender.ocid,
                "enquiry_end": tender.enquiry_end,
                "submission_deadline": tender.submission_deadline,
                # The budget line too, so an auditor can check each reservation's line.
                "lots": [
                    {"number": lot.number, "amount": lot.amount, "line": lot.budget_line_id}
                    for lot in lots
                ],
                "version": version.number,
                "version_sha256": version.sha256,
                "opening_key_id": opening_key.key_id if opening_key else None,
                "opening_public_key": bytes(opening_key.public_key).hex() if opening_key else None,
            },
        )
    return tender


def _reserve(tender: Tender, lots: list[Lot], actor: User | None) -> None:
    for lot in lots:  # a shortfall raises and the atomic block undoes every reservation
        reserve(
            line=lot.budget_line,
            amount=lot.amount,
            reference=(TENDER_SUBJECT, tender.pk),
            actor=actor,
            note=f"{tender.number} lot {lot.number}",
        )


def cancel_tender(*, tender: Tender, reason: str, text: str, actor: User) -> Tender:
    """Cancel an active tender, giving the reason, and release its budget."""
    _refuse_unless(can_manage_tender(tender, actor))
    if reason not in CancelReason.values:
        raise ValidationError({"reason": [_("Choose one of the reasons for cancelling.")]})
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": [_("Explain the cancellation.")]})
    if len(text) > TEXT_MAX:
        raise ValidationError(
            {"text": [_("Keep the explanation to %(n)s characters or fewer.") % {"n": TEXT_MAX}]}
        )
    with transaction.atomic():
        tender = _locked(tender)
        if not can_proceed(tender.cancel):
            raise ValidationError(
                _("%(number)s is %(status)s and can no longer be cancelled.")
                % {"number": tender.number, "status": tender.get_status_display().lower()},
                code="invalid_status",
            )
        tender.cancel(reason=reason, text=text)
        tender.save()
        tender.lots.filter(status=LotStatus.ACTIVE).update(status=LotStatus.CANCELLED)
        ended = _end_awards(tender, text)
        released = release_held(
            reference=(TENDER_SUBJECT, tender.pk), actor=actor, note=f"{tender.number} cancelled"
        )
        sent = notify(
            tender,
            NoticeKind.CANCELLED,
            _("%(number)s was cancelled: %(text)s") % {"number": tender.number, "text": text},
        )
        record(
            Action.TENDER_CANCELLED,
            subject=tender,
            actor=actor,
            data={
                "reason": reason,
                "text": text,
                "released": {str(k): v for k, v in released.items()},
                "notices": sent,
                **ended,
            },
        )
    return tender


def _end_awards(tender: Tender, text: str) -> dict:
    """Awards still standing and contracts not yet signed fall with the tender (a tender with a
    signed contract cannot be cancelled: Tender.has_no_signed_contract). Through the relations,
    as the awards and contracts apps build on this one; the rows' own transitions would set the
    same fields."""
    now = timezone.now()
    awards = tender.awards.filter(status__in=["pending", "active"])
    contracts = tender.contracts.filter(status="pending")
    ended = {
        "awards_cancelled": sorted(awards.values_list("lot__number", flat=True)),
        "contracts_cancelled": sorted(contracts.values_list("number", flat=True)),
    }
    contracts.update(status="cancelled", ended_at=now, end_reason=text)
    awards.update(status="cancelled", ended_at=now, end_reason=text)
    return ended if any(ended.values()) else {}
