"""Forms of the award stage's pages: they parse what was typed; the services judge it."""

from django import forms
from django.utils.translation import gettext_lazy as _

from awards.choices import PASS_FAIL, ComplaintKind, RequirementKind
from suppliers.choices import OrganisationKind
from suppliers.models import Organisation

TEXT = {"max_length": 20000, "widget": forms.Textarea(attrs={"rows": 3})}
# A detached CMS with its chain is a few kilobytes; anything near this is not a signature.
SIGNATURE_MAX_BYTES = 256 * 1024
MET, NOT_MET = "met", "not_met"


class SignatureFileField(forms.FileField):
    """The DER file `tenderctl.py sign` writes, read into bytes."""

    def clean(self, data, initial=None):
        uploaded = super().clean(data, initial)
        if uploaded.size > SIGNATURE_MAX_BYTES:
            raise forms.ValidationError(
                _("This file is too large to be a signature; choose the .p7s file tenderctl wrote.")
            )
        return uploaded.read()


class RequirementForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=RequirementKind.choices)
    title = forms.CharField(label=_("Title"), max_length=300)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    weight = forms.DecimalField(
        label=_("Weight (%)"),
        required=False,
        max_digits=5,
        decimal_places=2,
        help_text=_("Non-price criteria only, in weighted scoring; the price keeps the rest."),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "id_requirement_%s")
        super().__init__(*args, **kwargs)


class ContractTermsForm(forms.Form):
    terms = forms.CharField(label=_("Delivery terms and contract template"), **TEXT)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "id_terms_%s")
        super().__init__(*args, **kwargs)


class ReviewForm(forms.Form):
    """One bid's review: each document or qualification met or not (with the reason), each
    non-price criterion scored, and the domestic flag where the procedure has a discount."""

    def __init__(self, *args, requirements, discount, auto_id="id_review_%s", **kwargs):
        super().__init__(*args, auto_id=auto_id, **kwargs)
        self.requirements = list(requirements)
        for requirement in self.requirements:
            n = requirement.number
            if requirement.kind in PASS_FAIL:
                self.fields[f"met_{n}"] = forms.ChoiceField(
                    label=f"{n}. {requirement.title}",
                    choices=[(MET, _("Met")), (NOT_MET, _("Not met"))],
                    widget=forms.RadioSelect,
                )
                self.fields[f"reason_{n}"] = forms.CharField(
                    label=_("Why not met (requirement %(n)s)") % {"n": n},
                    required=False,
                    max_length=5000,
                )
            else:
                self.fields[f"score_{n}"] = forms.DecimalField(
                    label=_("%(n)s. %(title)s: score from 0 to 100 (weight %(w)s%%)")
                    % {"n": n, "title": requirement.title, "w": requirement.weight},
                    max_digits=5,
                    decimal_places=2,
                )
        if discount:
            self.fields["domestic"] = forms.BooleanField(
                label=_("Domestic supplier: the %(d)s%% conditional discount applies")
                % {"d": discount},
                required=False,
            )
        self.fields["note"] = forms.CharField(
            label=_("Note (optional)"), required=False, max_length=5000
        )

    def decisions(self) -> dict:
        data, decisions = self.cleaned_data, {}
        for requirement in self.requirements:
            n = requirement.number
            if requirement.kind in PASS_FAIL:
                decisions[str(n)] = {
                    "met": data[f"met_{n}"] == MET,
                    "reason": data.get(f"reason_{n}", ""),
                }
            else:
                decisions[str(n)] = {"score": data[f"score_{n}"]}
        return decisions

    @staticmethod
    def service_errors(errors: dict) -> dict:
        """The service names an unmet requirement `requirement_N`; its reason field shows it."""
        return {
            (f"reason_{key.split('_', 1)[1]}" if key.startswith("requirement_") else key): value
            for key, value in errors.items()
        }

    @staticmethod
    def initial_from(review) -> dict:
        if review is None:
            return {}
        initial = {"domestic": review.domestic, "note": review.note}
        for check in review.checks.all():
            n = check.requirement.number
            if check.requirement.kind == RequirementKind.CRITERION:
                initial[f"score_{n}"] = check.score
            else:
                initial[f"met_{n}"] = MET if check.met else NOT_MET
                initial[f"reason_{n}"] = check.reason
        return initial


class CorrectionRequestForm(forms.Form):
    text = forms.CharField(label=_("What the bidder must correct"), **TEXT)


class CorrectionAnswerForm(forms.Form):
    text = forms.CharField(label=_("Your correction"), **TEXT)


class PublishResultsForm(forms.Form):
    # The SHA-256 of the protocol as the page offered it for download: if a review changed
    # since, the platform says so rather than calling the signature wrong.
    content_sha256 = forms.CharField(widget=forms.HiddenInput, max_length=64)
    signature = SignatureFileField(
        label=_("Signature file (.p7s)"),
        help_text=_("The detached CMS signature tenderctl wrote next to the protocol."),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "id_publish_%s")
        super().__init__(*args, **kwargs)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files under one name (Django's documented pattern); size and kind are the
    service's to judge."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_empty_file", True)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


class ComplaintForm(forms.Form):
    complainant = forms.ModelChoiceField(
        label=_("Complaining supplier"), queryset=None, to_field_name="bin", empty_label=None
    )
    kind = forms.ChoiceField(label=_("Against"), choices=ComplaintKind.choices)
    text = forms.CharField(label=_("Complaint"), **TEXT)
    files = MultipleFileField(
        label=_("Documents (up to five: PDF, Word, Excel, ZIP, PNG or JPEG)"),
    )

    def __init__(self, *args, organisations, kinds, **kwargs):
        """`organisations`: the suppliers the user may complain for; with only one, it is
        the complainant unless another is named."""
        kwargs.setdefault("auto_id", "id_complaint_%s")
        super().__init__(*args, **kwargs)
        organisations = list(organisations)
        self.only = organisations[0] if len(organisations) == 1 else None
        field = self.fields["complainant"]
        field.queryset = Organisation.objects.filter(pk__in=[o.pk for o in organisations])
        field.required = self.only is None
        self.fields["kind"].choices = [(k, ComplaintKind(k).label) for k in kinds]

    def clean_complainant(self):
        return self.cleaned_data.get("complainant") or self.only

    def service_data(self) -> dict:
        data = self.cleaned_data
        return {
            "complainant": data["complainant"],
            "kind": data["kind"],
            "text": data["text"],
            "files": data["files"],
        }


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Decision"),
        choices=[("dismissed", _("Dismiss the complaint")), ("satisfied", _("Satisfy it"))],
        widget=forms.RadioSelect,
    )
    decision = forms.CharField(label=_("Reasons"), **TEXT)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "id_decision_%s")
        super().__init__(*args, **kwargs)


class SingleSourceForm(forms.Form):
    """The buyer's justified decision to buy from one named supplier at one price."""

    supplier = forms.CharField(label=_("Supplier's BIN"), max_length=12)
    price = forms.DecimalField(label=_("Price"), max_digits=18, decimal_places=2)
    justification = forms.CharField(label=_("Why from a single source (the legal ground)"), **TEXT)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "id_single_%s")
        super().__init__(*args, **kwargs)

    def clean_supplier(self):
        bin_ = self.cleaned_data["supplier"].strip()
        supplier = Organisation.objects.filter(bin=bin_, kind=OrganisationKind.SUPPLIER).first()
        if supplier is None:
            raise forms.ValidationError(
                _("No supplier with BIN %(bin)s is registered.") % {"bin": bin_}
            )
        return supplier
