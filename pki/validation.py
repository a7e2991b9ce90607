"""May this certificate sign for this supplier at this moment? One refusal code per cause.

What the certificate says about itself is checked first (it is readable, its period, key,
usage and BIN), so the person hears about the fault they can fix; then the chain to a trusted
root and revocation, through pyhanko-certvalidator, against the CRLs cached in the database.
"""

import asyncio
import datetime as dt
import hashlib
import threading
from dataclasses import dataclass

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from django.utils.translation import gettext as _
from pyhanko_certvalidator import CertificateValidator, ValidationContext
from pyhanko_certvalidator import errors as pv

from pki import trust
from pki.choices import KeyType
from pki.crl_heads import CrlHead, fresh_crl_heads
from pki.errors import CertificateRefused
from pki.models import CertificateRevocationList
from pki.subject import bins_in, common_name

MIN_RSA_BITS = 2048
CURVES = (ec.SECP256R1, ec.SECP384R1, ec.SECP521R1)


@dataclass(frozen=True)
class CertificateFacts:
    der: bytes
    fingerprint_sha256: str
    serial: str
    issuer: str
    subject: str
    subject_bin: str
    key_type: str
    not_before: dt.datetime
    not_after: dt.datetime


def when(instant: dt.datetime) -> str:
    return f"{instant.astimezone(dt.UTC):%Y-%m-%d %H:%M} UTC"


def read_certificate(cert_der: bytes) -> x509.Certificate:
    """Parse, touching the lazily parsed parts so a broken one is refused here, not later."""
    try:
        certificate = x509.load_der_x509_certificate(bytes(cert_der))
        certificate.subject.rfc4514_string()
        certificate.issuer.rfc4514_string()
        certificate.extensions  # noqa: B018
    except (TypeError, ValueError) as exc:
        raise CertificateRefused(
            "certificate_malformed",
            _("The file is not an X.509 certificate the platform can read (%(error)s).")
            % {"error": exc},
        ) from exc
    return certificate


def key_type(certificate: x509.Certificate) -> str:
    """RSA of 2048 bits or more, or ECDSA on a NIST curve: what CMS signatures here may use."""
    try:
        key = certificate.public_key()
    except (ValueError, TypeError, NotImplementedError):
        key = None  # e.g. a GOST key, which cryptography cannot load
    if isinstance(key, rsa.RSAPublicKey) and key.key_size >= MIN_RSA_BITS:
        return KeyType.RSA.value
    if isinstance(key, ec.EllipticCurvePublicKey) and isinstance(key.curve, CURVES):
        return KeyType.ECDSA.value
    raise CertificateRefused(
        "certificate_usage",
        _(
            "The certificate's key cannot sign here: the platform accepts RSA keys of at "
            "least 2048 bits and ECDSA keys on P-256, P-384 or P-521."
        ),
    )


def certificate_facts(certificate: x509.Certificate, *, subject_bin: str) -> CertificateFacts:
    der = certificate.public_bytes(serialization.Encoding.DER)
    return CertificateFacts(
        der=der,
        fingerprint_sha256=hashlib.sha256(der).hexdigest(),
        serial=f"{certificate.serial_number:x}",
        issuer=certificate.issuer.rfc4514_string(),
        subject=certificate.subject.rfc4514_string(),
        subject_bin=subject_bin,
        key_type=key_type(certificate),
        not_before=certificate.not_valid_before_utc,
        not_after=certificate.not_valid_after_utc,
    )


def validate_certificate(
    cert_der: bytes, *, bin: str, at: dt.datetime, crl_heads: tuple | None = None
) -> CertificateFacts:
    """The certificate's facts when it may sign for `bin` at `at`; CertificateRefused if not.

    Revocation is judged at `at` with any fresh CRL, even one issued after `at` (a later list
    that does not name the certificate shows it was not revoked then). The caller bounds `at`
    (a signing time near a server nonce), since a signer could otherwise backdate it.
    `crl_heads`: `fresh_crl_heads(at)`, if the caller read it already (with its own reads).
    """
    if at.utcoffset() is None:
        raise ValueError("validate_certificate needs an aware datetime")
    known = _static.get((bytes(cert_der), bin))
    if known is not None:
        certificate, facts = known
        check_period(certificate, at)
    else:
        certificate = read_certificate(cert_der)
        check_period(certificate, at)
        facts = certificate_facts(certificate, subject_bin=subject_bin(certificate, bin))
        check_usage(certificate)
        _remember_static(bytes(cert_der), bin, certificate, facts)
    check_chain(certificate, at, crl_heads)
    return facts


# What a certificate says about itself (its facts, that it names `bin`, that its key and usage
# may sign) does not change with the instant: a supplier signs every bid with the same
# certificate, so the parsing and checks are done once per certificate and BIN. Only answers
# that let it through are kept; the period and the chain are checked on every use.
STATIC_MEMO_SIZE = 4096
_static: dict[tuple[bytes, str], tuple[x509.Certificate, CertificateFacts]] = {}
_static_lock = threading.Lock()


