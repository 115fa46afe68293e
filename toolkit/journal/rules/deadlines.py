"""Deadlines: forwarding (cl. 2.3), the decision (2.5), confirmation (2.6, 2.7), the outcome (3.11).

Every deadline is counted in working days by the production calendar, a whole column at a
time (`ctx.days.add`); a due date in a year whose calendar is not known yet is noted, and the
run reports it once.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from toolkit.journal.columns import Columns
from toolkit.journal.engine import Context, Flags, Mask, flag, rule
from toolkit.journal.rules.common import (
    CONFIRMATION_DAYS,
    DECISION_DAYS,
    FORWARDING_DAYS,
    SESSION64,
    appointed,
    decided,
)
from toolkit.journal.russian import short_date, short_datetime
from toolkit.journal.schema import Answer


@rule("forwarding-late", cell="received", group="forwarding", clause="2.3")
def forwarding_late(j: Columns, ctx: Context) -> Flags:
    """Cl. 2.3: the centre forwards a website application within 1 working day."""
    both = j.has("submitted") & j.has("received")
    due = ctx.days.add(j.submitted, FORWARDING_DAYS, where=both)
    return flag(both & (j.received > due), due=due,
                submitted=lambda i: short_date(j.value("submitted", i)),
                received=lambda i: short_date(j.value("received", i)))


def _undecided(j: Columns, ctx: Context) -> tuple[Mask, np.ndarray]:
    pending = j.has("received") & (j.decision == 0) & ~j.invalid["decision"]
    return pending, ctx.days.add(j.received, DECISION_DAYS, where=pending)


@rule("decision-overdue", cell="decision", group="decision_deadline", clause="2.5")
def decision_overdue(j: Columns, ctx: Context) -> Flags:
    pending, due = _undecided(j, ctx)
    return flag(pending & (due < ctx.today64), due=due)


@rule("decision-due", cell="decision", group="decision_deadline", clause="2.5")
def decision_due(j: Columns, ctx: Context) -> Flags:
    pending, due = _undecided(j, ctx)
    return flag(pending & (due >= ctx.today64) & (due <= ctx.act_by), due=due)


@rule("decision-late", cell="decision_date", group="decision_deadline", clause="2.5")
def decision_late(j: Columns, ctx: Context) -> Flags:
    made = j.has("received") & decided(j) & j.has("decision_date")
    due = ctx.days.add(j.received, DECISION_DAYS, where=made)
    return flag(made & (j.decision_date > due), due=due,
                decision_date=lambda i: short_date(j.value("decision_date", i)))


@dataclass
class Cancellations:
    """Cl. 2.7: appointments the journal must record as cancelled now."""

    declined: Mask  # the citizen declined
    unconfirmed: Mask  # no confirmation within the window of cl. 2.6, the session still ahead
    waiting: Mask  # no answer yet (the window may still be open)
    due: np.ndarray  # the last day to confirm, where there is no answer yet
    passed: Mask  # no confirmation in the window, and the session's time has come: too late
    #               to cancel it, the outcome is what the journal needs


def cancellations(j: Columns, ctx: Context) -> Cancellations:
    """Cl. 2.7: the cancellations due now (appointments with graph 7 still empty)."""
    open_ = appointed(j) & j.empty("outcome")
    waiting = open_ & (j.answer == 0) & ~j.invalid["answer"] & j.has("notice_sent")
    due = ctx.days.add(j.day("notice_sent"), CONFIRMATION_DAYS, where=waiting)
    lapsed = waiting & (due < ctx.today64)
    # RULES.md «Cases that need care»: never plan a cancellation for a session already past.
    passed = lapsed & j.has("appointment") & (j.appointment <= ctx.now64)
    return Cancellations(open_ & j.is_("answer", Answer.DECLINED),
                         lapsed & ~passed, waiting, due, passed)


def due_cancellation(j: Columns, ctx: Context) -> np.ndarray:
    """Per application the outcome code to record under cl. 2.7 now (0: none)."""
    from toolkit.journal.columns import choice_code
    from toolkit.journal.schema import Outcome

    c = cancellations(j, ctx)
    out = np.zeros(len(j), dtype=np.int8)
    out[c.unconfirmed] = choice_code(Outcome.UNCONFIRMED)
    out[c.declined] = choice_code(Outcome.DECLINED)
    return out


def _awaiting(j: Columns) -> Mask:
    """Appointments whose outcome is not recorded yet."""
    return appointed(j) & j.empty("outcome")


@rule("notice-missing", cell="notice_sent", group="confirmation", clause="2.4")
def notice_missing(j: Columns, ctx: Context) -> Mask:
    return _awaiting(j) & ~j.has("notice_sent") & j.filled("appointment")


@rule("cancellation-not-recorded", cell="outcome", group="confirmation", clause="2.7")
def cancellation_not_recorded(j: Columns, ctx: Context) -> Mask:
    return cancellations(j, ctx).declined & j.has("notice_sent")


@rule("confirmation-overdue", cell="outcome", group="confirmation", clause="2.7")
def confirmation_overdue(j: Columns, ctx: Context) -> Flags:
    c = cancellations(j, ctx)
    return flag(c.unconfirmed & ~c.declined, due=c.due)


@rule("confirmation-due", cell="answer", group="confirmation", clause="2.6")
def confirmation_due(j: Columns, ctx: Context) -> Flags:
    c = cancellations(j, ctx)
    return flag(c.waiting & ~c.unconfirmed & ~c.passed, due=c.due)


@rule("unconfirmed-session-passed", cell="outcome", group="confirmation", clause="2.7")
def unconfirmed_session_passed(j: Columns, ctx: Context) -> Flags:
    """Cl. 2.7: not confirmed, not cancelled in time, and the session's time has come."""
    c = cancellations(j, ctx)
    return flag(c.passed & ~c.declined,
                appointment=lambda i: short_datetime(j.value("appointment", i)))


@rule("outcome-missing", cell="outcome", group="session_outcome", clause="3.11")
def outcome_missing(j: Columns, ctx: Context) -> Flags:
    """Cl. 3.11, 3.13: the specialist records the outcome after the session."""
    c = cancellations(j, ctx)
    over = j.has("appointment") & (j.appointment + SESSION64 <= ctx.now64)
    return flag(over & _awaiting(j) & ~c.declined & ~c.unconfirmed & ~c.passed,
                appointment=lambda i: short_datetime(j.value("appointment", i)))
