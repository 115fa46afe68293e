"""Which findings are breaches of the order and which are slips in filling in the journal.

A manager acts on breaches of the order (a decision late, a reception outside the schedule, an
outcome never recorded); data-entry slips (a date that does not parse, a missing e-mail) are for
the clerk. The report keeps them apart, and counts a breach in the month its deadline or its
event fell in (`BREACH_DATE`), so that a row of an earlier month does not swell this month's
figure.

The table lives here rather than in the findings catalogue: it is how the statistics read the
catalogue. A code added to the catalogue later is classified by its clause until it is listed.
"""

from __future__ import annotations

from toolkit.journal.findings import CODES

BREACH, DATA, REMINDER, NOTE = "breach", "data", "reminder", "note"

_BREACHES = (
    "forwarding-late",            # 2.3
    "decision-overdue",           # 2.5
    "decision-late",              # 2.5
    "confirmation-overdue",       # 2.7: no confirmation, the reception not cancelled
    "cancellation-not-recorded",  # 2.7
    "appointment-off-day",        # 1.2
    "appointment-off-hours",      # 1.2
    "slot-overlap",               # 3.10
    "outcome-missing",            # 3.11
    "recording-expired",          # 3.6
    "confirmation-late",          # 2.6: confirmed after the window (the session may go ahead)
    "cancellation-premature",     # 2.7: cancelled while the window was open
    "cancellation-contradicts-confirmation",  # 2.7
    "held-without-confirmation",  # 2.7
    "unconfirmed-session-passed",  # 2.7: neither cancelled nor an outcome recorded
    "no-show-too-early",          # 3.12
    "rescheduled-off-day",        # 1.2, 3.5
    "rescheduled-off-hours",      # 1.2, 3.5
    "link-not-telemost",          # 1.3
)
# Deadlines still ahead: nothing broken yet (the centre still has the day to forward it).
_REMINDERS = ("decision-due", "confirmation-due", "unrouted-due",
              "appointment-inside-window")  # warned at decision time: nothing broken yet
_NOTES = ("calendar-unknown", "repeat-question")  # a hint is never a breach

_DATA = (
    "cell-invalid-date", "cell-invalid-datetime", "cell-time-missing", "cell-invalid-number",
    "cell-unknown-value", "cell-formula", "cell-formula-like", "cell-control-chars",
    "cell-too-long", "cell-merged", "header-mismatch", "number-missing", "number-duplicate",
    "received-missing",
    "citizen-missing", "citizen-implausible", "topic-missing", "decision-missing",
    "decision-date-missing", "appointment-missing", "appointment-unexpected",
    "specialist-missing", "link-missing", "ground-missing", "ground-unknown",
    "ground-unexpected", "date-order", "outcome-without-appointment", "outcome-premature",
    "email-implausible", "email-missing", "phone-implausible", "consent-missing",
    "notice-missing", "recording-missing", "phone-missing", "specialist-unknown",
    "rescheduled-time-missing",
)

KINDS: dict[str, str] = {
    **dict.fromkeys(_DATA, DATA),
    **dict.fromkeys(_BREACHES, BREACH),
    **dict.fromkeys(_REMINDERS, REMINDER),
    **dict.fromkeys(_NOTES, NOTE),
}

# What places a breach in a month: the finding's deadline («due»), or a date of its row.
BREACH_DATE: dict[str, str] = {
    "forwarding-late": "received",
    "decision-overdue": "due",
    "decision-late": "decision_date",
    "confirmation-overdue": "due",
    "confirmation-late": "answered_at",
    "cancellation-not-recorded": "answered_at",
    "appointment-off-day": "appointment",
    "appointment-off-hours": "appointment",
    "slot-overlap": "appointment",
    "outcome-missing": "appointment",
    "recording-expired": "due",
    "cancellation-premature": "due",
    "cancellation-contradicts-confirmation": "appointment",
    "held-without-confirmation": "appointment",
    "unconfirmed-session-passed": "appointment",
    "no-show-too-early": "appointment",
    "rescheduled-off-day": "rescheduled_to",
    "rescheduled-off-hours": "rescheduled_to",
    "link-not-telemost": "appointment",
}

def kind_of(code: str) -> str:
    """BREACH, DATA, REMINDER or NOTE; a code not listed yet goes by its clause."""
    if code in KINDS:
        return KINDS[code]
    clause = CODES[code].clause
    return BREACH if clause[:1].isdigit() and not code.startswith("cell-") else DATA


def clause_of(code: str) -> str:
    return CODES[code].clause


def title_of(code: str) -> str:
    return CODES[code].title


def clause_order(clause: str) -> tuple[int, ...]:
    """«3.10» after «3.6»: clauses sort by their numbers."""
    parts = [p for p in clause.split(".") if p.isdigit()]
    return tuple(int(p) for p in parts) if parts else (99,)
