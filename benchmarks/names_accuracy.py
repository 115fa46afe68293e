"""How many names each inflector puts right in the dative: prints figures, asserts nothing.

    python benchmarks/names_accuracy.py [--wrong]

The reference is `tests/data/names_dative.tsv` (nominative, dative written by hand, gender).
Each library alone is given the text tidied as the toolkit does it (spaces, title case), the
reference gender and the words by position (surname, first name, the rest as the patronymic;
initials kept), so its column is the best it can do on its own; the
composed `toolkit.letters.names.dative` finds the gender itself. A row counts when the whole text is
right; for the composed implementation the gender must be right too. Last, the gender from the
first name alone (what decides a name without a patronymic and with a surname such as Ким):
pymorphy3's dictionary as the toolkit uses it against pytrovich's suffix-based detector.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from toolkit.letters.names import Gender, dative, first_name_gender, tidy

DATA = Path(__file__).resolve().parents[1] / "tests" / "data" / "names_dative.tsv"
GENDERS = {"M": Gender.MALE, "F": Gender.FEMALE, "?": None}
Row = tuple[str, str, Gender | None]
Inflect = Callable[[str, str, Gender], str]  # (word, part: last/first/middle, gender)


def rows() -> list[Row]:
    """The reference rows; lines starting with # are comments."""
    out = []
    for line in DATA.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            nominative, expected, gender = line.split("\t")
            out.append((nominative, expected, GENDERS[gender]))
    return out


def by_position(inflect: Inflect) -> Callable[[str, Gender | None], str]:
    """A library alone: surname, first name, patronymic by position, the gender given."""
    def run(nominative: str, gender: Gender | None) -> str:
        words = tidy(nominative).split(" ")
        if gender is None:
            return " ".join(words)
        parts = ("last", "first") + ("middle",) * (len(words) - 2)
        return " ".join(w if "." in w else inflect(w, part, gender)
                        for w, part in zip(words, parts, strict=False))
    return run


def pytrovich_word() -> Inflect:
    from pytrovich.enums import Case, NamePart
    from pytrovich.enums import Gender as PG
    from pytrovich.maker import PetrovichDeclinationMaker

    logging.getLogger("pytrovich").setLevel(logging.CRITICAL)
    maker = PetrovichDeclinationMaker()
    parts = {"last": NamePart.LASTNAME, "first": NamePart.FIRSTNAME,
             "middle": NamePart.MIDDLENAME}
    genders = {Gender.MALE: PG.MALE, Gender.FEMALE: PG.FEMALE}
    return lambda w, part, g: str(maker.make(parts[part], genders[g], Case.DATIVE, w))


def petrovich_word() -> Inflect:
    from petrovich.enums import Case
    from petrovich.enums import Gender as PG
    from petrovich.main import Petrovich

    p = Petrovich()
    calls = {"last": p.lastname, "first": p.firstname, "middle": p.middlename}
    genders = {Gender.MALE: PG.MALE, Gender.FEMALE: PG.FEMALE}
    return lambda w, part, g: str(calls[part](w, Case.DATIVE, genders[g]))


def pymorphy3_word() -> Inflect:
    import pymorphy3

    morph = pymorphy3.MorphAnalyzer()
    tags = {"last": "Surn", "first": "Name", "middle": "Patr"}
    grams = {Gender.MALE: "masc", Gender.FEMALE: "femn"}

    def one(word: str, part: str, g: Gender) -> str:
        for parse in morph.parse(word):
            if tags[part] in parse.tag and parse.tag.case == "nomn" and (
                    grams[g] in parse.tag or "ms-f" in parse.tag or "Fixd" in parse.tag):
                form = parse.inflect({"datv"})
                if form is not None:
                    text = form.word
                    return text.upper() if word.isupper() else "-".join(
                        s.capitalize() if o[:1].isupper() else s
                        for s, o in zip(text.split("-"), word.split("-"), strict=False))
        return word
    return lambda w, part, g: "-".join(one(s, part, g) for s in w.split("-"))


def pytrovich_detecting() -> Callable[[str, Gender | None], str]:
    """pytrovich alone end to end: its own gender detector, the nominative when it cannot tell."""
    from pytrovich.detector import PetrovichGenderDetector
    from pytrovich.enums import Gender as PG

    detector, inflect = PetrovichGenderDetector(), pytrovich_word()
    genders = {PG.MALE: Gender.MALE, PG.FEMALE: Gender.FEMALE}

    def run(nominative: str, _: Gender | None) -> str:
        words = tidy(nominative).split(" ")
        named = [w for w in words if "." not in w]
        found = detector.detect(lastname=named[0], firstname=(named[1:2] or [None])[0],
                                middlename=" ".join(named[2:]) or None)
        gender = genders.get(found)
        return by_position(inflect)(nominative, gender) if gender else " ".join(words)
    return run


def composed(nominative: str, gender: Gender | None) -> str:
    placed = dative(nominative)
    return placed.text if placed.gender is gender else f"(пол: {placed.gender})"


def first_names(data: list[Row]) -> None:
    """Gender from the first name alone, for names without a patronymic: right/unknown/wrong."""
    from pytrovich.detector import PetrovichGenderDetector
    from pytrovich.enums import Gender as PG

    names: dict[str, Gender] = {}
    for nominative, _, gender in data:
        words = tidy(nominative).split(" ")
        if gender is not None and len(words) > 1 and "." not in words[0] + words[1]:
            names[words[1]] = gender
    detector = PetrovichGenderDetector()
    genders = {PG.MALE: Gender.MALE, PG.FEMALE: Gender.FEMALE}
    guesses: dict[str, Callable[[str], Gender | None]] = {
        "pymorphy3 dictionary (toolkit)": first_name_gender,
        "pytrovich detector": lambda n: genders.get(detector.detect(firstname=n)),
    }
    print(f"gender from {len(names)} first names alone: right / unknown / wrong")
    for label, guess in guesses.items():
        found = [(guess(n), g) for n, g in names.items()]
        right = sum(f is g for f, g in found)
        unknown = sum(f is None for f, _ in found)
        print(f"{label:42} {right:4} / {unknown:3} / {len(found) - right - unknown:3}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wrong", action="store_true", help="list the rows each gets wrong")
    args = parser.parse_args()
    data = rows()
    runs: dict[str, Callable[[str, Gender | None], str]] = {
        "petrovich 2.0.1 alone (gender given)": by_position(petrovich_word()),
        "pymorphy3 alone (gender given)": by_position(pymorphy3_word()),
        "pytrovich alone (gender given)": by_position(pytrovich_word()),
        "pytrovich alone (its own gender detector)": pytrovich_detecting(),
        "toolkit.letters.names.dative (composed)": composed,
    }
    print(f"{len(data)} names in {DATA.name}")
    for label, run in runs.items():
        wrong = [(n, e, got) for n, e, g in data if (got := run(n, g)) != e]
        right = len(data) - len(wrong)
        print(f"{label:42} {right:4}/{len(data)}  {100 * right / len(data):5.1f} %")
        if args.wrong:
            for n, e, got in wrong:
                print(f"    {n.strip():40} expected {e:40} got {got}")
    first_names(data)


if __name__ == "__main__":
    main()
