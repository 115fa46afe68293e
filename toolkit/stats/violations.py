"""Findings as of a month's end: the core rules run over the journal as it stood then.

`month_findings` sorts them for the report (see `kinds`): breaches of the order whose deadline
or event fell in the month, breaches of earlier months still open, and data-entry slips in the
month's applications; `open_violations` is every open error, as the report counted them first.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from toolkit.journal.calendar import WorkingCalendar
from toolkit.journal.clock import Clock
from toolkit.journal.findings import Finding, Severity
from toolkit.journal.model import Application, Journal
from toolkit.journal.rules import Context, run_rules
from toolkit.stats.frame import outcome_moment
from toolkit.stats.kinds import BREACH, BREACH_DATE, DATA, kind_of
from toolkit.stats.period import Month


def journal_as_of(journal: Journal, moment: dt.datetime, calendar: WorkingCalendar) -> Journal:
    """The journal as it stood at `moment`, as far as its own dates tell.

    Rows received later are left out; a decision dated later is taken back (the row was still
    under review then), and so are a notice, an answer or an outcome dated later.
    """
    day = moment.date()
    kept: list[Application] = []
    for app in journal.applications:
        if app.received is not None and app.received > day:
            continue
        kept.append(_app_as_of(app, moment, calendar))
    rows = {app.row for app in kept}
    findings = [f for f in journal.findings if f.row is None or f.row in rows]
    return Journal(journal.body, journal.sheet, journal.location, kept, findings,
                   journal.date1904)


_DECISION_FACTS = {"decision": None, "decision_date": None, "appointment": None, "ground": None,
                   "specialist": "", "link": "", "outcome": None, "note": "",
                   "notice_sent": None, "answer": None, "answered_at": None,
                   "rescheduled_to": None, "recording": ""}


def _app_as_of(app: Application, moment: dt.datetime, calendar: WorkingCalendar
               ) -> Application:
    changes: dict[str, Any] = {}
    if app.decision_date is not None and app.decision_date > moment.date():
        changes = dict(_DECISION_FACTS)
    else:
        if app.notice_sent is not None and app.notice_sent > moment:
            changes.update(notice_sent=None, answer=None, answered_at=None)
        elif app.answered_at is not None and app.answered_at > moment:
            changes.update(answer=None, answered_at=None)
        happened = outcome_moment(app, calendar)
        if happened is not None and happened > moment:
            changes.update(outcome=None, recording="", rescheduled_to=None)
    if not changes:
        return app
    return dataclasses.replace(app, invalid=app.invalid.difference(changes), **changes)


def open_violations(journals: Sequence[Journal], clock: Clock, calendar: WorkingCalendar,
                    as_of: dt.datetime | None = None) -> dict[str, dict[str, int]]:
    """Errors of the core rules per body and code, for the journal as of `as_of`.

    With `as_of` (a past month's end) the rules see the journal as it stood then and run with a
    clock at that moment; without it they run on the journal as it is, at `clock`.
    """
    found: dict[str, Counter[str]] = {}
    for journal in journals:
        seen = journal if as_of is None else journal_as_of(journal, as_of, calendar)
        when = clock if as_of is None else Clock.at(as_of)
        ctx = Context(seen, calendar, when.today, when.now)
        counter = found.setdefault(journal.body.name, Counter())
        counter.update(f.code for f in run_rules(ctx) if f.severity is Severity.ERROR)
    return {body: dict(c) for body, c in found.items()}



@dataclass
class FindingCounts:
    """One body's findings as of a month's end, sorted for the report (code → count)."""

    errors: Counter[str] = field(default_factory=Counter)  # every open error
    breaches: Counter[str] = field(default_factory=Counter)  # breaches of this month
    breaches_earlier: Counter[str] = field(default_factory=Counter)  # open, of earlier months
    data: Counter[str] = field(default_factory=Counter)  # slips in the month's applications


def month_findings(journals: Sequence[Journal], month: Month, clock: Clock,
                   calendar: WorkingCalendar, as_of: dt.datetime, complete: bool
                   ) -> dict[str, FindingCounts]:
    """The core rules' findings per body, for the journal as of `as_of` (see the module)."""
    first, last = month.first, month.last
    found: dict[str, FindingCounts] = {}
    for journal in journals:
        seen = journal_as_of(journal, as_of, calendar) if complete else journal
        when = Clock.at(as_of) if complete else clock
        rows = {app.row: app for app in seen.applications}
        counts = found.setdefault(journal.body.name, FindingCounts())
        for f in run_rules(Context(seen, calendar, when.today, when.now)):
            error = f.severity is Severity.ERROR
            if error:
                counts.errors[f.code] += 1
            app = rows.get(f.row) if f.row is not None else None
            kind = kind_of(f.code)
            if kind == BREACH:
                day = breach_day(f, app)
                if day is not None and first <= day <= last:
                    counts.breaches[f.code] += 1
                elif error and (day is None or day < first):
                    counts.breaches_earlier[f.code] += 1
            elif kind == DATA and app is not None and app.received is not None \
                    and first <= app.received <= last:
                counts.data[f.code] += 1
    return found


def breach_day(f: Finding, app: Application | None) -> dt.date | None:
    """The day that places a breach in a month: its deadline or its row's event."""
    key = BREACH_DATE.get(f.code, "due")
    value: Any = f.due if key == "due" else getattr(app, key, None)
    if value is None and app is not None:
        value = app.appointment or app.received  # an event not dated: the row's dates
    return value.date() if isinstance(value, dt.datetime) else value
