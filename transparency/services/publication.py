"""Turning public audit events into OCDS releases (DESIGN.md, "Transparency"): the publisher
reads the entries after the last one it processed, and for each public event of a published
tender stores an immutable release of the tender as it stands. Procurement never calls this;
the clock runs it every pass and `manage.py publish_ocds` runs it by hand.

Idempotent and safe in several processes: the cursor's row is locked for the batch, and a
release's id is its entry's, so an entry is published once.
"""

import hashlib
import json

from django.db import transaction

from audit.models import Entry
from procurement.choices import TenderStatus
from procurement.models import Tender
from transparency.models import PublicationCursor, Release
from transparency.ocds.mapping import build_release
from transparency.ocds.tags import TAGS

BATCH = 500


def _tender_of(entry: Entry) -> int | None:
    """The tender an event concerns, from its subject (no app needs to know about this)."""
    kind, pk = entry.subject_type, entry.subject_id
    if kind == "procurement.tender":
        return int(pk)
    from django.apps import apps

    model = apps.get_model(*kind.split("."))
    row = model.objects.filter(pk=pk).values().first()
    if row is None:
        return None
    if "tender_id" in row:
        return row["tender_id"]
    if "contract_id" in row:  # acceptance acts and payments
        return (
            apps.get_model("contracts", "Contract")
            .objects.filter(pk=row["contract_id"])
            .values_list("tender_id", flat=True)
            .first()
        )
    return None


def release_bytes(release: dict) -> bytes:
    return json.dumps(release, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def publish_pending(*, limit: int = BATCH) -> int:
    """Publish every event not yet published, batch by batch; returns how many releases.

    Loops until the cursor reaches the log's end, not until a batch makes no release: a batch
    of events that publish nothing (registrations, certificates) would otherwise stop it."""
    total = 0
    while True:
        made, read = _publish_batch(limit)
        total += len(made)
        if read < limit:
            return total


def publish_ocds(*, limit: int = BATCH) -> list[Release]:
    """Publish the releases of the next `limit` audit entries; returns the new releases."""
    return _publish_batch(limit)[0]


def _publish_batch(limit: int) -> tuple[list[Release], int]:
    made = []
    with transaction.atomic():
        cursor, _ = PublicationCursor.objects.select_for_update().get_or_create(pk=1)
        entries = list(Entry.objects.filter(seq__gt=cursor.last_seq).order_by("seq")[:limit])
        for entry in entries:
            tags = TAGS.get(entry.action)
            tender_id = _tender_of(entry) if tags else None
            if tender_id is None:
                continue
            tender = Tender.objects.select_related("agency", "procedure").get(pk=tender_id)
            if tender.status == TenderStatus.DRAFT:
                continue
            release_id = f"{tender.ocid}-{entry.seq}"
            content = release_bytes(
                build_release(tender, release_id=release_id, date=entry.recorded_at, tags=tags)
            )
            made.append(
                Release.objects.create(
                    ocid=tender.ocid,
                    release_id=release_id,
                    tender=tender,
                    entry_seq=entry.seq,
                    date=entry.recorded_at,
                    tags=tags,
                    content=content,
                    sha256=hashlib.sha256(content).hexdigest(),
                )
            )
        if entries:
            cursor.last_seq = entries[-1].seq
            cursor.save(update_fields=["last_seq"])
    return made, len(entries)
