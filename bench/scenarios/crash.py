"""The crash drill: kill -9 a gunicorn worker, then the whole server, then PostgreSQL, at
random moments during a deadline surge, `--kills` times; then prove nothing was lost.

Everything runs on a private PostgreSQL cluster (bench/scenarios/private_pg.py: initdb in a
temporary folder, its own port): killing the shared server would take every other user down.
Our own gunicorn (fixed port, so clients find it again) and clock run on it. The surge is
surge.py's, smaller: quick tenders with real deadlines, 80 % of each tender's bids in its
last 30 s. Kills rotate worker -> server -> PostgreSQL:

- worker: SIGKILL to one gunicorn worker; the master forks another.
- server: SIGKILL to gunicorn's whole process group and to the clock, both restarted after
  1-4 s: deadlines passing meanwhile are for the clock to catch up on.
- PostgreSQL: SIGKILL to the postmaster and its backends, restarted after 1-4 s with pg_ctl
  (crash recovery from the WAL); gunicorn and the clock stay up and meet a dead database.

Clients retry after no answer or a 5xx, every 0.5 s until 30 s after the tender's deadline,
with the same bytes. That is the idempotent choice: the statement's single-use nonce is burnt
in the bid's own transaction, so a retry of a bid that committed before the crash is answered
200 with that bid and its receipt (even after the deadline), and a retry of one that did not
is accepted, or refused as late. A new nonce would instead risk two bids from one intention.

Checked afterwards: every 201 has its bid row, entry and a verifying receipt (inclusion and
consistency as in surge.py); every bid stored without a 201 (committed, answer lost to a
kill) was answered 200 on a retry or not at all, and its receipt verifies too; no bid without
its entry and burnt nonce, no submission entry without its bid; nothing accepted late;
verify_audit_log exits 0; every tender was moved on by the clock, including those whose
deadline passed while the server or the database was down.

    python bench/scenarios/crash.py [--kills 20] [--suppliers 100] [--bids 1500]
                                    [--tenders 15] [--window 240] [--workers 4]

From run_all the drill runs this script as a subprocess: it needs its own database server,
and Django in run_all's process is set up on the seeded one.
"""

import argparse
import contextlib
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench import bid_submit
from bench.scenarios import _bids, surge
from bench.scenarios._bids import figure
from bench.scenarios.private_pg import PrivateCluster, _alive, _children

ROOT = Path(__file__).resolve().parents[2]
SIZES = {"suppliers": 100, "bids": 1500, "tenders": 15, "window": 240.0, "kills": 20}
MODEST = {"suppliers": 80, "bids": 400, "tenders": 6, "window": 100.0, "kills": 9}
KINDS = ("worker", "server", "postgres")
RETRY_AFTER_DEADLINE = 30.0


