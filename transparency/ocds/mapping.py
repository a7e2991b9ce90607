"""A tender as an OCDS release: everything public about it at the moment the release is built.

Sealed content stays sealed: before the opening protocol exists a release carries bid
statistics only (how many bids stand), never a bidder, a price or a document; after opening
it carries every bid's details with its status from the bid extension's closed codelist.
"""

from django.conf import settings

from awards.choices import AwardStatus, ReviewStatus
from bids.models import BidStatus
from procurement.choices import LotStatus, TenderStatus
from transparency.ocds.values import amount, drop_empty, instant, party_id

TENDER_STATUS = {
    TenderStatus.ENQUIRIES: "active",
    TenderStatus.TENDERING: "active",
    TenderStatus.OPENING: "complete",
    TenderStatus.EVALUATION: "complete",
    TenderStatus.STANDSTILL: "complete",
    TenderStatus.CONTRACTING: "complete",
    TenderStatus.COMPLETE: "complete",
    TenderStatus.CANCELLED: "cancelled",
    TenderStatus.UNSUCCESSFUL: "unsuccessful",
}
METHOD = {"single_source": "direct"}  # every other procedure is published openly
CRITERIA = {"lowest_price": "priceOnly", "weighted_scoring": "ratedCriteria"}
AWARD_STATUS = {
    AwardStatus.PENDING: "pending",
    AwardStatus.ACTIVE: "active",
    AwardStatus.DECLINED: "cancelled",
    AwardStatus.LAPSED: "cancelled",
    AwardStatus.CANCELLED: "cancelled",
}
CONTRACT_STATUS = {
    "pending": "pending",
    "active": "active",
    "completed": "terminated",  # OCDS: a contract fulfilled and closed is terminated
    "terminated": "terminated",
    "declined": "cancelled",
    "lapsed": "cancelled",
    "cancelled": "cancelled",
}
CLASSIFICATION_SCHEME = "KZ-ENS-TRU"  # the national nomenclature of goods, works and services


def _party(organisation, roles: list[str]) -> dict:
    return {
        "id": party_id(organisation),
        "name": organisation.legal_name,
        "identifier": {
            "scheme": "KZ-BIN",
            "id": organisation.bin,
            "legalName": organisation.legal_name,
        },
        "address": {
            "streetAddress": organisation.address,
            "region": organisation.get_region_display(),
            "countryName": "Kazakhstan",
        },
        "contactPoint": {"email": organisation.contact_email},
        "roles": roles,
    }


def _ref(organisation) -> dict:
    return {"id": party_id(organisation), "name": organisation.legal_name}


def _items(lot) -> list[dict]:
    return [
        {
            "id": f"{lot.number}-{item.pk}",
            "description": item.subject,
            "classification": {
                "scheme": CLASSIFICATION_SCHEME,
                "id": item.nomenclature_code,
                "description": item.subject,
            },
            "quantity": float(item.quantity),
            "unit": {"name": item.unit},
            "relatedLot": str(lot.number),
        }
        for item in lot.plan_items.all()
    ]


