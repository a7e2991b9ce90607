"""Contracts over the API: the public register of signed contracts, the document both sides
sign and their signatures, the winner declining, and what the buyer's side records under a
contract in force (amendments, acceptance acts, payments, termination); also the single-source
decision that goes straight to a contract.

Same permissions as the services, which check again: a contract not yet signed is seen only
by its parties, auditors and operators (others: 404); a party that may not do something gets
403; a refused rule is 422 with its code.
"""

import hashlib

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.pagination import paginate

from accounts.auth import API_AUTH, OPTIONAL_AUTH
from awards.schemas import EXACT_BYTES, decoded
from config.api_errors import ERROR_RESPONSES, PageNumbers
from contracts.models import Acceptance, Contract, ContractAmendment, Payment
from contracts.permissions import can_view_contract
from contracts.schemas import (
    AcceptanceIn,
    AcceptanceOut,
    AmendmentIn,
    AmendmentOut,
    ContractFilter,
    ContractOut,
    ContractSummaryOut,
    PaymentIn,
    PaymentOut,
    ReasonIn,
    SignatureIn,
    SingleSourceIn,
)
from contracts.services.awarding import decline_award
from contracts.services.execution import (
    accept_delivery,
    amend_contract,
    record_payment,
    terminate_contract,
)
from contracts.services.signing import sign_contract
from contracts.services.single_source import contract_directly
from procurement.tenders_api import _visible
from suppliers.models import Organisation

router = Router(tags=["contracts"])


def _contracts():
    return Contract.objects.select_related(
        "tender", "lot", "agency", "supplier", "buyer_certificate", "supplier_certificate"
    ).prefetch_related("amendments", "acceptances", "payments")


def _visible_contract(request, number: str) -> Contract:
    contract = get_object_or_404(_contracts(), number=number)
    if not can_view_contract(contract, request.auth):
        raise Http404
    return contract


def _out(contract: Contract) -> Contract:
    return _contracts().get(pk=contract.pk)


def _seen(request, contracts):
    """Signed contracts are public; of the others, those can_view_contract admits."""
    unsigned = [
        c.pk
        for c in Contract.objects.filter(signed_at=None).select_related("agency", "supplier")
        if can_view_contract(c, request.auth)
    ]
    return contracts.exclude(signed_at=None) | contracts.filter(pk__in=unsigned)


@router.get(
    "/contracts",
    response=list[ContractSummaryOut],
    auth=OPTIONAL_AUTH,
    summary="Contracts, newest first: signed ones are public; others to their parties",
    description="Contracts still to sign, declined or not signed in time are seen by their "
    "buyer's and supplier's members, auditors and operators.",
    url_name="list_contracts",
)
@paginate(PageNumbers, page_size=50)
def list_contracts(request, filters: Query[ContractFilter]):
    contracts = _contracts()
    if filters.status:
        contracts = contracts.filter(status=filters.status)
    if filters.tender:
        contracts = contracts.filter(tender__number=filters.tender)
    if filters.agency:
        contracts = contracts.filter(agency__bin=filters.agency)
    if filters.supplier:
        contracts = contracts.filter(supplier__bin=filters.supplier)
    return _seen(request, contracts).order_by("-created_at", "-pk")


@router.get(
    "/contracts/{number}",
    response={200: ContractOut, **ERROR_RESPONSES},
    auth=OPTIONAL_AUTH,
    summary="A contract with its signatures, amendments, acceptance acts and payments",
    description="Public once signed by both sides; before, to its parties, auditors and "
    "operators (others: 404). Signatures are base64 detached CMS over the document's bytes.",
    url_name="get_contract",
)
def get_contract(request, number: str):
    return _visible_contract(request, number)


@router.get(
    "/contracts/{number}/document",
    response={200: None, **ERROR_RESPONSES},
    auth=OPTIONAL_AUTH,
    summary="The contract document both sides sign: its exact bytes",
    description="Sign these bytes as they are (detached CMS, e.g. `tenderctl.py sign`) and "
    "post the signature to POST /contracts/{number}/signatures.",
    openapi_extra=EXACT_BYTES,
    url_name="get_contract_document",
)
def get_document(request, number: str):
    contract = _visible_contract(request, number)
    content = bytes(contract.content)
    response = HttpResponse(content, content_type="application/json")
    response["X-Content-SHA256"] = hashlib.sha256(content).hexdigest()
    return response


