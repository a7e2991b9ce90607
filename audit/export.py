"""Writing the log for offline verification (tools/verify_audit_export.py reads it)."""

import base64
import json
from pathlib import Path

from django.conf import settings
from django.db import connection

from audit import keys
from audit.models import Checkpoint, LogHead

CHUNK = 10_000


def export_log(directory: Path) -> dict:
    """entries.jsonl, checkpoints.jsonl and manifest.json, streamed with flat memory."""
    directory.mkdir(parents=True, exist_ok=True)
    head = LogHead.objects.filter(pk=1).first()
    size = head.size if head else 0  # entries appended during the export are left out
    count = _write_entries(directory / "entries.jsonl", size)
    checkpoints = 0
    with (directory / "checkpoints.jsonl").open("w", encoding="utf-8") as out:
        for tree_size, note in (
            Checkpoint.objects.filter(tree_size__lte=size)
            .order_by("tree_size")
            .values_list("tree_size", "note")
        ):
            out.write(json.dumps({"size": tree_size, "note": note}) + "\n")
            checkpoints += 1
    manifest = {
        "origin": settings.AUDIT_LOG_ORIGIN,
        "entries": count,
        "checkpoints": checkpoints,
        "key": keys.verifier_key(),
    }
    (directory / "manifest.json").write_text(
        json.dumps(manifest, indent=2) + "\n", encoding="utf-8"
    )
    return manifest


def _write_entries(path: Path, size: int) -> int:
    count = 0
    sql = "SELECT seq, action, payload, leaf_hash, chain_hash FROM audit_entry WHERE seq < %s ORDER BY seq"
    with path.open("w", encoding="utf-8") as out, connection.chunked_cursor() as cursor:
        cursor.execute(sql, [size])
        while rows := cursor.fetchmany(CHUNK):
            for seq, action, payload, leaf, chain in rows:
                line = {
                    "seq": seq,
                    "action": action,
                    "payload": base64.b64encode(bytes(payload)).decode(),
                    "leaf_hash": bytes(leaf).hex(),
                    "chain_hash": bytes(chain).hex(),
                }
                out.write(json.dumps(line, separators=(",", ":")) + "\n")
                count += 1
    return count
