"""The rules of order No. 77 as masks over a journal's columns (see `journal.engine`).

    @rule("email-missing", cell="email", group="decision")
    def email_missing(j: Columns, ctx: Context) -> Mask:
        return decided(j) & j.empty("email")

Modules by clause group: `content` (the row's cells, cl. 2.2–2.8), `schedule` (cl. 1.2, 3.10),
`outcome` (cl. 3.11), `deadlines` (cl. 2.3, 2.5–2.7, 3.11), `retention` (cl. 3.6). Rules never
raise on bad data: a cell that did not parse is already a finding, and rules skip it rather
than report it twice.
"""

from __future__ import annotations

from toolkit.journal.engine import RULES, Context, Flags, Mask, WorkingDays, flag, rule, run_rules
from toolkit.journal.rules import (  # noqa: F401
    confirmation,
    content,
    deadlines,
    outcome,
    retention,
    schedule,
)
from toolkit.journal.rules.common import (
    CONFIRMATION_DAYS,
    DECISION_DAYS,
    FORWARDING_DAYS,
    RETENTION_YEARS,
    SESSION,
)
from toolkit.journal.rules.deadlines import cancellations, due_cancellation
from toolkit.journal.rules.retention import destroyed, retention_end

__all__ = ["CONFIRMATION_DAYS", "DECISION_DAYS", "FORWARDING_DAYS", "RETENTION_YEARS", "RULES",
           "SESSION", "Context", "Flags", "Mask", "WorkingDays", "cancellations", "destroyed",
           "due_cancellation", "flag", "retention_end", "rule", "run_rules"]
