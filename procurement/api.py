"""Plans and budget: an agency's budget lines with their balances, and its annual plan.

Amounts are decimal strings (`"1250000.00"`), never floats. A budget line is cited the way
budget documents cite it, by programme and subprogramme code (`001/015`, or `001`) within a
fiscal year, so that a client's own accounting system needs no ids of ours.
"""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from accounts.auth import API_AUTH
from config.api_errors import ERROR_RESPONSES, PageNumbers
from procurement.choices import PlanItemStatus
from procurement.models import BudgetLine, PlanItem, Procedure
from procurement.permissions import can_manage_budget, can_view_budget
from procurement.services.budget import (
    add_plan_item,
    approve_plan_item,
    cancel_plan_item,
    create_budget_line,
)
from suppliers.choices import OrganisationKind
from suppliers.models import Organisation

router = Router(tags=["plans and budget"])

CODE = r"^[0-9]{3}(/[0-9]{3})?$"


class ProcedureOut(Schema):
    code: str
    name: str
    enquiry_days: int
    submission_days: int
    review_days: int
    day_kind: str = Field(..., description="working or calendar")
    min_bids: int
    award_criterion: str
    standstill_days: int
    complaint_window_days: int
    sealed_bids: bool
    value_ceiling: Decimal | None = Field(None, description="null: no ceiling")
    currency: str


class BudgetLineOut(Schema):
    id: int
    agency_bin: str
    fiscal_year: int
    code: str = Field(..., description="programme/subprogramme, e.g. 001/015")
    programme_code: str
    subprogramme_code: str
    specifics_code: str
    name: str
    currency: str
    approved_amount: Decimal
    reserved: Decimal
    obligated: Decimal
    paid: Decimal
    available: Decimal = Field(..., description="approved − reserved − obligated − paid")

    @staticmethod
    def resolve_agency_bin(obj) -> str:
        return obj.agency.bin


class BudgetLineIn(Schema):
    fiscal_year: int = Field(..., ge=2000, le=2100)
    programme_code: str = Field(..., pattern=r"^[0-9]{3}$")
    subprogramme_code: str = Field("", pattern=r"^([0-9]{3})?$")
    specifics_code: str = Field("", pattern=r"^([0-9]{3})?$")
    name: str = Field(..., min_length=1, max_length=300)
    approved_amount: Decimal = Field(..., ge=0, max_digits=18, decimal_places=2)
    currency: str = Field("KZT", pattern=r"^[A-Z]{3}$")


class PlanItemOut(Schema):
    id: int
    agency_bin: str
    fiscal_year: int
    budget_line: str = Field(..., description="the line's code, e.g. 001/015")
    subject: str
    nomenclature_code: str
    quantity: Decimal
    unit: str
    planned_amount: Decimal
    currency: str
    procedure: str = Field(..., description="the procedure's code")
    planned_month: int
    status: str
    cancel_reason: str
    approved_at: dt.datetime | None
    cancelled_at: dt.datetime | None

    @staticmethod
    def resolve_agency_bin(obj) -> str:
        return obj.agency.bin

    @staticmethod
    def resolve_budget_line(obj) -> str:
        return obj.budget_line.code

    @staticmethod
    def resolve_procedure(obj) -> str:
        return obj.procedure.code


class PlanItemIn(Schema):
    fiscal_year: int = Field(..., ge=2000, le=2100)
    budget_line: str = Field(..., pattern=CODE, description="the line's code, e.g. 001/015")
    subject: str = Field(..., min_length=1, max_length=500)
    nomenclature_code: str = Field(..., min_length=1, max_length=40)
    quantity: Decimal = Field(..., gt=0, max_digits=18, decimal_places=3)
    unit: str = Field(..., min_length=1, max_length=40)
    planned_amount: Decimal = Field(..., gt=0, max_digits=18, decimal_places=2)
    procedure: str = Field(..., description="code of an active procedure, see /plans/procedures")
    planned_month: int = Field(..., ge=1, le=12)


class CancelIn(Schema):
    reason: str = Field(..., min_length=1, max_length=400)


class YearFilter(Schema):
    fiscal_year: int | None = Field(None, ge=2000, le=2100)


class PlanItemFilter(YearFilter):
    status: PlanItemStatus | None = None


def _agency(request, bin: str, *, manage: bool = False) -> Organisation:
    agency = get_object_or_404(Organisation, bin=bin, kind=OrganisationKind.AGENCY)
    if manage and not can_manage_budget(agency, request.auth):
        raise PermissionDenied(
            _("Only the agency's buyers and administrators keep its plan and budget.")
        )
    if not can_view_budget(agency, request.auth):
        raise PermissionDenied(
            _("Only members of %(org)s, auditors and operators see its budget.") % {"org": agency}
        )
    return agency


