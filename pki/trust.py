"""Reading the trust store and CRL sources named in settings. Files only, no database.

Read on every use: files are small, and nothing may live in process memory between requests
(a root added by the operator is seen by every worker at once).
"""

import logging
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


def _certificates_from(paths) -> list[x509.Certificate]:
    found = []
    for path in paths:
        path = Path(path)
        if not path.is_file():
            # Fail closed without crashing: a missing root only means nothing chains to it.
            logger.warning("PKI file %s is missing; skipped", path)
            continue
        found.extend(load_certificates(path.read_bytes()))
    return found


def trust_roots() -> list[x509.Certificate]:
    return _certificates_from(settings.PKI_TRUST_ROOTS)


def intermediates() -> list[x509.Certificate]:
    return _certificates_from(settings.PKI_INTERMEDIATES)


def read_source(source) -> bytes:
    """The bytes at a CRL source: a path or a file:// URL."""
    text = str(source)
    if "://" in text:
        url = urlparse(text)
        if url.scheme != "file":
            raise ValueError(f"unsupported CRL source {text!r}: only paths and file:// URLs")
        return Path(unquote(url.path)).read_bytes()
    return Path(text).read_bytes()
