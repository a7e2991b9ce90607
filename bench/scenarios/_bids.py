"""What the surge, crash and backup scenarios share.

- `world()`: the platform a scenario runs against. From run_all's context (its database,
  gunicorn, clocks and CA), or stand-alone: a fresh database on the shared server, a
  throwaway CA, our own gunicorn and clock, all stopped on exit.
- `quick_tenders()`: published tenders of the demo-only quick procedure (periods in seconds),
  whose submission deadlines are set through set_periods and publish_tender like any other,
  so the clock closes them and the database clock refuses what comes after.
- `build()`: real signed, sealed bids (tests/bids/support.make_bid, i.e. tools/tenderctl.py's
  functions), built ahead in forked processes so the run spends no client CPU on crypto.
- `Sender`: an open-loop client: each bid leaves at its planned instant, whatever the server's
  pace, from a pool of threads; optionally retrying the same bytes after a connection error
  or a 5xx (the single-use nonce makes a retry at-most-once).
- `check()`: after the run, from the database and the audit log alone, whether every
  accepted bid is intact and provable, nothing half-written exists, nothing was accepted late
  and the clock closed every tender.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import heapq
import http.client
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import bid_submit, pools  # noqa: E402
from bench._setup import fresh_database  # noqa: E402
from bench.bid_submit import percentiles, stop  # noqa: E402

DEFAULT_SERVER = "postgres://postgres@127.0.0.1:5432"
# Outcomes that say the deadline had passed when the bid reached the tender row: correct
# refusals, counted apart from errors.
LATE_CODES = {"deadline_passed", "tender_not_open"}
# 201: stored now; 200: a retry of bytes stored before (the platform answers with that bid).
ACCEPTED = (200, 201)
# Room for building every bid before the first deadline; nonces must outlive the whole run.
os.environ.setdefault("BID_NONCE_TTL_SECONDS", "7200")


def figure(value, unit: str = "", baseline=None, *, higher_is_better=True, note: str = ""):
    """A Figure of bench/scenarios (imported late: the package may not be importable when a
    scenario runs as a script from another checkout)."""
    from bench.scenarios import Figure

    return Figure(value, unit, baseline, higher_is_better, note)


def print_figures(name: str, figures: dict) -> None:
    """RESULT lines (bench/_setup.result's shape) for the numeric figures with a baseline,
    and a plain `FIGURE` line for the others, which have no ratio to give."""
    for key, item in figures.items():
        value = getattr(item, "value", item)
        unit = getattr(item, "unit", "") or "-"
        baseline = getattr(item, "baseline", None)
        ratio = getattr(item, "ratio", None)
        if isinstance(value, int | float) and baseline is not None and ratio is not None:
            print(
                f"RESULT {name}_{key} value={value:.1f} unit={unit} baseline={baseline:.1f} "
                f"ratio={ratio:.3f}"
            )
        else:
            note = getattr(item, "note", "")
            print(f"FIGURE {name}_{key} value={value} unit={unit}" + (f" ({note})" if note else ""))


# --- the platform: run_all's, or our own --------------------------------------------------------


# Paths that would otherwise point into someone else's platform (run_all's seeded one).
FOREIGN = ("DATABASE_URL", "AUDIT_CHECKPOINT_DIR", "AUDIT_CHECKPOINT_KEY", "BID_RECEIPT_KEY")


def own_environment(folder: Path) -> None:
    """bench/bid_submit's environment, with keys and checkpoint copies of our own under
    `folder` (var/bench belongs to whoever runs bid_submit)."""
    bid_submit.configure_environment(folder)
    for name in FOREIGN:
        os.environ.pop(name, None)
    os.environ["VAR_DIR"] = str(folder / "var")


def _own_database(name: str) -> str:
    """SCENARIO_DATABASE_URL, or scenario_<name> on the local server: dropped and re-made."""
    return fresh_database(
        os.environ.get("SCENARIO_DATABASE_URL") or f"{DEFAULT_SERVER}/scenario_{name}"
    )


def spawn(command: list[str], environment: dict, log: Path) -> subprocess.Popen:
    """A process group of its own (killed whole), output appended to `log`, and gone with us."""
    with log.open("ab") as output:
        return subprocess.Popen(
            command,
            cwd=ROOT,
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=bid_submit._die_with_parent,
        )


@contextlib.contextmanager
def clock_process(environment: dict, log: Path, *, interval: float = 1.0):
    """`manage.py run_clock` in its own process group, stopped however the block ends."""
    command = [sys.executable, str(ROOT / "manage.py"), "run_clock", "--interval", str(interval)]
    process = spawn(command, environment, log)
    try:
        yield process
    finally:
        stop(process)


@contextlib.contextmanager
def work_folder(name: str):
    """A temporary folder, or SCENARIO_WORK_DIR, kept, to read the logs after the run."""
    kept = os.environ.get("SCENARIO_WORK_DIR")
    if kept:
        Path(kept).mkdir(parents=True, exist_ok=True)
        yield Path(kept)
        return
    with tempfile.TemporaryDirectory(prefix=f"scenario-{name}-") as temporary:
        yield Path(temporary)


@contextlib.contextmanager
def world(context, name: str, *, workers: int = 4):
    """(base_url, ca, work folder, environment) for a scenario, with Django set up here."""
    if context is not None:
        context.django()
        yield SimpleNamespace(
            base_url=context.base_url,
            ca=context.bench_ca(),
            work=Path(context.work_dir),
            environment=dict(context.environment),
            database_url=context.database_url,
            standalone=False,
        )
        return
    with work_folder(name) as folder:
        own_environment(folder)
        url = _own_database(name)
        ca = bid_submit.trusted_ca(folder)
        _make_keys()
        environment = os.environ.copy()
        log = folder / "gunicorn.log"
        with (
            bid_submit.gunicorn(workers=workers, threads=1, log=log) as server,
            clock_process(environment, folder / "clock.log"),
        ):
            yield SimpleNamespace(
                base_url=f"http://127.0.0.1:{server.port}",
                ca=ca,
                work=folder,
                environment=environment,
                database_url=url,
                standalone=True,
                server=server,
            )


def _make_keys() -> None:
    from audit.keys import signing_key
    from bids.receipts import receipt_key

    signing_key(), receipt_key()  # made now, not raced for by the workers


# --- the world: tenders with real deadlines ----------------------------------------------------


def quick_procedure():
    """The demo-only procedure with periods in seconds (`manage.py demo` makes the same row)."""
    from procurement.management.commands.demo import DEMO_PROCEDURE
    from procurement.models import Procedure

    defaults = {k: v for k, v in DEMO_PROCEDURE.items() if k != "code"}
    return Procedure.objects.get_or_create(code=DEMO_PROCEDURE["code"], defaults=defaults)[0]


def quick_tenders(cast, deadlines: list[dt.datetime], *, enquiry_end: dt.datetime) -> list:
    """Published quick tenders, one per deadline: enquiries end at `enquiry_end` (the clock
    then opens bidding), bids close at the deadline (the clock moves them to opening)."""
    from procurement.models import Tender
    from procurement.services.tenders import publish_tender, set_periods
    from tests.procurement.factories import ready_tender

    procedure = quick_procedure()
    made = []
    for deadline in deadlines:
        draft = ready_tender(cast)
        Tender.objects.filter(pk=draft.pk).update(procedure=procedure)
        draft.refresh_from_db()
        set_periods(
            tender=draft, enquiry_end=enquiry_end, submission_deadline=deadline, actor=cast.buyer
        )
        tender = publish_tender(tender=draft, actor=cast.buyer)
        made.append(
            Tender.objects.select_related("opening_key", "procedure", "agency").get(pk=tender.pk)
        )
    return made


def wait_for_tendering(tenders, *, timeout: float) -> None:
    from procurement.models import Tender

    pks = [t.pk for t in tenders]
    deadline = time.monotonic() + timeout
    while Tender.objects.filter(pk__in=pks, status="enquiries").exists():
        if time.monotonic() > deadline:
            raise RuntimeError("the clock did not open bidding on the tenders in time")
        time.sleep(0.5)


# --- building bids ------------------------------------------------------------------------------


@dataclass
class Shot:
    """One bid to send: planned `at` seconds after the start, on `tender` (its deadline in
    unix seconds) by `bidder`."""

    index: int
    at: float
    tender: str
    deadline: float
    bidder: str
    token: str
    body: bytes = b""
    sealed_sha256: str = ""
    late: bool = False  # sent after the deadline on purpose

    def __lt__(self, other):
        return self.at < other.at


_JOB: dict = {}


def _build(index: int):
    from tests.bids.support import make_bid

    tender, who = _JOB["work"][index]
    price = f"{2_000_000 + index % 900_000}.{index % 100:02d}"
    made = make_bid(tender, who.signer, who.organisation.bin, {"1": price})
    return index, made.statement, made.signature, made.sealed


def build(shots: list[Shot], tenders: dict, people: dict, *, processes: int = 2) -> float:
    """Fill each shot's body with a real bid; returns the seconds it took."""
    import hashlib

    from django.db import connections

    began = time.perf_counter()
    connections.close_all()  # forked builders must not share this process's socket
    _JOB["work"] = {s.index: (tenders[s.tender], people[s.bidder]) for s in shots}
    by_index = {s.index: s for s in shots}
    with pools.forked(processes) as pool:
        for index, statement, signature, sealed in pool.imap_unordered(
            _build, list(by_index), chunksize=20
        ):
            shot = by_index[index]
            shot.body = json.dumps(
                {
                    "statement": statement.decode("utf-8"),
                    "signature": base64.b64encode(signature).decode(),
                    "sealed": base64.b64encode(sealed).decode(),
                }
            ).encode()
            shot.sealed_sha256 = hashlib.sha256(sealed).hexdigest()
    _JOB.clear()
    return time.perf_counter() - began


def build_rate(tender, people: list, count: int = 20) -> float:
    """Bids built per second (with two processes) on `tender`: to plan the deadlines."""
    probe = [
        Shot(i, 0.0, tender.number, 0.0, people[i % len(people)].organisation.bin, "")
        for i in range(count)
    ]
    seconds = build(probe, {tender.number: tender}, {p.organisation.bin: p for p in people})
    return count / seconds


# --- sending ------------------------------------------------------------------------------------


@dataclass
class Outcome:
    shot: Shot
    status: int  # 0: no answer (connection refused, reset, timed out)
    code: str | None  # the error code of a refusal
    sent: float  # unix time the final attempt left
    seconds: float  # its latency
    body: bytes
    attempts: int = 1
    history: list = field(default_factory=list)  # (status, code) of earlier attempts


def error_code(body: bytes) -> str | None:
    with contextlib.suppress(ValueError, TypeError, AttributeError):
        return json.loads(body)["error"]["code"]
    return None


class Sender:
    """Threads that send the shots at their planned instants (open loop: a slow server does
    not slow the arrivals, it makes them queue, as suppliers do at a deadline).

    `retry_until(shot)` (unix time, or None) makes a thread retry the same bytes after no
    answer or a 5xx, every `backoff` seconds until then: a supplier's client that does not know
    whether its bid arrived sends it again; the nonce in the signed statement is burnt in the
    bid's own transaction, so the retry is refused as `nonce_replayed` if the first one
    committed, and accepted if it did not. Never two bids from one statement."""

    def __init__(self, base_url, clients: int, *, retry_until=None, backoff: float = 0.5):
        self.base_url = base_url  # a string, or a callable returning the current one
        self.clients = clients
        self.retry_until = retry_until
        self.backoff = backoff
        self.outcomes: list[Outcome] = []
        self.lag: list[float] = []  # seconds each shot left after its planned instant
        self._heap: list[Shot] = []
        self._lock = threading.Lock()

    def _address(self) -> tuple[str, int]:
        url = urlsplit(self.base_url() if callable(self.base_url) else self.base_url)
        return url.hostname, url.port

    def run(self, shots: list[Shot], start: float) -> float:
        """Send everything, `start` being the unix time of `at` = 0; returns the seconds from
        the first send to the last answer."""
        self._heap = list(shots)
        heapq.heapify(self._heap)
        self._start = start
        threads = [threading.Thread(target=self._client, daemon=True) for _ in range(self.clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        first = min((o.sent for o in self.outcomes), default=start)
        last = max((o.sent + o.seconds for o in self.outcomes), default=start)
        return last - first

    def _next(self) -> Shot | None:
        with self._lock:
            return heapq.heappop(self._heap) if self._heap else None

    def _client(self) -> None:
        conn = None
        while (shot := self._next()) is not None:
            wait = self._start + shot.at - time.time()
            if wait > 0:
                time.sleep(wait)
            self.lag.append(max(0.0, -wait))
            conn, outcome = self._send(conn, shot)
            self.outcomes.append(outcome)
        if conn is not None:
            conn.close()

    def _send(self, conn, shot: Shot):
        path = f"/api/v1/tenders/{shot.tender}/bids"
        headers = {"Authorization": f"Bearer {shot.token}", "Content-Type": "application/json"}
        history, attempts = [], 0
        while True:
            attempts += 1
            if conn is None:
                conn = http.client.HTTPConnection(*self._address(), timeout=60)
            sent, began = time.time(), time.perf_counter()
            try:
                conn.request("POST", path, body=shot.body, headers=headers)
                response = conn.getresponse()
                status, answer = response.status, response.read()
                if response.will_close:
                    conn.close()
                    conn = None
            except (OSError, http.client.HTTPException) as exc:
                status, answer = 0, repr(exc).encode()
                conn.close()
                conn = None
            seconds = time.perf_counter() - began
            code = error_code(answer) if status not in ACCEPTED else None
            until = self.retry_until(shot) if self.retry_until else None
            if (status == 0 or status >= 500) and until is not None and time.time() < until:
                history.append((status, code, round(sent, 2)))
                time.sleep(self.backoff)
                continue
            return conn, Outcome(shot, status, code, sent, seconds, answer, attempts, history)


def schedule(
    tenders: list,
    people: list,
    *,
    bids: int,
    start: float,
    last_share: float = 0.8,
    last_seconds: float = 30.0,
    late_share: float = 0.01,
    rng: random.Random,
) -> list[Shot]:
    """`bids` shots over the tenders in turn: on each tender, `last_share` of its bids in the
    last `last_seconds` before its deadline, the rest from `start` until then, and
    `late_share` of them (at least one) up to 10 s after the deadline on purpose (the refusals
    to count; up to half of `last_seconds` when that is shorter).
    A supplier bids at most once per tender (suppliers in turn from a tender's own offset)."""
    shots = []
    per_tender = Counter(i % len(tenders) for i in range(bids))
    index = 0
    for t, tender in enumerate(tenders):
        deadline = tender.submission_deadline.timestamp()
        count = per_tender[t]
        if count > len(people):
            raise ValueError("more bids per tender than suppliers")
        late = max(1, round(count * late_share)) if late_share > 0 else 0
        last = round((count - late) * last_share)
        for k in range(count):
            who = people[(t * 37 + k) % len(people)]
            if k < late:
                at = deadline + rng.uniform(0.05, min(10.0, last_seconds / 2))
            elif k < late + last:
                at = deadline - rng.uniform(0.0, last_seconds)
            else:
                at = rng.uniform(start, max(start, deadline - last_seconds))
            shots.append(
                Shot(
                    index,
                    at - start,
                    tender.number,
                    deadline,
                    who.organisation.bin,
                    who.token,
                    late=k < late,
                )
            )
            index += 1
    return shots


def latency_figures(outcomes: list[Outcome]) -> dict:
    answered = [o.seconds * 1000 for o in outcomes if o.status]
    if len(answered) < 2:
        return {}
    cuts = percentiles(answered)
    return {
        "latency_p50": figure(round(cuts[49], 1), "ms"),
        "latency_p95": figure(round(cuts[94], 1), "ms"),
        "latency_p99": figure(round(cuts[98], 1), "ms"),
        "latency_max": figure(round(max(answered), 1), "ms"),
    }


def tally(outcomes: list[Outcome]) -> dict:
    """accepted / late refused / 5xx / no answer / other refusals, by code."""
    counts = Counter()
    codes = Counter()
    for o in outcomes:
        if o.status in ACCEPTED:
            counts["accepted"] += 1
            counts["accepted_on_retry"] += o.status == 200
        elif o.code in LATE_CODES:
            counts["late_refused"] += 1
        elif o.status >= 500:
            counts["server_errors"] += 1
        elif o.status == 0:
            counts["no_answer"] += 1
        else:
            counts["refused_other"] += 1
            codes[f"{o.status} {o.code}"] += 1
    return {"counts": counts, "codes": codes}


# --- checks after the run -----------------------------------------------------------------------


class Checker:
    """Checks against the database and the audit log; each problem is kept (first ones shown)."""

    def __init__(self, tenders: list):
        self.tenders = tenders
        self.numbers = [t.number for t in tenders]
        self.problems: list[str] = []
        self.kinds = Counter()

    def problem(self, text: str, kind: str = "other") -> None:
        """Kinds: lost (a 201 without its bid), receipt, proof, orphan (half-written), late,
        clock, other."""
        self.problems.append(f"{kind}: {text}")
        self.kinds[kind] += 1

    def final_checkpoint(self):
        """A checkpoint issued now, after every bid: the 'later' one proofs are checked to."""
        from audit.services.checkpoints import issue_checkpoint

        return issue_checkpoint(reason="bench-check")

    def receipts(self, accepted: list[Outcome]) -> dict:
        """Each 201's receipt: signature, entry, inclusion in its own checkpoint, and that
        checkpoint consistent with (so the entry included in) the final one."""
        from audit import keys, merkle, proofs
        from audit.models import Checkpoint, Entry
        from bids.models import Bid
        from bids.receipts import receipt_key
        from tests.bids.support import tool

        final = self.final_checkpoint()
        public = receipt_key().public_key()
        name, checkpoint_key = keys.key_name(), keys.verifying_key()
        bids = {
            b.public_id: b
            for b in Bid.objects.filter(tender__number__in=self.numbers).select_related(
                "tender", "supplier"
            )
        }
        notes_by_size = {c.tree_size: c for c in Checkpoint.objects.all()}
        final_root = _note_root(final.note, name, checkpoint_key)
        sizes, checked = set(), 0
        for outcome in accepted:
            answer = json.loads(outcome.body)
            bid = bids.get(answer["bid"])
            if bid is None:
                self.problem(f"{answer['bid']}: answered 201, no Bid row", "lost")
                continue
            if bid.sealed_sha256 != outcome.shot.sealed_sha256:
                self.problem(f"{bid.public_id}: stored sealed hash is not the one sent", "lost")
            try:
                body = tool.verify_receipt(answer["receipt"], public)
                entry = Entry.objects.get(seq=body["log_index"])
                checkpoint = notes_by_size[body["checkpoint"]["size"]]
                evidence = _evidence(entry, checkpoint, proofs)
                tool.verify_evidence(body, evidence, (name, checkpoint_key), say=lambda *_: None)
            except Exception as exc:  # every kind of failure is a finding, not a crash
                self.problem(f"{bid.public_id}: receipt does not verify: {exc}", "receipt")
                continue
            if entry.subject_id != str(bid.pk) or bid.log_index != entry.seq:
                self.problem(f"{bid.public_id}: the receipt's entry is not the bid's", "receipt")
            leaf = merkle.leaf_hash(bytes(entry.payload))
            path = proofs.inclusion_proof(entry.seq, final.tree_size)
            if not merkle.verify_inclusion(leaf, entry.seq, final.tree_size, path, final_root):
                self.problem(f"{bid.public_id}: not included in the final checkpoint", "proof")
            sizes.add(checkpoint.tree_size)
            checked += 1
        for size in sorted(sizes):
            root = _note_root(notes_by_size[size].note, name, checkpoint_key)
            proof = (
                proofs.consistency_proof(size, final.tree_size) if size < final.tree_size else []
            )
            if not merkle.verify_consistency(size, final.tree_size, root, final_root, proof):
                self.problem(f"checkpoint {size} is not consistent with {final.tree_size}", "proof")
        return {
            "receipts_verified": checked,
            "receipt_checkpoints": len(sizes),
            "final_checkpoint": final.tree_size,
        }

    def stored(self) -> dict:
        """Nothing half-written: every bid of ours has its entry and its burnt nonce, every
        submission entry its bid; nothing accepted at or after its deadline."""
        from django.db.models import F

        from audit.actions import Action
        from audit.models import Entry
        from bids.models import Bid, UsedNonce

        bids = list(Bid.objects.filter(tender__number__in=self.numbers).select_related("tender"))
        entries = {
            e.data["bid"]: e
            for e in Entry.objects.filter(
                action=Action.BID_SUBMITTED, data__tender__in=self.numbers
            )
        }
        for bid in bids:
            entry = entries.get(bid.public_id)
            if entry is None or bid.log_index != entry.seq or entry.subject_id != str(bid.pk):
                self.problem(f"{bid.public_id}: no matching bids.bid.submitted entry", "orphan")
        known = {b.public_id for b in bids}
        for public_id in set(entries) - known:
            self.problem(f"entry {entries[public_id].seq}: bid {public_id} has no row", "orphan")
        nonces = sum(
            UsedNonce.objects.filter(value__startswith=f"n1.{number}.").count()
            for number in self.numbers
        )
        if nonces != len(bids):
            self.problem(f"{nonces} burnt nonces for {len(bids)} bids", "orphan")
        late = Bid.objects.filter(
            tender__number__in=self.numbers, received_at__gte=F("tender__submission_deadline")
        ).count()
        if late:
            self.problem(f"{late} bids accepted at or after their tender's deadline", "late")
        return {"bids_stored": len(bids), "entries": len(entries), "accepted_late": late}

    def reconcile(self, outcomes: list[Outcome]) -> dict:
        """Every stored bid is one a client sent, and the client's answer agrees with it:
        a 201 or (after a retry) nonce_replayed for a stored bid; a refusal for one not stored.
        A bid stored whose client got no final answer is 'committed, answer lost'."""
        from bids.models import Bid

        stored = set(
            Bid.objects.filter(tender__number__in=self.numbers).values_list(
                "sealed_sha256", flat=True
            )
        )
        sent = {o.shot.sealed_sha256: o for o in outcomes}
        counts = Counter()
        for sealed in stored - set(sent):
            self.problem(f"a stored bid (sealed {sealed[:12]}) that no client sent", "orphan")
        for sealed, o in sent.items():
            here = sealed in stored
            if o.status in ACCEPTED:
                counts["accepted"] += 1
                if not here:
                    self.problem(f"shot {o.shot.index}: 201 but no bid stored", "lost")
            elif o.code == "nonce_replayed":
                counts["accepted_answer_lost" if here else "replayed_not_stored"] += 1
                if not here:
                    self.problem(f"shot {o.shot.index}: nonce replayed but no bid stored", "other")
            elif o.status == 0 or o.status >= 500:
                counts["unanswered_stored" if here else "unanswered_not_stored"] += 1
            elif here:
                self.problem(f"shot {o.shot.index}: refused ({o.code}) yet stored", "orphan")
        return dict(counts)

    def clock(self, *, timeout: float) -> dict:
        """Wait for the clock to move every tender past its deadline; how late it was."""
        from audit.actions import Action
        from audit.models import Entry
        from procurement.models import Tender

        pks = [t.pk for t in self.tenders]
        until = time.monotonic() + timeout
        while Tender.objects.filter(pk__in=pks, status="tendering").exists():
            if time.monotonic() > until:
                break
            time.sleep(0.5)
        statuses = Counter(Tender.objects.filter(pk__in=pks).values_list("status", flat=True))
        for number, deadline, next_check in Tender.objects.filter(
            pk__in=pks, status="tendering"
        ).values_list("number", "submission_deadline", "next_check"):
            self.problem(
                f"{number} still in tendering; deadline {deadline:%H:%M:%S.%f}, "
                f"next_check {next_check}",
                "clock",
            )
        closed = {
            e.subject_id: e.recorded_at
            for e in Entry.objects.filter(
                action__in=[Action.TENDER_CLOSED, Action.TENDER_FAILED],
                subject_id__in=[str(pk) for pk in pks],
            )
        }
        lags = [
            (closed[str(t.pk)] - t.submission_deadline).total_seconds()
            for t in self.tenders
            if str(t.pk) in closed
        ]
        return {"statuses": dict(statuses), "clock_lag_max": max(lags, default=0.0)}


def _note_root(note: str, name: str, key) -> bytes:
    from audit import notes

    return notes.parse_checkpoint(notes.open_note(note, name, key))[2]


def _evidence(entry, checkpoint, proofs) -> dict:
    """What `tenderctl.py evidence` fetches from the audit API, read from the database."""
    payload = bytes(entry.payload)
    size = checkpoint.tree_size
    return {
        "type": "receipt-evidence/v1",
        "entry": {
            "seq": entry.seq,
            "payload": base64.b64encode(payload).decode(),
            "leaf_hash": bytes(entry.leaf_hash).hex(),
        },
        "inclusion_proof": {
            "index": entry.seq,
            "size": size,
            "leaf_hash": bytes(entry.leaf_hash).hex(),
            "root_hash": bytes(checkpoint.root_hash).hex(),
            "proof": [h.hex() for h in proofs.inclusion_proof(entry.seq, size)],
        },
        "checkpoint": {
            "tree_size": size,
            "root_hash": bytes(checkpoint.root_hash).hex(),
            "note": checkpoint.note,
        },
    }


def verify_audit_log(environment: dict) -> dict:
    """`manage.py verify_audit_log` in a process of its own; exit code, seconds, last line."""
    began = time.perf_counter()
    done = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "verify_audit_log"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
    )
    text = (done.stdout + done.stderr).strip().splitlines()
    return {
        "exit": done.returncode,
        "seconds": round(time.perf_counter() - began, 1),
        "message": text[-1] if text else "",
    }


def log_tail(path: Path, size: int = 3000) -> str:
    with contextlib.suppress(OSError):
        return path.read_text(errors="replace")[-size:]
    return ""


def install_signal_handlers() -> None:
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, bid_submit._terminate)
    signal.signal(signal.SIGHUP, bid_submit._terminate)
