"""Building real bids for tests the way a supplier's software does: through tools/tenderctl.py's
own functions (so the CLI and the server are tested against each other), with certificates
from a test CA and the tender's published opening key."""

import datetime as dt
import importlib.util
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from bids.nonces import issue_nonce

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
    from django.utils import timezone

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
    inner.update(inner_overrides or {})
    inner_signature = tool.sign_cms(
        tool.canonical(inner), signer.key, signer.certificate, signer.chain
    )
    info = tool.seal_info(tender.number, seal_lots or inner["lots"], bidder)
    sealed = tool.seal(tool.sealed_plaintext(inner, inner_signature), public_key, info)
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
    return Made(statement, signature, sealed, inner, outer)


def make_withdrawal(tender, signer: Signer, bidder: str, bid_id: str, *, nonce=None):
    from django.utils import timezone

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
