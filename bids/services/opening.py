"""The opening ceremony: commission members hand in their key shares after the deadline;
with t of them the platform rebuilds the tender's opening key, checks it against the
published one before touching any bid, decrypts every bid, checks each inner statement
against its outer one and its signature, and publishes the opening protocol.

The rebuilt private key lives only in this process for the length of `open_bids`.
"""

import base64
import binascii
import hashlib

from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.utils.translation import gettext as _

from accounts.models import User
from audit.actions import Action
from audit.canonical import canonical_bytes, iso_utc
from audit.recorder import record
from audit.services.checkpoints import issue_checkpoint
from bids.checks import db_now
from bids.crypto import (
    CryptoRefused,
    canonical,
    combine_shares,
    open_sealed,
    parse_canonical,
    seal_info,
)
from bids.errors import BidRefused
from bids.models import Bid, BidStatus, KeyShare, OpeningKey, OpeningProtocol
from bids.statements import content_problem
from bids.wire import SHARE_SIZE
from pki.cms import verify_detached_cms
from pki.errors import CertificateRefused
from procurement.choices import TenderStatus
from procurement.models import Tender
from procurement.periods import local_text

NOT_OPENED = {
    BidStatus.WITHDRAWN: "withdrawn by the bidder",
    BidStatus.SUPERSEDED: "replaced by a later bid",
    BidStatus.INVALIDATED: "made for an earlier version of the tender and not replaced",
}


def _lock(tender: Tender) -> Tender:
    return (
        Tender.objects.select_for_update(of=("self",))
        .select_related("procedure", "agency")
        .get(pk=tender.pk)
    )


def _opening_key(tender: Tender) -> OpeningKey:
    key = OpeningKey.objects.filter(tender=tender).first()
    if key is None:
        raise BidRefused("opening_key_missing", _("This tender has no opening key."))
    return key


def _refuse_unless_opening(tender: Tender) -> None:
    if tender.status != TenderStatus.OPENING:
        raise BidRefused(
            "opening_not_due",
            _("Key shares are handed in while the tender is in opening; %(number)s is %(status)s.")
            % {"number": tender.number, "status": tender.get_status_display().lower()},
        )
    if db_now() < tender.submission_deadline:
        raise BidRefused(
            "opening_not_due",
            _("Key shares are handed in after the submission deadline, %(when)s (Almaty time).")
            % {"when": local_text(tender.submission_deadline)},
        )


def post_share(*, tender: Tender, actor: User, share: bytes) -> KeyShare:
    """A commission member hands in their decrypted share of the tender's opening key."""
    with transaction.atomic():
        tender = _lock(tender)
        key = _opening_key(tender)
        seat = KeyShare.objects.select_for_update().filter(opening_key=key, member=actor).first()
        if seat is None:
            raise PermissionDenied(_("Only the tender's commission members hold key shares."))
        _refuse_unless_opening(tender)
        if seat.posted_at is not None:
            raise BidRefused("share_already_posted", _("Your key share is already in."))
        if len(share) != SHARE_SIZE:
            raise BidRefused("share_malformed", _("A key share is exactly 33 bytes."))
        if hashlib.sha256(share).hexdigest() != seat.share_sha256:
            raise BidRefused(
                "share_mismatch",
                _(
                    "This is not the share sealed to you for %(number)s: decrypt it with the "
                    "opening key you registered as %(key)s."
                )
                % {"number": tender.number, "key": seat.commission_key.key_id},
            )
        seat.posted_share = share
        seat.posted_at = db_now()
        seat.save(update_fields=["posted_share", "posted_at"])
        posted = key.shares.filter(posted_at__isnull=False).count()
        record(
            Action.SHARE_POSTED,
            subject=seat,
            actor=actor,
            data={
                "tender": tender.number,
                # The member's registered key, not their e-mail: event data is public.
                "member_key": seat.commission_key.key_id,
                "posted": posted,
                "threshold": key.threshold,
            },
        )
    return seat


