"""The rules of order No. 77 as small functions that yield findings.

A row rule sees one application; a journal rule sees all rows of one body's journal (for
uniqueness and overlapping slots). Rules never raise on bad data: a cell that did not parse is
already a finding, and rules skip it rather than report it twice.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from .calendar import WorkingCalendar
from .config import Body
from .findings import Finding, finding
from .journal import Application, Journal
from .russian import short_date, short_datetime
from .schema import BY_KEY, Answer, Consent, Decision, Outcome, Stage, column_title, normalize

SESSION = dt.timedelta(minutes=15)  # cl. 3.10
DECISION_DAYS = 5  # cl. 2.5
FORWARDING_DAYS = 1  # cl. 2.3
CONFIRMATION_DAYS = 1  # cl. 2.6
RETENTION_YEARS = 2  # cl. 3.6

_NAME_PART = r"[А-ЯЁа-яё][а-яё'ʼ]*(?:-[А-ЯЁа-яё][а-яё'ʼ]*)*"
_CITIZEN_RE = re.compile(rf"^{_NAME_PART}(?: {_NAME_PART}){{1,2}}(?: (?:оглы|кызы|улы|уулу))?$")
_EMAIL_RE = re.compile(r"^[^@\s,;]+@[^@\s,;]+\.[^@\s,;.]{2,}$")
_PHONE_RE = re.compile(r"^[+\d\s().\-–]+(?:\s*доб\.?\s*\d{1,5})?$", re.IGNORECASE)


@dataclass
class Context:
    """What rules need beyond the row: the body, the calendar, and what time it is."""

    journal: Journal
    calendar: WorkingCalendar
    today: dt.date
    now: dt.datetime
    unknown_years: set[int] = field(default_factory=set)

    @property
    def body(self) -> Body:
        return self.journal.body

    def deadline(self, day: dt.date, working_days: int) -> dt.date:
        """Not later than `working_days` working days from `day`; notes unknown calendar years."""
        due = self.calendar.add(day, working_days)
        if not self.calendar.is_known(due.year):
            self.unknown_years.add(due.year)
        return due

    def at(self, code: str, app: Application, key: str, due: dt.date | None = None,
           **params: object) -> Finding:
        return finding(code, self.body.name, self.journal.sheet, app.row, app.cell(key), due,
                       **params)

    def falls_due(self, due: dt.date) -> bool:
        """Due today or on the next working day: time to act before the deadline passes."""
        return self.today <= due <= self.calendar.next_working_day(self.today)


RowRule = Callable[[Application, Context], Iterable[Finding]]
JournalRule = Callable[[Journal, Context], Iterable[Finding]]
ROW_RULES: list[RowRule] = []
JOURNAL_RULES: list[JournalRule] = []


def row_rule(fn: RowRule) -> RowRule:
    ROW_RULES.append(fn)
    return fn


def journal_rule(fn: JournalRule) -> JournalRule:
    JOURNAL_RULES.append(fn)
    return fn


# The row's content -------------------------------------------------------------------------


@row_rule
def required(app: Application, ctx: Context) -> Iterator[Finding]:
    for key, code in (("number", "number-missing"), ("received", "received-missing"),
                      ("citizen", "citizen-missing"), ("topic", "topic-missing")):
        if not app.filled(key):
            yield ctx.at(code, app, key)


@row_rule
def citizen_name(app: Application, ctx: Context) -> Iterator[Finding]:
    if app.citizen and not _CITIZEN_RE.match(" ".join(app.citizen.split())):
        yield ctx.at("citizen-implausible", app, "citizen")


@row_rule
def decision(app: Application, ctx: Context) -> Iterator[Finding]:
    if app.decision is None:
        if "decision" not in app.invalid and any(
            app.filled(k) for k in ("decision_date", "appointment", "ground")
        ):
            yield ctx.at("decision-missing", app, "decision")
        return
    if not app.filled("decision_date"):
        yield ctx.at("decision-date-missing", app, "decision_date", decision=app.decision.label)
    if not app.filled("email"):
        yield ctx.at("email-missing", app, "email")
    if app.decision is Decision.APPOINTED:
        if not app.filled("appointment"):
            yield ctx.at("appointment-missing", app, "appointment")
        if not app.specialist:
            yield ctx.at("specialist-missing", app, "specialist")
        if not app.link and app.outcome is None:
            yield ctx.at("link-missing", app, "link")
        if app.ground is not None:
            yield ctx.at("ground-unexpected", app, "ground", decision=app.decision.label)
    else:
        if not app.filled("ground"):
            yield ctx.at("ground-missing", app, "ground")
        if app.appointment is not None:
            yield ctx.at("appointment-unexpected", app, "appointment")


_DATE_ORDER = (
    ("submitted", "received"),
    ("received", "decision_date"),
    ("decision_date", "appointment"),
    ("decision_date", "notice_sent"),
    ("notice_sent", "answered_at"),
)


def _day(value: dt.date | dt.datetime) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


@row_rule
def date_order(app: Application, ctx: Context) -> Iterator[Finding]:
    for earlier_key, later_key in _DATE_ORDER:
        earlier, later = getattr(app, earlier_key), getattr(app, later_key)
        if earlier is None or later is None or _day(later) >= _day(earlier):
            continue
        yield ctx.at(
            "date-order", app, later_key,
            later_column=_capital(column_title(BY_KEY[later_key])), later=_shown(later),
            earlier_column=column_title(BY_KEY[earlier_key]), earlier=_shown(earlier),
        )


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _shown(value: dt.date | dt.datetime) -> str:
    return short_datetime(value) if isinstance(value, dt.datetime) else short_date(value)


@row_rule
def schedule(app: Application, ctx: Context) -> Iterator[Finding]:
    """Cl. 1.2: receptions are held on working days within the body's working hours."""
    when = app.appointment
    if app.decision is not Decision.APPOINTED or when is None:
        return
    if not ctx.calendar.is_working_day(when.date()):
        yield ctx.at("appointment-off-day", app, "appointment", date=short_date(when.date()))
        return
    if when.time() == dt.time(0):
        return  # no time given: cell-time-missing says so
    hours = ctx.body.open_hours(when.date())
    start, end = when, when + SESSION
    fits = hours is not None and hours[0] <= start.time() and end.time() <= hours[1] \
        and end.date() == start.date()
    lunch = ctx.body.lunch
    if fits and lunch and start.time() < lunch[1] and end.time() > lunch[0]:
        fits = False
    if not fits:
        yield ctx.at("appointment-off-hours", app, "appointment",
                     time=when.strftime("%H:%M"), hours=_hours_text(ctx.body, when.date()))


