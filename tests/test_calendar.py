"""The production calendar: holidays, transferred days off, working Saturdays, overrides."""

from __future__ import annotations

import datetime as dt

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
