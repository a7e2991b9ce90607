from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from accounts.throttle import (
    blocked_until,
    client_address,
    forget_failures,
    local_text,
    note_failure,
)


class LoginForm(AuthenticationForm):
    username = forms.EmailField(
        label=_("Email"), widget=forms.EmailInput(attrs={"autofocus": True})
    )
    error_messages = {
        "invalid_login": _(
            "That email and password do not match an account. Check both and try again."
        ),
        "inactive": _("This account is disabled. Contact the platform's support."),
    }

    def clean(self):
        email = self.cleaned_data.get("username") or ""
        address = client_address(self.request)
        until = blocked_until(email, address)
        if until is not None:
            raise forms.ValidationError(
                _(
                    "Too many failed logins for this account or from this network. Try again "
                    "after %(when)s (Almaty time), or reset the password with the support."
                )
                % {"when": local_text(until)},
                code="throttled",
            )
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            note_failure(email, address)
            raise
        forget_failures(email)
        return cleaned


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("Token name"),
        max_length=100,
        help_text=_("For example the name of the program that will use it."),
    )
