"""A small real journal and a vks.toml for the tests of notices and replies (issue 14).

Friday 27.11.2026 10:00 is «now»: the next working day is Monday 30.11.2026.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from toolkit.journal.config import Body, Config, parse_config
from toolkit.journal.schema import Answer, Decision, Ground, Outcome
from toolkit.sources.xlsx import template

NOW = dt.datetime(2026, 11, 27, 10, 0)
SHEET = "Министерство"
BODY_NAME = "Министерство социальной защиты населения Кузбасса"
SENDER = "priem@mszn42.ru"
TOKEN_ENV = "VKS_TEST_TELEMOST_TOKEN"
LINK = "https://telemost.yandex.ru/j/78566269088286"
NEW_LINK = "https://telemost.yandex.ru/j/12345678901234"
FIRST = dt.datetime(2026, 12, 2, 10, 0)  # the appointment of row 1


def row(number: int, **values: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "number": number, "received": dt.date(2026, 11, 20), "citizen": "Петрова Анна Сергеевна",
        "topic": "Единое пособие на детей", "submitted": dt.date(2026, 11, 19),
        "address": "г. Кемерово, ул. Весенняя, д. 5, кв. 7", "phone": "+7 913 000-00-00",
        "email": f"citizen{number}@example.ru", "consent_data": "Да", "consent_video": "Да"}
    base.update(values)
    return base


def appointed(number: int, **values: Any) -> dict[str, Any]:
    return row(number, **{"decision": Decision.APPOINTED.label,
                          "decision_date": dt.date(2026, 11, 26),
                          "appointment": FIRST + dt.timedelta(minutes=20 * number),
                          "specialist": "Тарасов Е.П.", "link": LINK, **values})


def rejected(number: int, **values: Any) -> dict[str, Any]:
    return row(number, **{"decision": Decision.REJECTED.label,
                          "decision_date": dt.date(2026, 11, 26),
                          "ground": Ground.TOPIC_UNCLEAR.label, "specialist": "Тарасов Е.П.",
                          **values})


def rows() -> list[dict[str, Any]]:
    """Every case a notify run meets, one row each (the comment says what it gets)."""
    return [
        appointed(1),  # appointment notice
        rejected(2, citizen="Иванов Петр Сергеевич"),  # rejection, letter attached
        appointed(3, email=""),  # no address: by phone
        appointed(4, link=""),  # a Telemost meeting is created first
        appointed(5, notice_sent=dt.datetime(2026, 11, 26, 11, 0)),  # sent by staff: nothing
        appointed(6, notice_sent=dt.datetime(2026, 11, 26, 11, 0),
                  answer=Answer.DECLINED.label, answered_at=dt.datetime(2026, 11, 26, 12, 0),
                  outcome=Outcome.DECLINED.label),  # cancellation (cl. 2.7)
        appointed(7, notice_sent=dt.datetime(2026, 11, 26, 11, 0),
                  outcome=Outcome.RESCHEDULED.label,
                  rescheduled_to=dt.datetime(2026, 12, 4, 11, 0)),  # rescheduling (cl. 3.5)
        appointed(8, citizen="<b>Робертс</b> & \"Ко\"\u202e", email="o'brien+vks@example.ru"),
        appointed(9, email="petrova@mail"),  # not an address: by phone
        appointed(10, appointment=dt.datetime(2026, 11, 20, 10, 0)),  # past: nothing
        rejected(11, decision_date=dt.date(2026, 9, 1)),  # too old for a notice: nothing
        row(12),  # no decision yet: nothing
    ]


def write(path: Path, records: list[dict[str, Any]] | None = None) -> Path:
    body = Body(name=SHEET, sheet=SHEET)
    return template.write_journal(path, {body: rows() if records is None else records})


def config(tmp: Path, smtp_port: int, libreoffice: bool = False, **extra: Any) -> Config:
    """vks.toml for these tests: the body with its address and token, [mail] on loopback,
    letters as .docx (LibreOffice only when asked: each PDF takes seconds), everything of
    the toolkit's in `tmp/state`."""
    data: dict[str, Any] = {
        "state_dir": str(tmp / "state"),
        "bodies": [{"name": BODY_NAME, "sheet": SHEET, "email": SENDER,
                    "phone": "8 (3842) 58-00-00", "controller": "И.О. Контролев",
                    "unit_head": "И.О. Руководов", "telemost_token_env": TOKEN_ENV}],
        "mail": {"host": "127.0.0.1", "port": smtp_port, "security": "none",
                 "sender": "vks@mszn42.ru", "timeout": 5},
        "letters": {"out": str(tmp / "решения")},
    }
    if not libreoffice:
        data["letters"]["soffice"] = str(tmp / "нет-libreoffice")
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(data.get(key), dict):
            data[key] = {**data[key], **value}
        else:
            data[key] = value
    return parse_config(data, tmp / "vks.toml")
