"""`make bench`: the platform as production runs it, seeded, under every scenario.

Creates a fresh database (default postgres://postgres@127.0.0.1:5432/tender_bench, dropped
and re-created), seeds it (bench/seed.py at --scale), starts gunicorn (--workers sync
workers) and two clock workers (`manage.py run_clock`), runs the scenarios named (all by
default; bench/scenarios/__init__.py lists them and says what a scenario gets), and writes
docs/benchmarks.md: the machine, the date, the command, the seed's volume and time, and a
table per scenario. Every process it started is stopped on exit, Ctrl-C and SIGTERM included.

    python bench/run_all.py [--scale 1.0] [--full] [--workers 4] [--scenarios a,b,...]
                            [--smoke] [--database-url URL] [--output docs/benchmarks.md]
"""

import argparse
import contextlib
import datetime as dt
import json
import os
import platform
import shlex
import signal
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import scenarios  # noqa: E402
from bench._setup import DEFAULT_URL  # noqa: E402
from bench.bid_submit import _die_with_parent, _wait_ready, free_port, stop  # noqa: E402


class Processes:
    """Gunicorn and the clocks, each in its own process group (the Platform of scenarios)."""

    def __init__(self, environment: dict, folder: Path, workers: int):
        self.environment, self.folder, self.workers = environment, folder, workers
        self.server: subprocess.Popen | None = None
        self.clocks: list[subprocess.Popen | None] = []
        self.base_url = ""

    def _spawn(self, command: list[str], log: Path) -> subprocess.Popen:
        with log.open("ab") as output:
            return subprocess.Popen(
                command, cwd=ROOT, env=self.environment, stdout=output, stderr=subprocess.STDOUT,
                start_new_session=True, preexec_fn=_die_with_parent,
            )  # fmt: skip

    def start_server(self) -> str:
        port = free_port()
        command = [
            *(sys.executable, "-m", "gunicorn", "config.wsgi"),
            *("--workers", str(self.workers), "--bind", f"127.0.0.1:{port}"),
            *("--log-level", "warning", "--backlog", "2048", "--keep-alive", "5"),
        ]
        log = self.folder / "gunicorn.log"
        self.server = self._spawn(command, log)
        _wait_ready(port, self.server, log)
        self.base_url = f"http://127.0.0.1:{port}"
        return self.base_url

    def stop_server(self) -> None:
        if self.server is not None:
            stop(self.server)
            self.server = None

    def server_pid(self) -> int | None:
        return self.server.pid if self.server and self.server.poll() is None else None

    def start_clock(self) -> int:
        index = len(self.clocks)
        command = [sys.executable, str(ROOT / "manage.py"), "run_clock"]
        self.clocks.append(self._spawn(command, self.folder / f"clock-{index}.log"))
        return index

    def clock_pids(self) -> list[int]:
        return [c.pid for c in self.clocks if c is not None and c.poll() is None]

    def kill_clock(self, index: int, sig: int) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.clocks[index].pid, sig)

    def stop_clock(self, index: int) -> None:
        if self.clocks[index] is not None:
            stop(self.clocks[index])
            self.clocks[index] = None

    def ensure_running(self) -> None:
        if self.server_pid() is None:
            self.start_server()
        alive = [c for c in self.clocks if c is not None and c.poll() is None]
        for index, clock in enumerate(self.clocks):
            if clock is not None and clock.poll() is not None:
                self.clocks[index] = None
        for _ in range(2 - len(alive)):
            self.start_clock()

    def stop_all(self) -> None:
        for index in range(len(self.clocks)):
            self.stop_clock(index)
        self.stop_server()


def _terminate(signum, frame):
    raise SystemExit(128 + signum)  # unwinds through the `finally` that stops everything


def seed(args, out: Path) -> dict:
    command = [
        sys.executable, str(ROOT / "bench" / "seed.py"), "--fresh", "--database-url",
        args.database_url, "--scale", str(args.scale), "--seed", str(args.seed),
        "--out", str(out),
    ]  # fmt: skip
    began = time.perf_counter()
    subprocess.run(command, cwd=ROOT, check=True)
    summary = json.loads((out / "seed.json").read_text())
    summary["wall_seconds"] = round(time.perf_counter() - began, 1)
    return summary


