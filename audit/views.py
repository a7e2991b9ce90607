"""The auditor's pages: the log with filters, one entry with its proof, and verification status."""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from audit import merkle, proofs
from audit.forms import EntryFilterForm
from audit.models import Entry, VerificationRun
from audit.querysets import filter_entries
from audit.services.verification import verify_and_record
from suppliers.permissions import can_view_audit_log


def _require_auditor(request) -> None:
    if not can_view_audit_log(request.user):
        raise PermissionDenied(_("The audit log pages are for auditors and operators."))


@login_required
def entry_list(request):
    _require_auditor(request)
    form = EntryFilterForm(request.GET or None)
    filters = {k: v for k, v in form.cleaned_data.items() if v} if form.is_valid() else {}
    entries = filter_entries(Entry.objects.select_related("actor"), **filters).order_by("-seq")
    page = Paginator(entries.defer("payload", "data"), 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request, "audit/entry_list.html", {"form": form, "page": page, "query": query.urlencode()}
    )


@login_required
def entry_detail(request, seq: int):
    _require_auditor(request)
    entry = get_object_or_404(Entry.objects.select_related("actor"), seq=seq)
    checkpoint = proofs.latest_checkpoint()
    proof = verified = None
    if checkpoint is not None and seq < checkpoint.tree_size:
        proof = proofs.inclusion_proof(seq, checkpoint.tree_size)
        verified = merkle.verify_inclusion(
            bytes(entry.leaf_hash), seq, checkpoint.tree_size, proof, bytes(checkpoint.root_hash)
        )
    context = {
        "entry": entry,
        "payload_text": json.dumps(json.loads(bytes(entry.payload)), indent=2, ensure_ascii=False),
        "leaf_hash": bytes(entry.leaf_hash).hex(),
        "chain_hash": bytes(entry.chain_hash).hex(),
        "checkpoint": checkpoint,
        "proof": [h.hex() for h in proof] if proof is not None else None,
        "verified": verified,
    }
    return render(request, "audit/entry_detail.html", context)


@login_required
def status(request):
    _require_auditor(request)
    context = {
        "checkpoint": proofs.latest_checkpoint(),
        "last_run": VerificationRun.objects.select_related("requested_by").first(),
        "entries": Entry.objects.count(),
    }
    return render(request, "audit/status.html", context)


@login_required
@require_POST
def verify_now(request):
    _require_auditor(request)
    result, _run = verify_and_record(actor=request.user)
    if result.ok:
        messages.success(request, result.message)
    else:
        messages.error(request, _("Verification FAILED: %(message)s") % {"message": result.message})
    return redirect("audit:status")
