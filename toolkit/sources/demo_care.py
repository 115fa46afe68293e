"""The demo's rows for the cases staff get wrong (RULES.md «Cases that need care»).

They are added after the rows `demo._spoilers` breaks, so that the rows of a demo made before
these rules existed stay as they were (tests/test_golden.py compares against those).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from toolkit.journal.config import Body
from toolkit.journal.schema import Answer, Decision, Outcome

Row = dict[str, Any]
SLOT_LENGTH = dt.timedelta(minutes=15)  # cl. 3.10
# The demo's half-hour slots (as `demo.SLOTS`; this module must not import `demo`).
SLOTS = tuple(dt.time(h, m) for h in range(9, 17) for m in (0, 30) if not 13 <= h < 14)
_Generator = Any  # demo._Generator: its rng, calendar, today and the busy slots


def free_slot(g: _Generator, day: dt.date, specialist: str) -> dt.datetime:
    """The specialist's first free slot on `day` or the working days after, with no dice."""
    while True:
        hours = g.cal.hours(day, Body.hours)
        if hours is not None:
            last = dt.datetime.combine(day, hours[1]) - SLOT_LENGTH
            for time in SLOTS:
                moment = dt.datetime.combine(day, time)
                if moment <= last and (specialist, moment) not in g.busy:
                    g.busy.add((specialist, moment))
                    return moment
        day = g.cal.next_working_day(day)


def _decided(g: _Generator, row: Row, decided: dt.date, when: dt.datetime | None = None,
             answer: bool = True) -> None:
    """An appointment decided on `decided`, notice sent at 11:00, confirmed the same day."""
    cal = g.cal
    row["received"] = row["submitted"] = cal.add(decided - dt.timedelta(days=7), 1)
    while row["received"] >= decided:
        row["received"] = row["submitted"] = row["received"] - dt.timedelta(days=1)
    specialist = row.get("specialist") or "Тарасов Евгений Павлович"
    row.update(decision=Decision.APPOINTED.label, decision_date=decided, specialist=specialist,
               appointment=when or free_slot(g, cal.add(decided, 2), specialist),
               link="https://telemost.yandex.ru/j/70000000000001",
               notice_sent=dt.datetime.combine(decided, dt.time(11)))
    for key in ("ground", "outcome", "note", "recording", "answer", "answered_at"):
        row.pop(key, None)
    if answer:
        row.update(answer=Answer.CONFIRMED.label,
                   answered_at=dt.datetime.combine(decided, dt.time(15)))


def _held(g: _Generator, row: Row, outcome: Outcome = Outcome.HELD) -> None:
    """A reception held some working days ago."""
    decided = g.working_day_before(20)
    _decided(g, row, decided)
    row["outcome"] = outcome.label
    if outcome is Outcome.HELD:
        row["recording"] = f"\\\\srv-vks\\video\\{row['number']:05d}.mp4"


def care_spoilers(g: _Generator) -> list[tuple[str, Callable[[Row], None]]]:
    """One way to get each case wrong, applied to a fresh row."""
    cal, today = g.cal, g.today

    def late(row: Row) -> None:
        _held(g, row)
        window = cal.add(row["decision_date"], 1)
        row["answered_at"] = dt.datetime.combine(cal.next_working_day(window), dt.time(10))
        row["appointment"] = free_slot(g, cal.next_working_day(row["answered_at"].date()),
                                       row["specialist"])

    def premature(row: Row) -> None:
        _decided(g, row, today, free_slot(g, cal.add(today, 3), row["specialist"]), answer=False)
        row["outcome"] = Outcome.UNCONFIRMED.label

    def contradicts(row: Row) -> None:
        _held(g, row, Outcome.UNCONFIRMED)

    def unconfirmed_held(row: Row) -> None:
        _held(g, row)
        row.pop("answer")
        row.pop("answered_at")

    def inside_window(row: Row) -> None:
        _decided(g, row, today, free_slot(g, cal.add(today, 1), row["specialist"]), answer=False)

    def passed(row: Row) -> None:
        decided = g.working_day_before(10)
        while cal.add(decided, 4) >= today:  # the session and its window well before today
            decided = g.working_day_before((today - decided).days + 1)
        _decided(g, row, decided, free_slot(g, cal.add(decided, 3), row["specialist"]),
                 answer=False)

    def no_show(row: Row) -> None:
        _held(g, row, Outcome.NO_SHOW)
        connected = row["appointment"] + dt.timedelta(minutes=4)
        row["note"] = f"Гражданин подключился в {connected:%H:%M}, связь прервалась"

    def rescheduled(when: Callable[[Row], dt.datetime | None]) -> Callable[[Row], None]:
        def spoil(row: Row) -> None:
            _held(g, row, Outcome.RESCHEDULED)
            moved = when(row)
            if moved is not None:
                row["rescheduled_to"] = moved
        return spoil

    def off_day(row: Row) -> dt.datetime:
        day = row["appointment"].date() + dt.timedelta(days=1)
        while cal.is_working_day(day):
            day += dt.timedelta(days=1)
        return dt.datetime.combine(day, dt.time(11))

    def off_hours(row: Row) -> dt.datetime:
        return dt.datetime.combine(cal.next_working_day(row["appointment"].date()), dt.time(19))

    def put(**values: Any) -> Callable[[Row], None]:
        def spoil(row: Row) -> None:
            _held(g, row)
            row.update(values)
            for key, value in values.items():
                if value is None:
                    row.pop(key)
        return spoil

    return [
        ("confirmation-late", late),
        ("cancellation-premature", premature),
        ("cancellation-contradicts-confirmation", contradicts),
        ("held-without-confirmation", unconfirmed_held),
        ("appointment-inside-window", inside_window),
        ("unconfirmed-session-passed", passed),
        ("no-show-too-early", no_show),
        ("rescheduled-time-missing", rescheduled(lambda row: None)),
        ("rescheduled-off-day", rescheduled(off_day)),
        ("rescheduled-off-hours", rescheduled(off_hours)),
        ("link-not-telemost", put(link="https://zoom.us/j/81234567890")),
        ("phone-missing", put(phone=None)),
    ]


def rescheduled_time(g: _Generator, row: Row) -> None:
    """A clean rescheduled row gets its new time (cl. 3.5), without touching the dice."""
    if row.get("outcome") == Outcome.RESCHEDULED.label and "rescheduled_to" not in row:
        when = row["appointment"]
        row["rescheduled_to"] = free_slot(g, g.cal.next_working_day(when.date()),
                                          row["specialist"])