def _remember_static(der: bytes, bin: str, certificate, facts: CertificateFacts) -> None:
    with _static_lock:
        if len(_static) >= STATIC_MEMO_SIZE:
            _static.pop(next(iter(_static)))
        _static[(der, bin)] = (certificate, facts)


def check_period(certificate: x509.Certificate, at: dt.datetime) -> None:
    if at > certificate.not_valid_after_utc:
        raise CertificateRefused(
            "certificate_expired",
            _("The certificate expired on %(date)s.")
            % {"date": when(certificate.not_valid_after_utc)},
        )
    if at < certificate.not_valid_before_utc:
        raise CertificateRefused(
            "certificate_not_yet_valid",
            _("The certificate is not valid until %(date)s.")
            % {"date": when(certificate.not_valid_before_utc)},
        )


def subject_bin(certificate: x509.Certificate, bin: str) -> str:
    found = bins_in(certificate.subject)
    if found == {bin}:
        return bin
    if not found:
        message = _(
            "The certificate names no BIN (the platform reads serialNumber or OU "
            '"BIN" followed by 12 digits), so it cannot sign for BIN %(bin)s.'
        ) % {"bin": bin}
    elif len(found) > 1:
        message = _("The certificate names several BINs (%(found)s); it must name one.") % {
            "found": ", ".join(sorted(found))
        }
    else:
        message = _("The certificate names BIN %(found)s, but it is used here for BIN %(bin)s.") % {
            "found": next(iter(found)),
            "bin": bin,
        }
    raise CertificateRefused("certificate_wrong_bin", message)


def check_usage(certificate: x509.Certificate) -> None:
    try:
        usage = certificate.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        usage = None
    try:
        is_ca = certificate.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    except x509.ExtensionNotFound:
        is_ca = False
    if is_ca:
        raise CertificateRefused(
            "certificate_usage",
            _("This is a certificate authority's certificate; sign with your own certificate."),
        )
    if usage is None or not (usage.digital_signature or usage.content_commitment):
        raise CertificateRefused(
            "certificate_usage",
            _(
                "The certificate is not meant for signing: its key usage must include "
                "digital signature or non-repudiation."
            ),
        )


def check_chain(certificate: x509.Certificate, at: dt.datetime, heads: tuple | None = None) -> None:
    """A path to a trusted root, every certificate on it valid at `at` and not revoked;
    `heads`: the CRLs that speak for `at` (`fresh_crl_heads(at)`), read here if not given."""
    store = trust.trust_store()
    if not store.roots:
        raise CertificateRefused(
            "certificate_untrusted",
            _("The platform trusts no certificate authority yet; the operator must add one."),
        )
    heads = fresh_crl_heads(at) if heads is None else heads
    key = _path_key(certificate, store, heads)
    if _still_holds(key, heads, at):
        return
    crls = _crl_bytes(heads)
    context = ValidationContext(
        trust_roots=[_asn1(root) for root in store.roots],
        other_certs=[_asn1(cert) for cert in store.intermediates],
        crls=list(crls.values()),
        revocation_mode="require",
        retroactive_revinfo=True,
        moment=at,
    )
    validator = CertificateValidator(_asn1(certificate), validation_context=context)
    try:
        path = asyncio.run(validator.async_validate_path())
    except pv.PathBuildingError as exc:
        raise CertificateRefused(
            "certificate_untrusted",
            _(
                "The certificate was not issued by an authority the platform trusts (issuer: %(issuer)s)."
            )
            % {"issuer": common_name(certificate.issuer)},
        ) from exc
    except pv.PathValidationError as exc:
        raise _path_refusal(exc, certificate, heads) from exc
    _remember(key, path, heads, crls)


def _crl_bytes(heads: tuple[CrlHead, ...]) -> dict[CrlHead, bytes]:
    rows = CertificateRevocationList.objects.filter(pk__in=[h.pk for h in heads])
    ders = dict(rows.values_list("pk", "der"))
    return {head: bytes(ders[head.pk]) for head in heads if head.pk in ders}


# --- validated paths, memoised ---------------------------------------------------------------
#
# Building and checking the path costs more than everything else in a bid, and a supplier signs
# every bid with the same certificate. A path that validated is remembered under everything its
# answer depends on: the certificate, the trust store's bytes and the exact CRLs (row and
# SHA-256) that were fresh. A new CRL, a CRL no longer fresh or a changed trust store gives
# another key, so pyhanko runs again and refuses as before. A remembered path serves only
# inside the instants for which its answer cannot change: while every certificate on it is
# valid and before a CRL's next update. Revocation dates make the answer depend on the instant
# too, so each use looks the path's serials up in those CRLs; any entry sends it back to pyhanko.
# Nothing about the request is kept, only this memo of a pure answer: every worker answers
# alike whatever it has seen before.


@dataclass(frozen=True)
class _ValidPath:
    serials: frozenset[int]  # every certificate on the path, the trust anchor too
    valid_from: dt.datetime
    valid_until: dt.datetime