def _hours_text(body: Body, day: dt.date) -> str:
    hours = body.open_hours(day)
    if hours is None:
        return "в этот день прием не ведется"
    text = f"{hours[0]:%H:%M}–{hours[1]:%H:%M}"
    if body.lunch:
        text += f", перерыв {body.lunch[0]:%H:%M}–{body.lunch[1]:%H:%M}"
    return text


@row_rule
def outcome(app: Application, ctx: Context) -> Iterator[Finding]:
    if app.outcome is None:
        return
    if app.decision is not Decision.APPOINTED:
        if "decision" not in app.invalid:
            yield ctx.at("outcome-without-appointment", app, "outcome",
                         outcome=app.outcome.label)
        return
    stage = app.outcome.stage
    if stage in (Stage.HELD, Stage.INTERRUPTED) and app.appointment and app.appointment > ctx.now:
        yield ctx.at("outcome-premature", app, "outcome", outcome=app.outcome.label,
                     appointment=short_datetime(app.appointment))


@row_rule
def contacts(app: Application, ctx: Context) -> Iterator[Finding]:
    if app.email and not _EMAIL_RE.match(app.email):
        yield ctx.at("email-implausible", app, "email")
    if app.phone:
        digits = sum(ch.isdigit() for ch in app.phone.split("доб")[0])
        if not _PHONE_RE.match(app.phone) or not 10 <= digits <= 11:
            yield ctx.at("phone-implausible", app, "phone")


@row_rule
def consents(app: Application, ctx: Context) -> Iterator[Finding]:
    for key, what in (("consent_data", "на обработку персональных данных"),
                      ("consent_video", "на видеозапись приема")):
        if getattr(app, key) is not Consent.YES and key not in app.invalid:
            yield ctx.at("consent-missing", app, key, column=column_title(BY_KEY[key]),
                         what=what)


# Deadlines -------------------------------------------------------------------------------


@row_rule
def forwarding(app: Application, ctx: Context) -> Iterator[Finding]:
    """Cl. 2.3: the centre forwards a website application within 1 working day."""
    if app.submitted is None or app.received is None:
        return
    due = ctx.deadline(app.submitted, FORWARDING_DAYS)
    if app.received > due:
        yield ctx.at("forwarding-late", app, "received", due,
                     submitted=short_date(app.submitted), received=short_date(app.received))


@row_rule
def decision_deadline(app: Application, ctx: Context) -> Iterator[Finding]:
    """Cl. 2.5: a decision within 5 working days of receipt."""
    if app.received is None:
        return
    due = ctx.deadline(app.received, DECISION_DAYS)
    if app.decision is None:
        if "decision" in app.invalid:
            return
        if ctx.today > due:
            yield ctx.at("decision-overdue", app, "decision", due)
        elif ctx.falls_due(due):
            yield ctx.at("decision-due", app, "decision", due)
    elif app.decision_date is not None and app.decision_date > due:
        yield ctx.at("decision-late", app, "decision_date", due,
                     decision_date=short_date(app.decision_date))


