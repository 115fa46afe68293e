"""An application as submitted on the website (cl. 2.1, 2.2), its stable key and its validation.

A `Submission` holds the fields of cl. 2.2 plus the address (Appendix 2) and the moment it was
submitted, with where it was read from. Readers (`exports`, `widget_mail`) build submissions with
the lenient parsers below and record in `unparsed` the fields whose text could not be read, so
that `validate()` reports them instead of them vanishing.

Problems name the field and the place (file and line, or message), never the personal value.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
from collections.abc import Container, Iterable
from dataclasses import dataclass, field
from typing import Literal
from zoneinfo import ZoneInfo

# The only imports from the rest of the toolkit (the lead fixes these paths after issue 9).
from toolkit.errors import ToolkitError
from toolkit.schema import Consent

from .text import fold

TIMEZONE = ZoneInfo("Asia/Novokuznetsk")
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


# --- lenient parsers used by the readers -------------------------------------------------------

_MONTHS = {
    m: i + 1
    for i, names in enumerate(
        (
            "январь января", "февраль февраля", "март марта", "апрель апреля", "май мая",
            "июнь июня", "июль июля", "август августа", "сентябрь сентября",
            "октябрь октября", "ноябрь ноября", "декабрь декабря",
        )
    )
    for m in names.split()
}
_NUM_DT_RE = re.compile(
    r"^(\d{1,2})[./-](\d{1,2})[./-](\d{4})(?:\s*г\.?)?"
    r"(?:(?:\s+|\s*,\s*|\s*T\s*|\s+в\s+)(\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?)?$",
    re.IGNORECASE,
)
_WORD_DT_RE = re.compile(
    r"^(\d{1,2})\s+([а-яё]+)\s+(\d{4})(?:\s*г(?:ода|\.)?)?"
    r"(?:(?:\s+|\s*,\s*|\s+в\s+)(\d{1,2}):(\d{2})(?::(\d{2}))?)?$",
    re.IGNORECASE,
)


def parse_moment(text: str) -> tuple[dt.date, dt.time | None] | None:
    """A date with an optional time from «12.03.2024», «12.03.2024 14:05», «2024-03-12T14:05»,
    «12 марта 2024 г.»; None if the text is no real date (31.02 included)."""
    text = text.strip()
    try:
        m = _NUM_DT_RE.match(text)
        if m:
            day = dt.date(int(m[3]), int(m[2]), int(m[1]))
            return day, _time(m[4], m[5], m[6])
        m = _WORD_DT_RE.match(text)
        if m and m[2].casefold() in _MONTHS:
            day = dt.date(int(m[3]), _MONTHS[m[2].casefold()], int(m[1]))
            return day, _time(m[4], m[5], m[6])
        iso = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if len(text) <= 10:
        return iso.date(), None
    if iso.tzinfo is not None:
        iso = iso.astimezone(TIMEZONE)
    return iso.date(), iso.time().replace(tzinfo=None)


def _time(h: str | None, m: str | None, s: str | None) -> dt.time | None:
    if h is None or m is None:
        return None
    return dt.time(int(h), int(m), int(s or 0))


def parse_date(value: object) -> dt.date | None:
    """A date from a cell value (date, datetime, or text as `parse_moment` reads)."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        moment = parse_moment(value)
        return moment[0] if moment else None
    return None


def parse_datetime(value: object) -> dt.datetime | None:
    """An aware local moment; naive values are Asia/Novokuznetsk time, aware ones converted."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            return value.replace(tzinfo=TIMEZONE)
        return value.astimezone(TIMEZONE)
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time(), TIMEZONE)
    if isinstance(value, str):
        text = value.strip()
        try:
            iso = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            moment = parse_moment(text)
            if moment is None:
                return None
            return dt.datetime.combine(moment[0], moment[1] or dt.time(), TIMEZONE)
        return parse_datetime(iso)
    return None


_YES = frozenset(
    ["да", "yes", "y", "true", "1", "согласен", "согласна", "согласие", "даю", "+", "✓", "✔",
     "v", "on"]
)
_NO_WORDS = frozenset(["нет", "no", "n", "false", "0", "отказ", "off"])


def parse_consent(value: object) -> Consent | None:
    """«Да»/«Нет» from what sites put in a check-box column (true, 1, «Согласен», ✓ …)."""
    if isinstance(value, bool):
        return Consent.YES if value else Consent.NO
    if isinstance(value, int | float):
        return Consent.YES if value == 1 else Consent.NO if value == 0 else None
    text = fold(str(value or "")).rstrip(".!")
    if not text:
        return None
    if text in _NO_WORDS or text.startswith(("не ", "нет")):
        return Consent.NO
    if text in _YES or text.startswith(("да", "согласен", "согласна", "даю согласие")):
        return Consent.YES
    return None


def phone_digits(text: str) -> str:
    """A Russian phone as «7XXXXXXXXXX» (8… and 10-digit forms folded); other digits as they are."""
    digits = re.sub(r"\D", "", text)
    if len(digits) == 11 and digits[0] in "78":
        return "7" + digits[1:]
    if len(digits) == 10 and digits[0] in "3489":
        return "7" + digits
    return digits


_EMAIL_RE = re.compile(
    r"^[\w.!#$%&'*+/=?^`{|}~-]+@(?:[\w](?:[\w-]{0,61}[\w])?\.)+[a-zа-я]{2,}$", re.IGNORECASE
)
_NAME_WORD_RE = re.compile(r"^(?:[а-яё]+|[a-z]+)(?:[-'’](?:[а-яё]+|[a-z]+))*\.?$", re.IGNORECASE)


def email_ok(text: str) -> bool:
    return bool(_EMAIL_RE.match(text.strip())) and ".." not in text


def phone_ok(text: str) -> bool:
    """A phone the specialist can call (cl. 3.5): a Russian number, or an international one."""
    if re.search(r"[^\d\s()+\-.]", text.split("доб", maxsplit=1)[0].strip()):
        return False
    digits = phone_digits(text)
    if len(digits) == 11 and digits[0] == "7":
        return True
    return text.strip().startswith("+") and 8 <= len(digits) <= 15


def name_problem(text: str) -> str | None:
    """Why a ФИО is not plausible (in Russian), or None."""
    parts = text.split()
    if len(parts) < 2:
        return "ФИО должно содержать хотя бы фамилию и имя"
    if len(parts) > 6 or len(text) > 150:
        return "ФИО слишком длинное — вероятно, в поле попал другой текст"
    for part in parts:
        if not _NAME_WORD_RE.match(part):
            if re.search(r"[а-яё]", part, re.I) and re.search(r"[a-z]", part, re.I):
                return "в ФИО смешаны русские и латинские буквы"
            return "ФИО содержит цифры или посторонние знаки"
    if all(len(p.rstrip(".")) <= 1 for p in parts[1:]):
        return "вместо имени и отчества указаны только инициалы"
    return None


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
