"""The red-flag queue: the list with its filters, a flag's page (what the indicator means, the
figures, why it fired, its review history) and an auditor's review of it."""

import json

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from awards.views.common import perform
from transparency.forms import FlagFilterForm, ReviewForm
from transparency.indicators import meaning, reference_url
from transparency.models import FlagStatus, RedFlag
from transparency.permissions import can_review_flags, can_view_flags
from transparency.querysets import flag_history, flag_queue, indicators_raised
from transparency.services.flags import review_flag

PAGE_SIZE = 25
CLOSED = (FlagStatus.REVIEWED, FlagStatus.DISMISSED)


def _require_flags(request) -> None:
    if not can_view_flags(request.user):
        raise PermissionDenied(
            _("The red-flag queue is for auditors and the platform's operators.")
        )


@login_required
@require_GET
def flag_list(request):
    _require_flags(request)
    form = FlagFilterForm(request.GET or None, indicators=indicators_raised())
    valid = not form.is_bound or form.is_valid()
    flags = flag_queue(**form.filters()) if form.is_bound and valid else flag_queue()
    page = Paginator(flags, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page if valid else None, "query": query.urlencode()}
    return render(request, "transparency/flag_list.html", context, status=200 if valid else 400)


def _flag(request, flag_id: int) -> RedFlag:
    _require_flags(request)
    return get_object_or_404(
        RedFlag.objects.select_related("tender__agency", "organisation", "reviewed_by"),
        pk=flag_id,
    )


def _figure(value) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def _status_label(value) -> str:
    return FlagStatus(value).label if value in FlagStatus.values else str(value or "")


def _history(flag: RedFlag) -> list[dict]:
    return [
        {
            "entry": entry,
            "before": _status_label(entry.data.get("from")),
            "after": _status_label(entry.data.get("to")),
            "note": entry.data.get("note", ""),
        }
        for entry in flag_history(flag)
    ]


def _flag_page(request, flag: RedFlag, *, form=None, status: int = 200):
    can_review = can_review_flags(request.user) and flag.status not in CLOSED
    context = {
        "flag": flag,
        "meaning": meaning(flag.indicator),
        "reference": reference_url(flag.indicator),
        "figures": [(key, _figure(value)) for key, value in sorted(flag.figures.items())],
        "history": _history(flag),
        "form": (form or ReviewForm()) if can_review else None,
    }
    return render(request, "transparency/flag_detail.html", context, status=status)


@login_required
@require_GET
def flag_detail(request, flag_id: int):
    return _flag_page(request, _flag(request, flag_id))


@login_required
@require_POST
def flag_review(request, flag_id: int):
    flag = _flag(request, flag_id)
    if not can_review_flags(request.user):
        raise PermissionDenied(_("Only auditors review red flags."))
    return perform(
        request,
        ReviewForm(request.POST),
        lambda form: review_flag(flag=flag, actor=request.user, **form.cleaned_data),
        done=_("Your review of the flag was recorded."),
        then=reverse("transparency:flag-detail", args=[flag.pk]),
        again=lambda form: _flag_page(request, flag, form=form, status=400),
    )
