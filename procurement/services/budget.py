"""An agency's budget lines and its annual plan: entering lines, amending the approved
amount, and adding, approving and cancelling plan items."""

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from accounts.models import User
from audit.actions import Action
from audit.recorder import record
from procurement.models import BudgetLine, PlanItem, Procedure
from procurement.money import DEFAULT_CURRENCY, format_money
from procurement.permissions import can_manage_budget
from procurement.services.ledger import lock_budget_line
from suppliers.models import Organisation

REASON_MAX = 400


def _check_manager(agency: Organisation, actor: User) -> None:
    if not can_manage_budget(agency, actor):
        raise PermissionDenied(
            _("Only the agency's buyers and administrators keep its plan and budget.")
        )


def _field_error(field: str, message: str, code: str) -> ValidationError:
    """A refusal at one field that keeps its code (the API reports it as `error.code`)."""
    return ValidationError({field: [ValidationError(message, code=code)]})


def _clean_reason(reason: str, missing: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [missing]})
    if len(reason) > REASON_MAX:
        raise ValidationError(
            {"reason": [_("Keep the reason to %(n)s characters or fewer.") % {"n": REASON_MAX}]}
        )
    return reason


def _line_data(line: BudgetLine) -> dict:
    return {
        "agency": line.agency_id,
        "fiscal_year": line.fiscal_year,
        "programme_code": line.programme_code,
        "subprogramme_code": line.subprogramme_code,
        "specifics_code": line.specifics_code,
        "name": line.name,
        "approved_amount": line.approved_amount,
        "currency": line.currency,
    }


def create_budget_line(
    *,
    agency: Organisation,
    fiscal_year: int,
    programme_code: str,
    name: str,
    approved_amount: Decimal,
    actor: User,
    subprogramme_code: str = "",
    specifics_code: str = "",
    currency: str = DEFAULT_CURRENCY,
) -> BudgetLine:
    """Enter an appropriation of the agency's approved budget for a fiscal year."""
    _check_manager(agency, actor)  # buying agencies only: the predicate says so
    line = BudgetLine(
        agency=agency,
        fiscal_year=fiscal_year,
        programme_code=(programme_code or "").strip(),
        subprogramme_code=(subprogramme_code or "").strip(),
        specifics_code=(specifics_code or "").strip(),
        name=(name or "").strip(),
        approved_amount=approved_amount,
        currency=currency,
    )
    with transaction.atomic():
        _refuse_duplicate(line)
        line.full_clean()
        try:
            with transaction.atomic():
                line.save()
        except IntegrityError as exc:  # two clerks entering the same line at once
            raise _field_error("programme_code", _duplicate_message(line), "duplicate") from exc
        record(Action.BUDGET_LINE_CREATED, subject=line, actor=actor, data=_line_data(line))
    return line


def _duplicate_message(line: BudgetLine) -> str:
    return _("The agency already has budget line %(code)s for %(year)s.") % {
        "code": line.code,
        "year": line.fiscal_year,
    }


def _refuse_duplicate(line: BudgetLine) -> None:
    if BudgetLine.objects.filter(
        agency=line.agency,
        fiscal_year=line.fiscal_year,
        programme_code=line.programme_code,
        subprogramme_code=line.subprogramme_code,
    ).exists():
        raise _field_error("programme_code", _duplicate_message(line), "duplicate")


def change_approved_amount(
    *, line: BudgetLine, approved_amount: Decimal, reason: str, actor: User
) -> BudgetLine:
    """Amend the approved amount (a budget clarification); never below what is committed."""
    _check_manager(line.agency, actor)
    reason = _clean_reason(reason, _("Give the basis of the change, e.g. the order."))
    with transaction.atomic():
        line = lock_budget_line(line)
        previous = line.approved_amount
        if approved_amount == previous:
            raise ValidationError(
                {
                    "approved_amount": [
                        _("The approved amount is already %(a)s.")
                        % {"a": format_money(previous, line.currency)}
                    ]
                }
            )
        _refuse_below_committed(line, approved_amount)
        line.approved_amount = approved_amount
        line.full_clean()
        line.save(update_fields=["approved_amount"])
        record(
            Action.BUDGET_LINE_AMENDED,
            subject=line,
            actor=actor,
            data={"from": previous, "to": line.approved_amount, "reason": reason},
        )
    return line


def _refuse_below_committed(line: BudgetLine, approved_amount: Decimal) -> None:
    committed = line.reserved + line.obligated + line.paid
    if approved_amount < committed:
        message = _(
            "Budget line %(code)s “%(name)s” has %(committed)s committed (reserved, obligated "
            "or paid): the approved amount cannot go below it, %(shortfall)s short."
        ) % {
            "code": line.code,
            "name": line.name,
            "committed": format_money(committed, line.currency),
            "shortfall": format_money(committed - approved_amount, line.currency),
        }
        raise _field_error("approved_amount", message, "below_committed")