def _line_out(line: BudgetLine) -> BudgetLine:
    return BudgetLine.objects.with_balances().select_related("agency").get(pk=line.pk)


@router.get(
    "/procedures",
    response=list[ProcedureOut],
    summary="Procedures in use, with their periods and ceilings",
    url_name="list_procedures",
)
def list_procedures(request):
    return Procedure.objects.filter(is_active=True)


@router.get(
    "/{bin}/budget-lines",
    response={200: list[BudgetLineOut], **ERROR_RESPONSES},
    auth=API_AUTH,
    summary="An agency's budget lines with approved, reserved, obligated, paid and available",
    url_name="list_budget_lines",
)
def list_budget_lines(request, bin: str, filters: Query[YearFilter]):
    agency = _agency(request, bin)
    lines = BudgetLine.objects.of_agency(agency).with_balances().select_related("agency")
    if filters.fiscal_year:
        lines = lines.of_year(filters.fiscal_year)
    return lines


@router.post(
    "/{bin}/budget-lines",
    response={201: BudgetLineOut, **ERROR_RESPONSES},
    auth=API_AUTH,
    summary="Enter a budget line of the agency (buyers, administrators, operators)",
    url_name="create_budget_line",
)
def create_line(request, bin: str, payload: BudgetLineIn):
    agency = _agency(request, bin, manage=True)
    line = create_budget_line(agency=agency, actor=request.auth, **payload.dict())
    return Status(201, _line_out(line))


@router.get(
    "/{bin}/plan-items",
    response={200: list[PlanItemOut], **ERROR_RESPONSES},
    auth=API_AUTH,
    summary="An agency's plan items, newest year first",
    url_name="list_plan_items",
)
@paginate(PageNumbers, page_size=50)
def list_plan_items(request, bin: str, filters: Query[PlanItemFilter]):
    agency = _agency(request, bin)
    items = PlanItem.objects.of_agency(agency).select_related("agency", "budget_line", "procedure")
    if filters.fiscal_year:
        items = items.of_year(filters.fiscal_year)
    if filters.status:
        items = items.filter(status=filters.status)
    return items.order_by("-fiscal_year", "planned_month", "pk")


def _item_details(agency: Organisation, payload: PlanItemIn) -> dict:
    details = payload.dict()
    year, code = details["fiscal_year"], details["budget_line"]
    line = BudgetLine.objects.of_agency(agency).of_year(year).with_code(code).first()
    if line is None:
        raise ValidationError(
            {
                "budget_line": [
                    _("The agency has no budget line %(code)s for %(year)s.")
                    % {"code": code, "year": year}
                ]
            }
        )
    procedure = Procedure.objects.filter(code=details["procedure"]).first()
    if procedure is None:
        raise ValidationError({"procedure": [_("There is no procedure with this code.")]})
    return {**details, "budget_line": line, "procedure": procedure}


@router.post(
    "/{bin}/plan-items",
    response={201: PlanItemOut, **ERROR_RESPONSES},
    auth=API_AUTH,
    summary="Add a draft item to the agency's plan",
    url_name="create_plan_item",
)
def create_plan_item(request, bin: str, payload: PlanItemIn):
    agency = _agency(request, bin, manage=True)
    item = add_plan_item(agency=agency, actor=request.auth, **_item_details(agency, payload))
    return Status(201, item)


def _item(request, bin: str, item_id: int) -> PlanItem:
    _agency(request, bin, manage=True)
    return get_object_or_404(
        PlanItem.objects.select_related("agency", "budget_line", "procedure"),
        pk=item_id,
        agency__bin=bin,
    )


@router.post(
    "/{bin}/plan-items/{item_id}/approve",
    response={200: PlanItemOut, **ERROR_RESPONSES},
    auth=API_AUTH,
    summary="Approve a draft plan item",
    url_name="approve_plan_item",
)
def approve_item(request, bin: str, item_id: int):
    return approve_plan_item(item=_item(request, bin, item_id), actor=request.auth)


@router.post(
    "/{bin}/plan-items/{item_id}/cancel",
    response={200: PlanItemOut, **ERROR_RESPONSES},
    auth=API_AUTH,
    summary="Cancel a draft plan item, giving the reason",
    url_name="cancel_plan_item",
)
def cancel_item(request, bin: str, item_id: int, payload: CancelIn):
    return cancel_plan_item(
        item=_item(request, bin, item_id), reason=payload.reason, actor=request.auth
    )
