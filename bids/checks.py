"""Checks shared by submissions and withdrawals: the signer, the bidder, the clock.

They run before the transaction where they can (signature and certificate checks are the
expensive part and need no lock), and again inside it for what must hold at the instant of
acceptance (tender status, deadline, blacklist).
"""

import datetime as dt
import hashlib
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from bids.errors import BidRefused
from bids.sql import BidderFacts, bidder_facts, bidder_facts_and_crl_heads
from bids.statements import signed_at
from pki.cms import verify_detached_cms
from pki.errors import CertificateRefused
from pki.models import SigningCertificate
from pki.validation import validate_certificate
from procurement.calendar import DEFAULT_ZONE
from procurement.choices import TenderStatus
from procurement.periods import local_text
from suppliers.models import BlacklistEntry, Organisation

# A signature made a little later than the server's clock says is tolerated (clocks drift);
# one made before the nonce could have been issued cannot be genuine.
SKEW = dt.timedelta(minutes=5)


def db_now() -> dt.datetime:
    """The instant of acceptance. On PostgreSQL the database's clock, so every app server
    agrees on the deadline whatever its own clock says (settings.TRUST_DATABASE_CLOCK)."""
    if connection.vendor == "postgresql" and settings.TRUST_DATABASE_CLOCK:
        with connection.cursor() as cursor:
            cursor.execute("SELECT clock_timestamp()")
            return cursor.fetchone()[0]
    return timezone.now()


# An HPKE seal is the 32-byte X25519 encapsulated key and an AES-GCM ciphertext with its
# 16-byte tag: anything shorter cannot be a sealed bid.
SEALED_MIN_BYTES = 32 + 16


def check_sizes(statement: bytes, signature: bytes, sealed: bytes | None = None) -> None:
    if len(statement) > settings.BID_STATEMENT_MAX_BYTES or len(signature) > (
        settings.BID_SIGNATURE_MAX_BYTES
    ):
        raise BidRefused(
            "statement_too_large",
            _("The statement or its signature is larger than the platform accepts."),
        )
    if sealed is not None and len(sealed) < SEALED_MIN_BYTES:
        raise BidRefused(
            "sealed_too_short",
            _(
                "The sealed bid is %(size)s bytes; a bid sealed with HPKE is at least %(min)s. "
                "Seal the content with the tender's opening key and send what that gives."
            )
            % {"size": len(sealed), "min": SEALED_MIN_BYTES},
        )
    if sealed is not None and len(sealed) > settings.BID_SEALED_MAX_BYTES:
        raise BidRefused(
            "sealed_too_large",
            _("The sealed bid is %(size)s MB; the limit is %(limit)s MB.")
            % {
                "size": round(len(sealed) / 2**20, 1),
                "limit": settings.BID_SEALED_MAX_BYTES // 2**20,
            },
        )


def check_platform(statement: dict, tender) -> None:
    if statement["platform"] != settings.PLATFORM_ORIGIN:
        raise BidRefused(
            "wrong_platform",
            _("The statement is for platform %(p)s; this is %(here)s.")
            % {"p": statement["platform"], "here": settings.PLATFORM_ORIGIN},
        )
    if statement["tender"] != tender.number:
        raise BidRefused(
            "wrong_tender",
            _("The statement is about tender %(t)s, but it was sent to %(here)s.")
            % {"t": statement["tender"], "here": tender.number},
        )


def bidder_for(actor, bin: str, at: dt.datetime) -> Organisation:
    """The supplier `bin`, if `actor` acts for it and it may bid at `at`."""
    return checked_bidder(bidder_facts(user_id=_user_id(actor), bin=bin, at=at), bin)


def _user_id(actor) -> int | None:
    return actor.pk if getattr(actor, "is_authenticated", False) else None


