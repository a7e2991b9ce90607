"""The periods of a tender against its procedure's minimums. Pure: no database."""

import datetime as dt
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from procurement import calendar
from procurement.choices import DayKind


def earliest_periods(procedure, start: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """The earliest end of enquiries and submission deadline the procedure allows for a
    tender published at `start` (working days in the agency's zone, procurement/calendar)."""
    # No enquiry period at all (quotations) ends at `start` itself.
    return (
        after_days(procedure, start, procedure.enquiry_days),
        after_days(procedure, start, procedure.submission_days),
    )


def after_days(procedure, start: dt.datetime, days: int) -> dt.datetime:
    """`days` of the procedure's kind after `start` (working days in the agency's zone)."""
    if not days:
        return start
    if procedure.day_kind == DayKind.WORKING:
        return calendar.add_working_days(start, days)
    return calendar.add_calendar_days(start, days)


def local_text(moment: dt.datetime) -> str:
    """`27.11.2026 18:00`, read in the agency's zone."""
    return moment.astimezone(ZoneInfo(calendar.DEFAULT_ZONE)).strftime("%d.%m.%Y %H:%M")


def check_periods(
    procedure, enquiry_end: dt.datetime, submission_deadline: dt.datetime, start
) -> None:
    """Refuse periods shorter than the procedure's minimums, counted from `start`."""
    if enquiry_end is None or submission_deadline is None:
        raise ValidationError(_("Set the end of enquiries and the submission deadline."))
    if timezone.is_naive(enquiry_end) or timezone.is_naive(submission_deadline):
        raise ValidationError(_("Give the instants with their time zone."))
    min_enquiry, min_deadline = earliest_periods(procedure, start)
    unit = procedure.get_day_kind_display()
    errors = {}
    if enquiry_end < min_enquiry:
        errors["enquiry_end"] = [
            _("Enquiries last at least %(n)s %(unit)s: no earlier than %(when)s (Almaty time).")
            % {"n": procedure.enquiry_days, "unit": unit, "when": local_text(min_enquiry)}
        ]
    if submission_deadline < min_deadline:
        errors["submission_deadline"] = [
            _(
                "Bids are accepted for at least %(n)s %(unit)s: the deadline is no earlier "
                "than %(when)s (Almaty time)."
            )
            % {"n": procedure.submission_days, "unit": unit, "when": local_text(min_deadline)}
        ]
    elif submission_deadline <= enquiry_end:
        errors["submission_deadline"] = [_("The deadline comes after the end of enquiries.")]
    if errors:
        raise ValidationError(errors)
