"""The month a report is for, and the moment its figures are taken at."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from toolkit.journal.errors import ToolkitError
from toolkit.journal.russian import MONTHS_PREPOSITIONAL, month_name

_ONE_DAY = dt.timedelta(days=1)
_MONTH_RE = re.compile(r"^\s*(\d{4})-(\d{1,2})\s*$")



class StatsError(ToolkitError):
    """Statistics asked for a month that cannot have any (e.g. one still ahead)."""


@dataclass(frozen=True, order=True)
class Month:
    """A calendar month: what a monthly report is for."""

    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> Month:
        m = _MONTH_RE.match(text)
        if not m or not 1 <= int(m.group(2)) <= 12 or int(m.group(1)) < 1900:
            raise ValueError(f"«{text}» — не месяц; укажите ГГГГ-ММ, например 2026-11")
        return cls(int(m.group(1)), int(m.group(2)))

    @classmethod
    def of(cls, day: dt.date) -> Month:
        return cls(day.year, day.month)

    @property
    def first(self) -> dt.date:
        return dt.date(self.year, self.month, 1)

    @property
    def last(self) -> dt.date:
        return self.next().first - _ONE_DAY

    @property
    def end(self) -> dt.datetime:
        """The month's last minute: statistics «as of the month's end» look from there."""
        return dt.datetime.combine(self.last, dt.time(23, 59))

    def next(self) -> Month:
        return Month(self.year + self.month // 12, self.month % 12 + 1)

    def previous(self) -> Month:
        return Month(self.year - (self.month == 1), (self.month - 2) % 12 + 1)

    @property
    def key(self) -> str:
        """«2026-11»: how files, JSON and the outbox ledger name the month."""
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def title(self) -> str:
        """«Ноябрь 2026»."""
        return month_name(self.month, self.year)

    @property
    def in_text(self) -> str:
        """«в ноябре 2026 г.»."""
        return f"в {MONTHS_PREPOSITIONAL[self.month - 1]} {self.year} г."

    def __str__(self) -> str:
        return self.key


def report_period(month: Month, now: dt.datetime) -> tuple[dt.datetime, bool]:
    """The moment the month's figures are for, and whether the month is over.

    A past month is seen at its last minute; the current month as it stands `now`.
    """
    if now < dt.datetime.combine(month.first, dt.time()):
        raise StatsError(f"{month.title}: месяц еще не наступил (сегодня {now:%d.%m.%Y})")
    end = month.end
    if now > end:
        return end, True
    return now, False

