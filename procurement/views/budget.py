"""An agency's budget page: its lines with their balances and its plan for one year."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from procurement.forms import BudgetLineForm, CancelPlanItemForm, PlanItemForm
from procurement.models import BudgetLine, PlanItem
from procurement.money import ZERO
from procurement.permissions import can_manage_budget, can_view_budget
from procurement.services.budget import (
    add_plan_item,
    approve_plan_item,
    cancel_plan_item,
    create_budget_line,
)
from suppliers.choices import OrganisationKind
from suppliers.models import Organisation
from suppliers.views.errors import apply_errors

BALANCES = ("approved_amount", "reserved", "obligated", "paid", "available")


def _agency(bin: str) -> Organisation:
    return get_object_or_404(Organisation, bin=bin, kind=OrganisationKind.AGENCY)


def _require_manager(agency: Organisation, user) -> None:
    if not can_manage_budget(agency, user):
        raise PermissionDenied(
            _("Only the agency's buyers and administrators keep its plan and budget.")
        )


def _year(value) -> int:
    try:
        year = int(value)
    except (TypeError, ValueError):
        return timezone.localdate().year
    return year if 2000 <= year <= 2100 else timezone.localdate().year


def _page_url(agency: Organisation, year: int) -> str:
    return f"{reverse('procurement:budget', args=[agency.bin])}?year={year}"


def _render(request, agency, year, *, line_form=None, item_form=None):
    lines = list(BudgetLine.objects.of_agency(agency).of_year(year).with_balances())
    manage = can_manage_budget(agency, request.user)
    years = set(BudgetLine.objects.of_agency(agency).values_list("fiscal_year", flat=True))
    context = {
        "agency": agency,
        "year": year,
        "years": sorted(years | {year}),
        "lines": lines,
        "totals": {name: sum((getattr(x, name) for x in lines), ZERO) for name in BALANCES},
        "items": PlanItem.objects.of_agency(agency)
        .of_year(year)
        .select_related("budget_line", "procedure"),
        "can_manage": manage,
    }
    if manage:
        context["line_form"] = line_form or BudgetLineForm(initial={"fiscal_year": year})
        context["item_form"] = item_form or PlanItemForm(
            agency=agency, lines=lines, initial={"fiscal_year": year}
        )
    return render(request, "procurement/budgetline_list.html", context)


@login_required
@require_GET
def budget(request, bin: str):
    agency = _agency(bin)
    if not can_view_budget(agency, request.user):
        raise PermissionDenied(
            _("Only members of %(org)s, auditors and operators see its budget.") % {"org": agency}
        )
    return _render(request, agency, _year(request.GET.get("year")))


@login_required
@require_POST
def create_line(request, bin: str):
    agency = _agency(bin)
    _require_manager(agency, request.user)
    form = BudgetLineForm(request.POST)
    if form.is_valid():
        try:
            line = create_budget_line(agency=agency, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(exc, form)
        else:
            messages.success(request, _("Budget line %(line)s was added.") % {"line": line})
            return redirect(_page_url(agency, line.fiscal_year))
    year = _year(form.cleaned_data.get("fiscal_year") or request.POST.get("fiscal_year"))
    return _render(request, agency, year, line_form=form)


@login_required
@require_POST
def create_item(request, bin: str):
    agency = _agency(bin)
    _require_manager(agency, request.user)
    year = _year(request.POST.get("fiscal_year"))
    lines = BudgetLine.objects.of_agency(agency).of_year(year)
    form = PlanItemForm(request.POST, agency=agency, lines=lines)
    if form.is_valid():
        try:
            item = add_plan_item(agency=agency, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(exc, form)
        else:
            messages.success(
                request, _("“%(item)s” was added to the plan.") % {"item": item.subject}
            )
            return redirect(_page_url(agency, item.fiscal_year))
    return _render(request, agency, year, item_form=form)


def _item(bin: str, item_id: int) -> PlanItem:
    return get_object_or_404(PlanItem.objects.select_related("agency"), pk=item_id, agency__bin=bin)


@login_required
@require_POST
def approve_item(request, bin: str, item_id: int):
    item = _item(bin, item_id)
    _require_manager(item.agency, request.user)
    try:
        approve_plan_item(item=item, actor=request.user)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, _("“%(item)s” is approved.") % {"item": item.subject})
    return redirect(_page_url(item.agency, item.fiscal_year))


@login_required
@require_POST
def cancel_item(request, bin: str, item_id: int):
    item = _item(bin, item_id)
    _require_manager(item.agency, request.user)
    form = CancelPlanItemForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(form.errors["reason"])
        cancel_plan_item(item=item, reason=form.cleaned_data["reason"], actor=request.user)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, _("“%(item)s” was cancelled.") % {"item": item.subject})
    return redirect(_page_url(item.agency, item.fiscal_year))
