"""Register search and lookup by BIN; registering a supplier; members of one's organisation."""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from accounts.auth import API_AUTH, OPTIONAL_AUTH
from config.api_errors import ERROR_RESPONSES, PageNumbers
from suppliers.bin import bin_errors, identifier_errors
from suppliers.choices import OrganisationKind, OrganisationStatus
from suppliers.models import BlacklistEntry, Organisation
from suppliers.permissions import can_view_members
from suppliers.services.registration import register_supplier

router = Router(tags=["registers"])


class OrganisationOut(Schema):
    bin: str
    kind: str
    legal_name: str
    short_name: str
    region: str
    address: str
    status: str
    blacklisted: bool = False
    blacklisted_until: dt.datetime | None = Field(
        None, description="null while blacklisted means indefinitely"
    )
    parent_ministry_bin: str | None = None
    budget_admin_code: str = ""
    url: str

    @staticmethod
    def resolve_parent_ministry_bin(obj) -> str | None:
        return obj.parent_ministry.bin if obj.parent_ministry_id else None

    @staticmethod
    def resolve_url(obj) -> str:
        return obj.get_absolute_url()


class BlacklistEntryOut(Schema):
    id: int
    supplier_bin: str
    supplier_name: str
    basis: str
    decision_reference: str
    decided_by: str
    starts_at: dt.datetime
    ends_at: dt.datetime | None
    end_reason: str
    in_force: bool

    @staticmethod
    def resolve_supplier_bin(obj) -> str:
        return obj.organisation.bin

    @staticmethod
    def resolve_supplier_name(obj) -> str:
        return obj.organisation.legal_name

    @staticmethod
    def resolve_in_force(obj) -> bool:
        return obj.in_force_at(timezone.now())


class OrganisationDetailOut(OrganisationOut):
    blacklist_entries: list[BlacklistEntryOut]

    @staticmethod
    def resolve_blacklist_entries(obj) -> list:
        return list(obj.blacklist_entries.select_related("organisation"))


class RegisterFilters(Schema):
    q: str = Field(
        "", max_length=100, description="Part of the name, or the first digits of the BIN"
    )
    region: str = ""
    status: str = Field("", pattern="^(|verified|suspended)$")
    blacklisted: str = Field("", pattern="^(|yes|no)$")


class SupplierIn(Schema):
    bin: str
    is_sole_trader: bool = False
    legal_name: str = Field(..., min_length=1, max_length=300)
    short_name: str = ""
    region: str
    address: str = Field(..., min_length=1, max_length=400)
    contact_email: str
    contact_phone: str = ""


def _register(kind: str, filters: RegisterFilters):
    return (
        Organisation.objects.filter(kind=kind)
        .filter_register(**filters.dict())
        .select_related("parent_ministry")
    )


@router.get("/suppliers", response=list[OrganisationOut], summary="Search the supplier register")
@paginate(PageNumbers, page_size=50)
def list_suppliers(request, filters: Query[RegisterFilters]):
    return _register(OrganisationKind.SUPPLIER, filters)


@router.get(
    "/agencies", response=list[OrganisationOut], summary="Search the register of buying agencies"
)
@paginate(PageNumbers, page_size=50)
def list_agencies(request, filters: Query[RegisterFilters]):
    return _register(OrganisationKind.AGENCY, filters)


@router.get(
    "/organisations/{bin}",
    response={200: OrganisationDetailOut, **ERROR_RESPONSES},
    auth=OPTIONAL_AUTH,
    summary="Look up an organisation by BIN",
)
def get_organisation(request, bin: str):
    errors = bin_errors(bin) and identifier_errors(bin, sole_trader=True)
    if errors:
        # Neither a valid BIN nor a valid IIN: say what is wrong with it as a BIN.
        raise ValidationError(
            {"bin": [ValidationError(m, code="invalid_bin") for m in bin_errors(bin)]}
        )
    organisation = get_object_or_404(
        Organisation.objects.with_blacklist_status().select_related("parent_ministry"), bin=bin
    )
    if organisation.status == OrganisationStatus.PENDING and not can_view_members(
        organisation, request.user
    ):
        raise Http404
    return organisation


@router.get(
    "/blacklist", response=list[BlacklistEntryOut], summary="The register of unreliable suppliers"
)
@paginate(PageNumbers, page_size=50)
def list_blacklist(request, all: bool = False):
    entries = BlacklistEntry.objects.select_related("organisation").order_by("-starts_at", "pk")
    return entries if all else entries.in_force()


@router.post(
    "/suppliers",
    response={201: OrganisationOut, **ERROR_RESPONSES},
    auth=API_AUTH,
    summary="Register your company as a supplier (you become its administrator)",
)
def create_supplier(request, payload: SupplierIn):
    if not request.auth.is_active:
        raise PermissionDenied
    organisation, _user = register_supplier(details=payload.dict(), actor=request.auth)
    return Status(201, Organisation.objects.with_blacklist_status().get(pk=organisation.pk))
