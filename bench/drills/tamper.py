"""Tamper drill (issue 9): a database superuser lifts the triggers and changes a bid's stored
hash, an audit payload byte, a budget entry and a checkpoint; verify_audit_log must name each.

Builds a fresh PostgreSQL database with real data (`manage.py demo --full-cycle`), checks that
it verifies, makes the four changes with plain SQL in a session that disables the triggers
(`session_replication_role = replica`, which needs a superuser), verifies again and prints
what was named for each change. Exit 0 only when all four are named.

    python bench/drills/tamper.py [--quick-seconds 2]
"""

import argparse
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
from bench._setup import fresh_database  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/h3_drill"

# Each change returns the words a line of the verifier's output must hold to name it.
CHANGES = {
    "bid's stored hash": (
        "UPDATE bids_bid SET sealed_sha256 = repeat('ab', 32) "
        "WHERE id = (SELECT min(id) FROM bids_bid) RETURNING id",
        lambda pk: [f"bids_bid id={pk}", "sealed_sha256"],
    ),
    "audit payload byte": (
        # One letter of the action's name, in the entry half-way along the log.
        "UPDATE audit_entry SET payload = set_byte(payload, p, get_byte(payload, p) # 1) "
        'FROM (SELECT seq AS s, position(\'"action":"\'::bytea IN payload) + 9 AS p '
        "      FROM audit_entry WHERE seq = (SELECT max(seq) / 2 FROM audit_entry)) AS target "
        "WHERE seq = target.s RETURNING seq",
        lambda seq: [f"seq={seq}", "leaf hash"],
    ),
    "budget entry": (
        "UPDATE procurement_budgetentry SET amount = amount + 1000 "
        "WHERE id = (SELECT min(id) FROM procurement_budgetentry WHERE kind = 'pay') RETURNING id",
        lambda pk: [f"procurement_budgetentry id={pk}", "amount"],
    ),
    "checkpoint": (
        "UPDATE audit_checkpoint SET root_hash = sha256(root_hash) "
        "WHERE tree_size = (SELECT max(tree_size) FROM audit_checkpoint) RETURNING tree_size",
        lambda size: [f"size={size}"],
    ),
}


def manage(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        env=os.environ,
        capture_output=True,
        text=True,
        check=False,
    )


def tamper(url: str) -> dict[str, list[str]]:
    """Make every change as the superuser with the triggers off; the words naming each."""
    import psycopg

    wanted = {}
    with psycopg.connect(url) as conn:
        conn.execute("SET session_replication_role = replica")
        for name, (sql, naming) in CHANGES.items():
            row = conn.execute(sql).fetchone()
            if row is None:
                sys.exit(f"nothing to change for the {name}: did the demo run?")
            wanted[name] = naming(row[0])
            print(f"changed the {name}: {wanted[name][0]}")
    return wanted


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick-seconds", default="2")
    parser.add_argument("--url", default=os.environ.get("DRILL_DATABASE_URL", DEFAULT_URL))
    options = parser.parse_args()
    os.environ.setdefault("VAR_DIR", str(ROOT / "var" / "drill"))
    url = fresh_database(options.url)
    demo = manage("demo", "--full-cycle", "--quick-seconds", options.quick_seconds)
    if demo.returncode:
        print(demo.stderr)
        return 2
    honest = manage("verify_audit_log")
    print(f"before: exit {honest.returncode}: {(honest.stdout or honest.stderr).strip()}")
    if honest.returncode:
        return 2
    wanted = tamper(url)
    after = manage("verify_audit_log")
    lines = after.stderr.splitlines()
    print(f"after: exit {after.returncode}, {len(lines)} lines")
    named = 0
    for name, words in wanted.items():
        found = [line for line in lines if all(word in line for word in words)]
        named += bool(found)
        print(f"  {name}: " + ("; ".join(found) if found else "NOT NAMED"))
    print(f"RESULT tamper_drill value={named} unit=named baseline=4 ratio={named / 4:.3f}")
    return 0 if after.returncode == 1 and named == len(CHANGES) else 1


if __name__ == "__main__":
    sys.exit(main())
