"""Sealed-bid submissions per second over HTTP (gunicorn on PostgreSQL), with latency.

Set-up, in a fresh bench database: an agency and its commission, 50 verified suppliers each
with a registered certificate from a throwaway CA and an API token, and two tenders in
tendering whose deadline is a day away. The CA lives in a temporary folder that the
PKI_TRUST_ROOTS / PKI_INTERMEDIATES environment variables name, so the gunicorn workers
trust it too; its CRLs are in the database's cache. N real signed, sealed bids are built
beforehand (tests/bids/support.make_bid, i.e. tools/tenderctl.py's functions; nonces from
bids.nonces.issue_nonce, valid for the run: BID_NONCE_TTL_SECONDS is raised to 2 hours).

Measured: gunicorn (by default 2 sync workers, as the README recommends; config.wsgi, DEBUG
off, TRUST_DATABASE_CLOCK=1) takes the N bids at POST /api/v1/tenders/{number}/bids from C
client threads (http.client, one connection each, kept alive when the server allows): bids/s,
p50/p99 latency, mean and p99 / mean, non-201s.
Baseline, measured in the same run: N other fresh bids through `submit_bid` in this process
(no HTTP, token, JSON or base64) from C threads, each with its own database connection.
Every 201 is then checked against its Bid row and its bids.bid.submitted audit entry.
`--profile M` also runs M more bids through `submit_bid` under cProfile in one thread.
`--sequential M` runs M more, one at a time in this process, half through the WSGI handler
and half through `submit_bid`, and prints the CPU per bid of each (this thread's and its
PostgreSQL backend's): what the HTTP layer adds, without contention.

    python bench/bid_submit.py [--bids 2000] [--clients 50] [--workers 2] [--threads 1]
                               [--keep-alive 5] [--worker-connections 0] [--spacing-ms 0]
                               [--warm-up 300] [--conn-max-age 60] [--profile 0]
                               [--profile-http 0] [--sequential 0] [--skip-runs]
Targets (issue): >= 300 bids/s, p99 <= 200 ms, ratio HTTP / in-process >= 0.4 on 2 cores.
Runs by hand, not in CI. Gunicorn is stopped on exit, Ctrl-C and SIGTERM included.
"""

import argparse
import contextlib
import copy
import ctypes
import datetime as dt
import http.client
import json
import os
import queue
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from bench import pools
from bench._setup import ROOT, fresh_database, result

SUPPLIERS = 50
NONCE_TTL_SECONDS = "7200"


def configure_environment(folder: Path, *, conn_max_age: int = 0) -> None:
    """Environment for this process and the gunicorn workers alike; before Django reads it."""
    os.environ.update(
        {
            "DJANGO_ENV": "development",  # anything but production
            "DJANGO_DEBUG": "0",  # no query log, no debug pages: what a server runs
            "TRUST_DATABASE_CLOCK": "1",
            "LOG_LEVEL": "WARNING",  # one INFO line per checkpoint otherwise
            "DB_CONN_MAX_AGE": str(conn_max_age),
            "PKI_TRUST_ROOTS": str(folder / "root.pem"),  # colon-separated
            "PKI_INTERMEDIATES": str(folder / "intermediate.pem"),  # colon-separated
            "PKI_CRL_SOURCES": "",  # comma-separated; the CRLs are put in the cache directly
        }
    )
    os.environ.setdefault("BID_NONCE_TTL_SECONDS", NONCE_TTL_SECONDS)


# --- the world: CA, agency, suppliers, tenders ------------------------------------------------


def trusted_ca(folder: Path):
    """A throwaway CA whose root and intermediate the PKI_* variables name, fresh CRLs cached."""
    from tests.pki.ca import TestCA, cache, pem

    ca = TestCA("Bench")
    (folder / "root.pem").write_bytes(pem(ca.root))
    (folder / "intermediate.pem").write_bytes(pem(ca.intermediate))
    cache(ca.crl())
    cache(ca.crl(by_root=True))
    return ca


