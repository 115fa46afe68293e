"""The vectorised counting: one month's figures per body from the frame of typed rows."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from toolkit.journal.calendar import WorkingCalendar
from toolkit.journal.rules import DECISION_DAYS
from toolkit.journal.schema import Decision, Ground, Outcome
from toolkit.stats.period import Month
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

TOP_TOPICS = 5
_ONE_DAY = dt.timedelta(days=1)


@dataclass
class Figures:
    """One month's counts per body (rows) and the figures beside them."""

    counts: np.ndarray  # bodies × measures
    days: list[tuple[float | None, int | None]]  # per body, then total
    topics: list[list[tuple[str, int]]]  # per body, then total
    broken: list[RowRef]


_COUNT_KEYS = tuple(m.key for m in MEASURES)


def count_figures(frame: pd.DataFrame, month: Month, calendar: WorkingCalendar,
                  limit: dt.datetime | None, top_topics: int) -> Figures:
    """The figures of the rows received in `month`, with later facts masked after `limit`."""
    received = frame["received"].to_numpy()
    start = np.datetime64(month.first, "s")
    stop = np.datetime64(month.next().first, "s")
    sub = frame.loc[(received >= start) & (received < stop)]
    nb = len(frame["body"].cat.categories)
    body = sub["body"].cat.codes.to_numpy().astype(np.int64)
    received = sub["received"].to_numpy()
    decision = sub["decision"].to_numpy()
    decision_date = sub["decision_date"].to_numpy()
    outcome = sub["outcome"].to_numpy()
    broken = sub["broken"].to_numpy()
    if limit is None:
        decided = decision > 0
        happened = outcome > 0
    else:
        decided = (decision > 0) & ~(decision_date > np.datetime64(limit.date(), "s"))
        happened = (outcome > 0) & ~(sub["outcome_at"].to_numpy() > np.datetime64(limit, "s"))

    state = np.full(len(sub), STATE_INDEX["pending"], dtype=np.int64)
    rejected = decided & (decision == DECISION_CODES[Decision.REJECTED])
    ground_state = np.array([STATE_INDEX["rejected_no_ground"],
                             *(STATE_INDEX[GROUND_KEYS[g]] for g in Ground)], dtype=np.int64)
    state[rejected] = ground_state[sub["ground"].to_numpy()[rejected]]
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
    due = _shift(received, calendar, DECISION_DAYS)
    on_time = timed & ~undated & (decision_date <= due)
    late = timed & ~undated & ~(decision_date <= due)

    counts = np.zeros((nb, len(_COUNT_KEYS)), dtype=np.int64)
    col = {key: i for i, key in enumerate(_COUNT_KEYS)}
    for key in STATES:
        counts[:, col[key]] = states[:, STATE_INDEX[key]]
    counts[:, col["received"]] = states.sum(axis=1)
    for key, mask in (("decided_on_time", on_time), ("decided_late", late),
                      ("decided_undated", undated)):
        counts[:, col[key]] = np.bincount(body[mask], minlength=nb)
    counts[:, col["decided"]] = counts[:, [col["decided_on_time"], col["decided_late"],
                                           col["decided_undated"]]].sum(axis=1)
    for group, _label, members in STATE_GROUPS:  # rejected, cancelled, interrupted
        if len(members) > 1:
            counts[:, col[group]] = counts[:, [col[m] for m in members]].sum(axis=1)
    appointed_keys = ("held", "cancelled", "interrupted", "rescheduled", "awaiting")
    counts[:, col["appointed"]] = counts[:, [col[k] for k in appointed_keys]].sum(axis=1)

    days = _decision_days(body, nb, received, decision_date, timed & ~undated, calendar)
    topics = _top_topics(sub, body, nb, top_topics) if top_topics else \
        [[] for _ in range(nb + 1)]
    refs = sub.loc[broken, ["body", "sheet", "row", "broken_cells"]]
    broken_rows = [RowRef(str(b), str(s), int(r), str(c))
                   for b, s, r, c in refs.itertuples(index=False)]
    return Figures(counts, days, topics, broken_rows)


def _per_date(values: np.ndarray, fn: Any, dtype: str) -> np.ndarray:
    """fn(date) for each element, computed once per distinct date (NaT stays missing)."""
    codes, uniques = pd.factorize(values)
    mapped = np.array([fn(pd.Timestamp(u).date()) for u in uniques], dtype=dtype)
    missing = np.array(["NaT"], dtype=dtype) if dtype.startswith("datetime") \
        else np.array([np.nan], dtype=dtype)
    return np.concatenate([mapped, missing])[np.where(codes < 0, len(uniques), codes)]


def _shift(days: np.ndarray, calendar: WorkingCalendar, n: int) -> np.ndarray:
    """The n-th working day after each date (the deadline of cl. 2.5 for n = 5)."""
    return _per_date(days, lambda d: np.datetime64(calendar.add(d, n), "s"), "datetime64[s]")


_MAX_DECISION_SPAN = np.timedelta64(400, "D")  # longer is a typo in a date, not a review time


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
    r, d, b = received[mask], decided[mask], body[mask]
    anchor = pd.Timestamp(r.min()).date() - _ONE_DAY
    index_r = _per_date(r, lambda day: calendar.count_between(anchor, day), "float64")
    index_d = _per_date(d, lambda day: calendar.count_between(anchor, day), "float64")
    days = pd.Series(index_d - index_r)
    grouped = days.groupby(b).agg(["median", "max"])
    for i, (median, longest) in zip(grouped.index, grouped.itertuples(index=False),
                                    strict=True):
        out[int(i)] = (float(median), int(longest))
    out[nb] = (float(days.median()), int(days.max()))
    return out


def _top_topics(sub: pd.DataFrame, body: np.ndarray, nb: int, top: int
                ) -> list[list[tuple[str, int]]]:
    """The most frequent topics per body and in total (ties in alphabetical order)."""
    names = sub["topic"].cat.categories
    topic = sub["topic"].cat.codes.to_numpy().astype(np.int64)
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

