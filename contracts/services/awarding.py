"""The clock's work at the award stage: awards whose standstill ended with no complaint
pending become active and their contracts are drafted; contracts the winner did not sign by
the deadline lapse (the buyer then moves the award on). Also the buyer's move of a lot's
award to the next-ranked bidder, and a supplier declining its award."""

import datetime as dt
import hashlib

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from audit.actions import Action
from audit.recorder import record
from awards.choices import AwardStatus
from awards.common import checked_text, lock_tender, refuse_unless_status
from awards.models import Award
from awards.permissions import is_agency_signer
from awards.services.results import results_content_from
from awards.settling import fail_lot, settle_tender
from awards.timers import has_pending_results_complaint
from bids.models import Bid
from contracts.choices import ContractStatus
from contracts.documents import contract_document
from contracts.models import Contract
from contracts.permissions import party_of
from procurement.choices import LotStatus, TenderStatus
from procurement.models import Lot, Notice, NoticeKind, Tender
from procurement.periods import after_days, local_text

AWARD_STAGE = (TenderStatus.STANDSTILL, TenderStatus.CONTRACTING)


def draft_contract(tender: Tender, award: Award, now: dt.datetime) -> Contract:
    lot = Lot.objects.select_related("budget_line").get(pk=award.lot_id)
    number = f"C-{tender.number[2:]}-{lot.number}-{lot.contracts.count() + 1}"
    deadline = after_days(tender.procedure, now, tender.procedure.signature_days)
    content = contract_document(
        number=number,
        tender=tender,
        lot=lot,
        award=award,
        price=award.price,
        terms=tender.contract_terms,
        sign_deadline=deadline,
    )
    contract = Contract.objects.create(
        number=number,
        award=award,
        tender=tender,
        lot=lot,
        agency=tender.agency,
        supplier=award.supplier,
        original_price=award.price,
        price=award.price,
        currency=award.currency,
        terms=tender.contract_terms,
        content=content,
        sha256=hashlib.sha256(content).hexdigest(),
        sign_deadline=deadline,
        created_at=now,
    )
    Notice.objects.create(
        supplier=award.supplier,
        tender=tender,
        kind=NoticeKind.CONTRACT,
        message=_(
            "Contract %(number)s for lot %(lot)s is ready: sign it by %(when)s (Almaty time)."
        )
        % {"number": number, "lot": lot.number, "when": local_text(deadline)},
    )
    return contract


def run_award_timers(*, tender: Tender, now: dt.datetime | None = None) -> Tender | None:
    """Activate awards out of standstill and lapse unsigned contracts. None when nothing was due."""
    now = now or timezone.now()
    with transaction.atomic():
        tender = lock_tender(tender)
        if tender.status not in AWARD_STAGE:
            return None
        activated, lapsed = [], []
        if not has_pending_results_complaint(tender):
            for award in tender.awards.filter(
                status=AwardStatus.PENDING, standstill_end__lte=now
            ).select_related("supplier", "bid", "protocol"):
                award.activate()
                award.save()
                contract = draft_contract(tender, award, now)
                activated.append({"lot": contract.lot.number, "contract": contract.number})
        for contract in tender.contracts.filter(
            status=ContractStatus.PENDING, supplier_signed_at=None, sign_deadline__lte=now
        ).select_related("award"):
            why = _("not signed by the supplier by %(when)s") % {
                "when": local_text(contract.sign_deadline)
            }
            contract.lapse(reason=why)
            contract.save()
            contract.award.lapse(reason=why)
            contract.award.save()
            lapsed.append(contract.number)
        if not activated and not lapsed:
            return None
        status = settle_tender(tender, None)
        record(
            Action.AWARD_TIMERS_RUN,
            subject=tender,
            actor=None,
            data={"activated": activated, "lapsed": lapsed, "status": status},
        )
    return tender