def open_bids(*, tender: Tender) -> OpeningProtocol:
    """Decrypt every bid and publish the opening protocol; the tender moves to evaluation."""
    with transaction.atomic():
        tender = _lock(tender)
        key = _opening_key(tender)
        _refuse_unless_opening(tender)
        seats = list(
            key.shares.filter(posted_at__isnull=False)
            .select_related("commission_key")
            .order_by("posted_at", "pk")
        )
        if len(seats) < key.threshold:
            raise BidRefused(
                "shares_insufficient",
                _("%(n)s of the %(t)s key shares needed are in.")
                % {"n": len(seats), "t": key.threshold},
            )
        try:
            private_key = combine_shares(
                [bytes(s.posted_share) for s in seats], key.threshold, bytes(key.public_key)
            )
        except CryptoRefused as exc:
            raise BidRefused("opening_key_mismatch", exc.message) from None
        bids = list(
            Bid.objects.filter(tender=tender)
            .select_related("supplier", "certificate")
            .order_by("received_at", "pk")
        )
        opened_at = db_now()  # one instant for the whole opening
        for bid in bids:
            _open_one(tender, bid, private_key, opened_at)
        del private_key
        _save_opened([b for b in bids if b.status in (BidStatus.VALID, BidStatus.INVALID)])
        content = _protocol(tender, key, seats, bids, opened_at)
        data = canonical_bytes(content)
        tender.open_bids()
        tender.save()
        protocol = OpeningProtocol(
            tender=tender,
            content=data,
            sha256=hashlib.sha256(data).hexdigest(),
            opened_at=opened_at,
            log_index=0,
        )
        entry = record(
            Action.BIDS_OPENED,
            subject=tender,
            actor=None,
            data={
                "protocol_sha256": protocol.sha256,
                "bids": len(bids),
                "valid": sum(b.status == BidStatus.VALID for b in bids),
                "invalid": sum(b.status == BidStatus.INVALID for b in bids),
                "shares": [s.commission_key.key_id for s in seats],
            },
        )
        protocol.log_index = entry.seq
        protocol.save()
        transaction.on_commit(lambda: issue_checkpoint(reason="opening"))
    return protocol


def _save_opened(bids: list[Bid]) -> None:
    """One parameterised UPDATE per bid, sent as a batch: bulk_update's CASE expressions
    cost more to build than the opening's cryptography for thousands of bids."""
    table = Bid._meta.db_table
    fields = ["status", "status_changed_at", "opened_content", "prices", "invalid_reason"]
    columns = [Bid._meta.get_field(name) for name in fields]
    # Table and column names come from the model's own metadata, quoted; values are parameters.
    sql = "UPDATE {} SET {} WHERE id = %s".format(  # noqa: S608
        connection.ops.quote_name(table),
        ", ".join(f"{connection.ops.quote_name(c.column)} = %s" for c in columns),
    )
    rows = [
        [c.get_db_prep_save(getattr(bid, c.attname), connection) for c in columns] + [bid.pk]
        for bid in bids
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _open_one(tender: Tender, bid: Bid, private_key: bytes, opened_at) -> None:
    if bid.status != BidStatus.SUBMITTED:
        return
    bid.status_changed_at = opened_at
    try:
        plaintext = open_sealed(
            bytes(bid.sealed), private_key, seal_info(tender.number, bid.lots, bid.supplier.bin)
        )
        bid.opened_content = plaintext
        sealed = parse_canonical(plaintext)
        inner, signature = sealed["inner"], base64.b64decode(sealed["signature"], validate=True)
        outer = parse_canonical(bytes(bid.statement))
        problem = content_problem(inner, outer, tender.currency)
        if not problem:
            signed = verify_detached_cms(signature, canonical(inner), at=bid.received_at)
            if (
                hashlib.sha256(signed.certificate_der).hexdigest()
                != bid.certificate.fingerprint_sha256
            ):
                problem = _("the sealed content is signed with another certificate")
    except CryptoRefused as exc:
        problem = _("the sealed content cannot be read: %(why)s") % {"why": exc.message}
    except CertificateRefused as exc:
        problem = _("the sealed content's signature does not hold: %(why)s") % {"why": exc.message}
    except (KeyError, TypeError, ValueError, binascii.Error):
        problem = _("the sealed content is not a signed bid")
    if problem:
        bid.status, bid.invalid_reason, bid.prices = BidStatus.INVALID, problem, None
    else:
        bid.status, bid.invalid_reason, bid.prices = BidStatus.VALID, "", inner["prices"]


def _protocol(tender, key, seats, bids, opened_at) -> dict:
    return {
        "type": "opening-protocol/v1",
        "tender": tender.number,
        "tender_version": tender.version_hash,
        "opening_key_id": key.key_id,
        "opened_at": iso_utc(opened_at),
        "shares_from": [s.commission_key.key_id for s in seats],
        "bids": [
            {
                "bid": bid.public_id,
                "bidder": bid.supplier.bin,
                "bidder_name": bid.supplier.legal_name,
                "received_at": iso_utc(bid.received_at),
                "lots": bid.lots,
                "prices": bid.prices,
                "status": bid.status,
                "reason": bid.invalid_reason or NOT_OPENED.get(bid.status, ""),
            }
            for bid in bids
        ],
    }
