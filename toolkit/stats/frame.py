"""Typed journal rows as one DataFrame: what the vectorised statistics compute on."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from itertools import repeat
from operator import attrgetter
from typing import Any

import numpy as np
import pandas as pd

from toolkit.journal.calendar import WorkingCalendar
from toolkit.journal.model import Application, Journal
from toolkit.journal.rules import CONFIRMATION_DAYS
from toolkit.journal.schema import Answer, Ground, Stage, normalize
from toolkit.journal.specialists import specialist_key
from toolkit.stats.specialists import specialist_name
from toolkit.stats.states import DECISION_CODES, OUTCOME_CODES, STATE_KEYS

_ONE_DAY = dt.timedelta(days=1)

FRAME_COLUMNS = (
    "body", "sheet", "row", "received", "decision", "decision_date", "ground", "outcome",
    "outcome_at", "topic", "broken", "broken_cells", "decision_unread", "appointment",
    "notice_sent", "answer", "answered_at", "rescheduled_to", "specialist", "citizen",
)
"""The frame's columns. `citizen` is a number per citizen (the same for spellings that differ
only in case, ё/е and spaces; −1 where blank): the frame holds no name of a citizen."""

ANSWER_CODES = {Answer.CONFIRMED: 1, Answer.DECLINED: 2}


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
    rows still get their (zero) statistics; choices are small integer codes (0 = empty);
    `specialist` is categorical over surname and initials (see `specialist_name`). Columns are
    taken from the rows one attribute at a time (`map` over `attrgetter` runs in C); text is
    normalised once per distinct spelling.
    """
    bodies: list[str] = []
    for journal in journals:
        if journal.body.name not in bodies:
            bodies.append(journal.body.name)
    cols: dict[str, list[Any]] = {name: [] for name in FRAME_COLUMNS}
    for journal in journals:
        apps = journal.applications
        n = len(apps)
        cols["body"].extend(repeat(journal.body.name, n))
        cols["sheet"].extend(repeat(journal.sheet, n))
        for key in _PLAIN:
            cols[key].extend(map(attrgetter(key), apps))
        for key, codes in _CODED.items():
            cols[key].extend(map(codes.get, map(attrgetter(key), apps), repeat(0, n)))
        cols["outcome_at"].extend(outcome_moment(app, calendar) if app.outcome else None
                                  for app in apps)
        for app in apps:
            broken = [app.cell(key) for key in STATE_KEYS if key in app.invalid] \
                if app.invalid else _NONE
            cols["broken"].append(bool(broken))
            cols["broken_cells"].append(", ".join(broken))
            cols["decision_unread"].append("decision" in app.invalid)
    topics = _spellings(cols["topic"], lambda t: " ".join(t.split()))
    # One person as `vks check` takes one (its double-booking rule): by surname and initials.
    specialists = _spellings(cols["specialist"], specialist_name, specialist_key)
    numbers: dict[str, int] = {}
    citizens = {typed: numbers.setdefault(key, len(numbers)) if key else -1
                for typed, key in ((t, normalize(t)) for t in set(cols["citizen"]))}
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
        "topic": _categorical(cols["topic"], topics),
        "broken": np.asarray(cols["broken"], dtype=bool),
        "broken_cells": pd.array(cols["broken_cells"], dtype=object),
        "decision_unread": np.asarray(cols["decision_unread"], dtype=bool),
        "appointment": _datetimes(cols["appointment"]),
        "notice_sent": _datetimes(cols["notice_sent"]),
        "answer": np.asarray(cols["answer"], dtype=np.int8),
        "answered_at": _datetimes(cols["answered_at"]),
        "rescheduled_to": _datetimes(cols["rescheduled_to"]),
        "specialist": _categorical(cols["specialist"], specialists),
        "citizen": np.fromiter(map(citizens.__getitem__, cols["citizen"]), dtype=np.int64,
                               count=len(cols["citizen"])),
    })


_PLAIN = ("row", "received", "decision_date", "topic", "appointment", "notice_sent",
          "answered_at", "rescheduled_to", "specialist", "citizen")
_CODED: dict[str, dict[Any, int]] = {
    "decision": dict(DECISION_CODES),
    "ground": {ground: ground.number for ground in Ground},
    "outcome": dict(OUTCOME_CODES),
    "answer": dict(ANSWER_CODES),
}
_NONE: list[str] = []


def _spellings(typed: list[str], tidy: Callable[[str], str],
               same: Callable[[str], str] | None = None) -> dict[str, str]:
    """Each distinct text as typed → as reported: tidied, the first spelling of each group
    (a topic typed in two ways is reported one way). Texts are one when their `same` is (by
    default their tidied, normalised form)."""
    first: dict[str, str] = {}
    out: dict[str, str] = {}
    for text in dict.fromkeys(typed):  # distinct, in the order first seen
        shown = tidy(text)
        group = (same(text) if same else "") or normalize(shown)
        out[text] = first.setdefault(group, shown) if shown else ""
    return out


def _categorical(typed: list[str], shown: dict[str, str]) -> pd.Categorical:
    """Text as a categorical of its reported spellings (None where blank), sorted."""
    codes = {text: value or None for text, value in shown.items()}
    values = [codes[t] for t in typed]
    return pd.Categorical(values, categories=sorted({v for v in codes.values() if v}))


def _datetimes(values: Sequence[dt.date | dt.datetime | None]) -> np.ndarray:
    """Dates and moments as datetime64[s] (NaT where empty).

    numpy converts a Python date slowly (about 2 µs each, None too), so each distinct value is
    converted once: a journal's dates repeat, and a blank column is one value.
    """
    index: dict[dt.date | dt.datetime | None, int] = {}
    number = index.setdefault
    codes = np.fromiter((number(v, len(index)) for v in values), dtype=np.int64,
                        count=len(values))
    return np.array(list(index), dtype="datetime64[s]")[codes]

