"""The working-day calendar: Kazakh holidays, transfers, year ends, and Almaty's clock."""

import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest

from procurement.calendar import (
    END_OF_WORKING_DAY,
    HOLIDAYS_FILE,
    HolidayCalendar,
    NoHolidayCalendar,
    add_calendar_days,
    add_working_days,
    default_calendar,
    is_working_day,
    load_calendar,
    next_working_day,
    working_days_between,
)

ALMATY = ZoneInfo("Asia/Almaty")
UTC = dt.UTC

# Secular holidays by (month, day); 30 August until 2025, 15 March from 2027 (new Constitution).
STATE_HOLIDAYS = {
    (1, 1), (1, 2), (3, 8), (3, 15), (3, 21), (3, 22), (3, 23),
    (5, 1), (5, 7), (5, 9), (7, 6), (8, 30), (10, 25), (12, 16),
}  # fmt: skip
ORTHODOX_CHRISTMAS = (1, 7)
# Days off moved by a government resolution or ministerial order, not by the weekend rule.
GOVERNMENT_TRANSFERS = {dt.date(2025, 1, 3)}


def local(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=ALMATY)


def end_of(year: int, month: int, day: int) -> dt.datetime:
    """18:00 in Almaty on that day, as the UTC datetime the calendar returns."""
    return local(year, month, day, 18).astimezone(UTC)


# Almaty's clock


def test_almaty_is_utc_plus_5_all_year_without_dst():
    # Kazakhstan moved to a single zone, UTC+5, on 1 March 2024 (tzdata 2024a and later).
    assert ALMATY.utcoffset(dt.datetime(2024, 2, 29)) == dt.timedelta(hours=6)
    assert ALMATY.utcoffset(dt.datetime(2026, 1, 1)) == dt.timedelta(hours=5)
    assert ALMATY.utcoffset(dt.datetime(2026, 7, 1)) == dt.timedelta(hours=5)


def test_deadline_is_18_00_in_almaty_returned_in_utc_in_winter_and_summer():
    january = add_working_days(local(2026, 1, 12, 10), 1)
    july = add_working_days(local(2026, 7, 13, 10), 1)

    assert dt.time(18, 0) == END_OF_WORKING_DAY
    assert january == dt.datetime(2026, 1, 13, 13, 0, tzinfo=UTC)
    assert july == dt.datetime(2026, 7, 14, 13, 0, tzinfo=UTC)
    assert january.utcoffset() == dt.timedelta(0)


# The start's own day never counts


def test_start_one_second_before_local_midnight_counts_from_the_next_day():
    assert add_working_days(local(2026, 4, 14, 23, 59, 59), 1) == end_of(2026, 4, 15)


def test_start_at_local_midnight_does_not_count_that_day():
    assert add_working_days(local(2026, 4, 15, 0, 0, 0), 1) == end_of(2026, 4, 16)


def test_local_midnight_is_19_00_utc_the_evening_before():
    one_second_before = dt.datetime(2026, 4, 14, 18, 59, 59, tzinfo=UTC)
    at_midnight = dt.datetime(2026, 4, 14, 19, 0, 0, tzinfo=UTC)

    assert add_working_days(one_second_before, 1) == end_of(2026, 4, 15)
    assert add_working_days(at_midnight, 1) == end_of(2026, 4, 16)


def test_start_after_the_end_of_the_working_day_still_counts_from_the_next_day():
    assert add_working_days(local(2026, 4, 14, 18, 0, 1), 1) == end_of(2026, 4, 15)


def test_start_in_another_zone_is_read_as_almaty_local_time():
    # 22:00 in Moscow (UTC+3) on Tuesday is 00:00 on Wednesday in Almaty.
    start = dt.datetime(2026, 4, 14, 22, 0, tzinfo=ZoneInfo("Europe/Moscow"))

    assert add_working_days(start, 1) == end_of(2026, 4, 16)


# Weekends, holidays and transfers


def test_two_working_days_from_a_thursday_cross_the_weekend():
    assert add_working_days(local(2026, 4, 16, 11), 2) == end_of(2026, 4, 20)


def test_from_the_friday_before_nauryz_2026_the_next_working_day_is_the_26th():
    # 21-23 March are Nauryz; 21 and 22 fell on the weekend, so 24 and 25 are off too.
    assert add_working_days(local(2026, 3, 20, 15), 1) == end_of(2026, 3, 26)
    assert next_working_day(dt.date(2026, 3, 20)) == dt.date(2026, 3, 26)