def run_scenario(name: str, context) -> tuple[dict, str]:
    """(figures, error); the output goes to the scenario's log as well as the terminal."""
    began = time.perf_counter()
    try:
        figures = scenarios.load(name)(context)
        error = ""
    except Exception:  # one broken scenario must not lose the others' figures
        figures, error = {}, traceback.format_exc(limit=5)
        print(error, file=sys.stderr)
    figures = dict(figures or {})
    figures.setdefault("seconds", scenarios.Figure(round(time.perf_counter() - began, 1), "s"))
    return figures, error


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--full", action="store_true", help="full sizes in every scenario")
    parser.add_argument("--smoke", action="store_true", help="only the quick scenarios")
    parser.add_argument("--scenarios", help="comma-separated names (default: all)")
    parser.add_argument("--output", type=Path, default=ROOT / "docs" / "benchmarks.md")
    args = parser.parse_args()
    names = (
        args.scenarios.split(",") if args.scenarios
        else scenarios.SMOKE if args.smoke else scenarios.ALL
    )  # fmt: skip
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _terminate)
    signal.signal(signal.SIGHUP, _terminate)
    command = "python bench/run_all.py " + shlex.join(sys.argv[1:])
    started = dt.datetime.now(dt.UTC)
    with tempfile.TemporaryDirectory(prefix="bench-run-") as temporary:
        work = Path(temporary)
        out = work / "seed"
        summary = seed(args, out)
        from bench.seed import environment

        env = environment(args.database_url, out)
        # Clocks keep to deadlines: a full red-flag recompute over this volume takes minutes and
        # would stall a clock's deadline work (README, Benchmarks and drills).
        env["CLOCK_JOBS"] = ""
        processes = Processes(env, work, args.workers)
        results = {}
        try:
            processes.start_server()
            processes.start_clock()
            processes.start_clock()
            context = scenarios.Context(
                base_url=processes.base_url, database_url=args.database_url, environment=env,
                ca_folder=out / "ca", seed_path=out / "seed.json", seed=summary, work_dir=work,
                scale=args.scale, full=args.full, workers=args.workers, platform=processes,
            )  # fmt: skip
            for name in names:
                print(f"== {name}", flush=True)
                results[name] = run_scenario(name, context)
                processes.ensure_running()
                context.base_url = processes.base_url
        except KeyboardInterrupt:
            print("interrupted; stopping the server and the clocks", file=sys.stderr)
        finally:
            processes.stop_all()
        text = report(args, command, started, summary, results)
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(text)
        print(f"wrote {args.output}")


# --- the report ---------------------------------------------------------------------------------


def machine() -> list[str]:
    model = next(
        (line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
         if line.startswith("model name")), platform.processor(),
    )  # fmt: skip
    memory = next(
        (int(line.split()[1]) // 1024 for line in Path("/proc/meminfo").read_text().splitlines()
         if line.startswith("MemTotal")), 0,
    )  # fmt: skip
    return [f"{os.cpu_count()} CPUs ({model})", f"{memory:,} MiB memory"]


def postgres_version(url: str) -> str:
    import psycopg

    with contextlib.suppress(Exception), psycopg.connect(url) as conn:
        return conn.execute("SHOW server_version").fetchone()[0]
    return "unknown"


def cell(value) -> str:
    if isinstance(value, float):
        return f"{value:,.1f}" if abs(value) >= 10 else f"{value:.3g}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value).replace("|", "\\|").replace("\n", " ")


def scenario_table(figures: dict) -> list[str]:
    lines = [
        "| figure | value | unit | baseline | ratio | note |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for name, figure in figures.items():
        if isinstance(figure, scenarios.Figure):
            ratio = figure.ratio
            lines.append(
                f"| {name} | {cell(figure.value)} | {figure.unit} | "
                f"{cell(figure.baseline) if figure.baseline is not None else ''} | "
                f"{f'{ratio:.3f}' if ratio is not None else ''} | {cell(figure.note)} |"
            )
        else:
            lines.append(f"| {name} | {cell(figure)} | | | | |")
    return lines


def report(args, command, started, summary, results) -> str:
    url = args.database_url
    lines = [
        "# Benchmarks",
        "",
        "Generated by `make bench` (bench/run_all.py); do not edit by hand. Benchmarks are not "
        "timed tests: CI runs only a smoke version of each scenario.",
        "",
        f"- date: {started:%Y-%m-%d %H:%M} UTC",
        f"- command: `{command}`",
        f"- machine: {', '.join(machine())}, PostgreSQL {postgres_version(url)}, "
        f"Python {platform.python_version()}",
        f"- platform: gunicorn {args.workers} sync workers, two clock workers (`manage.py run_clock`, deadlines only)",
        "",
        "## Seed",
        "",
        f"Scale {summary['scale']} (seed {summary['seed']}): {summary['seconds']['total']:,.1f} s "
        f"({summary['wall_seconds']:,.1f} s with migrations and checks).",
        "",
        "| table | rows | COPY rows/s |",
        "| --- | --- | --- |",
    ]
    rates = summary.get("copy_rows_per_second", {})
    for label, n in sorted(summary["rows"].items()):
        lines.append(f"| {label} | {n:,} | {cell(rates.get(label, ''))} |")
    checks = summary.get("checks", {})
    lines += [
        "",
        f"Tenders by status: {', '.join(f'{k} {v:,}' for k, v in summary['tenders_by_status'].items())}.",
        f"Phases (s): {', '.join(f'{k} {v}' for k, v in summary['seconds'].items())}.",
        "The clocks keep to deadlines (`CLOCK_JOBS=` empty): OCDS publication and red flags "
        "do not run during the scenarios (`ocds_export` and `red_flags` measure them on their "
        "own).",
    ]
    for name in ("verify_audit_log", "tick"):
        if name in checks:
            c = checks[name]
            lines.append(f"`{c['command']}` after seeding: exit {c['exit']} in {c['seconds']} s.")
    for name, (figures, error) in results.items():
        lines += ["", f"## {name}", ""]
        if "command" in figures:
            lines += [f"`{figures.pop('command')}`", ""]
        lines += scenario_table(figures)
        if error:
            lines += ["", "Failed:", "", "```", error.strip()[-1500:], "```"]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
