"""The rules of order No. 77 as small functions that yield findings.

Each rule walks one body's journal and yields a finding for every row that breaks it:

    @rule
    def forwarding(ctx):
        for app in ctx.rows:
            ...
            yield ctx.at("forwarding-late", app, "received", due, …)

A rule walks the rows itself rather than being called once per row: on a 100,000-row journal
a generator per row and rule would cost more than the checks. Rules never raise on bad data: a
cell that did not parse is already a finding, and rules skip it rather than report it twice.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from operator import attrgetter

from toolkit.journal.calendar import WorkingCalendar
from toolkit.journal.config import Body
from toolkit.journal.findings import Finding, finding
from toolkit.journal.model import Application, Journal
from toolkit.journal.russian import short_date, short_datetime
from toolkit.journal.schema import (
    BY_KEY,
    Answer,
    Consent,
    Decision,
    Outcome,
    Stage,
    column_title,
    normalize,
)

SESSION = dt.timedelta(minutes=15)  # cl. 3.10
DECISION_DAYS = 5  # cl. 2.5
FORWARDING_DAYS = 1  # cl. 2.3
CONFIRMATION_DAYS = 1  # cl. 2.6
RETENTION_YEARS = 2  # cl. 3.6

_NAME_PART = r"[А-ЯЁа-яё][а-яё'ʼ]*(?:-[А-ЯЁа-яё][а-яё'ʼ]*)*"
_CITIZEN_RE = re.compile(rf"^{_NAME_PART}(?: {_NAME_PART}){{1,2}}(?: (?:оглы|кызы|улы|уулу))?$")
_EMAIL_RE = re.compile(r"^[^@\s,;]+@[^@\s,;]+\.[^@\s,;.]{2,}$")
# 10–11 digits with the usual separators, and an optional extension: +7 (913) 000-00-00 доб. 12
_PHONE_RE = re.compile(
    r"^\+?[\s().\-–]*(?:\d[\s().\-–]*){10,11}(?:доб\.?\s*\d{1,5})?$", re.IGNORECASE
)
APPOINTED = Decision.APPOINTED


@dataclass
class Context:
    """What rules need beyond the rows: the body, the calendar, and what time it is."""

    journal: Journal
    calendar: WorkingCalendar
    today: dt.date
    now: dt.datetime
    unknown_years: set[int] = field(default_factory=set)

    @property
    def body(self) -> Body:
        return self.journal.body

    @property
    def rows(self) -> list[Application]:
        return self.journal.applications

    def deadline(self, day: dt.date, working_days: int) -> dt.date:
        """Not later than `working_days` working days from `day`; notes unknown calendar years."""
        due = self.calendar.add(day, working_days)
        if not self.calendar.is_known(due.year):
            self.unknown_years.add(due.year)
        return due

    def at(self, code: str, app: Application, key: str, due: dt.date | None = None,
           **params: object) -> Finding:
        return finding(code, self.body.name, self.journal.sheet, app.row,
                       f"{BY_KEY[key].letter}{app.row}", due, **params)

    @functools.cached_property
    def retention_horizon(self) -> dt.date:
        """Recordings of sessions before this day are past their 2 years today (cl. 3.6)."""
        day = self.today - dt.timedelta(days=800)
        while retention_end(day) < self.today:
            day += dt.timedelta(days=1)
        return day

    @functools.cached_property
    def act_by(self) -> dt.date:
        """The next working day: what falls due by then needs acting on now."""
        return self.calendar.next_working_day(self.today)

    def falls_due(self, due: dt.date) -> bool:
        """Due today or on the next working day: time to act before the deadline passes."""
        return self.today <= due <= self.act_by


Rule = Callable[[Context], Iterable[Finding]]
RULES: list[Rule] = []


def rule(fn: Rule) -> Rule:
    """Register a rule; rules run in the order they are declared."""
    RULES.append(fn)
    return fn


# The row's content -------------------------------------------------------------------------

_REQUIRED = (("number", "number-missing"), ("received", "received-missing"),
             ("citizen", "citizen-missing"), ("topic", "topic-missing"))


@rule
def required(ctx: Context) -> Iterator[Finding]:
    for app in ctx.rows:
        if app.number is None or app.received is None or not app.citizen or not app.topic:
            for key, code in _REQUIRED:
                if not app.filled(key):
                    yield ctx.at(code, app, key)


@rule
def citizen_name(ctx: Context) -> Iterator[Finding]:
    match = _CITIZEN_RE.match
    for app in ctx.rows:
        if app.citizen and not match(app.citizen) and not match(" ".join(app.citizen.split())):
            yield ctx.at("citizen-implausible", app, "citizen")


@rule
def decision(ctx: Context) -> Iterator[Finding]:
    for app in ctx.rows:
        made = app.decision
        if made is None:
            if "decision" not in app.invalid and (
                app.decision_date is not None or app.appointment is not None
                or app.ground is not None or (app.invalid and any(
                    k in app.invalid for k in ("decision_date", "appointment", "ground")))
            ):
                yield ctx.at("decision-missing", app, "decision")
            continue
        if app.decision_date is None and "decision_date" not in app.invalid:
            yield ctx.at("decision-date-missing", app, "decision_date", decision=made.label)
        if not app.email:
            yield ctx.at("email-missing", app, "email")
        if made is APPOINTED:
            if app.appointment is None and "appointment" not in app.invalid:
                yield ctx.at("appointment-missing", app, "appointment")
            if not app.specialist:
                yield ctx.at("specialist-missing", app, "specialist")
            if not app.link and app.outcome is None:
                yield ctx.at("link-missing", app, "link")
            if app.ground is not None:
                yield ctx.at("ground-unexpected", app, "ground", decision=made.label)
        else:
            if app.ground is None and "ground" not in app.invalid:
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


def _in_order(app: Application) -> bool:
    """The common case, decided without building anything: every date is in order."""
    submitted, received, decided = app.submitted, app.received, app.decision_date
    notice, answered, when = app.notice_sent, app.answered_at, app.appointment
    if submitted and received and received < submitted:
        return False
    if decided:
        if received and decided < received:
            return False
        if when and when.date() < decided:
            return False
        if notice and notice.date() < decided:
            return False
    return not (notice and answered and answered.date() < notice.date())


@rule
def date_order(ctx: Context) -> Iterator[Finding]:
    for app in ctx.rows:
        if _in_order(app):
            continue
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


@rule
def schedule(ctx: Context) -> Iterator[Finding]:
    """Cl. 1.2: receptions are held on working days within the body's working hours."""
    body, working = ctx.body, ctx.calendar.is_working_day
    for app in ctx.rows:
        when = app.appointment
        if when is None or app.decision is not APPOINTED:
            continue
        day = when.date()
        if not working(day):
            yield ctx.at("appointment-off-day", app, "appointment", date=short_date(day))
            continue
        if not when.hour and not when.minute:
            continue  # no time given: cell-time-missing says so
        if not _fits(body, when):
            yield ctx.at("appointment-off-hours", app, "appointment",
                         time=when.strftime("%H:%M"), hours=_hours_text(body, day))


