"""Results in Cardinal's JSON shape.

``{"OCID": {ocid: {"R003": 1.0, ...}}, "Buyer": {...}, "ProcuringEntity": {...},
"Tenderer": {...}, "Meta": {...}}``: a group appears only if something in it is flagged;
``Meta`` holds each indicator's quartiles and fences rounded to 4 decimals (left out with
``meta=False``, Cardinal's ``--no-meta``); ``Maps`` (Cardinal's ``--map``) ties flagged
processes to organisations. Values are JSON numbers; infinity and NaN print as ``null``, as
serde_json prints them.
"""

import json
import math

from transparency.redflags.results import GROUPS, MAP_NAMES, Results
from transparency.redflags.settings import CODES


def to_cardinal(results: Results, *, meta: bool = True, maps: bool = False) -> dict:
    """The output object, ready for ``json.dumps``."""
    output: dict = {
        group: {
            key: {code: _number(value) for code, value in values.items()}
            for key, values in results.groups[group].items()
        }
        for group in GROUPS
        if results.groups[group]
    }
    if meta:
        output["Meta"] = {
            code: {name: _number(_round4(value)) for name, value in results.meta[code].items()}
            for code in CODES
            if code in results.meta
        }
    if maps:
        output["Maps"] = {
            name: {
                ocid: sorted(ids) if isinstance(ids, set) else ids
                for ocid, ids in results.maps[name].items()
            }
            for name in MAP_NAMES
        }
    return output


def dumps(output: dict) -> str:
    """Compact JSON, non-ASCII text kept as is (as Cardinal prints it)."""
    return json.dumps(output, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def group_counts(results: Results) -> dict[str, int]:
    """Flagged identifiers per group (Cardinal's ``--count``)."""
    return {group: len(results.groups[group]) for group in GROUPS if results.groups[group]}


def _number(value: float) -> float | None:
    return value if math.isfinite(value) else None


def _round4(value: float) -> float:
    """Rust's ``(v * 10_000.0).round() / 10_000.0``: halves round away from zero."""
    scaled = value * 10_000.0
    if not math.isfinite(scaled):
        return scaled
    whole = math.floor(abs(scaled))
    if abs(scaled) - whole >= 0.5:
        whole += 1
    return math.copysign(whole, scaled) / 10_000.0
