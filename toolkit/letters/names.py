"""A citizen's full name in the dative case, and the gender that «проживающему» agrees with.

    placed = dative("Петрова Анна Сергеевна")
    placed.text        # «Петровой Анне Сергеевне»
    placed.residing    # «проживающей»

Gender, from the most certain sign to the least: the patronymic (-вич/-ич, -вна/-чна; «оглы»,
«угли», «улы» for men and «кызы», «кизи» for women, written apart, with a hyphen or joined);
a surname with a Russian gendered ending (-ов/-ова, -ин, -ский/-ская) together with the first
name by pymorphy3's dictionary of names (Иван, Анна, Эльчин, Айгюль) — when these two disagree
the gender is unknown, the clerk decides; a weaker surname ending (-ина, -ая, -ой: Щербина is a
man) only when the first name says nothing. pymorphy3 answers only for names in its dictionary
(an unknown name gives no gender rather than a guess by its ending); a few women's names it
lists as men's are corrected in `_DICTIONARY_SLIPS`.

Inflection is pytrovich (a maintained port of the petrovich rules: it keeps Черных, Шевченко,
Живаго, -дзе and women's Ким, Миллер, Петросян as they are, declines both halves of a double
surname, and leaves women's names such as Айгюль, Алсу, Нино undeclined, as Kalakutskaya's
reference on names advises). On `tests/data/names_dative.tsv` (272 names common in Kuzbass,
the dative written by hand) it is right for all but the Turkic prefix of Кара-Мурза; run
`benchmarks/names_accuracy.py` for the figures. Initials stay as written: «Петровой А.С.».

A name written in capitals (or all in lower case) is written in title case: the letter is
running text, «Иванову Ивану Ивановичу». A name that cannot be placed — Latin letters, a single
word, more than three words, a patronymic that is not one, no sign of the gender (Шевченко
Саша, Ким А.С.) — is returned in the nominative with `problem` saying why (the problem names
no personal data), so the clerk is warned; the toolkit never guesses in silence. Without a
gender the letter keeps the form's own word «проживающему» (Appendix 2 prints it so).
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
_INITIALS = re.compile(r"^[А-ЯЁ]\.(?:[А-ЯЁ]\.?)?$")
_HYPHEN = re.compile(r"(?<=[А-ЯЁа-яё])\s*-\s*(?=[А-ЯЁа-яё])")
MALE_PARTICLES = ("оглы", "оглу", "улы", "уулу", "угли")
FEMALE_PARTICLES = ("кызы", "гызы", "кизи")
PARTICLES = (*MALE_PARTICLES, *FEMALE_PARTICLES)


class Gender(Enum):
    MALE = "male"
    FEMALE = "female"


# Appendix 2 prints «проживающему»: it stays when the gender is unknown (with a warning).
RESIDING = {Gender.MALE: "проживающему", Gender.FEMALE: "проживающей", None: "проживающему"}
UNKNOWN_GENDER = ("по Ф.И.О. не определить пол: они оставлены в именительном падеже, в решении "
                  "«проживающему», как в форме, — проверьте")


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


def tidy(full_name: str) -> str:
    """`clean`, no spaces around hyphens, and words in capitals or lower case in title case."""
    return " ".join(_title(w) for w in _HYPHEN.sub("-", clean(full_name)).split(" ") if w)


def _title(word: str) -> str:
    if word.lower() in PARTICLES:
        return word.lower()  # «оглы», «кызы» are written in lower case
    if "." in word or not (word.isupper() or word.islower()):
        return word  # initials, and a mixed case the person chose
    return "-".join(p.lower() if p.lower() in PARTICLES else p.capitalize()
                    for p in word.split("-"))


def _plain(word: str) -> str:
    return word.lower().replace("ё", "е")


def _particle_gender(word: str) -> Gender | None:
    """«оглы» alone, «Гейдар-оглы», «Тофигоглы»: the gender the particle gives, if any."""
    plain = _plain(word)
    for particles, gender in ((MALE_PARTICLES, Gender.MALE), (FEMALE_PARTICLES, Gender.FEMALE)):
        if any(plain == p or (plain.endswith(p) and len(plain) > len(p) + 1)
               for p in particles):
            return gender
    return None


def gender_of(patronymic: str) -> Gender | None:
    """The gender a patronymic says: Сергеевич / Ильинична / «Рафик оглы» / «Вагиф кызы»."""
    words = patronymic.split()
    if not words:
        return None
    particle = _particle_gender(words[-1])
    if particle is not None or len(words) > 1:
        return particle
    last = _plain(words[0])
    if last.endswith("ич"):
        return Gender.MALE
    if last.endswith(("вна", "чна")):
        return Gender.FEMALE
    return None


_STRONG = ((("ова", "ева", "ская", "цкая"), Gender.FEMALE),
           (("ов", "ев", "ин", "ын", "ский", "цкий", "ской", "цкой"), Gender.MALE))
_WEAK = ((("ина", "ына", "ая"), Gender.FEMALE), (("ой", "ый", "ий"), Gender.MALE))


def _surname_gender(surname: str, table: tuple[tuple[tuple[str, ...], Gender], ...]
                    ) -> Gender | None:
    for part in reversed(_plain(surname).split("-")):  # «Миллер-Иванова»: the Russian half
        for endings, gender in table:
            if part.endswith(endings) and len(part) > 3:
                return gender
    return None


# Women's names pymorphy3's dictionary (OpenCorpora) has as men's, seen in Kuzbass journals.
_DICTIONARY_SLIPS = {"жанар": Gender.FEMALE, "гюнель": Gender.FEMALE, "кетеван": Gender.FEMALE,
                     "этери": Gender.FEMALE}


def first_name_gender(first: str) -> Gender | None:
    """The gender pymorphy3's dictionary gives a first name, when it is clear (not Саша)."""
    score = {"masc": 0.0, "femn": 0.0, "ms-f": 0.0}
    morph = _morph()
    for part in _plain(first).split("-"):
        if part in _DICTIONARY_SLIPS:
            return _DICTIONARY_SLIPS[part]
        for parse in morph.parse(part):
            tag = parse.tag
            if ("Name" in tag and tag.case == "nomn" and tag.number == "sing"
                    and _plain(parse.normal_form) == part
                    and type(parse.methods_stack[0][0]).__name__ == "DictionaryAnalyzer"):
                score[tag.gender or "ms-f"] += parse.score
    total = sum(score.values())
    if total and score["masc"] >= 0.75 * total:
        return Gender.MALE
    if total and score["femn"] >= 0.75 * total:
        return Gender.FEMALE
    return None


