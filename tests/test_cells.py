"""Typed cells: what people type, parsed strictly by the column's kind."""

from __future__ import annotations

import datetime as dt

import pytest

from toolkit.journal import cells
from toolkit.journal.schema import Consent, Decision, Ground, Outcome

D, DT = dt.date, dt.datetime


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (D(2023, 5, 15), D(2023, 5, 15)),
        (DT(2023, 5, 15, 10, 0), D(2023, 5, 15)),
        ("15.05.2023", D(2023, 5, 15)),
        (" 15.05.2023\u00a0", D(2023, 5, 15)),
        ("15.05.23", D(2023, 5, 15)),
        ("5.5.2023", D(2023, 5, 5)),
        ("15/05/2023", D(2023, 5, 15)),
        ("15.05.2023 г.", D(2023, 5, 15)),
        ("2023-05-15", D(2023, 5, 15)),
        ("15.05.2023 10:00", D(2023, 5, 15)),
        (45061, D(2023, 5, 15)),  # Excel serial, 1900 system
        (45061.0, D(2023, 5, 15)),
    ],
)
def test_dates(value: object, expected: dt.date) -> None:
    assert cells.parse_date(value) == expected


def test_serial_in_1904_system() -> None:
    assert cells.parse_date(43599, date1904=True) == D(2023, 5, 15)
    assert cells.to_serial(D(2023, 5, 15), date1904=True) == 43599
    assert cells.to_serial(D(2023, 5, 15)) == 45061


@pytest.mark.parametrize(
    "value",
    ["31.02.2026", "завтра", "15.13.2023", 15052023, 2023, "", True, "12,5", dt.time(10)],
)
def test_not_dates(value: object) -> None:
    with pytest.raises(cells.Problem) as problem:
        cells.parse_date(value)
    assert problem.value.code == "cell-invalid-date"


@pytest.mark.parametrize(
    ("value", "expected", "has_time"),
    [
        (DT(2023, 5, 15, 10, 30), DT(2023, 5, 15, 10, 30), True),
        ("15.05.2023 10:00", DT(2023, 5, 15, 10, 0), True),
        ("15.05.2023 в 10:00", DT(2023, 5, 15, 10, 0), True),
        ("15.05.2023 10.00", DT(2023, 5, 15, 10, 0), True),
        ("15.05.23 9:05", DT(2023, 5, 15, 9, 5), True),
        ("2023-05-15T10:00:00", DT(2023, 5, 15, 10, 0), True),
        (45061.4375, DT(2023, 5, 15, 10, 30), True),
        # Float noise in the serial rounds to the minute, not down to 10:29.
        (45061.43749999, DT(2023, 5, 15, 10, 30), True),
        (D(2023, 5, 15), DT(2023, 5, 15), False),
        ("15.05.2023", DT(2023, 5, 15), False),
    ],
)
def test_datetimes(value: object, expected: dt.datetime, has_time: bool) -> None:
    assert cells.parse_datetime(value) == (expected, has_time)


@pytest.mark.parametrize(("value", "expected"), [(1, 1), (12.0, 12), ("12", 12), (" 7. ", 7)])
def test_numbers(value: object, expected: int) -> None:
    assert cells.parse_number(value) == expected


@pytest.mark.parametrize("value", [0, -3, 1.5, "пять", True, "1a"])
def test_not_numbers(value: object) -> None:
    with pytest.raises(cells.Problem):
        cells.parse_number(value)


def test_text_is_kept_as_typed() -> None:
    # Never numericised: a leading zero, a plus sign, a decimal comma stay as typed.
    assert cells.text_of("0123") == "0123"
    assert cells.text_of("+7 913 000-00-00") == "+7 913 000-00-00"
    assert cells.text_of("12,5") == "12,5"
    # A number typed into a general cell loses only Excel's float artefact.
    assert cells.text_of(79131234567.0) == "79131234567"
    assert cells.text_of(D(2024, 1, 5)) == "05.01.2024"


@pytest.mark.parametrize(
    ("text", "choices", "member"),
    [
        ("назначен ПРИЕМ", Decision, Decision.APPOINTED),
        ("Назначен приём", Decision, Decision.APPOINTED),
        ("  Заявка\u00a0отклонена ", Decision, Decision.REJECTED),
        ("3", Ground, Ground.TOPIC_UNCLEAR),
        ("3.", Ground, Ground.TOPIC_UNCLEAR),
        ("Невозможно определить тематику вопроса", Ground, Ground.TOPIC_UNCLEAR),
        ("содержание заявки не позволяет определить тематику вопроса;", Ground,
         Ground.TOPIC_UNCLEAR),
        ("отмёнен: гражданин отказался", Outcome, Outcome.DECLINED),
        ("да", Consent, Consent.YES),
    ],
)
def test_choices(text: str, choices: type, member: object) -> None:
    assert cells.parse_choice(text, choices) is member


def test_unknown_choice() -> None:
    with pytest.raises(cells.Problem) as problem:
        cells.parse_choice("5", Ground)
    assert problem.value.code == "cell-unknown-value"


@pytest.mark.parametrize(
    ("text", "char"),
    [
        ("=1+1", "="),
        ("@SUM(A1)", "@"),
        ("+HYPERLINK(\"x\")", "+"),
        ("-cmd|' /C calc'!A0", "-"),
        ("\t=1", "\t"),
        ("+7 913 000-00-00", None),
        ("-5", None),
        ("- пункт списка", None),
        ("Социальный контракт", None),
    ],
)
def test_formula_like(text: str, char: str | None) -> None:
    assert cells.formula_like(text) == char


def test_control_characters_removed() -> None:
    assert cells.strip_control("Иванов\x07 Иван") == ("Иванов Иван", True)
    assert cells.strip_control("строка\nвторая") == ("строка\nвторая", False)
