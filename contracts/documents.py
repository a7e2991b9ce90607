"""The contract as a document both sides sign: canonical JSON of its parties, lot, price and
terms. Built once, when the award becomes active, and stored as exact bytes."""

from audit.canonical import canonical_bytes, iso_utc
from procurement.versions import lot_id

CONTRACT_TYPE = "contract/v1"


def contract_document(*, number, tender, lot, award, price, terms, sign_deadline) -> bytes:
    return canonical_bytes(
        {
            "type": CONTRACT_TYPE,
            "number": number,
            "tender": tender.number,
            "ocid": tender.ocid,
            "tender_version": tender.version_hash,
            "lot": {"id": lot_id(lot), "title": lot.title, "budget_line": lot.budget_line.code},
            "buyer": {"bin": tender.agency.bin, "name": tender.agency.legal_name},
            "supplier": {"bin": award.supplier.bin, "name": award.supplier.legal_name},
            "award": {
                "bid": award.bid.public_id if award.bid_id else None,
                "results_protocol_sha256": award.protocol.sha256 if award.protocol_id else None,
            },
            "price": price,
            "currency": tender.currency,
            "terms": terms,
            "sign_by": iso_utc(sign_deadline),
        }
    )
