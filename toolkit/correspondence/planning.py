"""What each journal row needs sent to its citizen now: the plan of a notify run (no I/O).

    plans = plan_journal(journal, PlanContext(journal_key, now, calendar, outbox))
    plans.notices    # NoticePlan: send, send again, or count as delivered
    plans.fills      # «Уведомление направлено» the ledger knows and the journal lacks
    plans.phone      # rows whose citizen must be told by phone (no usable e-mail)
    plans.problems   # rows that cannot get their notice yet, and why (names cells only)

Which notice a row needs:
- «Заявка отклонена» with a ground and a decision date → the rejection (its letter attached);
- «Назначен прием», graph 7 empty, the appointment still ahead → the appointment notice;
- graph 7 «Отменен: …» (cl. 2.7), the appointment still ahead → the cancellation;
- graph 7 «Перенесен: …» with «Перенесен на» ahead (cl. 3.5) → the rescheduling notice.

Each is sent once per content (the ledger's digest): a changed appointment, official or link
sends a corrected notice that replaces the earlier one (In-Reply-To it); a changed decision
(an appointment instead of a rejection, or back) likewise. A decision notice the journal says
was sent («Уведомление направлено» filled) but the ledger does not know was sent by staff:
nothing is sent. Rejections decided more than `REJECTION_HORIZON` days ago are not sent (a
journal kept before vks sent mail would otherwise mail its whole history).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field
from enum import Enum

from toolkit.correspondence.notices import Gender
from toolkit.correspondence.outbox import MAX_DOUBTFUL, Entry, Outbox, State, digest
from toolkit.correspondence.reference import NoticeKind, reference
from toolkit.journal.calendar import WorkingCalendar
from toolkit.journal.contacts import email_ok
from toolkit.journal.links import canonical_link
from toolkit.journal.model import Application, CellChange, Journal
from toolkit.journal.russian import short_datetime
from toolkit.journal.schema import Decision, Outcome
from toolkit.journal.specialists import specialist_key

_WORD = re.compile(r"^[А-ЯЁа-яё]+(?:-[А-ЯЁа-яё]+)*$")
_INITIALS = re.compile(r"^[А-ЯЁ]\.(?:[А-ЯЁ]\.?)?$")
REJECTION_HORIZON = 30  # days: older rejections without a notice are left to staff
DECISION_KINDS = (NoticeKind.APPOINTMENT, NoticeKind.REJECTION)
KIND_TITLES = {
    NoticeKind.APPOINTMENT: "уведомление о приеме",
    NoticeKind.CANCELLATION: "отмена приема",
    NoticeKind.RESCHEDULE: "перенос приема",
    NoticeKind.REJECTION: "решение об отклонении",
}
REASONS = {
    Outcome.DECLINED: "в связи с поступлением от Вас отказа от участия в личном приеме",
    Outcome.UNCONFIRMED: "в связи с непоступлением от Вас подтверждения участия в личном "
                         "приеме",
}


class Action(Enum):
    SEND = "send"  # a new message (revision)
    RETRY = "retry"  # the same message again: it was not delivered (or maybe, once)
    SETTLE = "settle"  # handed over twice without an answer: counts as delivered


def row_hash(key: str, body: str, number: int) -> str:
    return digest(key, body, number)


@dataclass(frozen=True)
class RowRef:
    """A journal row, named for staff without personal data."""

    body: str
    sheet: str
    row: int
    number: int | None

    def __str__(self) -> str:
        number = f", № п/п {self.number}" if self.number is not None else ""
        return f"{self.body}, лист «{self.sheet}», строка {self.row}{number}"


@dataclass(frozen=True)
class RowNote:
    """Something about a row staff must see: a notice to give by phone, or why none was sent."""

    ref: RowRef
    kind: NoticeKind
    message: str

    def __str__(self) -> str:
        return f"{self.ref}: {KIND_TITLES[self.kind]} — {self.message}"


@dataclass
class NoticePlan:
    """One notice to hand over (or to count as delivered) for a row."""

    ref: RowRef
    app: Application
    kind: NoticeKind
    action: Action
    row_hash: str
    token: str  # «ВКС-7K3QD-15»
    digest: str
    recipient: str  # the citizen's address, as it goes in To
    revision: int
    earlier: Entry | None = None  # the delivered notice this one replaces or follows
    corrects: bool = False  # says it replaces the earlier notice
    supersede: Entry | None = None  # an undelivered revision this one replaces
    fill_notice: bool = False  # write «Уведомление направлено» once it is sent
    notice_col: int | None = None  # where this sheet keeps «Уведомление направлено»

    @property
    def recipient_hash(self) -> str:
        return digest(self.recipient.lower())


@dataclass
class Plans:
    notices: list[NoticePlan] = field(default_factory=list)
    fills: list[CellChange] = field(default_factory=list)
    phone: list[RowNote] = field(default_factory=list)
    problems: list[RowNote] = field(default_factory=list)
    already: int = 0  # notices sent before, nothing to do


@dataclass(frozen=True)
class PlanContext:
    journal_key: str
    now: dt.datetime  # naive local
    calendar: WorkingCalendar
    outbox: Outbox | None  # None: a dry run with no ledger yet


def usable_address(text: str) -> str | None:
    """The address as it can go in To, or None: a Latin local part, the domain in ASCII
    (a Cyrillic domain such as «почта.рф» in its punycode form)."""
    value = text.strip()
    if not email_ok(value):
        return None
    local, _, domain = value.rpartition("@")
    if not local.isascii():
        return None
    try:
        ascii_domain = domain.encode("idna").decode("ascii") if not domain.isascii() \
            else domain
    except UnicodeError:
        return None
    return f"{local}@{ascii_domain.lower()}"


def wanted(app: Application, now: dt.datetime) -> tuple[NoticeKind, str] | None:
    """The notice the row calls for now, and the digest of what it says."""
    if app.decision is Decision.REJECTED:
        if app.ground is None or app.decision_date is None:
            return None
        return NoticeKind.REJECTION, digest("rejection", app.ground.number,
                                            app.decision_date.isoformat())
    if app.decision is not Decision.APPOINTED or app.appointment is None:
        return None
    link = canonical_link(app.link) or app.link.strip()
    who = specialist_key(app.specialist)
    if app.outcome is None and "outcome" not in app.invalid:
        if app.appointment <= now:
            return None
        return NoticeKind.APPOINTMENT, digest("appointment", app.appointment.isoformat(), who,
                                              link)
    if app.outcome in REASONS and app.appointment > now:
        return NoticeKind.CANCELLATION, digest("cancellation", app.outcome.label,
                                               app.appointment.isoformat())
    if app.outcome is Outcome.RESCHEDULED and app.rescheduled_to is not None \
            and app.rescheduled_to > now:
        return NoticeKind.RESCHEDULE, digest("reschedule", app.rescheduled_to.isoformat(),
                                             app.appointment.isoformat(), who, link)
    return None


def plan_journal(journal: Journal, ctx: PlanContext) -> Plans:
    """The notices every row of one body's journal needs now (see the module docstring)."""
    plans = Plans()
    numbers = Counter(a.number for a in journal.applications if a.number is not None)
    for app in journal.applications:
        found = wanted(app, ctx.now)
        if found is None:
            continue
        kind, content = found
        ref = RowRef(journal.body.name, journal.sheet, app.row, app.number)
        if app.number is None or numbers[app.number] > 1:
            if not app.filled("notice_sent") or kind not in DECISION_KINDS:
                why = "не указан № п/п" if app.number is None else \
                    f"№ п/п {app.number} повторяется в журнале"
                plans.problems.append(RowNote(ref, kind, f"{why} — по нему программа узнает "
                                                         f"ответ гражданина; письмо не отправлено"))
            continue
        key = row_hash(ctx.journal_key, journal.body.name, app.number)
        entries = ctx.outbox.entries(key) if ctx.outbox is not None else []
        _plan_row(plans, journal, app, ref, kind, content, key, entries, ctx)
    return plans


