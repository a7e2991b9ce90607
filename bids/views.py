"""Sealed bids on the web: a supplier's bids and their receipts, a commission member's opening
key, and the opening protocol's exact bytes. The tender page's part is bids/context.py.

Signing and sealing happen on the supplier's machine, in the browser (static/js/signing.js,
which posts to the JSON API) or with tools/tenderctl.py, so no page here takes a bid; none
shows a price before the opening protocol exists.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from bids.context import opening_key_page_data, signing_messages
from bids.crypto import canonical
from bids.forms import OpeningKeyForm
from bids.models import Bid, CommissionKey, OpeningProtocol
from bids.permissions import bidding_suppliers, is_commission_member
from bids.receipts import bid_receipt
from bids.services.keys import register_commission_key
from procurement.views.tenders import _tender
from suppliers.permissions import is_supplier_member
from suppliers.views.errors import apply_errors

MY_BIDS_PAGE = 50


def _json(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_GET
def my_bids(request):
    """The bids of every supplier the user acts for, newest first."""
    if not is_supplier_member(request.user):
        raise PermissionDenied(_("Only members of a supplier have bids."))
    suppliers = bidding_suppliers(request.user, verified_only=False)
    rows = (
        Bid.objects.filter(supplier__in=suppliers)
        .select_related("tender", "supplier")
        .order_by("-received_at", "-pk")
    )
    page = Paginator(rows, MY_BIDS_PAGE).get_page(request.GET.get("page"))
    return render(request, "bids/my_bids.html", {"page": page})


@login_required
@require_GET
def bid_receipt_json(request, public_id: str):
    """The bid's signed receipt; a bid of someone else's is not found, not forbidden."""
    bid = get_object_or_404(Bid.objects.select_related("tender", "supplier"), public_id=public_id)
    if bid.supplier not in bidding_suppliers(request.user, verified_only=False):
        raise Http404
    return _json(canonical(bid_receipt(bid)), f"{bid.public_id}-receipt.json")


@login_required
@require_http_methods(["GET", "POST"])
def opening_key(request):
    if not is_commission_member(request.user):
        raise PermissionDenied(_("Only commission members register opening keys."))
    form = OpeningKeyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            key = register_commission_key(
                actor=request.user, public_key=form.cleaned_data["public_key"]
            )
        except ValidationError as exc:
            apply_errors(exc, form)
        else:
            messages.success(
                request,
                _("Opening key %(key)s is registered; tenders published from now on use it.")
                % {"key": key.key_id},
            )
            return redirect("bids:opening-key")
    active = CommissionKey.objects.filter(user=request.user, retired_at__isnull=True).first()
    status = 400 if form.is_bound else 200
    context = {
        "form": form,
        "key": active,
        "signing_data": opening_key_page_data(request.user, active),
        "signing_messages": signing_messages(),
    }
    return render(request, "bids/opening_key.html", context, status=status)


@require_GET
def opening_protocol(request, number: str):
    """The protocol's exact canonical bytes: hash them and compare with the published SHA-256."""
    tender = _tender(request, number)
    protocol = get_object_or_404(OpeningProtocol, tender=tender)
    response = _json(bytes(protocol.content), f"{tender.number}-opening-protocol.json")
    response["X-Content-SHA256"] = protocol.sha256
    return response
