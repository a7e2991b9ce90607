"""A single-source purchase: no bidding. The buyer records the justified decision to buy
from one named supplier at one price; the lot's money is reserved, the award is active at
once and the contract is drafted for both sides to sign."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from audit.actions import Action
from audit.recorder import record
from awards.common import checked_text, lock_tender, refuse_unless_status, sha256_text
from awards.models import Award
from awards.permissions import is_agency_signer
from awards.settling import settle_tender
from contracts.models import Contract
from contracts.services.awarding import draft_contract
from contracts.services.execution import checked_amount
from procurement.amending import new_version
from procurement.choices import LotStatus, TenderStatus
from procurement.models import Tender
from procurement.money import format_money
from procurement.services.ledger import reserve
from procurement.services.tenders import TENDER_SUBJECT
from suppliers.models import Organisation

SINGLE_SOURCE = "single_source"


def _checked_supplier(supplier: Organisation, now) -> None:
    if supplier.kind != "supplier" or not supplier.is_verified:
        raise ValidationError({"supplier": [_("Choose a verified supplier.")]})
    if Organisation.objects.filter(pk=supplier.pk).blacklisted_at(now).exists():
        raise ValidationError(
            {
                "supplier": [
                    _("%(org)s is on the register of unreliable suppliers.") % {"org": supplier}
                ]
            }
        )


def contract_directly(
    *, tender: Tender, actor: User, supplier: Organisation, price, justification: str
) -> Contract:
    """From a draft single-source tender with one lot straight to a contract to sign."""
    price = checked_amount(price, "price")
    justification = checked_text(
        justification, "justification", _("Justify buying from a single source.")
    )
    with transaction.atomic():
        tender = lock_tender(tender)
        if not is_agency_signer(tender.agency, actor):
            raise PermissionDenied(
                _("Only the agency's buyers and administrators run its tenders.")
            )
        refuse_unless_status(tender, [TenderStatus.DRAFT], _("Contracting from a single source"))
        if tender.procedure.code != SINGLE_SOURCE:
            raise ValidationError(
                _("%(procedure)s is a competitive procedure: publish the tender instead.")
                % {"procedure": tender.procedure},
                code="not_single_source",
            )
        lots = list(tender.lots.filter(status=LotStatus.ACTIVE).select_related("budget_line"))
        if len(lots) != 1:
            raise ValidationError(
                _("A single-source purchase has exactly one lot; this draft has %(n)s.")
                % {"n": len(lots)},
                code="lots",
            )
        lot, now = lots[0], timezone.now()
        if price > lot.amount:
            raise ValidationError(
                {
                    "price": [
                        _("The price is above the lot's amount, %(amount)s.")
                        % {"amount": format_money(lot.amount, tender.currency)}
                    ]
                }
            )
        _checked_supplier(supplier, now)
        tender.contract_directly()
        tender.save()
        reserve(
            line=lot.budget_line,
            amount=lot.amount,
            reference=(TENDER_SUBJECT, tender.pk),
            actor=actor,
            note=f"{tender.number} lot {lot.number}",
        )
        version = new_version(tender, actor=actor, reason="", changes=[], now=now, give_time=False)
        award = Award.objects.create(
            tender=tender,
            lot=lot,
            supplier=supplier,
            rank=1,
            price=price,
            currency=tender.currency,
            standstill_end=now,
            justification=justification,
        )
        award.activate()
        award.save()
        contract = draft_contract(tender, award, now)
        settle_tender(tender, actor)
        record(
            Action.SINGLE_SOURCE_CONTRACTED,
            subject=contract,
            actor=actor,
            data={
                "tender": tender.number,
                "number": contract.number,
                "supplier": supplier.bin,
                "price": price,
                "lot_amount": lot.amount,
                "justification_sha256": sha256_text(justification),
                "version_sha256": version.sha256,
            },
        )
    return contract
