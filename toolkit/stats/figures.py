"""The vectorised counting: one month's figures per body from the frame of typed rows.

The month's applications (received in it) go into the state partition; beside them the
timeliness of their decisions, the review time, topics, the outcome of rescheduled receptions
and repeat applications. What happened in the month whatever the month of receipt is counted
by `activity`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from toolkit.journal.calendar import WorkingCalendar
from toolkit.journal.schema import Decision, Ground, Outcome
from toolkit.stats.activity import SpecialistStats, count_activity
from toolkit.stats.period import Month
from toolkit.stats.repeats import Repeats
from toolkit.stats.results import RowRef
from toolkit.stats.states import (
    DECISION_CODES,
    GROUND_KEYS,
    MEASURES,
    OUTCOME_KEYS,
    STATE_GROUPS,
    STATE_INDEX,
    STATES,
)
from toolkit.stats.workdays import working_days_between

TOP_TOPICS = 5
COUNT_KEYS = tuple(m.key for m in MEASURES)
_MAX_DECISION_SPAN = np.timedelta64(400, "D")  # longer is a typo in a date, not a review time


@dataclass
class Figures:
    """One month's counts per body (rows) and the figures beside them."""

    counts: np.ndarray  # bodies × COUNT_KEYS
    days: list[tuple[float | None, int | None]]  # per body, then total
    topics: list[list[tuple[str, int]]]  # per body, then total
    broken: list[RowRef]
    specialists: list[SpecialistStats]


def count_figures(frame: pd.DataFrame, month: Month, calendar: WorkingCalendar,
                  as_of: dt.datetime, complete: bool, due: np.ndarray, repeats: Repeats,
                  top_topics: int, specialists: bool = False) -> Figures:
    """The month's figures as of `as_of`; for a `complete` month later facts are masked.

    `due` is every row's decision deadline (cl. 2.5), `repeats` the frame's `find_repeats`.
    """
    received = frame["received"].to_numpy()
    start = np.datetime64(month.first, "s")
    stop = np.datetime64(month.next().first, "s")
    rows = np.flatnonzero((received >= start) & (received < stop))
    nb = len(frame["body"].cat.categories)

    def column(name: str) -> np.ndarray:
        return frame[name].to_numpy()[rows]

    body = frame["body"].cat.codes.to_numpy().astype(np.int64)[rows]
    received = received[rows]
    decision = column("decision")
    decision_date = column("decision_date")
    outcome = column("outcome")
    broken = column("broken")
    if complete:
        decided = (decision > 0) & ~(decision_date > np.datetime64(as_of.date(), "s"))
        happened = (outcome > 0) & ~(column("outcome_at") > np.datetime64(as_of, "s"))
    else:
        decided = decision > 0
        happened = outcome > 0

    state = np.full(len(rows), STATE_INDEX["pending"], dtype=np.int64)
    rejected = decided & (decision == DECISION_CODES[Decision.REJECTED])
    ground_state = np.array([STATE_INDEX["rejected_no_ground"],
                             *(STATE_INDEX[GROUND_KEYS[g]] for g in Ground)], dtype=np.int64)
    state[rejected] = ground_state[column("ground")[rejected]]
    appointed = decided & (decision == DECISION_CODES[Decision.APPOINTED])
    state[appointed] = STATE_INDEX["awaiting"]
    outcome_state = np.array([0, *(STATE_INDEX[OUTCOME_KEYS[o]] for o in Outcome)], dtype=np.int64)
    done = appointed & happened
    state[done] = outcome_state[outcome[done]]
    state[broken] = STATE_INDEX["not_classified"]
    ns = len(STATES)
    states = np.bincount(body * ns + state, minlength=nb * ns).reshape(nb, ns)

    # Timeliness (cl. 2.5): the decision date against the 5th working day after receipt.
    timed = decided & ~broken
    undated = timed & np.isnat(decision_date)
    month_due = due[rows]
    on_time = timed & ~undated & (decision_date <= month_due)
    late = timed & ~undated & ~(decision_date <= month_due)

    # Rescheduled receptions (cl. 3.5): was a new time agreed, and has it come by `as_of`?
    moved = state == STATE_INDEX["rescheduled"]
    new_time = column("rescheduled_to")
    no_time = moved & np.isnat(new_time)
    passed = moved & (new_time <= np.datetime64(as_of, "s"))
    ahead = moved & ~no_time & ~passed

    counts = np.zeros((nb, len(COUNT_KEYS)), dtype=np.int64)
    col = {key: i for i, key in enumerate(COUNT_KEYS)}
    for key in STATES:
        counts[:, col[key]] = states[:, STATE_INDEX[key]]
    counts[:, col["received"]] = states.sum(axis=1)
    for key, mask in (("decided_on_time", on_time), ("decided_late", late),
                      ("decided_undated", undated), ("rescheduled_passed", passed),
                      ("rescheduled_ahead", ahead), ("rescheduled_no_time", no_time),
                      ("repeated", repeats.flags[rows])):
        counts[:, col[key]] = np.bincount(body[mask], minlength=nb)
    counts[:, col["repeat_citizens"]] = repeats.citizens(rows, len(frame), nb)
    counts[:, col["decided"]] = counts[:, [col["decided_on_time"], col["decided_late"],
                                           col["decided_undated"]]].sum(axis=1)
    for group, _label, members in STATE_GROUPS:  # held, rejected, cancelled, interrupted
        if len(members) > 1:
            counts[:, col[group]] = counts[:, [col[m] for m in members]].sum(axis=1)
    appointed_keys = ("held", "cancelled", "interrupted", "rescheduled", "awaiting")
    counts[:, col["appointed"]] = counts[:, [col[k] for k in appointed_keys]].sum(axis=1)

    activity = count_activity(frame, month, calendar, as_of, complete, due, specialists)
    for key, values in activity.counts.items():
        counts[:, col[key]] = values

    days = _decision_days(body, nb, received, decision_date, timed & ~undated, calendar)
    topics = _top_topics(frame, rows, body, nb, top_topics) if top_topics else \
        [[] for _ in range(nb + 1)]
    refs = frame.iloc[rows[broken]][["body", "sheet", "row", "broken_cells"]]
    broken_rows = [RowRef(str(b), str(s), int(r), str(c))
                   for b, s, r, c in refs.itertuples(index=False)]
    return Figures(counts, days, topics, broken_rows, activity.specialists)


