"""The production calendar: holidays, transferred days off, working Saturdays, overrides."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from toolkit.journal.calendar import WorkingCalendar

D = dt.date


@pytest.fixture(scope="module")
def cal() -> WorkingCalendar:
    return WorkingCalendar()


def test_rules_example_new_year_2024(cal: WorkingCalendar) -> None:
    # RULES.md: received Friday 29.12.2023 → 5 working days → due Monday 15.01.2024.
    assert cal.add(D(2023, 12, 29), 5) == D(2024, 1, 15)


@pytest.mark.parametrize("day", [D(2024, 1, d) for d in range(1, 9)])
def test_new_year_holidays_2024_are_days_off(cal: WorkingCalendar, day: dt.date) -> None:
    assert not cal.is_working_day(day)


def test_day_of_x_is_not_counted(cal: WorkingCalendar) -> None:
    # Received Monday → 1 working day → Tuesday, never the Monday itself.
    assert cal.add(D(2026, 11, 23), 1) == D(2026, 11, 24)
    # Received on a Saturday: counting starts on Monday.
    assert cal.add(D(2026, 11, 28), 1) == D(2026, 11, 30)


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (D(2023, 2, 24), False),  # transferred from 01.01.2023
        (D(2023, 5, 8), False),  # transferred from 08.01.2023
        (D(2024, 4, 27), True),  # working Saturday
        (D(2024, 4, 29), False),  # transferred from 27.04
        (D(2024, 4, 30), False),  # transferred from 02.11
        (D(2024, 5, 10), False),  # transferred from 06.01
        (D(2024, 11, 2), True),  # working Saturday
        (D(2024, 12, 28), True),  # working Saturday
        (D(2024, 12, 30), False),
        (D(2024, 12, 31), False),
        (D(2025, 5, 2), False),  # transferred from 04.01.2025
        (D(2025, 5, 8), False),  # transferred from 05.01.2025
        (D(2025, 11, 1), True),  # working Saturday
        (D(2025, 11, 3), False),  # transferred from 01.11.2025
        (D(2025, 12, 31), False),
        (D(2026, 1, 9), False),  # transferred from 03.01.2026
        (D(2026, 3, 9), False),  # 08.03 fell on Sunday
        (D(2026, 5, 11), False),  # 09.05 fell on Saturday
        (D(2026, 11, 4), False),  # Unity Day
        (D(2026, 12, 31), False),  # transferred from 04.01.2026
        (D(2026, 11, 27), True),
    ],
)
def test_official_calendar(cal: WorkingCalendar, day: dt.date, working: bool) -> None:
    assert cal.is_working_day(day) is working


def test_may_holidays_2024(cal: WorkingCalendar) -> None:
    # 27.04 is a working Saturday, 28.04–01.05 off, 02–03.05 working, 09–12.05 off.
    assert cal.add(D(2024, 4, 26), 1) == D(2024, 4, 27)
    assert cal.add(D(2024, 4, 27), 1) == D(2024, 5, 2)
    assert cal.add(D(2024, 5, 8), 1) == D(2024, 5, 13)


def test_working_saturday_counts(cal: WorkingCalendar) -> None:
    assert cal.add(D(2025, 10, 31), 1) == D(2025, 11, 1)
    assert cal.add(D(2025, 10, 31), 2) == D(2025, 11, 5)  # 02.11 Sunday, 03–04.11 off


def test_overrides_take_precedence() -> None:
    cal = WorkingCalendar(days_off=[D(2026, 12, 30)], working_days=[D(2026, 12, 26)])
    assert not cal.is_working_day(D(2026, 12, 30))
    assert cal.is_working_day(D(2026, 12, 26))
    assert cal.add(D(2026, 12, 25), 1) == D(2026, 12, 26)
    assert cal.add(D(2026, 12, 29), 1) == D(2027, 1, 11)


def test_conflicting_overrides_rejected() -> None:
    with pytest.raises(ValueError, match=r"30\.12\.2026"):
        WorkingCalendar(days_off=[D(2026, 12, 30)], working_days=[D(2026, 12, 30)])


def test_count_between(cal: WorkingCalendar) -> None:
    assert cal.count_between(D(2023, 12, 29), D(2024, 1, 15)) == 5
    assert cal.count_between(D(2026, 11, 27), D(2026, 11, 27)) == 0
    assert cal.count_between(D(2026, 11, 27), D(2026, 11, 20)) == 0
    assert cal.count_between(D(2026, 11, 20), D(2026, 11, 27)) == 5


def test_first_working_day_of_month(cal: WorkingCalendar) -> None:
    assert cal.first_working_day(2026, 1) == D(2026, 1, 12)
    assert cal.first_working_day(2026, 11) == D(2026, 11, 2)
    assert cal.first_working_day(2025, 11) == D(2025, 11, 1)  # a working Saturday


def test_known_decree_years(cal: WorkingCalendar) -> None:
    assert all(cal.is_known(y) for y in range(2023, 2027))
    assert not cal.is_known(2099)
    # An override for a year counts as the local decree for it.
    assert WorkingCalendar(days_off=[D(2099, 1, 2)]).is_known(2099)


def test_counting_far_ahead(cal: WorkingCalendar) -> None:
    assert cal.add(D(2026, 11, 27), 250) > D(2027, 11, 1)


# --- Working hours (cl. 1.2): shortened pre-holiday days -------------------------------------

DATA = Path(__file__).resolve().parent / "data"
HOURS_9_18 = ((dt.time(9), dt.time(18)),) * 4 + ((dt.time(9), dt.time(17)), None, None)
T = dt.time


def official_shortened() -> dict[int, list[dt.date]]:
    """tests/data/shortened_days.tsv: the official lists, written by hand with sources."""
    found: dict[int, list[dt.date]] = {}
    for line in (DATA / "shortened_days.tsv").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            year, day, _ = line.split("\t")
            found.setdefault(int(year), []).append(dt.date.fromisoformat(day))
    return found


OFFICIAL = official_shortened()


def test_official_lists_cover_the_years_in_use() -> None:
    assert sorted(OFFICIAL) == [2023, 2024, 2025, 2026]


@pytest.mark.parametrize("year", sorted(OFFICIAL))
def test_shortened_days_match_the_official_calendar(cal: WorkingCalendar, year: int) -> None:
    assert list(cal.shortened_days(year)) == OFFICIAL[year]
    assert all(cal.is_shortened(day) and cal.is_working_day(day) for day in OFFICIAL[year])


@pytest.mark.parametrize(
    "day",
    [
        D(2024, 4, 27),  # working Saturday for Monday 29.04: a full day
        D(2024, 12, 28),  # working Saturday for Monday 30.12: 31.12 is not a holiday
        D(2025, 5, 7),  # 08.05.2025 is a transferred day off, not a holiday
        D(2026, 2, 20),  # Friday before Monday 23.02: a weekend lies between
        D(2026, 3, 6),  # 08.03 fell on Sunday; 09.03 is a transferred day off
        D(2026, 12, 30),  # 31.12.2026 is a transferred day off
        D(2024, 5, 9),  # a holiday is not a shortened working day
    ],
)
def test_not_shortened(cal: WorkingCalendar, day: dt.date) -> None:
    assert not cal.is_shortened(day)


def test_hours_end_an_hour_early_before_a_holiday(cal: WorkingCalendar) -> None:
    # RULES.md examples: 22.02.2024 (Thursday), 07.03.2024 (Thursday), 11.06.2024 (Tuesday).
    for day in (D(2024, 2, 22), D(2024, 3, 7), D(2024, 6, 11)):
        assert cal.hours(day, HOURS_9_18) == (T(9), T(17))
    assert cal.hours(D(2024, 2, 21), HOURS_9_18) == (T(9), T(18))
    # A Friday with its own shorter schedule loses an hour of it: 07.03.2025.
    assert cal.hours(D(2025, 3, 7), HOURS_9_18) == (T(9), T(16))
    assert cal.hours(D(2024, 2, 23), HOURS_9_18) is None  # the holiday itself
    assert cal.hours(D(2024, 2, 24), HOURS_9_18) is None  # Saturday


def test_working_saturday_follows_the_weekday_it_replaces(cal: WorkingCalendar) -> None:
    # 588н cl. 1: 02.11.2024 is worked for Tuesday 30.04 (before 01.05): Tuesday's hours less one.
    tuesday_short = (HOURS_9_18[0], (T(8), T(15)), *HOURS_9_18[2:])
    assert cal.hours(D(2024, 11, 2), tuesday_short) == (T(8), T(14))
    assert cal.hours(D(2024, 11, 2), HOURS_9_18) == (T(9), T(17))
    assert cal.hours(D(2024, 12, 28), HOURS_9_18) == (T(9), T(18))  # for Monday 30.12: full
    # A body that receives on Saturdays keeps its own Saturday hours (shortened if due).
    saturdays = (*HOURS_9_18[:5], (T(10), T(14)), None)
    assert cal.hours(D(2025, 11, 1), saturdays) == (T(10), T(13))
    assert cal.hours(D(2024, 4, 27), saturdays) == (T(10), T(14))


def test_a_slot_at_17_30_is_outside_a_shortened_day(cal: WorkingCalendar) -> None:
    start, end = cal.hours(D(2024, 6, 11), HOURS_9_18) or (T(0), T(0))
    slot, slot_end = T(17, 30), T(17, 45)
    assert not (start <= slot and slot_end <= end)
    assert cal.hours(D(2024, 6, 10), HOURS_9_18) == (T(9), T(18))


def test_local_short_days_and_exact_hours() -> None:
    local = WorkingCalendar(short_days=[D(2026, 12, 30), D(2026, 12, 31)],
                            hours={D(2026, 6, 11): (T(9), T(18)), D(2026, 11, 27): (T(10), T(12))})
    assert local.is_shortened(D(2026, 12, 30))
    assert not local.is_shortened(D(2026, 12, 31))  # a day off stays one
    assert local.shortened_days(2026) == (D(2026, 4, 30), D(2026, 5, 8), D(2026, 6, 11),
                                         D(2026, 11, 3), D(2026, 12, 30))
    assert local.hours(D(2026, 12, 30), HOURS_9_18) == (T(9), T(17))
    # Exact hours win over the schedule and over the shortening (the body works 11.06 in full).
    assert local.hours(D(2026, 6, 11), HOURS_9_18) == (T(9), T(18))
    assert local.hours(D(2026, 11, 27), HOURS_9_18) == (T(10), T(12))
    assert local.hours(D(2026, 11, 28), HOURS_9_18) is None


def test_from_settings_takes_the_config_overrides() -> None:
    from toolkit.journal.config import parse_config

    config = parse_config({"calendar": {"days_off": ["2026-12-29"],
                                        "short_days": ["2026-12-30"],
                                        "hours": {"2026-06-11": "09:00-18:00"}}})
    local = WorkingCalendar.from_settings(config.calendar)
    assert not local.is_working_day(D(2026, 12, 29))
    assert local.hours(D(2026, 12, 30), HOURS_9_18) == (T(9), T(17))
    assert local.hours(D(2026, 6, 11), HOURS_9_18) == (T(9), T(18))
    assert WorkingCalendar.from_settings(parse_config({}).calendar).hours(
        D(2026, 6, 11), HOURS_9_18) == (T(9), T(17))


def test_day_minutes_for_a_column(cal: WorkingCalendar) -> None:
    days = np.array(["2024-06-11", "2024-06-10", "2024-06-12", "NaT", "2025-03-07",
                     "2026-12-31", "2024-11-02"], dtype="datetime64[D]")
    start, end = cal.day_minutes(days, HOURS_9_18)
    assert start.tolist() == [540, 540, -1, -1, 540, -1, 540]
    assert end.tolist() == [1020, 1080, -1, -1, 960, -1, 1020]
    assert cal.day_end_minutes(days, HOURS_9_18).tolist() == end.tolist()
    # Dates from pandas or datetime64[ns] work the same; a shape is kept.
    frame_days = pd.to_datetime(pd.Series(["2024-02-22 17:30", None, "2024-02-21 10:00"]))
    assert cal.day_end_minutes(frame_days.to_numpy().astype("datetime64[D]"),
                               HOURS_9_18).tolist() == [1020, -1, 1080]
    assert cal.day_end_minutes(days.reshape(7, 1), HOURS_9_18).shape == (7, 1)


def test_day_minutes_agree_with_hours_over_years(cal: WorkingCalendar) -> None:
    days = np.arange(np.datetime64("2022-12-25"), np.datetime64("2027-01-10"))
    start, end = cal.day_minutes(days, HOURS_9_18)
    for i, day in enumerate(days.astype(dt.date).tolist()):
        span = cal.hours(day, HOURS_9_18)
        expected = (-1, -1) if span is None else (span[0].hour * 60 + span[0].minute,
                                                  span[1].hour * 60 + span[1].minute)
        assert (start[i], end[i]) == expected, day


def test_unknown_years_of_a_column(cal: WorkingCalendar) -> None:
    days = np.array(["2026-05-08", "2099-05-08", "NaT"], dtype="datetime64[D]")
    assert cal.unknown_years(days) == frozenset({2099})
    # Friday 08.05, the day before Victory Day, in a known and in an unknown year alike.
    assert cal.day_end_minutes(days, HOURS_9_18).tolist() == [960, 960, -1]
