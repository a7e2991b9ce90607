"""The platform's own indicators, over data only the platform holds. Each function returns
the findings for the data as it stands; thresholds come from settings (RED_FLAG_*).

- same_key: competing bids of one tender signed with the same key (two suppliers' certificates
  over one public key), a sign that one hand prepared both bids.
- same_document: competing bids of one tender carrying a document with the same SHA-256 (seen
  only after opening, from the opened content).
- same_contact: competing bidders of one tender sharing an e-mail, a phone or an address.
- bids_seconds_apart: bids of related suppliers (sharing contact details or a signing key)
  received within RED_FLAG_BID_SECONDS of each other.
- price_raised: a contract whose amendments raised the price by RED_FLAG_PRICE_RISE_PERCENT or
  more over the signed price.
- split_purchase: one agency publishing, within one month, several tenders of one procedure
  with a value ceiling and the same nomenclature class, each under the ceiling, together over
  it: the purchase looks split to stay under the ceiling.
"""

import hashlib
import json
from collections import defaultdict
from decimal import Decimal
from itertools import combinations, groupby

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from django.conf import settings
from django.db.models import Sum

from bids.models import Bid, BidStatus
from contracts.models import Contract
from procurement.models import Tender
from transparency.flags.findings import Finding

COMPETING = (BidStatus.SUBMITTED, BidStatus.VALID, BidStatus.INVALID)


def _key_hash(der: bytes) -> str:
    public = x509.load_der_x509_certificate(bytes(der)).public_key()
    return hashlib.sha256(
        public.public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    ).hexdigest()


def _competing_bids(tender_ids=None):
    # Only opened tenders: before the opening even who bid is not shown to anyone, auditors
    # included, so that nobody can learn who competes while bids can still be placed.
    # One tender's bids at a time, without the sealed payload, statement and signature: at
    # national volume (200,000 bids) loading them all took gigabytes.
    bids = (
        Bid.objects.filter(status__in=COMPETING, tender__opening_protocol__isnull=False)
        .select_related("supplier", "certificate")
        .defer("sealed", "statement", "signature")
    )
    if tender_ids is not None:
        bids = bids.filter(tender_id__in=tender_ids)
    rows = bids.order_by("tender_id", "received_at").iterator(chunk_size=2000)
    for tender_id, group in groupby(rows, key=lambda bid: bid.tender_id):
        yield tender_id, list(group)


def _pairs(bids):
    """Each pair of bids from two different suppliers."""
    for a, b in combinations(bids, 2):
        if a.supplier_id != b.supplier_id:
            yield a, b


def _contacts(org) -> dict[str, str]:
    values = {
        "email": (org.contact_email or "").strip().lower(),
        "phone": "".join(ch for ch in org.contact_phone or "" if ch.isdigit()),
        "address": " ".join((org.address or "").lower().split()),
    }
    return {k: v for k, v in values.items() if v}


def _pair_key(tender_number: str, a, b) -> str:
    first, second = sorted([a.supplier.bin, b.supplier.bin])
    return f"{tender_number}:{first}:{second}"


def _documents(bid) -> set[str]:
    if not bid.opened_content:
        return set()
    try:
        inner = json.loads(bytes(bid.opened_content))["inner"]
        return {d["sha256"] for d in inner.get("documents", []) if isinstance(d, dict)}
    except (ValueError, KeyError, TypeError):
        return set()