def commission_cast():
    """An agency with a buyer who chairs and two commission members (what ready_tender needs)."""
    from accounts.choices import Role
    from tests.factories import AgencyFactory, member

    agency = AgencyFactory()
    # password=None: an unusable password, no Argon2 hash to wait for.
    return SimpleNamespace(
        agency=agency,
        buyer=member(agency, Role.BUYER, Role.COMMISSION_MEMBER, password=None),
        commission=[member(agency, Role.COMMISSION_MEMBER, password=None) for _ in range(2)],
    )


def bidders(ca, count: int, *, tokens: bool = True) -> list[SimpleNamespace]:
    """Verified suppliers, each with an administrator, a registered certificate and a token."""
    from accounts.choices import Role
    from accounts.services.tokens import create_api_token
    from tests.bids.support import register
    from tests.factories import SupplierFactory, member

    made = []
    for _ in range(count):
        organisation = SupplierFactory()
        user = member(organisation, Role.ADMIN, password=None)
        key, certificate = ca.issue(organisation.bin)
        signer = register(organisation, user, key, certificate)
        token = create_api_token(user=user, name="bench", actor=user)[1] if tokens else None
        made.append(
            SimpleNamespace(organisation=organisation, user=user, signer=signer, token=token)
        )
    return made


def open_tender(cast, *, hours: int = 24):
    """A published tender in tendering whose deadline is `hours` away."""
    from django.utils import timezone

    from procurement.models import Tender
    from tests.bids.support import tendering_tender

    tender = tendering_tender(cast)
    deadline = timezone.now().replace(microsecond=0) + dt.timedelta(hours=hours)
    Tender.objects.filter(pk=tender.pk).update(submission_deadline=deadline, next_check=deadline)
    return Tender.objects.select_related("opening_key", "procedure", "agency").get(pk=tender.pk)


# --- building bids in parallel ----------------------------------------------------------------

_JOB = {}  # what forked builders read: (tender, bidders)


def _build(index: int):
    from tests.bids.support import make_bid

    tender, people = _JOB["tender"], _JOB["bidders"]
    who = people[index % len(people)]
    price = f"{2_000_000 + index % 900_000}.{index % 100:02d}"
    made = make_bid(tender, who.signer, who.organisation.bin, {"1": price})
    return index, made.statement, made.signature, made.sealed


def build_bids(tender, people, count: int, *, processes: int = 2) -> list[tuple]:
    """`count` signed, sealed bids (index, statement, signature, sealed), bidders in turn."""
    from django.db import connections

    connections.close_all()  # forked builders must not share this process's socket
    _JOB.update(tender=tender, bidders=people)
    with pools.forked(processes) as pool:
        built = sorted(pool.imap_unordered(_build, range(count), chunksize=50))
    _JOB.clear()
    return built


# --- gunicorn ---------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _die_with_parent() -> None:
    # Linux: the server gets SIGTERM if this process dies without cleaning up (kill -9).
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def _wait_ready(port: int, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"gunicorn exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        with contextlib.suppress(OSError, http.client.HTTPException):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/api/v1/receipt-key")
            if conn.getresponse().status == 200:
                conn.close()
                return
        time.sleep(0.2)
    sys.exit(f"gunicorn did not answer within 60 s:\n{log.read_text()[-3000:]}")


@contextlib.contextmanager
def gunicorn(
    *, workers: int, threads: int, log: Path, keep_alive: int = 5, worker_connections: int = 0
):
    """A gunicorn in its own process group on a free port; stopped however the block ends.

    `worker_connections` (gthread): a worker stops accepting while it holds that many
    connections, so the others wait in the kernel's queue, first come first served."""
    port = free_port()
    command = [
        *(sys.executable, "-m", "gunicorn", "config.wsgi"),
        *("--workers", str(workers), "--bind", f"127.0.0.1:{port}"),
        *("--log-level", "warning", "--backlog", "2048", "--keep-alive", str(keep_alive)),
    ]
    if threads > 1:
        command += ["--threads", str(threads)]  # gthread: keeps connections alive
    if worker_connections:
        command += ["--worker-connections", str(worker_connections)]
    with log.open("wb") as output:
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=os.environ.copy(),
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # Ctrl-C reaches us, and we stop the whole group
            preexec_fn=_die_with_parent,  # no other threads run yet
        )
        try:
            _wait_ready(port, process, log)
            yield SimpleNamespace(port=port, group=process.pid)
        finally:
            stop(process)


