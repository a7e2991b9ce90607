"""A private PostgreSQL cluster for drills that kill the database.

The shared server on 5432 serves every other helper and CI; a drill that sends SIGKILL to a
postmaster must own the one it kills. This makes a throwaway cluster in a temporary folder
(initdb, trust auth, a free port, its socket in the same folder), starts it with pg_ctl,
crashes it on request and removes it on exit. PostgreSQL refuses to run as root, so when
we are root the cluster belongs to the `postgres` user and pg_ctl runs through runuser.
"""

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from bench.bid_submit import free_port

BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
# Enough for the drill's gunicorn workers and clock, with room for crash recovery's backends.
SETTINGS = {
    "max_connections": "100",
    "shared_buffers": "64MB",
    "fsync": "on",  # a crash drill with fsync off would test nothing
    "synchronous_commit": "on",
    "listen_addresses": "'127.0.0.1'",
}


def _as_owner(command: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            text = (entry / "stat").read_text()
            if int(text[text.rindex(")") + 2 :].split()[1]) == pid:
                found.append(int(entry.name))
    return found


class PrivateCluster:
    """`with PrivateCluster() as pg: pg.url("db")`; pg.crash() then pg.start() in between."""

    def __init__(self, folder: Path | None = None):
        self._temporary = None if folder else tempfile.mkdtemp(prefix="h6-pg-")
        self.folder = Path(folder or self._temporary)
        self.data = self.folder / "data"
        self.log = self.folder / "postgres.log"
        self.port = free_port()

    def url(self, database: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def init(self) -> None:
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres", "postgres")
        subprocess.run(
            _as_owner([str(BIN / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres"]),
            check=True,
            stdout=subprocess.DEVNULL,
        )
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.writelines(f"{k} = {v}\n" for k, v in SETTINGS.items())

    def start(self) -> float:
        """Start (after a crash: recover) and wait until it takes connections; seconds taken."""
        began = time.monotonic()
        options = f"-p {self.port} -k {self.folder}"
        done = subprocess.run(
            _as_owner(
                [
                    *(str(BIN / "pg_ctl"), "-D", str(self.data), "-o", options),
                    *("-l", str(self.log), "-w", "-t", "120", "start"),
                ]
            ),
            check=False,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,  # "another server might be running" after every crash
        )
        if done.returncode:
            log = self.log.read_text(errors="replace")[-2000:] if self.log.exists() else ""
            raise RuntimeError(f"pg_ctl start failed: {done.stderr.decode()}\n{log}")
        return time.monotonic() - began

    def postmaster(self) -> int | None:
        pidfile = self.data / "postmaster.pid"
        with contextlib.suppress(OSError, ValueError, IndexError):
            pid = int(pidfile.read_text().split("\n")[0])
            os.kill(pid, 0)
            return pid
        return None

    def crash(self) -> None:
        """SIGKILL the postmaster and then every backend it leaves behind: what a power cut
        does to the processes. Orphaned backends would otherwise keep the shared memory and
        refuse the restart; the data directory is left exactly as the crash left it."""
        pid = self.postmaster()
        if pid is None:
            return
        backends = _children(pid)
        os.kill(pid, signal.SIGKILL)
        for child in backends:
            with contextlib.suppress(ProcessLookupError):
                os.kill(child, signal.SIGKILL)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and any(_alive(p) for p in [pid, *backends]):
            time.sleep(0.05)

    def stop(self) -> None:
        if self.postmaster() is None:
            return
        subprocess.run(
            _as_owner([str(BIN / "pg_ctl"), "-D", str(self.data), "-m", "fast", "stop"]),
            check=False,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def __enter__(self):
        self.init()
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()
        if self._temporary and not os.environ.get("KEEP_PRIVATE_PG"):
            shutil.rmtree(self._temporary, ignore_errors=True)


def _alive(pid: int) -> bool:
    # A zombie counts: PostgreSQL's own lock-file check (kill(pid, 0)) still sees it, and
    # the restart would be refused until whoever adopted the orphan reaps it.
    return Path(f"/proc/{pid}").exists()


if __name__ == "__main__":
    with PrivateCluster() as cluster:
        print(f"private cluster on port {cluster.port}; crashing it")
        cluster.crash()
        print(f"restarted after crash in {cluster.start():.1f} s")
