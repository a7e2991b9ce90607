"""Tenders on the web: the public list and detail, and the buyer's draft-to-publication pages.

Every state change is a POST that calls one service and redirects to the tender's page; a
refusal shows the page again with the form as typed and each problem next to its field.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from bids.context import tender_bids_context
from procurement.amending import AMENDABLE
from procurement.choices import LotStatus, TenderStatus
from procurement.forms import (
    AmendForm,
    AnswerForm,
    CancelLotForm,
    CancelTenderForm,
    CommissionForm,
    DocumentForm,
    LotForm,
    PeriodsForm,
    QuestionForm,
    TenderForm,
    TenderSearchForm,
)
from procurement.models import Question, Tender, TenderDocument
from procurement.paging import last_page, list_page, page_number
from procurement.permissions import (
    asking_organisations,
    can_ask_question,
    can_create_tender,
    can_manage_tender,
    can_view_tender,
)
from procurement.services.documents import attach_document
from procurement.services.questions import ANSWERING_STATUSES, answer_question, ask_question
from procurement.services.tenders import (
    add_lot,
    cancel_tender,
    create_tender,
    publish_tender,
    set_commission,
    set_periods,
)
from suppliers.choices import OrganisationKind
from suppliers.models import Organisation
from suppliers.views.errors import apply_errors

PAGE_SIZE = 25


def _tender(request, number: str) -> Tender:
    tender = get_object_or_404(Tender.objects.select_related("agency", "procedure"), number=number)
    if not can_view_tender(tender, request.user):
        raise Http404
    return tender


def _require_manager(tender: Tender, user) -> None:
    if not can_manage_tender(tender, user):
        raise PermissionDenied(_("Only the agency's buyers and administrators run its tenders."))


@require_GET
def tender_list(request):
    form = TenderSearchForm(request.GET or None)
    tenders = Tender.objects.published().select_related("agency", "procedure").with_value()
    if form.is_valid():
        data = form.cleaned_data
        tenders = tenders.matching(data["q"])
        if data["status"]:
            tenders = tenders.filter(status=data["status"])
        if data["agency"]:
            tenders = tenders.filter(agency__bin=data["agency"].strip())
        if data["procedure"]:
            tenders = tenders.filter(procedure=data["procedure"])
        tenders = tenders.deadline_between(data["deadline_from"], data["deadline_to"])
        tenders = tenders.value_between(data["value_min"], data["value_max"])
    elif form.is_bound:
        # The problems are shown next to their fields; a list that ignored the filter would
        # pass for its answer.
        tenders = tenders.none()
    tenders = tenders.order_by("-published_at", "-pk")
    page = list_page(tenders, page_number(request.GET.get("page")), PAGE_SIZE)
    if not page.object_list and page.has_previous:
        # A link past the end (the list changed, a typed number) shows the last page.
        page = last_page(tenders, PAGE_SIZE)
    return render(request, "procurement/tender_list.html", {"form": form, "page": page})


@require_GET
def tender_detail(request, number: str):
    tender = _tender(request, number)
    return render(request, "procurement/tender_detail.html", detail_context(request, tender))


def detail_context(request, tender: Tender) -> dict:
    """Everything the tender page shows, with unbound forms for what this user may do."""
    managing = can_manage_tender(tender, request.user)
    manage = managing and tender.status == TenderStatus.DRAFT
    amendable = managing and tender.status in AMENDABLE
    context = {
        "tender": tender,
        "lots": tender.lots.select_related("budget_line").prefetch_related("plan_items"),
        "commission": tender.commission.select_related("user"),
        "next": tender.what_happens_next(),
        "can_manage": manage,
        "can_amend": amendable,
        "can_cancel": managing and tender.is_active,
        "documents": tender.documents.all(),
        "versions": tender.versions.all(),
    }
    if manage:
        context.update(
            lot_form=LotForm(tender=tender),
            periods_form=PeriodsForm(
                initial={
                    "enquiry_end": tender.enquiry_end,
                    "submission_deadline": tender.submission_deadline,
                }
            ),
            commission_form=CommissionForm(agency=tender.agency),
        )
    if manage or amendable:
        context["document_form"] = DocumentForm(published=amendable)
    if amendable:
        context["amend_form"] = AmendForm(tender=tender)
    if context["can_cancel"]:
        context["cancel_form"] = CancelTenderForm()
        if tender.lots.filter(status=LotStatus.ACTIVE).count() > 1:
            context["cancel_lot_form"] = CancelLotForm(tender=tender)
    context.update(_questions_context(request, tender))
    context.update(tender_bids_context(request, tender))
    return context


@login_required
@require_http_methods(["GET", "POST"])
def tender_create(request, bin: str):
    agency = get_object_or_404(Organisation, bin=bin, kind=OrganisationKind.AGENCY)
    if not can_create_tender(agency, request.user):
        raise PermissionDenied(_("Only the agency's buyers and administrators run its tenders."))
    form = TenderForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            tender = create_tender(agency=agency, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(exc, form)
        else:
            messages.success(request, _("Draft %(number)s is open.") % {"number": tender.number})
            return redirect(tender)
    status = 400 if form.is_bound else 200
    context = {"agency": agency, "form": form}
    return render(request, "procurement/tender_form.html", context, status=status)


def act(request, tender: Tender, form, action, done: str, place=None):
    """Validate `form`, run `action(data)` (one service call) and go back to the tender. A
    refusal shows the tender page again (400) with the form as typed and each problem next to
    its field; `place(context, form)` puts the form where the page shows it."""
    if form is not None and not form.is_valid():
        return _refused(request, tender, form, place)
    try:
        action(form.cleaned_data if form is not None else {})
    except ValidationError as exc:
        if form is None:  # a button without fields: the refusal is the page's message
            for message in exc.messages:
                messages.error(request, message)
            return redirect(tender)
        apply_errors(exc, form)
        return _refused(request, tender, form, place)
    messages.success(request, done)
    return redirect(tender)


def _refused(request, tender: Tender, form, place):
    # A refusal about the whole action (the tender's status, a deadline) goes to the top of
    # the page, where it is seen even when the form is no longer offered; field problems stay
    # next to their fields.
    for message in form.errors.pop(NON_FIELD_ERRORS, []):
        messages.error(request, message)
    if form.errors:
        messages.error(request, _("Nothing was changed: see the problems marked below."))
    context = detail_context(request, Tender.objects.get(pk=tender.pk))
    place(context, form)
    return render(request, "procurement/tender_detail.html", context, status=400)


def _answer_place(question_id: int):
    def place(context, form):
        for question in context["questions"]:
            if question.pk == question_id:
                question.answer_form = form

    return place


def _put(key: str):
    def place(context, form):
        context[key] = form

    return place


@login_required
@require_POST
def tender_add_lot(request, number: str):
    tender = _tender(request, number)
    _require_manager(tender, request.user)
    return act(
        request,
        tender,
        LotForm(request.POST, tender=tender),
        lambda data: add_lot(tender=tender, actor=request.user, **data),
        _("The lot was added."),
        _put("lot_form"),
    )


@login_required
@require_POST
def tender_set_periods(request, number: str):
    tender = _tender(request, number)
    _require_manager(tender, request.user)
    return act(
        request,
        tender,
        PeriodsForm(request.POST),
        lambda data: set_periods(tender=tender, actor=request.user, **data),
        _("The periods were set."),
        _put("periods_form"),
    )


@login_required
@require_POST
def tender_set_commission(request, number: str):
    tender = _tender(request, number)
    _require_manager(tender, request.user)
    return act(
        request,
        tender,
        CommissionForm(request.POST, agency=tender.agency),
        lambda data: set_commission(tender=tender, actor=request.user, **data),
        _("The commission was named."),
        _put("commission_form"),
    )


@login_required
@require_POST
def tender_publish(request, number: str):
    tender = _tender(request, number)
    _require_manager(tender, request.user)
    return act(
        request,
        tender,
        None,
        lambda data: publish_tender(tender=tender, actor=request.user),
        _("The tender is published and its budget reserved."),
    )


@login_required
@require_POST
def tender_cancel(request, number: str):
    tender = _tender(request, number)
    _require_manager(tender, request.user)
    return act(
        request,
        tender,
        CancelTenderForm(request.POST),
        lambda data: cancel_tender(tender=tender, actor=request.user, **data),
        _("The tender was cancelled and its budget released."),
        _put("cancel_form"),
    )


def _off_the_blacklist(organisations) -> bool:
    """Whether one of them may ask now; the service checks again when they do."""
    pks = {o.pk for o in organisations}
    barred = Organisation.objects.filter(pk__in=pks).blacklisted_at(timezone.now())
    return len(pks) > barred.count()


def _questions_context(request, tender: Tender) -> dict:
    questions = list(tender.questions.select_related("supplier", "lot"))
    asking = (
        can_ask_question(tender, request.user)
        and tender.status == TenderStatus.ENQUIRIES
        and tender.enquiry_end is not None
        and timezone.now() < tender.enquiry_end
        and _off_the_blacklist(asking_organisations(request.user))
    )
    answering = can_manage_tender(tender, request.user) and tender.status in ANSWERING_STATUSES
    if answering:
        for question in questions:
            if not question.is_answered:
                question.answer_form = AnswerForm(question_id=question.pk)
    return {
        "questions": questions,
        "question_form": QuestionForm(tender=tender) if asking else None,
        "can_answer": answering,
    }


@login_required
@require_POST
def tender_ask_question(request, number: str):
    tender = _tender(request, number)
    if not can_ask_question(tender, request.user):
        raise PermissionDenied(_("Only members of a verified supplier ask questions."))
    return act(
        request,
        tender,
        QuestionForm(request.POST, tender=tender),
        lambda data: ask_question(tender=tender, actor=request.user, **data),
        _("Your question was published; the buyer's answer will appear under it."),
        _put("question_form"),
    )


@login_required
@require_POST
def tender_answer_question(request, number: str, question_id: int):
    tender = _tender(request, number)
    question = get_object_or_404(Question, pk=question_id, tender=tender)
    _require_manager(tender, request.user)
    return act(
        request,
        tender,
        AnswerForm(request.POST, question_id=question.pk),
        lambda data: answer_question(question=question, actor=request.user, **data),
        _("The answer was published."),
        _answer_place(question.pk),
    )


@login_required
@require_POST
def tender_attach_document(request, number: str):
    tender = _tender(request, number)
    _require_manager(tender, request.user)
    return act(
        request,
        tender,
        DocumentForm(request.POST, request.FILES, published=tender.status != TenderStatus.DRAFT),
        lambda data: attach_document(
            tender=tender,
            uploaded_file=data["file"],
            title=data["title"],
            actor=request.user,
            reason=data.get("reason", ""),
        ),
        _("The document was attached."),
        _put("document_form"),
    )


@require_GET
def tender_document(request, number: str, document_id: int):
    """The file itself, as a download under its cleaned name, never rendered in the page."""
    tender = _tender(request, number)
    document = get_object_or_404(TenderDocument, pk=document_id, tender=tender)
    response = FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=document.original_name,
        content_type=document.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