def confirmation_due(app: Application, ctx: Context) -> dt.date | None:
    """Cl. 2.6: the last day the citizen may confirm, counted from the notice."""
    if app.notice_sent is None:
        return None
    return ctx.deadline(app.notice_sent.date(), CONFIRMATION_DAYS)


def due_cancellation(app: Application, ctx: Context) -> Outcome | None:
    """Cl. 2.7: the cancellation the journal must record for this row now, if any."""
    if app.decision is not Decision.APPOINTED or app.filled("outcome"):
        return None
    if app.answer is Answer.DECLINED:
        return Outcome.DECLINED
    if app.answer is None and "answer" not in app.invalid:
        due = confirmation_due(app, ctx)
        if due is not None and ctx.today > due:
            return Outcome.UNCONFIRMED
    return None


@row_rule
def confirmation(app: Application, ctx: Context) -> Iterator[Finding]:
    if app.decision is not Decision.APPOINTED or app.filled("outcome"):
        return
    if app.notice_sent is None:
        if app.filled("appointment"):
            yield ctx.at("notice-missing", app, "notice_sent")
        return
    cancel = due_cancellation(app, ctx)
    due = confirmation_due(app, ctx)
    if cancel is Outcome.DECLINED:
        yield ctx.at("cancellation-not-recorded", app, "outcome")
    elif cancel is Outcome.UNCONFIRMED:
        yield ctx.at("confirmation-overdue", app, "outcome", due)
    elif app.answer is None and due is not None and "answer" not in app.invalid:
        yield ctx.at("confirmation-due", app, "answer", due)


@row_rule
def session_outcome(app: Application, ctx: Context) -> Iterator[Finding]:
    """Cl. 3.11, 3.13: the specialist records the outcome after the session."""
    when = app.appointment
    if app.decision is not Decision.APPOINTED or when is None or app.filled("outcome"):
        return
    if due_cancellation(app, ctx) is not None:
        return
    if ctx.now >= when + SESSION:
        yield ctx.at("outcome-missing", app, "outcome", appointment=short_datetime(when))


def retention_end(session: dt.date) -> dt.date:
    """Cl. 3.6: 2 years from the session date (29 February → 28 February)."""
    try:
        return session.replace(year=session.year + RETENTION_YEARS)
    except ValueError:
        return session.replace(year=session.year + RETENTION_YEARS, day=28)


@row_rule
def recording(app: Application, ctx: Context) -> Iterator[Finding]:
    if app.appointment is None or app.outcome is None:
        return
    if app.recording:
        ends = retention_end(app.appointment.date())
        if ctx.today > ends:
            yield ctx.at("recording-expired", app, "recording", ends)
    elif app.outcome is Outcome.HELD and app.consent_video is Consent.YES:
        yield ctx.at("recording-missing", app, "recording")


# Across rows -------------------------------------------------------------------------------


@journal_rule
def unique_numbers(journal: Journal, ctx: Context) -> Iterator[Finding]:
    first: dict[int, int] = {}
    for app in journal.applications:
        if app.number is None:
            continue
        if app.number in first:
            yield ctx.at("number-duplicate", app, "number", number=app.number,
                         other_row=first[app.number])
        else:
            first[app.number] = app.row


@journal_rule
def overlapping_slots(journal: Journal, ctx: Context) -> Iterator[Finding]:
    """Cl. 3.10: a session lasts up to 15 minutes; one specialist's sessions must not overlap."""
    slots: dict[str, list[Application]] = {}
    for app in journal.applications:
        when = app.appointment
        if (app.decision is not Decision.APPOINTED or when is None or not app.specialist
                or when.time() == dt.time(0)
                or (app.outcome is not None and app.outcome.stage is Stage.CANCELLED)):
            continue
        slots.setdefault(normalize(app.specialist), []).append(app)
    for apps in slots.values():
        apps.sort(key=lambda a: (a.appointment, a.row))
        for before, after in itertools.pairwise(apps):
            assert before.appointment is not None and after.appointment is not None
            if after.appointment < before.appointment + SESSION:
                yield ctx.at("slot-overlap", after, "appointment",
                             time=short_datetime(after.appointment), other_row=before.row,
                             other_time=before.appointment.strftime("%H:%M"))


def run_rules(ctx: Context) -> list[Finding]:
    """Every rule over one journal; the findings of reading it come first."""
    found = list(ctx.journal.findings)
    for app in ctx.journal.applications:
        for rule in ROW_RULES:
            found.extend(rule(app, ctx))
    for journal_rule_fn in JOURNAL_RULES:
        found.extend(journal_rule_fn(ctx.journal, ctx))
    for year in sorted(ctx.unknown_years):
        found.append(finding("calendar-unknown", ctx.body.name, ctx.journal.sheet, year=year))
    return found
