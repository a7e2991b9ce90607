"""Contracts on the web: the public list of signed contracts, a contract's page with its exact
bytes to sign and the signature upload (both sides), the winner's decline, the buyer's
amendments, acceptance acts, payments and termination, moving a declined or lapsed award to
the next bidder, and the single-source decision that goes straight to a contract.

Each side signs in the page (static/js/signing.js, see awards/views/browser_signing.py) or on
their machine: `tenderctl.py sign` writes a DER detached CMS next to the downloaded contract,
and the page takes that file, the only way without JavaScript.
"""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from awards.choices import AwardStatus
from awards.forms import SingleSourceForm
from awards.permissions import is_agency_signer
from awards.views.browser_signing import contract_signing
from awards.views.common import SIGNATURE_TYPE, exact_bytes, perform
from awards.views.requirements import requirements_page
from contracts.choices import SIGNED_STATUSES, ContractStatus, Party
from contracts.forms import (
    AcceptanceForm,
    AmendForm,
    DeclineForm,
    NextBidderForm,
    PaymentForm,
    SignContractForm,
    TerminateForm,
)
from contracts.models import Contract
from contracts.permissions import can_manage_contract, can_view_contract, party_of
from contracts.services.awarding import award_next_bidder, decline_award
from contracts.services.execution import (
    accept_delivery,
    amend_contract,
    record_payment,
    terminate_contract,
)
from contracts.services.signing import sign_contract
from contracts.services.single_source import contract_directly
from procurement.choices import LotStatus, TenderStatus
from procurement.views.tenders import _tender
from suppliers.permissions import memberships

PAGE_SIZE = 25
TEMPLATE = "contracts/contract_detail.html"
TOOL = "python tools/tenderctl.py"


def _rows():
    return Contract.objects.select_related(
        "tender__procedure", "lot", "agency", "supplier", "award"
    )


@require_GET
def contract_list(request):
    """Signed contracts are public; a party also sees its contracts still to be signed."""
    signed = _rows().filter(status__in=SIGNED_STATUSES).order_by("-signed_at", "-pk")
    page = Paginator(signed, PAGE_SIZE).get_page(request.GET.get("page"))
    organisations = [m.organisation_id for m in memberships(request.user)]
    pending = (
        _rows()
        .filter(status=ContractStatus.PENDING)
        .filter(Q(agency_id__in=organisations) | Q(supplier_id__in=organisations))
        .order_by("sign_deadline", "pk")
    )
    pending = [c for c in pending if party_of(c, request.user)] if organisations else []
    return render(request, "contracts/contract_list.html", {"page": page, "pending": pending})


def _contract(request, number: str) -> Contract:
    """A contract not yet signed is not found by those who may not see it."""
    contract = get_object_or_404(_rows(), number=number)
    if not can_view_contract(contract, request.user):
        raise Http404
    return contract


def _filename(contract) -> str:
    return f"contract-{contract.number}.json"


def _can_move_award(contract) -> bool:
    """Whether this contract's award ended unsigned and is still the lot's latest."""
    award = contract.award
    return (
        award.status in (AwardStatus.DECLINED, AwardStatus.LAPSED)
        and contract.lot.status == LotStatus.ACTIVE
        and contract.tender.status in (TenderStatus.STANDSTILL, TenderStatus.CONTRACTING)
        and contract.lot.awards.order_by("-pk").values_list("pk", flat=True).first() == award.pk
    )


def _signatures(contract) -> list[dict]:
    rows = []
    for party in (Party.BUYER, Party.SUPPLIER):
        signed_at = getattr(contract, f"{party}_signed_at")
        rows.append(
            {
                "party": party,
                "label": Party(party).label,
                "organisation": contract.agency if party == Party.BUYER else contract.supplier,
                "signed_at": signed_at,
                "signed_by": getattr(contract, f"{party}_signed_by"),
                "certificate": getattr(contract, f"{party}_certificate"),
            }
        )
    return rows


def contract_context(request, contract, **bound) -> dict:
    user = request.user
    party = party_of(contract, user)
    managing = can_manage_contract(contract, user)
    pending = contract.status == ContractStatus.PENDING
    active = contract.status == ContractStatus.ACTIVE
    context = {
        "contract": contract,
        "party": party,
        "managing": managing,
        "signatures": _signatures(contract),
        "amendments": contract.amendments.select_related("made_by"),
        "acceptances": contract.acceptances.all(),
        "payments": contract.payments.all(),
        "accepted_total": contract.accepted_total(),
        "paid_total": contract.paid_total(),
        "filename": _filename(contract),
        "command": f"{TOOL} sign {_filename(contract)} --p12 certificate.p12",
    }
    forms = {}
    if party and pending and getattr(contract, f"{party}_signed_at") is None:
        forms["sign_form"] = SignContractForm
        organisation = contract.agency if party == Party.BUYER else contract.supplier
        context["browser_signing"] = contract_signing(contract, organisation)
    if party == Party.SUPPLIER and pending:
        forms["decline_form"] = DeclineForm
    if managing and active:
        forms |= {
            "amend_form": AmendForm,
            "acceptance_form": AcceptanceForm,
            "payment_form": PaymentForm,
            "terminate_form": TerminateForm,
        }
    if managing and _can_move_award(contract):
        forms["next_form"] = NextBidderForm
    for key, form_class in forms.items():
        context[key] = bound.get(key) or form_class()
    return context