def _terminate(signum, frame):
    raise SystemExit(128 + signum)  # unwinds through the `finally` that stops gunicorn


# --- the HTTP run -----------------------------------------------------------------------------


@dataclass
class Outcome:
    status: int
    seconds: float
    body: bytes
    ended: float = field(default_factory=time.perf_counter)  # to see when the slow ones came


def _http_client(port: int, path: str, jobs: queue.Queue, outcomes: list, start) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    start.wait()
    while True:
        try:
            token, body = jobs.get_nowait()
        except queue.Empty:
            break
        began = time.perf_counter()
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        try:
            conn.request("POST", path, body=body, headers=headers)
            response = conn.getresponse()
            status, answer = response.status, response.read()
        except (OSError, http.client.HTTPException) as exc:
            status, answer = 0, repr(exc).encode()
            conn.close()  # reconnects on the next request
        outcomes.append(Outcome(status, time.perf_counter() - began, answer))
    conn.close()


def http_run(port: int, tender, people, built, clients: int) -> tuple[float, list[Outcome]]:
    import base64

    jobs = queue.Queue()
    for index, statement, signature, sealed in built:
        body = {
            "statement": statement.decode("utf-8"),
            "signature": base64.b64encode(signature).decode(),
            "sealed": base64.b64encode(sealed).decode(),
        }
        jobs.put((people[index % len(people)].token, json.dumps(body).encode()))
    return _threads(
        _http_client, clients, (port, f"/api/v1/tenders/{tender.number}/bids", jobs), len(built)
    )


def _threads(target, count: int, args: tuple, expected: int) -> tuple[float, list]:
    """Run `count` threads of `target(*args, outcomes, start)`; seconds from start to last."""
    outcomes, start = [], threading.Barrier(count + 1)
    threads = [
        threading.Thread(target=target, args=(*args, outcomes, start), daemon=True)
        for _ in range(count)
    ]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    assert len(outcomes) == expected, f"{len(outcomes)} outcomes for {expected} bids"
    return elapsed, outcomes


# --- the in-process baseline -------------------------------------------------------------------


def _local_client(tender, jobs: queue.Queue, outcomes: list, start) -> None:
    from django.db import connection

    from bids.services.submission import submit_bid

    connection.ensure_connection()  # this thread's own connection, made before the clock runs
    start.wait()
    while True:
        try:
            actor, statement, signature, sealed = jobs.get_nowait()
        except queue.Empty:
            break
        began = time.perf_counter()
        try:
            submit_bid(
                tender=tender, actor=actor, statement=statement, signature=signature, sealed=sealed
            )
            status, answer = 201, b""
        except Exception as exc:  # counted and shown, like an HTTP error body
            status, answer = 0, repr(exc).encode()
        outcomes.append(Outcome(status, time.perf_counter() - began, answer))
    connection.close()


def local_jobs(people, built) -> queue.Queue:
    jobs = queue.Queue()
    for index, statement, signature, sealed in built:
        # A fresh user object per bid, as each request authenticates its own: memberships are
        # cached on the object.
        jobs.put((copy.copy(people[index % len(people)].user), statement, signature, sealed))
    return jobs


def local_run(tender, people, built, clients: int) -> tuple[float, list[Outcome]]:
    return _threads(_local_client, clients, (tender, local_jobs(people, built)), len(built))


def profile_run(tender, people, built, top: int = 30) -> None:
    import cProfile

    from bids.services.submission import submit_bid

    jobs = local_jobs(people, built)
    # CPU time of this thread, not wall time: what the bid costs, whatever else the machine
    # runs (waits for PostgreSQL do not count; its own CPU is measured above).
    profiler = cProfile.Profile(time.thread_time)
    began = time.perf_counter()
    profiler.enable()
    while not jobs.empty():
        actor, statement, signature, sealed = jobs.get_nowait()
        submit_bid(
            tender=tender, actor=actor, statement=statement, signature=signature, sealed=sealed
        )
    profiler.disable()
    elapsed = time.perf_counter() - began
    _print_profile(
        profiler,
        f"profile (thread CPU time): {len(built)} bids in one thread, "
        f"{len(built) / elapsed:,.0f} bids/s under the profiler",
        top,
    )


