import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

from django import forms
from django.utils.dates import MONTHS
from django.utils.translation import gettext_lazy as _

from accounts.choices import Role
from accounts.models import User
from procurement.choices import ACTIVE_TENDER_STATUSES, CancelReason, TenderStatus
from procurement.models import BudgetLine, PlanItem, Procedure
from procurement.money import format_money


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


DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]


class TenderForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=500)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea)
    procedure = forms.ModelChoiceField(
        label=_("Procedure"),
        queryset=Procedure.objects.filter(is_active=True),
        to_field_name="code",
    )


class LotForm(forms.Form):
    """A lot from approved plan items of the agency that no active lot uses yet."""

    plan_items = forms.ModelMultipleChoiceField(
        label=_("Approved plan items"),
        queryset=PlanItem.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    title = forms.CharField(label=_("Lot title"), max_length=500, required=False)
    amount = forms.DecimalField(
        label=_("Amount"),
        max_digits=18,
        decimal_places=2,
        required=False,
        help_text=_("Empty: what the plan items plan."),
    )

    def __init__(self, *args, tender, **kwargs):
        kwargs.setdefault("auto_id", "id_lot_%s")
        super().__init__(*args, **kwargs)
        self.fields["plan_items"].queryset = (
            PlanItem.objects.of_agency(tender.agency)
            .approved()
            .filter(procedure=tender.procedure)
            .exclude(lots__status="active", lots__tender__status__in=ACTIVE_TENDER_STATUSES)
            .select_related("budget_line")
        )
        self.fields["plan_items"].label_from_instance = lambda item: (
            f"{item.budget_line.code} · {item.subject} · {format_money(item.planned_amount)}"
        )


class PeriodsForm(forms.Form):
    """Instants typed in Almaty time (the site's zone) and stored in UTC."""

    enquiry_end = forms.DateTimeField(
        label=_("End of enquiries (Almaty time)"),
        input_formats=DATETIME_FORMATS,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_FORMATS[0]),
    )
    submission_deadline = forms.DateTimeField(
        label=_("Submission deadline (Almaty time)"),
        input_formats=DATETIME_FORMATS,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_FORMATS[0]),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "id_periods_%s")
        super().__init__(*args, **kwargs)


