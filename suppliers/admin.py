"""Operators keep the registers here. Every write goes through a service, so it is audited."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from suppliers.choices import OrganisationKind
from suppliers.models import BlacklistEntry, Invitation, Membership, Organisation
from suppliers.services.blacklist import ENTRY_FIELDS, add_blacklist_entry, end_blacklist_entry
from suppliers.services.members import add_member, deactivate_membership
from suppliers.services.registration import (
    ORGANISATION_FIELDS,
    UPDATABLE_FIELDS,
    register_organisation,
    update_organisation,
)
from suppliers.services.verification import (
    reinstate_organisation,
    suspend_organisation,
    verify_organisation,
)


class ReasonActionForm(ActionForm):
    reason = forms.CharField(label=_("Reason"), required=False, max_length=400)


def _run_each(request, queryset, service, **kwargs):
    done = 0
    for obj in queryset:
        try:
            service(request, obj, **kwargs)
            done += 1
        except ValidationError as exc:
            messages.error(request, f"{obj}: {' '.join(exc.messages)}")
    if done:
        messages.success(request, _("%(n)d done.") % {"n": done})


class OrganisationForm(forms.ModelForm):
    class Meta:
        model = Organisation
        fields = ["kind", *ORGANISATION_FIELDS]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "kind" in self.fields:
            # Suppliers register themselves; operators enter government bodies.
            self.fields["kind"].choices = [
                c for c in OrganisationKind.choices if c[0] != OrganisationKind.SUPPLIER
            ]


@admin.register(Organisation)
class OrganisationAdmin(SimpleHistoryAdmin):
    form = OrganisationForm
    action_form = ReasonActionForm
    list_display = ("legal_name", "bin", "kind", "region", "status", "registered_at")
    list_filter = ("kind", "status", "region")
    search_fields = ("legal_name", "short_name", "bin")
    readonly_fields = ("status", "status_reason", "registered_at", "verified_at")
    actions = ["verify", "suspend", "reinstate"]

    def get_fields(self, request, obj=None):
        base = ["kind", *ORGANISATION_FIELDS]
        return base if obj is None else ["bin", *UPDATABLE_FIELDS, *self.readonly_fields]

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj is None else ("bin", *self.readonly_fields)

    def save_model(self, request, obj, form, change):
        details = {f: form.cleaned_data[f] for f in ORGANISATION_FIELDS if f in form.cleaned_data}
        if change:
            changes = {f: details[f] for f in form.changed_data if f in UPDATABLE_FIELDS}
            update_organisation(organisation=obj, changes=changes, actor=request.user)
        else:
            created = register_organisation(
                kind=form.cleaned_data["kind"], details=details, actor=request.user
            )
            obj.pk = created.pk

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Verify the selected organisations"))
    def verify(self, request, queryset):
        reason = request.POST.get("reason", "")
        _run_each(
            request,
            queryset,
            lambda r, o: verify_organisation(organisation=o, actor=r.user, reason=reason),
        )

    @admin.action(description=_("Suspend the selected organisations (give the reason)"))
    def suspend(self, request, queryset):
        reason = request.POST.get("reason", "")
        _run_each(
            request,
            queryset,
            lambda r, o: suspend_organisation(organisation=o, actor=r.user, reason=reason),
        )

    @admin.action(description=_("Reinstate the selected organisations (give the reason)"))
    def reinstate(self, request, queryset):
        reason = request.POST.get("reason", "")
        _run_each(
            request,
            queryset,
            lambda r, o: reinstate_organisation(organisation=o, actor=r.user, reason=reason),
        )


class MembershipForm(forms.ModelForm):
    class Meta:
        model = Membership
        fields = ["user", "organisation", "role"]


@admin.register(Membership)
class MembershipAdmin(SimpleHistoryAdmin):
    form = MembershipForm
    list_display = ("user", "organisation", "role", "is_active", "created_at", "ended_at")
    list_filter = ("role", "is_active", "organisation__kind")
    search_fields = ("user__email", "organisation__legal_name", "organisation__bin")
    autocomplete_fields = ("user", "organisation")
    actions = ["deactivate"]

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        created = add_member(
            organisation=form.cleaned_data["organisation"],
            user=form.cleaned_data["user"],
            role=form.cleaned_data["role"],
            actor=request.user,
        )
        obj.pk = created.pk

    @admin.action(description=_("End the selected memberships"))
    def deactivate(self, request, queryset):
        _run_each(
            request,
            queryset.filter(is_active=True),
            lambda r, m: deactivate_membership(membership=m, actor=r.user),
        )


class BlacklistEntryForm(forms.ModelForm):
    class Meta:
        model = BlacklistEntry
        fields = ["organisation", *ENTRY_FIELDS]


@admin.register(BlacklistEntry)
class BlacklistEntryAdmin(SimpleHistoryAdmin):
    """Entries are added and ended, never edited or deleted."""

    form = BlacklistEntryForm
    action_form = ReasonActionForm
    list_display = ("organisation", "basis", "decision_reference", "starts_at", "ends_at")
    list_filter = ("basis",)
    search_fields = ("organisation__legal_name", "organisation__bin", "decision_reference")
    autocomplete_fields = ("organisation",)
    actions = ["end_now"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return ("organisation", *ENTRY_FIELDS, "end_reason", "created_by", "created_at")

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if change:
            return  # all fields are read-only once entered; ending is an action
        details = {f: form.cleaned_data.get(f) for f in ENTRY_FIELDS}
        details["basis_details"] = details["basis_details"] or ""
        created = add_blacklist_entry(
            organisation=form.cleaned_data["organisation"], actor=request.user, **details
        )
        obj.pk = created.pk

    @admin.action(description=_("End the selected entries now (give the reason)"))
    def end_now(self, request, queryset):
        reason = request.POST.get("reason", "")
        _run_each(
            request,
            queryset,
            lambda r, e: end_blacklist_entry(entry=e, reason=reason, actor=r.user),
        )


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = (
        "email",
        "organisation",
        "role",
        "created_at",
        "expires_at",
        "accepted_at",
        "revoked_at",
    )
    readonly_fields = [f.name for f in Invitation._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
