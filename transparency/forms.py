"""Forms of the auditor's pages: the workspace's year and agency, the queue's filters and the
review of a flag (the service, review_flag, decides whether the review stands)."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from suppliers.choices import OrganisationKind
from suppliers.models import Organisation
from transparency.indicators import INDICATORS
from transparency.models import FlagStatus
from transparency.services.flags import DECISIONS


def _agencies():
    return Organisation.objects.filter(kind=OrganisationKind.AGENCY).order_by("legal_name")


class AgencyField(forms.ModelChoiceField):
    def __init__(self, **kwargs):
        super().__init__(
            queryset=_agencies(),
            to_field_name="bin",
            required=False,
            label=_("Agency"),
            empty_label=_("All agencies"),
            **kwargs,
        )

    def label_from_instance(self, obj) -> str:
        return f"{obj.legal_name} ({obj.bin})"


class WorkspaceFilterForm(forms.Form):
    year = forms.TypedChoiceField(label=_("Fiscal year"), coerce=int)
    agency = AgencyField()

    def __init__(self, data, *, years: list[int]):
        years = years or [timezone.localdate().year]
        data = data.copy()
        if not data.get("year"):
            current = timezone.localdate().year
            data["year"] = str(current if current in years else years[0])
        super().__init__(data)
        self.fields["year"].choices = [(y, str(y)) for y in years]


FIRING = {"yes": True, "no": False}


class FlagFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any status")), *FlagStatus.choices]
    )
    indicator = forms.ChoiceField(label=_("Indicator"), required=False)
    firing = forms.ChoiceField(
        label=_("Still firing"),
        required=False,
        choices=[
            ("", _("Either")),
            ("yes", _("Still firing")),
            ("no", _("No longer firing")),
        ],
    )
    agency = AgencyField()

    def __init__(self, data=None, *, indicators: list[str]):
        super().__init__(data)
        codes = sorted({*indicators, *INDICATORS})
        self.fields["indicator"].choices = [("", _("Any indicator"))] + [(c, c) for c in codes]

    def filters(self) -> dict:
        """The queue's filters (transparency/querysets.py flag_queue) from the valid form."""
        data = self.cleaned_data
        return {
            "status": data.get("status") or None,
            "indicator": data.get("indicator") or None,
            "firing": FIRING.get(data.get("firing") or ""),
            "agency": data["agency"].bin if data.get("agency") else None,
        }


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        widget=forms.RadioSelect,
        choices=[(str(status), status.label) for status in DECISIONS],
    )
    # Left to the service, which refuses an empty note with the reason an auditor needs one.
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What you checked and what you found, for the next auditor."),
    )
