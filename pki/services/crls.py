"""Keeping the CRL cache current: fetch each source, check the CA's signature, store changes."""

import hashlib

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from audit.actions import Action
from audit.recorder import record
from pki import trust
from pki.models import CertificateRevocationList

# The cache as a whole is what one refresh changes; its rows are listed in the event data.
CACHE_SUBJECT = ("pki.certificaterevocationlist", "cache")


class Refreshed(list):
    """The rows now current, plus `failed`: the sources skipped and why (as in the event)."""

    failed: list[dict]


def refresh_crls(*, sources=None) -> Refreshed:
    """Fetch every source (default: settings.PKI_CRL_SOURCES) and return the rows now current.

    A source that cannot be read or whose list is not signed by a CA in the trust store is
    named in the event and skipped: its issuer's cached list then ages out and validation
    fails closed, rather than one bad source blocking the others.
    """
    sources = list(settings.PKI_CRL_SOURCES if sources is None else sources)
    authorities = trust.trust_roots() + trust.intermediates()
    fetched, failed = [], []
    for source in sources:
        try:
            for crl in trust.load_crls(trust.read_source(source)):
                _check_crl(crl, authorities)
                fetched.append((str(source), crl))
        except OSError as exc:
            failed.append({"source": _label(source), "reason": exc.strerror or "unreadable"})
        except ValueError as exc:
            failed.append({"source": _label(source), "reason": str(exc)})
    now = timezone.now()
    with transaction.atomic():
        rows, stored, confirmed = Refreshed(), [], []
        for source, crl in fetched:
            row, is_new, reason = _keep(crl, source=source, now=now)
            if row is None:
                failed.append({"source": _label(source), "reason": reason})
                continue
            rows.append(row)
            (stored if is_new else confirmed).append(_described(row))
        record(
            Action.CRL_REFRESHED,
            subject=CACHE_SUBJECT,
            actor=None,
            data={"stored": stored, "confirmed": confirmed, "failed": failed},
        )
    rows.failed = failed
    return rows


def _check_crl(crl: x509.CertificateRevocationList, authorities: list[x509.Certificate]) -> None:
    """Raise ValueError unless a CA in the trust store signed the list and it has nextUpdate."""
    issuer = crl.issuer.rfc4514_string()
    if crl.next_update_utc is None:
        raise ValueError(f"the list of {issuer} has no nextUpdate, so its freshness is unknown")
    for authority in authorities:
        if authority.subject == crl.issuer and crl.is_signature_valid(authority.public_key()):
            return
    raise ValueError(f"the list of {issuer} is not signed by a CA in the trust store")


def _keep(crl, *, source: str, now):
    """(row, stored a new one?, why not) for one fetched list; the cache is locked per issuer."""
    der = crl.public_bytes(serialization.Encoding.DER)
    issuer = crl.issuer.rfc4514_string()
    latest = (
        CertificateRevocationList.objects.select_for_update()
        .filter(issuer=issuer)
        .order_by("-this_update", "-pk")
        .first()
    )
    sha256 = hashlib.sha256(der).hexdigest()
    # Same thisUpdate, other bytes: the CA re-signed the same list (ECDSA signatures differ).
    if latest is not None and (
        latest.sha256 == sha256 or latest.this_update == crl.last_update_utc
    ):
        CertificateRevocationList.objects.filter(pk=latest.pk).update(fetched_at=now)
        latest.fetched_at = now
        return latest, False, ""
    if latest is not None and crl.last_update_utc < latest.this_update:
        # A source serving an older list must never roll the cache back.
        return None, False, f"the list of {issuer} is older than the cached one"
    row = CertificateRevocationList.objects.create(
        issuer=issuer,
        der=der,
        this_update=crl.last_update_utc,
        next_update=crl.next_update_utc,
        fetched_at=now,
        sha256=sha256,
        source=source,
    )
    return row, True, ""


def _described(row: CertificateRevocationList) -> dict:
    return {
        "id": row.pk,
        "issuer": row.issuer,
        "sha256": row.sha256,
        "this_update": row.this_update,
        "next_update": row.next_update,
    }


def _label(source) -> str:
    """The file name only: server paths do not belong in the public log."""
    return str(source).rstrip("/").rsplit("/", 1)[-1]
