"""The content of a tender version: what a supplier bids against, as canonical JSON.

Everything a bid depends on is in it (periods, lots and their amounts, documents by hash,
the commission's threshold) and nothing that changes without an amendment (status, next
check). The previous version's hash is inside too, so the versions form a chain and no
version can be dropped or reordered without the hashes showing it.
"""

import hashlib

from audit.canonical import canonical_bytes
from procurement.choices import LotStatus

VERSION_TYPE = "tender-version/v1"


def snapshot(tender, *, number: int, previous: str | None) -> dict:
    lots = tender.lots.select_related("budget_line").order_by("number")
    documents = tender.documents.order_by("pk")
    content = _base(tender, number, previous, lots, documents)
    # The checklist and the contract terms are what bids answer to, so they are part of the
    # version; left out when empty, so versions made before they existed keep their bytes.
    requirements = [
        {
            "number": r.number,
            "kind": r.kind,
            "title": r.title,
            "description": r.description,
            "weight": r.weight,
        }
        for r in tender.requirements.order_by("number")
    ]
    if requirements:
        content["requirements"] = requirements
    if tender.contract_terms:
        content["contract_terms"] = tender.contract_terms
    return content


def _base(tender, number, previous, lots, documents) -> dict:
    return {
        "type": VERSION_TYPE,
        "tender": tender.number,
        "ocid": tender.ocid,
        "version": number,
        "previous": previous,
        "agency": tender.agency.bin,
        "title": tender.title,
        "description": tender.description,
        "procedure": tender.procedure.code,
        "currency": tender.currency,
        "enquiry_end": tender.enquiry_end,
        "submission_deadline": tender.submission_deadline,
        "opening_threshold": tender.opening_threshold,
        "opening_key_id": _opening_key_id(tender),
        "lots": [
            {
                "id": lot_id(lot),
                "title": lot.title,
                "amount": lot.amount,
                "budget_line": lot.budget_line.code,
                "status": lot.status,
            }
            for lot in lots
        ],
        "documents": [
            {"title": d.title, "name": d.original_name, "sha256": d.sha256, "size": d.size}
            for d in documents
        ],
    }


def _opening_key_id(tender) -> str | None:
    key = getattr(tender, "opening_key", None) if tender.procedure.sealed_bids else None
    return key.key_id if key else None


def lot_id(lot) -> str:
    """A lot's id in bids, versions and open data: its number within the tender."""
    return str(lot.number)


def content_and_hash(content: dict) -> tuple[bytes, str]:
    data = canonical_bytes(content)
    return data, hashlib.sha256(data).hexdigest()


def biddable_lot_ids(tender) -> list[str]:
    return [lot_id(lot) for lot in tender.lots.filter(status=LotStatus.ACTIVE).order_by("number")]
