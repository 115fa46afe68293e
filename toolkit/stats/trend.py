"""The twelve months up to the report's, and the decisions overdue right now.

Per month and body: applications received (graph 2), decisions taken (by their date), receptions
held (by their session time) and decisions overdue at the month's end (cl. 2.5: no decision
then, and the 5th working day after receipt already past). The report's own month ends at its
`as_of`, so its point equals the month's figures (`received`, `decisions_month`,
`sessions_held`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from toolkit.journal.schema import Decision, Stage
from toolkit.stats.activity import month_window, stage_of
from toolkit.stats.period import Month
from toolkit.stats.states import DECISION_CODES

TREND_MONTHS = 12
TREND_KEYS = ("received", "decided", "held", "overdue")
_HELD = list(Stage).index(Stage.HELD) + 1


@dataclass(frozen=True)
class TrendPoint:
    """One month of the trend."""

    month: Month
    received: int
    decided: int
    held: int
    overdue: int

    def to_dict(self) -> dict[str, Any]:
        return {"month": self.month.key, "received": self.received, "decided": self.decided,
                "held": self.held, "overdue": self.overdue}


@dataclass(frozen=True)
class Overdue:
    """Decisions overdue on a day (cl. 2.5), and the earliest deadline among them."""

    count: int = 0
    oldest_due: dt.date | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"count": self.count,
                "oldest_due": self.oldest_due.isoformat() if self.oldest_due else None}


def trend_months(month: Month) -> list[Month]:
    """The report's month and the eleven before it, oldest first."""
    months = [month]
    while len(months) < TREND_MONTHS:
        months.append(months[-1].previous())
    return months[::-1]


def overdue_mask(frame: pd.DataFrame, due: np.ndarray, day: np.datetime64, as_is: bool = False
                 ) -> np.ndarray:
    """Rows whose decision was overdue on `day` as the journal's dates tell.

    Like the `decision-overdue` rule: received, no decision by then (none, or dated later —
    unless the journal is taken `as_is`), the decision cell readable, the deadline before `day`.
    """
    undecided = frame["decision"].to_numpy() == 0
    if not as_is:
        undecided |= frame["decision_date"].to_numpy() > day
    return undecided & ~frame["decision_unread"].to_numpy() & (due < day)


def count_trend(frame: pd.DataFrame, month: Month, as_of: dt.datetime, complete: bool,
                due: np.ndarray) -> np.ndarray:
    """Bodies × TREND_MONTHS × TREND_KEYS counts (see the module docstring)."""
    months = trend_months(month)
    edges = np.array([np.datetime64(m.first, "s") for m in [*months, month.next()]])
    body = frame["body"].cat.codes.to_numpy().astype(np.int64)
    nb = len(frame["body"].cat.categories)
    _, stop = month_window(month, as_of)
    last_day = stop.astype("datetime64[D]").astype("datetime64[s]")
    ok = ~frame["broken"].to_numpy()
    decision = frame["decision"].to_numpy()
    decision_date = frame["decision_date"].to_numpy()
    appointment = frame["appointment"].to_numpy()
    held = ok & (decision == DECISION_CODES[Decision.APPOINTED]) & \
        (stage_of(frame["outcome"].to_numpy()) == _HELD) & (appointment <= stop)
    decided = ok & (decision > 0) & (decision_date <= last_day)

    out = np.zeros((nb, TREND_MONTHS, len(TREND_KEYS)), dtype=np.int64)
    for k, (values, mask) in enumerate(((frame["received"].to_numpy(), None),
                                        (decision_date, decided), (appointment, held))):
        # Searched as int64 (numpy's datetime search is slower); NaT is the smallest int64.
        index = np.searchsorted(edges.view(np.int64), values.view(np.int64), side="right") - 1
        keep = (index >= 0) & (index < TREND_MONTHS)
        if mask is not None:
            keep &= mask
        out[:, :, k] = np.bincount(body[keep] * TREND_MONTHS + index[keep],
                                   minlength=nb * TREND_MONTHS).reshape(nb, TREND_MONTHS)
    # Only rows whose deadline passed undecided can be overdue at some month's end.
    late = np.flatnonzero(~frame["decision_unread"].to_numpy() & (due < last_day)
                          & ((decision == 0) | (decision_date > due)))
    part = frame.iloc[late]
    for i, m in enumerate(months):
        current = m == month and not complete  # taken as it stands, like the month itself
        day = last_day if m == month else np.datetime64(m.last, "s")
        overdue = overdue_mask(part, due[late], day, as_is=current)
        out[:, i, TREND_KEYS.index("overdue")] = np.bincount(body[late][overdue], minlength=nb)
    return out


def trend_points(months: list[Month], counts: np.ndarray) -> list[TrendPoint]:
    """One body's (or the total's) TREND_MONTHS × TREND_KEYS counts as points."""
    return [TrendPoint(m, *(int(v) for v in counts[i])) for i, m in enumerate(months)]


def overdue_now(frame: pd.DataFrame, due: np.ndarray, today: dt.date) -> list[Overdue]:
    """Decisions overdue on `today`, per body and then in total."""
    mask = overdue_mask(frame, due, np.datetime64(today, "s"), as_is=True)
    body = frame["body"].cat.codes.to_numpy().astype(np.int64)[mask]
    nb = len(frame["body"].cat.categories)
    counts = np.bincount(body, minlength=nb)
    oldest = pd.Series(due[mask]).groupby(body).min() if mask.any() else pd.Series()
    found = [Overdue(int(counts[i]), _date(oldest.get(i))) for i in range(nb)]
    total = Overdue(int(counts.sum()), min((o.oldest_due for o in found if o.oldest_due),
                                           default=None))
    return [*found, total]


def _date(value: Any) -> dt.date | None:
    return None if value is None or pd.isna(value) else pd.Timestamp(value).date()
