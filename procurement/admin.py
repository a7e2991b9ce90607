"""Operators look at plans, budgets and procedures here; nothing is written from the admin.

Budget lines and plan items change through the services (so every change is audited), the
ledger only through them, and procedures through data migrations.
"""

from django.contrib import admin

from procurement.models import BudgetEntry, BudgetLine, Lot, PlanItem, Procedure, Tender


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Procedure)
class ProcedureAdmin(ReadOnlyAdmin):
    list_display = (
        "code",
        "name",
        "enquiry_days",
        "submission_days",
        "review_days",
        "day_kind",
        "sealed_bids",
        "value_ceiling",
        "is_active",
    )


@admin.register(BudgetLine)
class BudgetLineAdmin(ReadOnlyAdmin):
    list_display = ("agency", "fiscal_year", "code", "name", "approved_amount", "currency")
    list_filter = ("fiscal_year",)
    search_fields = ("agency__legal_name", "agency__bin", "programme_code", "name")


@admin.register(BudgetEntry)
class BudgetEntryAdmin(ReadOnlyAdmin):
    list_display = ("line", "kind", "amount", "reference_type", "reference_id", "created_at")
    list_filter = ("kind",)
    list_select_related = ("line",)


@admin.register(PlanItem)
class PlanItemAdmin(ReadOnlyAdmin):
    list_display = ("agency", "fiscal_year", "subject", "planned_amount", "procedure", "status")
    list_filter = ("fiscal_year", "status")
    search_fields = ("subject", "nomenclature_code", "agency__legal_name")


class LotInline(admin.TabularInline):
    model = Lot
    fields = ("number", "title", "amount", "budget_line", "status")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Tender)
class TenderAdmin(ReadOnlyAdmin):
    list_display = ("number", "title", "agency", "procedure", "status", "next_check")
    list_filter = ("status", "procedure")
    search_fields = ("number", "title")
    inlines = [LotInline]