def _decision_days(body: np.ndarray, nb: int, received: np.ndarray, decided: np.ndarray,
                   mask: np.ndarray, calendar: WorkingCalendar
                   ) -> list[tuple[float | None, int | None]]:
    """Median and maximum working days from receipt to decision, per body and in total.

    Rows whose decision date is before the receipt (a date-order error) or more than 400 days
    after it are left out: they measure a typo, not the review.
    """
    span = decided - received
    mask = mask & (span >= np.timedelta64(0, "s")) & (span <= _MAX_DECISION_SPAN)
    out: list[tuple[float | None, int | None]] = [(None, None)] * (nb + 1)
    if not mask.any():
        return out
    days = pd.Series(working_days_between(received[mask], decided[mask], calendar))
    grouped = days.groupby(body[mask]).agg(["median", "max"])
    for i, (median, longest) in zip(grouped.index, grouped.itertuples(index=False),
                                    strict=True):
        out[int(i)] = (float(median), int(longest))
    out[nb] = (float(days.median()), int(days.max()))
    return out


def _top_topics(frame: pd.DataFrame, rows: np.ndarray, body: np.ndarray, nb: int, top: int
                ) -> list[list[tuple[str, int]]]:
    """The most frequent topics per body and in total (ties in alphabetical order)."""
    names = frame["topic"].cat.categories
    topic = frame["topic"].cat.codes.to_numpy().astype(np.int64)[rows]
    keep = topic >= 0
    nt = max(len(names), 1)
    out: list[list[tuple[str, int]]] = []
    pairs, sizes = np.unique(body[keep] * nt + topic[keep], return_counts=True)
    pair_body, pair_topic = pairs // nt, pairs % nt
    order = np.lexsort((pair_topic, -sizes, pair_body))  # by body, then count desc, then name
    for i in range(nb):
        chosen = order[pair_body[order] == i][:top]
        out.append([(str(names[pair_topic[j]]), int(sizes[j])) for j in chosen])
    totals = np.bincount(topic[keep], minlength=nt)
    ranked = np.lexsort((np.arange(nt), -totals))
    out.append([(str(names[j]), int(totals[j])) for j in ranked[:top] if totals[j] > 0])
    return out
