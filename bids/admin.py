"""Operators look at bids here: hashes, status and times. Nothing is written from the admin
(bids change only through the services, which write the audit log), and nothing sealed is
shown: not the ciphertext, not the statement or signature bytes, not the opened content, and
no price before the tender's opening protocol exists."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from bids.models import Bid, OpeningProtocol


@admin.register(Bid)
class BidAdmin(admin.ModelAdmin):
    list_display = ("public_id", "tender", "supplier", "status", "received_at", "sealed_sha256")
    list_filter = ("status",)
    list_select_related = ("tender", "supplier")
    search_fields = ("public_id", "tender__number", "supplier__bin", "sealed_sha256")
    date_hierarchy = "received_at"
    fields = (
        "public_id",
        "tender",
        "supplier",
        "submitted_by",
        "certificate",
        "lots",
        "status",
        "status_changed_at",
        "supersedes",
        "signed_at",
        "received_at",
        "tender_version",
        "opening_key_id",
        "statement_sha256",
        "sealed_sha256",
        "log_index",
        "opened_prices",
        "invalid_reason",
    )
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("prices"))
    def opened_prices(self, obj: Bid) -> str:
        if not OpeningProtocol.objects.filter(tender_id=obj.tender_id).exists():
            return _("sealed until opening")
        if not obj.prices:
            return "—"
        return "; ".join(f"{lot}: {price}" for lot, price in sorted(obj.prices.items()))
