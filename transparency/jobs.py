"""What the clock does for transparency on every pass (settings.CLOCK_JOBS): publish the new
public events as OCDS releases and, when any were published, compute the red flags again, at
most once every RED_FLAGS_MIN_INTERVAL_SECONDS per clock process."""

import time

from django.conf import settings

from transparency.services.flags import compute_flags
from transparency.services.publication import publish_pending

# A recompute reads every opened bid and compiled release (minutes at national volume), so a
# clock that published something on every pass would do nothing else; new data waits for the
# next allowed recompute instead, and is never skipped.
_flags = {"due": False, "last": None}


def run(now=None) -> dict:
    published = publish_pending()
    done = {"releases": published}
    _flags["due"] = _flags["due"] or bool(published)
    if _flags["due"] and _interval_passed():
        done["flags"] = compute_flags()
        _flags["due"], _flags["last"] = False, time.monotonic()
    return done


def _interval_passed() -> bool:
    last = _flags["last"]
    return last is None or time.monotonic() - last >= settings.RED_FLAGS_MIN_INTERVAL_SECONDS
