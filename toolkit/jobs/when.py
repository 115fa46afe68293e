"""`[when]` of a job declaration: on which days (by the production calendar) and at which local
times a job runs, and its slots before or after a moment."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from toolkit.journal.calendar import WorkingCalendar

FIRST_WORKING_DAY = "first-working-day"
HORIZON_DAYS = 400  # how far next/previous slots are looked for: a yearly job fits
_ONE_DAY = dt.timedelta(days=1)
WEEKDAY_SHORT = ("пн", "вт", "ср", "чт", "пт", "сб", "вс")


@dataclass(frozen=True)
class When:
    """The job's timetable: which days are due, and at what local times."""

    times: tuple[dt.time, ...]
    weekdays: frozenset[int] = frozenset(range(7))  # 0 = Monday
    working_days: bool = False  # only working days of the production calendar
    month_day: int | None = None  # only this day of the month
    first_working_day: bool = False  # only the first working day of the month
    months: frozenset[int] = frozenset(range(1, 13))

    def is_due(self, day: dt.date, calendar: WorkingCalendar) -> bool:
        """Whether the job runs on `day` (at each of its times)."""
        if day.weekday() not in self.weekdays or day.month not in self.months:
            return False
        if self.month_day is not None and day.day != self.month_day:
            return False
        if self.first_working_day and day != calendar.first_working_day(day.year, day.month):
            return False
        return not self.working_days or calendar.is_working_day(day)

    def slots(self, after: dt.datetime, until: dt.datetime,
              calendar: WorkingCalendar) -> Iterator[dt.datetime]:
        """The local moments the job is due at, `after` < slot ≤ `until`, in order."""
        day = max(after.date(), (until - dt.timedelta(days=HORIZON_DAYS)).date())
        while day <= until.date():
            if self.is_due(day, calendar):
                for at in self.times:
                    slot = dt.datetime.combine(day, at)
                    if after < slot <= until:
                        yield slot
            day += _ONE_DAY

    def latest_slot(self, until: dt.datetime, after: dt.datetime,
                    calendar: WorkingCalendar) -> dt.datetime | None:
        """The last slot in (`after`, `until`]: a run missed in that span is caught up once."""
        day = until.date()
        stop = max(after.date(), (until - dt.timedelta(days=HORIZON_DAYS)).date())
        while day >= stop:
            if self.is_due(day, calendar):
                for at in reversed(self.times):
                    slot = dt.datetime.combine(day, at)
                    if after < slot <= until:
                        return slot
            day -= _ONE_DAY
        return None

    def next_slot(self, after: dt.datetime, calendar: WorkingCalendar) -> dt.datetime | None:
        """The first slot later than `after` (None if there is none within a year or so)."""
        day = after.date()
        for _ in range(HORIZON_DAYS):
            if self.is_due(day, calendar):
                for at in self.times:
                    slot = dt.datetime.combine(day, at)
                    if slot > after:
                        return slot
            day += _ONE_DAY
        return None

    def describe(self) -> str:
        """In Russian, as `vks status` shows it: «по рабочим дням в 08:30»."""
        parts = []
        if self.months != frozenset(range(1, 13)):
            from toolkit.journal.russian import MONTHS_NOMINATIVE

            parts.append("в " + ", ".join(MONTHS_NOMINATIVE[m - 1] for m in sorted(self.months)))
        if self.first_working_day:
            parts.append("в первый рабочий день месяца")
        elif self.month_day is not None:
            parts.append(f"{self.month_day}-го числа")
        if self.weekdays != frozenset(range(7)):
            parts.append("по дням: " + ", ".join(WEEKDAY_SHORT[d] for d in sorted(self.weekdays)))
        if self.working_days and not self.first_working_day:
            parts.append("по рабочим дням")
        if not parts:
            parts.append("ежедневно")
        times = ", ".join(f"{t:%H:%M}" for t in self.times)
        return " ".join(parts) + f" в {times}"
