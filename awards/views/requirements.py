"""The tender's checklist and contract terms: public once the tender is published, set by its
buyers while it is a draft (with the single-source decision for single-source drafts)."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from awards.forms import ContractTermsForm, RequirementForm, SingleSourceForm
from awards.permissions import can_define_requirements, is_agency_signer
from awards.services.requirements import add_requirement, set_contract_terms
from awards.views.common import perform
from procurement.choices import TenderStatus
from procurement.views.tenders import _tender

SINGLE_SOURCE = "single_source"
TEMPLATE = "awards/requirements.html"


def requirements_url(tender) -> str:
    return reverse("awards:requirements", args=[tender.number])


def requirements_context(request, tender, **bound) -> dict:
    """The page, with unbound forms for what this user may do (or the bound one refused)."""
    user, draft = request.user, tender.status == TenderStatus.DRAFT
    managing = draft and can_define_requirements(tender, user)
    single_source = tender.procedure.code == SINGLE_SOURCE
    context = {
        "tender": tender,
        "requirements": tender.requirements.order_by("number"),
        "weighted": tender.procedure.award_criterion == "weighted_scoring",
        "managing": managing,
        "single_source": single_source,
    }
    if managing:
        context["requirement_form"] = bound.get("requirement_form") or RequirementForm()
        context["terms_form"] = bound.get("terms_form") or ContractTermsForm(
            initial={"terms": tender.contract_terms}
        )
    if draft and single_source and is_agency_signer(tender.agency, user):
        context["single_source_form"] = bound.get("single_source_form") or SingleSourceForm()
    return context


def requirements_page(request, tender, status: int = 200, **bound):
    return render(request, TEMPLATE, requirements_context(request, tender, **bound), status=status)


def again(request, tender, key: str):
    def render_again(form):
        return requirements_page(
            request, type(tender).objects.get(pk=tender.pk), 400, **{key: form}
        )

    return render_again


def _require_buyer(tender, user) -> None:
    if not can_define_requirements(tender, user):
        raise PermissionDenied(_("Only the agency's buyers and administrators run its tenders."))


@require_GET
def requirements(request, number: str):
    return requirements_page(request, _tender(request, number))


@login_required
@require_POST
def requirement_add(request, number: str):
    tender = _tender(request, number)
    _require_buyer(tender, request.user)
    return perform(
        request,
        RequirementForm(request.POST),
        lambda form: add_requirement(tender=tender, actor=request.user, **form.cleaned_data),
        done=_("The requirement was added to the checklist."),
        then=requirements_url(tender),
        again=again(request, tender, "requirement_form"),
    )


@login_required
@require_POST
def contract_terms(request, number: str):
    tender = _tender(request, number)
    _require_buyer(tender, request.user)
    return perform(
        request,
        ContractTermsForm(request.POST),
        lambda form: set_contract_terms(tender=tender, actor=request.user, **form.cleaned_data),
        done=_("The contract terms were saved."),
        then=requirements_url(tender),
        again=again(request, tender, "terms_form"),
    )
