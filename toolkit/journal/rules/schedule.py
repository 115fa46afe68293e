"""Cl. 1.2 and 3.10: receptions on working days, within working hours, never overlapping."""

from __future__ import annotations

import datetime as dt

import numpy as np

from toolkit.journal.columns import Columns
from toolkit.journal.config import Body
from toolkit.journal.engine import Context, Flags, flag, rule
from toolkit.journal.rules.common import SESSION64, appointed, has_time
from toolkit.journal.russian import short_date, short_datetime
from toolkit.journal.schema import Outcome, Stage, normalize

_MINUTES = 15  # cl. 3.10: a session lasts up to 15 minutes


def _booked(j: Columns) -> np.ndarray:
    return appointed(j) & j.has("appointment")


@rule("appointment-off-day", cell="appointment", group="schedule", clause="1.2")
def off_day(j: Columns, ctx: Context) -> Flags:
    days = j.day("appointment")
    return flag(_booked(j) & ~ctx.days.is_working(days),
                date=lambda i: short_date(days[i].item()))


def _minute(t: dt.time) -> int:
    return t.hour * 60 + t.minute


@rule("appointment-off-hours", cell="appointment", group="schedule", clause="1.2")
def off_hours(j: Columns, ctx: Context) -> Flags:
    body = ctx.body
    days = j.day("appointment")
    when = j.appointment
    candidates = _booked(j) & ctx.days.is_working(days) & has_time(when)
    opens = np.full(len(j), -1, dtype=np.int64)
    closes = np.full(len(j), -1, dtype=np.int64)
    where = np.flatnonzero(candidates)
    unique, inverse = np.unique(days[where], return_inverse=True)
    for n, day in enumerate(unique.tolist()):
        hours = body.open_hours(day)
        if hours is not None:
            at = where[inverse == n]
            opens[at], closes[at] = _minute(hours[0]), _minute(hours[1])
    start = (when - days).astype("timedelta64[m]").astype(np.int64)  # NaT: masked out
    end = start + _MINUTES
    fits = (opens >= 0) & (end < 24 * 60) & (opens <= start) & (end <= closes)
    if body.lunch:
        lunch_start, lunch_end = _minute(body.lunch[0]), _minute(body.lunch[1])
        fits &= ~((start < lunch_end) & (end > lunch_start))
    return flag(candidates & ~fits, time=lambda i: when[i].item().strftime("%H:%M"),
                hours=lambda i: hours_text(body, days[i].item()))


def hours_text(body: Body, day: dt.date) -> str:
    hours = body.open_hours(day)
    if hours is None:
        return "в этот день прием не ведется"
    text = f"{hours[0]:%H:%M}–{hours[1]:%H:%M}"
    if body.lunch:
        text += f", перерыв {body.lunch[0]:%H:%M}–{body.lunch[1]:%H:%M}"
    return text


@rule("slot-overlap", cell="appointment", group="overlapping_slots", clause="3.10")
def slot_overlap(j: Columns, ctx: Context) -> Flags:
    """One specialist's sessions must not overlap: sort each specialist's, compare neighbours."""
    when = j.appointment
    cancelled = j.is_("outcome", *[o for o in Outcome if o.stage is Stage.CANCELLED])
    candidates = np.flatnonzero(_booked(j) & (j.specialist != "").to_numpy()
                                & has_time(when) & ~cancelled)
    names: dict[str, int] = {}  # normalized name → its group, in order of first appearance
    typed: dict[str, int] = {}  # as typed → group: a journal has few specialists
    groups = np.zeros(len(candidates), dtype=np.int64)
    for n, text in enumerate(j.specialist.gather(candidates).to_list()):
        g = typed.get(text)
        if g is None:
            g = typed[text] = names.setdefault(normalize(text), len(names))
        groups[n] = g
    sort = np.lexsort((j.rows[candidates], when[candidates], groups))
    order, g_sorted = candidates[sort], groups[sort]
    before, after = order[:-1], order[1:]
    clash = (g_sorted[:-1] == g_sorted[1:]) & (when[after] < when[before] + SESSION64)
    other = np.zeros(len(j), dtype=np.int64)
    other[after[clash]] = j.rows[before[clash]]
    other_time = {int(a): when[b].item().strftime("%H:%M")
                  for a, b in zip(after[clash], before[clash], strict=True)}
    return flag(after[clash], time=lambda i: short_datetime(when[i].item()),
                other_row=other, other_time=lambda i: other_time[i])
