"""Benchmark scenarios that `bench/run_all.py` (`make bench`) runs against a seeded platform.

A scenario is a module `bench/scenarios/<name>.py` exposing

    def run(context: Context) -> dict[str, Figure | float | int | str]

and listed in SCENARIOS below. By the time it is called, run_all has:

- created a fresh PostgreSQL database (`context.database_url`), migrated and seeded it with
  `bench/seed.py` at `context.scale` (1.0: 200 agencies, 5,000 suppliers, 20,000 tenders,
  200,000 bids; `context.seed` is the seed's summary, see below);
- started gunicorn (`context.workers` sync workers) answering at `context.base_url`, and two
  clock workers (`manage.py run_clock`), all with `context.environment`;
- written the bench CA to `context.ca_folder`: root.pem, intermediate.pem (the trust roots
  the PKI_* variables name) and root.key, intermediate.key (unencrypted PKCS#8 PEM) so a
  scenario can issue more certificates (`context.bench_ca()` returns a tests.pki.ca.TestCA
  built from those files).

A scenario must

- leave the platform running as it found it (same number of server workers and clocks)
  and undo its process-level changes: use `context.platform` to kill and restart
  processes, never `pkill`;
- not drop or recreate `context.database_url` in place; a scenario that needs a scratch
  database makes its own `context.scratch_database_url(<suffix>)` and drops it after;
- keep its default sizes modest (minutes on 2 cores) and use full sizes when `context.full`;
- return figures. A `Figure` has a value, a unit, optionally a baseline measured in the
  same run (then a ratio is shown, "higher is better" unless said otherwise) and a note.
  Plain numbers or strings are accepted too and shown as they are. Print whatever human
  summary helps; run_all keeps each scenario's output in `context.work_dir / <name>.log`.

Django in the scenario's own process: call `context.django()` first (it applies
`context.environment` to os.environ and runs django.setup(); idempotent). Subprocesses
should get `env=context.environment`.

The seed summary (`context.seed`, also at `context.seed_path` as JSON) holds:

    scale, seed, seconds, counts {table: rows}, tenders_by_status {status: n},
    bidders: [{organisation_id, bin, user_id, email, token, key, certificate, certificate_id}]
        suppliers with an API token in clear and their key and certificate PEM files
        (paths, in the CA folder); at most 200 of them (all suppliers at small scales),
    agencies: [{organisation_id, buyer_id, commission_ids: [...]}] a few agencies whose
        buyer chairs a commission of three (enough for tests.bids.support-style tenders),
    tendering: [tender numbers in tendering, deadline at least a day away].
"""

from __future__ import annotations

import importlib
import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Figure:
    value: float | int | str
    unit: str = ""
    baseline: float | None = None
    higher_is_better: bool = True
    note: str = ""

    @property
    def ratio(self) -> float | None:
        if self.baseline in (None, 0) or not isinstance(self.value, int | float):
            return None
        if self.higher_is_better:
            return self.value / self.baseline
        return self.baseline / self.value if self.value else None


class Platform(Protocol):
    """The running processes, for scenarios that break and restart them (crash drill)."""

    def server_pid(self) -> int | None: ...  # gunicorn's master; its process group is its own
    def clock_pids(self) -> list[int]: ...  # each clock worker leads its own process group
    def kill_clock(self, index: int, sig: int) -> None: ...  # signal to that clock's group
    def start_clock(self) -> int: ...  # a new clock worker; returns its index
    def stop_clock(self, index: int) -> None: ...  # SIGTERM, then SIGKILL after 20 s
    def stop_server(self) -> None: ...
    def start_server(self) -> str: ...  # returns the base URL (the port may change)
    def ensure_running(self) -> None: ...  # back to `workers` gunicorn workers + two clocks


@dataclass
class Context:
    base_url: str  # "http://127.0.0.1:<port>", gunicorn serving config.wsgi
    database_url: str  # the seeded database
    environment: dict[str, str]  # the env the server and clocks run with (DATABASE_URL, PKI_*)
    ca_folder: Path  # root.pem, intermediate.pem, root.key, intermediate.key, bidder keys
    seed_path: Path  # the seed summary as JSON
    seed: dict[str, Any]  # the same, loaded
    work_dir: Path  # scratch space and logs for this run
    scale: float = 1.0
    full: bool = False  # full sizes (make bench) or modest ones (bench-smoke, default)
    workers: int = 4  # gunicorn workers
    platform: Platform | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def django(self) -> None:
        """Django in this process, on the seeded database, with the platform's settings."""
        os.environ.update(self.environment)
        if str(ROOT) not in sys.path:
            sys.path.insert(0, str(ROOT))
        import django
        from django.apps import apps

        if not apps.ready:
            django.setup()

    def bench_ca(self):
        """The seed's CA as a tests.pki.ca.TestCA (needs `django()` first)."""
        from bench.seeding.ca import load_ca

        return load_ca(self.ca_folder)

    def scratch_database_url(self, suffix: str) -> str:
        return f"{self.database_url}_{suffix}"

    def manage(self, *args: str, check: bool = True, **kwargs) -> subprocess.CompletedProcess:
        """`manage.py <args>` with the platform's environment."""
        return subprocess.run(
            [sys.executable, str(ROOT / "manage.py"), *args],
            cwd=ROOT,
            env=self.environment,
            check=check,
            **kwargs,
        )


