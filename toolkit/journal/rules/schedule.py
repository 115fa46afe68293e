"""Cl. 1.2, 3.3, 3.5 and 3.10: receptions on working days, within working hours (a pre-holiday
day one hour shorter, art. 95), by an authorised specialist, never overlapping.

The appointment (graph 5) and the new time of a reception rescheduled after a technical
failure («Перенесен на», cl. 3.5) are checked alike.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from toolkit.journal.calendar import WorkingCalendar
from toolkit.journal.columns import Columns
from toolkit.journal.config import Body
from toolkit.journal.engine import Context, Flags, Mask, flag, rule
from toolkit.journal.rules.common import SESSION64, appointed, has_time
from toolkit.journal.russian import short_date, short_datetime
from toolkit.journal.schema import Outcome, Stage, normalize
from toolkit.journal.specialists import Roster, person_keys

_MINUTES = 15  # cl. 3.10: a session lasts up to 15 minutes
# The columns that hold a session's time, with the codes of their schedule findings.
_WHEN = {"appointment": ("appointment-off-day", "appointment-off-hours"),
         "rescheduled_to": ("rescheduled-off-day", "rescheduled-off-hours")}


def _booked(j: Columns, key: str = "appointment") -> np.ndarray:
    booked = appointed(j) & j.has(key)
    if key == "rescheduled_to":
        booked &= j.is_("outcome", Outcome.RESCHEDULED)
    return booked


def _off_day(key: str):  # type: ignore[no-untyped-def]
    def off_day(j: Columns, ctx: Context) -> Flags:
        days = j.day(key)
        return flag(_booked(j, key) & ~ctx.days.is_working(days),
                    date=lambda i: short_date(days[i].item()))
    return off_day


def _off_hours(key: str):  # type: ignore[no-untyped-def]
    def off_hours(j: Columns, ctx: Context) -> Flags:
        """Cl. 1.2: within the day's hours (shortened days, `[calendar] hours`) and not at lunch."""
        body = ctx.body
        days = j.day(key)
        when = getattr(j, key)
        candidates = _booked(j, key) & ctx.days.is_working(days) & has_time(when)
        ctx.unknown_years.update(ctx.calendar.unknown_years(days[candidates]))
        opens, closes = ctx.calendar.day_minutes(np.where(candidates, days, np.datetime64("NaT")),
                                                 body.hours)
        start = (when - days).astype("timedelta64[m]").astype(np.int64)  # NaT: masked out
        end = start + _MINUTES
        fits = (opens >= 0) & (end < 24 * 60) & (opens <= start) & (end <= closes)
        if body.lunch:
            lunch_start, lunch_end = _minute(body.lunch[0]), _minute(body.lunch[1])
            fits &= ~((start < lunch_end) & (end > lunch_start))
        return flag(candidates & ~fits, time=lambda i: when[i].item().strftime("%H:%M"),
                    hours=lambda i: hours_text(body, days[i].item(), ctx.calendar))
    return off_hours


for _key, (_day_code, _hours_code) in _WHEN.items():
    rule(_day_code, cell=_key, group="schedule", clause="1.2")(_off_day(_key))
    rule(_hours_code, cell=_key, group="schedule", clause="1.2")(_off_hours(_key))


def _minute(t: dt.time) -> int:
    return t.hour * 60 + t.minute


def hours_text(body: Body, day: dt.date, calendar: WorkingCalendar | None = None) -> str:
    hours = calendar.hours(day, body.hours) if calendar else body.open_hours(day)
    if hours is None:
        return "в этот день прием не ведется"
    text = f"{hours[0]:%H:%M}–{hours[1]:%H:%M}"
    if calendar and calendar.is_shortened(day):
        text += ", предпраздничный день короче на час"
    if body.lunch:
        text += f", перерыв {body.lunch[0]:%H:%M}–{body.lunch[1]:%H:%M}"
    return text


@rule("specialist-unknown", cell="specialist", group="decision", clause="3.3")
def specialist_unknown(j: Columns, ctx: Context) -> Mask:
    """Cl. 3.3: with a roster in the config, the specialist must be on it."""
    roster = Roster.of(ctx.body)
    if not roster:
        return np.zeros(len(j), dtype=bool)
    named = np.flatnonzero(appointed(j) & (j.specialist != "").to_numpy())
    texts = j.specialist.gather(named).to_list()
    known = {text: roster.knows(text) for text in set(texts)}
    out = np.zeros(len(j), dtype=bool)
    out[named] = [not known[text] for text in texts]
    return out


def _sessions(j: Columns, ctx: Context) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Every session that holds a specialist: (application, time, person, is a new time)."""
    cached = ctx.__dict__.get("_sessions")
    if cached is not None:
        return cached
    cancelled = j.is_("outcome", *[o for o in Outcome if o.stage is Stage.CANCELLED])
    named = (j.specialist != "").to_numpy()
    first = np.flatnonzero(_booked(j) & named & has_time(j.appointment) & ~cancelled)
    again = np.flatnonzero(_booked(j, "rescheduled_to") & named & has_time(j.rescheduled_to))
    apps = np.concatenate([first, again])
    when = np.concatenate([j.appointment[first], j.rescheduled_to[again]])
    moved = np.concatenate([np.zeros(len(first), bool), np.ones(len(again), bool)])
    # One person however written (cl. 3.3): «Тарасов Е.П.» is «Тарасов Евгений Павлович».
    texts = j.specialist.gather(apps)
    distinct = texts.unique(maintain_order=True).to_list()
    keys = person_keys(set(distinct))
    people: dict[str, int] = {}
    ids = {t: people.setdefault(keys[t] or normalize(t), len(people)) for t in distinct}
    groups = (texts.replace_strict(ids, return_dtype=pl.Int64).to_numpy() if ids
              else np.zeros(0, dtype=np.int64))
    found = ctx.__dict__["_sessions"] = (apps, when, groups, moved)
    return found


def _overlap(key: str):  # type: ignore[no-untyped-def]
    def slot_overlap(j: Columns, ctx: Context) -> Flags:
        """Sort each specialist's sessions, compare neighbours; flag the later of a clash."""
        apps, when, groups, moved = _sessions(j, ctx)
        sort = np.lexsort((moved, j.rows[apps], when, groups))
        g, t = groups[sort], when[sort]
        clash = np.flatnonzero((g[:-1] == g[1:]) & (t[1:] < t[:-1] + SESSION64)) + 1
        mine = clash[moved[sort][clash] == (key == "rescheduled_to")]
        later, earlier = apps[sort][mine], apps[sort][mine - 1]
        other = np.zeros(len(j), dtype=np.int64)
        other[later] = j.rows[earlier]
        times = {int(a): (t[m].item(), t[m - 1].item()) for a, m in zip(later, mine, strict=True)}
        return flag(later, time=lambda i: short_datetime(times[i][0]),
                    other_row=other, other_time=lambda i: times[i][1].strftime("%H:%M"))
    return slot_overlap


for _key in _WHEN:
    rule("slot-overlap", cell=_key, group="overlapping_slots", clause="3.10")(_overlap(_key))
