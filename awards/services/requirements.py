"""The tender's checklist (documents, qualification criteria, scored criteria) and its
contract terms: set by the buyer while the tender is a draft, so every bid answers the same
conditions (a published tender changes them only by an amendment, not here)."""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, Sum
from django.utils.translation import gettext as _

from accounts.models import User
from audit.actions import Action
from audit.recorder import record
from awards.choices import RequirementKind
from awards.common import checked_text, lock_tender, refuse_unless_status, sha256_text
from awards.models import Requirement
from awards.permissions import can_define_requirements
from procurement.choices import AwardCriterion, TenderStatus
from procurement.models import Tender

HUNDRED = Decimal("100")


def _refuse_unless_buyer(tender: Tender, actor: User) -> None:
    if not can_define_requirements(tender, actor):
        raise PermissionDenied(_("Only the agency's buyers and administrators run its tenders."))


def _checked_weight(tender: Tender, kind: str, weight) -> Decimal | None:
    if kind != RequirementKind.CRITERION:
        if weight not in (None, ""):
            raise ValidationError({"weight": [_("Only non-price criteria carry a weight.")]})
        return None
    if tender.procedure.award_criterion != AwardCriterion.WEIGHTED_SCORING:
        raise ValidationError(
            {
                "kind": [
                    _("%(procedure)s awards on the lowest price: it has no scored criteria.")
                    % {"procedure": tender.procedure}
                ]
            }
        )
    try:
        weight = Decimal(str(weight))
    except (InvalidOperation, ValueError):
        raise ValidationError(
            {"weight": [_("Give the weight as a percentage, e.g. 20.")]}
        ) from None
    if not weight.is_finite() or weight <= 0 or weight != weight.quantize(Decimal("0.01")):
        raise ValidationError({"weight": [_("The weight is a percentage above 0, e.g. 20.")]})
    taken = tender.requirements.aggregate(t=Sum("weight", default=Decimal("0")))["t"]
    if taken + weight >= HUNDRED:
        raise ValidationError(
            {
                "weight": [
                    _(
                        "The criteria would weigh %(total)s%% together; the price must keep "
                        "some weight, so they may weigh at most %(left)s%% more."
                    )
                    % {
                        "total": f"{taken + weight:.2f}",
                        "left": f"{HUNDRED - taken - Decimal('0.01'):.2f}",
                    }
                ]
            }
        )
    return weight


def add_requirement(
    *,
    tender: Tender,
    actor: User,
    kind: str,
    title: str,
    description: str = "",
    weight=None,
) -> Requirement:
    """Add a line to a draft tender's checklist."""
    _refuse_unless_buyer(tender, actor)
    if kind not in RequirementKind.values:
        raise ValidationError({"kind": [_("Choose a document, a qualification or a criterion.")]})
    title = checked_text(title, "title", _("Name the requirement."), limit=300)
    description = (description or "").strip()
    with transaction.atomic():
        tender = lock_tender(tender)
        refuse_unless_status(tender, [TenderStatus.DRAFT], _("Changing the requirements"))
        weight = _checked_weight(tender, kind, weight)
        number = (tender.requirements.aggregate(n=Max("number"))["n"] or 0) + 1
        requirement = Requirement.objects.create(
            tender=tender,
            number=number,
            kind=kind,
            title=title,
            description=description,
            weight=weight,
        )
        record(
            Action.REQUIREMENT_ADDED,
            subject=requirement,
            actor=actor,
            data={
                "tender": tender.number,
                "number": number,
                "kind": kind,
                "title": title,
                "weight": weight,
            },
        )
    return requirement


def set_contract_terms(*, tender: Tender, actor: User, terms: str) -> Tender:
    """The delivery terms and contract template every contract of the tender is drafted from."""
    _refuse_unless_buyer(tender, actor)
    terms = checked_text(terms, "terms", _("Write the delivery terms."), limit=20000)
    with transaction.atomic():
        tender = lock_tender(tender)
        refuse_unless_status(tender, [TenderStatus.DRAFT], _("Changing the contract terms"))
        tender.contract_terms = terms
        tender.save(update_fields=["contract_terms"])
        record(
            Action.CONTRACT_TERMS_SET,
            subject=tender,
            actor=actor,
            data={"terms_sha256": sha256_text(terms)},
        )
    return tender
