"""The public registers: suppliers, buying agencies, unreliable suppliers. No login needed."""

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from suppliers.choices import OrganisationKind, OrganisationStatus
from suppliers.forms import RegisterSearchForm
from suppliers.models import BlacklistEntry, Organisation
from suppliers.permissions import can_view_members

PAGE_SIZE = 25


def _register(request, kind: str, template: str):
    form = RegisterSearchForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    organisations = Organisation.objects.filter(kind=kind).filter_register(
        **{k: filters.get(k, "") for k in ("q", "region", "status", "blacklisted")}
    )
    page = Paginator(organisations.select_related("parent_ministry"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, template, {"form": form, "page": page, "query": query.urlencode()})


def supplier_register(request):
    return _register(
        request, OrganisationKind.SUPPLIER, "suppliers/organisation_list_suppliers.html"
    )


def agency_register(request):
    return _register(request, OrganisationKind.AGENCY, "suppliers/organisation_list_agencies.html")


def organisation_detail(request, bin: str):
    organisation = get_object_or_404(
        Organisation.objects.with_blacklist_status().select_related("parent_ministry"), bin=bin
    )
    # Applications awaiting verification are not yet part of the public register.
    if organisation.status == OrganisationStatus.PENDING and not can_view_members(
        organisation, request.user
    ):
        raise Http404
    return render(
        request,
        "suppliers/organisation_detail.html",
        {
            "organisation": organisation,
            "blacklist_entries": organisation.blacklist_entries.all(),
            "subordinates": organisation.subordinates.listed(),
            "can_view_members": can_view_members(organisation, request.user),
            "now": timezone.now(),
        },
    )


def blacklist_register(request):
    show = request.GET.get("show", "in_force")
    entries = BlacklistEntry.objects.select_related("organisation")
    if show != "all":
        entries = entries.in_force()
    page = Paginator(entries.order_by("-starts_at", "pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "suppliers/blacklistentry_list.html",
        {"page": page, "show": show, "now": timezone.now()},
    )