def _fits(body: Body, when: dt.datetime) -> bool:
    hours = body.open_hours(when.date())
    end = when + SESSION
    if hours is None or end.date() != when.date():
        return False
    start_time, end_time = when.time(), end.time()
    if not hours[0] <= start_time or not end_time <= hours[1]:
        return False
    lunch = body.lunch
    return not (lunch and start_time < lunch[1] and end_time > lunch[0])


def _hours_text(body: Body, day: dt.date) -> str:
    hours = body.open_hours(day)
    if hours is None:
        return "в этот день прием не ведется"
    text = f"{hours[0]:%H:%M}–{hours[1]:%H:%M}"
    if body.lunch:
        text += f", перерыв {body.lunch[0]:%H:%M}–{body.lunch[1]:%H:%M}"
    return text


@rule
def outcome(ctx: Context) -> Iterator[Finding]:
    now = ctx.now
    for app in ctx.rows:
        result = app.outcome
        if result is None:
            continue
        if app.decision is not APPOINTED:
            if "decision" not in app.invalid:
                yield ctx.at("outcome-without-appointment", app, "outcome", outcome=result.label)
            continue
        when = app.appointment
        if when is not None and when > now and result.stage in (Stage.HELD, Stage.INTERRUPTED):
            yield ctx.at("outcome-premature", app, "outcome", outcome=result.label,
                         appointment=short_datetime(when))


