"""Operators look at contracts and what happened under them, read-only (services write)."""

from django.contrib import admin

from awards.admin import ReadOnly
from contracts.models import Contract, Payment


@admin.register(Contract)
class ContractAdmin(ReadOnly):
    list_display = ("number", "tender", "supplier", "price", "status", "sign_deadline", "signed_at")
    list_filter = ("status",)
    list_select_related = ("tender", "supplier")
    search_fields = ("number", "tender__number", "supplier__bin", "supplier__legal_name")
    exclude = ("content", "buyer_signature", "supplier_signature")
    readonly_fields = (
        "number",
        "award",
        "tender",
        "lot",
        "agency",
        "supplier",
        "original_price",
        "price",
        "currency",
        "terms",
        "sha256",
        "status",
        "sign_deadline",
        "buyer_certificate",
        "buyer_signed_by",
        "buyer_signed_at",
        "supplier_certificate",
        "supplier_signed_by",
        "supplier_signed_at",
        "signed_at",
        "created_at",
        "ended_at",
        "end_reason",
    )


@admin.register(Payment)
class PaymentAdmin(ReadOnly):
    list_display = ("contract", "number", "amount", "reference", "paid_at")
    search_fields = ("contract__number", "reference")
    readonly_fields = ("contract", "number", "amount", "reference", "status", "paid_by", "paid_at")
