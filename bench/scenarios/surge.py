"""The deadline surge: many suppliers, signed sealed bids, deadlines falling inside the run.

`--suppliers` verified suppliers (certificate from the bench CA, API token) bid on
`--tenders` tenders of the quick procedure, published through the services with their real
submission deadlines staggered over `--window` seconds (the first 30 s in, the last at the
end). Each tender gets its share of `--bids`: 80 % sent in its last 30 s, the rest spread from
the start until then, and 1 % sent up to 10 s after the deadline on purpose. The bids are
built ahead (real CMS signatures and HPKE seals), then sent open-loop at their planned
instants from `--clients` threads to gunicorn, while the clock runs.

Reported: throughput (accepted bids/s over the run, and over its busiest 10 s), p50/p95/p99
latency, late refusals apart from errors, 5xx. Checked after the run: every 201 has its bid
row, its bids.bid.submitted entry and a receipt whose signature verifies and whose entry is
included in its checkpoint, that checkpoint consistent with one issued after the run (and
the entry included in that too); no bid row or entry without the other, nonces burnt one per
bid; no bid accepted at or after its deadline; the clock moved every tender on; and
`manage.py verify_audit_log` exits 0.

    python bench/scenarios/surge.py [--suppliers 500] [--bids 5000] [--tenders 50]
                                    [--window 300] [--clients 256] [--workers 4]

Stand-alone it makes a fresh database (SCENARIO_DATABASE_URL, else scenario_surge on the
local server), a throwaway CA, gunicorn and a clock; from run_all it uses the context's
(gunicorn, clocks, CA; new suppliers and tenders in the seeded database). On this 2-core
machine the platform takes some 25-30 bids/s: keep bids / window under about 20/s.
"""

import argparse
import datetime as dt
import random
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.scenarios import _bids
from bench.scenarios._bids import figure

FULL = {"suppliers": 500, "bids": 5000, "tenders": 50, "window": 300.0}
MODEST = {"suppliers": 60, "bids": 600, "tenders": 10, "window": 90.0}
LAST_SECONDS = 30.0
DEFAULTS = {
    "clients": 256,
    "workers": 4,
    "late_share": 0.01,
    "last_seconds": LAST_SECONDS,
    "seed": 1,
}


def plan_deadlines(
    start: dt.datetime, count: int, window: float, last: float = LAST_SECONDS
) -> list[dt.datetime]:
    """Deadlines from `last` seconds after the start to the end of the window, evenly."""
    first = min(last, window)
    step = (window - first) / max(count - 1, 1)
    return [
        (start + dt.timedelta(seconds=first + i * step)).replace(microsecond=0)
        for i in range(count)
    ]


