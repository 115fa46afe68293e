"""Cl. 3.11: an outcome belongs to an appointment, and is recorded after the session."""

from __future__ import annotations

from toolkit.journal.columns import Columns
from toolkit.journal.engine import Context, Flags, flag, rule
from toolkit.journal.rules.common import appointed, label
from toolkit.journal.russian import short_datetime
from toolkit.journal.schema import Outcome, Stage


@rule("outcome-without-appointment", cell="outcome", group="outcome", clause="3.11")
def without_appointment(j: Columns, ctx: Context) -> Flags:
    return flag(j.has("outcome") & ~appointed(j) & ~j.invalid["decision"],
                outcome=label(j, "outcome"))


@rule("outcome-premature", cell="outcome", group="outcome", clause="3.11")
def premature(j: Columns, ctx: Context) -> Flags:
    happened = j.is_("outcome", *[o for o in Outcome
                                  if o.stage in (Stage.HELD, Stage.INTERRUPTED)])
    ahead = j.has("appointment") & (j.appointment > ctx.now64)
    return flag(appointed(j) & happened & ahead, outcome=label(j, "outcome"),
                appointment=lambda i: short_datetime(j.value("appointment", i)))
