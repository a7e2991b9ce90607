"""Life under a signed contract, recorded by the buyer's side: price amendments within the
procedure's limit (each moves the obligation), acceptance acts for what was delivered,
payments (never more than was accepted, nor than is obligated), and termination (the unpaid
obligation goes back to the line). A contract paid in full is fulfilled."""

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from accounts.models import User
from audit.actions import Action
from audit.recorder import record
from awards.common import checked_text
from contracts.choices import AcceptanceStatus, ContractStatus
from contracts.models import Acceptance, Contract, ContractAmendment, Payment
from contracts.permissions import can_manage_contract
from procurement.money import format_money, round_money
from procurement.services.ledger import deobligate, obligate, pay, reserve

HUNDRED = Decimal("100")


def _refuse_unless_manager(contract: Contract, actor: User) -> None:
    # Before the input is read, so that someone who may not act learns only that.
    if not can_manage_contract(contract, actor):
        raise PermissionDenied(_("Only the buyer's agency manages its contracts."))


def _locked(contract: Contract, actor: User) -> Contract:
    _refuse_unless_manager(contract, actor)
    return (
        Contract.objects.select_for_update(of=("self",))
        .select_related("lot__budget_line", "tender__procedure")
        .get(pk=contract.pk)
    )


def _refuse_unless_active(contract: Contract, doing: str) -> None:
    if contract.status != ContractStatus.ACTIVE:
        raise ValidationError(
            _("%(doing)s is possible only under a contract in force; %(number)s is %(status)s.")
            % {
                "doing": doing,
                "number": contract.number,
                "status": contract.get_status_display().lower(),
            },
            code="invalid_status",
        )


def checked_amount(amount, field: str = "amount") -> Decimal:
    try:
        value = Decimal(str(amount))
    except ArithmeticError:
        value = None
    if value is None or not value.is_finite() or value <= 0 or round_money(value) != value:
        raise ValidationError({field: [_("Give an amount above zero with at most two decimals.")]})
    return value


def _next_number(rows) -> int:
    return (rows.aggregate(n=Max("number"))["n"] or 0) + 1


def amend_contract(*, contract: Contract, actor: User, new_price, reason: str) -> ContractAmendment:
    """Change the price, within the limit from the price at signature, with the reason; the
    obligation follows (a rise is reserved and obligated from what is available)."""
    _refuse_unless_manager(contract, actor)
    new_price = checked_amount(new_price, "new_price")
    reason = checked_text(reason, "reason", _("Say why the price changes."))
    with transaction.atomic():
        contract = _locked(contract, actor)
        _refuse_unless_active(contract, _("Amending"))
        limit = contract.tender.procedure.contract_change_limit
        largest = round_money(contract.original_price * limit / HUNDRED)
        if abs(new_price - contract.original_price) > largest:
            raise ValidationError(
                {
                    "new_price": [
                        _(
                            "The price may move by at most %(limit)s%% of %(original)s, that is "
                            "%(largest)s, to between %(low)s and %(high)s."
                        )
                        % {
                            "limit": limit,
                            "original": format_money(contract.original_price, contract.currency),
                            "largest": format_money(largest),
                            "low": format_money(contract.original_price - largest),
                            "high": format_money(contract.original_price + largest),
                        }
                    ]
                }
            )
        paid = contract.paid_total()
        if new_price < max(paid, contract.accepted_total()):
            raise ValidationError(
                {
                    "new_price": [
                        _("The price cannot go below what was already accepted or paid, %(a)s.")
                        % {"a": format_money(max(paid, contract.accepted_total()))}
                    ]
                }
            )
        if new_price == contract.price:
            raise ValidationError({"new_price": [_("This is the price already in force.")]})
        line, delta = contract.lot.budget_line, new_price - contract.price
        if delta > 0:
            reserve(line=line, amount=delta, reference=contract, actor=actor, note=contract.number)
            obligate(line=line, amount=delta, reference=contract, actor=actor, note=contract.number)
        else:
            deobligate(
                line=line, amount=-delta, reference=contract, actor=actor, note=contract.number
            )
        amendment = ContractAmendment.objects.create(
            contract=contract,
            number=_next_number(contract.amendments),
            old_price=contract.price,
            new_price=new_price,
            reason=reason,
            made_by=actor,
        )
        contract.price = new_price
        contract.save(update_fields=["price"])
        record(
            Action.CONTRACT_AMENDED,
            subject=contract,
            actor=actor,
            data={
                "number": contract.number,
                "amendment": amendment.number,
                "old_price": amendment.old_price,
                "new_price": new_price,
                "reason": reason,
            },
        )
    return amendment