def _print_profile(profiler, heading: str, top: int) -> None:
    import pstats

    print(f"\n  {heading}")
    stats = pstats.Stats(profiler).strip_dirs()
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top // 2)
    if os.environ.get("PROFILE_OUT"):
        stats.dump_stats(os.environ["PROFILE_OUT"])  # for pstats' callers and callees


class _InProcessHttp:
    """Bid requests through Django's WSGI handler in this process (middleware, API, service),
    one at a time, after 20 to warm up (imports, translations, the certificate-path memo)."""

    def __init__(self, tender, people, built):
        import base64

        from django.test import Client

        self.client = Client(HTTP_HOST="127.0.0.1")
        self.path = f"/api/v1/tenders/{tender.number}/bids"
        requests = []
        for index, statement, signature, sealed in built:
            body = {
                "statement": statement.decode("utf-8"),
                "signature": base64.b64encode(signature).decode(),
                "sealed": base64.b64encode(sealed).decode(),
            }
            requests.append((people[index % len(people)].token, json.dumps(body)))
        warm_up, self.requests = requests[:20], requests[20:]
        for request in warm_up:
            self.post(request)

    def post(self, request) -> None:
        token, body = request
        response = self.client.post(
            self.path, body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}"
        )
        assert response.status_code == 201, response.content[:300]


def sequential_http(tender, people, built) -> None:
    """CPU per bid without contention, this thread's and its PostgreSQL backend's (from /proc),
    through the WSGI handler and, alternating in blocks, through submit_bid directly: what the
    HTTP layer (middleware, token, django-ninja, JSON) adds. Steadier than the concurrent runs
    on a machine whose speed drifts. Receipts do not wait here (the checkpoint spacing is 0),
    so every bid signs a checkpoint of its own."""
    from django.db import connection
    from django.test import override_settings

    from bids.services.submission import submit_bid

    half = len(built) // 2
    with override_settings(BID_RECEIPT_CHECKPOINT_SPACING_MS=0):
        http = _InProcessHttp(tender, people, built[:half])
        direct = list(local_jobs(people, built[half:]).queue)
        backend = str(connection.connection.info.backend_pid)
        spent = {"http": [0.0, 0, 0], "direct": [0.0, 0, 0]}  # Python s, PostgreSQL ticks, bids

        def measured(kind, calls):
            python, postgres = time.thread_time(), _ticks(_stat(backend))
            for call in calls:
                call()
            spent[kind][0] += time.thread_time() - python
            spent[kind][1] += _ticks(_stat(backend)) - postgres
            spent[kind][2] += len(calls)

        for start in range(0, min(len(http.requests), len(direct)), 20):
            measured("http", [lambda r=r: http.post(r) for r in http.requests[start : start + 20]])
            measured(
                "direct",
                [
                    lambda j=j: submit_bid(
                        tender=tender, actor=j[0], statement=j[1], signature=j[2], sealed=j[3]
                    )
                    for j in direct[start : start + 20]
                ],
            )
    hz = os.sysconf("SC_CLK_TCK")
    figures = {}
    for kind, (python, ticks, bids) in spent.items():
        figures[kind] = (python * 1000 / bids, ticks * 1000 / hz / bids, bids)
    print("\n  sequential in this process, one bid at a time, a checkpoint signed for each:")
    for kind, label in (("http", "through the WSGI handler"), ("direct", "submit_bid directly")):
        python, postgres, bids = figures[kind]
        print(
            f"    {label}: {bids} bids, CPU per bid {python + postgres:.2f} ms "
            f"(Python {python:.2f}, PostgreSQL {postgres:.2f})"
        )


def profile_http(tender, people, built, top: int = 40) -> None:
    """The whole request in this process: Django's WSGI handler, middleware, API, service."""
    import cProfile

    http = _InProcessHttp(tender, people, built)
    profiler = cProfile.Profile(time.thread_time)
    began = time.perf_counter()
    profiler.enable()
    for request in http.requests:
        http.post(request)
    profiler.disable()
    elapsed = time.perf_counter() - began
    requests = http.requests
    _print_profile(
        profiler,
        f"HTTP-path profile (thread CPU time): {len(requests)} requests in one thread after "
        f"20 to warm up, {len(requests) / elapsed:,.0f} bids/s under the profiler",
        top,
    )


