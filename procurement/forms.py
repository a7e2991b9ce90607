from decimal import Decimal

from django import forms
from django.utils.dates import MONTHS
from django.utils.translation import gettext_lazy as _

from procurement.models import BudgetLine, Procedure


class BudgetLineForm(forms.ModelForm):
    class Meta:
        model = BudgetLine
        fields = [
            "fiscal_year",
            "programme_code",
            "subprogramme_code",
            "specifics_code",
            "name",
            "approved_amount",
        ]
        widgets = {
            "programme_code": forms.TextInput(attrs={"inputmode": "numeric", "size": 3}),
            "subprogramme_code": forms.TextInput(attrs={"inputmode": "numeric", "size": 3}),
            "specifics_code": forms.TextInput(attrs={"inputmode": "numeric", "size": 3}),
        }


class PlanItemForm(forms.Form):
    """A plan item for the year on the page; the budget line is chosen by its code."""

    fiscal_year = forms.IntegerField(widget=forms.HiddenInput, min_value=2000, max_value=2100)
    budget_line = forms.CharField(label=_("Budget line"), max_length=7)
    subject = forms.CharField(label=_("Subject"), max_length=500)
    nomenclature_code = forms.CharField(
        label=_("ENS TRU code"),
        max_length=40,
        help_text=_("Code of the goods, works or service in the unified nomenclature."),
    )
    quantity = forms.DecimalField(
        label=_("Quantity"), max_digits=18, decimal_places=3, min_value=Decimal("0.001")
    )
    unit = forms.CharField(label=_("Unit"), max_length=40)
    planned_amount = forms.DecimalField(
        label=_("Planned amount"), max_digits=18, decimal_places=2, min_value=Decimal("0.01")
    )
    procedure = forms.ModelChoiceField(
        label=_("Procedure"),
        queryset=Procedure.objects.filter(is_active=True),
        to_field_name="code",
    )
    planned_month = forms.TypedChoiceField(
        label=_("Planned month"), coerce=int, choices=sorted(MONTHS.items())
    )

    def __init__(self, *args, agency, lines=(), **kwargs):
        kwargs.setdefault("auto_id", "id_item_%s")  # shares a page with BudgetLineForm
        super().__init__(*args, **kwargs)
        self.agency = agency
        self.fields["budget_line"].widget = forms.Select(
            choices=[("", "---------")]
            + [(line.code, f"{line.code} {line.name}") for line in lines]
        )

    def clean(self):
        data = super().clean()
        year, code = data.get("fiscal_year"), data.get("budget_line")
        if year and code:
            line = BudgetLine.objects.of_agency(self.agency).of_year(year).with_code(code).first()
            if line is None:
                self.add_error(
                    "budget_line",
                    _("The agency has no budget line %(code)s for %(year)s.")
                    % {"code": code, "year": year},
                )
            data["budget_line"] = line
        return data


class CancelPlanItemForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=400)
