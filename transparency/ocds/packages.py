"""Release packages, record packages and compiled releases, streamed: rows are read in chunks
and written as they come, so an export of any size runs in flat memory."""

import json
from collections.abc import Iterator

from django.conf import settings
from django.utils import timezone

from transparency.models import Release
from transparency.ocds.merge import EXTENSION_URL, compile_releases
from transparency.ocds.values import instant

CHUNK = 500


def publisher() -> dict:
    return {"name": settings.OCDS_PUBLISHER_NAME}


def _package_head(kind: str) -> dict:
    return {
        "uri": f"{settings.PLATFORM_ORIGIN}/api/v1/ocds/{kind}",
        "version": "1.1",
        "publishedDate": instant(timezone.now()),
        "publisher": publisher(),
        "extensions": [EXTENSION_URL],
    }


def _stream_array(head: dict, key: str, items: Iterator[bytes]) -> Iterator[bytes]:
    opening = json.dumps(head, ensure_ascii=False, sort_keys=True)[:-1]
    yield (opening + f',"{key}":[').encode()
    for i, item in enumerate(items):
        yield (b"," if i else b"") + item
    yield b"]}"


def release_rows(since=None, until=None, ocid: str | None = None):
    rows = Release.objects.order_by("entry_seq")
    if since is not None:
        rows = rows.filter(date__gte=since)
    if until is not None:
        rows = rows.filter(date__lt=until)
    if ocid is not None:
        rows = rows.filter(ocid=ocid)
    return rows


def stream_release_package(since=None, until=None) -> Iterator[bytes]:
    rows = release_rows(since, until).values_list("content", flat=True)
    return _stream_array(
        _package_head("releases"), "releases", (bytes(c) for c in rows.iterator(CHUNK))
    )


def _record(ocid: str, contents: list[bytes]) -> dict:
    releases = [json.loads(c) for c in contents]
    return {
        "ocid": ocid,
        "releases": [
            {
                "url": f"{settings.PLATFORM_ORIGIN}/api/v1/ocds/releases/{r['id']}",
                "date": r["date"],
                "tag": r["tag"],
            }
            for r in releases
        ],
        "compiledRelease": compile_releases(releases),
    }


def record_package(ocid: str) -> dict | None:
    contents = [bytes(c) for c in release_rows(ocid=ocid).values_list("content", flat=True)]
    if not contents:
        return None
    return {**_package_head("records"), "records": [_record(ocid, contents)]}


def _by_ocid() -> Iterator[tuple[str, list[bytes]]]:
    """Every ocid's releases, one ocid at a time (ordered by ocid, then log order)."""
    rows = Release.objects.order_by("ocid", "entry_seq").values_list("ocid", "content")
    current, contents = None, []
    for ocid, content in rows.iterator(CHUNK):
        if ocid != current and contents:
            yield current, contents
            contents = []
        current = ocid
        contents.append(bytes(content))
    if contents:
        yield current, contents


def stream_compiled_jsonl() -> Iterator[bytes]:
    for _ocid, contents in _by_ocid():
        compiled = compile_releases([json.loads(c) for c in contents])
        yield json.dumps(compiled, ensure_ascii=False, sort_keys=True).encode() + b"\n"


def stream_record_package() -> Iterator[bytes]:
    records = (
        json.dumps(_record(ocid, contents), ensure_ascii=False, sort_keys=True).encode()
        for ocid, contents in _by_ocid()
    )
    return _stream_array(_package_head("records"), "records", records)