@rule
def contacts(ctx: Context) -> Iterator[Finding]:
    email_ok, phone_ok = _EMAIL_RE.match, _PHONE_RE.match
    for app in ctx.rows:
        if app.email and not email_ok(app.email):
            yield ctx.at("email-implausible", app, "email")
        if app.phone and not phone_ok(app.phone):
            yield ctx.at("phone-implausible", app, "phone")


_CONSENTS = (("consent_data", "на обработку персональных данных"),
             ("consent_video", "на видеозапись приема"))


@rule
def consents(ctx: Context) -> Iterator[Finding]:
    yes = Consent.YES
    for app in ctx.rows:
        if app.consent_data is yes and app.consent_video is yes:
            continue
        for key, what in _CONSENTS:
            if getattr(app, key) is not yes and key not in app.invalid:
                yield ctx.at("consent-missing", app, key, column=column_title(BY_KEY[key]),
                             what=what)


# Deadlines -------------------------------------------------------------------------------


@rule
def forwarding(ctx: Context) -> Iterator[Finding]:
    """Cl. 2.3: the centre forwards a website application within 1 working day."""
    for app in ctx.rows:
        if app.submitted is None or app.received is None:
            continue
        due = ctx.deadline(app.submitted, FORWARDING_DAYS)
        if app.received > due:
            yield ctx.at("forwarding-late", app, "received", due,
                         submitted=short_date(app.submitted), received=short_date(app.received))


@rule
def decision_deadline(ctx: Context) -> Iterator[Finding]:
    """Cl. 2.5: a decision within 5 working days of receipt."""
    today = ctx.today
    for app in ctx.rows:
        if app.received is None:
            continue
        if app.decision is None:
            if "decision" in app.invalid:
                continue
            due = ctx.deadline(app.received, DECISION_DAYS)
            if today > due:
                yield ctx.at("decision-overdue", app, "decision", due)
            elif ctx.falls_due(due):
                yield ctx.at("decision-due", app, "decision", due)
        elif app.decision_date is not None:
            due = ctx.deadline(app.received, DECISION_DAYS)
            if app.decision_date > due:
                yield ctx.at("decision-late", app, "decision_date", due,
                             decision_date=short_date(app.decision_date))


def confirmation_due(app: Application, ctx: Context) -> dt.date | None:
    """Cl. 2.6: the last day the citizen may confirm, counted from the notice."""
    if app.notice_sent is None:
        return None
    return ctx.deadline(app.notice_sent.date(), CONFIRMATION_DAYS)


def due_cancellation(app: Application, ctx: Context) -> Outcome | None:
    """Cl. 2.7: the cancellation the journal must record for this row now, if any."""
    if app.decision is not APPOINTED or app.filled("outcome"):
        return None
    if app.answer is Answer.DECLINED:
        return Outcome.DECLINED
    if app.answer is None and "answer" not in app.invalid:
        due = confirmation_due(app, ctx)
        if due is not None and ctx.today > due:
            return Outcome.UNCONFIRMED
    return None


def _awaiting(app: Application) -> bool:
    """An appointment whose outcome is not recorded yet."""
    return app.decision is APPOINTED and app.outcome is None and "outcome" not in app.invalid


