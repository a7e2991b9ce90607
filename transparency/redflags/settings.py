"""Settings for the red-flag engine, read from Cardinal's settings file (INI).

Global keys: ``currency`` (the main currency; by default the first one observed),
``no_price_comparison_procurement_methods`` and ``price_comparison_procurement_methods``
(pipe-separated ``/tender/procurementMethodDetails`` values to leave out of, or to restrict,
the price indicators R024, R028, R036 and R058). Section ``[exclusions]``:
``procurement_method_details`` (pipe-separated values left out of every indicator). One
section per indicator, ``[R003]`` … ``[R058]``, with the keys in ``INDICATOR_KEYS``, plus
``[R003.procurement_method_details]`` (a threshold in days per procurementMethodDetails).

As in Cardinal, a file that has indicator sections runs only those indicators. Unlike
Cardinal, a file with none (only global keys or exclusions), or no file at all, runs all
eleven with their defaults, rather than nothing. Cardinal's ``prepare`` sections (defaults,
redactions, corrections, modifications, codelists) are accepted and ignored, so one file
serves both tools; ``[R044]`` and ``[R055]`` are Cardinal indicators this port does not
compute: they are ignored with a warning. Anything else is an error naming its line.

Pipe-separated lists are split like Cardinal's ``split_terminator('|')``: items are taken
literally (``open|selective``, with no spaces around the bars).
"""

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from transparency.redflags.errors import RedFlagsError
from transparency.redflags.ini import GLOBAL, Entry, Section, parse_ini

CODES = ("R003", "R018", "R024", "R025", "R028", "R030", "R035", "R036", "R038", "R048", "R058")
NOT_PORTED = {"R044": (), "R055": ("threshold", "start_date", "end_date")}
PREPARE_SECTIONS = {
    "defaults": {
        "currency",
        "item_classification_scheme",
        "bid_status",
        "award_status",
        "party_roles",
    },
    "redactions": {"amount", "organization_id"},
    "corrections": {"award_status_by_contract_status"},
    "modifications": {
        "move_auctions",
        "prefix_buyer_or_procuring_entity_id",
        "prefix_tenderer_or_supplier_id",
        "split_procurement_method_details",
    },
    "codelists.bid_status": None,  # any key: a mapping of the publisher's codes
    "codelists.award_status": None,
}
R003_DETAILS = "R003.procurement_method_details"


def pipe_separated(value: str) -> frozenset[str]:
    """Cardinal's ``split_terminator('|')``: ``"a|b|"`` is {a, b}; ``""`` is empty."""
    items = value.split("|")
    if items[-1] == "":
        items.pop()
    return frozenset(items)


@dataclass(frozen=True)
class R003Settings:
    threshold: int = 15  # whole days
    procurement_methods: frozenset[str] = frozenset()  # empty: every method
    procurement_method_details: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class R018Settings:
    procurement_methods: frozenset[str] = frozenset({"open", "selective"})


@dataclass(frozen=True)
class FenceSettings:
    """R024 and R058: a fixed threshold replaces the computed fence."""

    threshold: float | None = None


@dataclass(frozen=True)
class R025Settings:
    percentile: int = 75
    threshold: float | None = None


@dataclass(frozen=True)
class NoSettings:
    """R028, R030 and R036 take no settings."""


@dataclass(frozen=True)
class R035Settings:
    threshold: int = 1  # tenderers with disqualified bids; Cardinal raises 0 to 1


@dataclass(frozen=True)
class R038Settings:
    threshold: float | None = None
    minimum_submitted_bids: int = 2
    minimum_contracting_processes: int = 2


@dataclass(frozen=True)
class R048Settings:
    digits: int = 2
    threshold: int | None = None
    minimum_contracting_processes: int = 20


@dataclass(frozen=True)
class Settings:
    currency: str | None = None
    no_price_comparison_procurement_methods: frozenset[str] = frozenset()
    price_comparison_procurement_methods: frozenset[str] = frozenset()
    excluded_procurement_method_details: frozenset[str] = frozenset()
    indicators: Mapping[str, Any] = field(default_factory=dict)  # enabled code → its settings
    warnings: tuple[str, ...] = ()


def _text(value: str) -> str:
    return value


def _integer(value: str) -> int:
    if not re.fullmatch(r"[+-]?[0-9]+", value):
        raise ValueError("a whole number")
    return int(value)


def _natural(value: str) -> int:
    if not re.fullmatch(r"\+?[0-9]+", value):
        raise ValueError("a whole number, 0 or more")
    return int(value)


