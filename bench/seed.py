"""Seed a PostgreSQL database with a production-shaped platform, in bulk but consistent.

At --scale 1: 200 agencies (a buyer who chairs and two commission members each, with opening
keys), 5,000 verified suppliers each with an administrator and a real certificate from a bench
CA registered in pki, 600 budget lines with plan items, 20,000 tenders across every status
with lots, commissions, versions and opening keys, 200,000 real signed and sealed bids,
opening protocols, awards, contracts, a ledger that balances, and an audit event for every
change (chained and hashed like the recorder's, then a signed checkpoint). Rows are written
with COPY (see bench/seeding/__init__.py for what is real and what is simplified). Then it
checks counts per table and status, the ledger, `manage.py verify_audit_log` and one
`manage.py tick`, and writes a summary (seed.json) for the scenarios.

    python bench/seed.py [--database-url URL] [--scale 1.0] [--seed 7] [--fresh]
                         [--out var/bench/seed] [--processes 2] [--no-checks]

--fresh drops and re-creates the database and migrates it (otherwise it must be migrated and
empty of platform data). Deterministic for a given --seed and --scale, but for key material
and signatures, which are random by nature, and instants, which are offsets from now.
"""

import argparse
import datetime as dt
import json
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

FULL = {"agencies": 200, "suppliers": 5_000, "tenders": 20_000, "bids": 200_000}
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/h5_seed"
CHUNK = 500  # tenders per round of bid building


def volume(scale: float) -> dict[str, int]:
    sizes = {name: round(full * scale) for name, full in FULL.items()}
    sizes["agencies"] = max(2, sizes["agencies"])
    sizes["suppliers"] = max(5, sizes["suppliers"])
    sizes["tenders"] = max(len(STATUS_COUNT), sizes["tenders"])
    return sizes


STATUS_COUNT = range(10)  # every status at least once


def environment(url: str, out: Path) -> dict[str, str]:
    """What the seed's checks, the server and the clocks run with."""
    ca = out / "ca"
    return {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_ENV": "development",
        "DJANGO_DEBUG": "0",
        "TRUST_DATABASE_CLOCK": "1",
        "LOG_LEVEL": "WARNING",
        "VAR_DIR": str(out / "var"),
        "PKI_TRUST_ROOTS": str(ca / "root.pem"),
        "PKI_INTERMEDIATES": str(ca / "intermediate.pem"),
        "PKI_CRL_SOURCES": "",
    }


def setup(url: str, out: Path, *, fresh: bool) -> dict[str, str]:
    env = environment(url, out)
    os.environ.update(env)
    if fresh:
        from bench._setup import fresh_database

        fresh_database(url)
    else:
        import django

        django.setup()
    return env


def seed(args, env) -> dict:
    from django.utils import timezone

    from audit.services.checkpoints import issue_checkpoint
    from bench.seeding import plan as planning
    from bench.seeding.auditlog import AuditLog
    from bench.seeding.base import Tables
    from bench.seeding.bidbuild import Builder
    from bench.seeding.ca import create_ca
    from bench.seeding.registers import Registers
    from bench.seeding.tenders import TenderWriter
    from tests.pki.ca import cache

    sizes, rnd = volume(args.scale), random.Random(args.seed)
    now = timezone.now().replace(microsecond=0)
    timings, began = {}, time.perf_counter()
    ca = create_ca(args.out / "ca")
    cache(ca.crl())
    cache(ca.crl(by_root=True))
    log = AuditLog()
    tables = Tables(log)
    registers = Registers(tables, log, rnd, now)
    registers.seed(
        agencies=sizes["agencies"], suppliers=sizes["suppliers"], ca=ca, processes=args.processes
    )
    tables.flush()
    timings["registers"] = time.perf_counter() - began
    print(f"  registers in {timings['registers']:.1f} s", flush=True)

    from procurement.models import Procedure

    ceilings = {p.code: p.value_ceiling for p in Procedure.objects.all() if p.value_ceiling}
    plans = planning.tenders(sizes["tenders"], sizes["agencies"], now.year, now, rnd, ceilings)
    planning.spread_bids(plans, sizes["bids"], sizes["suppliers"], rnd)
    writer = TenderWriter(tables, log, registers, rnd, now, now.year)
    writer.budget(plans)
    tables.flush()
    signers = {i: (s.key_pem, s.certificate_der) for i, s in enumerate(registers.suppliers)}
    builder = Builder(signers, args.processes)
    build_seconds, mark = 0.0, time.perf_counter()
    try:
        for start in range(0, len(plans), CHUNK):
            build_seconds += write_chunk(writer, builder, plans[start : start + CHUNK])
            done = min(start + CHUNK, len(plans))
            print(f"  {done:,} tenders, {tables.counts['bids.bid']:,} bids", end="\r", flush=True)
    finally:
        builder.close()
    tables.flush()
    tables.reset_sequences()
    writer.counter(plans)
    print()
    timings["tenders and bids"] = time.perf_counter() - mark
    timings["building bids (pool)"] = build_seconds
    mark = time.perf_counter()
    issue_checkpoint(reason="seed")
    timings["checkpoint"] = time.perf_counter() - mark
    timings["total"] = time.perf_counter() - began
    return summary(args, sizes, tables, log, registers, plans, timings, now)


