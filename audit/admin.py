from django.contrib import admin

from audit.models import Checkpoint, Entry


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Entry)
class EntryAdmin(ReadOnlyAdmin):
    list_display = ("seq", "recorded_at", "action", "subject_type", "subject_id", "actor")
    list_filter = ("action",)
    search_fields = ("subject_id",)
    exclude = ("payload", "leaf_hash", "chain_hash")
    readonly_fields = (
        "seq",
        "recorded_at",
        "actor",
        "action",
        "subject_type",
        "subject_id",
        "data",
    )


@admin.register(Checkpoint)
class CheckpointAdmin(ReadOnlyAdmin):
    list_display = ("tree_size", "issued_at", "reason")
    readonly_fields = ("tree_size", "issued_at", "reason", "note")
    exclude = ("root_hash",)