# --- the registry -----------------------------------------------------------------------------

# Scenarios written as modules of this package: name -> module.
MODULES = {
    "surge": "bench.scenarios.surge",  # deadline surge
    "crash": "bench.scenarios.crash",  # crash drill
    "backup": "bench.scenarios.backup",  # backup and restore
}

# The stand-alone scripts, run as subprocesses: name -> (script, modest args, full args).
# Each builds its own world in a scratch database (they drop and re-create the database they
# are given), so they measure the code, not the seeded volume.
SCRIPTS = {
    "audit_append": ("audit_append.py", ["--events", "500", "--repeat", "1"], ["--repeat", "3"]),
    "audit_verify": ("audit_verify.py", ["--entries", "100000", "--repeat", "1"], []),
    "bid_submit_w1": (
        "bid_submit.py",
        ["--bids", "200", "--warm-up", "20", "--workers", "1"],
        ["--workers", "1"],
    ),
    "bid_submit_w2": (
        "bid_submit.py",
        ["--bids", "200", "--warm-up", "20", "--workers", "2"],
        ["--workers", "2"],
    ),
    "bid_submit_w4": (
        "bid_submit.py",
        ["--bids", "200", "--warm-up", "20", "--workers", "4"],
        ["--workers", "4"],
    ),
    "opening": ("opening.py", ["--bids", "1000"], []),
    "public_search": ("public_search.py", ["--tenders", "20000", "--repeat", "1"], []),
    "ocds_export": ("ocds_export.py", ["--tenders", "5000"], []),
    "red_flags": ("red_flags.py", ["--releases", "10000"], []),
}

# What `make bench-smoke` runs: quick ones only.
SMOKE = ["surge", "crash", "backup", "audit_append", "audit_verify", "opening"]
ALL = [*MODULES, *SCRIPTS]

RESULT = re.compile(
    r"^RESULT (?P<name>\S+) value=(?P<value>\S+) unit=(?P<unit>\S+) "
    r"baseline=(?P<baseline>\S+) ratio=(?P<ratio>\S+)"
)


def parse_results(output: str) -> dict[str, Figure]:
    """The RESULT lines of a script's output as figures (ratio recomputed from the two)."""
    figures = {}
    for line in output.splitlines():
        match = RESULT.match(line.strip())
        if not match:
            continue
        value, baseline = float(match["value"]), float(match["baseline"])
        ratio = float(match["ratio"])
        # The scripts print ratio = baseline / value when lower is better.
        lower = baseline and value and abs(ratio - baseline / value) < abs(ratio - value / baseline)
        figures[match["name"]] = Figure(value, match["unit"], baseline, not lower)
    return figures


def run_script(name: str, context: Context) -> dict[str, Figure]:
    script, modest, full = SCRIPTS[name]
    arguments = full if context.full else modest
    environment = {
        **context.environment,
        # The scripts drop the database they are given, and the checkpoint copies under VAR_DIR.
        "BENCH_DATABASE_URL": context.scratch_database_url("script"),
        "VAR_DIR": str(context.work_dir / "script-var"),
    }
    environment.pop("DATABASE_URL", None)
    log = context.work_dir / f"{name}.log"
    command = [sys.executable, str(ROOT / "bench" / script), *arguments]
    with log.open("w") as output:
        output.write("$ " + " ".join(command[1:]) + "\n")
        output.flush()
        completed = subprocess.run(
            command, cwd=ROOT, env=environment, stdout=output, stderr=subprocess.STDOUT
        )
    text = log.read_text()
    if completed.returncode:
        raise RuntimeError(f"{script} exited with {completed.returncode}: {text[-1500:]}")
    figures: dict[str, Any] = dict(parse_results(text))
    figures["command"] = "python bench/" + " ".join([script, *arguments])
    return figures


def load(name: str):
    """The `run(context)` callable of scenario `name`."""
    if name in SCRIPTS:
        return lambda context: run_script(name, context)
    if name in MODULES:
        return importlib.import_module(MODULES[name]).run
    raise KeyError(f"unknown scenario {name!r}; known: {', '.join(ALL)}")
