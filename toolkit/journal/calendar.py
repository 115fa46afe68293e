"""Working days of the Russian production calendar, with local overrides.

    cal = WorkingCalendar()
    cal.add(dt.date(2023, 12, 29), 5)   # → 2024-01-15: not later than 5 working days from 29.12

The official calendar comes from the maintained `holidays` package: its RU calendar holds the
public holidays, the days off transferred by the Government's yearly decree and the working
Saturdays. "Not later than N working days from the day of X" is the N-th working day after X;
the day of X itself is not counted (Civil Code art. 191).
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Iterable

_ONE_DAY = dt.timedelta(days=1)


def _decree_years() -> frozenset[int]:
    """Years whose transfer decree the installed `holidays` release knows."""
    from holidays.countries import russia

    static = getattr(russia, "RussiaStaticHolidays", None)
    known = getattr(static, "special_public_holidays", {}) or {}
    return frozenset(int(year) for year in known)


class WorkingCalendar:
    """Which days are working days, and deadlines counted in them."""

    def __init__(
        self, days_off: Iterable[dt.date] = (), working_days: Iterable[dt.date] = ()
    ) -> None:
        self.days_off = frozenset(days_off)
        self.working_days = frozenset(working_days)
        overlap = self.days_off & self.working_days
        if overlap:
            day = min(overlap)
            raise ValueError(f"{day:%d.%m.%Y} указан и выходным, и рабочим днем")
        self._years: set[int] = set()
        self._ordinals: list[int] = []  # sorted ordinals of working days in self._years
        self._decree_years = _decree_years() | {d.year for d in self.days_off | self.working_days}
        self._added: dict[tuple[dt.date, int], dt.date] = {}
        self._working: dict[dt.date, bool] = {}

    def _load(self, year: int) -> None:
        if year in self._years:
            return
        import holidays

        official = holidays.country_holidays("RU", years=year)
        saturdays = {d for d in getattr(official, "weekend_workdays", ()) if d.year == year}
        day = dt.date(year, 1, 1)
        found: list[int] = []
        while day.year == year:
            working = (day.weekday() < 5 or day in saturdays) and day not in official
            if day in self.days_off:
                working = False
            elif day in self.working_days:
                working = True
            if working:
                found.append(day.toordinal())
            day += _ONE_DAY
        self._years.add(year)
        self._ordinals = sorted(self._ordinals + found)

    def _span(self, first: dt.date, last: dt.date) -> None:
        for year in range(first.year, last.year + 1):
            self._load(year)

    def is_working_day(self, day: dt.date) -> bool:
        known = self._working.get(day)
        if known is None:
            self._load(day.year)
            i = bisect.bisect_left(self._ordinals, day.toordinal())
            known = self._working[day] = (
                i < len(self._ordinals) and self._ordinals[i] == day.toordinal()
            )
        return known

    def add(self, day: dt.date, n: int) -> dt.date:
        """The n-th working day after `day` (n ≥ 1); `day` itself is never counted."""
        key = (day, n)
        found = self._added.get(key)
        if found is None:
            found = self._added[key] = self._add(day, n)
        return found

    def _add(self, day: dt.date, n: int) -> dt.date:
        if n < 1:
            raise ValueError("n must be at least 1")
        # Each year has well over n working days for the small n the order uses.
        self._span(day, dt.date(day.year + 1 + n // 200, 12, 31))
        i = bisect.bisect_right(self._ordinals, day.toordinal()) + n - 1
        return dt.date.fromordinal(self._ordinals[i])

    def next_working_day(self, day: dt.date) -> dt.date:
        return self.add(day, 1)

    def count_between(self, start: dt.date, end: dt.date) -> int:
        """Working days after `start` up to and including `end` (0 when end ≤ start)."""
        if end <= start:
            return 0
        self._span(start, end)
        lo = bisect.bisect_right(self._ordinals, start.toordinal())
        hi = bisect.bisect_right(self._ordinals, end.toordinal())
        return hi - lo

    def first_working_day(self, year: int, month: int) -> dt.date:
        """The first working day of a month: when monthly reports go out."""
        return self.add(dt.date(year, month, 1) - _ONE_DAY, 1)

    def ordinals(self, first_year: int, last_year: int) -> list[int]:
        """Sorted ordinals of the working days of the years `first_year`…`last_year`."""
        for year in range(first_year, last_year + 1):
            self._load(year)
        lo = bisect.bisect_left(self._ordinals, dt.date(first_year, 1, 1).toordinal())
        hi = bisect.bisect_right(self._ordinals, dt.date(last_year, 12, 31).toordinal())
        return self._ordinals[lo:hi]

    def is_known(self, year: int) -> bool:
        """Whether the transfer decree for `year` is known (else deadlines may be off)."""
        return year in self._decree_years

    @property
    def known_years(self) -> frozenset[int]:
        return self._decree_years
