"""Confirmation and the outcome that follows it (cl. 2.6, 2.7, 3.5, 3.12).

The cases staff get wrong (RULES.md «Cases that need care»): the citizen confirms within the
next working day after the notice; a cancellation «нет подтверждения» before that day is over
is premature; a cancellation of a confirmed reception, or a reception held with no
confirmation, contradicts cl. 2.7; an appointment before the window closes leaves no time to
confirm; «не подключился» needs the 10 minutes of cl. 3.12; a rescheduled reception needs
its new time.
"""

from __future__ import annotations

import numpy as np

from toolkit.journal.columns import Columns
from toolkit.journal.engine import Context, Flags, Mask, flag, rule
from toolkit.journal.rules.common import CONFIRMATION_DAYS, appointed, label, shown
from toolkit.journal.schema import Answer, Outcome, Stage

NO_SHOW_WAIT = np.timedelta64(10, "m")  # cl. 3.12
# «подключился в 10:05», «подключилась в 10.05» in the note: when the citizen did connect.
CONNECTED_RE = r"(?i)подключ[а-яё]*\s+в\s+([0-9]{1,2})[:.]([0-9]{2})"


def _window_end(j: Columns, ctx: Context, where: Mask) -> np.ndarray:
    """Cl. 2.6: the last day to confirm — the next working day after the notice (or decision)."""
    sent = np.where(j.has("notice_sent"), j.day("notice_sent"), j.day("decision_date"))
    return ctx.days.add(sent, CONFIRMATION_DAYS, where=where & ~np.isnat(sent))


def _stage(j: Columns, stage: Stage) -> Mask:
    return j.is_("outcome", *[o for o in Outcome if o.stage is stage])


@rule("confirmation-late", cell="answered_at", group="confirmation", clause="2.6")
def confirmation_late(j: Columns, ctx: Context) -> Flags:
    """Cl. 2.6: a confirmation after the window is a breach, even if the session goes ahead."""
    confirmed = j.is_("answer", Answer.CONFIRMED) & j.has("answered_at") & j.has("notice_sent")
    due = _window_end(j, ctx, confirmed)
    return flag(confirmed & (j.day("answered_at") > due), due=due,
                answered_at=shown(j, "answered_at"))


@rule("cancellation-premature", cell="outcome", group="confirmation", clause="2.7")
def cancellation_premature(j: Columns, ctx: Context) -> Flags:
    """Cl. 2.7: «нет подтверждения» only once the window of cl. 2.6 is over."""
    cancelled = (j.is_("outcome", Outcome.UNCONFIRMED) & (j.answer == 0)
                 & ~j.invalid["answer"] & j.has("notice_sent"))
    due = _window_end(j, ctx, cancelled)
    return flag(cancelled & (due >= ctx.today64), due=due)


@rule("cancellation-contradicts-confirmation", cell="outcome", group="confirmation",
      clause="2.7")
def cancellation_contradicts(j: Columns, ctx: Context) -> Flags:
    return flag(_stage(j, Stage.CANCELLED) & j.is_("answer", Answer.CONFIRMED),
                outcome=label(j, "outcome"))


@rule("held-without-confirmation", cell="outcome", group="confirmation", clause="2.7")
def held_without_confirmation(j: Columns, ctx: Context) -> Flags:
    held = _stage(j, Stage.HELD) & appointed(j)
    return flag(held & ~j.is_("answer", Answer.CONFIRMED) & ~j.invalid["answer"],
                outcome=label(j, "outcome"))


@rule("appointment-inside-window", cell="appointment", group="confirmation", clause="2.6")
def appointment_inside_window(j: Columns, ctx: Context) -> Flags:
    """Cl. 2.6: warned while the session is ahead and the citizen has not confirmed yet."""
    ahead = (appointed(j) & j.has("appointment") & j.empty("outcome") & (j.answer == 0)
             & ~j.invalid["answer"] & (j.appointment > ctx.now64))
    due = _window_end(j, ctx, ahead)
    return flag(ahead & (j.day("appointment") <= due), due=due,
                appointment=shown(j, "appointment"))


@rule("no-show-too-early", cell="outcome", group="session_outcome", clause="3.12")
def no_show_too_early(j: Columns, ctx: Context) -> Flags:
    """Cl. 3.12: the wait is 10 minutes; the journal shows it broken only by the clock or the note.

    The journal keeps no time of entry: flagged when the 10 minutes are not over yet, or when
    the note says the citizen connected («подключился в 10:05») within them.
    """
    no_show = j.is_("outcome", Outcome.NO_SHOW) & j.has("appointment")
    start = j.appointment
    waiting = no_show & (start <= ctx.now64) & (ctx.now64 < start + NO_SHOW_WAIT)
    parts = j.note.str.extract_groups(CONNECTED_RE)
    hour = parts.struct.field("1").cast(int, strict=False).fill_null(-1).to_numpy()
    minute = parts.struct.field("2").cast(int, strict=False).fill_null(-1).to_numpy()
    begun = (start - start.astype("datetime64[D]")).astype("timedelta64[m]").astype(np.int64)
    connected = (hour >= 0) & (hour * 60 + minute >= begun) & (hour * 60 + minute <= begun + 10)
    return flag(no_show & (waiting | connected), appointment=shown(j, "appointment"))


@rule("rescheduled-time-missing", cell="rescheduled_to", group="session_outcome",
      clause="3.5")
def rescheduled_time_missing(j: Columns, ctx: Context) -> Mask:
    """Cl. 3.5: the new time agreed by phone goes into «Перенесен на»."""
    return j.is_("outcome", Outcome.RESCHEDULED) & j.no_value("rescheduled_to")
