"""A bidder's actions on the tender page: answering a correction request, and filing a
complaint against the conditions or the results. A refusal shows the tender page again (400)
with the form as typed."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from awards.choices import ComplaintKind
from awards.permissions import acts_for, supplier_organisations_of
from awards.services.complaints import file_complaint
from awards.services.reviews import answer_correction
from awards.views.common import perform
from awards.views.stage import answer_form, complaint_form
from bids.models import Bid
from procurement.models import Tender
from procurement.views.tenders import _tender, detail_context


def tender_page_again(request, tender, key):
    """The tender page (procurement's) with this bound form in the award-stage section."""

    def render_again(form):
        fresh = Tender.objects.select_related("agency", "procedure").get(pk=tender.pk)
        context = detail_context(request, fresh)
        context["award_forms"] = {key: form}
        return render(request, "procurement/tender_detail.html", context, status=400)

    return render_again


@login_required
@require_POST
def correction_answer(request, number: str, public_id: str):
    tender = _tender(request, number)
    bid = get_object_or_404(
        Bid.objects.select_related("supplier"), tender=tender, public_id=public_id
    )
    if not acts_for(request.user, bid.supplier):
        raise PermissionDenied(_("Only the bidder answers a correction request."))
    return perform(
        request,
        answer_form(bid, request.POST),
        lambda form: answer_correction(bid=bid, actor=request.user, **form.cleaned_data),
        done=_("Your correction was sent to the commission."),
        then=tender.get_absolute_url(),
        again=tender_page_again(request, tender, ("answer", bid.pk)),
    )


def _file_errors(errors: dict) -> dict:
    # The document checks name the upload `file`; the form's field holds several.
    return {("files" if key == "file" else key): value for key, value in errors.items()}


@login_required
@require_POST
def complaint_file(request, number: str):
    tender = _tender(request, number)
    organisations = supplier_organisations_of(request.user)
    if not organisations:
        raise PermissionDenied(_("Complaints are filed by a supplier's members, for it."))
    form = complaint_form(organisations, ComplaintKind.values, request.POST, request.FILES)
    return perform(
        request,
        form,
        lambda form: file_complaint(tender=tender, actor=request.user, **form.service_data()),
        done=_(
            "Your complaint was filed; the review body decides it and the decision is published."
        ),
        then=tender.get_absolute_url(),
        again=tender_page_again(request, tender, "complaint"),
        rename=_file_errors,
    )
