"""Real bids built in a pool of forked processes, the way a supplier's software builds them:
tools/tenderctl.py's own functions (as tests/bids/support.make_bid uses them) sign the inner
statement, seal it with HPKE to the tender's opening key, and sign the outer statement, each
with the supplier's certificate from the bench CA. About 0.3 ms a bid on this machine."""

import datetime as dt
import multiprocessing as mp
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from bench import pools

_STATE: dict = {}  # what forked builders read: {"signers": {index: (key PEM, cert DER)}}


@dataclass
class BidJob:
    key: int  # the caller's own reference for the result
    tender: str
    version: str
    opening_key: bytes
    bidder: str
    supplier: int
    prices: dict
    signed_at: dt.datetime


def _signer(index: int):
    cache = _STATE.setdefault("loaded", {})
    if index not in cache:
        key_pem, der = _STATE["signers"][index]
        cache[index] = (
            serialization.load_pem_private_key(key_pem, None),
            x509.load_der_x509_certificate(der),
        )
    return cache[index]


def _build(job: BidJob):
    from django.conf import settings

    from bids.nonces import issue_nonce
    from tests.bids.support import tool, utc

    key, certificate = _signer(job.supplier)
    nonce = issue_nonce(tender=job.tender, bidder=job.bidder)[0]
    inner = tool.inner_statement(
        tender=job.tender, tender_version=job.version, bidder=job.bidder, nonce=nonce,
        prices=job.prices, documents=[], answers={},
    )  # fmt: skip
    inner_signature = tool.sign_cms(tool.canonical(inner), key, certificate, ())
    plaintext = tool.sealed_plaintext(inner, inner_signature)
    info = tool.seal_info(job.tender, inner["lots"], job.bidder)
    sealed = tool.seal(plaintext, job.opening_key, info)
    outer = tool.outer_statement(
        platform=settings.PLATFORM_ORIGIN, inner={**inner, "lots": sorted(job.prices)},
        sealed=sealed, opening_key=job.opening_key, signed_at=utc(job.signed_at),
        supersedes=None,
    )  # fmt: skip
    statement = tool.canonical(outer)
    signature = tool.sign_cms(statement, key, certificate, ())
    return job.key, statement, signature, sealed, plaintext, nonce


class Builder:
    """A pool that lives for the whole seed; forked before any database connection is open."""

    def __init__(self, signers: dict, processes: int):
        from django.db import connections

        connections.close_all()
        _STATE["signers"] = signers
        self.pool = mp.get_context("fork").Pool(processes, initializer=pools.default_signals)

    def build(self, jobs: list[BidJob]) -> list[tuple]:
        return self.pool.map(_build, jobs, chunksize=100)

    def close(self) -> None:
        self.pool.close()
        self.pool.join()
        _STATE.clear()
