"""COPY-based table writers with ids handed out in Python, and small shared helpers."""

import json
import time
from collections import defaultdict
from pathlib import Path

from django.core.management.color import no_style
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection

from suppliers.bin import check_digit

ROOT = Path(__file__).resolve().parents[2]


class Tables:
    """Buffers rows per model and COPYs them; ids are allocated here so rows can point at
    each other before anything is written. Rows/s per table are kept for the summary."""

    def __init__(self, log=None, *, flush_at: int = 20_000):
        self.log = log  # flushed after the tables, since its entries name their actors
        self.pending = 0
        self.buffers: dict = defaultdict(list)
        self.next_ids: dict = {}
        self.counts: dict[str, int] = defaultdict(int)
        self.seconds: dict[str, float] = defaultdict(float)
        self.flush_at = flush_at
        self.models = []

    def new_id(self, model) -> int:
        if model not in self.next_ids:
            table, pk = model._meta.db_table, model._meta.pk.column
            with connection.cursor() as cursor:
                cursor.execute(f'SELECT COALESCE(MAX("{pk}"), 0) FROM "{table}"')  # noqa: S608
                self.next_ids[model] = cursor.fetchone()[0] + 1
            self.models.append(model)
        value = self.next_ids[model]
        self.next_ids[model] = value + 1
        return value

    def add(self, model, **values) -> int:
        """Buffer a row; `id` is allocated unless given. Returns the id."""
        if model._meta.pk.column == "id" and "id" not in values:
            values["id"] = self.new_id(model)
        self.buffers[model].append(values)
        self.pending += 1
        if self.pending >= self.flush_at:
            self.flush()
        return values.get("id")

    def flush(self) -> None:
        """Every buffer in the order its model was first seen (parents before children: each
        COPY commits on its own and checks its foreign keys), then the audit events."""
        for model, rows in self.buffers.items():  # never popped: the order is kept
            if rows:
                self._copy(model, rows)
                rows.clear()
        self.pending = 0
        if self.log is not None:
            self.log.flush()

    def _copy(self, model, rows: list[dict]) -> None:
        began = time.perf_counter()
        columns = list(rows[0])
        fields = {f.attname: f for f in model._meta.concrete_fields}
        names = ", ".join(f'"{fields[c].column}"' for c in columns)
        raw = connection.connection
        sql = f'COPY "{model._meta.db_table}" ({names}) FROM STDIN'
        with raw.cursor() as cursor, cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row([_db_value(fields[c], row[c]) for c in columns])
        label = model._meta.label_lower
        self.counts[label] += len(rows)
        self.seconds[label] += time.perf_counter() - began

    def reset_sequences(self) -> None:
        with connection.cursor() as cursor:
            for statement in connection.ops.sequence_reset_sql(no_style(), self.models):
                cursor.execute(statement)


def _db_value(field, value):
    if value is None:
        return None
    internal = field.get_internal_type()
    if internal == "JSONField":
        return json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False)
    if internal == "BinaryField":
        return bytes(value)
    return value


def bins(type_digit: str, start: int):
    """Valid BINs: a 2025 registration month, the entity type, a serial and the check digit;
    serials whose check digit cannot be computed are skipped, as the registry skips them."""
    serial = start
    while True:
        first = f"25{serial % 12 + 1:02d}{type_digit}{serial:06d}"
        digit = check_digit(first)
        if digit is not None:
            yield first + str(digit)
        serial += 1
