"""The submission path's reads in raw SQL: one round trip each, no query building.

Building a query with the ORM costs more CPU than PostgreSQL spends answering it, and every
bid asks the same few questions; what each statement answers is what the querysets named in
its comment answer (tests/bids/test_sql.py holds them to it on SQLite and PostgreSQL).
Datetimes are compared in SQL with parameters adapted as the ORM adapts them, so no stored
datetime is read back here and both databases answer alike.
"""

import datetime as dt
from dataclasses import dataclass

from django.db import connection

from config import prepared
from pki.crl_heads import CrlHead, fresh_heads_statement, heads_from_rows
from pki.models import SigningCertificate
from suppliers.choices import OrganisationKind, OrganisationStatus
from suppliers.models import Organisation

# Organisation.objects.suppliers().filter(bin=...), annotated with
#   Membership.objects.in_force().filter(user=actor, organisation=it).exists(),
#   BlacklistEntry.objects.in_force_at(at).filter(organisation=it).exists(),
# and joined to SigningCertificate(organisation=it, fingerprint_sha256=...) with whether the
# statement's signing time lies within that certificate's validity.
BIDDER = """
SELECT o.id, o.kind, o.bin, o.legal_name, o.short_name, o.status,
    o.status <> %(suspended)s AND EXISTS (
        SELECT 1 FROM suppliers_membership m
        WHERE m.organisation_id = o.id AND m.user_id = %(user)s AND m.is_active = %(true)s
    ),
    EXISTS (
        SELECT 1 FROM suppliers_blacklistentry b
        WHERE b.organisation_id = o.id AND b.starts_at <= %(at)s
            AND (b.ends_at IS NULL OR b.ends_at > %(at)s)
    ),
    c.id, c.fingerprint_sha256, c.not_before <= %(signed)s AND %(signed)s <= c.not_after
FROM suppliers_organisation o
LEFT JOIN pki_signingcertificate c
    ON c.organisation_id = o.id AND c.fingerprint_sha256 = %(fingerprint)s
WHERE o.kind = %(supplier)s AND o.bin = %(bin)s
"""
# In the models' field order, which Model.from_db expects when it is given only some fields.
ORGANISATION_FIELDS = ["id", "kind", "bin", "legal_name", "short_name", "status"]
CERTIFICATE_FIELDS = ["id", "organisation_id", "fingerprint_sha256"]


@dataclass(frozen=True)
class BidderFacts:
    supplier: Organisation  # the other fields load on first use
    acts_for: bool  # the user is an active member and the supplier is not suspended
    blacklisted: bool  # at the instant asked
    certificate: SigningCertificate | None  # registered by the supplier, with that fingerprint
    signed_within_validity: bool  # the statement's signing time is inside the certificate's


def bidder_facts(
    *,
    user_id: int | None,
    bin: str,
    at: dt.datetime,
    fingerprint: str | None = None,
    signed_at: dt.datetime | None = None,
) -> BidderFacts | None:
    return _facts(prepared.fetch(BIDDER, _params(user_id, bin, at, fingerprint, signed_at)))


def bidder_facts_and_crl_heads(
    *,
    user_id: int | None,
    bin: str,
    at: dt.datetime,
    fingerprint: str | None,
    signed_at: dt.datetime,
) -> tuple[BidderFacts | None, tuple[CrlHead, ...]]:
    """`bidder_facts` and `pki.crl_heads.fresh_crl_heads(at)` in one round trip: every bid
    asks both, and the certificate's path is checked against those heads."""
    bidder, heads = prepared.together(
        [(BIDDER, _params(user_id, bin, at, fingerprint, signed_at)), fresh_heads_statement(at)]
    )
    return _facts(bidder), heads_from_rows(heads)


def _params(user_id, bin, at, fingerprint, signed_at) -> dict:
    adapt = connection.ops.adapt_datetimefield_value
    return {
        "suspended": OrganisationStatus.SUSPENDED.value,
        "user": user_id,
        "true": True,
        "at": adapt(at),
        "signed": adapt(signed_at or at),
        "fingerprint": fingerprint or "",
        "supplier": OrganisationKind.SUPPLIER.value,
        "bin": bin,
    }


def _facts(rows: list[tuple]) -> BidderFacts | None:
    if not rows:
        return None
    row = rows[0]
    alias = connection.alias
    supplier = Organisation.from_db(alias, ORGANISATION_FIELDS, row[:6])
    certificate = None
    if row[8] is not None:
        certificate = SigningCertificate.from_db(
            alias, CERTIFICATE_FIELDS, (row[8], row[0], row[9])
        )
    return BidderFacts(supplier, bool(row[6]), bool(row[7]), certificate, bool(row[10]))
