"""What happened in the month, in whatever month the application came in.

Decisions are counted by their date (graph 5), receptions by their session time, confirmations
by the citizen's answer; per body, and per specialist (graph 6, surname and initials). Rows with
a cell that decides the state unreadable are left out, as in the month's partition. For a
month that is over, facts dated after its end are masked as everywhere in the statistics.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from toolkit.journal.calendar import WorkingCalendar
from toolkit.journal.rules import CONFIRMATION_DAYS
from toolkit.journal.schema import Answer, Decision, Stage, normalize
from toolkit.stats.frame import ANSWER_CODES
from toolkit.stats.period import Month
from toolkit.stats.states import DECISION_CODES, OUTCOME_CODES, SESSION_PARTS
from toolkit.stats.workdays import day_of, shift

UNNAMED = "не указан"
SPECIALIST_KEYS = ("decisions_month", "decisions_month_late", *SESSION_PARTS)
SPECIALIST_HEADINGS = ("Решений за месяц", "из них с нарушением срока", "Проведено",
                       "Отменено", "Прервано", "Перенесено", "Итог не внесен")  # of the keys
_ONE_DAY = np.timedelta64(1, "D")
_SESSION_STAGE = {Stage.HELD: "sessions_held", Stage.CANCELLED: "sessions_cancelled",
                  Stage.INTERRUPTED: "sessions_interrupted",
                  Stage.RESCHEDULED: "sessions_rescheduled"}


@dataclass(frozen=True)
class SpecialistStats:
    """One specialist's decisions and receptions in the month (`SPECIALIST_KEYS`)."""

    body: str
    specialist: str  # surname and initials, or UNNAMED
    counts: dict[str, int]

    def to_dict(self) -> dict[str, Any]:
        return {"body": self.body, "specialist": self.specialist, "counts": dict(self.counts)}


@dataclass
class Activity:
    counts: dict[str, np.ndarray]  # measure key → value per body
    specialists: list[SpecialistStats]


def stage_of(outcome: np.ndarray) -> np.ndarray:
    """Each outcome code's `Stage` number (0 = no outcome)."""
    return _STAGE_OF_CODE[outcome]


_STAGE_NUMBER = {stage: i for i, stage in enumerate(Stage, start=1)}
_STAGE_OF_CODE = np.zeros(len(OUTCOME_CODES) + 1, dtype=np.int8)
for _outcome, _code in OUTCOME_CODES.items():
    _STAGE_OF_CODE[_code] = _STAGE_NUMBER[_outcome.stage]


def month_window(month: Month, as_of: dt.datetime) -> tuple[np.datetime64, np.datetime64]:
    """The month's first moment and the last moment that counts (its end, or `as_of`)."""
    end = min(as_of, dt.datetime.combine(month.last, dt.time(23, 59, 59)))
    return np.datetime64(month.first, "s"), np.datetime64(end, "s")


def count_activity(frame: pd.DataFrame, month: Month, calendar: WorkingCalendar,
                   as_of: dt.datetime, complete: bool, due: np.ndarray,
                   specialists: bool = False) -> Activity:
    """The activity measures per body (and per specialist when asked)."""
    start, stop = month_window(month, as_of)
    last_day = day_of(np.array([stop]))[0]
    body = frame["body"].cat.codes.to_numpy().astype(np.int64)
    nb = len(frame["body"].cat.categories)
    ok = ~frame["broken"].to_numpy()
    decision = frame["decision"].to_numpy()
    decision_date = frame["decision_date"].to_numpy()

    masks: dict[str, np.ndarray] = {}
    masks["decisions_month"] = ok & (decision > 0) & (decision_date >= start) & \
        (decision_date <= last_day)
    masks["decisions_month_late"] = masks["decisions_month"] & (decision_date > due)

    appointment = frame["appointment"].to_numpy()
    sessions = ok & (decision == DECISION_CODES[Decision.APPOINTED]) & \
        (appointment >= start) & (appointment <= stop)
    outcome = frame["outcome"].to_numpy()
    happened = outcome > 0
    if complete:
        happened &= ~(frame["outcome_at"].to_numpy() > np.datetime64(as_of, "s"))
    stage = stage_of(outcome)
    masks["sessions_month"] = sessions
    for kind, key in _SESSION_STAGE.items():
        masks[key] = sessions & happened & (stage == _STAGE_NUMBER[kind])
    masks["sessions_no_outcome"] = sessions & ~happened
    masks["confirmations_late"] = late_confirmations(frame, calendar, start, stop)

    counts = {key: np.bincount(body[mask], minlength=nb) for key, mask in masks.items()}
    found = _per_specialist(frame, body, masks) if specialists else []
    return Activity(counts, found)


def late_confirmations(frame: pd.DataFrame, calendar: WorkingCalendar,
                       start: np.datetime64, stop: np.datetime64) -> np.ndarray:
    """Confirmations given between `start` and `stop` after their window (cl. 2.6).

    The window is the next working day after the day the notice was sent; an answer on any
    later day is late, even if the reception then went ahead.
    """
    answered_at = frame["answered_at"].to_numpy()
    candidates = np.flatnonzero((frame["answer"].to_numpy() == ANSWER_CODES[Answer.CONFIRMED])
                                & (answered_at >= start) & (answered_at <= stop))
    late = np.zeros(len(frame), dtype=bool)
    if len(candidates):
        notice = day_of(frame["notice_sent"].to_numpy()[candidates])
        window_end = shift(notice, calendar, CONFIRMATION_DAYS)
        late[candidates] = answered_at[candidates] >= window_end + _ONE_DAY
    return late


def _per_specialist(frame: pd.DataFrame, body: np.ndarray, masks: dict[str, np.ndarray]
                    ) -> list[SpecialistStats]:
    names = frame["specialist"].cat.categories
    bodies = frame["body"].cat.categories
    code = frame["specialist"].cat.codes.to_numpy().astype(np.int64) + 1  # 0 = not named
    span = len(names) + 1
    pair = body * span + code
    size = len(bodies) * span
    table = np.stack([np.bincount(pair[masks[key]], minlength=size) for key in SPECIALIST_KEYS])
    out = []
    for i in np.flatnonzero(table.any(axis=0)):
        b, s = divmod(int(i), span)
        out.append((b, s == 0, str(names[s - 1]) if s else UNNAMED,
                    dict(zip(SPECIALIST_KEYS, (int(v) for v in table[:, i]), strict=True))))
    out.sort(key=lambda item: (item[0], item[1], normalize(item[2])))  # body, named first, name
    return [SpecialistStats(str(bodies[b]), name, counts) for b, _, name, counts in out]

