"""Typed journal rows as one DataFrame: what the vectorised statistics compute on."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from toolkit.journal.calendar import WorkingCalendar
from toolkit.journal.model import Application, Journal
from toolkit.journal.rules import CONFIRMATION_DAYS
from toolkit.journal.schema import Stage, normalize
from toolkit.stats.states import DECISION_CODES, OUTCOME_CODES, STATE_KEYS

_ONE_DAY = dt.timedelta(days=1)

FRAME_COLUMNS = (
    "body", "sheet", "row", "received", "decision", "decision_date", "ground", "outcome",
    "outcome_at", "topic", "broken", "broken_cells",
)


def outcome_moment(app: Application, calendar: WorkingCalendar) -> dt.datetime | None:
    """When the outcome in graph 7 happened, as far as the row's dates tell (None: no date).

    Held, interrupted, rescheduled: the session time. Cancelled: the citizen's answer, or the
    start of the day after the confirmation window (cl. 2.6, 2.7), or the session time.
    """
    if app.outcome is None:
        return None
    if app.outcome.stage is Stage.CANCELLED:
        if app.answered_at is not None:
            return app.answered_at
        if app.notice_sent is not None:
            try:
                due = calendar.add(app.notice_sent.date(), CONFIRMATION_DAYS)
            except (ValueError, OverflowError):  # a year the calendar cannot reach
                return app.appointment
            return dt.datetime.combine(due + _ONE_DAY, dt.time())
    return app.appointment


def frame_of(journals: Sequence[Journal], calendar: WorkingCalendar) -> pd.DataFrame:
    """The typed rows of every journal as one DataFrame (one row per application).

    `body` is categorical over every journal's body, in journal order, so that bodies without
    rows still get their (zero) statistics; choices are small integer codes (0 = empty).
    """
    bodies: list[str] = []
    for journal in journals:
        if journal.body.name not in bodies:
            bodies.append(journal.body.name)
    topics: dict[str, str] = {}
    shown: dict[str, str] = {}  # the topic as typed → as reported (one spelling per topic)
    cols: dict[str, list[Any]] = {name: [] for name in FRAME_COLUMNS}
    for journal in journals:
        for app in journal.applications:
            broken = ([app.cell(key) for key in STATE_KEYS if key in app.invalid]
                      if app.invalid else [])
            topic = shown.get(app.topic)
            if topic is None:
                topic = " ".join(app.topic.split())
                if topic:
                    topic = topics.setdefault(normalize(topic), topic)
                shown[app.topic] = topic
            cols["body"].append(journal.body.name)
            cols["sheet"].append(journal.sheet)
            cols["row"].append(app.row)
            cols["received"].append(app.received)
            cols["decision"].append(DECISION_CODES[app.decision] if app.decision else 0)
            cols["decision_date"].append(app.decision_date)
            cols["ground"].append(app.ground.number if app.ground else 0)
            cols["outcome"].append(OUTCOME_CODES[app.outcome] if app.outcome else 0)
            cols["outcome_at"].append(outcome_moment(app, calendar))
            cols["topic"].append(topic or None)
            cols["broken"].append(bool(broken))
            cols["broken_cells"].append(", ".join(broken))
    return pd.DataFrame({
        "body": pd.Categorical(cols["body"], categories=bodies),
        "sheet": pd.Categorical(cols["sheet"]),
        "row": np.asarray(cols["row"], dtype=np.int64),
        "received": _datetimes(cols["received"]),
        "decision": np.asarray(cols["decision"], dtype=np.int8),
        "decision_date": _datetimes(cols["decision_date"]),
        "ground": np.asarray(cols["ground"], dtype=np.int8),
        "outcome": np.asarray(cols["outcome"], dtype=np.int8),
        "outcome_at": _datetimes(cols["outcome_at"]),
        "topic": pd.Categorical(cols["topic"], categories=sorted(set(topics.values()))),
        "broken": np.asarray(cols["broken"], dtype=bool),
        "broken_cells": pd.array(cols["broken_cells"], dtype=object),
    })


def _datetimes(values: Iterable[dt.date | dt.datetime | None]) -> np.ndarray:
    """Dates and moments as datetime64[s] (NaT where empty); numpy converts them in C."""
    return np.array(list(values), dtype="datetime64[s]")