@rule
def confirmation(ctx: Context) -> Iterator[Finding]:
    for app in ctx.rows:
        if not _awaiting(app):
            continue
        if app.notice_sent is None:
            if app.filled("appointment"):
                yield ctx.at("notice-missing", app, "notice_sent")
            continue
        cancel = due_cancellation(app, ctx)
        if cancel is Outcome.DECLINED:
            yield ctx.at("cancellation-not-recorded", app, "outcome")
        elif cancel is Outcome.UNCONFIRMED:
            yield ctx.at("confirmation-overdue", app, "outcome", confirmation_due(app, ctx))
        elif app.answer is None and "answer" not in app.invalid:
            yield ctx.at("confirmation-due", app, "answer", confirmation_due(app, ctx))


@rule
def session_outcome(ctx: Context) -> Iterator[Finding]:
    """Cl. 3.11, 3.13: the specialist records the outcome after the session."""
    now = ctx.now
    for app in ctx.rows:
        when = app.appointment
        if when is None or now < when + SESSION or not _awaiting(app):
            continue
        if due_cancellation(app, ctx) is None:
            yield ctx.at("outcome-missing", app, "outcome", appointment=short_datetime(when))


def retention_end(session: dt.date) -> dt.date:
    """Cl. 3.6: 2 years from the session date (29 February → 28 February)."""
    try:
        return session.replace(year=session.year + RETENTION_YEARS)
    except ValueError:
        return session.replace(year=session.year + RETENTION_YEARS, day=28)


def destroyed(recording: str) -> bool:
    """The recording cell says the file was destroyed («уничтожена 15.03.2027»)."""
    return recording[:8].casefold().replace("ё", "е") == "уничтоже"


@rule
def recording(ctx: Context) -> Iterator[Finding]:
    horizon = ctx.retention_horizon
    for app in ctx.rows:
        when = app.appointment
        if when is None or app.outcome is None or destroyed(app.recording):
            continue
        if app.recording:
            session = when.date()
            if session < horizon:
                yield ctx.at("recording-expired", app, "recording", retention_end(session))
        elif app.outcome is Outcome.HELD and app.consent_video is Consent.YES:
            yield ctx.at("recording-missing", app, "recording")


# Across rows -------------------------------------------------------------------------------


@rule
def unique_numbers(ctx: Context) -> Iterator[Finding]:
    first: dict[int, int] = {}
    for app in ctx.rows:
        if app.number is None:
            continue
        seen = first.setdefault(app.number, app.row)
        if seen != app.row:
            yield ctx.at("number-duplicate", app, "number", number=app.number, other_row=seen)


@rule
def overlapping_slots(ctx: Context) -> Iterator[Finding]:
    """Cl. 3.10: a session lasts up to 15 minutes; one specialist's sessions must not overlap."""
    slots: dict[str, list[Application]] = {}
    names: dict[str, str] = {}  # as typed → normalized: a journal has few specialists
    for app in ctx.rows:
        when = app.appointment
        if (app.decision is not APPOINTED or when is None or not app.specialist
                or (not when.hour and not when.minute)
                or (app.outcome is not None and app.outcome.stage is Stage.CANCELLED)):
            continue
        name = names.get(app.specialist)
        if name is None:
            name = names[app.specialist] = normalize(app.specialist)
        slots.setdefault(name, []).append(app)
    for apps in slots.values():
        apps.sort(key=attrgetter("appointment", "row"))
        for before, after in itertools.pairwise(apps):
            assert before.appointment is not None and after.appointment is not None
            if after.appointment < before.appointment + SESSION:
                yield ctx.at("slot-overlap", after, "appointment",
                             time=short_datetime(after.appointment), other_row=before.row,
                             other_time=before.appointment.strftime("%H:%M"))


def run_rules(ctx: Context) -> list[Finding]:
    """Every rule over one journal; the findings of reading it come first."""
    found = list(ctx.journal.findings)
    for check in RULES:
        found.extend(check(ctx))
    for year in sorted(ctx.unknown_years):
        found.append(finding("calendar-unknown", ctx.body.name, ctx.journal.sheet, year=year))
    return found