def _plan_row(plans: Plans, journal: Journal, app: Application, ref: RowRef,
              kind: NoticeKind, content: str, key: str, entries: list[Entry],
              ctx: PlanContext) -> None:
    mine = [e for e in entries if e.kind is kind]
    latest = mine[-1] if mine else None
    decision_sent = [e for e in entries if e.delivered and e.kind in DECISION_KINDS]
    # The decision changed and changed back: the citizen's last word from us is the other one.
    flipped = kind in DECISION_KINDS and bool(decision_sent) and \
        decision_sent[-1].kind is not kind
    notice_col = journal.column_index("notice_sent")
    fill = kind in DECISION_KINDS and app.notice_sent is None and \
        "notice_sent" not in app.invalid and notice_col is not None
    address = usable_address(app.email)
    recipient = digest(address.lower()) if address else ""
    same = latest is not None and latest.digest == content and latest.recipient == recipient \
        and latest.state is not State.SUPERSEDED and not flipped
    if same and latest is not None and latest.state is State.REFUSED:
        plans.phone.append(RowNote(ref, kind, "почтовый сервер отклонил адрес эл. почты — "
                                              "сообщите гражданину по телефону или исправьте "
                                              "адрес"))
        return
    if same and latest is not None and latest.state is State.SENT:
        plans.already += 1
        if fill and latest.sent_at is not None:  # sent, but the cell was never written
            plans.fills.append(CellChange(journal.sheet, app.row, "notice_sent", "",
                                          short_datetime(latest.sent_at),
                                          "уведомление направлено", notice_col))
        return
    plan = NoticePlan(ref, app, kind, Action.SEND, key,
                      reference(ctx.journal_key, journal.body.name, app.number or 0), content,
                      address or "", 1, fill_notice=fill, notice_col=notice_col)
    if same and latest is not None:
        plan.revision = latest.revision
        plan.action = Action.SETTLE if latest.state is State.MAYBE_SENT and \
            latest.doubtful >= MAX_DOUBTFUL else Action.RETRY
        plan.earlier, plan.corrects = _relation(entries[:entries.index(latest)], kind, content)
    else:
        told_kinds = DECISION_KINDS if kind in DECISION_KINDS else \
            (NoticeKind.APPOINTMENT, NoticeKind.RESCHEDULE, kind)
        if not any(e.delivered and e.kind in told_kinds for e in entries) and \
                app.notice_sent is not None and kind in DECISION_KINDS:
            return  # staff sent this decision themselves
        if kind not in DECISION_KINDS and app.notice_sent is None and \
                not any(e.delivered and e.kind in told_kinds for e in entries):
            return  # the citizen was never told of the reception: nothing to change
        if kind is NoticeKind.REJECTION and not decision_sent and app.decision_date and \
                (ctx.now.date() - app.decision_date).days > REJECTION_HORIZON:
            return
        plan.revision = (latest.revision + 1) if latest is not None else 1
        if latest is not None and not latest.delivered and latest.state is not State.SUPERSEDED:
            plan.supersede = latest
        plan.earlier, plan.corrects = _relation(entries, kind, content)
    if plan.action is not Action.SETTLE:
        missing = _missing(app, kind)
        if missing:
            plans.problems.append(RowNote(ref, kind, missing))
            return
        if address is None:
            why = "адрес эл. почты не указан" if not app.email.strip() else \
                "в «Эл. почта» не адрес, на который можно отправить письмо"
            plans.phone.append(RowNote(ref, kind, f"{why} — сообщите гражданину по телефону"))
            return
    plans.notices.append(plan)