class Server:
    """gunicorn on a fixed port, which a crash may take down and `start` brings back."""

    def __init__(self, *, port: int, workers: int, environment: dict, log: Path):
        self.port, self.workers, self.environment, self.log = port, workers, environment, log
        self.process = None

    def start(self) -> float:
        began = time.monotonic()
        command = [
            *(sys.executable, "-m", "gunicorn", "config.wsgi"),
            *("--workers", str(self.workers), "--bind", f"127.0.0.1:{self.port}"),
            *("--log-level", "warning", "--backlog", "2048"),
        ]
        self.process = _bids.spawn(command, self.environment, self.log)
        bid_submit._wait_ready(self.port, self.process, self.log)
        return time.monotonic() - began

    def kill_worker(self, rng: random.Random) -> int | None:
        workers = _children(self.process.pid)
        if not workers:
            return None
        victim = rng.choice(workers)
        with contextlib.suppress(ProcessLookupError):
            os.kill(victim, signal.SIGKILL)
        return victim

    def crash(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
        members = _group(self.process.pid)
        until = time.monotonic() + 10
        while time.monotonic() < until and any(_alive(p) for p in members):
            time.sleep(0.05)

    def stop(self) -> None:
        if self.process is not None:
            bid_submit.stop(self.process)


class Clock:
    def __init__(self, environment: dict, log: Path):
        self.environment, self.log, self.process = environment, log, None

    def start(self) -> None:
        command = [sys.executable, str(ROOT / "manage.py"), "run_clock", "--interval", "1"]
        self.process = _bids.spawn(command, self.environment, self.log)

    def crash(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process is not None:
            bid_submit.stop(self.process)


def _group(group: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, ValueError, IndexError):
                text = (entry / "stat").read_text()
                if int(text[text.rindex(")") + 2 :].split()[2]) == group:
                    found.append(int(entry.name))
    return found


class Chaos(threading.Thread):
    """Kills at planned instants (unix time), each kind in turn; restarts and times them.

    The thread outlives its last kill until `release` is set: the processes it restarted
    carry PR_SET_PDEATHSIG, which fires when the *thread* that forked them exits, and the
    checks after the surge need the restarted clock."""

    def __init__(self, moments, *, server, clock, cluster, rng):
        super().__init__(daemon=True)
        self.moments, self.server, self.clock, self.cluster = moments, server, clock, cluster
        self.rng = rng
        self.done: list[dict] = []
        self.failure: BaseException | None = None
        self.finished = threading.Event()
        self.release = threading.Event()

    def run(self) -> None:
        try:
            for number, moment in enumerate(self.moments):
                time.sleep(max(0.0, moment - time.time()))
                self.done.append(self._kill(KINDS[number % len(KINDS)]))
        except BaseException as exc:  # reported by the main thread
            self.failure = exc
        self.finished.set()
        self.release.wait()

    def _kill(self, kind: str) -> dict:
        began = time.time()
        downtime = self.rng.uniform(1.0, 4.0)
        record = {"kind": kind, "at": began, "down_until": began}
        if kind == "worker":
            record["pid"] = self.server.kill_worker(self.rng)
            return record
        if kind == "server":
            self.server.crash()
            self.clock.crash()
            time.sleep(downtime)
            record["restart_seconds"] = round(self.server.start(), 2)
            self.clock.start()
        else:
            self.cluster.crash()
            time.sleep(downtime)
            record["restart_seconds"] = round(self.cluster.start(), 2)
        record["down_until"] = time.time()
        return record


def plan_kills(start: float, window: float, count: int, rng: random.Random) -> list[float]:
    """`count` instants in the window, at least 8 s apart (a restart takes a few seconds)."""
    gap = 8.0
    span = window - 10.0 - gap * (count - 1)
    if span <= 0:
        raise ValueError(f"{count} kills need a window of at least {10 + gap * (count - 1):.0f} s")
    offsets = sorted(rng.uniform(5.0, 5.0 + span) for _ in range(count))
    return [start + offset + gap * i for i, offset in enumerate(offsets)]


def lost_answers(checker, outcomes) -> list:
    """Outcomes for bids that committed but whose 201 never reached the client, with the
    receipt the supplier fetches afterwards (GET /api/v1/bids/{id}/receipt gives these bytes)."""
    from bids.models import Bid
    from bids.receipts import bid_receipt

    answered = {o.shot.sealed_sha256 for o in outcomes if o.status in _bids.ACCEPTED}
    mine = {o.shot.sealed_sha256: o for o in outcomes}
    recovered = []
    for bid in Bid.objects.filter(tender__number__in=checker.numbers).select_related(
        "tender", "supplier"
    ):
        if bid.sealed_sha256 in answered or bid.sealed_sha256 not in mine:
            continue
        outcome = mine[bid.sealed_sha256]
        body = json.dumps({"bid": bid.public_id, "receipt": bid_receipt(bid)}).encode()
        recovered.append(_bids.Outcome(outcome.shot, 201, None, outcome.sent, 0.0, body))
    return recovered


def outages(kills: list[dict], tenders) -> dict:
    """Tenders whose deadline fell while the server (and clock) or the database was down."""
    down = [(k["at"], k["down_until"]) for k in kills if k["kind"] != "worker"]
    hit = [
        t.number
        for t in tenders
        if any(a <= t.submission_deadline.timestamp() <= b for a, b in down)
    ]
    return {"deadlines_during_outage": len(hit), "tenders": hit}


def drill(options: dict) -> dict:
    rng = random.Random(options["seed"])
    with _bids.work_folder("crash") as folder, PrivateCluster() as cluster:
        _bids.own_environment(folder)
        from bench._setup import fresh_database

        fresh_database(cluster.url("h6_crash"))
        ca = bid_submit.trusted_ca(folder)
        _bids._make_keys()
        environment = os.environ.copy()
        server = Server(
            port=bid_submit.free_port(),
            workers=options["workers"],
            environment=environment,
            log=folder / "gunicorn.log",
        )
        clock = Clock(environment, folder / "clock.log")
        try:
            server.start()
            clock.start()
            return _drill(options, rng, folder, cluster, server, clock, ca, environment)
        finally:
            clock.stop()
            server.stop()


def _drill(options, rng, folder, cluster, server, clock, ca, environment) -> dict:
    from types import SimpleNamespace

    w = SimpleNamespace(base_url=f"http://127.0.0.1:{server.port}", ca=ca, work=folder)
    print(
        f"crash drill: {options['kills']} kills during {options['bids']:,} bids, "
        f"{options['suppliers']} suppliers, {options['tenders']} tenders over "
        f"{options['window']:.0f} s; private PostgreSQL on port {cluster.port}"
    )
    tenders, shots, start = surge.prepare(w, options, rng)
    moments = plan_kills(start.timestamp(), options["window"], options["kills"], rng)
    chaos = Chaos(moments, server=server, clock=clock, cluster=cluster, rng=rng)
    try:
        return _surge_with_chaos(options, environment, w, tenders, shots, start, chaos)
    finally:
        clock.stop()
        server.stop()
        chaos.release.set()


def _surge_with_chaos(options, environment, w, tenders, shots, start, chaos) -> dict:

    def retry_until(shot):
        return shot.deadline + RETRY_AFTER_DEADLINE

    time.sleep(max(0.0, start.timestamp() - time.time()))
    chaos.start()
    sender = _bids.Sender(w.base_url, options["clients"], retry_until=retry_until)
    elapsed = sender.run(shots, start.timestamp())
    chaos.finished.wait()
    if chaos.failure is not None:
        raise RuntimeError(f"the chaos thread failed: {chaos.failure!r}") from chaos.failure
    return _check(options, environment, tenders, sender, chaos, elapsed)


def _check(options, environment, tenders, sender, chaos, elapsed) -> dict:
    from django.db import connections

    with contextlib.suppress(Exception):
        connections.close_all()  # our connection died with the database
    checker = _bids.Checker(tenders)
    clock = checker.clock(timeout=120)
    stored = checker.stored()
    reconciled = checker.reconcile(sender.outcomes)
    accepted = [o for o in sender.outcomes if o.status in _bids.ACCEPTED]
    recovered = lost_answers(checker, sender.outcomes)
    receipts = checker.receipts(accepted + recovered)
    audit = _bids.verify_audit_log(environment)
    if audit["exit"]:
        checker.problem(f"verify_audit_log: {audit['message']}", "audit")
    kinds = Counter(k["kind"] for k in chaos.done)
    tally = _bids.tally(sender.outcomes)["counts"]
    retried = [o for o in sender.outcomes if o.attempts > 1]
    outage = outages(chaos.done, tenders)
    restarts = [k["restart_seconds"] for k in chaos.done if "restart_seconds" in k]
    figures = {
        "kills_worker": kinds["worker"],
        "kills_server": kinds["server"],
        "kills_postgres": kinds["postgres"],
        "bids_sent": len(sender.outcomes),
        "accepted": tally["accepted"],
        "accepted_on_retry_200": tally["accepted_on_retry"],
        "accepted_answer_lost": len(recovered),
        "late_refused": tally["late_refused"],
        "failed_no_answer": tally["no_answer"],
        "failed_5xx_final": tally["server_errors"],
        "refused_other": tally["refused_other"],
        "retried": len(retried),
        "attempts_5xx": sum(1 for o in sender.outcomes for h in o.history if h[0] >= 500),
        "attempts_no_answer": sum(1 for o in sender.outcomes for h in o.history if h[0] == 0),
        "lost_bids": checker.kinds["lost"],
        "half_written": checker.kinds["orphan"],
        "accepted_after_deadline": stored["accepted_late"],
        "receipts_verified": receipts["receipts_verified"],
        "verify_audit_log_exit": audit["exit"],
        "deadlines_during_outage": outage["deadlines_during_outage"],
        "clock_lag_max": figure(round(clock["clock_lag_max"], 1), "s"),
        "restart_max": figure(max(restarts, default=0.0), "s"),
        "problems": len(checker.problems),
        **_bids.latency_figures(sender.outcomes),
    }
    print(
        f"  kills {dict(kinds)} in {elapsed:.0f} s; restarts took up to "
        f"{max(restarts, default=0):.1f} s; {len(sender.outcomes):,} bids: "
        f"{tally['accepted']:,} accepted (201, or 200 for a retry of a stored bid), {len(recovered)} committed with the answer lost, "
        f"{tally['late_refused']} refused as late, {tally['no_answer']} never answered, "
        f"{tally['server_errors']} ended on a 5xx, {tally['refused_other']} other refusals "
        f"{dict(_bids.tally(sender.outcomes)['codes'])}; {len(retried)} retried"
    )
    print(
        f"  checks: {stored['bids_stored']:,} bid rows, {stored['entries']:,} entries; "
        f"reconciled {reconciled}; {receipts['receipts_verified']:,} receipts verified; "
        f"tenders {clock['statuses']}, {outage['deadlines_during_outage']} deadlines passed "
        f"during an outage, clock at most {clock['clock_lag_max']:.1f} s late; "
        f"verify_audit_log exit {audit['exit']} ({audit['message']})"
    )
    for line in checker.problems[:10]:
        print(f"  PROBLEM: {line}")
    for kill in chaos.done:
        print(f"    kill {kill}")
    for o in [o for o in sender.outcomes if o.status == 0][:5]:
        print(
            f"    unanswered: {o.shot.tender} deadline {o.shot.deadline:.2f}, last sent "
            f"{o.sent:.2f}, {o.attempts} attempts, last {o.history[-3:]}: {o.body[:200]!r}"
        )
    return figures


def run(context=None, **overrides) -> dict:
    """From run_all: this script in a subprocess (see the module's docstring)."""
    sizes = SIZES if context is None or getattr(context, "full", False) else MODEST
    options = {**surge.DEFAULTS, "clients": 48, "seed": 7, **sizes, **overrides}
    surge.check_sizes(options)
    if context is None:
        figures = drill(options)
        _bids.print_figures("crash", figures)
        return figures
    out = Path(context.work_dir) / "crash-figures.json"
    arguments = [f"--{k.replace('_', '-')}={v}" for k, v in options.items()]
    environment = {k: v for k, v in os.environ.items() if k not in _bids.FOREIGN}
    subprocess.run(
        [sys.executable, __file__, *arguments, "--json", str(out)],
        cwd=ROOT,
        env=environment,
        check=True,
    )
    raw = json.loads(out.read_text())
    return {k: figure(**v) if isinstance(v, dict) else v for k, v in raw.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    for name, value in SIZES.items():
        parser.add_argument(f"--{name}", type=type(value), default=value)
    parser.add_argument("--clients", type=int, default=48)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--late-share", type=float, default=0.01)
    parser.add_argument("--last-seconds", type=float, default=surge.LAST_SECONDS)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", help="also write the figures to this file")
    args = vars(parser.parse_args())
    out = args.pop("json")
    _bids.install_signal_handlers()
    figures = run(None, **args)
    if out:
        plain = {k: vars(v) if hasattr(v, "ratio") else v for k, v in figures.items()}
        Path(out).write_text(json.dumps(plain, default=str))
    failed = figures["problems"] or figures["lost_bids"] or figures["verify_audit_log_exit"]
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
