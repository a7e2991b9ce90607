"""Working days in Kazakhstan, for deadlines counted in working or calendar days.

Pure functions, no database. Datetimes come in aware, are read in the agency's zone (Asia/Almaty
unless told) and go out in UTC. The non-working days come from procurement/data/holidays_kz.json,
loaded once; a date in a year the file does not cover is refused rather than guessed.

How a period is counted (the Civil Code's chapter on computing periods, arts. 169-173 as we
read them; numbering to be checked against adilet.zan.kz):

- it runs from the day after the start: the start's own day never counts, whatever its hour;
- a period of n working days ends at the end of the n-th working day after the start day;
- a period of calendar days whose last day is a day off ends on the next working day;
- a day ends at END_OF_WORKING_DAY local time: an act to be done at an organisation must be
  done before it stops work for the day, and the platform reads every agency as working to
  18:00, a module constant to change in one place.
"""

import datetime as dt
import functools
import json
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

DEFAULT_ZONE = "Asia/Almaty"
END_OF_WORKING_DAY = dt.time(18, 0)
HOLIDAYS_FILE = Path(__file__).resolve().parent / "data" / "holidays_kz.json"
HOLIDAYS_FILE_NAME = "procurement/data/holidays_kz.json"
SATURDAY, SUNDAY = 5, 6
_YEAR_KEYS = {"holidays", "transferred_days_off", "working_weekends", "notes"}


class NoHolidayCalendar(LookupError):
    """The holiday data does not cover the year asked about."""


@dataclass(frozen=True)
class HolidayCalendar:
    version: str
    zone: str
    years: frozenset[int]
    holidays: frozenset[dt.date]
    transferred_days_off: frozenset[dt.date]
    working_weekends: frozenset[dt.date]


def load_calendar(path: Path = HOLIDAYS_FILE) -> HolidayCalendar:
    """Read and check a holiday file; ValueError names the first thing wrong in it."""
    data = json.loads(path.read_text(encoding="utf-8"))
    lists = {"holidays": set(), "transferred_days_off": set(), "working_weekends": set()}
    for year, entry in data["years"].items():
        if set(entry) - _YEAR_KEYS:
            raise ValueError(f"{path.name}: {year}: unknown keys {sorted(set(entry) - _YEAR_KEYS)}")
        for key, days in lists.items():
            days.update(_parse_dates(entry[key], int(year), f"{path.name}: {year}: {key}"))
    _check_consistent(path.name, **lists)
    return HolidayCalendar(
        version=data["version"],
        zone=data["zone"],
        years=frozenset(int(year) for year in data["years"]),
        **{key: frozenset(days) for key, days in lists.items()},
    )


def _parse_dates(values: list[str], year: int, where: str) -> set[dt.date]:
    days = {dt.date.fromisoformat(value) for value in values}
    if len(days) != len(values) or any(day.year != year for day in days):
        raise ValueError(f"{where}: duplicate dates or dates outside {year}")
    return days


def _check_consistent(
    name: str,
    *,
    holidays: set[dt.date],
    transferred_days_off: set[dt.date],
    working_weekends: set[dt.date],
) -> None:
    if any(day.weekday() not in (SATURDAY, SUNDAY) for day in working_weekends):
        raise ValueError(f"{name}: a working weekend day is not a Saturday or Sunday")
    if any(day.weekday() in (SATURDAY, SUNDAY) for day in transferred_days_off):
        raise ValueError(f"{name}: a transferred day off falls on a weekend")
    if (holidays | transferred_days_off) & working_weekends or holidays & transferred_days_off:
        raise ValueError(f"{name}: a date is in more than one list")


@functools.cache
def default_calendar() -> HolidayCalendar:
    return load_calendar(HOLIDAYS_FILE)


def is_working_day(day: dt.date, calendar: HolidayCalendar | None = None) -> bool:
    """Whether `day`, a local date, is a working day of the five-day week."""
    if isinstance(day, dt.datetime):
        raise TypeError("pass a local date, not a datetime: read it in the agency's zone first")
    calendar = calendar or default_calendar()
    if day.year not in calendar.years:
        raise NoHolidayCalendar(
            f"no holiday calendar for {day.year}; add it to {HOLIDAYS_FILE_NAME}"
        )
    if day in calendar.working_weekends:
        return True
    if day in calendar.holidays or day in calendar.transferred_days_off:
        return False
    return day.weekday() not in (SATURDAY, SUNDAY)


def next_working_day(day: dt.date, calendar: HolidayCalendar | None = None) -> dt.date:
    """The first working day after `day` (never `day` itself)."""
    day += dt.timedelta(days=1)
    while not is_working_day(day, calendar):
        day += dt.timedelta(days=1)
    return day


def add_working_days(
    start: dt.datetime,
    days: int,
    *,
    zone: str | dt.tzinfo = DEFAULT_ZONE,
    calendar: HolidayCalendar | None = None,
) -> dt.datetime:
    """The end of the `days`-th working day after the start's local day, in UTC."""
    _check_days(days)
    tz = _zone(zone)
    day = _local_date(start, tz)
    for _ in range(days):
        day = next_working_day(day, calendar)
    return _end_of_day(day, tz)


def add_calendar_days(
    start: dt.datetime,
    days: int,
    *,
    zone: str | dt.tzinfo = DEFAULT_ZONE,
    calendar: HolidayCalendar | None = None,
) -> dt.datetime:
    """The end of the `days`-th day after the start's local day, in UTC.

    A period whose last day is a day off ends on the next working day (Civil Code).
    """
    _check_days(days)
    tz = _zone(zone)
    day = _local_date(start, tz) + dt.timedelta(days=days)
    if not is_working_day(day, calendar):
        day = next_working_day(day, calendar)
    return _end_of_day(day, tz)


def working_days_between(
    a: dt.datetime,
    b: dt.datetime,
    *,
    zone: str | dt.tzinfo = DEFAULT_ZONE,
    calendar: HolidayCalendar | None = None,
) -> int:
    """Working days after a's local day up to and including b's; negative when b is earlier.

    It undoes add_working_days: working_days_between(s, add_working_days(s, n)) == n.
    """
    tz = _zone(zone)
    first, last = _local_date(a, tz), _local_date(b, tz)
    sign = 1
    if last < first:
        first, last, sign = last, first, -1
    span = (last - first).days
    count = sum(is_working_day(first + dt.timedelta(days=n), calendar) for n in range(1, span + 1))
    return sign * count


def _check_days(days: int) -> None:
    if isinstance(days, bool) or not isinstance(days, int) or days < 1:
        raise ValueError(f"a period is a whole number of days, at least 1; got {days!r}")


def _zone(zone: str | dt.tzinfo) -> dt.tzinfo:
    return zone if isinstance(zone, dt.tzinfo) else ZoneInfo(zone)


def _local_date(moment: dt.datetime, tz: dt.tzinfo) -> dt.date:
    if not isinstance(moment, dt.datetime):
        raise TypeError(f"expected an aware datetime, got {type(moment).__name__}")
    if moment.utcoffset() is None:
        raise ValueError(
            f"naive datetime {moment.isoformat()} refused: pass an aware one "
            "(django.utils.timezone.now(), or tzinfo set)"
        )
    return moment.astimezone(tz).date()


def _end_of_day(day: dt.date, tz: dt.tzinfo) -> dt.datetime:
    return dt.datetime.combine(day, END_OF_WORKING_DAY, tzinfo=tz).astimezone(dt.UTC)
