"""The municipalities of Kemerovo Oblast – Kuzbass, found in free text in any grammatical case.

«г. Новокузнецке», «Новокузнецкого района», «Ленинска-Кузнецкого», «в Мысках» are matched by
lemmas (pymorphy3; every normal form a word may have, since place names are often unknown to the
dictionary), longest phrase first, so «Новокузнецкий муниципальный район» is not «Новокузнецк».
Street names are skipped («ул. Новокузнецкая» is no place of residence).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from toolkit.intake.text import fold, lemma_forms, words


@dataclass(frozen=True)
class Municipality:
    """A municipality: a key, its official-style name and the phrases (as lemmas) that name it."""

    key: str
    name: str
    patterns: tuple[tuple[str, ...], ...]


# (key, name, city noun or "", adjective, has a namesake district, extra phrases)
_CITIES: tuple[tuple[str, str, str, str, bool], ...] = (
    ("anzhero-sudzhensk", "Анжеро-Судженский городской округ", "анжеро судженск",
     "анжеро судженский", False),
    ("belovo", "Беловский городской округ", "белово", "беловский", True),
    ("berezovsky", "Березовский городской округ", "березовский", "березовский", False),
    ("kaltan", "Калтанский городской округ", "калтан", "калтанский", False),
    ("kemerovo", "Кемеровский городской округ", "кемерово", "кемеровский", True),
    ("kiselevsk", "Киселевский городской округ", "киселевск", "киселевский", False),
    ("krasnobrodsky", "Краснобродский городской округ", "краснобродский", "краснобродский",
     False),
    ("leninsk-kuznetsky", "Ленинск-Кузнецкий городской округ", "ленинск кузнецкий",
     "ленинск кузнецкий", True),
    ("mezhdurechensk", "Междуреченский городской округ", "междуреченск", "междуреченский",
     False),
    ("myski", "Мысковский городской округ", "мыски", "мысковский", False),
    ("novokuznetsk", "Новокузнецкий городской округ", "новокузнецк", "новокузнецкий", True),
    ("osinniki", "Осинниковский городской округ", "осинники", "осинниковский", False),
    ("polysaevo", "Полысаевский городской округ", "полысаево", "полысаевский", False),
    ("prokopyevsk", "Прокопьевский городской округ", "прокопьевск", "прокопьевский", True),
    ("tayga", "Тайгинский городской округ", "тайга", "тайгинский", False),
    ("yurga", "Юргинский городской округ", "юрга", "юргинский", True),
)

# (key, name, adjective, the towns and urban settlements that belong to it)
_DISTRICTS: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    ("belovo-district", "Беловский муниципальный округ", "беловский", ()),
    ("guryevsk", "Гурьевский муниципальный округ", "гурьевский", ("гурьевск", "салаир")),
    ("izhmorsky", "Ижморский муниципальный округ", "ижморский", ("пгт ижморский",)),
    ("kemerovo-district", "Кемеровский муниципальный округ", "кемеровский", ()),
    ("krapivinsky", "Крапивинский муниципальный округ", "крапивинский", ("пгт крапивинский",)),
    ("leninsk-kuznetsky-district", "Ленинск-Кузнецкий муниципальный округ",
     "ленинск кузнецкий", ()),
    ("mariinsk", "Мариинский муниципальный округ", "мариинский", ("мариинск",)),
    ("novokuznetsk-district", "Новокузнецкий муниципальный район", "новокузнецкий", ()),
    ("prokopyevsk-district", "Прокопьевский муниципальный округ", "прокопьевский", ()),
    ("promyshlennovsky", "Промышленновский муниципальный округ", "промышленновский",
     ("пгт промышленная",)),
    ("tashtagol", "Таштагольский муниципальный район", "таштагольский",
     ("таштагол", "шерегеш")),
    ("tisulsky", "Тисульский муниципальный округ", "тисульский", ("пгт тисуль",)),
    ("topki", "Топкинский муниципальный округ", "топкинский", ("топки",)),
    ("tyazhinsky", "Тяжинский муниципальный округ", "тяжинский", ("пгт тяжинский",)),
    ("chebulinsky", "Чебулинский муниципальный округ", "чебулинский", ("пгт верх чебула",)),
    ("yurga-district", "Юргинский муниципальный округ", "юргинский", ()),
    ("yaysky", "Яйский муниципальный округ", "яйский", ("пгт яя",)),
    ("yashkinsky", "Яшкинский муниципальный округ", "яшкинский", ("пгт яшкино",)),
)


def _phrases(*texts: str) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(words(t)) for t in texts)


@cache
def kuzbass() -> tuple[Municipality, ...]:
    """The municipalities of Kuzbass with the phrases that name them."""
    out = []
    for key, name, noun, adj, has_district in _CITIES:
        phrases = [noun, f"{adj} городской округ", f"город {noun}"]
        if not has_district:
            phrases.append(f"{adj} округ")
        out.append(Municipality(key, name, _phrases(*phrases)))
    for key, name, adj, towns in _DISTRICTS:
        phrases = [f"{adj} район", f"{adj} муниципальный район", f"{adj} муниципальный округ",
                   *towns]
        out.append(Municipality(key, name, _phrases(*phrases)))
    return tuple(out)


# A component of an address that names a street, a house or a flat, not a place.
_STREET = frozenset(
    ["ул", "улица", "пр", "прт", "проспект", "пер", "переулок", "б", "бр", "бульвар", "ш",
     "шоссе", "пл", "площадь", "наб", "набережная", "проезд", "тупик", "д", "дом", "кв",
     "квартира", "корп", "корпус", "стр", "строение", "мкр", "микрорайон", "кварт", "квартал"]
)
_PLACE = frozenset(["г", "гор", "город", "пгт", "п", "пос", "поселок", "с", "село", "д",
                    "деревня", "район", "рн", "округ", "обл", "область"])
_ABBREVIATIONS = (
    (re.compile(r"\bр-н(?:а|е|у|ом)?\b"), "район"),
    (re.compile(r"\bг\.\s*о\.|\bго\b"), "городской округ"),
    (re.compile(r"\bм\.\s*о\.|\bмо\b"), "муниципальный округ"),
    (re.compile(r"\bпр-т\b"), "проспект"),
)


def place_words(text: str, *, address: bool = True) -> list[str]:
    """The words of a text that may name a place: street, house and flat parts left out."""
    text = fold(text)
    for pattern, replacement in _ABBREVIATIONS:
        text = pattern.sub(replacement, text)
    if not address:
        return words(text)
    out: list[str] = []
    for component in re.split(r"[,;\n]", text):
        tokens = words(component)
        if not tokens:
            continue
        marks = [i for i, t in enumerate(tokens) if t in _STREET and t != "д"]
        if tokens[0] in _STREET:
            continue  # «ул. Кирова», «д. 5»
        if marks and not any(t in _PLACE for t in tokens[: marks[0]]):
            continue  # «Кирова ул.»: a street named first
        out.extend(tokens[: marks[0]] if marks else tokens)
    return out


class Gazetteer:
    """Finds municipalities in text: Kuzbass's, plus extra phrases a routing table adds."""

    def __init__(self, extra: Iterable[Municipality] = ()) -> None:
        self.municipalities = (*kuzbass(), *extra)
        self._by_first: dict[str, list[tuple[tuple[str, ...], Municipality]]] = {}
        for m in self.municipalities:
            for phrase in m.patterns:
                if phrase:
                    self._by_first.setdefault(phrase[0], []).append((phrase, m))
        for candidates in self._by_first.values():
            candidates.sort(key=lambda pm: -len(pm[0]))

    def lookup(self, name: str) -> Municipality | None:
        """The municipality a config names by key, name or a phrase of its own."""
        key = fold(name)
        for m in self.municipalities:
            if key in (m.key, fold(m.name)):
                return m
        found = self.find(name, address=False)
        return found[0] if len(found) == 1 else None

    def find(self, text: str, *, address: bool = True) -> list[Municipality]:
        """The municipalities a text names, in order of appearance, each once."""
        tokens = place_words(text, address=address)
        forms = [lemma_forms(t) for t in tokens]
        found: list[Municipality] = []
        i = 0
        while i < len(tokens):
            match = self._match_at(forms, i)
            if match is None:
                i += 1
                continue
            length, municipality = match
            if municipality not in found:
                found.append(municipality)
            i += length
        return found

    def _match_at(
        self, forms: list[frozenset[str]], i: int
    ) -> tuple[int, Municipality] | None:
        best: tuple[int, Municipality] | None = None
        for first in forms[i]:
            for phrase, municipality in self._by_first.get(first, ()):
                n = len(phrase)
                if best is not None and n <= best[0]:
                    break
                if i + n <= len(forms) and all(
                    phrase[j] in forms[i + j] for j in range(1, n)
                ):
                    best = (n, municipality)
                    break
        return best
