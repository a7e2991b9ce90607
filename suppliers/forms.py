from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.choices import Role
from suppliers.bin import identifier_errors
from suppliers.choices import OrganisationStatus, Region
from suppliers.models import Organisation


class BinField(forms.CharField):
    """A BIN/IIN input that reports every problem with the number, not just 'invalid'."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 12)
        kwargs.setdefault("min_length", None)
        super().__init__(**kwargs)
        self.widget.attrs.update(
            {"inputmode": "numeric", "autocomplete": "off", "pattern": "[0-9]{12}"}
        )


class SupplierRegistrationForm(forms.ModelForm):
    bin = BinField(label=_("BIN / IIN"))

    class Meta:
        model = Organisation
        fields = [
            "bin",
            "is_sole_trader",
            "legal_name",
            "short_name",
            "region",
            "address",
            "contact_email",
            "contact_phone",
        ]

    def clean(self):
        data = super().clean()
        if "bin" in data:
            errors = identifier_errors(data["bin"], sole_trader=data.get("is_sole_trader", False))
            for message in errors:
                self.add_error("bin", message)
        return data

    def details(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class NewAccountForm(forms.Form):
    """The person registering, when they have no account yet."""

    full_name = forms.CharField(label=_("Your full name"), max_length=200)
    email = forms.EmailField(label=_("Your email (your login)"))
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput, strip=False)


class InvitationSignupForm(forms.Form):
    full_name = forms.CharField(label=_("Your full name"), max_length=200)
    password = forms.CharField(
        label=_("Choose a password"), widget=forms.PasswordInput, strip=False
    )


class MemberForm(forms.Form):
    email = forms.EmailField(label=_("Email"))
    role = forms.ChoiceField(label=_("Role"))

    def __init__(self, *args, organisation: Organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [(r, Role(r).label) for r in organisation.allowed_roles]


class RegisterSearchForm(forms.Form):
    q = forms.CharField(label=_("Name or BIN"), required=False, max_length=100)
    region = forms.ChoiceField(
        label=_("Region"), required=False, choices=[("", _("All regions")), *Region.choices]
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[
            ("", _("Any status")),
            (OrganisationStatus.VERIFIED, OrganisationStatus.VERIFIED.label),
            (OrganisationStatus.SUSPENDED, OrganisationStatus.SUSPENDED.label),
        ],
    )
    blacklisted = forms.ChoiceField(
        label=_("Blacklist"),
        required=False,
        choices=[("", _("All")), ("yes", _("Blacklisted now")), ("no", _("Not blacklisted"))],
    )
