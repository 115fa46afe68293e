"""The month's figures per body and in total, and their JSON form (`vks-stats/1`).

The JSON contract: fields are only ever added, never renamed or removed (see README,
«vks stats»).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from toolkit.stats.activity import SPECIALIST_KEYS, SpecialistStats
from toolkit.stats.kinds import clause_of, clause_order, title_of
from toolkit.stats.period import Month
from toolkit.stats.states import MEASURES, SECTIONS, STATES
from toolkit.stats.trend import TREND_KEYS, Overdue, TrendPoint

FORMAT = "vks-stats/1"


@dataclass(frozen=True)
class RowRef:
    """A journal row named by sheet and cells only: reports never quote personal data."""

    body: str
    sheet: str
    row: int
    cells: str

    def to_dict(self) -> dict[str, Any]:
        return {"body": self.body, "sheet": self.sheet, "row": self.row, "cells": self.cells}


@dataclass
class BodyStats:
    """One body's figures for the month (or the totals across bodies)."""

    body: str
    counts: dict[str, int]
    previous: dict[str, int]
    days_median: float | None = None
    days_max: int | None = None
    topics: list[tuple[str, int]] = field(default_factory=list)
    violations: dict[str, int] = field(default_factory=dict)  # error code → open findings
    not_classified: list[RowRef] = field(default_factory=list)
    overdue_now: Overdue = field(default_factory=Overdue)  # as of the report's `today`
    trend: list[TrendPoint] = field(default_factory=list)  # 12 months, the report's last
    specialists: list[SpecialistStats] = field(default_factory=list)
    breaches: dict[str, int] = field(default_factory=dict)  # code → breaches of this month
    previous_breaches: dict[str, int] = field(default_factory=dict)  # of the previous month
    breaches_earlier: dict[str, int] = field(default_factory=dict)  # still open, earlier
    data_slips: dict[str, int] = field(default_factory=dict)  # code → slips in month's rows

    def change(self, key: str) -> int:
        return self.counts[key] - self.previous[key]

    @property
    def states(self) -> dict[str, int]:
        """The month's partition: every application in exactly one final state."""
        out = {key: self.counts[key] for key in STATES}
        out["held"] -= self.counts["held_unidentified"]  # the measure «held» includes them
        return out

    def breach_rows(self) -> list[tuple[str, int, int]]:
        """(code, this month, previous month) by clause, the most frequent first."""
        codes = set(self.breaches) | set(self.previous_breaches)
        rows = [(c, self.breaches.get(c, 0), self.previous_breaches.get(c, 0)) for c in codes]
        return sorted(rows, key=lambda r: (clause_order(clause_of(r[0])), -r[1], -r[2], r[0]))

    def to_dict(self) -> dict[str, Any]:
        from toolkit.journal.findings import CODES

        return {
            "body": self.body,
            "counts": dict(self.counts),
            "previous": dict(self.previous),
            "change": {key: self.change(key) for key in self.counts},
            "decision_days": {"median": self.days_median, "max": self.days_max},
            "topics": [{"topic": t, "count": n} for t, n in self.topics],
            "violations": [
                {"code": code, "clause": CODES[code].clause, "title": CODES[code].title,
                 "count": n}
                for code, n in self.violations.items()
            ],
            "not_classified": [r.to_dict() for r in self.not_classified],
            "partition": self.states,
            "overdue_now": self.overdue_now.to_dict(),
            "trend": [p.to_dict() for p in self.trend],
            "specialists": [s.to_dict() for s in self.specialists],
            "breaches": [{**_code(code), "count": n, "previous": before}
                         for code, n, before in self.breach_rows()],
            "breaches_earlier": [{**_code(code), "count": n}
                                 for code, n in self.breaches_earlier.items()],
            "data_slips": [{**_code(code), "count": n} for code, n in self.data_slips.items()],
        }


def _code(code: str) -> dict[str, str]:
    return {"code": code, "clause": clause_of(code), "title": title_of(code)}


@dataclass
class MonthlyStats:
    """The month's figures for each body and in total."""

    month: Month
    as_of: dt.datetime  # the moment the figures are for
    complete: bool  # the month is over (as_of is its last minute)
    bodies: list[BodyStats]
    total: BodyStats
    undated: list[RowRef] = field(default_factory=list)  # rows with no readable receipt date
    today: dt.date | None = None  # the day `overdue_now` is for (None: the as_of day)

    @property
    def overdue_day(self) -> dt.date:
        return self.today or self.as_of.date()

    def for_body(self, name: str) -> MonthlyStats:
        """The same report narrowed to one body: its figures are also the total."""
        for body in self.bodies:
            if body.body == name:
                undated = [r for r in self.undated if r.body == name]
                return dataclasses.replace(self, bodies=[body], total=body, undated=undated)
        raise KeyError(name)

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "month": self.month.key,
            "as_of": self.as_of.isoformat(timespec="minutes"),
            "complete": self.complete,
            "previous_month": self.month.previous().key,
            "today": self.overdue_day.isoformat(),
            "sections": [{"key": key, "title": title} for key, title in SECTIONS],
            "measures": [{"key": m.key, "label": m.label, "heading": m.heading, "level": m.level,
                          "section": m.section} for m in MEASURES],
            "states": list(STATES),
            "trend_keys": list(TREND_KEYS),
            "specialist_keys": list(SPECIALIST_KEYS),
            "bodies": [b.to_dict() for b in self.bodies],
            "total": self.total.to_dict(),
            "undated": [r.to_dict() for r in self.undated],
        }