# --- checking and reporting -------------------------------------------------------------------


def percentiles(values: list[float]) -> list[float]:
    """The 1st to 99th percentiles; [49] is the median, [98] the 99th."""
    return statistics.quantiles(values, n=100, method="inclusive")


def describe(label: str, elapsed: float, outcomes: list[Outcome], ok: int) -> float:
    accepted = [o for o in outcomes if o.status == ok]
    rate = len(accepted) / elapsed
    latencies = [o.seconds * 1000 for o in outcomes]
    cuts = percentiles(latencies)
    print(
        f"  {label}: {len(accepted):,} of {len(outcomes):,} accepted in {elapsed:.1f} s = "
        f"{rate:,.0f} bids/s; latency p50 {cuts[49]:.0f} ms, p99 {cuts[98]:.0f} ms, "
        f"max {max(latencies):.0f} ms"
    )
    # With C clients each waiting for its answer before sending again, the mean is C / rate
    # whatever the server does; how far p99 sits above it is what the server's order of
    # service decides (first come first served keeps it near 1).
    mean = statistics.fmean(latencies)
    print(f"    mean {mean:.0f} ms, p99 / mean {cuts[98] / mean:.2f}")
    print(f"    p99 by tenth of the run (ms): {' '.join(_tenths(outcomes))}")
    failed = [o for o in outcomes if o.status != ok]
    if failed:
        print(f"  {len(failed)} failed; the first few:")
        for outcome in failed[:5]:
            print(f"    {outcome.status}: {outcome.body[:400].decode('utf-8', 'replace')}")
    return rate


