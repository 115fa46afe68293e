"""The month's figures per body and in total, and their JSON form (`vks-stats/1`).

The JSON contract: fields are only ever added, never renamed or removed (see README,
«vks stats»).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from toolkit.stats.period import Month
from toolkit.stats.states import MEASURES, STATES

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

    def change(self, key: str) -> int:
        return self.counts[key] - self.previous[key]

    @property
    def states(self) -> dict[str, int]:
        return {key: self.counts[key] for key in STATES}

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
        }


@dataclass
class MonthlyStats:
    """The month's figures for each body and in total."""

    month: Month
    as_of: dt.datetime  # the moment the figures are for
    complete: bool  # the month is over (as_of is its last minute)
    bodies: list[BodyStats]
    total: BodyStats
    undated: list[RowRef] = field(default_factory=list)  # rows with no readable receipt date

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
            "measures": [{"key": m.key, "label": m.label, "heading": m.heading, "level": m.level}
                         for m in MEASURES],
            "states": list(STATES),
            "bodies": [b.to_dict() for b in self.bodies],
            "total": self.total.to_dict(),
            "undated": [r.to_dict() for r in self.undated],
        }

