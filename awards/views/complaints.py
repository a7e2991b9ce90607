"""Complaints to the review body: the queue (pending first, for those who may see them; the
decided ones are public), a complaint's page with its documents and the reviewer's decision
form, and its documents as downloads."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from awards.choices import ComplaintStatus
from awards.forms import DecisionForm
from awards.models import Complaint, ComplaintDocument
from awards.permissions import can_decide_complaint, can_view_complaint
from awards.services.complaints import decide_complaint
from awards.views.common import perform

PAGE_SIZE = 25
TEMPLATE = "awards/complaint_detail.html"


def _rows():
    return Complaint.objects.select_related("tender__agency", "complainant").prefetch_related(
        "tender__commission"
    )


@require_GET
def complaint_list(request):
    pending = [
        c
        for c in _rows().filter(status=ComplaintStatus.PENDING).order_by("filed_at", "pk")
        if can_view_complaint(c, request.user)
    ]
    decided = _rows().exclude(status=ComplaintStatus.PENDING).order_by("-decided_at", "-pk")
    page = Paginator(decided, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "awards/complaint_list.html",
        {"pending": pending, "page": page, "reviewer": can_decide_complaint(request.user)},
    )


def _complaint(request, number: str) -> Complaint:
    """A pending complaint is not found by those who may not see it yet."""
    complaint = get_object_or_404(_rows(), number=number)
    if not can_view_complaint(complaint, request.user):
        raise Http404
    return complaint


def complaint_context(request, complaint, form=None) -> dict:
    deciding = complaint.is_pending and can_decide_complaint(request.user)
    return {
        "complaint": complaint,
        "documents": complaint.documents.all(),
        "decision_form": (form or DecisionForm()) if deciding else None,
    }


@require_GET
def complaint_detail(request, number: str):
    complaint = _complaint(request, number)
    return render(request, TEMPLATE, complaint_context(request, complaint))


@login_required
@require_POST
def complaint_decide(request, number: str):
    complaint = _complaint(request, number)
    if not can_decide_complaint(request.user):
        raise PermissionDenied(_("Only the review body's reviewers decide complaints."))

    def again(form):
        fresh = _rows().get(pk=complaint.pk)
        return render(request, TEMPLATE, complaint_context(request, fresh, form), status=400)

    return perform(
        request,
        DecisionForm(request.POST),
        lambda form: decide_complaint(
            complaint=complaint,
            actor=request.user,
            satisfied=form.cleaned_data["outcome"] == ComplaintStatus.SATISFIED,
            decision=form.cleaned_data["decision"],
        ),
        done=_("The decision on %(number)s is published.") % {"number": complaint.number},
        then=reverse("awards:complaint-detail", args=[complaint.number]),
        again=again,
    )


@require_GET
def complaint_document(request, number: str, document_id: int):
    complaint = _complaint(request, number)
    document = get_object_or_404(ComplaintDocument, pk=document_id, complaint=complaint)
    response = FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=document.original_name,
        content_type=document.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
