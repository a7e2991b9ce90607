"""Golden tests: every case in ../shared/ocds/cardinal-fixtures/ gives Cardinal's results.

Settings as Cardinal's own test generator (build.rs) writes them: the indicator named by the
file is the only one enabled, ``no_price_comparison_procurement_methods = NPC`` and
``[exclusions] procurement_method_details = EXC``; a name such as ``R003-threshold-10`` sets
``[R003] threshold = 10``, ``R003-procurement_methods-open+selective`` sets
``procurement_methods = open|selective``, and ``R003-procurement_method_details-x-5-y-10``
fills ``[R003.procurement_method_details]`` with ``x = 5`` and ``y = 10``. Results are
compared as parsed JSON, numbers as Cardinal prints them, without ``Meta``.
"""

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from transparency.redflags.settings import CODES

FIXTURES = Path(__file__).resolve().parents[3] / "shared" / "ocds" / "cardinal-fixtures"
CASES = sorted(path.stem for path in FIXTURES.glob("*.jsonl")) or ["(no fixtures)"]


def need_fixtures() -> Path:
    if not FIXTURES.is_dir():
        pytest.skip(
            f"Cardinal's fixtures are not here: {FIXTURES} (../shared/ocds beside the checkout)"
        )
    return FIXTURES


def settings_for(name: str) -> str:
    code, *parts = name.replace("+", "|").split("-")
    lines = [
        "no_price_comparison_procurement_methods = NPC",
        "[exclusions]",
        "procurement_method_details = EXC",
        f"[{code}]",
    ]
    if len(parts) == 2:
        lines.append(f"{parts[0]} = {parts[1]}")
    elif len(parts) > 2:
        lines.append(f"[{code}.{parts[0]}]")
        lines.extend(
            f"{key} = {value}" for key, value in zip(parts[1::2], parts[2::2], strict=True)
        )
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("name", CASES)
def test_gives_cardinals_results(name, tmp_path):
    folder = need_fixtures()
    config = tmp_path / "settings.ini"
    config.write_text(settings_for(name))
    stdout = StringIO()

    call_command(
        "red_flags",
        str(folder / f"{name}.jsonl"),
        "--config",
        str(config),
        "--no-meta",
        stdout=stdout,
    )

    expected = json.loads((folder / f"{name}.expected").read_text())
    assert json.loads(stdout.getvalue()) == expected


def test_every_indicator_has_a_golden_case():
    folder = need_fixtures()
    names = {path.stem.split("-")[0] for path in folder.glob("*.jsonl")}
    assert names == set(CODES)
    assert all((folder / f"{name}.expected").exists() for name in CASES)


def test_settings_from_a_fixture_name():
    assert settings_for("R003-procurement_methods-open+selective").endswith(
        "[R003]\nprocurement_methods = open|selective\n"
    )
    assert settings_for("R003-procurement_method_details-x-5-y-10").endswith(
        "[R003]\n[R003.procurement_method_details]\nx = 5\ny = 10\n"
    )
    assert settings_for("R038-tenderer").endswith("[R038]\n")  # one part: defaults, as in build.rs