def guess_gender(surname: str, first: str = "", patronymic: str = "") -> Gender | None:
    """The gender the name's parts give, the most certain sign first (see the module doc)."""
    said = gender_of(patronymic)
    if said is not None:
        return said
    ending = _surname_gender(surname, _STRONG)
    named = first_name_gender(first) if first else None
    if ending is not None and named is not None and ending is not named:
        return None  # «Петрова Иван»: a slip in the journal, the clerk decides
    return ending or named or _surname_gender(surname, _WEAK)


def dative(full_name: str) -> PlacedName:
    """The name in the dative case, or as written with the reason it could not be placed."""
    name = tidy(full_name)
    words = name.split(" ") if name else []
    if not words:
        return PlacedName(name, None, "Ф.И.О. не указаны")
    initials = [bool(_INITIALS.match(w)) for w in words]
    if any(initials):
        return _with_initials(name, words, initials)
    if not all(_WORD.match(w) for w in words):
        return PlacedName(name, None, "Ф.И.О. содержат не только русские буквы (латиница "
                                      "или знаки): оставлены как в журнале")
    if len(words) == 1:
        return PlacedName(name, None, "указана только фамилия: Ф.И.О. оставлены "
                                      "в именительном падеже")
    particle = len(words) == 4 and words[3] in PARTICLES
    if len(words) > 3 and not particle:
        return PlacedName(name, None, "Ф.И.О. из более чем трех слов: оставлены как в журнале")
    last, first, patronymic = words[0], words[1], " ".join(words[2:])
    gender = guess_gender(last, first, patronymic)
    if patronymic and gender_of(patronymic) is None:
        return PlacedName(name, gender, "отчество не распознано: Ф.И.О. оставлены "
                                        "в именительном падеже")
    if gender is None:
        return PlacedName(name, None, UNKNOWN_GENDER)
    out = [_inflect(last, "last", gender), _inflect(first, "first", gender)]
    if patronymic:
        keep = particle or _particle_gender(patronymic) is not None  # «Рафик оглы» stays
        out.append(patronymic if keep else _inflect(patronymic, "middle", gender))
    return PlacedName(" ".join(out), gender)


def _with_initials(name: str, words: list[str], initials: list[bool]) -> PlacedName:
    """«Петрова А.С.», «Петрова А. С.», «А.С. Петрова»: the surname declines, initials stay."""
    at = 0 if not initials[0] else len(words) - 1
    if (len(words) > 3 or initials[at] or not _WORD.match(words[at])
            or sum(initials) != len(words) - 1):
        return PlacedName(name, None, "Ф.И.О. записаны не по форме (инициалы вперемешку со "
                                      "словами): оставлены как в журнале")
    gender = guess_gender(words[at])
    if gender is None:
        return PlacedName(name, None, UNKNOWN_GENDER)
    words = list(words)
    words[at] = _inflect(words[at], "last", gender)
    return PlacedName(" ".join(words), gender)


def _inflect(word: str, part: str, gender: Gender) -> str:
    maker, parts, genders, case = _pytrovich()
    return str(maker.make(parts[part], genders[gender], case, word))


@cache
def _pytrovich() -> tuple[Any, dict[str, Any], dict[Gender, Any], Any]:
    from pytrovich.enums import Case, NamePart
    from pytrovich.enums import Gender as PGender
    from pytrovich.maker import PetrovichDeclinationMaker

    # pytrovich logs the names it declines at DEBUG and WARNING: names never go into our logs.
    logging.getLogger("pytrovich").setLevel(logging.CRITICAL)
    parts = {"first": NamePart.FIRSTNAME, "middle": NamePart.MIDDLENAME,
             "last": NamePart.LASTNAME}
    genders = {Gender.MALE: PGender.MALE, Gender.FEMALE: PGender.FEMALE}
    return PetrovichDeclinationMaker(), parts, genders, Case.DATIVE


@cache
def _morph() -> Any:
    import pymorphy3

    return pymorphy3.MorphAnalyzer()


def surname(full_name: str) -> str:
    """The surname as written (for file names): the first word that is not an initial."""
    words = clean(full_name).split(" ")
    return next((w for w in words if not _INITIALS.match(w)), words[0])