MEMO_SIZE = 4096
_paths: dict[tuple, _ValidPath] = {}
_revoked_serials: dict[tuple[int, str], frozenset[int]] = {}
# The trust store and CRLs the memo was filled under; another one starts it afresh, so only
# one generation of revocation lists is held in memory.
_generation: list[tuple | None] = [None]
_memo_lock = threading.Lock()


def _path_key(certificate: x509.Certificate, store: trust.TrustStore, heads) -> tuple:
    crls = tuple((head.pk, head.sha256) for head in heads)
    return certificate.fingerprint(hashes.SHA256()), store.digest, crls


def _still_holds(key: tuple, heads: tuple[CrlHead, ...], at: dt.datetime) -> bool:
    path = _paths.get(key)
    if path is None or not path.valid_from <= at <= path.valid_until:
        return False
    if any(at >= head.next_update for head in heads):
        return False
    for head in heads:
        revoked = _revoked_serials.get((head.pk, head.sha256))
        if revoked is None or not revoked.isdisjoint(path.serials):
            return False
    return True


def _remember(key: tuple, path, heads: tuple[CrlHead, ...], crls: dict[CrlHead, bytes]) -> None:
    revoked = {}
    for head in heads:
        der = crls.get(head)
        if der is None or hashlib.sha256(der).hexdigest() != head.sha256:
            return  # a row whose bytes are not the ones it names: nothing to key on
        known = _revoked_serials.get((head.pk, head.sha256))
        if known is None:
            try:
                known = frozenset(entry.serial_number for entry in x509.load_der_x509_crl(der))
            except ValueError:
                return  # pyhanko read it, cryptography cannot: keep asking pyhanko
        revoked[(head.pk, head.sha256)] = known
    certs = list(path.iter_certs(include_root=True))
    remembered = _ValidPath(
        serials=frozenset(c.serial_number for c in certs),
        valid_from=max(c.not_valid_before for c in certs),
        valid_until=min(c.not_valid_after for c in certs),
    )
    with _memo_lock:
        if _generation[0] != key[1:]:
            _paths.clear()
            _revoked_serials.clear()
            _generation[0] = key[1:]
        if len(_paths) >= MEMO_SIZE:
            _paths.pop(next(iter(_paths)))
        _revoked_serials.update(revoked)
        _paths[key] = remembered


def forget_validated_paths() -> None:
    with _memo_lock:
        _paths.clear()
        _revoked_serials.clear()
        _generation[0] = None


def _asn1(certificate: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER))


def _chain(exc: pv.PathValidationError) -> list[x509.Certificate]:
    """The path pyhanko was checking, leaf first, without the trust anchor."""
    certs = exc.original_path.iter_certs(include_root=False)
    return [x509.load_der_x509_certificate(c.dump()) for c in reversed(list(certs))]


def _authorities(chain: list[x509.Certificate]) -> str:
    return ", ".join(common_name(c.subject) for c in chain[1:]) or _("the issuing authority")


def _path_refusal(exc, certificate, crls) -> CertificateRefused:
    chain = _chain(exc) or [certificate]
    if isinstance(exc, pv.RevokedError):
        return _revoked(exc, chain)
    if isinstance(exc, pv.InsufficientRevinfoError):
        known = {crl.issuer for crl in crls}
        lacking = next((c for c in chain if c.issuer.rfc4514_string() not in known), chain[0])
        return CertificateRefused(
            "certificate_revocation_unknown",
            _(
                "No fresh revocation list for %(issuer)s: the platform cannot confirm the "
                "certificate is not revoked; try again later."
            )
            % {"issuer": common_name(lacking.issuer)},
        )
    if isinstance(exc, pv.ExpiredError):
        return CertificateRefused(
            "certificate_expired",
            _("The certificate of the issuing authority %(ca)s expired on %(date)s.")
            % {"ca": _authorities(chain), "date": when(exc.expired_dt)},
        )
    if isinstance(exc, pv.NotYetValidError):
        return CertificateRefused(
            "certificate_not_yet_valid",
            _("The certificate of the issuing authority %(ca)s is not valid until %(date)s.")
            % {"ca": _authorities(chain), "date": when(exc.valid_from)},
        )
    return CertificateRefused(
        "certificate_untrusted",
        _("The certificate's chain to a trusted authority does not hold: %(reason)s")
        % {"reason": exc.failure_msg},
    )


def _revoked(exc: pv.RevokedError, chain: list[x509.Certificate]) -> CertificateRefused:
    params = {"date": when(exc.revocation_dt), "reason": exc.reason.human_friendly}
    if exc.is_ee_cert:
        message = _("The certificate was revoked on %(date)s (%(reason)s).") % params
    else:
        message = _(
            "The certificate of the issuing authority %(ca)s was revoked on %(date)s "
            "(%(reason)s), so certificates it issued are no longer trusted."
        ) % {**params, "ca": _authorities(chain)}
    return CertificateRefused("certificate_revoked", message)
