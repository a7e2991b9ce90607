"""Red flags: a Python port of Cardinal's eleven red-flag indicators (open-contracting/cardinal-rs).

Pure functions over OCDS compiled releases; no database. ``compute`` streams the lines of a
JSON Lines file through the indicators that the settings enable, ``to_cardinal`` shapes the
results as Cardinal prints them. See docs/red-flags.md.
"""

from transparency.redflags.engine import compute, open_lines
from transparency.redflags.errors import RedFlagsError
from transparency.redflags.output import dumps, group_counts, to_cardinal
from transparency.redflags.settings import Settings, default_settings, load_settings, parse_settings

__all__ = [
    "RedFlagsError",
    "Settings",
    "compute",
    "default_settings",
    "dumps",
    "group_counts",
    "load_settings",
    "open_lines",
    "parse_settings",
    "to_cardinal",
]
