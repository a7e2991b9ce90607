"""Backup and restore under load: pg_dump while bids come in, pg_restore into a new database,
and the restored audit log both verifies and is a prefix of the live one.

Load: signed sealed bids sent at `--rate` per second for `--seconds` to two tenders in
tendering; pg_dump (custom format) starts `--dump-after` seconds in. Then:

- pg_restore into a fresh database (run_all's `scratch_database_url("restore")`, stand-alone
  <stand-alone database>_restore), timed;
- `manage.py verify_audit_log` on it, with the off-database checkpoint copies limited to the
  sizes the dump holds (copies of later checkpoints have, rightly, no row there);
- the restored latest checkpoint, its note verified with the checkpoint key, against the live
  latest one issued after the load: an RFC 9162 consistency proof from the live API
  (/api/v1/audit/proofs/consistency) checked with audit.merkle.verify_consistency, and the
  restored entries' chain hash at the restored head equal to the live one;
- inside the dump, every bid row has its bids.bid.submitted entry (pg_dump reads one
  snapshot, so a bid and its entry are both in it or both not).

    python bench/scenarios/backup.py [--rate 10] [--seconds 60] [--dump-after 20]
"""

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.scenarios import _bids
from bench.scenarios._bids import figure

PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
FULL = {"rate": 10.0, "seconds": 60.0, "dump_after": 20.0, "suppliers": 50}
MODEST = {"rate": 8.0, "seconds": 30.0, "dump_after": 10.0, "suppliers": 20}


def load(w, options, rng):
    """Shots at a steady rate to two long-open tenders, bodies built."""
    from bench import bid_submit

    cast = bid_submit.commission_cast()
    people = bid_submit.bidders(w.ca, options["suppliers"])
    tenders = [bid_submit.open_tender(cast), bid_submit.open_tender(cast)]
    count = int(options["rate"] * options["seconds"])
    shots = []
    for i in range(count):
        tender, who = tenders[i % 2], people[i % len(people)]
        at = i / options["rate"] + rng.uniform(0, 1 / options["rate"])
        deadline = tender.submission_deadline.timestamp()
        shots.append(_bids.Shot(i, at, tender.number, deadline, who.organisation.bin, who.token))
    _bids.build(shots, {t.number: t for t in tenders}, {p.organisation.bin: p for p in people})
    return shots


def dump(database_url: str, path: Path) -> dict:
    began = time.perf_counter()
    subprocess.run(
        [str(PG_BIN / "pg_dump"), "-Fc", "--no-owner", "-f", str(path), database_url],
        check=True,
    )
    return {"dump_seconds": time.perf_counter() - began, "dump_bytes": path.stat().st_size}


