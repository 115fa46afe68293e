"""A citizen's full name in the dative case, and the gender that «проживающему» agrees with.

    placed = dative("Петрова Анна Сергеевна")
    placed.text        # «Петровой Анне Сергеевне»
    placed.residing    # «проживающей»

Gender comes from the patronymic only (-вич/-ич, -вна/-чна, «оглы»/«кызы»): it is the one part
of a Russian name that says it for certain. Inflection is pytrovich (a maintained port of the
petrovich rules; it keeps indeclinable surnames such as Черных, and Шевчук for women, as they
are, and declines both halves of a double surname). A name that cannot be placed — no
patronymic, Latin letters or initials, more than three words, a first name or patronymic the
rules do not decline — is returned as written, with `problem` saying why, so the letter is made
in the nominative and the clerk is warned; the toolkit never guesses in silence.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass
from enum import Enum
from functools import cache
from typing import Any

_WORD = re.compile(r"^[А-ЯЁа-яё]+(?:-[А-ЯЁа-яё]+)*$")
MALE_PARTICLES = ("оглы", "оглу", "улы", "уулу")
FEMALE_PARTICLES = ("кызы", "гызы")


class Gender(Enum):
    MALE = "male"
    FEMALE = "female"


RESIDING = {Gender.MALE: "проживающему", Gender.FEMALE: "проживающей", None: "проживающему(ей)"}


@dataclass(frozen=True)
class PlacedName:
    """A full name as the letter writes it after «видеоконференцсвязи»."""

    text: str
    gender: Gender | None
    problem: str = ""  # why the name was left as written (Russian, names no personal data)

    @property
    def residing(self) -> str:
        return RESIDING[self.gender]


def clean(text: str) -> str:
    """One space between words, composed letters (й, ё typed as two code points)."""
    return " ".join(unicodedata.normalize("NFC", text).replace("\u00a0", " ").split())


def gender_of(patronymic: str) -> Gender | None:
    """The gender a patronymic says: Сергеевич / Ильинична / «Рафик оглы» / «Вагиф кызы»."""
    words = patronymic.lower().split()
    if not words:
        return None
    last = words[-1]
    if len(words) > 1:
        if last in MALE_PARTICLES:
            return Gender.MALE
        if last in FEMALE_PARTICLES:
            return Gender.FEMALE
        return None
    if last.endswith(("вич", "ич")):
        return Gender.MALE
    if last.endswith(("вна", "чна")):
        return Gender.FEMALE
    return None


def dative(full_name: str) -> PlacedName:
    """The name in the dative case, or as written with the reason it could not be placed."""
    name = clean(full_name)
    words = name.split(" ") if name else []
    if not words:
        return PlacedName(name, None, "Ф.И.О. не указаны")
    if not all(_WORD.match(w) for w in words):
        return PlacedName(name, None, "Ф.И.О. содержат не только русские буквы (латиница, "
                                      "инициалы или знаки): оставлены как в журнале")
    if len(words) < 3:
        return PlacedName(name, None, "не указано отчество: пол не определить, Ф.И.О. "
                                      "оставлены в именительном падеже")
    surname, first = words[0], words[1]
    patronymic = " ".join(words[2:])
    particle = len(words) == 4 and words[3].lower() in (*MALE_PARTICLES, *FEMALE_PARTICLES)
    if len(words) > 3 and not particle:
        return PlacedName(name, None, "Ф.И.О. из более чем трех слов: оставлены как в журнале")
    gender = gender_of(patronymic)
    if gender is None:
        return PlacedName(name, None, "по отчеству не определить пол: Ф.И.О. оставлены "
                                      "в именительном падеже")
    new_first = _inflect(first, "first", gender)
    if particle:
        new_patronymic = patronymic  # «Рафик оглы», «Вагиф кызы» do not decline
    else:
        new_patronymic = _inflect(patronymic, "middle", gender)
        if new_patronymic.lower() == patronymic.lower():
            return PlacedName(name, gender, "отчество не склоняется по правилам: Ф.И.О. "
                                          "оставлены в именительном падеже")
    if new_first.lower() == first.lower():
        return PlacedName(name, gender, "имя не склоняется по правилам: Ф.И.О. оставлены "
                                        "в именительном падеже, проверьте решение")
    new_surname = _inflect(surname, "last", gender)
    return PlacedName(f"{new_surname} {new_first} {new_patronymic}", gender)


def _inflect(word: str, part: str, gender: Gender) -> str:
    if word.isupper() and len(word) > 1:
        return _inflect(word.lower(), part, gender).upper()
    maker, parts, genders, case = _pytrovich()
    return str(maker.make(parts[part], genders[gender], case, word))


@cache
def _pytrovich() -> tuple[Any, dict[str, Any], dict[Gender, Any], Any]:
    from pytrovich.enums import Case, NamePart
    from pytrovich.enums import Gender as PGender
    from pytrovich.maker import PetrovichDeclinationMaker

    # pytrovich logs the names it declines at DEBUG: names never go into our logs.
    logging.getLogger("pytrovich").setLevel(logging.WARNING)
    parts = {"first": NamePart.FIRSTNAME, "middle": NamePart.MIDDLENAME,
             "last": NamePart.LASTNAME}
    genders = {Gender.MALE: PGender.MALE, Gender.FEMALE: PGender.FEMALE}
    return PetrovichDeclinationMaker(), parts, genders, Case.DATIVE


def surname(full_name: str) -> str:
    """The first word of a full name (for file names)."""
    name = clean(full_name)
    return name.split(" ", 1)[0] if name else ""