class CommissionForm(forms.Form):
    chair = forms.ModelChoiceField(label=_("Chair"), queryset=User.objects.none())
    members = forms.ModelMultipleChoiceField(
        label=_("Members"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    threshold = forms.IntegerField(
        label=_("Members needed to open the bids"), min_value=1, max_value=99
    )

    def __init__(self, *args, agency, **kwargs):
        kwargs.setdefault("auto_id", "id_commission_%s")
        super().__init__(*args, **kwargs)
        people = User.objects.filter(
            memberships__organisation=agency,
            memberships__role=Role.COMMISSION_MEMBER,
            memberships__is_active=True,
        ).distinct()
        self.fields["chair"].queryset = people
        self.fields["members"].queryset = people


class CancelTenderForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason"), choices=CancelReason.choices)
    text = forms.CharField(label=_("Explanation"), max_length=2000, widget=forms.Textarea)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "id_cancel_%s")
        super().__init__(*args, **kwargs)


class TenderSearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any"))] + [c for c in TenderStatus.choices if c[0] != "draft"],
    )
    agency = forms.CharField(label=_("Agency BIN"), required=False, max_length=12)
    procedure = forms.ModelChoiceField(
        label=_("Procedure"),
        queryset=Procedure.objects.all(),
        to_field_name="code",
        required=False,
        empty_label=_("Any"),
    )
    deadline_from = forms.DateField(
        label=_("Deadline from (Almaty date)"),
        required=False,
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    deadline_to = forms.DateField(
        label=_("Deadline to (Almaty date)"),
        required=False,
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    value_min = forms.DecimalField(
        label=_("Value from"), required=False, min_value=0, max_digits=18, decimal_places=2
    )
    value_max = forms.DecimalField(
        label=_("Value to"), required=False, min_value=0, max_digits=18, decimal_places=2
    )

    # Deadlines are announced in Almaty time, so a day typed here is an Almaty day whoever
    # looks; a datetime-less date would otherwise be read in the server's or viewer's zone.
    ZONE = ZoneInfo("Asia/Almaty")

    def clean(self):
        """Check that each range runs forwards, then turn the days into instants in UTC:
        `deadline_from` the start of its day, `deadline_to` the end of its day, that is the
        start of the next one (an excluded end, as TenderQuerySet.deadline_between takes)."""
        data = super().clean()
        backwards = _("The end of the range comes before its start.")
        first, last = data.get("deadline_from"), data.get("deadline_to")
        if first and last and last < first:
            self.add_error("deadline_to", backwards)
        low, high = data.get("value_min"), data.get("value_max")
        if low is not None and high is not None and high < low:
            self.add_error("value_max", backwards)
        if data.get("deadline_from"):
            data["deadline_from"] = self._day_start(data["deadline_from"])
        if data.get("deadline_to"):
            data["deadline_to"] = self._day_start(data["deadline_to"] + dt.timedelta(days=1))
        return data

    def _day_start(self, day: dt.date) -> dt.datetime:
        return dt.datetime.combine(day, dt.time.min, tzinfo=self.ZONE).astimezone(dt.UTC)


class QuestionForm(forms.Form):
    lot = forms.ModelChoiceField(
        label=_("Lot"),
        queryset=None,
        required=False,
        empty_label=_("The whole tender"),
        to_field_name="number",
    )
    text = forms.CharField(label=_("Your question"), max_length=4000, widget=forms.Textarea)

    def __init__(self, *args, tender, **kwargs):
        kwargs.setdefault("auto_id", "id_question_%s")
        super().__init__(*args, **kwargs)
        self.fields["lot"].queryset = tender.lots.filter(status="active")


class AnswerForm(forms.Form):
    text = forms.CharField(label=_("Answer"), max_length=4000, widget=forms.Textarea)

    def __init__(self, *args, question_id=None, **kwargs):
        kwargs.setdefault("auto_id", f"id_answer_{question_id}_%s")
        super().__init__(*args, **kwargs)


class DocumentForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300)
    # Emptiness, size and kind are the service's to judge, with its messages.
    file = forms.FileField(label=_("File"), allow_empty_file=True)
    reason = forms.CharField(
        label=_("Reason for the amendment"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("A published tender takes a document as an amendment, with its reason."),
    )

    def __init__(self, *args, published=False, **kwargs):
        kwargs.setdefault("auto_id", "id_document_%s")
        super().__init__(*args, **kwargs)
        if not published:
            del self.fields["reason"]


class AmendForm(forms.Form):
    """Only what is typed differently from the tender's current values is an amendment."""

    reason = forms.CharField(
        label=_("Reason for the amendment"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    title = forms.CharField(label=_("Title"), max_length=500)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea)
    enquiry_end = forms.DateTimeField(
        label=_("End of enquiries (Almaty time)"),
        input_formats=DATETIME_FORMATS,
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_FORMATS[0]),
    )
    submission_deadline = forms.DateTimeField(
        label=_("Submission deadline (Almaty time)"),
        input_formats=DATETIME_FORMATS,
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_FORMATS[0]),
    )

    def __init__(self, *args, tender, **kwargs):
        kwargs.setdefault("auto_id", "id_amend_%s")
        kwargs.setdefault(
            "initial",
            {
                "title": tender.title,
                "description": tender.description,
                "enquiry_end": tender.enquiry_end,
                "submission_deadline": tender.submission_deadline,
            },
        )
        super().__init__(*args, **kwargs)
        if tender.status != TenderStatus.ENQUIRIES:
            del self.fields["enquiry_end"]


class CancelLotForm(forms.Form):
    lot = forms.ModelChoiceField(label=_("Lot"), queryset=None, to_field_name="number")
    reason = forms.ChoiceField(label=_("Reason"), choices=CancelReason.choices)
    text = forms.CharField(label=_("Explanation"), max_length=2000, widget=forms.Textarea)

    def __init__(self, *args, tender, **kwargs):
        kwargs.setdefault("auto_id", "id_cancel_lot_%s")
        super().__init__(*args, **kwargs)
        self.fields["lot"].queryset = tender.lots.filter(status="active")
