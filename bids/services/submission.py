"""Submitting, replacing and withdrawing sealed bids (docs/bid-format.md, sections 6 and 7).

The platform checks everything it can without opening: the statement's shape and bytes, the
signature and the certificate, the nonce, the bidder, the sealed payload's hash. The
expensive checks run before the transaction; the tender row is then locked and the status,
the deadline (the database's clock), the version and the lots are checked at the instant of
acceptance. A refusal leaves no row and no event, only a counter (bids/refusals.py).
"""

import datetime as dt
import secrets
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from audit.actions import Action
from audit.last_event import LAST_SEQ, atomic_ending_with_event
from bids import statements
from bids.checks import (
    barred_at,
    bidder_and_signer,
    blacklisted,
    check_open_for_bids,
    check_platform,
    check_sizes,
    db_now,
    sha256_hex,
)
from bids.errors import BidRefused
from bids.models import Bid, BidStatus, UsedNonce
from bids.nonces import check_nonce
from bids.receipts import bid_receipt, withdrawal_receipt
from bids.refusals import count_refusal
from config import prepared
from procurement.choices import LotStatus
from procurement.models import Tender
from procurement.versions import lot_id

REPLACEABLE = (BidStatus.SUBMITTED, BidStatus.INVALIDATED)


@dataclass(frozen=True)
class Accepted:
    bid: Bid
    receipt: dict
    # The same statement bytes were accepted before (a client retrying after a lost answer).
    replayed: bool = False


def _counted(tender: Tender, work):
    """Run `work`; a refusal is counted (after its rollback) and raised on."""
    try:
        return work()
    except (ValidationError, PermissionDenied) as exc:
        code = getattr(exc, "code", None) or (
            "forbidden" if isinstance(exc, PermissionDenied) else "invalid"
        )
        count_refusal(tender, code)
        raise


# A share lock, taken in a subquery so that the clock is read after it is granted (the lateral
# join runs once the locked row exists). Amending, closing and opening update the row or lock
# it for update, so they wait for the bids in flight and bids wait for them; bids on one tender
# do not wait for each other, as nothing between two bids needs the tender's lock (nonces,
# sealed hashes and a superseded bid have their own).
SHARE_LOCK = """
SELECT locked.id, locked.number, locked.status, locked.submission_deadline,
    locked.version_number, locked.version_hash, instant.at
FROM (SELECT * FROM procurement_tender WHERE id = %(tender)s FOR SHARE) AS locked
CROSS JOIN LATERAL (
    SELECT COALESCE(%(at)s::timestamptz, clock_timestamp()) AS at WHERE locked.id IS NOT NULL
) AS instant
"""
# What the bid is checked against at that instant, read once the lock is held: a statement's
# subqueries see the snapshot taken before it waited, so in the locking statement they could
# miss what an amendment that held the row had just committed. The opening key's id, the
# active lots, and whether the bidder is on the register of unreliable suppliers
# (BlacklistEntry.objects.in_force_at).
AGAINST = """
SELECT (SELECT key_id FROM bids_openingkey WHERE tender_id = %(tender)s),
    ARRAY(
        SELECT lot.number::text FROM procurement_lot lot
        WHERE lot.tender_id = %(tender)s AND lot.status = %(active)s ORDER BY lot.number
    ),
    EXISTS (
        SELECT 1 FROM suppliers_blacklistentry entry
        WHERE entry.organisation_id = %(supplier)s AND entry.starts_at <= %(at)s
            AND (entry.ends_at IS NULL OR entry.ends_at > %(at)s)
    )
"""

# The tender's fields a bid is checked against, in the model's order (Model.from_db); any other
# field loads on first use.
LOCKED_FIELDS = ["id", "number", "status", "submission_deadline", "version_number", "version_hash"]


@dataclass(frozen=True)
class Locked:
    """The tender as it stands, unchangeable until commit, and what is checked against it."""

    tender: Tender
    at: dt.datetime  # the instant of acceptance
    key_id: str | None  # the opening key's id
    active_lots: frozenset[str]
    barred: bool  # the supplier asked about is on the register at `at`


