"""Russian wording: plural forms, month names, dates as official letters write them."""

from __future__ import annotations

import datetime as dt

MONTHS_GENITIVE = (
    "января", "февраля", "марта", "апреля", "мая", "июня",
    "июля", "августа", "сентября", "октября", "ноября", "декабря",
)
MONTHS_NOMINATIVE = (
    "январь", "февраль", "март", "апрель", "май", "июнь",
    "июль", "август", "сентябрь", "октябрь", "ноябрь", "декабрь",
)
MONTHS_PREPOSITIONAL = (
    "январе", "феврале", "марте", "апреле", "мае", "июне",
    "июле", "августе", "сентябре", "октябре", "ноябре", "декабре",
)


def plural(n: int, one: str, few: str, many: str) -> str:
    """The form of a noun that agrees with n: 1 заявка, 2 заявки, 5 заявок."""
    n = abs(n)
    if n % 10 == 1 and n % 100 != 11:
        return one
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return few
    return many


def count(n: int, one: str, few: str, many: str) -> str:
    """«3 ошибки»: the number with the agreeing noun."""
    return f"{n} {plural(n, one, few, many)}"


def short_date(day: dt.date | None) -> str:
    """15.01.2024 — how the journal and messages show a date."""
    return day.strftime("%d.%m.%Y") if day else ""


def short_datetime(moment: dt.datetime | None) -> str:
    return moment.strftime("%d.%m.%Y %H:%M") if moment else ""


def letter_date(day: dt.date) -> str:
    """«15 января 2024 г.» — a date as Russian official letters write it."""
    return f"{day.day} {MONTHS_GENITIVE[day.month - 1]} {day.year} г."


def month_name(month: int, year: int | None = None) -> str:
    """«Ноябрь 2026» — a month as report headings name it."""
    name = MONTHS_NOMINATIVE[month - 1].capitalize()
    return f"{name} {year}" if year else name


def in_month(month: int) -> str:
    """«в ноябре» — a month after the preposition «в»."""
    return f"в {MONTHS_PREPOSITIONAL[month - 1]}"


def number(value: float, digits: int = 0) -> str:
    """12 345,6 — a number with a thin-space thousands separator and a decimal comma."""
    text = f"{value:,.{digits}f}".replace(",", "\u00a0").replace(".", ",")
    return text
