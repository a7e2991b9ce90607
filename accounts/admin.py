from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm as DjangoUserChangeForm
from django.utils.translation import gettext_lazy as _

from accounts.models import ApiToken, User
from accounts.services.tokens import revoke_api_token
from accounts.services.users import EDITABLE_FIELDS, create_user_account, update_user_account


class UserCreationForm(forms.ModelForm):
    password = forms.CharField(
        label=_("Initial password"),
        widget=forms.PasswordInput,
        required=False,
        help_text=_("Leave empty to create the account without a password."),
    )

    class Meta:
        model = User
        fields = ["email", "full_name", "is_staff"]


class UserChangeForm(DjangoUserChangeForm):
    class Meta:
        model = User
        fields = ["email", "full_name", "password", "is_active", "is_staff"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """Accounts are created and changed through the audited services, not by saving rows."""

    add_form = UserCreationForm
    form = UserChangeForm
    add_fieldsets = ((None, {"fields": ("email", "full_name", "is_staff", "password")}),)
    fieldsets = (
        (None, {"fields": ("email", "full_name", "password")}),
        (_("Access"), {"fields": ("is_active", "is_staff")}),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    readonly_fields = ("email", "last_login", "date_joined")
    list_display = ("email", "full_name", "is_active", "is_staff", "date_joined")
    list_filter = ("is_active", "is_staff")
    search_fields = ("email", "full_name")
    ordering = ("email",)
    filter_horizontal = ()

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else self.readonly_fields

    def save_model(self, request, obj, form, change):
        if not change:
            created = create_user_account(
                email=form.cleaned_data["email"],
                full_name=form.cleaned_data["full_name"],
                password=form.cleaned_data.get("password") or None,
                is_staff=form.cleaned_data.get("is_staff", False),
                actor=request.user,
            )
            obj.pk = created.pk
            return
        changes = {f: form.cleaned_data[f] for f in form.changed_data if f in EDITABLE_FIELDS}
        update_user_account(user=obj, changes=changes, actor=request.user)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "prefix", "created_at", "last_used_at", "revoked_at")
    list_filter = ("revoked_at",)
    search_fields = ("user__email", "name", "prefix")
    readonly_fields = ("user", "name", "prefix", "created_at", "last_used_at", "revoked_at")
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request, queryset):
        for token in queryset.filter(revoked_at__isnull=True):
            revoke_api_token(token=token, actor=request.user)
        messages.success(request, _("Tokens revoked."))
