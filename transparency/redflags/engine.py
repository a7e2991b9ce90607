"""Stream compiled releases through the enabled indicators, as Cardinal's ``indicators`` command.

One release is parsed, shown to every indicator and dropped before the next line is read;
indicators keep per-process numbers or per-organisation totals only. Like Cardinal, the
engine leaves out releases without a string ``ocid``, cancelled processes (``/tender/status``)
and those whose ``procurementMethodDetails`` is in ``[exclusions]``; it skips blank lines.
Unlike Cardinal, which warns and goes on, a line that is not JSON stops the run with an error
naming the line: an auditor should not get results computed on part of a file unknowingly.
"""

import json
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import IO

from transparency.redflags.errors import RedFlagsError
from transparency.redflags.indicators import INDICATORS, Indicator, SecondLowestBidRatio
from transparency.redflags.release import (
    EMPTY,
    is_cancelled,
    matches_procurement_method_details,
    submitted_bids,
    tenderer_ids,
)
from transparency.redflags.results import Results
from transparency.redflags.settings import Settings

_ASCII_WHITESPACE = b" \t\n\r\x0c"
BLANK = object()  # what parse_line gives for a blank line (JSON null is None)


def _reject_constant(name: str) -> None:
    raise ValueError(f"{name} is not a JSON value")


# One decoder for every line (json.loads with options would build one per call). NaN and
# Infinity are not JSON: Cardinal's parser refuses them, so this one does too.
_DECODER = json.JSONDecoder(parse_constant=_reject_constant)


class SubmittedTenderers(Indicator):
    """For ``--map``: the tenderers of each process's submitted bids (Cardinal's Tenderers)."""

    code = "Tenderers"

    def fold(self, results: Results, release: dict, ocid: str) -> None:
        for bid in submitted_bids(release):
            for tenderer_id in tenderer_ids(bid):
                results.map_tenderer("ocid_tenderer", ocid, tenderer_id)


def build_indicators(settings: Settings, *, mapping: bool = False) -> list[Indicator]:
    """The enabled indicators, helpers first (they feed the others), as Cardinal orders them."""
    enabled = settings.indicators
    indicators: list[Indicator] = []
    if mapping and {"R025", "R038", "R048"} & set(enabled):
        indicators.append(SubmittedTenderers(settings))
    if {"R024", "R058"} & set(enabled):
        indicators.append(SecondLowestBidRatio(settings))
    indicators.extend(INDICATORS[code](settings) for code in enabled)
    return indicators


def compute(lines: Iterable[bytes | str], settings: Settings, *, mapping: bool = False) -> Results:
    """Run the enabled indicators over compiled releases, one JSON object per line."""
    results = Results(mapping=mapping)
    indicators = build_indicators(settings, mapping=mapping)
    folds = [indicator.fold for indicator in indicators]
    excluded = settings.excluded_procurement_method_details
    for number, line in enumerate(lines, 1):
        release = parse_line(line, number)
        if release is BLANK:
            continue
        ocid = release.get("ocid") if type(release) is dict else None
        if type(ocid) is not str:
            results.warnings["not a release"] += 1
            continue
        if is_cancelled(release):
            continue
        if not matches_procurement_method_details(release, EMPTY, excluded):
            continue
        for fold in folds:
            fold(results, release, ocid)
    for indicator in indicators:
        indicator.finalize(results)
    return results


def parse_line(line: bytes | str, number: int) -> object:
    """The JSON value on a line, or BLANK; a RedFlagsError names a line that is not JSON."""
    if isinstance(line, bytes):
        if not line.strip(_ASCII_WHITESPACE):
            return BLANK
        try:
            line = line.decode("utf-8")
        except UnicodeDecodeError as error:
            raise RedFlagsError(
                f"Line {number} is not UTF-8 text (byte {error.start + 1} is invalid)."
            ) from None
    elif not line.strip(" \t\n\r\x0c"):
        return BLANK
    try:
        return _DECODER.decode(line)
    except json.JSONDecodeError as error:
        raise RedFlagsError(
            f"Line {number} is not valid JSON: {error.msg} (column {error.colno})."
        ) from None
    except (ValueError, RecursionError) as error:
        raise RedFlagsError(f"Line {number} is not valid JSON: {error}.") from None


@contextmanager
def open_lines(path: str) -> Iterator[IO[bytes]]:
    """The file's lines as bytes (``-`` for standard input); RedFlagsError if it can't be read."""
    if path == "-":
        yield sys.stdin.buffer
        return
    try:
        file = open(path, "rb")  # noqa: SIM115 — closed by the with block below
    except OSError as error:
        raise RedFlagsError(f"Cannot read {path}: {error.strerror or error}.") from None
    with file:
        try:
            yield file
        except OSError as error:
            raise RedFlagsError(f"Cannot read {path}: {error.strerror or error}.") from None
