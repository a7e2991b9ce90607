"""After seeding: counts per table and status, the ledger's balances, verify_audit_log, and
one tick of the clock, each through the real command."""

import subprocess
import sys
import time

from django.db import connection

from bench.seeding.base import ROOT

COUNTED = [
    "suppliers_organisation", "accounts_user", "suppliers_membership", "pki_signingcertificate",
    "procurement_budgetline", "procurement_planitem", "procurement_budgetentry",
    "procurement_tender", "procurement_lot", "procurement_tenderversion", "bids_openingkey",
    "bids_keyshare", "bids_bid", "bids_openingprotocol", "awards_award", "contracts_contract",
    "audit_entry",
]  # fmt: skip
BY_STATUS = ["procurement_tender", "bids_bid", "awards_award", "contracts_contract"]

# The ledger identity of BudgetLine's docstring: no state may go below zero.
LEDGER_SQL = """
SELECT COUNT(*) FROM (
  SELECT l.id, l.approved_amount,
    COALESCE(SUM(e.amount) FILTER (WHERE e.kind = 'reserve'), 0) AS rsv,
    COALESCE(SUM(e.amount) FILTER (WHERE e.kind = 'release'), 0) AS rel,
    COALESCE(SUM(e.amount) FILTER (WHERE e.kind = 'obligate'), 0) AS obl,
    COALESCE(SUM(e.amount) FILTER (WHERE e.kind = 'pay'), 0) AS pay,
    COALESCE(SUM(e.amount) FILTER (WHERE e.kind = 'deobligate'), 0) AS deo
  FROM procurement_budgetline l LEFT JOIN procurement_budgetentry e ON e.line_id = l.id
  GROUP BY l.id) s
WHERE rsv - rel - obl < 0 OR obl - pay - deo < 0 OR approved_amount - rsv + rel + deo < 0
"""


def counts() -> dict:
    found = {"tables": {}, "status": {}}
    with connection.cursor() as cursor:
        for table in COUNTED:
            cursor.execute(f"SELECT COUNT(*) FROM {table}")  # noqa: S608
            found["tables"][table] = cursor.fetchone()[0]
        for table in BY_STATUS:
            cursor.execute(f"SELECT status, COUNT(*) FROM {table} GROUP BY status ORDER BY 1")  # noqa: S608
            found["status"][table] = dict(cursor.fetchall())
        cursor.execute(LEDGER_SQL)
        found["ledger_lines_below_zero"] = cursor.fetchone()[0]
    return found


def command(environment: dict, *args: str, timeout: int = 1800) -> dict:
    began = time.perf_counter()
    done = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        cwd=ROOT, env=environment, capture_output=True, text=True, timeout=timeout,
    )  # fmt: skip
    return {
        "command": "manage.py " + " ".join(args),
        "exit": done.returncode,
        "seconds": round(time.perf_counter() - began, 1),
        "output": (done.stdout + done.stderr).strip()[-600:],
    }
