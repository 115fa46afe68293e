"""Typed cells: what people really type into a journal, parsed by the column's declared type.

Values arrive as a spreadsheet reader gives them — real dates, Excel serial numbers (1900 or 1904
date system; Google Sheets uses the 1900 one), numbers, text — and are parsed strictly by the
column's kind. Nothing is coerced silently: '0123' stays text in a text column, a number in a
date column is read as a serial number only in a plausible range, and what does not parse is
reported, never guessed.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

from toolkit.journal.schema import Choice, Kind

EPOCH_1900 = dt.datetime(1899, 12, 30)  # serial 1 = 1900-01-01, past Excel's phantom 29.02.1900
EPOCH_1904 = dt.datetime(1904, 1, 1)
MIN_YEAR, MAX_YEAR = 2000, 2100  # a journal date outside these is a typing error

CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# A text cell that spreadsheet programs may run as a formula (CSV/DDE injection). A leading
# + or - followed by a digit, space or bracket is an ordinary phone number or dash.
_FORMULA_LIKE_RE = re.compile(r"^[=@\t\r]|^[+\-](?![\d\s(])")

_DATE_RE = re.compile(
    r"^(\d{1,2})[./\-](\d{1,2})[./\-](\d{2}|\d{4})(?:\s*г\.?)?"
    r"(?:(?:\s+|\s*[,T]\s*|\s+в\s+)(\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?)?$",
    re.IGNORECASE,
)
_ISO_RE = re.compile(
    r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?$"
)

MOMENT_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})(?:\.\d+)?$")
NUMERIC_RE = re.compile(r"^-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?$")


def typed_value(text: str, date1904: bool = False) -> object:
    """The value a spreadsheet reader gives for a cell the Arrow reader rendered as `text`."""
    m = MOMENT_RE.match(text)
    if m:
        y, mo, d, h, mi, s = map(int, m.groups())
        # A time-only cell is a moment on the epoch's first day.
        if (y, mo, d) == ((1904, 1, 1) if date1904 else (1899, 12, 31)):
            return dt.time(h, mi, s)
        return dt.datetime(y, mo, d, h, mi, s)
    if text in ("true", "false"):
        return text == "true"
    if NUMERIC_RE.match(text):
        return float(text)
    return text


def cell_text(value: object) -> str | None:
    """The inverse of `typed_value`: a Python cell value rendered as the Arrow reader does."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(int(value)) if float(value).is_integer() else repr(float(value))
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.strftime("%Y-%m-%d 00:00:00")
    if isinstance(value, dt.time):
        return value.strftime("1899-12-31 %H:%M:%S")
    return str(value)


class Problem(Exception):
    """A cell that does not parse as its column's kind; `code` is a finding code."""

    def __init__(self, code: str, value: object = "") -> None:
        super().__init__(code)
        self.code = code
        self.value = value


def clean_text(value: str) -> str:
    """Trim and turn non-breaking spaces into spaces; inner text stays as typed."""
    return value.replace("\u00a0", " ").strip()