def add_plan_item(
    *,
    agency: Organisation,
    budget_line: BudgetLine,
    fiscal_year: int,
    subject: str,
    nomenclature_code: str,
    quantity: Decimal,
    unit: str,
    planned_amount: Decimal,
    procedure: Procedure,
    planned_month: int,
    actor: User,
) -> PlanItem:
    """Add a draft item to the agency's plan for the year, paid from one of its lines."""
    _check_manager(agency, actor)
    _check_item_fits(agency, budget_line, fiscal_year, procedure, planned_amount)
    item = PlanItem(
        agency=agency,
        budget_line=budget_line,
        fiscal_year=fiscal_year,
        subject=(subject or "").strip(),
        nomenclature_code=(nomenclature_code or "").strip(),
        quantity=quantity,
        unit=(unit or "").strip(),
        planned_amount=planned_amount,
        currency=budget_line.currency,
        procedure=procedure,
        planned_month=planned_month,
        created_by=actor,
    )
    item.full_clean(exclude=["status"])
    with transaction.atomic():
        item.save()
        record(Action.PLAN_ITEM_ADDED, subject=item, actor=actor, data=_item_data(item))
    return item


def _check_item_fits(agency, line, fiscal_year, procedure, planned_amount) -> None:
    if line.agency_id != agency.pk:
        raise ValidationError(
            {"budget_line": [_("Budget line %(code)s is not this agency's.") % {"code": line.code}]}
        )
    if line.fiscal_year != fiscal_year:
        raise ValidationError(
            {
                "fiscal_year": [
                    _("Budget line %(code)s is for %(line_year)s, not %(year)s.")
                    % {"code": line.code, "line_year": line.fiscal_year, "year": fiscal_year}
                ]
            }
        )
    if not procedure.is_active:
        raise ValidationError({"procedure": [_("%(p)s is no longer used.") % {"p": procedure}]})
    if planned_amount is not None and not procedure.allows_amount(planned_amount):
        message = _("%(p)s may be used up to %(ceiling)s; the planned amount is %(amount)s.") % {
            "p": procedure,
            "ceiling": format_money(procedure.value_ceiling, procedure.currency),
            "amount": format_money(planned_amount, line.currency),
        }
        raise _field_error("planned_amount", message, "above_ceiling")


def _item_data(item: PlanItem) -> dict:
    return {
        "agency": item.agency_id,
        "budget_line": item.budget_line_id,
        "fiscal_year": item.fiscal_year,
        "subject": item.subject,
        "nomenclature_code": item.nomenclature_code,
        "quantity": item.quantity,
        "unit": item.unit,
        "planned_amount": item.planned_amount,
        "currency": item.currency,
        "procedure": item.procedure.code,
        "planned_month": item.planned_month,
    }


def _locked_item(item: PlanItem) -> PlanItem:
    # The line first, then the item: the order every service that holds both follows.
    BudgetLine.objects.select_for_update().filter(pk=item.budget_line_id).values_list("pk").get()
    return PlanItem.objects.select_for_update().select_related("budget_line").get(pk=item.pk)


def _refuse_move(item: PlanItem, transition, message: str) -> None:
    if not can_proceed(transition):
        raise ValidationError(
            message % {"status": item.get_status_display().lower()}, code="invalid_status"
        )


def _refuse_above_approved(item: PlanItem) -> None:
    line = item.budget_line
    if item.planned_amount > line.approved_amount:
        message = _(
            "The planned amount %(amount)s is more than the approved amount of budget line "
            "%(code)s “%(name)s”, %(approved)s."
        ) % {
            "amount": format_money(item.planned_amount, item.currency),
            "code": line.code,
            "name": line.name,
            "approved": format_money(line.approved_amount, line.currency),
        }
        raise _field_error("planned_amount", message, "above_approved")


def approve_plan_item(*, item: PlanItem, actor: User) -> PlanItem:
    """Approve a draft item; a tender can then be created from it."""
    _check_manager(item.agency, actor)
    with transaction.atomic():
        item = _locked_item(item)
        _refuse_move(
            item, item.approve, _("Only a draft plan item can be approved; this one is %(status)s.")
        )
        _refuse_above_approved(item)
        item.approve()
        item.save()
        record(Action.PLAN_ITEM_APPROVED, subject=item, actor=actor, data=_item_data(item))
    return item


def cancel_plan_item(*, item: PlanItem, reason: str, actor: User) -> PlanItem:
    """Take a draft item off the plan; it stays on record as cancelled."""
    _check_manager(item.agency, actor)
    reason = _clean_reason(reason, _("Give the reason for cancelling the item."))
    with transaction.atomic():
        item = _locked_item(item)
        _refuse_move(
            item, item.cancel, _("Only a draft plan item can be cancelled; this one is %(status)s.")
        )
        item.cancel(reason=reason)
        item.save()
        record(Action.PLAN_ITEM_CANCELLED, subject=item, actor=actor, data={"reason": reason})
    return item