def checked_bidder(facts: BidderFacts | None, bin: str) -> Organisation:
    """The supplier the facts describe, refused for the first reason it may not bid."""
    if facts is None:
        raise BidRefused(
            "bidder_unknown", _("No supplier with BIN %(bin)s is registered.") % {"bin": bin}
        )
    supplier = facts.supplier
    if not facts.acts_for:
        raise PermissionDenied(
            _("You are not a member of %(org)s, the bidder named in the statement.")
            % {"org": supplier}
        )
    if not supplier.is_verified:
        raise BidRefused(
            "bidder_not_verified",
            _("%(org)s is not a verified supplier yet; only verified suppliers bid.")
            % {"org": supplier},
        )
    if facts.blacklisted:
        raise blacklisted(supplier)
    return supplier


def barred_at(supplier: Organisation, at: dt.datetime) -> bool:
    """Whether the supplier is on the register of unreliable suppliers at `at` (what
    Organisation.objects.blacklisted_at(at) tests, asked of the entries directly)."""
    return BlacklistEntry.objects.in_force_at(at).filter(organisation=supplier).exists()


def blacklisted(supplier: Organisation) -> BidRefused:
    return BidRefused(
        "bidder_blacklisted",
        _("%(org)s is on the register of unreliable suppliers and may not bid.")
        % {"org": supplier},
    )


@dataclass(frozen=True)
class Signer:
    supplier: Organisation
    certificate: SigningCertificate


def bidder_and_signer(
    actor, statement_bytes: bytes, signature: bytes, statement: dict, at: dt.datetime
) -> Signer:
    """The bidder the statement names, if `actor` acts for it and it may bid at `at`, and its
    registered certificate that signed the statement, checked at `at`.

    The signature is read first so that the bidder and the certificate come in one query, but
    the refusals keep their order: who may bid, then the signature, then the certificate.
    """
    bin = statement["bidder"]
    try:
        signed, refusal = verify_detached_cms(signature, statement_bytes, at=at), None
        fingerprint = hashlib.sha256(signed.certificate_der).hexdigest()
    except CertificateRefused as exc:
        signed, refusal, fingerprint = None, exc, None
    facts, crl_heads = bidder_facts_and_crl_heads(
        user_id=_user_id(actor),
        bin=bin,
        at=at,
        fingerprint=fingerprint,
        signed_at=signed_at(statement),
    )
    supplier = checked_bidder(facts, bin)
    if refusal is not None:
        raise refusal
    validate_certificate(signed.certificate_der, bin=supplier.bin, at=at, crl_heads=crl_heads)
    if facts.certificate is None:
        raise BidRefused(
            "certificate_not_registered",
            _(
                "The statement was signed with a certificate (SHA-256 %(fp)s…) that %(org)s "
                "has not registered on the platform; register it first."
            )
            % {"fp": fingerprint[:16], "org": supplier},
        )
    when = signed_at(statement)
    if not (at - dt.timedelta(seconds=settings.BID_NONCE_TTL_SECONDS) - SKEW <= when <= at + SKEW):
        raise BidRefused(
            "signed_at_invalid",
            _("The statement says it was signed at %(when)s UTC, too far from now.")
            % {"when": f"{when:%Y-%m-%d %H:%M:%S}"},
        )
    if not facts.signed_within_validity:
        raise BidRefused(
            "signed_at_invalid",
            _("The statement was signed outside the certificate's validity."),
        )
    return Signer(supplier, facts.certificate)


def check_open_for_bids(tender, received_at: dt.datetime) -> None:
    if tender.status != TenderStatus.TENDERING:
        raise BidRefused(
            "tender_not_open",
            _("%(number)s is %(status)s: bids are accepted only while it is in tendering.")
            % {"number": tender.number, "status": tender.get_status_display().lower()},
        )
    if received_at >= tender.submission_deadline:
        raise BidRefused(
            "deadline_passed",
            _(
                "The submission deadline was %(deadline)s (Almaty time); this arrived at "
                "%(received)s. Nothing was stored."
            )
            % {
                "deadline": local_text(tender.submission_deadline),
                "received": local_seconds(received_at),
            },
        )


def local_seconds(moment: dt.datetime) -> str:
    """`09.02.2026 17:59:59`: to the second, in the agency's zone, for deadline refusals."""
    return moment.astimezone(ZoneInfo(DEFAULT_ZONE)).strftime("%d.%m.%Y %H:%M:%S")


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
