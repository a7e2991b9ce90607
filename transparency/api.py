"""OCDS open data over the API, no login: release packages by date range, one release, a
record per ocid, compiled releases as JSON lines. Large answers are streamed.

Below them, the red-flag queue for auditors (`flags_router`): the queue with filters, one flag
with its review history, and the review."""

import datetime as dt
import json
from typing import Literal

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from accounts.auth import API_AUTH
from config.api_errors import ERROR_RESPONSES, Instant, PageNumbers, error_response
from transparency.indicators import meaning
from transparency.models import FlagStatus, RedFlag, Release
from transparency.ocds.packages import (
    record_package,
    stream_compiled_jsonl,
    stream_release_package,
)
from transparency.permissions import can_view_flags
from transparency.querysets import flag_history, flag_queue
from transparency.services.flags import review_flag

router = Router(tags=["open data (OCDS)"])
PACKAGE = "application/json"


@router.get(
    "/releases",
    auth=None,
    summary="Release package (streamed)",
    description="Every OCDS release the platform has published, in log order, optionally "
    "from `since` (inclusive) to `until` (exclusive), ISO 8601 instants in UTC.",
)
def releases(request, since: Instant | None = None, until: Instant | None = None):
    return StreamingHttpResponse(stream_release_package(since, until), content_type=PACKAGE)


@router.get("/releases/{release_id}", auth=None, summary="One release, as published")
def release(request, release_id: str):
    row = Release.objects.filter(release_id=release_id).first()
    if row is None:
        return error_response(404, "No release has this id.", code="not_found")
    return HttpResponse(bytes(row.content), content_type=PACKAGE)


@router.get("/records/{ocid}", auth=None, summary="Record package of one contracting process")
def record(request, ocid: str):
    package = record_package(ocid)
    if package is None:
        return error_response(404, "No contracting process has this ocid.", code="not_found")
    return HttpResponse(
        json.dumps(package, ensure_ascii=False, sort_keys=True), content_type=PACKAGE
    )


@router.get(
    "/compiled",
    auth=None,
    summary="Compiled releases as JSON lines (streamed)",
    description="One compiled release per contracting process, one per line: the input "
    "`manage.py red_flags` and Cardinal read.",
)
def compiled(request):
    return StreamingHttpResponse(stream_compiled_jsonl(), content_type="application/x-ndjson")


# --- the red-flag queue, for auditors (mounted at /api/v1/red-flags in config/api.py) -------

flags_router = Router(tags=["red flags"])


class RedFlagOut(Schema):
    id: int
    indicator: str
    meaning: str = Field(..., description="what the indicator means, in plain language")
    subject: str = Field(..., description="the flagged subject's stable key")
    tender: str | None = Field(None, description="the tender's number")
    agency: str | None = Field(None, description="the tender's agency's BIN")
    organisation: str | None = Field(None, description="the flagged organisation's BIN")
    status: FlagStatus
    still_fires: bool = Field(..., description="false once a computation no longer finds it")
    explanation: str
    figures: dict
    first_seen_at: dt.datetime
    last_seen_at: dt.datetime
    reviewed_by: str | None = Field(None, description="the reviewing auditor's e-mail")
    reviewed_at: dt.datetime | None
    note: str

    @staticmethod
    def resolve_meaning(obj) -> str:
        return meaning(obj.indicator)

    @staticmethod
    def resolve_subject(obj) -> str:
        return obj.subject_key

    @staticmethod
    def resolve_tender(obj) -> str | None:
        return obj.tender.number if obj.tender_id else None

    @staticmethod
    def resolve_agency(obj) -> str | None:
        return obj.tender.agency.bin if obj.tender_id else None

    @staticmethod
    def resolve_organisation(obj) -> str | None:
        return obj.organisation.bin if obj.organisation_id else None

    @staticmethod
    def resolve_reviewed_by(obj) -> str | None:
        return obj.reviewed_by.email if obj.reviewed_by_id else None


class ReviewEventOut(Schema):
    seq: int = Field(..., description="the audit log entry")
    recorded_at: dt.datetime
    by: str | None
    before: str | None
    after: str | None
    note: str

    @staticmethod
    def resolve_by(obj) -> str | None:
        return obj.actor.email if obj.actor_id else None

    @staticmethod
    def resolve_before(obj) -> str | None:
        return obj.data.get("from")

    @staticmethod
    def resolve_after(obj) -> str | None:
        return obj.data.get("to")

    @staticmethod
    def resolve_note(obj) -> str:
        return obj.data.get("note", "")


class RedFlagDetailOut(RedFlagOut):
    history: list[ReviewEventOut] = Field(..., description="its reviews, oldest first")

    @staticmethod
    def resolve_history(obj):
        return list(flag_history(obj))


class RedFlagFilter(Schema):
    status: FlagStatus | None = None
    indicator: str | None = Field(None, description="e.g. R018 or same_contact")
    firing: bool | None = Field(None, description="still found by the latest computation")
    agency: str | None = Field(
        None, description="a BIN: the flagged tender's agency or the flagged organisation"
    )


class FlagReviewIn(Schema):
    decision: Literal["reviewed", "escalated", "dismissed"]
    note: str = Field(..., max_length=4000, description="what you checked and found")


def _require_queue(user) -> None:
    if not can_view_flags(user):
        raise PermissionDenied(
            _("The red-flag queue is for auditors and the platform's operators.")
        )


def _auditor_flag(request, flag_id: int) -> RedFlag:
    _require_queue(request.auth)
    return get_object_or_404(
        RedFlag.objects.select_related("tender__agency", "organisation", "reviewed_by"),
        pk=flag_id,
    )


@flags_router.get(
    "",
    response={200: list[RedFlagOut], **ERROR_RESPONSES},
    auth=API_AUTH,
    summary="The red-flag queue, open flags first (auditors and operators)",
    url_name="list_red_flags",
)
@paginate(PageNumbers, page_size=50)
def list_red_flags(request, filters: Query[RedFlagFilter]):
    _require_queue(request.auth)
    return flag_queue(**filters.dict())


@flags_router.get(
    "/{flag_id}",
    response={200: RedFlagDetailOut, **ERROR_RESPONSES},
    auth=API_AUTH,
    summary="A red flag with its figures, explanation and review history",
    url_name="get_red_flag",
)
def get_red_flag(request, flag_id: int):
    return _auditor_flag(request, flag_id)


@flags_router.post(
    "/{flag_id}/review",
    response={200: RedFlagDetailOut, **ERROR_RESPONSES},
    auth=API_AUTH,
    summary="Mark a flag reviewed, escalated or dismissed, with a note (auditors; audited)",
    url_name="review_red_flag",
)
def review_red_flag(request, flag_id: int, payload: FlagReviewIn):
    flag = review_flag(
        flag=_auditor_flag(request, flag_id),
        actor=request.auth,
        decision=payload.decision,
        note=payload.note,
    )
    return RedFlag.objects.select_related("tender__agency", "organisation", "reviewed_by").get(
        pk=flag.pk
    )