def _lock(tender: Tender, supplier=None) -> Locked:
    if connection.vendor != "postgresql":
        tender = (
            Tender.objects.select_for_update(of=("self",))
            .select_related("opening_key")
            .get(pk=tender.pk)
        )
        at = db_now()
        opening_key = getattr(tender, "opening_key", None)
        lots = tender.lots.filter(status=LotStatus.ACTIVE).order_by()
        barred = supplier is not None and barred_at(supplier, at)
        return Locked(
            tender,
            at,
            opening_key.key_id if opening_key else None,
            frozenset(lot_id(lot) for lot in lots),
            barred,
        )
    at = None if settings.TRUST_DATABASE_CLOCK else timezone.now()
    rows = prepared.fetch(SHARE_LOCK, {"tender": tender.pk, "at": at})
    if not rows:
        raise Tender.DoesNotExist
    *fields, at = rows[0]
    tender = Tender.from_db(connection.alias, LOCKED_FIELDS, fields)
    params = {
        "tender": tender.pk,
        "supplier": supplier.pk if supplier is not None else None,
        "active": LotStatus.ACTIVE.value,
        "at": at,
    }
    key_id, lots, barred = prepared.fetch(AGAINST, params)[0]
    return Locked(tender, at, key_id, frozenset(lots), barred)


# The common bid (no replacement, PostgreSQL) sends the lock, the reads it is checked against,
# the nonce it burns and its own INSERT in one round trip, and is checked once the answers are
# back: a refusal then rolls all of it back, so nothing of a refused bid remains, as when the
# checks came first. The locking statement fixes the instant of acceptance for the statements
# after it in the transaction (a setting local to it), which read it instead of a parameter.
ACCEPTED_AT = "NULLIF(current_setting('bids.accepted_at', true), '')::timestamptz"
SHARE_LOCK_FIXING_INSTANT = """
SELECT locked.id, locked.number, locked.status, locked.submission_deadline,
    locked.version_number, locked.version_hash, instant.at, instant.fixed
FROM (SELECT * FROM procurement_tender WHERE id = %(tender)s FOR SHARE) AS locked
CROSS JOIN LATERAL (
    SELECT clock.at, set_config('bids.accepted_at', clock.at::text, true) AS fixed
    FROM (SELECT COALESCE(%(at)s::timestamptz, clock_timestamp()) AS at OFFSET 0) AS clock
    WHERE locked.id IS NOT NULL
) AS instant
"""
AGAINST_FIXED_INSTANT = AGAINST.replace("%(at)s", ACCEPTED_AT)

SET_LOG_INDEX = f"UPDATE bids_bid SET log_index = {LAST_SEQ} WHERE id = %(bid)s"  # noqa: S608


def _refusal_for(error: IntegrityError) -> BidRefused | IntegrityError:
    """The refusal a unique violation means: a nonce used before, or a sealed payload the
    platform holds already (under another statement: the same one is a replay)."""
    text = str(error)
    if "usednonce" in text:
        return BidRefused(
            "nonce_replayed",
            _("This nonce was used already: a statement is accepted once. Fetch a new nonce."),
        )
    if "bid_sealed_once" in text or "bids_bid.sealed_sha256" in text:
        return BidRefused(
            "sealed_reused",
            _(
                "This sealed payload was already submitted under another statement. Seal the "
                "bid anew (sealing again gives new bytes) and sign a statement for it."
            ),
        )
    return error


def _burn(nonce: str) -> None:
    # No savepoint: a replayed nonce refuses the whole bid, so the transaction is rolled back.
    try:
        prepared.insert(UsedNonce(value=nonce))
    except IntegrityError as error:
        raise _refusal_for(error) from None


def _insert_bid(bid: Bid) -> None:
    try:
        prepared.insert(bid)
    except IntegrityError as error:
        raise _refusal_for(error) from None


def _lock_and_insert(bid: Bid, supplier, statement: dict) -> Locked:
    """Lock, read, burn the nonce and insert the bid in one round trip; then check, in the
    order the one-by-one path does, and refuse before reporting what the writes ran into."""
    sql, values = prepared.insert_statement(bid, received_at=ACCEPTED_AT)
    at = None if settings.TRUST_DATABASE_CLOCK else timezone.now()
    params = {
        "tender": bid.tender_id,
        "supplier": supplier.pk,
        "active": LotStatus.ACTIVE.value,
        "at": at,
    }
    answers, error = prepared.attempt_together(
        [
            (SHARE_LOCK_FIXING_INSTANT, params),
            (AGAINST_FIXED_INSTANT, params),
            prepared.insert_statement(UsedNonce(value=statement["nonce"])),
            (sql, values),
        ]
    )
    if answers[0] is None or answers[1] is None:  # the lock or the reads failed
        raise error
    if not answers[0]:
        raise Tender.DoesNotExist
    *fields, at, _fixed = answers[0][0]
    key_id, lots, barred = answers[1][0]
    tender = Tender.from_db(connection.alias, LOCKED_FIELDS, fields)
    locked = Locked(tender, at, key_id, frozenset(lots), barred)
    _check_at_instant(locked, statement, supplier)
    if error is not None:
        raise _refusal_for(error) if isinstance(error, IntegrityError) else error
    bid.tender, bid.received_at = locked.tender, locked.at
    prepared.inserted(bid, answers[3])
    return locked


