"""What the public sees of a tender's award stage: every published results protocol (ranking,
disqualifications with their reasons, the proposed winners), the awards and what became of
them, and the signed protocol's exact bytes and signature for anyone to verify."""

from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from awards.models import ResultsProtocol
from awards.services.results import results_content_from
from awards.views.common import SIGNATURE_TYPE, exact_bytes
from awards.views.evaluation import protocol_filename
from awards.views.protocols import protocol_view
from awards.views.stage import visible_complaints, visible_contracts
from procurement.views.tenders import _tender


@require_GET
def results(request, number: str):
    tender = _tender(request, number)
    protocols = [
        {"row": p, "view": protocol_view(results_content_from(p))}
        for p in tender.results_protocols.select_related("signed_by", "certificate").order_by(
            "-revision"
        )
    ]
    awards = tender.awards.select_related("lot", "supplier", "bid").order_by("lot__number", "pk")
    return render(
        request,
        "awards/results.html",
        {
            "tender": tender,
            "protocols": protocols,
            "awards": awards,
            "contracts": visible_contracts(tender, request.user),
            "complaints": visible_complaints(tender, request.user),
        },
    )


def _protocol(request, number: str, revision: int) -> ResultsProtocol:
    tender = _tender(request, number)
    return get_object_or_404(ResultsProtocol, tender=tender, revision=revision)


@require_GET
def results_protocol(request, number: str, revision: int):
    protocol = _protocol(request, number, revision)
    return exact_bytes(protocol.content, protocol_filename(protocol.tender, revision))


@require_GET
def results_signature(request, number: str, revision: int):
    protocol = _protocol(request, number, revision)
    filename = f"{protocol_filename(protocol.tender, revision)}.p7s"
    return exact_bytes(protocol.signature, filename, SIGNATURE_TYPE)