class ReleaseBuilder:
    """Loads a tender's public rows once and writes them as one release."""

    def __init__(self, tender):
        self.tender = tender
        self.lots = list(tender.lots.prefetch_related("plan_items").select_related("budget_line"))
        self.opened = hasattr(tender, "opening_protocol") and tender.opening_protocol is not None
        self.bids = list(tender.bids.select_related("supplier").order_by("received_at", "pk"))
        self.reviews = {r.bid_id: r for r in tender.reviews.all()} if self.opened else {}
        self.results_out = tender.results_protocols.exists()
        self.awards = list(tender.awards.select_related("supplier", "lot", "bid").order_by("pk"))
        self.contracts = list(
            tender.contracts.select_related("supplier", "award").prefetch_related(
                "amendments", "payments"
            )
        )
        self.parties: dict[str, dict] = {}

    def _add_party(self, organisation, role: str) -> None:
        entry = self.parties.setdefault(party_id(organisation), _party(organisation, []))
        if role not in entry["roles"]:
            entry["roles"].append(role)

    def build(self, *, release_id: str, date, tags: list[str]) -> dict:
        tender = self.tender
        self._add_party(tender.agency, "buyer")
        self._add_party(tender.agency, "procuringEntity")
        release = {
            "ocid": tender.ocid,
            "id": release_id,
            "date": instant(date),
            "tag": tags,
            "initiationType": "tender",
            "language": "en",
            "buyer": _ref(tender.agency),
            "tender": self._tender(),
            "bids": self._bids(),
            "awards": self._awards(),
            "contracts": self._contracts(),
        }
        release["parties"] = list(self.parties.values())
        return drop_empty(release)

    def _tender(self) -> dict:
        tender, currency = self.tender, self.tender.currency
        active = [lot for lot in self.lots if lot.status != LotStatus.CANCELLED]
        standing = [
            b
            for b in self.bids
            if b.status in (BidStatus.SUBMITTED, BidStatus.VALID, BidStatus.INVALID)
        ]
        tenderers = {b.supplier_id: b.supplier for b in standing} if self.opened else {}
        for supplier in tenderers.values():
            self._add_party(supplier, "tenderer")
        return {
            "id": tender.number,
            "title": tender.title,
            "description": tender.description,
            "status": TENDER_STATUS.get(tender.status, "planning"),
            "procuringEntity": _ref(tender.agency),
            "items": [item for lot in self.lots for item in _items(lot)],
            "value": amount(sum((lot.amount for lot in active), start=0), currency),
            "procurementMethod": METHOD.get(tender.procedure.code, "open"),
            "procurementMethodDetails": tender.procedure.name,
            "awardCriteria": CRITERIA.get(tender.procedure.award_criterion),
            "submissionMethod": ["electronicSubmission"],
            "enquiryPeriod": {
                "startDate": instant(tender.published_at),
                "endDate": instant(tender.enquiry_end),
            },
            "tenderPeriod": {
                "startDate": instant(tender.published_at),
                "endDate": instant(tender.submission_deadline),
            },
            "hasEnquiries": tender.questions.exists(),
            "numberOfTenderers": len(tenderers) if self.opened else None,
            "tenderers": [_ref(s) for s in tenderers.values()],
            "documents": [
                {
                    "id": d.sha256,
                    "documentType": "tenderNotice",
                    "title": d.title,
                    "format": d.content_type,
                    "datePublished": instant(d.uploaded_at),
                    "url": settings.PLATFORM_ORIGIN + d.get_absolute_url(),
                }
                for d in tender.documents.all()
            ]
            if tender.status != TenderStatus.DRAFT
            else [],
        }

    def _bids(self) -> dict:
        standing = [
            b
            for b in self.bids
            if b.status in (BidStatus.SUBMITTED, BidStatus.VALID, BidStatus.INVALID)
        ]
        statistics = [{"id": "bids", "measure": "bids", "value": len(standing)}]
        if not self.opened:
            return {"statistics": statistics}
        details = []
        for bid in self.bids:
            status = self._bid_status(bid)
            if status is None:
                continue
            for lot_id in bid.lots:
                price = (bid.prices or {}).get(lot_id)
                details.append(
                    {
                        "id": f"{bid.public_id}-{lot_id}",
                        "date": instant(bid.received_at),
                        "status": status,
                        "tenderers": [_ref(bid.supplier)],
                        "value": amount(price, self.tender.currency) if price else None,
                    }
                )
        valid = [d for d in details if d["status"] == "valid"]
        statistics.append({"id": "validBids", "measure": "validBids", "value": len(valid)})
        return {"statistics": statistics, "details": details}

    def _bid_status(self, bid) -> str | None:
        """The bid extension's closed codelist: pending, valid, disqualified, withdrawn."""
        if bid.status == BidStatus.WITHDRAWN:
            return "withdrawn"
        if bid.status == BidStatus.INVALID:
            return "disqualified"
        if bid.status != BidStatus.VALID:
            return None  # replaced or made for an earlier version: never a bid of this tender
        review = self.reviews.get(bid.pk)
        if review is None or not self.results_out:
            return "pending"
        return {ReviewStatus.QUALIFIED: "valid", ReviewStatus.DISQUALIFIED: "disqualified"}.get(
            review.status, "pending"
        )

    def _awards(self) -> list[dict]:
        currency, awards = self.tender.currency, []
        lots = {lot.pk: lot for lot in self.lots}
        for award in self.awards:
            self._add_party(award.supplier, "supplier")
            awards.append(
                {
                    "id": f"{self.tender.number}-A{award.pk}",
                    "title": f"Lot {award.lot.number}",
                    "status": AWARD_STATUS[award.status],
                    "date": instant(award.created_at),
                    "value": amount(award.price, currency),
                    "suppliers": [_ref(award.supplier)],
                    "items": _items(lots[award.lot_id]),
                    "relatedBid": f"{award.bid.public_id}-{award.lot.number}"
                    if award.bid
                    else None,
                    "relatedLots": [str(award.lot.number)],
                }
            )
        if self.results_out:
            for lot in self.lots:
                if lot.status == LotStatus.UNSUCCESSFUL:
                    awards.append(
                        {
                            "id": f"{self.tender.number}-L{lot.number}-unsuccessful",
                            "title": f"Lot {lot.number}",
                            "status": "unsuccessful",
                            "items": _items(lot),
                            "relatedLots": [str(lot.number)],
                        }
                    )
        return awards

    def _contracts(self) -> list[dict]:
        contracts = []
        for contract in self.contracts:
            agency = self.tender.agency
            contracts.append(
                {
                    "id": contract.number,
                    "awardID": f"{self.tender.number}-A{contract.award_id}",
                    "title": f"{contract.number}: lot {contract.lot.number}",
                    "status": CONTRACT_STATUS[contract.status],
                    "value": amount(contract.price, contract.currency),
                    "dateSigned": instant(contract.signed_at),
                    "period": {"startDate": instant(contract.signed_at)},
                    "amendments": [
                        {
                            "id": str(a.number),
                            "date": instant(a.made_at),
                            "rationale": a.reason,
                            "description": f"price {a.old_price} -> {a.new_price}",
                        }
                        for a in contract.amendments.all()
                    ],
                    "implementation": {
                        "transactions": [
                            {
                                "id": f"{contract.number}-P{p.number}",
                                "date": instant(p.paid_at),
                                "value": amount(p.amount, contract.currency),
                                "payer": _ref(agency),
                                "payee": _ref(contract.supplier),
                            }
                            for p in contract.payments.all()
                        ]
                    },
                }
            )
        return contracts


def build_release(tender, *, release_id: str, date, tags: list[str]) -> dict:
    return ReleaseBuilder(tender).build(release_id=release_id, date=date, tags=tags)
