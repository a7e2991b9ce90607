"""Building real bids for tests the way a supplier's software does: through tools/tenderctl.py's
own functions (so the CLI and the server are tested against each other), with certificates
from a test CA and the tender's published opening key."""

import datetime as dt
import importlib.util
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

from django.conf import settings
from django.test import override_settings
from django.utils import timezone

from bids.nonces import issue_nonce
from pki.models import SigningCertificate
from pki.validation import certificate_facts, read_certificate, subject_bin
from tests.pki.ca import der

TOOL_PATH = Path(__file__).resolve().parents[2] / "tools" / "tenderctl.py"


def load_tool():
    spec = importlib.util.spec_from_file_location("tenderctl_for_tests", TOOL_PATH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


tool = load_tool()


@dataclass
class Signer:
    key: object
    certificate: object
    chain: tuple = ()


@dataclass
class Made:
    statement: bytes
    signature: bytes
    sealed: bytes
    inner: dict
    outer: dict


def utc(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def make_bid(
    tender,
    signer: Signer,
    bidder: str,
    prices: dict[str, str],
    *,
    documents=(),
    nonce: str | None = None,
    signed_at: dt.datetime | None = None,
    supersedes: str | None = None,
    tender_version: str | None = None,
    inner_overrides: dict | None = None,
    outer_overrides: dict | None = None,
    seal_lots: list[str] | None = None,
) -> Made:
    """A complete submission; the overrides make the broken ones tests need."""
    nonce = nonce or issue_nonce(tender=tender.number, bidder=bidder)[0]
    public_key = bytes(tender.opening_key.public_key)
    inner = tool.inner_statement(
        tender=tender.number,
        tender_version=tender_version or tender.version_hash,
        bidder=bidder,
        nonce=nonce,
        prices=prices,
        documents=list(documents),
        answers={},
    )
    signed_inner = {**inner, **(inner_overrides or {})}
    inner_signature = tool.sign_cms(
        tool.canonical(signed_inner), signer.key, signer.certificate, signer.chain
    )
    info = tool.seal_info(tender.number, seal_lots or inner["lots"], bidder)
    sealed = tool.seal(tool.sealed_plaintext(signed_inner, inner_signature), public_key, info)
    outer = tool.outer_statement(
        platform=settings.PLATFORM_ORIGIN,
        inner={**inner, "lots": sorted(prices)},
        sealed=sealed,
        opening_key=public_key,
        signed_at=utc(signed_at or timezone.now()),
        supersedes=supersedes,
    )
    outer.update(outer_overrides or {})
    statement = tool.canonical(outer)
    signature = tool.sign_cms(statement, signer.key, signer.certificate, signer.chain)
    return Made(statement, signature, sealed, signed_inner, outer)


def make_withdrawal(tender, signer: Signer, bidder: str, bid_id: str, *, nonce=None):
    nonce = nonce or issue_nonce(tender=tender.number, bidder=bidder)[0]
    statement = tool.canonical(
        tool.withdrawal_statement(
            platform=settings.PLATFORM_ORIGIN,
            tender=tender.number,
            bid=bid_id,
            bidder=bidder,
            nonce=nonce,
            signed_at=utc(timezone.now()),
        )
    )
    return statement, tool.sign_cms(statement, signer.key, signer.certificate, signer.chain)


def register(organisation, user, key, certificate) -> Signer:
    """Register the certificate directly (the pki tests cover the service)."""
    cert = read_certificate(der(certificate))
    facts = certificate_facts(cert, subject_bin=subject_bin(cert, organisation.bin))
    SigningCertificate.objects.create(
        organisation=organisation,
        der=facts.der,
        fingerprint_sha256=facts.fingerprint_sha256,
        serial=facts.serial,
        issuer=facts.issuer,
        subject=facts.subject,
        subject_bin=facts.subject_bin,
        key_type=facts.key_type,
        not_before=facts.not_before,
        not_after=facts.not_after,
        registered_by=user,
    )
    return Signer(key, certificate)


def tendering_tender(cast):
    """A published open tender of the cast (one lot of 3,000,000.00) whose bidding opened a
    minute ago and closes in an hour."""
    from procurement.models import Tender
    from procurement.services.tenders import publish_tender
    from tests.procurement.factories import ready_tender

    tender = publish_tender(tender=ready_tender(cast), actor=cast.buyer)
    now = timezone.now().replace(microsecond=0)
    Tender.objects.filter(pk=tender.pk).update(
        status="tendering",
        enquiry_end=now - dt.timedelta(minutes=1),
        submission_deadline=now + dt.timedelta(hours=1),
        next_check=now + dt.timedelta(hours=1),
    )
    return Tender.objects.select_related("opening_key", "procedure").get(pk=tender.pk)


@contextmanager
def trusted_world(cast):
    """A trusted test CA (settings pointed at it for the duration), supplier A's registered
    certificate, and a tender in tendering: for tests outside tests/bids that need a bid."""
    from tests.pki.ca import TestCA, cache, pem

    ca = TestCA("World")
    with tempfile.TemporaryDirectory() as folder:
        root, intermediate = Path(folder) / "root.pem", Path(folder) / "intermediate.pem"
        root.write_bytes(pem(ca.root))
        intermediate.write_bytes(pem(ca.intermediate))
        with override_settings(
            PKI_TRUST_ROOTS=[root], PKI_INTERMEDIATES=[intermediate], PKI_CRL_SOURCES=[]
        ):
            cache(ca.crl())
            cache(ca.crl(by_root=True))
            key, certificate = ca.issue(cast.supplier_org_a.bin)
            signer = register(cast.supplier_org_a, cast.supplier_a, key, certificate)
            yield SimpleNamespace(ca=ca, signer=signer, tender=tendering_tender(cast))
