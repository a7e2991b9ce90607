"""Which cached CRLs speak for an instant: asked for every signature, so one raw statement.

What it answers is `CertificateRevocationList.objects.latest_per_issuer().fresh_at(at,
max_age=...)` (tests/pki/test_crl_heads.py holds it to that on SQLite and PostgreSQL),
without the CRLs' bytes and without building the query each time.
"""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import connection

from config import prepared

FRESH = """
SELECT crl.id, crl.issuer, crl.sha256, crl.next_update
FROM pki_certificaterevocationlist crl
WHERE crl.id = (
        SELECT newest.id FROM pki_certificaterevocationlist newest
        WHERE newest.issuer = crl.issuer
        ORDER BY newest.this_update DESC, newest.id DESC LIMIT 1
    )
    AND crl.next_update > %(at)s AND crl.fetched_at >= %(since)s
ORDER BY crl.id
"""


@dataclass(frozen=True)
class CrlHead:
    """A cached CRL that speaks for `at`, without its bytes: what names it and bounds it."""

    pk: int
    issuer: str
    sha256: str
    next_update: dt.datetime


def _aware(moment: dt.datetime) -> dt.datetime:
    # SQLite hands back the naive UTC the ORM stored; PostgreSQL an aware timestamp.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def fresh_crl_heads(at: dt.datetime) -> tuple[CrlHead, ...]:
    return heads_from_rows(prepared.fetch(*fresh_heads_statement(at)))


def fresh_heads_statement(at: dt.datetime) -> tuple[str, dict]:
    """The statement `fresh_crl_heads(at)` runs, for a caller that sends it with its own
    (prepared.together); `heads_from_rows` reads its rows."""
    max_age = dt.timedelta(seconds=settings.PKI_CRL_MAX_AGE_SECONDS)
    adapt = connection.ops.adapt_datetimefield_value
    return FRESH, {"at": adapt(at), "since": adapt(at - max_age)}


def heads_from_rows(rows: list[tuple]) -> tuple[CrlHead, ...]:
    return tuple(
        CrlHead(pk, issuer, sha, _aware(next_update)) for pk, issuer, sha, next_update in rows
    )