def _decimal(value: str) -> float:
    if not re.fullmatch(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?", value):
        raise ValueError("a decimal number such as 0.05")
    return float(value)


def _percentage(value: str) -> int:
    number = _natural(value)
    if number > 100:
        raise ValueError("a whole number from 0 to 100")
    return number


GLOBAL_KEYS: dict[str, Callable[[str], Any]] = {
    "currency": _text,
    "no_price_comparison_procurement_methods": pipe_separated,
    "price_comparison_procurement_methods": pipe_separated,
}
INDICATOR_KEYS: dict[str, tuple[type, dict[str, Callable[[str], Any]]]] = {
    "R003": (R003Settings, {"threshold": _integer, "procurement_methods": pipe_separated}),
    "R018": (R018Settings, {"procurement_methods": pipe_separated}),
    "R024": (FenceSettings, {"threshold": _decimal}),
    "R025": (R025Settings, {"percentile": _percentage, "threshold": _decimal}),
    "R028": (NoSettings, {}),
    "R030": (NoSettings, {}),
    "R035": (R035Settings, {"threshold": lambda value: max(_natural(value), 1)}),
    "R036": (NoSettings, {}),
    "R038": (
        R038Settings,
        {
            "threshold": _decimal,
            "minimum_submitted_bids": _natural,
            "minimum_contracting_processes": _natural,
        },
    ),
    "R048": (
        R048Settings,
        {"digits": _natural, "threshold": _natural, "minimum_contracting_processes": _natural},
    ),
    "R058": (FenceSettings, {"threshold": _decimal}),
}


def default_settings() -> Settings:
    """No settings file: all eleven indicators with Cardinal's defaults."""
    return Settings(indicators={code: INDICATOR_KEYS[code][0]() for code in CODES})


def load_settings(path: str | Path) -> Settings:
    """Read a settings file; a RedFlagsError names the file, the line and the key at fault."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        reason = getattr(error, "strerror", None) or str(error)
        raise RedFlagsError(f"Cannot read the settings file {path}: {reason}.") from error
    return parse_settings(text, source=str(path))


def parse_settings(text: str, *, source: str = "settings") -> Settings:
    """Settings from the text of a Cardinal settings file."""
    sections = parse_ini(text, source=source)
    values = {
        entry.key: _convert(entry, GLOBAL_KEYS, source, "the global settings")
        for entry in sections.pop(GLOBAL).entries
    }
    details = sections.pop(R003_DETAILS, None)
    indicators, warnings = _read_sections(sections, values, source)
    if details is not None:
        by_detail = {entry.key: _details_threshold(entry, source) for entry in details.entries}
        r003 = indicators.get("R003", R003Settings())
        indicators["R003"] = replace(r003, procurement_method_details=by_detail)
    if {"price_comparison_procurement_methods", "no_price_comparison_procurement_methods"} <= set(
        values
    ):
        warnings.append(
            f"{source}: no_price_comparison_procurement_methods has no effect "
            "if price_comparison_procurement_methods is set."
        )
    if not indicators:
        indicators = dict(default_settings().indicators)
    ordered = {code: indicators[code] for code in CODES if code in indicators}
    return Settings(**values, indicators=ordered, warnings=tuple(warnings))


def _read_sections(
    sections: dict[str, Section], values: dict[str, Any], source: str
) -> tuple[dict[str, Any], list[str]]:
    """Indicator settings by code and warnings; ``[exclusions]`` goes into values."""
    indicators: dict[str, Any] = {}
    warnings = []
    for name, section in sections.items():
        if name == "exclusions":
            keys = {"procurement_method_details": pipe_separated}
            for entry in section.entries:
                excluded = _convert(entry, keys, source, "[exclusions]")
                values["excluded_procurement_method_details"] = excluded
        elif name in INDICATOR_KEYS:
            indicators[name] = _indicator(section, source)
        elif name in NOT_PORTED:
            _check_keys(section, set(NOT_PORTED[name]), source)
            warnings.append(f"{source}: [{name}] is a Cardinal indicator this engine lacks.")
        elif name in PREPARE_SECTIONS:
            _check_keys(section, PREPARE_SECTIONS[name], source)
        else:
            raise RedFlagsError(_unknown_section(name, section.line, source))
    return indicators, warnings


def _indicator(section: Section, source: str) -> Any:
    kind, keys = INDICATOR_KEYS[section.name]
    values = {
        entry.key: _convert(entry, keys, source, f"[{section.name}]") for entry in section.entries
    }
    return kind(**values)


def _convert(entry: Entry, keys: dict[str, Callable[[str], Any]], source: str, where: str) -> Any:
    if entry.key not in keys:
        known = ", ".join(sorted(keys)) or "none"
        raise RedFlagsError(
            f"{source}, line {entry.line}: unknown key {entry.key!r} in {where} "
            f"(known keys: {known})."
        )
    try:
        return keys[entry.key](entry.value)
    except ValueError as error:
        raise RedFlagsError(
            f"{source}, line {entry.line}: {entry.key} in {where} must be {error}, "
            f"not {entry.value!r}."
        ) from error


def _details_threshold(entry: Entry, source: str) -> int:
    try:
        return _integer(entry.value)
    except ValueError:
        raise RedFlagsError(
            f"{source}, line {entry.line}: the threshold for {entry.key!r} in "
            f"[{R003_DETAILS}] must be a whole number of days, not {entry.value!r}."
        ) from None


def _check_keys(section: Section, known: set[str] | None, source: str) -> None:
    for entry in section.entries:
        if known is not None and entry.key not in known:
            keys = ", ".join(sorted(known)) or "none"
            raise RedFlagsError(
                f"{source}, line {entry.line}: unknown key {entry.key!r} in "
                f"[{section.name}] (known keys: {keys})."
            )


def _unknown_section(name: str, line: int, source: str) -> str:
    known = [*CODES, "exclusions", R003_DETAILS]
    hint = next((k for k in known if k.lower() == name.lower()), None)
    suggestion = f" Did you mean [{hint}]? Names are case-sensitive." if hint else ""
    return f"{source}, line {line}: unknown section [{name}].{suggestion}"
