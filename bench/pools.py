"""Pools of forked worker processes for the benchmarks (building bids, issuing certificates)."""

import contextlib
import multiprocessing as mp
import signal


@contextlib.contextmanager
def forked(processes: int):
    """A pool of forked workers that is closed and joined, not terminated, when done.

    Pool's own context manager terminates its processes; a worker that was then blocked on
    the pool's queue lock, with a benchmark's raising signal handler inherited, never died,
    and the clean-up waited for it forever (the surge hung in set-up about one run in five).
    """
    pool = mp.get_context("fork").Pool(processes, initializer=default_signals)
    try:
        yield pool
    except BaseException:
        pool.terminate()
        raise
    pool.close()  # the workers end on their own once the queue is drained
    pool.join()


def default_signals() -> None:
    # The forked workers inherit the benchmark's handlers, which raise SystemExit to unwind
    # through gunicorn's clean-up. Workers just die.
    for number in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(number, signal.SIG_DFL)