def competing_bid_findings(tender_ids=None) -> list[Finding]:
    numbers = dict(Tender.objects.values_list("pk", "number"))
    seconds = settings.RED_FLAG_BID_SECONDS
    found = []
    for tender_id, bids in _competing_bids(tender_ids):
        keys = {b.pk: _key_hash(b.certificate.der) for b in bids}
        number = numbers[tender_id]
        for a, b in _pairs(bids):
            names = f"{a.supplier.legal_name} and {b.supplier.legal_name}"
            pair = _pair_key(number, a, b)
            shared = sorted(
                k for k, v in _contacts(a.supplier).items() if _contacts(b.supplier).get(k) == v
            )
            same_key = keys[a.pk] == keys[b.pk]
            common_docs = sorted(_documents(a) & _documents(b))
            if same_key:
                found.append(
                    Finding(
                        "same_key",
                        pair,
                        f"{names} signed their bids for {number} with the same key.",
                        {"key_sha256": keys[a.pk], "bids": [a.public_id, b.public_id]},
                        tender_id,
                    )
                )
            if common_docs:
                found.append(
                    Finding(
                        "same_document",
                        pair,
                        f"{names} attached the same document to their bids for {number}.",
                        {"sha256": common_docs, "bids": [a.public_id, b.public_id]},
                        tender_id,
                    )
                )
            if shared:
                found.append(
                    Finding(
                        "same_contact",
                        pair,
                        f"{names}, competing for {number}, share their {', '.join(shared)}.",
                        {"shared": shared, "bids": [a.public_id, b.public_id]},
                        tender_id,
                    )
                )
            gap = abs((a.received_at - b.received_at).total_seconds())
            if (shared or same_key) and gap <= seconds:
                found.append(
                    Finding(
                        "bids_seconds_apart",
                        pair,
                        f"Related suppliers {names} submitted bids for {number} {gap:.0f} s apart.",
                        {
                            "seconds": round(gap, 3),
                            "limit": seconds,
                            "related_by": shared + (["signing key"] if same_key else []),
                        },
                        tender_id,
                    )
                )
    return found


def price_raised_findings() -> list[Finding]:
    limit = Decimal(str(settings.RED_FLAG_PRICE_RISE_PERCENT))
    found = []
    for contract in (
        Contract.objects.exclude(signed_at=None).filter(amendments__isnull=False).distinct()
    ):
        rise = (contract.price - contract.original_price) * 100 / contract.original_price
        if rise >= limit:
            found.append(
                Finding(
                    "price_raised",
                    contract.number,
                    f"Amendments raised the price of {contract.number} by {rise:.2f}% "
                    f"(from {contract.original_price} to {contract.price}); the flag is at {limit}%.",
                    {
                        "original_price": str(contract.original_price),
                        "price": str(contract.price),
                        "rise_percent": str(round(rise, 2)),
                        "threshold_percent": str(limit),
                    },
                    contract.tender_id,
                    contract.supplier_id,
                )
            )
    return found


def split_purchase_findings() -> list[Finding]:
    groups = defaultdict(list)
    tenders = (
        Tender.objects.exclude(published_at=None)
        .exclude(procedure__value_ceiling=None)
        .select_related("procedure", "agency")
        .annotate(value=Sum("lots__amount"))
    )
    for tender in tenders:
        codes = {
            c[:6] for c in tender.lots.values_list("plan_items__nomenclature_code", flat=True) if c
        }
        month = tender.published_at.strftime("%Y-%m")
        for code in codes:
            groups[(tender.agency_id, tender.procedure_id, month, code)].append(tender)
    found = []
    for (agency_id, _proc, month, code), group in groups.items():
        ceiling = group[0].procedure.value_ceiling
        total = sum((t.value or 0 for t in group), Decimal("0"))
        if len(group) >= 2 and total > ceiling:
            numbers = sorted(t.number for t in group)
            found.append(
                Finding(
                    "split_purchase",
                    f"{group[0].agency.bin}:{month}:{code}",
                    f"{group[0].agency.legal_name} published {len(group)} tenders of class {code} "
                    f"under the {group[0].procedure.name} ceiling in {month}; together "
                    f"{total} exceed the ceiling of {ceiling}.",
                    {
                        "tenders": numbers,
                        "total": str(total),
                        "ceiling": str(ceiling),
                        "month": month,
                        "class": code,
                    },
                    None,
                    agency_id,
                )
            )
    return found


def native_findings() -> list[Finding]:
    return competing_bid_findings() + price_raised_findings() + split_purchase_findings()