def _tenths(outcomes: list[Outcome]) -> list[str]:
    """The 99th percentile of the requests that ended in each tenth of the run: a tail that
    sits in the first tenth is the servers warming up (imports, certificate paths)."""
    ordered = sorted(outcomes, key=lambda o: o.ended)
    size = max(len(ordered) // 10, 2)
    return [
        f"{percentiles([o.seconds * 1000 for o in ordered[i : i + size]])[98]:.0f}"
        for i in range(0, len(ordered) - size + 1, size)
    ]


def verify(tender, outcomes: list[Outcome]) -> None:
    """Every 201 has its Bid row and its bids.bid.submitted entry, and nothing else was stored."""
    from audit.actions import Action
    from audit.models import Entry
    from bids.models import Bid

    answers = [json.loads(o.body) for o in outcomes if o.status == 201]
    bids = {b.public_id: b for b in Bid.objects.filter(tender=tender)}
    entries = {
        e.seq: e
        for e in Entry.objects.filter(action=Action.BID_SUBMITTED, data__tender=tender.number)
    }
    problems = []
    for answer in answers:
        bid = bids.get(answer["bid"])
        entry = entries.get(bid.log_index) if bid else None
        if bid is None:
            problems.append(f"{answer['bid']}: no Bid row")
        elif entry is None or entry.subject_id != str(bid.pk) or entry.data["bid"] != bid.public_id:
            problems.append(f"{bid.public_id}: no matching audit entry at {bid.log_index}")
        elif answer["receipt"]["receipt"]["log_index"] != bid.log_index:
            problems.append(f"{bid.public_id}: receipt names another log index")
    counts = (len(answers), len(bids), len(entries))
    if problems or len(set(counts)) != 1:
        sys.exit(f"  VERIFY FAILED: 201s/bids/entries = {counts}; {problems[:5]}")
    print(
        f"  verified: {counts[0]:,} responses 201 = {counts[1]:,} Bid rows = {counts[2]:,} entries"
    )


def load_average() -> str:
    return " ".join(f"{v:.2f}" for v in os.getloadavg())


# --- CPU accounting (Linux /proc): what a bid costs whatever else the machine runs ----------


def _stat(pid: str) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text[text.rindex(")") + 2 :].split()  # fields from 3 (state) on


def _ticks(fields: list[str], *, children: bool = False) -> int:
    # utime, stime (fields 14, 15); cutime, cstime (16, 17): reaped children
    return (
        int(fields[11]) + int(fields[12]) + (int(fields[13]) + int(fields[14]) if children else 0)
    )


def cpu_snapshot(group: int | None) -> dict[str, float]:
    """CPU seconds so far of PostgreSQL (every postgres process, plus the backends the
    postmaster has reaped) and of process group `group` (the gunicorn master and workers)."""
    hz = os.sysconf("SC_CLK_TCK")
    postgres = server = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        fields = _stat(entry.name)
        if fields is None:
            continue
        with contextlib.suppress(OSError):
            if (entry / "comm").read_text().strip() == "postgres":
                parent = _stat(fields[1])
                is_postmaster = parent is None or (
                    Path(f"/proc/{fields[1]}/comm").read_text().strip() != "postgres"
                )
                postgres += _ticks(fields, children=is_postmaster)
        if group is not None and fields[2] == str(group):
            server += _ticks(fields)
    return {"postgres": postgres / hz, "server": server / hz, "client": time.process_time()}


def cpu_per_bid(before: dict, after: dict, bids: int, *, server: bool) -> str:
    parts = {k: (after[k] - before[k]) * 1000 / max(bids, 1) for k in before}
    names = ["server", "postgres", "client"] if server else ["client", "postgres"]
    labels = {"server": "gunicorn", "postgres": "PostgreSQL", "client": "this process"}
    total = sum(parts[n] for n in names)
    shown = ", ".join(f"{labels[n]} {parts[n]:.1f}" for n in names)
    ceiling = os.cpu_count() * 1000 / total if total else 0
    return f"CPU per bid {total:.1f} ms ({shown}): at most {ceiling:,.0f} bids/s on {os.cpu_count()} idle CPUs"


# --- main -------------------------------------------------------------------------------------


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bids", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=1, help="per worker; >1 means gthread")
    parser.add_argument(
        "--keep-alive", type=int, default=5, help="gunicorn's, in seconds; 0 closes each connection"
    )
    parser.add_argument(
        "--worker-connections", type=int, default=0, help="gthread: connections a worker holds"
    )
    parser.add_argument("--conn-max-age", type=int, default=60, help="DB_CONN_MAX_AGE (seconds)")
    parser.add_argument(
        "--spacing-ms",
        type=int,
        default=int(os.environ.get("BID_RECEIPT_CHECKPOINT_SPACING_MS", "0")),
        help="BID_RECEIPT_CHECKPOINT_SPACING_MS for both runs (0: a receipt signs at once)",
    )
    parser.add_argument(
        "--warm-up", type=int, default=300, help="bids sent first to another tender, not counted"
    )
    parser.add_argument("--profile", type=int, default=0, help="bids to profile in one thread")
    parser.add_argument(
        "--profile-http", type=int, default=0, help="requests to profile through the WSGI handler"
    )
    parser.add_argument(
        "--sequential", type=int, default=0, help="bids through the WSGI handler, one at a time"
    )
    parser.add_argument("--skip-runs", action="store_true", help="only the profiles")
    args = parser.parse_args()
    signal.signal(signal.SIGINT, signal.default_int_handler)  # even when started with it ignored
    signal.signal(signal.SIGTERM, _terminate)
    signal.signal(signal.SIGHUP, _terminate)
    with tempfile.TemporaryDirectory(prefix="bid-bench-") as temporary:
        folder = Path(temporary)
        configure_environment(folder, conn_max_age=args.conn_max_age)
        os.environ["BID_RECEIPT_CHECKPOINT_SPACING_MS"] = str(args.spacing_ms)
        fresh_database()
        try:
            run(args, folder)
        except KeyboardInterrupt:
            sys.exit("interrupted; gunicorn stopped")


def checkpoints() -> int:
    from audit.models import Checkpoint

    return Checkpoint.objects.count()


def http_phase(args, folder: Path, tender, people, built, warm=None) -> float:
    log = folder / "gunicorn.log"
    with gunicorn(
        workers=args.workers,
        threads=args.threads,
        log=log,
        keep_alive=args.keep_alive,
        worker_connections=args.worker_connections,
    ) as server:
        if warm:
            _warm_up(lambda: http_run(server.port, *warm, args.clients))
        issued, before = checkpoints(), cpu_snapshot(server.group)
        elapsed, outcomes = http_run(server.port, tender, people, built, args.clients)
        spent = cpu_per_bid(before, cpu_snapshot(server.group), len(outcomes), server=True)
        print(f"  load average after HTTP run: {load_average()}")
    rate = describe("HTTP", elapsed, outcomes, 201)
    print(f"    {spent}; {checkpoints() - issued:,} checkpoints issued for the receipts")
    if any(o.status != 201 for o in outcomes):
        print("  gunicorn's log ends:\n" + log.read_text()[-2000:])
    verify(tender, outcomes)
    return rate


def _warm_up(run) -> None:
    elapsed, outcomes = run()
    accepted = sum(o.status == 201 for o in outcomes)
    print(
        f"  warm-up on another tender, not counted: {accepted:,} of {len(outcomes):,} bids "
        f"accepted in {elapsed:.1f} s"
    )


def local_phase(args, tender, people, built, warm=None) -> float:
    if warm:
        _warm_up(lambda: local_run(*warm, args.clients))
    before, issued = cpu_snapshot(None), checkpoints()
    elapsed, outcomes = local_run(tender, people, built, args.clients)
    spent = cpu_per_bid(before, cpu_snapshot(None), len(outcomes), server=False)
    print(f"  load average after in-process run: {load_average()}")
    rate = describe("in-process submit_bid", elapsed, outcomes, 201)
    print(f"    {spent}; {checkpoints() - issued:,} checkpoints issued for the receipts")
    return rate


def run(args, folder: Path) -> None:
    from audit.keys import signing_key
    from bids.receipts import receipt_key

    began = time.perf_counter()
    ca = trusted_ca(folder)
    cast = commission_cast()
    people = bidders(ca, SUPPLIERS)
    over_http, in_process = open_tender(cast), open_tender(cast)
    signing_key(), receipt_key()  # made now, not raced for by the workers
    http_bids = build_bids(over_http, people, args.bids)
    warm_http = warm_local = None
    if args.warm_up:
        # Each server process validates each supplier's certificate path once (pyhanko,
        # about 20 ms) and imports and compiles on its first requests; a server that has run
        # for a while has done so, and the figures are meant to be of such a server.
        warm_tender, warm_tender_local = open_tender(cast), open_tender(cast)
        warm_http = (warm_tender, people, build_bids(warm_tender, people, args.warm_up))
        warm_local = (
            warm_tender_local,
            people,
            build_bids(warm_tender_local, people, args.warm_up),
        )
    extras = args.profile + args.profile_http + args.sequential
    local_bids = build_bids(in_process, people, args.bids + extras)
    print(
        f"bid submission on PostgreSQL: {args.bids:,} bids, {args.clients} clients, "
        f"{len(people)} suppliers, gunicorn {args.workers} workers x {args.threads} threads "
        f"(keep-alive {args.keep_alive} s, worker connections {args.worker_connections or 'any'}), "
        f"DB_CONN_MAX_AGE={args.conn_max_age}, receipts' checkpoint spacing "
        f"{args.spacing_ms} ms, {os.cpu_count()} CPUs, "
        f"after {args.warm_up:,} bids to warm up "
        f"(set-up and {2 * args.bids + args.profile:,} bids built in "
        f"{time.perf_counter() - began:.0f} s)"
    )
    print(f"  load average before: {load_average()}")
    if not args.skip_runs:
        http_rate = http_phase(args, folder, over_http, people, http_bids, warm_http)
        local_rate = local_phase(args, in_process, people, local_bids[: args.bids], warm_local)
        result("bid_submit_http", http_rate, "bids/s", local_rate)
    extra = local_bids[args.bids :]
    if args.profile:
        profile_run(in_process, people, extra[: args.profile])
    if args.profile_http:
        profile_http(in_process, people, extra[args.profile : args.profile + args.profile_http])
    if args.sequential:
        sequential_http(in_process, people, extra[args.profile + args.profile_http :])


if __name__ == "__main__":
    main()