def restore(path: Path, target_url: str) -> float:
    import psycopg

    name = target_url.rsplit("/", 1)[1]
    with psycopg.connect(target_url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    began = time.perf_counter()
    subprocess.run(
        [str(PG_BIN / "pg_restore"), "--no-owner", "--exit-on-error", "-d", target_url, str(path)],
        check=True,
    )
    return time.perf_counter() - began


def drop(target_url: str) -> None:
    import psycopg

    name = target_url.rsplit("/", 1)[1]
    with psycopg.connect(target_url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def restored_facts(target_url: str) -> dict:
    """Straight from the restored database (Django here stays on the live one)."""
    import psycopg
    from psycopg import sql

    from audit.actions import Action
    from audit.models import Checkpoint, Entry
    from bids.models import Bid

    names = {
        "entries": sql.Identifier(Entry._meta.db_table),
        "checkpoints": sql.Identifier(Checkpoint._meta.db_table),
        "bids": sql.Identifier(Bid._meta.db_table),
    }

    def one(query: str, *params):
        return conn.execute(sql.SQL(query).format(**names), params).fetchone()

    with psycopg.connect(target_url) as conn:
        size, root, note = one(
            "SELECT tree_size, root_hash, note FROM {checkpoints} ORDER BY tree_size DESC LIMIT 1"
        )
        count, head = one("SELECT count(*), max(seq) FROM {entries}")
        (chain,) = one("SELECT chain_hash FROM {entries} WHERE seq = %s", head)
        (unmatched,) = one(
            "SELECT count(*) FROM {bids} b LEFT JOIN {entries} e "
            "ON e.seq = b.log_index AND e.action = %s WHERE e.seq IS NULL",
            Action.BID_SUBMITTED,
        )
        (bids,) = one("SELECT count(*) FROM {bids}")
    return {
        "size": size,
        "root": bytes(root),
        "note": note,
        "entries": count,
        "head": head,
        "chain": bytes(chain),
        "bids_without_entry": unmatched,
        "bids": bids,
    }


def checkpoint_copies(source: Path, target: Path, up_to: int) -> int:
    """The off-database checkpoint files the restored database has rows for."""
    target.mkdir(parents=True, exist_ok=True)
    copied = 0
    for path in sorted(source.glob("*.checkpoint")):
        if int(path.stem) <= up_to:
            shutil.copy2(path, target / path.name)
            copied += 1
    return copied


def consistent(w, restored: dict) -> dict:
    """The restored latest checkpoint against the live latest (issued now, after the load)."""
    from audit import keys, merkle
    from audit.models import Entry
    from audit.services.checkpoints import issue_checkpoint
    from bench.scenarios._bids import _note_root

    live = issue_checkpoint(reason="bench-backup")
    name, key = keys.key_name(), keys.verifying_key()
    first_root = _note_root(restored["note"], name, key)
    second_root = _note_root(live.note, name, key)
    url = (
        f"{w.base_url}/api/v1/audit/proofs/consistency"
        f"?first={restored['size']}&second={live.tree_size}"
    )
    with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 (our own server)
        proof = [bytes.fromhex(h) for h in json.load(response)["proof"]]
    ok = first_root == restored["root"] and merkle.verify_consistency(
        restored["size"], live.tree_size, first_root, second_root, proof
    )
    live_chain = bytes(Entry.objects.get(seq=restored["head"]).chain_hash)
    return {
        "live_size": live.tree_size,
        "consistent": ok,
        "chain_matches": live_chain == restored["chain"],
    }


def run(context=None, **overrides) -> dict:
    sizes = FULL if context is None or getattr(context, "full", False) else MODEST
    options = {"clients": 16, "seed": 3, **sizes, **overrides}
    rng = random.Random(options["seed"])
    with _bids.world(context, "backup") as w:
        target = (
            context.scratch_database_url("restore")
            if context is not None
            else w.database_url + "_restore"
        )
        try:
            figures = _run(w, options, rng, target)
        finally:
            drop(target)
    _bids.print_figures("backup", figures)
    return figures


def _run(w, options, rng, target: str) -> dict:
    from django.conf import settings

    from audit.models import Entry

    print(
        f"backup under load: {options['rate']:.0f} bids/s for {options['seconds']:.0f} s, "
        f"pg_dump after {options['dump_after']:.0f} s, {w.base_url}"
    )
    shots = load(w, options, rng)
    sender = _bids.Sender(w.base_url, options["clients"])
    start = time.time() + 1
    sending = threading.Thread(target=sender.run, args=(shots, start), daemon=True)
    sending.start()
    time.sleep(max(0.0, start + options["dump_after"] - time.time()))
    before = Entry.objects.count()
    path = w.work / "live.dump"
    dumped = dump(w.database_url, path)
    after = Entry.objects.count()
    sending.join()
    accepted = sum(1 for o in sender.outcomes if o.status in _bids.ACCEPTED)
    restore_seconds = restore(path, target)
    facts = restored_facts(target)
    folder = w.work / "restored-checkpoints"
    copies = checkpoint_copies(Path(settings.AUDIT_CHECKPOINT_DIR), folder, facts["size"])
    environment = {**w.environment, "DATABASE_URL": target, "AUDIT_CHECKPOINT_DIR": str(folder)}
    audit = _bids.verify_audit_log(environment)
    check = consistent(w, facts)
    problems = []
    if audit["exit"]:
        problems.append(f"verify_audit_log on the restored database: {audit['message']}")
    if not check["consistent"]:
        problems.append("the restored checkpoint is not consistent with the live one")
    if not check["chain_matches"]:
        problems.append(f"the chain hash at entry {facts['head']} differs from the live one")
    if facts["bids_without_entry"]:
        problems.append(f"{facts['bids_without_entry']} restored bids without their entry")
    if not before <= facts["entries"] <= after:
        problems.append(f"restored {facts['entries']} entries, live had {before}..{after}")
    print(
        f"  pg_dump: {dumped['dump_bytes'] / 1e6:.1f} MB in {dumped['dump_seconds']:.1f} s while "
        f"the log grew {before:,} -> {after:,} entries; {accepted:,} of {len(shots):,} bids "
        f"accepted during the load; pg_restore in {restore_seconds:.1f} s: {facts['entries']:,} "
        f"entries, {facts['bids']:,} bids, latest checkpoint {facts['size']:,}"
    )
    print(
        f"  restored: verify_audit_log exit {audit['exit']} in {audit['seconds']} s "
        f"({audit['message']}; {copies} checkpoint copies); consistency {facts['size']:,} -> "
        f"live {check['live_size']:,}: {'verified' if check['consistent'] else 'FAILED'}; "
        f"chain hash at {facts['head']:,} {'matches' if check['chain_matches'] else 'DIFFERS'}"
    )
    for line in problems:
        print(f"  PROBLEM: {line}")
    return {
        "dump_seconds": figure(round(dumped["dump_seconds"], 1), "s"),
        "dump_megabytes": figure(round(dumped["dump_bytes"] / 1e6, 1), "MB"),
        "restore_seconds": figure(round(restore_seconds, 1), "s"),
        "entries_restored": facts["entries"],
        "bids_during_load": accepted,
        "load_errors": sum(1 for o in sender.outcomes if o.status not in _bids.ACCEPTED),
        "verify_audit_log_exit": audit["exit"],
        "restored_checkpoint": facts["size"],
        "live_checkpoint": check["live_size"],
        "consistent": int(check["consistent"] and check["chain_matches"]),
        "problems": len(problems),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rate", type=float, default=FULL["rate"], help="bids per second")
    parser.add_argument("--seconds", type=float, default=FULL["seconds"])
    parser.add_argument("--dump-after", type=float, default=FULL["dump_after"])
    parser.add_argument("--suppliers", type=int, default=FULL["suppliers"])
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seed", type=int, default=3)
    _bids.install_signal_handlers()
    figures = run(None, **vars(parser.parse_args()))
    sys.exit(1 if figures["problems"] or figures["load_errors"] else 0)


if __name__ == "__main__":
    main()
