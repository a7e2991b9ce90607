"""OCDS open data over the API, no login: release packages by date range, one release, a
record per ocid, compiled releases as JSON lines. Large answers are streamed."""

import datetime as dt
import json

from django.http import HttpResponse, StreamingHttpResponse
from ninja import Router

from config.api_errors import error_response
from transparency.models import Release
from transparency.ocds.packages import (
    record_package,
    stream_compiled_jsonl,
    stream_release_package,
)

router = Router(tags=["open data (OCDS)"])
PACKAGE = "application/json"


@router.get(
    "/releases",
    auth=None,
    summary="Release package (streamed)",
    description="Every OCDS release the platform has published, in log order, optionally "
    "from `since` (inclusive) to `until` (exclusive), ISO 8601 instants in UTC.",
)
def releases(request, since: dt.datetime | None = None, until: dt.datetime | None = None):
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
