"""What the contracts API reads and answers: money as decimal strings, instants in UTC,
signatures base64 (contracts/api.py)."""

import datetime as dt
from decimal import Decimal

from ninja import Field, Schema

from awards.schemas import b64, fingerprint
from contracts.choices import ContractStatus
from procurement.money import round_money

MONEY = {"gt": 0, "max_digits": 18, "decimal_places": 2}


class AmendmentOut(Schema):
    number: int
    old_price: Decimal
    new_price: Decimal
    reason: str
    made_at: dt.datetime


class AcceptanceOut(Schema):
    number: int
    amount: Decimal
    description: str
    status: str = Field(..., description="accepted, or paid once payments cover it in full")
    accepted_at: dt.datetime


class PaymentOut(Schema):
    number: int
    amount: Decimal
    reference: str = Field(..., description="the treasury payment order")
    paid_at: dt.datetime


class ContractSummaryOut(Schema):
    number: str
    tender: str
    lot: int = Field(..., description="the lot's number")
    agency_bin: str
    supplier_bin: str
    supplier_name: str
    price: Decimal
    currency: str
    status: str = Field(..., description="pending (to sign), active, completed, terminated, ...")
    sign_deadline: dt.datetime
    signed_at: dt.datetime | None = Field(None, description="in force since")

    @staticmethod
    def resolve_tender(obj) -> str:
        return obj.tender.number

    @staticmethod
    def resolve_lot(obj) -> int:
        return obj.lot.number

    @staticmethod
    def resolve_agency_bin(obj) -> str:
        return obj.agency.bin

    @staticmethod
    def resolve_supplier_bin(obj) -> str:
        return obj.supplier.bin

    @staticmethod
    def resolve_supplier_name(obj) -> str:
        return obj.supplier.legal_name


class ContractOut(ContractSummaryOut):
    agency_name: str
    original_price: Decimal = Field(..., description="the price at signature")
    terms: str
    sha256: str = Field(..., description="SHA-256 of the document both sides sign")
    buyer_signed_at: dt.datetime | None
    buyer_certificate: str | None = Field(None, description="its SHA-256 fingerprint")
    buyer_signature: str | None = Field(None, description="base64 detached CMS (DER)")
    supplier_signed_at: dt.datetime | None
    supplier_certificate: str | None = None
    supplier_signature: str | None = None
    created_at: dt.datetime
    ended_at: dt.datetime | None
    end_reason: str
    accepted_total: Decimal
    paid_total: Decimal
    amendments: list[AmendmentOut]
    acceptances: list[AcceptanceOut]
    payments: list[PaymentOut]

    @staticmethod
    def resolve_agency_name(obj) -> str:
        return obj.agency.legal_name

    @staticmethod
    def resolve_buyer_certificate(obj) -> str | None:
        return fingerprint(obj.buyer_certificate)

    @staticmethod
    def resolve_supplier_certificate(obj) -> str | None:
        return fingerprint(obj.supplier_certificate)

    @staticmethod
    def resolve_buyer_signature(obj) -> str | None:
        return b64(obj.buyer_signature)

    @staticmethod
    def resolve_supplier_signature(obj) -> str | None:
        return b64(obj.supplier_signature)

    @staticmethod
    def resolve_accepted_total(obj) -> Decimal:
        return round_money(obj.accepted_total())

    @staticmethod
    def resolve_paid_total(obj) -> Decimal:
        return round_money(obj.paid_total())

    @staticmethod
    def resolve_amendments(obj):
        return obj.amendments.all()

    @staticmethod
    def resolve_acceptances(obj):
        return obj.acceptances.all()

    @staticmethod
    def resolve_payments(obj):
        return obj.payments.all()


class ContractFilter(Schema):
    status: ContractStatus | None = None
    tender: str | None = Field(None, description="the tender's number")
    agency: str | None = Field(None, description="the agency's BIN")
    supplier: str | None = Field(None, description="the supplier's BIN")


class SignatureIn(Schema):
    signature: str = Field(
        ..., description="base64 of your detached CMS (DER) over the contract document's bytes"
    )


class ReasonIn(Schema):
    reason: str = Field(..., min_length=1, max_length=5000)


class AmendmentIn(Schema):
    new_price: Decimal = Field(..., **MONEY, description="within the procedure's limit")
    reason: str = Field(..., min_length=1, max_length=5000)


class AcceptanceIn(Schema):
    amount: Decimal = Field(..., **MONEY)
    description: str = Field(..., min_length=1, max_length=5000, description="what was delivered")


class PaymentIn(Schema):
    amount: Decimal = Field(..., **MONEY, description="at most what is accepted and unpaid")
    reference: str = Field(..., min_length=1, max_length=100, description="payment order number")


class SingleSourceIn(Schema):
    supplier_bin: str = Field(..., pattern=r"^[0-9]{12}$")
    price: Decimal = Field(..., **MONEY, description="at most the lot's amount")
    justification: str = Field(..., min_length=1, max_length=5000)
