"""A published tender's amendments and lot cancellations, its versions, and suppliers'
notices. The forms live on the tender's page (views/tenders.py renders them)."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from procurement.forms import AmendForm, CancelLotForm
from procurement.models import Notice, TenderVersion
from procurement.services.amendments import amend_tender, cancel_lot
from procurement.views.tenders import _put, _require_manager, _tender, act
from suppliers.choices import OrganisationKind
from suppliers.permissions import memberships

NOTICES_PAGE = 50


@login_required
@require_POST
def tender_amend(request, number: str):
    tender = _tender(request, number)
    _require_manager(tender, request.user)
    return act(
        request,
        tender,
        AmendForm(request.POST, tender=tender),
        lambda data: amend_tender(tender=tender, actor=request.user, **data),
        _("The tender was amended; interested suppliers were notified."),
        _put("amend_form"),
    )


@login_required
@require_POST
def tender_cancel_lot(request, number: str):
    tender = _tender(request, number)
    _require_manager(tender, request.user)
    return act(
        request,
        tender,
        CancelLotForm(request.POST, tender=tender),
        lambda data: cancel_lot(
            lot=data["lot"], reason=data["reason"], text=data["text"], actor=request.user
        ),
        _("The lot was cancelled and its budget released."),
        _put("cancel_lot_form"),
    )


@require_GET
def tender_version(request, number: str, version: int):
    """The version's exact bytes, so anyone can hash them and compare with a bid's statement."""
    tender = _tender(request, number)
    row = get_object_or_404(TenderVersion, tender=tender, number=version)
    response = HttpResponse(bytes(row.content), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="{tender.number}-v{row.number}.json"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_GET
def notices(request):
    """Notices to the suppliers this user belongs to, newest first."""
    suppliers = [
        m.organisation_id
        for m in memberships(request.user)
        if m.organisation.kind == OrganisationKind.SUPPLIER
    ]
    rows = Notice.objects.filter(supplier_id__in=suppliers).select_related("tender", "supplier")
    page = Paginator(rows, NOTICES_PAGE).get_page(request.GET.get("page"))
    return render(request, "procurement/notices.html", {"page": page})
