"""Reading the trust store and CRL sources named in settings. Files only, no database.

Read on every use: files are small, and nothing may live in process memory between requests
(a root added by the operator is seen by every worker at once). Only the parsing is memoised,
keyed by the bytes read, so a changed file is parsed again on its first use.
"""

import hashlib
import logging
import threading
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlparse

from cryptography import x509
from django.conf import settings

logger = logging.getLogger(__name__)

PEM_CERTIFICATE = b"-----BEGIN CERTIFICATE-----"
PEM_CRL = b"-----BEGIN X509 CRL-----"


def load_certificates(data: bytes) -> list[x509.Certificate]:
    """Every certificate in a PEM bundle, or the one DER certificate."""
    if PEM_CERTIFICATE in data:
        return x509.load_pem_x509_certificates(data)
    return [x509.load_der_x509_certificate(data)]


def load_crls(data: bytes) -> list[x509.CertificateRevocationList]:
    """Every CRL in a PEM bundle, or the one DER CRL."""
    if PEM_CRL not in data:
        return [x509.load_der_x509_crl(data)]
    crls = []
    for block in data.split(PEM_CRL)[1:]:
        crls.append(x509.load_pem_x509_crl(PEM_CRL + block))
    return crls


def _read_files(paths) -> list[bytes]:
    found = []
    for path in paths:
        path = Path(path)
        if not path.is_file():
            # Fail closed without crashing: a missing root only means nothing chains to it.
            logger.warning("PKI file %s is missing; skipped", path)
            continue
        found.append(path.read_bytes())
    return found


@dataclass(frozen=True)
class TrustStore:
    roots: tuple[x509.Certificate, ...]
    intermediates: tuple[x509.Certificate, ...]
    # SHA-256 over every byte read: two stores with the same digest trust the same things.
    digest: str


_parsed: dict[str, TrustStore] = {}
_parsed_lock = threading.Lock()


def trust_store() -> TrustStore:
    """The roots and intermediates the settings name, read now."""
    roots, middle = _read_files(settings.PKI_TRUST_ROOTS), _read_files(settings.PKI_INTERMEDIATES)
    hasher = hashlib.sha256()
    for group in (roots, middle):
        hasher.update(len(group).to_bytes(4, "big"))
        for data in group:
            hasher.update(len(data).to_bytes(8, "big") + data)
    digest = hasher.hexdigest()
    store = _parsed.get(digest)
    if store is None:
        store = TrustStore(
            roots=tuple(c for data in roots for c in load_certificates(data)),
            intermediates=tuple(c for data in middle for c in load_certificates(data)),
            digest=digest,
        )
        with _parsed_lock:
            if len(_parsed) >= 16:  # the operator's edits, not a request's input: few ever
                _parsed.clear()
            _parsed[digest] = store
    return store


def trust_roots() -> list[x509.Certificate]:
    return list(trust_store().roots)


def intermediates() -> list[x509.Certificate]:
    return list(trust_store().intermediates)


def read_source(source) -> bytes:
    """The bytes at a CRL source: a path or a file:// URL."""
    text = str(source)
    if "://" in text:
        url = urlparse(text)
        if url.scheme != "file":
            raise ValueError(f"unsupported CRL source {text!r}: only paths and file:// URLs")
        return Path(unquote(url.path)).read_bytes()
    return Path(text).read_bytes()