def decline_award(*, contract: Contract, actor: User, reason: str) -> Contract:
    """The winner declines to sign; the buyer may then move the award to the next bidder."""
    if party_of(contract, actor) != "supplier":
        raise PermissionDenied(_("Only the winning supplier declines its contract."))
    reason = checked_text(reason, "reason", _("Say why you decline the contract."))
    with transaction.atomic():
        tender = lock_tender(contract.tender)
        contract = Contract.objects.select_for_update().select_related("award").get(pk=contract.pk)
        if party_of(contract, actor) != "supplier":
            raise PermissionDenied(_("Only the winning supplier declines its contract."))
        if contract.status != ContractStatus.PENDING:
            raise ValidationError(
                _("%(number)s is %(status)s and can no longer be declined.")
                % {"number": contract.number, "status": contract.get_status_display().lower()},
                code="invalid_status",
            )
        if contract.supplier_signed_at is not None:
            raise ValidationError(
                _("You signed %(number)s; a signed contract is not declined.")
                % {"number": contract.number},
                code="already_signed",
            )
        contract.decline(reason=reason)
        contract.save()
        contract.award.decline(reason=reason)
        contract.award.save()
        status = settle_tender(tender, actor)
        record(
            Action.CONTRACT_DECLINED,
            subject=contract,
            actor=actor,
            data={
                "tender": tender.number,
                "number": contract.number,
                "reason": reason,
                "status": status,
            },
        )
    return contract


def _next_ranked(lot: Lot, protocol) -> dict | None:
    """The best-ranked bid of the lot, in the protocol that awarded it, not yet awarded."""
    if protocol is None:
        return None
    # Only the awards made under this protocol were tried: one that fell with a protocol a
    # complaint set aside does not take its bidder out of the new ranking.
    tried = set(lot.awards.filter(protocol=protocol).values_list("bid__public_id", flat=True))
    for entry in results_content_from(protocol)["lots"]:
        if entry["lot"] == str(lot.number):
            return next((r for r in entry["ranking"] if r["bid"] not in tried), None)
    return None


def award_next_bidder(
    *, lot: Lot, actor: User, reason: str, propose_blacklist: bool = False
) -> Award | None:
    """After the winner declined or let the signature deadline pass, the buyer moves the lot's
    award to the next-ranked qualified bid (which gets its own standstill) and may propose the
    evader for the register of unreliable suppliers. With no bid left the lot fails and its
    money is released; returns the new award or None."""
    if not is_agency_signer(lot.tender.agency, actor):
        raise PermissionDenied(_("Only the agency's buyers and administrators move awards."))
    reason = checked_text(reason, "reason", _("Say why the award moves on."))
    with transaction.atomic():
        tender = lock_tender(lot.tender)
        if not is_agency_signer(tender.agency, actor):
            raise PermissionDenied(_("Only the agency's buyers and administrators move awards."))
        refuse_unless_status(tender, AWARD_STAGE, _("Moving an award"))
        lot = Lot.objects.select_for_update().get(pk=lot.pk)
        last = lot.awards.order_by("-pk").first()
        if (
            lot.status != LotStatus.ACTIVE
            or last is None
            or last.status
            not in (
                AwardStatus.DECLINED,
                AwardStatus.LAPSED,
            )
        ):
            raise ValidationError(
                _("Lot %(lot)s has no award that was declined or left unsigned.")
                % {"lot": lot.number},
                code="nothing_to_move",
            )
        if propose_blacklist and last.blacklist_proposed_at is None:
            last.blacklist_proposed_at = timezone.now()
            last.save(update_fields=["blacklist_proposed_at"])
        nxt = _next_ranked(lot, last.protocol)
        award = None
        if nxt is None:
            fail_lot(tender, lot, actor, "no qualified bid left")
        else:
            bid = Bid.objects.select_related("supplier").get(public_id=nxt["bid"])
            now = timezone.now()
            award = Award.objects.create(
                tender=tender,
                lot=lot,
                bid=bid,
                supplier=bid.supplier,
                protocol=last.protocol,
                rank=nxt["rank"],
                price=nxt["price"],
                currency=tender.currency,
                standstill_end=after_days(
                    tender.procedure, now, tender.procedure.complaint_window_days
                ),
            )
        status = settle_tender(tender, actor)
        record(
            Action.AWARD_MOVED,
            subject=lot,
            actor=actor,
            data={
                "tender": tender.number,
                "lot": lot.number,
                "from": last.supplier.bin,
                "from_status": last.status,
                "to": award.supplier.bin if award else None,
                "price": award.price if award else None,
                "reason": reason,
                "blacklist_proposed": propose_blacklist,
                "status": status,
            },
        )
    return award