def _again(request, contract, key: str):
    def render_again(form):
        fresh = _rows().get(pk=contract.pk)
        return render(
            request, TEMPLATE, contract_context(request, fresh, **{key: form}), status=400
        )

    return render_again


@require_GET
def contract_detail(request, number: str):
    contract = _contract(request, number)
    return render(request, TEMPLATE, contract_context(request, contract))


@require_GET
def contract_document(request, number: str):
    """The exact bytes both sides sign."""
    contract = _contract(request, number)
    return exact_bytes(contract.content, _filename(contract))


@require_GET
def contract_signature(request, number: str, party: str):
    contract = _contract(request, number)
    if party not in Party.values or getattr(contract, f"{party}_signature") is None:
        raise Http404
    filename = f"{_filename(contract)}.{party}.p7s"
    return exact_bytes(getattr(contract, f"{party}_signature"), filename, SIGNATURE_TYPE)


def _act(request, number: str, key: str, form_class, service, done: str, *, who=None, refusal=""):
    """A POST on a contract: `who(contract, user)` may act, else 403; then one service call."""
    contract = _contract(request, number)
    if not (who or can_manage_contract)(contract, request.user):
        raise PermissionDenied(refusal or _("Only the buyer's agency manages its contracts."))
    return perform(
        request,
        form_class(request.POST, request.FILES),
        lambda form: service(contract=contract, actor=request.user, **form.cleaned_data),
        done=done,
        then=contract.get_absolute_url(),
        again=_again(request, contract, key),
    )


@login_required
@require_POST
def contract_sign(request, number: str):
    return _act(
        request,
        number,
        "sign_form",
        SignContractForm,
        sign_contract,
        _("Your signature is on the contract."),
        who=lambda contract, user: party_of(contract, user) is not None,
        refusal=_("Only the buyer and the supplier sign their contract."),
    )


@login_required
@require_POST
def contract_decline(request, number: str):
    return _act(
        request,
        number,
        "decline_form",
        DeclineForm,
        decline_award,
        _("You declined the contract; the buyer may move the award to the next bidder."),
        who=lambda contract, user: party_of(contract, user) == Party.SUPPLIER,
        refusal=_("Only the winning supplier declines its contract."),
    )


@login_required
@require_POST
def contract_amend(request, number: str):
    return _act(
        request, number, "amend_form", AmendForm, amend_contract, _("The amendment is in force.")
    )


@login_required
@require_POST
def acceptance_add(request, number: str):
    return _act(
        request,
        number,
        "acceptance_form",
        AcceptanceForm,
        accept_delivery,
        _("The acceptance act was recorded."),
    )


@login_required
@require_POST
def payment_add(request, number: str):
    return _act(
        request, number, "payment_form", PaymentForm, record_payment, _("The payment was recorded.")
    )


@login_required
@require_POST
def contract_terminate(request, number: str):
    return _act(
        request,
        number,
        "terminate_form",
        TerminateForm,
        terminate_contract,
        _("The contract was terminated; the unpaid obligation went back to the budget line."),
    )


@login_required
@require_POST
def award_next(request, number: str):
    contract = _contract(request, number)
    if not is_agency_signer(contract.agency, request.user):
        raise PermissionDenied(_("Only the agency's buyers and administrators move awards."))
    return perform(
        request,
        NextBidderForm(request.POST),
        lambda form: award_next_bidder(lot=contract.lot, actor=request.user, **form.cleaned_data),
        done=_("The award moved on; the tender page shows the new award or the failed lot."),
        then=contract.tender.get_absolute_url(),
        again=_again(request, contract, "next_form"),
    )


@login_required
@require_POST
def single_source(request, number: str):
    tender = _tender(request, number)
    if not is_agency_signer(tender.agency, request.user):
        raise PermissionDenied(_("Only the agency's buyers and administrators run its tenders."))

    def again(form):
        fresh = type(tender).objects.select_related("agency", "procedure").get(pk=tender.pk)
        return requirements_page(request, fresh, 400, single_source_form=form)

    return perform(
        request,
        SingleSourceForm(request.POST),
        lambda form: contract_directly(tender=tender, actor=request.user, **form.cleaned_data),
        done=_("The contract is drafted; both sides sign it now."),
        then=lambda contract: contract.get_absolute_url(),
        again=again,
    )
