"""The web forms of sealed bids. Decoding and checking a key is the service's (bids/wire.py),
so the form only carries the text and the refusal comes back next to the field."""

from django import forms
from django.utils.translation import gettext_lazy as _


class OpeningKeyForm(forms.Form):
    public_key = forms.CharField(
        label=_("Public key (base64)"),
        max_length=200,
        help_text=_("The base64 of the raw 32-byte X25519 public key that keygen printed."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
