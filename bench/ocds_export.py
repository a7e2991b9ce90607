"""Speed and memory of the OCDS exports over N tenders' stored releases (PostgreSQL).

Seeds a fresh database (BENCH_DATABASE_URL, default tender_bench) with N published tenders and
their releases (the tender, an update, the award: three per tender, each shaped like the
platform's own, about 3 KB), then runs each export in its own process, so peak memory is
measured per phase:

- the baseline: stream every release's stored bytes out of the database, nothing else;
- the release package (`stream_release_package`), written to /dev/null;
- compiled releases as JSON lines (`stream_compiled_jsonl`): each ocid's releases merged.

Prints releases/s and peak RSS per phase and the ratio against the baseline.

    python bench/ocds_export.py [--tenders 100000]
Targets (issue 7): >= 2,000 releases/s exported, peak RSS <= 300 MB.
"""

import argparse
import hashlib
import json
import os
import random
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench._setup import DEFAULT_URL, fresh_database, result  # noqa: E402
from bench.red_flags import release as compiled_release  # noqa: E402

T0 = datetime(2026, 1, 5, 4, 0, tzinfo=UTC)
TAGS = (["tender"], ["tenderUpdate"], ["award"])


def seed(count: int) -> int:
    from django.db import connection

    from procurement.models import Procedure, Tender
    from suppliers.models import Organisation
    from transparency.models import Release
    from transparency.services.publication import release_bytes

    agency = Organisation.objects.create(
        kind="agency",
        bin="961141000023",
        legal_name="City Hospital No. 7",
        region="almaty_city",
        address="Almaty",
        contact_email="office@hospital7.kz",
        status="verified",
    )
    procedure = Procedure.objects.get(code="open_tender")
    rnd = random.Random(7)
    made = 0
    for start in range(0, count, 2000):
        tenders = Tender.objects.bulk_create(
            Tender(
                number=f"T-2026-{n:06d}",
                agency=agency,
                title=f"Supplies {n}",
                procedure=procedure,
                status="complete",
                published_at=T0,
            )
            for n in range(start + 1, min(count, start + 2000) + 1)
        )
        rows = []
        for tender in tenders:
            body = compiled_release(int(tender.number[-6:]), rnd)
            for tags in TAGS:
                seq = made
                made += 1
                date = T0 + timedelta(minutes=seq)
                content = release_bytes(
                    {
                        **body,
                        "ocid": tender.ocid,
                        "id": f"{tender.ocid}-{seq}",
                        "date": date.strftime("%Y-%m-%dT%H:%M:%SZ"),
                        "tag": tags,
                    }
                )
                rows.append(
                    Release(
                        ocid=tender.ocid,
                        release_id=f"{tender.ocid}-{seq}",
                        tender=tender,
                        entry_seq=seq,
                        date=date,
                        tags=tags,
                        content=content,
                        sha256=hashlib.sha256(content).hexdigest(),
                    )
                )
        Release.objects.bulk_create(rows, batch_size=1000)
    connection.close()
    return made


def phase(name: str) -> None:
    """In a child process: run one export to /dev/null, print its seconds."""
    import django

    django.setup()
    from transparency.models import Release
    from transparency.ocds.packages import stream_compiled_jsonl, stream_release_package

    started = time.perf_counter()
    with open(os.devnull, "wb") as sink:
        if name == "baseline":
            for content in Release.objects.values_list("content", flat=True).iterator(500):
                sink.write(bytes(content))
        elif name == "package":
            for chunk in stream_release_package():
                sink.write(chunk)
        else:
            for chunk in stream_compiled_jsonl():
                sink.write(chunk)
    print(json.dumps({"seconds": time.perf_counter() - started, "peak_mb": peak_mb()}))


def peak_mb() -> float:
    """This process's peak resident memory. VmHWM, not ru_maxrss: Linux carries ru_maxrss over
    an exec, so a child would report the parent's peak from before it started."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(name: str) -> tuple[float, float]:
    child = subprocess.Popen(
        [sys.executable, __file__, "--phase", name], stdout=subprocess.PIPE, env=os.environ
    )
    output = child.stdout.read()
    child.stdout.close()
    if child.wait():
        sys.exit(f"the {name} phase failed")
    figures = json.loads(output)
    return figures["seconds"], figures["peak_mb"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--tenders", type=int, default=100_000)
    parser.add_argument(
        "--reuse", action="store_true", help="measure the database seeded by the last run"
    )
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
        phase(args.phase)
        return
    if args.reuse:
        os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
        import django

        django.setup()
        from transparency.models import Release

        releases = Release.objects.count()
    else:
        fresh_database()
        started = time.perf_counter()
        releases = seed(args.tenders)
        print(
            f"seeded {args.tenders:,} tenders, {releases:,} releases in "
            f"{time.perf_counter() - started:.0f} s"
        )
    base_s, base_rss = measure("baseline")
    print(f"baseline (stored bytes out): {releases / base_s:,.0f} releases/s, {base_rss:.0f} MB")
    for name, label in (("package", "release package"), ("compiled", "compiled JSON lines")):
        seconds, rss = measure(name)
        print(
            f"{label}: {seconds:.1f} s, {releases / seconds:,.0f} releases/s, peak RSS {rss:.0f} MB"
        )
        result(f"ocds_{name}", releases / seconds, "releases/s", releases / base_s)
        result(f"ocds_{name}_peak_rss", rss, "MB", base_rss, higher_is_better=False)


if __name__ == "__main__":
    main()
