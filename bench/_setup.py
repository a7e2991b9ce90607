"""Shared set-up for benchmarks: a fresh PostgreSQL database, migrated, and Django ready.

Benchmarks run by hand (python bench/<name>.py); they are not tests.
"""

import os
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/tender_bench"


def fresh_database(url: str | None = None) -> str:
    """Drop and re-create the benchmark database, migrate it, and set up Django on it."""
    url = url or os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    if not url.startswith("postgres"):
        sys.exit("benchmarks measure PostgreSQL: set BENCH_DATABASE_URL=postgres://...")
    name = url.rsplit("/", 1)[1]
    server = url.rsplit("/", 1)[0] + "/postgres"
    import psycopg

    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("VAR_DIR", str(ROOT / "var" / "bench"))
    # A fresh database needs fresh off-database checkpoint copies too.
    shutil.rmtree(Path(os.environ["VAR_DIR"]) / "checkpoints", ignore_errors=True)
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "migrate", "-v0"], check=True, env=os.environ
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    return url


def result(
    name: str, value: float, unit: str, baseline: float, *, higher_is_better: bool = True
) -> None:
    ratio = value / baseline if higher_is_better else baseline / value
    print(f"RESULT {name} value={value:.1f} unit={unit} baseline={baseline:.1f} ratio={ratio:.3f}")


def median(values):
    return statistics.median(values)
