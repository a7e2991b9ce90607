"""bench/seed.py at a tiny scale, end to end: every tender status, real bids, a ledger that
balances, and an audit log that `verify_audit_log` accepts, checked by the seed itself.

It runs as its own process on a database next to the suite's (`<test database>_seed_smoke`,
dropped and re-made), so it needs PostgreSQL: the suite's PostgreSQL pass runs it.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.postgres

ROOT = Path(__file__).resolve().parents[1]
STATUSES = {
    "draft", "enquiries", "tendering", "opening", "evaluation", "standstill", "contracting",
    "complete", "cancelled", "unsuccessful",
}  # fmt: skip


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        pytest.skip("the seed writes PostgreSQL: run with DATABASE_URL=postgres://...")
    out = tmp_path_factory.mktemp("seed")
    done = subprocess.run(
        [
            sys.executable, str(ROOT / "bench" / "seed.py"), "--fresh", "--scale", "0.002",
            "--database-url", f"{url}_seed_smoke", "--out", str(out), "--processes", "2",
        ],
        cwd=ROOT, capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    assert done.returncode == 0, (done.stdout + done.stderr)[-4000:]
    return json.loads((out / "seed.json").read_text())


def test_every_tender_status_is_seeded(seeded):
    by_status = seeded["checks"]["status"]["procurement_tender"]
    assert set(by_status) == STATUSES
    assert sum(by_status.values()) == seeded["volume"]["tenders"] == 40


def test_bids_are_sealed_before_opening_and_opened_after(seeded):
    bids = seeded["checks"]["status"]["bids_bid"]
    assert bids["submitted"] > 0 and bids["valid"] > 0
    # 400 asked for, but 10 suppliers can place at most 10 bids per tender at this scale.
    assert 200 < sum(bids.values()) == seeded["rows"]["bids.bid"] <= 400


def test_awards_and_contracts_follow_the_statuses(seeded):
    assert seeded["checks"]["status"]["awards_award"]["pending"] > 0
    assert seeded["checks"]["status"]["contracts_contract"]["pending"] > 0


def test_the_ledger_balances(seeded):
    assert seeded["checks"]["ledger_lines_below_zero"] == 0


def test_the_audit_log_verifies_and_the_clock_ticks(seeded):
    checks = seeded["checks"]
    assert checks["verify_audit_log"]["exit"] == 0, checks["verify_audit_log"]["output"]
    assert checks["tick"]["exit"] == 0, checks["tick"]["output"]
    assert checks["tables"]["audit_entry"] == seeded["rows"]["audit.entry"]


def test_bidders_get_tokens_keys_and_certificates(seeded):
    bidder = seeded["bidders"][0]
    assert bidder["token"].startswith("otp_")
    assert Path(bidder["key"]).exists() and Path(bidder["certificate"]).exists()
