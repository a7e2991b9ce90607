"""The public portal's pages (issue 7), no login needed: a tender's timeline from the audit log
with a link to each entry's inclusion proof, and an agency's or a supplier's tenders, bids,
awards, contracts and blacklist history."""

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET

from audit.proofs import latest_checkpoint
from procurement.models import Tender
from procurement.permissions import can_view_tender
from suppliers.choices import OrganisationKind, OrganisationStatus
from suppliers.models import Organisation
from suppliers.permissions import can_view_audit_log, can_view_members
from transparency import portal
from transparency.timeline import tender_timeline as timeline_of

PAGE_SIZE = 20


@require_GET
def tender_timeline(request, number: str):
    tender = get_object_or_404(Tender.objects.select_related("agency", "procedure"), number=number)
    if not can_view_tender(tender, request.user):
        raise Http404
    checkpoint = latest_checkpoint()
    signed = checkpoint.tree_size if checkpoint else 0
    auditor = can_view_audit_log(request.user)
    rows = [_row(event, signed, auditor) for event in timeline_of(tender)]
    context = {"tender": tender, "rows": rows, "checkpoint": checkpoint}
    return render(request, "portal/tender_timeline.html", context)


def _row(event, signed: int, auditor: bool) -> dict:
    """An event with where to verify it. The audit log's pages are the auditors'; anyone
    verifies through the public API: the entry with its proof against the latest checkpoint,
    or the bare proof once a checkpoint covers the entry."""
    if event.seq is None:
        return {"event": event}
    proof = {"index": event.seq, "size": signed}
    return {
        "event": event,
        "entry_url": reverse("api:get_entry", kwargs={"seq": event.seq}),
        "proof_url": f"{reverse('api:inclusion')}?{urlencode(proof)}" if event.seq < signed else "",
        "audit_url": reverse("audit:entry-detail", args=[event.seq]) if auditor else "",
    }


def _page(request, rows, name: str):
    """One page of a section; each section keeps its own page number in the query string
    (`?contracts=2&awards=3`), so every page has a stable address."""
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get(name))
    page.previous_url = _at(request, name, page.number - 1) if page.has_previous() else ""
    page.next_url = _at(request, name, page.number + 1) if page.has_next() else ""
    return page


def _at(request, name: str, number: int) -> str:
    query = request.GET.copy()
    query[name] = str(number)
    return f"?{query.urlencode()}#{name}"


@require_GET
def organisation(request, bin: str):
    organisation = get_object_or_404(
        Organisation.objects.with_blacklist_status(),
        bin=bin,
        kind__in=[OrganisationKind.AGENCY, OrganisationKind.SUPPLIER],
    )
    # Applications awaiting verification are not yet part of the public registers.
    if organisation.status == OrganisationStatus.PENDING and not can_view_members(
        organisation, request.user
    ):
        raise Http404
    context = {
        "organisation": organisation,
        "awards": _page(request, portal.awards_of(organisation), "awards"),
        "contracts": _page(request, portal.contracts_of(organisation), "contracts"),
    }
    if organisation.kind == OrganisationKind.AGENCY:
        context["tenders"] = _page(request, portal.agency_tenders(organisation), "tenders")
    else:
        context["bids"] = _page(request, portal.supplier_bids(organisation), "bids")
        context["blacklist"] = _page(request, portal.blacklist_history(organisation), "blacklist")
    return render(request, "portal/organisation.html", context)