@router.post(
    "/contracts/{number}/signatures",
    response={201: ContractOut, **ERROR_RESPONSES},
    auth=API_AUTH,
    summary="Sign the contract for your side (the agency's buyers and administrators, or the "
    "supplier's members)",
    description="The signature is checked against a certificate your organisation registered. "
    "When both sides have signed the contract is in force and the lot's reservation becomes "
    "an obligation at its price. The supplier signs before the deadline (then "
    "`signature_deadline_passed`).",
    url_name="sign_contract",
)
def sign_for_my_side(request, number: str, payload: SignatureIn):
    contract = sign_contract(
        contract=_visible_contract(request, number),
        actor=request.auth,
        signature=decoded(payload.signature, "signature"),
    )
    return Status(201, _out(contract))


@router.post(
    "/contracts/{number}/decline",
    response={200: ContractOut, **ERROR_RESPONSES},
    auth=API_AUTH,
    summary="Decline to sign the contract (the winning supplier), with the reason",
    description="The buyer may then move the lot's award to the next-ranked bid.",
    url_name="decline_contract",
)
def decline(request, number: str, payload: ReasonIn):
    contract = decline_award(
        contract=_visible_contract(request, number), actor=request.auth, reason=payload.reason
    )
    return _out(contract)


@router.post(
    "/contracts/{number}/amendments",
    response={201: AmendmentOut, **ERROR_RESPONSES},
    auth=API_AUTH,
    summary="Change the price of a contract in force, within the legal limit, with the reason",
    description="The agency's buyers and administrators. The obligation follows the price.",
    url_name="amend_contract",
)
def amend(request, number: str, payload: AmendmentIn):
    amendment = amend_contract(
        contract=_visible_contract(request, number),
        actor=request.auth,
        new_price=payload.new_price,
        reason=payload.reason,
    )
    return Status(201, ContractAmendment.objects.get(pk=amendment.pk))


@router.post(
    "/contracts/{number}/acceptances",
    response={201: AcceptanceOut, **ERROR_RESPONSES},
    auth=API_AUTH,
    summary="Record an acceptance act for what was delivered (the buyer's side)",
    description="Under a contract in force; acts never add up to more than its price.",
    url_name="accept_delivery",
)
def record_acceptance(request, number: str, payload: AcceptanceIn):
    act = accept_delivery(
        contract=_visible_contract(request, number),
        actor=request.auth,
        amount=payload.amount,
        description=payload.description,
    )
    return Status(201, Acceptance.objects.get(pk=act.pk))


@router.post(
    "/contracts/{number}/payments",
    response={201: PaymentOut, **ERROR_RESPONSES},
    auth=API_AUTH,
    summary="Record a payment: at most what is accepted and not yet paid (the buyer's side)",
    description="A contract paid in full is fulfilled (status completed).",
    url_name="record_payment",
)
def record_payment_made(request, number: str, payload: PaymentIn):
    payment = record_payment(
        contract=_visible_contract(request, number),
        actor=request.auth,
        amount=payload.amount,
        reference=payload.reference,
    )
    return Status(201, Payment.objects.get(pk=payment.pk))


@router.post(
    "/contracts/{number}/termination",
    response={200: ContractOut, **ERROR_RESPONSES},
    auth=API_AUTH,
    summary="Terminate a contract in force, with the reason (the buyer's side)",
    description="What is obligated and not paid goes back to the budget line.",
    url_name="terminate_contract",
)
def terminate(request, number: str, payload: ReasonIn):
    contract = terminate_contract(
        contract=_visible_contract(request, number), actor=request.auth, reason=payload.reason
    )
    return _out(contract)


@router.post(
    "/tenders/{number}/single-source-contract",
    response={201: ContractOut, **ERROR_RESPONSES},
    auth=API_AUTH,
    summary="Buy from a single source: from a draft with one lot straight to a contract to sign",
    description="The agency's buyers and administrators, for a draft under the single_source "
    "procedure: the lot's money is reserved, the award is active at once and the contract is "
    "drafted for both sides to sign.",
    url_name="contract_directly",
)
def single_source(request, number: str, payload: SingleSourceIn):
    tender = _visible(request, number)
    supplier = Organisation.objects.filter(bin=payload.supplier_bin).first()
    if supplier is None:
        raise ValidationError({"supplier_bin": [_("There is no organisation with this BIN.")]})
    try:
        contract = contract_directly(
            tender=tender,
            actor=request.auth,
            supplier=supplier,
            price=payload.price,
            justification=payload.justification,
        )
    except ValidationError as exc:
        # The service names the organisation `supplier`; here it is given by its BIN.
        if hasattr(exc, "error_dict") and "supplier" in exc.error_dict:
            exc.error_dict["supplier_bin"] = exc.error_dict.pop("supplier")
        raise
    return Status(201, _out(contract))
