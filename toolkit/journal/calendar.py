"""Working days of the Russian production calendar, with local overrides.

    cal = WorkingCalendar()
    cal.add(dt.date(2023, 12, 29), 5)   # → 2024-01-15: not later than 5 working days from 29.12

The official calendar comes from the maintained `holidays` package: its RU calendar holds the
public holidays, the days off transferred by the Government's yearly decree and the working
Saturdays. "Not later than N working days from the day of X" is the N-th working day after X;
the day of X itself is not counted (Civil Code art. 191).

Working hours (cl. 1.2): the working day just before a non-working holiday is one hour shorter
(Labour Code art. 95); a working Saturday keeps the length of the weekday whose day off it took
(order of the Ministry of Health and Social Development No. 588н of 13.08.2009, cl. 1):

    cal.is_shortened(dt.date(2024, 2, 22))          # True: 23.02 is a holiday
    cal.hours(dt.date(2024, 2, 22), body.hours)     # (09:00, 17:00) for a 09:00–18:00 body
    cal.day_end_minutes(days, body.hours)           # numpy: minutes after midnight, -1 if closed
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

_ONE_DAY = dt.timedelta(days=1)

Span = tuple[dt.time, dt.time]  # start and end of the working hours on a day


def _decree_years() -> frozenset[int]:
    """Years whose transfer decree the installed `holidays` release knows."""
    from holidays.countries import russia

    static = getattr(russia, "RussiaStaticHolidays", None)
    known = getattr(static, "special_public_holidays", {}) or {}
    return frozenset(int(year) for year in known)


class WorkingCalendar:
    """Which days are working days, and deadlines counted in them."""

    def __init__(
        self, days_off: Iterable[dt.date] = (), working_days: Iterable[dt.date] = (),
        *, short_days: Iterable[dt.date] = (), hours: Mapping[dt.date, Span] | None = None,
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
        self.short_days = frozenset(short_days)
        self.day_hours: dict[dt.date, Span] = dict(hours or {})
        self._shortened: dict[int, frozenset[dt.date]] = {}
        self._tables: dict[tuple[int, tuple[Span | None, ...]], tuple[Any, Any]] = {}

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

    # --- Working hours (cl. 1.2) ---------------------------------------------------------

    def is_shortened(self, day: dt.date) -> bool:
        """A working day one hour shorter: before a non-working holiday, or listed locally."""
        if day in self.short_days:
            return self.is_working_day(day)
        return day in self._shortened_in(day.year)

    def shortened_days(self, year: int) -> tuple[dt.date, ...]:
        """The shortened working days of a year, in order (local short_days included)."""
        local = {d for d in self.short_days if d.year == year and self.is_working_day(d)}
        return tuple(sorted(self._shortened_in(year) | local))

    def _shortened_in(self, year: int) -> frozenset[dt.date]:
        found = self._shortened.get(year)
        if found is None:
            day, days = dt.date(year, 1, 1), set()
            while day.year == year:
                if self.is_working_day(day) and _pre_holiday(day):
                    days.add(day)
                day += _ONE_DAY
            found = self._shortened[year] = frozenset(days)
        return found

    def hours(self, day: dt.date, weekly: Sequence[Span | None]) -> Span | None:
        """A body's working hours on `day` from its weekly schedule (None: no reception).

        `weekly` is the schedule Monday…Sunday (`Body.hours`). A date in `[calendar] hours`
        takes those hours as they are. A Saturday or Sunday made a working day follows its own
        weekday's hours if the body has them, else those of the weekday whose day off it took
        (588н, cl. 1), else Monday's. On a shortened day the end is one hour earlier.
        """
        if not self.is_working_day(day):
            return None
        explicit = self.day_hours.get(day)
        if explicit is not None:
            return explicit
        span = weekly[day.weekday()]
        if span is None and day.weekday() >= 5:
            swapped = substitute_of(day)
            span = (weekly[swapped.weekday()] if swapped is not None else None) or weekly[0]
        if span is None or not self.is_shortened(day):
            return span
        end = dt.datetime.combine(day, span[1]) - dt.timedelta(hours=1)
        return (span[0], end.time()) if end.time() > span[0] else None

    def day_minutes(self, days: npt.ArrayLike, weekly: Sequence[Span | None]
                    ) -> tuple[np.ndarray, np.ndarray]:
        """`hours` for a whole column: start and end as minutes after midnight (int16).

        `days` is anything numpy makes datetime64[D] of; NaT, days without reception and
        years outside 1–9999 give -1 in both arrays. One table per year is built once.
        """
        import numpy as np

        values = np.asarray(days, dtype="datetime64[D]")
        start = np.full(values.shape, -1, dtype=np.int16)
        end = np.full(values.shape, -1, dtype=np.int16)
        valid = ~np.isnat(values)
        years = values.astype("datetime64[Y]").astype(np.int64) + 1970
        key = tuple(weekly)
        for year in np.unique(years[valid]).tolist():
            if not 1 <= year <= 9999:
                continue
            first, last = self._year_table(int(year), key)
            mask = valid & (years == year)
            offset = (values[mask] - np.datetime64(f"{year:04d}-01-01", "D")).astype(np.int64)
            start[mask] = first[offset]
            end[mask] = last[offset]
        return start, end

    def day_end_minutes(self, days: npt.ArrayLike, weekly: Sequence[Span | None]
                        ) -> np.ndarray:
        """When receptions end on each day, in minutes after midnight; -1 when closed."""
        return self.day_minutes(days, weekly)[1]

    def _year_table(self, year: int, weekly: tuple[Span | None, ...]) -> tuple[Any, Any]:
        table = self._tables.get((year, weekly))
        if table is None:
            import numpy as np

            size = (dt.date(year + 1, 1, 1) - dt.date(year, 1, 1)).days if year < 9999 else 365
            first = np.full(size, -1, dtype=np.int16)
            last = np.full(size, -1, dtype=np.int16)
            day = dt.date(year, 1, 1)
            for i in range(size):
                span = self.hours(day, weekly)
                if span is not None:
                    first[i] = span[0].hour * 60 + span[0].minute
                    last[i] = span[1].hour * 60 + span[1].minute
                if i + 1 < size:
                    day += _ONE_DAY
            table = self._tables[(year, weekly)] = (first, last)
        return table

    def unknown_years(self, days: npt.ArrayLike) -> frozenset[int]:
        """Years among `days` (datetime64 or dates) whose transfer decree is not known."""
        import numpy as np

        values = np.asarray(days, dtype="datetime64[D]")
        years = values[~np.isnat(values)].astype("datetime64[Y]").astype(np.int64) + 1970
        return frozenset(int(y) for y in np.unique(years).tolist() if not self.is_known(int(y)))

    @classmethod
    def from_settings(cls, settings: Any) -> WorkingCalendar:
        """The calendar with a config's `[calendar]` overrides (a `CalendarSettings`)."""
        return cls(settings.days_off, settings.working_days,
                   short_days=getattr(settings, "short_days", ()),
                   hours=dict(getattr(settings, "hours", ())))


