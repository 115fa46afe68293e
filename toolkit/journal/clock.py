"""What time it is in the region: every date in the journal is Asia/Novokuznetsk local time."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass

from toolkit.journal.config import DEFAULT_TIMEZONE


@dataclass(frozen=True)
class Clock:
    """The moment a run is for: `now` is naive local time, `today` its date."""

    now: dt.datetime

    @property
    def today(self) -> dt.date:
        return self.now.date()

    @classmethod
    def local(cls, timezone: str = DEFAULT_TIMEZONE) -> Clock:
        now = dt.datetime.now(zoneinfo.ZoneInfo(timezone)).replace(tzinfo=None)
        return cls(now.replace(second=0, microsecond=0))

    @classmethod
    def at(cls, today: dt.date | dt.datetime) -> Clock:
        """A fixed moment; a bare date means the start of that day, so runs repeat exactly."""
        if isinstance(today, dt.datetime):
            return cls(today.replace(tzinfo=None, second=0, microsecond=0))
        return cls(dt.datetime(today.year, today.month, today.day))


def parse_today(text: str) -> dt.datetime | dt.date:
    """`--today` as ГГГГ-ММ-ДД, ДД.ММ.ГГГГ, or either with a time ЧЧ:ММ."""
    from toolkit.journal.cells import Problem, parse_datetime

    try:
        moment, has_time = parse_datetime(text.strip())
    except Problem:
        raise ValueError(text) from None
    return moment if has_time else moment.date()
