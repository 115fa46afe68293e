"""Specialists (graph 6): one person however written (cl. 3.3, 3.10)."""

from __future__ import annotations

import pytest

from toolkit.journal.config import Body
from toolkit.journal.specialists import (
    Roster,
    parse_specialist,
    person_keys,
    specialist_key,
    specialist_keys,
)

TARASOV = [
    "Тарасов Е.П.",
    "Тарасов Е. П.",
    "тарасов  е.п",
    "Тарасов Евгений Павлович",
    "ТАРАСОВ ЕВГЕНИЙ ПАВЛОВИЧ",
    " Тарасов\u00a0Е.П. ",
    "Тарасов,Е.П.",
    "Тарасов ЕП",
    "Е.П. Тарасов",
    "Е.П.Тарасов",
    "Тарасов Евгений П.",
]


@pytest.mark.parametrize("text", TARASOV)
def test_one_person_however_written(text: str) -> None:
    assert specialist_key(text) == "тарасов е.п."


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("Тарасов Е.", "тарасов е."),
        ("Тарасов", "тарасов"),
        ("Ёлкина Ёлена Семёновна", "елкина е.с."),
        ("Елкина Е.С.", "елкина е.с."),
        ("Петрова-Водкина А.С.", "петрова-водкина а.с."),
        ("Петрова – Водкина А. С.", "петрова-водкина а.с."),
        ("ПЕТРОВА-ВОДКИНА АННА СЕРГЕЕВНА", "петрова-водкина а.с."),
        ("Мамедов Рашид Али оглы", "мамедов р.а."),
        ("Мамедов Рашид Али-оглы", "мамедов р.а."),
        ("Мамедова Айгюль Рашид кызы", "мамедова а.р."),
        ("Ли Ян", "ли я."),  # short names are names, not initials
        ("ЛИ ЯН", "ли я."),
    ],
)
def test_keys(text: str, key: str) -> None:
    assert specialist_key(text) == key


@pytest.mark.parametrize("value", ["", "   ", "Е.П.", "12", "—", None, 12.0])
def test_no_name_no_key(value: object) -> None:
    assert specialist_key(value) == "" and parse_specialist(value) == ("", "")


def test_different_people_differ() -> None:
    assert specialist_key("Тарасов Е.П.") != specialist_key("Тарасова Е.П.")
    assert specialist_key("Тарасов Е.П.") != specialist_key("Тарасов Е.А.")


def test_column_keys_once_per_value() -> None:
    column = ["Тарасов Е.П.", None, "Тарасов Евгений Павлович", "Тарасов Е.П.", ""]
    assert specialist_keys(column) == ["тарасов е.п.", "", "тарасов е.п.", "тарасов е.п.", ""]


def test_person_keys_join_a_short_name_only_when_unambiguous() -> None:
    keys = person_keys(["Тарасов Е.П.", "Тарасов Е.", "Тарасов", "Иванов А.", "Иванов А.Б.",
                        "Иванов А.В.", "Гончарова Е.", None])
    assert keys["Тарасов Е."] == keys["Тарасов"] == keys["Тарасов Е.П."] == "тарасов е.п."
    # Two Ивановы А.: «Иванов А.» may be either, so it stays apart from both.
    assert keys["Иванов А."] == "иванов а."
    assert keys["Иванов А.Б."] == "иванов а.б." and keys["Иванов А.В."] == "иванов а.в."
    assert keys["Гончарова Е."] == "гончарова е."
    assert keys[None] == ""


ROSTER = Roster(["Тарасов Евгений Павлович", "Иванов Андрей Борисович",
                 "Иванов Алексей Викторович", "Гончарова Е.С."])


@pytest.mark.parametrize("text", [*TARASOV, "Тарасов Е.", "Тарасов"])
def test_roster_knows_and_spells(text: str) -> None:
    assert ROSTER.knows(text)
    assert ROSTER.canonical(text) == "Тарасов Евгений Павлович"


def test_roster_ambiguity_and_strangers() -> None:
    # «Иванов А.» is one of the two authorised Ивановы, but which one is open.
    assert ROSTER.knows("Иванов А.") and ROSTER.canonical("Иванов А.") is None
    assert ROSTER.matches("Иванов А.") == ("Иванов Андрей Борисович",
                                           "Иванов Алексей Викторович")
    assert ROSTER.canonical("ИВАНОВ А.В.") == "Иванов Алексей Викторович"
    assert ROSTER.canonical("Гончарова Елена Сергеевна") == "Гончарова Е.С."
    for stranger in ("Тарасов Е.А.", "Тарасова Е.П.", "Петров П.П.", "", None):
        assert not ROSTER.knows(stranger) and ROSTER.canonical(stranger) is None


def test_empty_roster_checks_nothing() -> None:
    roster = Roster.of(Body(name="Орган", sheet="Орган"))
    assert not roster and len(roster) == 0
    assert roster.knows("Кто Угодно") and roster.canonical("Кто Угодно") is None
    configured = Roster.of(Body(name="Орган", sheet="Орган", specialists=("Тарасов Е.П.",)))
    assert configured and configured.names == ("Тарасов Е.П.",)
