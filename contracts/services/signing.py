"""Signing a contract: each side signs the contract's exact bytes (detached CMS) with a
certificate its organisation registered. When both have signed, the contract is in force and
the lot's reservation becomes an obligation at the contract price, the rest released."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from audit.actions import Action
from audit.recorder import record
from audit.services.checkpoints import issue_checkpoint
from awards.common import lock_tender
from awards.settling import settle_tender
from contracts.choices import ContractStatus, Party
from contracts.models import Contract
from contracts.permissions import party_of
from pki.documents import document_signer
from procurement.choices import LotStatus
from procurement.periods import local_text
from procurement.services.ledger import obligate, release
from procurement.services.tenders import TENDER_SUBJECT


def _refuse_unless_signable(contract: Contract, party: str, now) -> None:
    if contract.status != ContractStatus.PENDING:
        raise ValidationError(
            _("%(number)s is %(status)s: there is nothing to sign.")
            % {"number": contract.number, "status": contract.get_status_display().lower()},
            code="invalid_status",
        )
    if getattr(contract, f"{party}_signed_at") is not None:
        raise ValidationError(
            _("You have already signed %(number)s.") % {"number": contract.number},
            code="already_signed",
        )
    if party == Party.SUPPLIER and now >= contract.sign_deadline:
        raise ValidationError(
            _("The period to sign %(number)s ended at %(when)s (Almaty time).")
            % {"number": contract.number, "when": local_text(contract.sign_deadline)},
            code="signature_deadline_passed",
        )


def _refuse_unless_lot_stands(tender, contract: Contract) -> None:
    # A lot cancelled after its award was proposed has had its reservation released: signing
    # would obligate money the line no longer holds for it (or another lot's reservation).
    if contract.lot.status != LotStatus.ACTIVE or not tender.is_active:
        raise ValidationError(
            _("%(number)s can no longer be signed: lot %(lot)s of %(tender)s is %(status)s.")
            % {
                "number": contract.number,
                "lot": contract.lot.number,
                "tender": tender.number,
                "status": (
                    contract.lot.get_status_display()
                    if tender.is_active
                    else tender.get_status_display()
                ).lower(),
            },
            code="invalid_status",
        )


def sign_contract(*, contract: Contract, actor: User, signature: bytes) -> Contract:
    """The buyer's or the supplier's signature on the contract."""
    with transaction.atomic():
        tender = lock_tender(contract.tender)
        contract = (
            Contract.objects.select_for_update(of=("self",))
            .select_related("agency", "supplier", "lot__budget_line")
            .get(pk=contract.pk)
        )
        party = party_of(contract, actor)
        if party is None:
            raise PermissionDenied(_("Only the buyer and the supplier sign their contract."))
        now = timezone.now()
        _refuse_unless_signable(contract, party, now)
        _refuse_unless_lot_stands(tender, contract)
        organisation = contract.agency if party == Party.BUYER else contract.supplier
        certificate = document_signer(
            bytes(contract.content), signature, organisation=organisation, at=now
        )
        setattr(contract, f"{party}_signature", signature)
        setattr(contract, f"{party}_certificate", certificate)
        setattr(contract, f"{party}_signed_by", actor)
        setattr(contract, f"{party}_signed_at", now)
        money = {}
        if contract.both_signed:
            contract.enter_into_force()
            money = _obligate(tender, contract, actor)
        contract.save()
        status = settle_tender(tender, actor)
        record(
            Action.CONTRACT_SIGNED,
            subject=contract,
            actor=actor,
            data={
                "tender": tender.number,
                "number": contract.number,
                "party": party,
                "sha256": contract.sha256,
                "certificate": certificate.fingerprint_sha256,
                "in_force": contract.both_signed,
                "status": status,
                **money,
            },
        )
        if contract.both_signed:
            transaction.on_commit(lambda: issue_checkpoint(reason="contract"))
    return contract


def _obligate(tender, contract: Contract, actor: User) -> dict:
    """The lot's reservation becomes an obligation at the contract price; the savings (the
    lot's amount less the price) go back to the line."""
    lot = contract.lot
    obligate(
        line=lot.budget_line,
        amount=contract.price,
        reference=(TENDER_SUBJECT, tender.pk),
        actor=actor,
        note=f"{contract.number}",
    )
    savings = lot.amount - contract.price
    if savings > 0:
        release(
            line=lot.budget_line,
            amount=savings,
            reference=(TENDER_SUBJECT, tender.pk),
            actor=actor,
            note=f"{contract.number} savings",
        )
    return {"obligated": contract.price, "savings": savings}
