"""Operators look at the award stage here, read-only: it changes only through the services,
which write the audit log. The award list filters the winners a buyer proposed for the
register of unreliable suppliers, for the operator who keeps that register."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from awards.models import Award, Complaint, ResultsProtocol


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ProposedForBlacklist(admin.SimpleListFilter):
    title = _("proposed for the blacklist")
    parameter_name = "proposed"

    def lookups(self, request, model_admin):
        return [("yes", _("Yes"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.exclude(blacklist_proposed_at=None)
        return queryset


@admin.register(Award)
class AwardAdmin(ReadOnly):
    list_display = (
        "tender",
        "lot",
        "supplier",
        "price",
        "status",
        "standstill_end",
        "blacklist_proposed_at",
    )
    list_filter = ("status", ProposedForBlacklist)
    list_select_related = ("tender", "lot", "supplier")
    search_fields = ("tender__number", "supplier__bin", "supplier__legal_name")
    readonly_fields = [f.name for f in Award._meta.fields]


@admin.register(Complaint)
class ComplaintAdmin(ReadOnly):
    list_display = ("number", "tender", "kind", "complainant", "status", "filed_at", "decided_at")
    list_filter = ("status", "kind")
    list_select_related = ("tender", "complainant")
    search_fields = ("number", "tender__number", "complainant__bin")
    readonly_fields = [f.name for f in Complaint._meta.fields]


@admin.register(ResultsProtocol)
class ResultsProtocolAdmin(ReadOnly):
    list_display = ("tender", "revision", "sha256", "signed_by", "published_at", "set_aside_at")
    search_fields = ("tender__number", "sha256")
    exclude = ("content", "signature")
    readonly_fields = (
        "tender",
        "revision",
        "sha256",
        "certificate",
        "signed_by",
        "published_at",
        "log_index",
        "set_aside_at",
    )
