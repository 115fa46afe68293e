"""An application as submitted on the website (cl. 2.1, 2.2), its stable key and its validation.

A `Submission` holds the fields of cl. 2.2 plus the address (Appendix 2) and the moment it was
submitted, with where it was read from. Readers (`exports`, `widget_mail`) build submissions with
the lenient parsers of `values` and record in `unparsed` the fields whose text could not be read, so
that `validate()` reports them instead of them vanishing.

Problems name the field and the place (file and line, or message), never the personal value.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from collections.abc import Container, Iterable
from dataclasses import dataclass, field
from typing import Literal

from toolkit.intake.text import fold
from toolkit.intake.values import (
    TIMEZONE,
    email_ok,
    name_problem,
    parse_consent,
    parse_date,
    parse_datetime,
    parse_moment,
    phone_digits,
    phone_ok,
)

# Imports from the rest of the toolkit (here and in values.py; paths change with issue 9).
from toolkit.journal.errors import ToolkitError
from toolkit.journal.schema import Consent

__all__ = [
    "TIMEZONE", "Entry", "IdentityDocument", "IntakeError", "Problem", "Submission",
    "birth_hash", "blocking", "email_ok", "field_title", "name_problem", "parse_consent",
    "parse_date", "parse_datetime", "parse_moment", "phone_digits", "phone_ok",
    "submission_key", "unique", "validate",
]

OLDEST_BIRTH_YEAR = 1900


class IntakeError(ToolkitError):
    """An input of intake cannot be read at all (not a row's problem: the whole file or message)."""


Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Problem:
    """Something wrong with one application: a stable code, a Russian message, where it is."""

    code: str
    field: str
    message: str
    source: str = ""
    ref: str = ""  # «строка 12», «запись 3», «письмо <id>»
    severity: Severity = "error"

    @property
    def where(self) -> str:
        return ", ".join(p for p in (self.source, self.ref) if p)

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


@dataclass(frozen=True)
class IdentityDocument:
    """The identity document of cl. 2.2; `text` keeps it whole when the site gives one field."""

    kind: str = ""
    series: str = ""
    number: str = ""
    issued_by: str = ""
    issued_on: dt.date | None = None
    text: str = ""

    @property
    def given(self) -> bool:
        return bool(self.text.strip() or (self.kind.strip() and self.number.strip()))


@dataclass(frozen=True)
class Submission:
    """One application from the widget «Онлайн-консультирование» (cl. 2.1, 2.2)."""

    citizen: str = ""
    birth_date: dt.date | None = None
    document: IdentityDocument = field(default_factory=IdentityDocument)
    body: str = ""  # the body the citizen chose from the directory
    municipality: str = ""  # when the site asks for it separately
    consent_data: Consent | None = None
    consent_video: Consent | None = None
    topic: str = ""
    phone: str = ""
    email: str = ""
    address: str = ""
    submitted: dt.datetime | None = None  # aware, Asia/Novokuznetsk
    source: str = ""  # the export file's or mailbox's name
    ref: str = ""  # «строка 12», «запись 3», «письмо <Message-ID>»
    unparsed: tuple[str, ...] = ()  # fields whose text was given but could not be read

    @property
    def key(self) -> str:
        """sha256 of the normalised fields and the submit time: equal for the same submission
        read again from an overlapping export or from the widget's e-mail."""
        return submission_key(self)

    @property
    def where(self) -> str:
        return ", ".join(p for p in (self.source, self.ref) if p)


@dataclass(frozen=True)
class Entry:
    """One application read: a submission (unless the row could not be read) and its problems."""

    submission: Submission | None
    problems: tuple[Problem, ...] = ()

    @property
    def ok(self) -> bool:
        """Readable and nothing blocking: can be forwarded and registered."""
        return self.submission is not None and not blocking(self.problems)


def submission_key(sub: Submission) -> str:
    """The stable key of a submission; the source and line are not part of it."""
    submitted = ""
    if sub.submitted is not None:
        # Minutes: exports print «12.03.2024 14:05» while a message header has seconds.
        utc = sub.submitted.astimezone(dt.UTC).replace(second=0, microsecond=0)
        submitted = utc.isoformat()
    doc = sub.document
    parts = (
        fold(sub.citizen),
        sub.birth_date.isoformat() if sub.birth_date else "",
        _compact(doc.text or f"{doc.kind} {doc.series} {doc.number}"),
        fold(sub.topic),
        phone_digits(sub.phone),
        fold(sub.email),
        submitted,
    )
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


def unique(
    subs: Iterable[Submission], known: Container[str] = frozenset()
) -> tuple[list[Submission], list[Submission]]:
    """(new, copies): the first submission of each key not in `known` (keys registered by an
    earlier run), and every other one — an overlapping export or the same application mailed."""
    seen: set[str] = set()
    new: list[Submission] = []
    copies: list[Submission] = []
    for sub in subs:
        key = sub.key
        if key in seen or key in known:
            copies.append(sub)
        else:
            seen.add(key)
            new.append(sub)
    return new, copies


def birth_hash(day: dt.date, secret: bytes = b"") -> str:
    """A keyed hash of a date of birth for ledgers that match repeat applications.

    Without a secret this is pseudonymisation only: there are ~40,000 possible dates.
    """
    return hmac.new(secret, day.isoformat().encode("ascii"), hashlib.sha256).hexdigest()


def _compact(text: str) -> str:
    return "".join(ch for ch in fold(text) if ch.isalnum())


# --- validation --------------------------------------------------------------------------------

_FIELD_TITLES = {
    "citizen": "ФИО",
    "birth_date": "Дата рождения",
    "document": "Документ, удостоверяющий личность",
    "consent_data": "Согласие на обработку персональных данных",
    "consent_video": "Согласие на видеозапись",
    "topic": "Тематика вопроса",
    "phone": "Телефон",
    "email": "Эл. почта",
    "submitted": "Дата подачи",
}


def field_title(name: str) -> str:
    """The Russian title of a Submission field for messages."""
    return _FIELD_TITLES.get(name, name)


def validate(sub: Submission, *, today: dt.date | None = None) -> list[Problem]:
    """Problems of one application (cl. 2.2); empty when it can be forwarded and registered.

    `today` bounds the date of birth when the submit time is unknown.
    """
    out: list[Problem] = []

    def add(code: str, name: str, message: str, severity: Severity = "error") -> None:
        text = f"«{field_title(name)}»: {message}"
        out.append(Problem(code, name, text, sub.source, sub.ref, severity))

    if not sub.citizen.strip():
        add("citizen-missing", "citizen", "не заполнено")
    elif (why := name_problem(sub.citizen)) is not None:
        add("citizen-implausible", "citizen", why)

    limit = sub.submitted.date() if sub.submitted else today or dt.date.today()
    if "birth_date" in sub.unparsed:
        add("birth-date-invalid", "birth_date", "не является датой")
    elif sub.birth_date is None:
        add("birth-date-missing", "birth_date", "не заполнено")
    elif sub.birth_date >= limit:
        add("birth-date-future", "birth_date", "дата еще не наступила на день подачи заявки")
    elif sub.birth_date.year < OLDEST_BIRTH_YEAR or limit.year - sub.birth_date.year > 120:
        add("birth-date-implausible", "birth_date", "возраст больше 120 лет")

    if not sub.document.given:
        add("document-missing", "document", "не заполнено (п. 2.2 Порядка)", "warning")

    for name in ("consent_data", "consent_video"):
        consent = getattr(sub, name)
        if consent is None:
            add(f"{name.replace('_', '-')}-missing", name, "не дано — требуется «Да»")
        elif consent is not Consent.YES:
            add(f"{name.replace('_', '-')}-refused", name, "указано «Нет» — требуется «Да»")

    if not sub.topic.strip():
        add("topic-missing", "topic", "не заполнено")

    has_phone, has_email = bool(sub.phone.strip()), bool(sub.email.strip())
    if not has_phone and not has_email:
        add("contact-missing", "phone", "нет ни телефона, ни адреса электронной почты")
    if has_phone and not phone_ok(sub.phone):
        add("phone-invalid", "phone", "не похоже на номер телефона",
            "warning" if has_email and email_ok(sub.email) else "error")
    if has_email and not email_ok(sub.email):
        add("email-invalid", "email", "не похоже на адрес электронной почты",
            "warning" if has_phone and phone_ok(sub.phone) else "error")

    if "submitted" in sub.unparsed:
        add("submitted-invalid", "submitted", "не является датой и временем")
    elif sub.submitted is None:
        add("submitted-missing", "submitted", "не заполнено")
    return out


def blocking(problems: Iterable[Problem]) -> bool:
    """Whether any problem keeps the application from being registered as it is."""
    return any(p.severity == "error" for p in problems)