def write_chunk(writer, builder, plans) -> float:
    """Tenders up to publication, their bids built in the pool, then everything written."""
    from bench.seeding.plan import PUBLISHED

    made, jobs = [], []
    for plan in plans:
        t = writer.tender(plan)
        if plan.status in PUBLISHED:
            writer.prepare(t)
            if plan.bidders:
                jobs.extend(writer.bid_jobs(t))
        made.append(t)
    began = time.perf_counter()
    built: dict[int, list] = {}
    for result in builder.build(jobs) if jobs else []:
        built.setdefault(result[0][0], []).append(result)
    seconds = time.perf_counter() - began
    for t in made:
        writer.write(t, built.get(t.id, []))
    return seconds


def summary(args, sizes, tables, log, registers, plans, timings, now) -> dict:
    keys = args.out / "ca" / "bidders"
    keys.mkdir(parents=True, exist_ok=True)
    bidders = []
    for s in registers.suppliers:
        if s.token is None:
            continue
        from cryptography import x509
        from cryptography.hazmat.primitives.serialization import Encoding

        (keys / f"{s.bin}.key").write_bytes(s.key_pem)
        certificate = x509.load_der_x509_certificate(s.certificate_der).public_bytes(Encoding.PEM)
        (keys / f"{s.bin}.pem").write_bytes(certificate)
        bidders.append({
            "organisation_id": s.id, "bin": s.bin, "user_id": s.user, "email": s.email,
            "token": s.token, "key": str(keys / f"{s.bin}.key"),
            "certificate": str(keys / f"{s.bin}.pem"), "certificate_id": s.certificate,
        })  # fmt: skip
    soon = now + dt.timedelta(days=1)
    rows = dict(tables.counts)
    rows["audit.entry"] = log.count
    rates = {
        label: round(n / tables.seconds[label])
        for label, n in tables.counts.items()
        if tables.seconds[label]
    }
    return {
        "scale": args.scale, "seed": args.seed, "database_url": args.database_url,
        "started": now.isoformat(), "volume": sizes,
        "seconds": {k: round(v, 1) for k, v in timings.items()},
        "rows": rows, "copy_rows_per_second": rates,
        "audit_build_seconds": round(log.seconds, 1),
        "tenders_by_status": {s: sum(p.status == s for p in plans) for s in sorted({p.status for p in plans})},
        "bidders": bidders,
        "agencies": [
            {"organisation_id": a.id, "bin": a.bin, "buyer_id": a.buyer,
             "commission_ids": [a.buyer, *a.members], "emails": list(a.emails.values())}
            for a in registers.agencies[:10]
        ],
        "tendering": [p.number for p in plans if p.status == "tendering" and p.deadline > soon],
        "commission_keys": "sha256(b'test opening key:' + email), as tests/procurement/factories.py",
    }  # fmt: skip


def check(env) -> dict:
    from bench.seeding.checks import command, counts

    found = counts()
    found["verify_audit_log"] = command(env, "verify_audit_log")
    found["tick"] = command(env, "tick")
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("SEED_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--fresh", action="store_true", help="drop, re-create and migrate first")
    parser.add_argument("--out", type=Path, default=ROOT / "var" / "bench" / "seed")
    parser.add_argument("--processes", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--no-checks", action="store_true")
    args = parser.parse_args()
    args.out = args.out.resolve()
    env = setup(args.database_url, args.out, fresh=args.fresh)
    print(f"seeding {args.database_url} at scale {args.scale} (seed {args.seed})", flush=True)
    result = seed(args, env)
    mark_history_published(args.database_url)
    if not args.no_checks:
        result["checks"] = check(env)
    (args.out / "seed.json").write_text(json.dumps(result, indent=1, default=str))
    report(result)
    checks = result.get("checks", {})
    failed = checks and (
        checks["verify_audit_log"]["exit"]
        or checks["tick"]["exit"]
        or checks["ledger_lines_below_zero"]
    )
    sys.exit(1 if failed else 0)


def mark_history_published(url: str) -> None:
    """Start OCDS publication after the seeded history, as on a live platform that is caught
    up: the clocks publish what comes next. Publishing the history (some 400,000 events)
    would take the clock an hour; bench/ocds_export.py measures publication on its own."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            "INSERT INTO transparency_publicationcursor (id, last_seq) "
            "SELECT 1, COALESCE(MAX(seq), -1) FROM audit_entry "
            "ON CONFLICT (id) DO UPDATE SET last_seq = EXCLUDED.last_seq"
        )


def report(result: dict) -> None:
    print(f"seeded in {result['seconds']['total']:.1f} s: {result['seconds']}")
    for label, n in sorted(result["rows"].items()):
        rate = result["copy_rows_per_second"].get(label)
        print(f"  {label:32} {n:>9,} rows" + (f"  {rate:>9,} rows/s (COPY)" if rate else ""))
    print(f"  audit payloads and hashes built in {result['audit_build_seconds']} s")
    print(f"  tenders by status: {result['tenders_by_status']}")
    checks = result.get("checks")
    if checks:
        print(f"  statuses: {checks['status']}")
        print(f"  ledger lines below zero: {checks['ledger_lines_below_zero']}")
        for name in ("verify_audit_log", "tick"):
            c = checks[name]
            print(f"  {c['command']}: exit {c['exit']} in {c['seconds']} s: {c['output'][-200:]}")


if __name__ == "__main__":
    main()
