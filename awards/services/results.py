"""Publishing the results: the chair signs the protocol (detached CMS over the bytes of
awards/results.py), the platform checks the signature and that the bytes are still what the
reviews say, proposes the winner of each lot and starts the standstill; a lot without a
qualified bid fails and its money is released."""

import hashlib
import json

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from audit.actions import Action
from audit.recorder import record
from audit.services.checkpoints import issue_checkpoint
from awards.common import lock_tender, refuse_unless_status
from awards.models import Award, ResultsProtocol
from awards.permissions import is_chair
from awards.results import lots_to_award, results_bytes, undecided_bids
from awards.settling import fail_lot, settle_tender
from bids.models import Bid
from pki.documents import document_signer
from procurement.choices import TenderStatus
from procurement.models import Notice, NoticeKind, Tender
from procurement.periods import after_days, local_text


def _refuse_unless_ready(tender: Tender) -> None:
    undecided = undecided_bids(tender)
    if undecided:
        raise ValidationError(
            _("Decide every valid bid before publishing the results; undecided: %(bids)s.")
            % {"bids": ", ".join(undecided)},
            code="bids_undecided",
        )


def publish_results(
    *, tender: Tender, actor: User, content_sha256: str, signature: bytes
) -> ResultsProtocol:
    """The chair publishes the results protocol they signed."""
    with transaction.atomic():
        tender = lock_tender(tender)
        if not is_chair(tender, actor):
            raise PermissionDenied(_("Only the commission's chair signs the results protocol."))
        refuse_unless_status(tender, [TenderStatus.EVALUATION], _("Publishing the results"))
        _refuse_unless_ready(tender)
        content = results_bytes(tender)
        if hashlib.sha256(content).hexdigest() != content_sha256:
            raise ValidationError(
                _(
                    "The protocol changed after you downloaded it (a review was changed); "
                    "download it again, check it and sign it."
                ),
                code="protocol_changed",
            )
        now = timezone.now()
        certificate = document_signer(content, signature, organisation=tender.agency, at=now)
        protocol = ResultsProtocol.objects.create(
            tender=tender,
            revision=tender.results_protocols.count() + 1,
            content=content,
            sha256=content_sha256,
            signature=signature,
            certificate=certificate,
            signed_by=actor,
            published_at=now,
        )
        awards, failed = _propose_winners(tender, protocol, actor, now)
        tender.publish_results()
        status = settle_tender(tender, actor)
        _notify_bidders(tender, protocol)
        entry = record(
            Action.RESULTS_PUBLISHED,
            subject=protocol,
            actor=actor,
            data={
                "tender": tender.number,
                "revision": protocol.revision,
                "sha256": protocol.sha256,
                "certificate": certificate.fingerprint_sha256,
                "awards": [
                    {
                        "lot": a.lot.number,
                        "bid": a.bid.public_id,
                        "price": a.price,
                        "standstill_end": a.standstill_end,
                    }
                    for a in awards
                ],
                "failed_lots": failed,
                "status": status,
            },
        )
        protocol.log_index = entry.seq
        protocol.save(update_fields=["log_index"])
        transaction.on_commit(lambda: issue_checkpoint(reason="award"))
    return protocol


def _propose_winners(tender, protocol, actor, now) -> tuple[list[Award], list[int]]:
    lots = {str(lot.number): lot for lot in lots_to_award(tender)}
    content = results_content_from(protocol)
    standstill_end = after_days(tender.procedure, now, tender.procedure.complaint_window_days)
    awards, failed = [], []
    for entry in content["lots"]:
        lot = lots[entry["lot"]]
        winner = entry["winner"]
        if winner is None:
            fail_lot(tender, lot, actor, "no qualified bid")
            failed.append(lot.number)
            continue
        bid = Bid.objects.select_related("supplier").get(public_id=winner["bid"])
        awards.append(
            Award.objects.create(
                tender=tender,
                lot=lot,
                bid=bid,
                supplier=bid.supplier,
                protocol=protocol,
                rank=winner["rank"],
                price=winner["price"],
                currency=tender.currency,
                standstill_end=standstill_end,
            )
        )
    return awards, failed


def results_content_from(protocol: ResultsProtocol) -> dict:
    """The protocol's content as published (amounts are decimal strings)."""
    return json.loads(bytes(protocol.content))


def _notify_bidders(tender: Tender, protocol: ResultsProtocol) -> None:
    ends = tender.awards.filter(protocol=protocol).values_list("standstill_end", flat=True)
    message = _(
        "The results of %(number)s are published. Complaints against them may be filed until "
        "%(when)s (Almaty time)."
    ) % {"number": tender.number, "when": local_text(max(ends)) if ends else "-"}
    suppliers = set(tender.bids.values_list("supplier_id", flat=True))
    Notice.objects.bulk_create(
        Notice(supplier_id=s, tender=tender, kind=NoticeKind.RESULTS, message=message)
        for s in sorted(suppliers)
    )
