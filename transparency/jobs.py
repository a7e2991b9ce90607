"""What the clock does for transparency on every pass (settings.CLOCK_JOBS): publish the new
public events as OCDS releases and, when any were published, compute the red flags again."""

from transparency.services.flags import compute_flags
from transparency.services.publication import publish_pending


def run(now=None) -> dict:
    published = publish_pending()
    done = {"releases": published}
    if published:
        done["flags"] = compute_flags()
    return done
