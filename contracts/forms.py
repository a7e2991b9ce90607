"""Forms of the contract pages: they parse what was typed; the services judge it (amounts
above zero, the price change limit, what is accepted and payable)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from awards.forms import TEXT, SignatureFileField

MONEY = {"max_digits": 18, "decimal_places": 2}


class SignContractForm(forms.Form):
    signature = SignatureFileField(
        label=_("Signature file (.p7s)"),
        help_text=_("The detached CMS signature tenderctl wrote next to the contract."),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "id_sign_%s")
        super().__init__(*args, **kwargs)


class DeclineForm(forms.Form):
    reason = forms.CharField(label=_("Why you decline the contract"), **TEXT)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "id_decline_%s")
        super().__init__(*args, **kwargs)


class AmendForm(forms.Form):
    new_price = forms.DecimalField(label=_("New price"), **MONEY)
    reason = forms.CharField(label=_("Reason for the change"), **TEXT)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "id_amend_%s")
        super().__init__(*args, **kwargs)


class AcceptanceForm(forms.Form):
    amount = forms.DecimalField(label=_("Amount accepted"), **MONEY)
    description = forms.CharField(label=_("What was delivered"), **TEXT)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "id_act_%s")
        super().__init__(*args, **kwargs)


class PaymentForm(forms.Form):
    amount = forms.DecimalField(label=_("Amount paid"), **MONEY)
    reference = forms.CharField(label=_("Treasury payment order"), max_length=100)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "id_payment_%s")
        super().__init__(*args, **kwargs)


class TerminateForm(forms.Form):
    reason = forms.CharField(label=_("Why the contract is terminated"), **TEXT)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "id_terminate_%s")
        super().__init__(*args, **kwargs)


class NextBidderForm(forms.Form):
    reason = forms.CharField(label=_("Why the award moves on"), **TEXT)
    propose_blacklist = forms.BooleanField(
        label=_("Propose the supplier who evaded signing for the register of unreliable suppliers"),
        required=False,
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "id_next_%s")
        super().__init__(*args, **kwargs)
