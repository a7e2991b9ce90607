"""The deadline surge and the backup drill (bench/scenarios), tiny, end to end.

Each runs as its own process against its own gunicorn and clock, on a database next to the
suite's (`<test database>_surge_smoke`, dropped and re-made), so it needs PostgreSQL: the
suite's PostgreSQL pass runs it. The crash drill is minutes long and stays out of CI.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.postgres

ROOT = Path(__file__).resolve().parents[1]
FIGURE = re.compile(r"^(?:RESULT|FIGURE) (?P<scenario>[a-z]+)_(?P<name>\S+) value=(?P<value>\S+)")


def scenario(script: str, suffix: str, *arguments: str) -> dict[str, float]:
    """Run bench/scenarios/<script> and return its figures; fail with its output's tail."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        pytest.skip("the scenarios measure PostgreSQL: run with DATABASE_URL=postgres://...")
    environment = {**os.environ, "SCENARIO_DATABASE_URL": f"{url}_{suffix}"}
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "scenarios" / script), *arguments],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=240,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-4000:]
    figures = {}
    for line in done.stdout.splitlines():
        if match := FIGURE.match(line):
            value = match["value"]
            figures[match["name"]] = float(value) if re.fullmatch(r"-?[\d.]+", value) else value
    return figures


def test_surge_loses_no_bid_and_accepts_none_after_its_deadline():
    figures = scenario(
        "surge.py",
        "surge_smoke",
        *("--suppliers", "20", "--bids", "40", "--tenders", "2", "--window", "20"),
        *("--last-seconds", "10", "--clients", "8", "--workers", "2"),
    )
    assert figures["accepted"] > 0
    assert figures["lost_bids"] == 0
    assert figures["accepted_after_deadline"] == 0
    assert figures["sent_after_deadline_accepted"] == 0
    assert figures["late_refused"] >= 2  # one bid per tender is sent late on purpose
    assert figures["server_errors_5xx"] == 0
    assert figures["receipts_verified"] == figures["accepted"]
    assert figures["verify_audit_log_exit"] == 0
    assert figures["problems"] == 0


def test_backup_taken_under_load_restores_a_consistent_audit_log():
    figures = scenario(
        "backup.py",
        "backup_smoke",
        *("--rate", "5", "--seconds", "8", "--dump-after", "3", "--suppliers", "5"),
    )
    assert figures["verify_audit_log_exit"] == 0
    assert figures["consistent"] == 1
    assert figures["load_errors"] == 0
    assert figures["problems"] == 0