def text_of(value: object) -> str:
    """A cell as text: numbers without a spurious '.0', dates as ДД.ММ.ГГГГ."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, bool):
        return "ИСТИНА" if value else "ЛОЖЬ"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        return value.strftime("%d.%m.%Y %H:%M") if value.time() else value.strftime("%d.%m.%Y")
    if isinstance(value, dt.date):
        return value.strftime("%d.%m.%Y")
    return clean_text(str(value))


def _plausible(moment: dt.datetime) -> bool:
    return MIN_YEAR <= moment.year <= MAX_YEAR


def from_serial(serial: float, date1904: bool = False) -> dt.datetime:
    """An Excel/Sheets serial date-time number as a naive datetime (to the minute)."""
    epoch = EPOCH_1904 if date1904 else EPOCH_1900
    moment = epoch + dt.timedelta(days=serial)
    # Serial fractions carry float noise; journal times are whole minutes.
    return (moment + dt.timedelta(seconds=30)).replace(second=0, microsecond=0)


def to_serial(moment: dt.date, date1904: bool = False) -> float:
    epoch = EPOCH_1904 if date1904 else EPOCH_1900
    if not isinstance(moment, dt.datetime):
        moment = dt.datetime(moment.year, moment.month, moment.day)
    return (moment - epoch) / dt.timedelta(days=1)


def _moment(value: object, date1904: bool, code: str) -> tuple[dt.datetime, bool]:
    """Parse a date or date-time cell → (moment, whether a time of day was given)."""
    if isinstance(value, dt.datetime):
        moment = value.replace(tzinfo=None, second=0, microsecond=0)
        has_time = bool(moment.hour or moment.minute)
    elif isinstance(value, dt.date):
        moment, has_time = dt.datetime(value.year, value.month, value.day), False
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        if not 1 <= value < 2958466:
            raise Problem(code, text_of(value))
        moment = from_serial(float(value), date1904)
        has_time = bool(moment.hour or moment.minute)
    elif isinstance(value, str):
        moment, has_time = _parse_text_moment(clean_text(value), code)
    else:
        raise Problem(code, text_of(value))
    if not _plausible(moment):
        raise Problem(code, text_of(value))
    return moment, has_time


def _parse_text_moment(text: str, code: str) -> tuple[dt.datetime, bool]:
    m = _DATE_RE.match(text)
    if m:
        day, month, year = int(m.group(1)), int(m.group(2)), m.group(3)
        full_year = int(year) + 2000 if len(year) == 2 else int(year)
        parts = (full_year, month, day)
        clock = m.group(4, 5, 6)
    else:
        m = _ISO_RE.match(text)
        if not m:
            raise Problem(code, text)
        parts = (int(m.group(1)), int(m.group(2)), int(m.group(3)))
        clock = m.group(4, 5, 6)
    try:
        if clock[0] is None:
            return dt.datetime(*parts), False
        return dt.datetime(*parts, int(clock[0]), int(clock[1]), int(clock[2] or 0)), True
    except ValueError:
        raise Problem(code, text) from None


def parse_date(value: object, date1904: bool = False) -> dt.date:
    moment, _ = _moment(value, date1904, "cell-invalid-date")
    return moment.date()


def parse_datetime(value: object, date1904: bool = False) -> tuple[dt.datetime, bool]:
    return _moment(value, date1904, "cell-invalid-datetime")


def parse_number(value: object) -> int:
    if isinstance(value, bool):
        raise Problem("cell-invalid-number", text_of(value))
    if isinstance(value, int):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    elif isinstance(value, str) and clean_text(value).rstrip(".").isdigit():
        number = int(clean_text(value).rstrip("."))
    else:
        raise Problem("cell-invalid-number", text_of(value))
    if number < 1:
        raise Problem("cell-invalid-number", text_of(value))
    return number


def parse_choice(value: object, choices: type[Choice]) -> Choice:
    member = choices.parse(text_of(value))
    if member is None:
        raise Problem("cell-unknown-value", text_of(value))
    return member


def formula_like(text: str) -> str | None:
    """The leading character that makes `text` look like a formula, or None."""
    return text[0] if text and _FORMULA_LIKE_RE.match(text) else None


def strip_control(text: str) -> tuple[str, bool]:
    """Text without control characters, and whether there were any."""
    if CONTROL_RE.search(text):
        return CONTROL_RE.sub("", text), True
    return text, False


Parser = Callable[[Any, bool], Any]


def parser_for(kind: Kind, choices: type[Choice] | None = None) -> Parser:
    """The function that parses a non-empty cell of this kind (value, date1904) → typed value."""
    if kind is Kind.DATE:
        return parse_date
    if kind is Kind.DATETIME:
        return parse_datetime
    if kind is Kind.NUMBER:
        return lambda v, _: parse_number(v)
    if kind is Kind.CHOICE:
        assert choices is not None
        return lambda v, _: parse_choice(v, choices)
    return lambda v, _: text_of(v)