# Non-working holidays of Labour Code art. 112 (since 2013): only the days before these are
# shortened, not the days before a day off transferred by decree.
HOLIDAYS_ART_112: frozenset[tuple[int, int]] = frozenset(
    [(1, d) for d in range(1, 9)] + [(2, 23), (3, 8), (5, 1), (5, 9), (6, 12), (11, 4)]
)


def is_holiday_art_112(day: dt.date) -> bool:
    """A non-working holiday of art. 112 (not a transferred or observed day off)."""
    return (day.month, day.day) in HOLIDAYS_ART_112


def _pre_holiday(day: dt.date) -> bool:
    """Art. 95: the next day is a holiday; 588н: or the weekday whose day off `day` took was."""
    if is_holiday_art_112(day + _ONE_DAY):
        return True
    if day.weekday() >= 5:
        swapped = substitute_of(day)
        return swapped is not None and is_holiday_art_112(swapped + _ONE_DAY)
    return False


def substitute_of(day: dt.date) -> dt.date | None:
    """The weekday a working Saturday's (Sunday's) day off was moved to by decree, if any."""
    return _substitutes().get(day)


@functools.cache
def _substitutes() -> dict[dt.date, dt.date]:
    """{working weekend day: the day off it gave} from the decrees `holidays` knows."""
    from holidays.countries import russia

    static = getattr(russia, "RussiaStaticHolidays", None)
    found: dict[dt.date, dt.date] = {}
    for year, entries in (getattr(static, "special_public_holidays", {}) or {}).items():
        # One transfer is written as a bare tuple, several as a tuple of tuples.
        rows = (entries,) if entries and isinstance(entries[0], int) else entries
        for row in rows:
            if len(row) < 4:
                continue  # a named special holiday, not a transfer
            to_month, to_day, from_month, from_day, *rest = row
            source = dt.date(rest[0] if rest else year, from_month, from_day)
            if source.weekday() >= 5 and not is_holiday_art_112(source):
                found[source] = dt.date(year, to_month, to_day)
    return found
