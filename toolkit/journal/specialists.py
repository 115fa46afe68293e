"""Responsible specialists (graph 6): one person however the name is written (cl. 3.3, 3.10).

    specialist_key("Тарасов Е. П.") == specialist_key("ТАРАСОВ ЕВГЕНИЙ ПАВЛОВИЧ") == "тарасов е.п."
    roster = Roster(["Тарасов Евгений Павлович"])
    roster.knows("тарасов  е.п")            # True
    roster.canonical("Тарасов Е.")          # "Тарасов Евгений Павлович": the only Тарасов Е.

A name is reduced to its surname and initials: case, «ё», spaces, dots and the spelling of a
hyphen do not matter, nor whether the first name and patronymic are written out. The surname
comes first («Тарасов Е.П.») or after the initials («Е.П. Тарасов»). Turkic patronymic
particles (оглы, кызы, улы, угли, кизи) are not initials. A name with fewer initials than
another («Тарасов Е.» and «Тарасов Е.П.») is the same person only when no other person fits.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence

__all__ = ["Roster", "parse_specialist", "person_keys", "specialist_key", "specialist_keys"]

_DASHES = re.compile(r"\s*[-‐‑‒–—―]\s*")
_NOT_NAME = re.compile(r"[^\w\s-]|\d|_")
_UPPER_INITIALS = re.compile(r"^[А-ЯЁA-Z]{2,3}$")
_PARTICLES = frozenset({"оглы", "кызы", "улы", "угли", "кизи", "уулу"})

Parsed = tuple[str, str]  # surname, initials (e.g. "тарасов", "еп")


@functools.lru_cache(maxsize=16384)
def parse_specialist(text: object) -> Parsed:
    """(surname, initials) in lower case with «е» for «ё»; ("", "") when there is no name."""
    if not isinstance(text, str):
        return "", ""
    # «ЕП» after a surname in ordinary case is two initials; in an all-caps name it is a name.
    shouting = text.upper() == text
    words = _NOT_NAME.sub(" ", _DASHES.sub("-", text.strip())).split()
    tokens: list[str] = []
    for raw in words:
        word = raw.strip("-")
        if not word:
            continue
        if not shouting and tokens and _UPPER_INITIALS.match(word):
            tokens.extend(word)
            continue
        tokens.append(word)
    tokens = [t.casefold().replace("ё", "е") for t in tokens]
    tokens = [t for t in tokens if t not in _PARTICLES]
    tokens = [t for t in (re.sub(r"-(?:оглы|кызы|улы|угли|кизи)$", "", t) for t in tokens) if t]
    if not tokens or all(len(t) == 1 for t in tokens):
        return "", ""  # no surname: initials alone name nobody
    if len(tokens[0]) == 1 and len(tokens[-1]) > 1:  # «Е.П. Тарасов»
        surname, rest = tokens[-1], tokens[:-1]
    else:
        surname, rest = tokens[0], tokens[1:]
    return surname, "".join(t[0] for t in rest[:2])


def specialist_key(text: object) -> str:
    """The surname and initials as one string, «тарасов е.п.»; "" when there is no name."""
    return _key(*parse_specialist(text))


def _key(surname: str, initials: str) -> str:
    if not surname:
        return ""
    return surname + (" " + "".join(f"{i}." for i in initials) if initials else "")


def specialist_keys(values: Sequence[object]) -> list[str]:
    """specialist_key of a whole column, computed once per distinct value."""
    seen: dict[object, str] = {}
    out = []
    for value in values:
        key = seen.get(value)
        if key is None:
            key = seen[value] = specialist_key(value)
        out.append(key)
    return out


def _fits(short: str, long: str) -> bool:
    return long.startswith(short) or short.startswith(long)


def person_keys(values: Iterable[object]) -> dict[object, str]:
    """Each distinct value → the key of the person it names, for grouping one journal's rows.

    A name with fewer initials joins the one fuller name of the same surname it agrees with
    («Тарасов Е.» → «тарасов е.п.» when there is no «Тарасов Е.А.»); if two fit, it stays apart.
    Values with no name map to "".
    """
    parsed = {value: parse_specialist(value) for value in set(values)}
    by_surname: dict[str, set[str]] = {}
    for surname, initials in parsed.values():
        if surname:
            by_surname.setdefault(surname, set()).add(initials)
    out: dict[object, str] = {}
    for value, (surname, initials) in parsed.items():
        if not surname:
            out[value] = ""
            continue
        fuller = {i for i in by_surname[surname] if i.startswith(initials) and i != initials}
        # The longest name it agrees with, provided every fuller name agrees with that one.
        target = initials
        if fuller:
            longest = max(fuller, key=len)
            if all(longest.startswith(i) for i in fuller):
                target = longest
        out[value] = _key(surname, target)
    return out


class Roster:
    """The specialists a body authorised (`[[bodies]] specialists`); empty means unchecked."""

    def __init__(self, names: Iterable[str] = ()) -> None:
        self.names: tuple[str, ...] = tuple(" ".join(n.split()) for n in names)
        self._people: dict[str, list[tuple[str, str]]] = {}  # surname → [(initials, name)]
        for name in self.names:
            surname, initials = parse_specialist(name)
            if surname:
                self._people.setdefault(surname, []).append((initials, name))
        self._matches: dict[object, tuple[str, ...]] = {}

    @classmethod
    def of(cls, body: object) -> Roster:
        """The roster of a configured body (its `specialists`)."""
        return cls(getattr(body, "specialists", ()) or ())

    def __bool__(self) -> bool:
        return bool(self.names)

    def __len__(self) -> int:
        return len(self.names)

    def matches(self, text: object) -> tuple[str, ...]:
        """The roster entries `text` may name (several when initials leave it open)."""
        found = self._matches.get(text)
        if found is None:
            surname, initials = parse_specialist(text)
            found = self._matches[text] = tuple(
                name for i, name in self._people.get(surname, ()) if _fits(initials, i))
        return found

    def knows(self, text: object) -> bool:
        """Whether `text` names an authorised specialist; always True for an empty roster."""
        return not self.names or bool(self.matches(text))

    def canonical(self, text: object) -> str | None:
        """The roster's spelling of the one specialist `text` names; None if none or several."""
        found = self.matches(text)
        return found[0] if len(found) == 1 else None