def _relation(before: list[Entry], kind: NoticeKind, content: str) -> tuple[Entry | None, bool]:
    """The delivered notice a new one follows (In-Reply-To), and whether it replaces it: a
    decision notice replaces the last decision notice when that said something else; a
    cancellation or rescheduling follows the notice of the reception and replaces an earlier
    one of its own kind."""
    if kind in DECISION_KINDS:
        sent = [e for e in before if e.delivered and e.kind in DECISION_KINDS]
        last = sent[-1] if sent else None
        if last is not None and (last.kind is not kind or last.digest != content):
            return last, True
        return None, False
    sent = [e for e in before if e.delivered and e.kind in (NoticeKind.APPOINTMENT,
                                                            NoticeKind.RESCHEDULE, kind)]
    last = sent[-1] if sent else None
    return last, last is not None and last.kind is kind and last.digest != content


def _missing(app: Application, kind: NoticeKind) -> str:
    """What the row lacks for the notice (a Russian phrase naming the column), or ""."""
    if kind in (NoticeKind.APPOINTMENT, NoticeKind.RESCHEDULE):
        if not app.specialist.strip():
            return "не указан ответственный специалист (графа 6) — письмо не отправлено"
        if not app.link.strip():
            return ("нет ссылки в «Ссылка на Телемост» — впишите ее или задайте органу "
                    "telemost_token_env; письмо не отправлено")
        if canonical_link(app.link) is None:
            return ("в «Ссылка на Телемост» не ссылка на встречу Яндекс Телемоста "
                    "(https://telemost.yandex.ru/j/…) — письмо не отправлено")
    return ""


def addressing(full_name: str) -> tuple[str, Gender | None]:
    """How the notice addresses the citizen, and the gender «Уважаемый/Уважаемая» agrees with.

    «Петрова Анна Сергеевна» → («Анна Сергеевна», female); «Ким Алексей» → («Алексей Ким»,
    male); «Петрова А.С.» → («А.С. Петрова», female); a name that cannot be read (Latin
    letters, one word, no sign of the gender) → (the name as written, None): «Здравствуйте,
    …!»."""
    from toolkit.letters import names

    name = names.tidy(full_name)
    words = name.split(" ") if name else []
    if not words:
        return "", None
    initials = [bool(_INITIALS.match(w)) for w in words]
    if any(initials):
        plain = [w for w, i in zip(words, initials, strict=True) if not i]
        if len(plain) != 1 or not _WORD.match(plain[0]):
            return name, None
        shown = " ".join([*(w for w, i in zip(words, initials, strict=True) if i), plain[0]])
        return shown, _gender(names.guess_gender(plain[0]))
    if not all(_WORD.match(w) for w in words) or len(words) < 2:
        return name, None
    particle = len(words) == 4 and words[3] in names.PARTICLES
    if len(words) > 3 and not particle:
        return name, None
    surname, first, patronymic = words[0], words[1], " ".join(words[2:])
    if patronymic and names.gender_of(patronymic) is None:
        return name, None
    gender = _gender(names.guess_gender(surname, first, patronymic))
    if gender is None:
        return name, None
    return (f"{first} {patronymic}" if patronymic else f"{first} {surname}"), gender


def _gender(value: object) -> Gender | None:
    if value is None:
        return None
    return Gender(getattr(value, "value", value))