def check_sizes(options: dict) -> None:
    if -(-options["bids"] // options["tenders"]) > options["suppliers"]:
        raise ValueError("a supplier bids once per tender: give more suppliers or tenders")


def prepare(w, options: dict, rng: random.Random):
    """Suppliers, tenders with deadlines in the future run, and their bids built."""
    from django.utils import timezone

    from bench import bid_submit

    began = time.perf_counter()
    cast = bid_submit.commission_cast()
    people = bid_submit.bidders(w.ca, options["suppliers"])
    made = time.perf_counter() - began
    rate = _bids.build_rate(bid_submit.open_tender(cast), people[:20])
    building = options["bids"] / rate
    count = options["tenders"]
    now = timezone.now()
    # Publishing is ~0.1-0.3 s a tender; enquiries must not end before the last is published.
    enquiry_end = now + dt.timedelta(seconds=count * 0.4 + 5)
    start = enquiry_end + dt.timedelta(seconds=building * 1.3 + 10)
    tenders = _bids.quick_tenders(
        cast,
        plan_deadlines(start, count, options["window"], options["last_seconds"]),
        enquiry_end=enquiry_end,
    )
    shots = _bids.schedule(
        tenders,
        people,
        bids=options["bids"],
        start=start.timestamp(),
        last_seconds=options["last_seconds"],
        late_share=options["late_share"],
        rng=rng,
    )
    built = _bids.build(
        shots, {t.number: t for t in tenders}, {p.organisation.bin: p for p in people}
    )
    print(
        f"  set-up: {len(people)} suppliers in {made:.0f} s; {len(shots):,} bids built in "
        f"{built:.0f} s ({len(shots) / built:.0f}/s); {count} tenders, deadlines "
        f"{tenders[0].submission_deadline:%H:%M:%S} .. {tenders[-1].submission_deadline:%H:%M:%S}"
    )
    _bids.wait_for_tendering(tenders, timeout=60)
    return tenders, shots, start


def send(w, shots, start, clients: int):
    overrun = time.time() - start.timestamp()
    if overrun > 0:
        print(f"  WARNING: building overran the plan; the first bids leave {overrun:.0f} s late")
    else:
        time.sleep(-overrun)
    sender = _bids.Sender(w.base_url, clients)
    elapsed = sender.run(shots, start.timestamp())
    return sender, elapsed


def busiest(outcomes, seconds: float = 10.0) -> float:
    """Accepted bids per second in the busiest `seconds` (answers by completion time)."""
    ends = sorted(o.sent + o.seconds for o in outcomes if o.status in _bids.ACCEPTED)
    best, left = 0, 0
    for right, end in enumerate(ends):
        while end - ends[left] > seconds:
            left += 1
        best = max(best, right - left + 1)
    return best / seconds


def check(w, tenders, sender) -> tuple[dict, "_bids.Checker"]:
    checker = _bids.Checker(tenders)
    clock = checker.clock(timeout=90)
    stored = checker.stored()
    reconciled = checker.reconcile(sender.outcomes)
    accepted = [o for o in sender.outcomes if o.status in _bids.ACCEPTED]
    receipts = checker.receipts(accepted)
    audit = _bids.verify_audit_log(w.environment)
    if audit["exit"]:
        checker.problem(f"verify_audit_log: {audit['message']}", "audit")
    return {**clock, **stored, **receipts, "reconciled": reconciled, "audit": audit}, checker


def report(w, shots, sender, elapsed: float, checks: dict, checker) -> dict:
    outcomes = sender.outcomes
    tally = _bids.tally(outcomes)
    counts, codes = tally["counts"], tally["codes"]
    accepted = counts["accepted"]
    on_time = sum(1 for s in shots if not s.late)
    sent_late = Counter(o.code for o in outcomes if o.shot.late)
    problems = checker.problems
    figures = {
        "throughput": figure(
            round(accepted / elapsed, 1),
            "bids/s",
            round(len(outcomes) / elapsed, 1),
            note="accepted per second over the run; baseline: offered",
        ),
        "throughput_busiest_10s": figure(round(busiest(outcomes), 1), "bids/s"),
        **_bids.latency_figures(outcomes),
        "bids_sent": len(outcomes),
        "accepted": accepted,
        "late_refused": counts["late_refused"],
        "late_refused_planned_in_time": sum(
            1 for o in outcomes if not o.shot.late and o.code in _bids.LATE_CODES
        ),
        # Left the client before the deadline, reached the tender row after it: the server's
        # queue, not the client's, made them late.
        "late_refused_left_in_time": sum(
            1 for o in outcomes if o.code in _bids.LATE_CODES and o.sent < o.shot.deadline
        ),
        "sent_after_deadline_accepted": sum(
            1 for o in outcomes if o.shot.late and o.status in _bids.ACCEPTED
        ),
        "server_errors_5xx": counts["server_errors"],
        "no_answer": counts["no_answer"],
        "refused_other": counts["refused_other"],
        "lost_bids": checker.kinds["lost"],
        "accepted_after_deadline": checks["accepted_late"],
        "receipts_verified": checks["receipts_verified"],
        "verify_audit_log_exit": checks["audit"]["exit"],
        "clock_lag_max": figure(round(checks["clock_lag_max"], 1), "s"),
        "send_lag_p99": figure(round(_bids.percentiles(sender.lag)[98], 2), "s"),
        "problems": len(problems),
    }
    print(
        f"  {len(outcomes):,} bids ({on_time:,} planned before their deadline) in "
        f"{elapsed:.0f} s: {accepted:,} accepted, {counts['late_refused']} refused as late "
        f"(of the {sum(sent_late.values())} sent late on purpose: {dict(sent_late)}), "
        f"{counts['server_errors']} 5xx, {counts['no_answer']} unanswered, "
        f"{counts['refused_other']} other refusals {dict(codes)}"
    )
    print(
        f"  checks: {checks['bids_stored']:,} bid rows, {checks['entries']:,} entries, "
        f"{checks['receipts_verified']:,} receipts verified against {checks['receipt_checkpoints']} "
        f"checkpoints and consistent with checkpoint {checks['final_checkpoint']:,}; "
        f"reconciled {checks['reconciled']}; tenders {checks['statuses']}, clock at most "
        f"{checks['clock_lag_max']:.1f} s late; verify_audit_log exit {checks['audit']['exit']} "
        f"in {checks['audit']['seconds']} s ({checks['audit']['message']})"
    )
    for line in problems[:10]:
        print(f"  PROBLEM: {line}")
    failed = [
        o for o in outcomes if o.status not in _bids.ACCEPTED and o.code not in _bids.LATE_CODES
    ]
    for o in failed[:3]:
        print(f"    {o.status}: {o.body[:300].decode('utf-8', 'replace')}")
    if counts["server_errors"]:
        print("  gunicorn's log ends:\n" + _bids.log_tail(w.work / "gunicorn.log"))
    return figures


def run(context=None, **overrides) -> dict:
    """The surge against run_all's platform (`context`) or, without one, our own."""
    sizes = FULL if context is None or getattr(context, "full", False) else MODEST
    options = {**DEFAULTS, **sizes, **overrides}
    check_sizes(options)
    rng = random.Random(options["seed"])
    with _bids.world(context, "surge", workers=options["workers"]) as w:
        print(
            f"deadline surge: {options['bids']:,} bids, {options['suppliers']} suppliers, "
            f"{options['tenders']} tenders over {options['window']:.0f} s, "
            f"{options['clients']} clients, {w.base_url}"
        )
        tenders, shots, start = prepare(w, options, rng)
        sender, elapsed = send(w, shots, start, options["clients"])
        checks, checker = check(w, tenders, sender)
        figures = report(w, shots, sender, elapsed, checks, checker)
    _bids.print_figures("surge", figures)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--suppliers", type=int, default=FULL["suppliers"])
    parser.add_argument("--bids", type=int, default=FULL["bids"])
    parser.add_argument("--tenders", type=int, default=FULL["tenders"])
    parser.add_argument("--window", type=float, default=FULL["window"], help="seconds")
    # Suppliers do not wait for each other: enough threads that a slow server makes bids
    # queue at the server (and the client's own lag stays near zero, see send_lag_p99).
    parser.add_argument("--clients", type=int, default=DEFAULTS["clients"], help="threads")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (own server)")
    parser.add_argument("--late-share", type=float, default=0.01, help="sent late on purpose")
    parser.add_argument(
        "--last-seconds", type=float, default=LAST_SECONDS, help="80 %% of a tender's bids here"
    )
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    _bids.install_signal_handlers()
    figures = run(None, **vars(args))
    failed = figures["problems"] or figures["server_errors_5xx"]
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
