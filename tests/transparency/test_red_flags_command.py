"""``python manage.py red_flags FILE.jsonl [--config SETTINGS.ini]``: output and exit status."""

import json
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

ROOT = Path(__file__).resolve().parents[2]
LATE_WIN = {
    "ocid": "ocds-abc123-1",
    "tender": {
        "tenderPeriod": {"startDate": "2025-03-01T09:00:00Z", "endDate": "2025-03-05T09:00:00Z"}
    },
    "bids": {
        "details": [
            {"status": "valid", "date": "2025-03-06T09:00:00Z", "tenderers": [{"id": "KZ-BIN-1"}]}
        ]
    },
    "awards": [{"status": "active", "suppliers": [{"id": "KZ-BIN-1"}]}],
}


@pytest.fixture
def releases(tmp_path):
    path = tmp_path / "compiled.jsonl"
    path.write_text(json.dumps(LATE_WIN) + "\n")
    return path


def red_flags(*args):
    stdout, stderr = StringIO(), StringIO()
    call_command("red_flags", *map(str, args), stdout=stdout, stderr=stderr)
    return json.loads(stdout.getvalue()), stderr.getvalue()


def test_prints_results_in_cardinals_shape(releases):
    output, _ = red_flags(releases)

    assert list(output) == ["OCID", "Tenderer", "Meta"]
    assert output["OCID"] == {"ocds-abc123-1": {"R003": 1.0, "R030": 1.0}}
    assert output["Tenderer"]["KZ-BIN-1"]["R030"] == 1.0
    assert set(output["Meta"]) == {"R024", "R025", "R048", "R058"}  # R038: too few bids


def test_config_chooses_indicators_and_thresholds(releases, tmp_path):
    config = tmp_path / "settings.ini"
    config.write_text("[R003]\nthreshold = 3\n[R030]\n")

    output, _ = red_flags(releases, "--config", config, "--no-meta")

    assert output == {
        "OCID": {"ocds-abc123-1": {"R030": 1.0}},
        "Tenderer": {"KZ-BIN-1": {"R030": 1.0}},
    }


def test_map_and_count(releases):
    output, stderr = red_flags(releases, "--no-meta", "--map", "--count")

    assert output["Maps"]["ocid_tenderer_r030"] == {"ocds-abc123-1": ["KZ-BIN-1"]}
    assert stderr.splitlines() == ["OCID: 1", "Tenderer: 1"]


def test_warns_about_ignored_sections_and_skipped_lines(tmp_path):
    path = tmp_path / "compiled.jsonl"
    path.write_text('[1]\n{"ocid": "a"}\n')
    config = tmp_path / "settings.ini"
    config.write_text("[R044]\n[R003]\n")

    _, stderr = red_flags(path, "--config", config)

    assert f"Warning: {config}: [R044] is a Cardinal indicator this engine lacks." in stderr
    assert "Warning: 1 lines were not a JSON object with a string ocid and were skipped." in stderr


def test_a_bad_line_is_an_error_naming_it(tmp_path):
    path = tmp_path / "compiled.jsonl"
    path.write_text('{"ocid": "a"}\n{"ocid": "b"\n')

    with pytest.raises(CommandError, match=r"^Line 2 is not valid JSON: Expecting ',' delimiter"):
        red_flags(path)


def test_bad_settings_are_an_error_naming_the_key(releases, tmp_path):
    config = tmp_path / "settings.ini"
    config.write_text("[R038]\nminimum_bids = 2\n")

    with pytest.raises(
        CommandError, match=r"settings\.ini, line 2: unknown key 'minimum_bids' in \[R038\]"
    ):
        red_flags(releases, "--config", config)


def test_a_missing_file_exits_non_zero(tmp_path):
    missing = tmp_path / "missing.jsonl"

    done = subprocess.run(
        [sys.executable, "manage.py", "red_flags", str(missing)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )

    assert done.returncode == 1
    assert done.stdout == ""
    assert f"Cannot read {missing}: No such file or directory." in done.stderr
