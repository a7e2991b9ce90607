"""Speed and memory of the red-flag engine over N synthetic compiled releases.

Generates N compiled releases (default 100,000) shaped like the platform's OCDS export
(parties, a tender with its period, 1 to 6 bids with prices and statuses, an award with
classified items, a contract) into a temporary JSON Lines file, then runs, each in its own
process so that peak memory is measured per phase:

- the baseline: read the file and ``json.loads`` every line, nothing else;
- the engine: all eleven indicators with default settings, Cardinal's output built.

Prints releases/s and peak RSS of both and the ratio engine/baseline throughput.

    python bench/red_flags.py [--releases 100000] [--seed 7] [--keep FILE]
Targets (issue 7): 100,000 compiled releases in <= 60 s with peak RSS <= 300 MB.
"""

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench._setup import result  # noqa: E402

METHODS = ["open", "open", "open", "selective", "limited", "direct"]
STATUSES = ["valid"] * 8 + ["disqualified", "withdrawn"]
T0 = datetime(2024, 1, 1, tzinfo=UTC)


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _organisation(role: str, number: int) -> dict:
    return {
        "id": f"KZ-BIN-{number:012d}",
        "name": f"{role.title()} {number}",
        "identifier": {"scheme": "KZ-BIN", "id": f"{number:012d}"},
        "address": {"streetAddress": f"{number} Abay Avenue", "locality": "Astana"},
        "roles": [role],
    }


def release(n: int, rnd: random.Random) -> dict:
    """One compiled release; suppliers, buyers and prices drawn so that some flags fire."""
    buyer = _organisation("buyer", rnd.randrange(200))
    start = T0 + timedelta(hours=rnd.randrange(24 * 365))
    end = start + timedelta(days=rnd.choice([5, 10, 15, 20, 30]), hours=rnd.randrange(24))
    estimate = rnd.randrange(1_000, 5_000_000)
    tenderers = rnd.sample(range(5_000), rnd.choice([1, 2, 3, 3, 4, 4, 5, 6]))
    bids = []
    for k, tenderer in enumerate(tenderers):
        late = timedelta(hours=2) if rnd.random() < 0.01 else -timedelta(hours=k + 1)
        bids.append(
            {
                "id": f"{n}-bid-{k}",
                "date": _stamp(end + late),
                "status": rnd.choice(STATUSES),
                "tenderers": [{"id": f"KZ-BIN-{100_000 + tenderer:012d}"}],
                "value": {"amount": round(estimate * rnd.uniform(0.7, 1.1), 2), "currency": "KZT"},
            }
        )
    if len(bids) > 2 and rnd.random() < 0.03:  # a copied price (R028)
        bids[1]["value"] = dict(bids[2]["value"])
    valid = [bid for bid in bids if bid["status"] == "valid"] or bids[:1]
    winner = min(valid, key=lambda bid: bid["value"]["amount"])
    supplier = {"id": winner["tenderers"][0]["id"]}
    items = [
        {
            "id": f"{n}-item-{k}",
            "description": "Goods",
            "classification": {"scheme": "CPV", "id": f"{rnd.randrange(3, 98):02d}100000"},
            "quantity": rnd.randint(1, 50),
            "unit": {"name": "piece"},
        }
        for k in range(rnd.randint(1, 3))
    ]
    ocid = f"ocds-kz0001-{n:08d}"
    return {
        "ocid": ocid,
        "id": f"{ocid}-compiled",
        "date": _stamp(end + timedelta(days=10)),
        "tag": ["compiled"],
        "initiationType": "tender",
        "parties": [buyer, *(_organisation("tenderer", 100_000 + t) for t in tenderers)],
        "buyer": {"id": buyer["id"], "name": buyer["name"]},
        "tender": {
            "id": f"{n}",
            "title": f"Procurement {n}",
            "status": "complete",
            "procuringEntity": {"id": buyer["id"], "name": buyer["name"]},
            "procurementMethod": rnd.choice(METHODS),
            "procurementMethodDetails": "Open tender",
            "value": {"amount": estimate, "currency": "KZT"},
            "tenderPeriod": {"startDate": _stamp(start), "endDate": _stamp(end)},
            "numberOfTenderers": len(tenderers),
            "items": items,
        },
        "bids": {
            "statistics": [{"id": "1", "measure": "bids", "value": len(bids)}],
            "details": bids,
        },
        "awards": [
            {
                "id": f"{n}-award",
                "status": "active",
                "date": _stamp(end + timedelta(days=5)),
                "value": winner["value"],
                "suppliers": [supplier],
                "items": items,
            }
        ],
        "contracts": [
            {
                "id": f"{n}-contract",
                "awardID": f"{n}-award",
                "status": "active",
                "value": winner["value"],
            }
        ],
    }


def generate(path: Path, count: int, seed: int) -> int:
    rnd = random.Random(seed)
    size = 0
    with path.open("w", encoding="utf-8") as file:
        for n in range(count):
            line = json.dumps(release(n, rnd), ensure_ascii=False, separators=(",", ":"))
            size += file.write(line + "\n")
    return size


def phase(name: str, path: str) -> None:
    """Run in a child process: time one phase, print its seconds as JSON."""
    started = time.perf_counter()
    if name == "baseline":
        with open(path, "rb") as file:
            for line in file:
                json.loads(line)
    else:
        from transparency.redflags import compute, default_settings, dumps, open_lines, to_cardinal

        with open_lines(path) as lines:
            results = compute(lines, default_settings())
        dumps(to_cardinal(results))
    print(json.dumps({"seconds": time.perf_counter() - started}))


def measure(name: str, path: Path) -> tuple[float, float]:
    """Seconds and peak RSS (MB) of one phase in a fresh process."""
    child = subprocess.Popen(
        [sys.executable, __file__, "--phase", name, str(path)], stdout=subprocess.PIPE
    )
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    output = child.stdout.read()
    child.stdout.close()
    if child.returncode:
        sys.exit(f"the {name} phase failed (exit {child.returncode})")
    return json.loads(output)["seconds"], usage.ru_maxrss / 1024  # Linux: KiB


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--releases", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", type=Path, help="write the generated releases here and keep them")
    parser.add_argument("--phase", nargs=2, metavar=("NAME", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        phase(*args.phase)
        return
    with tempfile.TemporaryDirectory() as folder:
        path = args.keep or Path(folder) / "compiled.jsonl"
        size = generate(path, args.releases, args.seed)
        print(f"{args.releases:,} compiled releases, {size / 2**20:.1f} MB: {path}")
        base_seconds, base_rss = measure("baseline", path)
        seconds, rss = measure("engine", path)
    rate, base_rate = args.releases / seconds, args.releases / base_seconds
    print(
        f"json.loads only: {base_seconds:.2f} s, {base_rate:,.0f} releases/s, peak RSS {base_rss:.0f} MB"
    )
    print(f"red flags:       {seconds:.2f} s, {rate:,.0f} releases/s, peak RSS {rss:.0f} MB")
    result("red_flags", rate, "releases/s", base_rate)
    result("red_flags_peak_rss", rss, "MB", base_rss, higher_is_better=False)


if __name__ == "__main__":
    main()
