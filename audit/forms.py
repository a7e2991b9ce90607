from django import forms
from django.utils.translation import gettext_lazy as _

from audit.actions import Action


class EntryFilterForm(forms.Form):
    action = forms.ChoiceField(
        label=_("Action"), required=False, choices=[("", _("Any action")), *Action.choices]
    )
    subject_type = forms.CharField(label=_("Subject type"), required=False, max_length=80)
    subject_id = forms.CharField(label=_("Subject id"), required=False, max_length=64)
    actor = forms.CharField(label=_("Actor (email or id)"), required=False, max_length=200)
    since = forms.DateTimeField(
        label=_("From"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    until = forms.DateTimeField(
        label=_("Until"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
