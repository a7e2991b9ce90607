"""Every bid row against the bids.bid.submitted event that accepted it (audit/crosschecks.py).

What a bid is evidence of never changes after submission: the statement and sealed payload
and their hashes, bidder, tender, lots, version, certificate, the time of receipt. A superuser
who edits any of them, or the stored bytes so they no longer hash to the stored hash, is named
here with the row, the field and the event that recorded the original.

Sentences do not print the bidder: the outcome is stored in a public event, and before the
opening nobody may learn who bid (bids/visibility.py).
"""

from collections.abc import Iterator

from django.db.models import F, Func, IntegerField

from audit.actions import Action
from audit.canonical import iso_utc
from audit.crosschecks import SHA256Hex, differs, event_data
from audit.models import Entry
from bids.models import Bid

TABLE = "bids_bid"
SUBJECT = "bids.bid"
FIELDS = (
    "pk",
    "public_id",
    "tender__number",
    "supplier__bin",
    "certificate__fingerprint_sha256",
    "lots",
    "tender_version",
    "statement_sha256",
    "sealed_sha256",
    "received_at",
    "log_index",
    "supersedes__public_id",
)


def check_bids(batch_size: int) -> Iterator[str]:
    matched, last = 0, 0
    while rows := _batch(last, batch_size):
        last = rows[-1]["pk"]
        events = _events([row["pk"] for row in rows])
        for row in rows:
            event = events.get(str(row["pk"]))
            yield from _stored_bytes(row)
            if event is None:
                yield f"{TABLE} id={row['pk']}: no {Action.BID_SUBMITTED} event records this bid"
                continue
            matched += 1
            yield from _against_event(row, *event)
    yield from _events_without_rows(matched, batch_size)


def _batch(after: int, size: int) -> list[dict]:
    return list(
        Bid.objects.filter(pk__gt=after)
        .order_by("pk")
        .values(*FIELDS)
        .annotate(
            statement_hash=SHA256Hex("statement"),
            sealed_hash=SHA256Hex("sealed"),
            sealed_size=Func(F("sealed"), function="LENGTH", output_field=IntegerField()),
        )[:size]
    )


def _events(pks: list[int]) -> dict[str, tuple[int, dict | None]]:
    rows = Entry.objects.filter(
        action=Action.BID_SUBMITTED, subject_type=SUBJECT, subject_id__in=[str(pk) for pk in pks]
    ).values_list("subject_id", "seq", "payload")
    return {subject: (seq, event_data(payload)) for subject, seq, payload in rows}


def _stored_bytes(row: dict) -> Iterator[str]:
    for name in ("statement", "sealed"):
        stored, computed = row[f"{name}_sha256"], row[f"{name}_hash"]
        if stored != computed:
            yield (
                f"{TABLE} id={row['pk']}: the stored {name} bytes hash to {computed} "
                f"but {name}_sha256 is {stored!r}"
            )


def _against_event(row: dict, seq: int, data: dict | None) -> Iterator[str]:
    if data is None:
        yield f"{TABLE} id={row['pk']}: event seq {seq} no longer parses; nothing to compare"
        return
    pairs = {
        "public_id": (row["public_id"], data.get("bid")),
        "tender": (row["tender__number"], data.get("tender")),
        "certificate": (row["certificate__fingerprint_sha256"], data.get("certificate")),
        "lots": (row["lots"], data.get("lots")),
        "tender_version": (row["tender_version"], data.get("tender_version")),
        "statement_sha256": (row["statement_sha256"], data.get("statement_sha256")),
        "sealed_sha256": (row["sealed_sha256"], data.get("sealed_sha256")),
        "sealed size": (row["sealed_size"], data.get("size")),
        "received_at": (iso_utc(row["received_at"]), data.get("received_at")),
        "supersedes": (row["supersedes__public_id"], data.get("supersedes")),
        "log_index": (row["log_index"], seq),
    }
    for field, (mine, theirs) in pairs.items():
        if mine != theirs:
            yield differs(TABLE, row["pk"], field, mine, seq, theirs)
    if row["supplier__bin"] != data.get("bidder"):
        yield f"{TABLE} id={row['pk']}: the bidder differs from what event seq {seq} recorded"


def _events_without_rows(matched: int, batch_size: int) -> Iterator[str]:
    """Events whose bid row is gone. Counted first: the pass that names them runs only when
    the count says one is missing."""
    events = Entry.objects.filter(action=Action.BID_SUBMITTED, subject_type=SUBJECT)
    if events.count() == matched:
        return
    last = -1
    while batch := list(
        events.filter(seq__gt=last).order_by("seq").values_list("seq", "subject_id")[:batch_size]
    ):
        last = batch[-1][0]
        ids = [int(subject) for _, subject in batch if subject.isdigit()]
        present = {str(pk) for pk in Bid.objects.filter(pk__in=ids).values_list("pk", flat=True)}
        for seq, subject in batch:
            if subject not in present:
                yield f"{TABLE} id={subject}: recorded by event seq {seq} but the row is gone"
