"""Lenient parsers of what sites and e-mails put in an application's fields.

Dates in Russian and ISO forms, consents as check boxes write them, phones, e-mails, and whether
a ФИО is plausible. Each returns None (or False) for what it cannot read; callers record that.
"""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

from toolkit.intake.text import fold
from toolkit.journal.schema import Consent

TIMEZONE = ZoneInfo("Asia/Novokuznetsk")


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