def test_a_holiday_on_a_weekend_gives_the_next_monday_off():
    # 8 March 2026 was a Sunday, 25 October 2025 a Saturday.
    assert not is_working_day(dt.date(2026, 3, 9))
    assert add_working_days(local(2026, 3, 6, 12), 1) == end_of(2026, 3, 10)
    assert not is_working_day(dt.date(2025, 10, 27))
    assert add_working_days(local(2025, 10, 24, 12), 1) == end_of(2025, 10, 28)


def test_five_working_days_cross_1_may_7_may_and_9_may_2026():
    # 1 May Fri, 2-3 weekend, 4-6 work, 7 May off, 8 work, 9 May Sat so 11 May off, 12 work.
    assert add_working_days(local(2026, 4, 30, 12), 5) == end_of(2026, 5, 12)


def test_five_working_days_cross_the_may_holidays_of_2027():
    # 1 May Sat so 3 May off, 4-6 work, 7 May off, 9 May Sun so 10 May off, 11-12 work.
    assert add_working_days(local(2027, 4, 30, 12), 5) == end_of(2027, 5, 12)


def test_religious_holidays_on_a_weekend_are_not_moved():
    # Kurban Ait 2027 is expected on Sunday 16 May; Monday 17 May stays a working day.
    assert not is_working_day(dt.date(2027, 5, 16))
    assert is_working_day(dt.date(2027, 5, 17))


def test_constitution_day_moved_from_30_august_to_15_march():
    assert is_working_day(dt.date(2026, 8, 31))
    assert not is_working_day(dt.date(2025, 9, 1))
    assert not is_working_day(dt.date(2027, 3, 15))


# Year ends


def test_from_new_years_eve_2025_the_next_working_day_is_5_january():
    start = local(2025, 12, 31, 16)

    assert add_working_days(start, 1) == end_of(2026, 1, 5)
    assert add_working_days(start, 2) == end_of(2026, 1, 6)
    assert add_working_days(start, 3) == end_of(2026, 1, 8)  # 7 January is Christmas


def test_2_january_2027_on_a_saturday_gives_monday_4_january_off():
    assert add_working_days(local(2026, 12, 31, 16), 1) == end_of(2027, 1, 5)


def test_the_working_sunday_of_5_january_2025_can_be_a_deadline():
    # Order No. 436 of 2024 moved the day off from Sunday 5 January to Friday 3 January.
    assert not is_working_day(dt.date(2025, 1, 3))
    assert is_working_day(dt.date(2025, 1, 5))
    assert add_working_days(local(2024, 12, 31, 12), 1) == end_of(2025, 1, 5)


def test_month_end_crosses_into_the_next_month():
    assert add_working_days(local(2026, 4, 29, 12), 3) == end_of(2026, 5, 5)


# Calendar days


def test_calendar_days_ending_on_a_working_day():
    assert add_calendar_days(local(2026, 4, 6, 12), 10) == end_of(2026, 4, 16)


def test_calendar_days_ending_on_a_saturday_end_on_monday():
    assert add_calendar_days(local(2026, 4, 1, 12), 10) == end_of(2026, 4, 13)


def test_calendar_days_ending_on_new_years_day_end_after_the_holidays():
    assert add_calendar_days(local(2026, 12, 22, 12), 10) == end_of(2027, 1, 5)


# Counting working days


def test_working_days_between_counts_after_the_first_day_up_to_the_last():
    assert working_days_between(local(2026, 4, 16, 9), local(2026, 4, 20, 9)) == 2
    assert working_days_between(local(2026, 3, 20, 9), local(2026, 3, 26, 9)) == 1
    assert working_days_between(local(2026, 4, 16, 9), local(2026, 4, 16, 17)) == 0


def test_working_days_between_is_negative_when_the_end_is_earlier():
    assert working_days_between(local(2026, 4, 20, 9), local(2026, 4, 16, 9)) == -2


def test_working_days_between_undoes_add_working_days():
    start = local(2025, 1, 1, 12)
    while start < local(2027, 12, 1):
        for days in (1, 2, 5, 10, 15):
            deadline = add_working_days(start, days)
            assert working_days_between(start, deadline) == days, (start, days)
        start += dt.timedelta(days=3)


# Refusals


def test_naive_datetimes_are_refused():
    naive = dt.datetime(2026, 4, 14, 12)

    with pytest.raises(ValueError, match="naive datetime 2026-04-14T12:00:00 refused"):
        add_working_days(naive, 1)
    with pytest.raises(ValueError, match="naive datetime"):
        add_calendar_days(naive, 1)
    with pytest.raises(ValueError, match="naive datetime"):
        working_days_between(local(2026, 4, 14, 12), naive)