def _check_at_instant(locked: Locked, statement: dict, supplier) -> None:
    check_open_for_bids(locked.tender, locked.at)
    _check_against_tender(locked, statement)
    if locked.barred:
        raise blacklisted(supplier)


def _check_against_tender(locked: Locked, statement: dict) -> None:
    tender, key_id = locked.tender, locked.key_id
    if statement["tender_version"] != tender.version_hash:
        raise BidRefused(
            "tender_version_stale",
            _(
                "The tender was amended: the bid is signed for another version, and version "
                "%(n)s (%(hash)s…) is in force. Read the amendment and sign again."
            )
            % {"n": tender.version_number, "hash": tender.version_hash[:12]},
        )
    if key_id is None or statement["opening_key_id"] != key_id:
        raise BidRefused(
            "opening_key_mismatch",
            _("The bid is sealed for opening key %(given)s; this tender's key is %(key)s.")
            % {
                "given": statement["opening_key_id"],
                "key": key_id or "-",
            },
        )
    unknown = [lot for lot in statement["lots"] if lot not in locked.active_lots]
    if unknown:
        raise BidRefused(
            "lot_unknown",
            _("Lot %(lots)s is not an active lot of %(number)s.")
            % {"lots": ", ".join(unknown), "number": tender.number},
        )


def _superseded(tender: Tender, supplier, public_id: str | None) -> Bid | None:
    if public_id is None:
        return None
    earlier = (
        Bid.objects.select_for_update()
        .filter(tender=tender, supplier=supplier, public_id=public_id)
        .first()
    )
    if earlier is None or earlier.status not in REPLACEABLE:
        raise BidRefused(
            "supersedes_invalid",
            _("Bid %(bid)s is not a bid of yours on this tender that can still be replaced.")
            % {"bid": public_id},
        )
    return earlier


def submit_bid(
    *, tender: Tender, actor: User, statement: bytes, signature: bytes, sealed: bytes
) -> Accepted:
    """Accept a signed, sealed bid (or a replacement naming the bid it supersedes)."""
    return _counted(tender, lambda: _submit(tender, actor, statement, signature, sealed))


def _submit(tender, actor, statement_bytes, signature, sealed) -> Accepted:
    check_sizes(statement_bytes, signature, sealed)
    statement = statements.parse(statement_bytes, statements.SUBMISSION)
    check_platform(statement, tender)
    if sha256_hex(sealed) != statement["sealed_sha256"]:
        raise BidRefused(
            "sealed_hash_mismatch",
            _("The sealed payload is not the one the statement names (its SHA-256 differs)."),
        )
    check_nonce(
        statement["nonce"], tender=tender.number, bidder=statement["bidder"], now=time.time()
    )
    signer = bidder_and_signer(actor, statement_bytes, signature, statement, timezone.now())
    supplier, certificate = signer.supplier, signer.certificate
    try:
        return _store(
            tender, actor, statement, statement_bytes, signature, sealed, supplier, certificate
        )
    except BidRefused as refused:
        # A client whose answer was lost (a dropped connection, a crashed server) sends the
        # same bytes again, perhaps after the deadline: it must learn that its bid stands,
        # not that it is late or its nonce spent. Looked up only on these refusals, so the
        # hot path pays nothing.
        if refused.code in REPLAY_REFUSALS:
            stored = _same_statement(tender, supplier, statement_bytes, sealed)
            if stored is not None:
                return Accepted(stored, bid_receipt(stored), replayed=True)
        raise


# What a retry of an accepted statement runs into: its nonce is burnt, or the deadline passed
# (the tender may have closed since).
REPLAY_REFUSALS = {"nonce_replayed", "deadline_passed", "tender_not_open"}


def _same_statement(tender, supplier, statement_bytes: bytes, sealed: bytes) -> Bid | None:
    return (
        Bid.objects.filter(
            tender=tender,
            supplier=supplier,
            statement_sha256=sha256_hex(statement_bytes),
            sealed_sha256=sha256_hex(sealed),
        )
        .order_by("pk")
        .first()
    )