def accept_delivery(*, contract: Contract, actor: User, amount, description: str) -> Acceptance:
    """Record an acceptance act for goods, works or services delivered."""
    _refuse_unless_manager(contract, actor)
    amount = checked_amount(amount)
    description = checked_text(description, "description", _("Say what was delivered."))
    with transaction.atomic():
        contract = _locked(contract, actor)
        _refuse_unless_active(contract, _("Accepting deliveries"))
        left = contract.price - contract.accepted_total()
        if amount > left:
            raise ValidationError(
                {
                    "amount": [
                        _("Only %(left)s of the contract's price is not yet accepted.")
                        % {"left": format_money(left, contract.currency)}
                    ]
                }
            )
        act = Acceptance.objects.create(
            contract=contract,
            number=_next_number(contract.acceptances),
            amount=amount,
            description=description,
            accepted_by=actor,
        )
        record(
            Action.DELIVERY_ACCEPTED,
            subject=act,
            actor=actor,
            data={"contract": contract.number, "act": act.number, "amount": amount},
        )
    return act


def record_payment(*, contract: Contract, actor: User, amount, reference: str) -> Payment:
    """A payment under the contract: at most what was accepted and not yet paid. The ledger
    moves it from obligated to paid (and refuses more than is obligated)."""
    _refuse_unless_manager(contract, actor)
    amount = checked_amount(amount)
    reference = checked_text(reference, "reference", _("Give the payment order's number."), 100)
    with transaction.atomic():
        contract = _locked(contract, actor)
        _refuse_unless_active(contract, _("Paying"))
        payable = contract.accepted_total() - contract.paid_total()
        if amount > payable:
            raise ValidationError(
                {
                    "amount": [
                        _(
                            "Only %(payable)s is accepted and not yet paid; record the "
                            "acceptance act before paying for a delivery."
                        )
                        % {"payable": format_money(payable, contract.currency)}
                    ]
                }
            )
        pay(
            line=contract.lot.budget_line,
            amount=amount,
            reference=contract,
            actor=actor,
            note=f"{contract.number} {reference}",
        )
        payment = Payment.objects.create(
            contract=contract,
            number=_next_number(contract.payments),
            amount=amount,
            reference=reference,
            paid_by=actor,
        )
        _settle_acts(contract)
        fulfilled = contract.paid_total() == contract.price
        if fulfilled:
            contract.fulfil()
            contract.save()
        record(
            Action.PAYMENT_RECORDED,
            subject=payment,
            actor=actor,
            data={
                "contract": contract.number,
                "payment": payment.number,
                "amount": amount,
                "reference": reference,
                "fulfilled": fulfilled,
            },
        )
    return payment


def _settle_acts(contract: Contract) -> None:
    """Acts are paid oldest first: mark those the payments now cover in full."""
    covered = contract.paid_total()
    for act in contract.acceptances.order_by("number"):
        covered -= act.amount
        if covered < 0:
            break
        if act.status == AcceptanceStatus.ACCEPTED:
            act.settle()
            act.save()


def terminate_contract(*, contract: Contract, actor: User, reason: str) -> Contract:
    """End a contract in force early; what is obligated and unpaid goes back to the line."""
    _refuse_unless_manager(contract, actor)
    reason = checked_text(reason, "reason", _("Say why the contract is terminated."))
    with transaction.atomic():
        contract = _locked(contract, actor)
        _refuse_unless_active(contract, _("Terminating"))
        unpaid = contract.price - contract.paid_total()
        if unpaid > 0:
            deobligate(
                line=contract.lot.budget_line,
                amount=unpaid,
                reference=contract,
                actor=actor,
                note=f"{contract.number} terminated",
            )
        contract.terminate(reason=reason)
        contract.save()
        record(
            Action.CONTRACT_TERMINATED,
            subject=contract,
            actor=actor,
            data={"number": contract.number, "reason": reason, "freed": unpaid},
        )
    return contract