def test_a_datetime_is_refused_where_a_local_date_is_expected():
    with pytest.raises(TypeError, match="pass a local date, not a datetime"):
        is_working_day(local(2026, 4, 14, 12))


def test_a_period_of_less_than_one_day_is_refused():
    with pytest.raises(ValueError, match="at least 1; got 0"):
        add_working_days(local(2026, 4, 14, 12), 0)
    with pytest.raises(ValueError, match="at least 1; got -3"):
        add_calendar_days(local(2026, 4, 14, 12), -3)


def test_a_year_outside_the_data_is_refused_with_where_to_add_it():
    message = r"no holiday calendar for 2029; add it to procurement/data/holidays_kz\.json"

    with pytest.raises(NoHolidayCalendar, match=message):
        is_working_day(dt.date(2029, 1, 3))


def test_a_deadline_running_past_the_data_is_refused():
    with pytest.raises(NoHolidayCalendar, match="no holiday calendar for 2028"):
        add_working_days(local(2027, 12, 30, 12), 2)


def test_another_calendar_can_be_passed_in():
    calendar = HolidayCalendar(
        version="test",
        zone="Asia/Almaty",
        years=frozenset({2030}),
        holidays=frozenset({dt.date(2030, 1, 1)}),
        transferred_days_off=frozenset(),
        working_weekends=frozenset(),
    )

    assert not is_working_day(dt.date(2030, 1, 1), calendar)
    assert add_working_days(local(2029, 12, 31, 12), 1, calendar=calendar) == end_of(2030, 1, 2)


# The data file


def test_data_file_is_versioned_for_almaty_and_covers_2025_to_2027():
    data = json.loads(HOLIDAYS_FILE.read_text(encoding="utf-8"))

    assert data["version"] == "2026-11-27"
    assert data["zone"] == "Asia/Almaty"
    assert default_calendar().years == {2025, 2026, 2027}
    assert default_calendar() is default_calendar()


def test_a_data_file_with_a_transferred_day_off_on_a_weekend_is_refused(tmp_path):
    data = json.loads(HOLIDAYS_FILE.read_text(encoding="utf-8"))
    data["years"]["2026"]["transferred_days_off"].append("2026-03-21")
    path = tmp_path / "holidays.json"
    path.write_text(json.dumps(data), encoding="utf-8")

    with pytest.raises(ValueError, match="a transferred day off falls on a weekend"):
        load_calendar(path)


def test_a_data_file_with_a_date_under_the_wrong_year_is_refused(tmp_path):
    data = json.loads(HOLIDAYS_FILE.read_text(encoding="utf-8"))
    data["years"]["2027"]["holidays"].append("2028-01-01")
    path = tmp_path / "holidays.json"
    path.write_text(json.dumps(data), encoding="utf-8")

    with pytest.raises(ValueError, match="2027: holidays: duplicate dates or dates outside 2027"):
        load_calendar(path)


def test_each_year_has_orthodox_christmas_and_one_kurban_ait():
    calendar = default_calendar()
    for year in calendar.years:
        days = {(d.month, d.day) for d in calendar.holidays if d.year == year}
        assert ORTHODOX_CHRISTMAS in days
        assert len(days - STATE_HOLIDAYS - {ORTHODOX_CHRISTMAS}) == 1, year


def test_transferred_days_off_are_the_weekend_rule_plus_government_transfers():
    calendar = default_calendar()
    expected = set(GOVERNMENT_TRANSFERS)
    for holiday in sorted(calendar.holidays):
        if (holiday.month, holiday.day) not in STATE_HOLIDAYS or holiday.weekday() < 5:
            continue
        day = holiday + dt.timedelta(days=1)
        while day.weekday() >= 5 or day in calendar.holidays or day in expected:
            day += dt.timedelta(days=1)
        expected.add(day)

    assert calendar.transferred_days_off == expected


def test_2026_weekday_days_off_match_the_calendar_published_in_january_but_31_august():
    calendar = default_calendar()
    weekdays_off = {
        day
        for day in (dt.date(2026, 1, 1) + dt.timedelta(days=n) for n in range(365))
        if day.weekday() < 5 and not is_working_day(day, calendar)
    }

    assert sorted(day.isoformat() for day in weekdays_off) == [
        "2026-01-01", "2026-01-02", "2026-01-07", "2026-03-09", "2026-03-23",
        "2026-03-24", "2026-03-25", "2026-05-01", "2026-05-07", "2026-05-11",
        "2026-05-27", "2026-07-06", "2026-10-26", "2026-12-16",
    ]  # fmt: skip