def _store(tender, actor, statement, statement_bytes, signature, sealed, supplier, certificate):
    with atomic_ending_with_event() as last:
        bid = Bid(
            public_id=f"B-{secrets.token_hex(10)}",
            tender=tender,
            supplier=supplier,
            submitted_by=actor,
            certificate=certificate,
            statement=statement_bytes,
            statement_sha256=sha256_hex(statement_bytes),
            signature=signature,
            sealed=sealed,
            sealed_sha256=statement["sealed_sha256"],
            lots=statement["lots"],
            tender_version=statement["tender_version"],
            opening_key_id=statement["opening_key_id"],
            signed_at=statements.signed_at(statement),
        )
        earlier = None
        if statement["supersedes"] is None and prepared.pipelines():
            locked = _lock_and_insert(bid, supplier, statement)
        else:
            locked = _lock(tender, supplier)
            _check_at_instant(locked, statement, supplier)
            earlier = _superseded(locked.tender, supplier, statement["supersedes"])
            _burn(statement["nonce"])
            if earlier is not None:
                earlier.status = BidStatus.SUPERSEDED
                earlier.status_changed_at = locked.at
                earlier.save(update_fields=["status", "status_changed_at"])
            bid.tender, bid.received_at, bid.supersedes = locked.tender, locked.at, earlier
            _insert_bid(bid)
        tender, received_at = locked.tender, locked.at
        last.event(
            Action.BID_SUBMITTED,
            subject=bid,
            actor=actor,
            data={
                "bid": bid.public_id,
                "tender": tender.number,
                "lots": bid.lots,
                "bidder": supplier.bin,
                "tender_version": bid.tender_version,
                "statement_sha256": bid.statement_sha256,
                "sealed_sha256": bid.sealed_sha256,
                "size": len(sealed),
                "certificate": certificate.fingerprint_sha256,
                "received_at": received_at,
                "supersedes": earlier.public_id if earlier else None,
            },
            then=[(SET_LOG_INDEX, {"bid": bid.pk})],
        )
    bid.log_index = last.entry.seq
    return Accepted(bid, bid_receipt(bid))


def withdraw_bid(*, bid: Bid, actor: User, statement: bytes, signature: bytes) -> Accepted:
    """Withdraw a bid before the deadline with a signed withdrawal statement; the bid stays,
    marked withdrawn, and is listed as such at opening."""
    return _counted(bid.tender, lambda: _withdraw(bid, actor, statement, signature))


def _withdraw(bid, actor, statement_bytes, signature) -> Accepted:
    check_sizes(statement_bytes, signature)
    statement = statements.parse(statement_bytes, statements.WITHDRAWAL)
    check_platform(statement, bid.tender)
    if statement["bid"] != bid.public_id or statement["bidder"] != bid.supplier.bin:
        raise BidRefused(
            "statement_malformed",
            _("The withdrawal names another bid or bidder than the bid it was sent for."),
        )
    check_nonce(
        statement["nonce"], tender=bid.tender.number, bidder=statement["bidder"], now=time.time()
    )
    supplier = bidder_and_signer(
        actor, statement_bytes, signature, statement, timezone.now()
    ).supplier
    with atomic_ending_with_event() as last:
        locked = _lock(bid.tender)
        tender, withdrawn_at = locked.tender, locked.at
        check_open_for_bids(tender, withdrawn_at)
        bid = Bid.objects.select_for_update().get(pk=bid.pk)
        if bid.status not in REPLACEABLE:
            raise BidRefused(
                "bid_not_withdrawable",
                _("Bid %(bid)s is %(status)s and cannot be withdrawn.")
                % {"bid": bid.public_id, "status": bid.get_status_display().lower()},
            )
        _burn(statement["nonce"])
        bid.status = BidStatus.WITHDRAWN
        bid.status_changed_at = withdrawn_at
        bid.save(update_fields=["status", "status_changed_at"])
        last.event(
            Action.BID_WITHDRAWN,
            subject=bid,
            actor=actor,
            data={
                "bid": bid.public_id,
                "tender": tender.number,
                "bidder": supplier.bin,
                "statement_sha256": sha256_hex(statement_bytes),
                "withdrawn_at": withdrawn_at,
            },
        )
    return Accepted(bid, withdrawal_receipt(bid, last.entry))
