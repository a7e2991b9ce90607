import pytest


@pytest.fixture(autouse=True)
def _fresh_clock_flag_state(monkeypatch):
    """The clock's red-flag throttle lives in the process; each test starts as a new clock."""
    from transparency import jobs

    monkeypatch.setattr(jobs, "_flags", {"due": False, "last": None})
