"""Citizens' names in the dative case, and the gender «проживающему» agrees with."""

from __future__ import annotations

import logging

import pytest

from toolkit.letters.names import Gender, dative, gender_of

M, F = Gender.MALE, Gender.FEMALE


@pytest.mark.parametrize(
    ("written", "expected", "gender"),
    [
        ("Иванов Петр Сергеевич", "Иванову Петру Сергеевичу", M),
        ("Петрова Анна Сергеевна", "Петровой Анне Сергеевне", F),
        # double (hyphenated) surnames decline on both sides
        ("Римский-Корсаков Андрей Львович", "Римскому-Корсакову Андрею Львовичу", M),
        ("Орлова-Никитина Ирина Павловна", "Орловой-Никитиной Ирине Павловне", F),
        ("Бонч-Бруевич Владимир Дмитриевич", "Бонч-Бруевичу Владимиру Дмитриевичу", M),
        # hyphenated first name
        ("Смирнова Анна-Мария Ивановна", "Смирновой Анне-Марии Ивановне", F),
        # ё kept where written, and the fleeting ё of Пётр
        ("Ёлкин Степан Фомич", "Ёлкину Степану Фомичу", M),
        ("Фёдорова Людмила Петровна", "Фёдоровой Людмиле Петровне", F),
        ("Морозов Фёдор Кузьмич", "Морозову Фёдору Кузьмичу", M),
        ("Ковальчук Дарья Артёмовна", "Ковальчук Дарье Артёмовне", F),
        ("Павлов Пётр Павлович", "Павлову Петру Павловичу", M),
        # indeclinable surnames: -их/-ых always, -ук/-ко for women, -ово
        ("Черных Виктор Павлович", "Черных Виктору Павловичу", M),
        ("Черных Галина Фоминична", "Черных Галине Фоминичне", F),
        ("Белых Роман Алексеевич", "Белых Роману Алексеевичу", M),
        ("Шевчук Олег Богданович", "Шевчуку Олегу Богдановичу", M),
        ("Шевчук Оксана Богдановна", "Шевчук Оксане Богдановне", F),
        ("Гулько Нина Петровна", "Гулько Нине Петровне", F),
        ("Дурново Петр Николаевич", "Дурново Петру Николаевичу", M),
        ("Ким Елена Сергеевна", "Ким Елене Сергеевне", F),
        ("Цой Виктор Робертович", "Цою Виктору Робертовичу", M),
        # other real patterns
        ("Толстой Лев Николаевич", "Толстому Льву Николаевичу", M),
        ("Толстая Софья Андреевна", "Толстой Софье Андреевне", F),
        ("Новиков Илья Ильич", "Новикову Илье Ильичу", M),
        ("Морозова Светлана Ильинична", "Морозовой Светлане Ильиничне", F),
        ("Смирнова Любовь Ивановна", "Смирновой Любови Ивановне", F),
        ("Сорока Никита Ильич", "Сороке Никите Ильичу", M),
        ("Мамедов Ильхам Алиевич", "Мамедову Ильхаму Алиевичу", M),
        ("Алиева Лейла Рашидовна", "Алиевой Лейле Рашидовне", F),
        # Turkic patronymics: «оглы»/«кызы» do not decline, and say the gender
        ("Алиев Эльчин Рафик оглы", "Алиеву Эльчину Рафик оглы", M),
        ("Гасанова Лейла Вагиф кызы", "Гасановой Лейле Вагиф кызы", F),
        # as people type: capitals, extra and non-breaking spaces
        ("ИВАНОВ ИВАН ИВАНОВИЧ", "ИВАНОВУ ИВАНУ ИВАНОВИЧУ", M),
        ("  Петрова\u00a0 Анна   Сергеевна ", "Петровой Анне Сергеевне", F),
    ],
)
def test_dative(written: str, expected: str, gender: Gender) -> None:
    placed = dative(written)
    assert (placed.text, placed.gender, placed.problem) == (expected, gender, "")
    assert placed.residing == ("проживающему" if gender is M else "проживающей")


@pytest.mark.parametrize(
    ("written", "gender", "why"),
    [
        ("Кузнецова Мария", None, "не указано отчество"),
        ("Smith John", None, "не только русские буквы"),
        ("Иванов И.И.", None, "не только русские буквы"),
        ("Иванов Иван Иванович Петров", None, "более чем трех слов"),
        ("Иванов Иван Петров", None, "по отчеству не определить пол"),
        ("Мамедова Айгюль Вагиф кызы", F, "имя не склоняется"),
        ("", None, "не указаны"),
    ],
)
def test_unplaced_name_is_left_as_written_with_a_reason(
    written: str, gender: Gender | None, why: str
) -> None:
    placed = dative(written)
    assert placed.text == " ".join(written.split())  # the nominative, as written
    assert placed.gender is gender
    assert why in placed.problem
    assert placed.residing == ("проживающей" if gender is F else "проживающему(ей)")


def test_gender_comes_from_the_patronymic() -> None:
    assert gender_of("Сергеевич") is M
    assert gender_of("Кузьмич") is M
    assert gender_of("Фоминична") is F
    assert gender_of("Рафик оглы") is M
    assert gender_of("Вагиф кызы") is F
    assert gender_of("Петров") is None
    assert gender_of("") is None


def test_names_never_reach_the_log(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG):
        dative("Петрова Анна Сергеевна")
        dative("Neverland Peter")
    assert "Петров" not in caplog.text
    assert "Neverland" not in caplog.text
