"""Which body is competent for an application (cl. 2.3): by its topic and the citizen's place.

The routing table comes from configuration (e.g. `[intake.routing]` in vks.toml) as a dict:

    {
      "bodies": [
        {
          "name": "ГКУ «Государственное юридическое бюро Кузбасса»",   # as in [[bodies]]
          "aliases": ["ГЮБ", "юридическое бюро"],     # other spellings of the body (optional)
          "topics": ["бесплатная юридическая помощь", "исков*", "алименты"],
        },
        {
          "name": "Управление социальной защиты населения администрации города Новокузнецка",
          "aliases": ["УСЗН г. Новокузнецка"],
          "places": ["Новокузнецк"],
        },
        …
      ]
    }

`topics` are keyword phrases: each word is matched by its lemma in any case and number («алименты»
matches «алиментов»), every word of a phrase must occur in the topic, in any order; a word ending
in «*» matches any word starting with it. `places` name municipalities: a key or name from
`places.kuzbass()` («novokuznetsk», «Новокузнецкий городской округ»), a phrase that names one
(«Новокузнецк», «г. Мариинск»), or another place name (a village), matched the same way.

Decision, in order (cl. 2.3: «в зависимости от тематики вопроса и адреса места жительства»):
1. topic keywords — the body whose matched keywords have the most words in all wins (a phrase
   counts more than a single word); a tie between bodies leaves the application unplaced. A body
   with both topics and places needs both.
2. the place of residence — the address and the «Муниципальное образование» field; one body
   serving the place(s) found wins; places of different bodies leave it unplaced; a place no
   body serves leaves it to the next rule.
3. the body the citizen chose on the form (cl. 2.2), when it is a body of the table.
Otherwise the application is not placed: `Routing.body` is None and `reason` says why.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from toolkit.intake.places import Gazetteer, Municipality
from toolkit.intake.submission import IntakeError, Submission
from toolkit.intake.text import fold, lemma_forms, lemmas, words

UNROUTED = "Не распределено"


@dataclass(frozen=True)
class Routing:
    """The competent body (None if not placed) and why, in Russian."""

    body: str | None
    reason: str
    rule: str  # "topic", "place", "chosen" or "unrouted"

    @property
    def routed(self) -> bool:
        return self.body is not None


@dataclass(frozen=True)
class _Keyword:
    text: str
    parts: tuple[str, ...]  # lemmas; a stem keeps its trailing "*"


@dataclass(frozen=True)
class _Body:
    name: str
    aliases: tuple[str, ...]
    keywords: tuple[_Keyword, ...]
    places: frozenset[str]  # municipality keys


class RoutingTable:
    """Decides the competent body for a submission; build once, route many."""

    def __init__(self, table: Mapping[str, Any]) -> None:
        entries = table.get("bodies")
        if not isinstance(entries, Sequence) or not entries:
            raise IntakeError("Таблица распределения заявок: нет списка органов «bodies»")
        extra: list[Municipality] = []
        raw: list[tuple[str, tuple[str, ...], tuple[_Keyword, ...], list[str]]] = []
        for n, entry in enumerate(entries, start=1):
            if not isinstance(entry, Mapping) or not str(entry.get("name", "")).strip():
                raise IntakeError(f"Таблица распределения заявок: у органа № {n} нет «name»")
            name = str(entry["name"]).strip()
            aliases = tuple(str(a) for a in _list(entry, "aliases", name))
            keywords = tuple(_keyword(str(k)) for k in _list(entry, "topics", name))
            raw.append((name, aliases, keywords, [str(p) for p in _list(entry, "places", name)]))
        base = Gazetteer()
        resolved: list[list[str]] = []
        for *_, places in raw:
            keys = []
            for place in places:
                found = base.lookup(place)
                if found is None:  # a place of its own: a village, a settlement
                    found = Municipality(f"place:{fold(place)}", place, (tuple(words(place)),))
                    extra.append(found)
                keys.append(found.key)
            resolved.append(keys)
        self.gazetteer = Gazetteer(extra)
        self.bodies: list[_Body] = []
        owner: dict[str, str] = {}
        for (name, aliases, keywords, _), keys in zip(raw, resolved, strict=True):
            for key in keys:
                if owner.setdefault(key, name) != name:
                    raise IntakeError(
                        f"Таблица распределения заявок: место «{key}» указано у двух органов — "
                        f"«{owner[key]}» и «{name}»"
                    )
            self.bodies.append(_Body(name, aliases, keywords, frozenset(keys)))
        self._by_name = {fold(n): b for b in self.bodies for n in (b.name, *b.aliases)}

    def route(self, sub: Submission) -> Routing:
        """The competent body for an application, with the explanation (cl. 2.3)."""
        places = self._places(sub)
        by_topic = self._by_topic(sub.topic, {m.key for m, _ in places})
        if by_topic is not None:
            return by_topic
        if places:
            return self._by_place(sub, places)
        chosen = self.body_named(sub.body)
        if chosen is not None:
            return Routing(chosen.name, "Орган выбран гражданином в заявке; тематика и адрес "
                           "не указывают на другой орган", "chosen")
        what = "адрес не указывает на муниципальное образование Кузбасса из таблицы" \
            if sub.address.strip() or sub.municipality.strip() else "адрес не указан"
        body = "выбранный орган не найден в таблице" if sub.body.strip() else "орган не выбран"
        return Routing(None, f"{UNROUTED}: тематика не относится к органам по ключевым словам, "
                       f"{what}, {body}", "unrouted")

    def body_named(self, text: str) -> _Body | None:
        """The body of the table a text names: its name or alias, or a place only it serves."""
        if not text.strip():
            return None
        body = self._by_name.get(fold(text))
        if body is not None:
            return body
        found = {b.name: b for m in self.gazetteer.find(text, address=False)
                 for b in self.bodies if m.key in b.places}
        return next(iter(found.values())) if len(found) == 1 else None

    def _places(self, sub: Submission) -> list[tuple[Municipality, str]]:
        out: list[tuple[Municipality, str]] = []
        for text, how, address in ((sub.address, "по адресу", True),
                                   (sub.municipality, "по муниципальному образованию", False)):
            for m in self.gazetteer.find(text, address=address) if text.strip() else ():
                if all(m != seen for seen, _ in out):
                    out.append((m, how))
        return out

    def _by_topic(self, topic: str, places: set[str]) -> Routing | None:
        topic_words = words(topic)
        topic_forms = [lemma_forms(w) for w in topic_words]
        scored: list[tuple[int, _Body, list[str]]] = []
        for body in self.bodies:
            if body.places and not body.places & places:
                continue
            hits = [k for k in body.keywords if _matches(k, topic_words, topic_forms)]
            if hits:
                scored.append((sum(len(k.parts) for k in hits), body, [k.text for k in hits]))
        if not scored:
            return None
        scored.sort(key=lambda s: -s[0])
        best = [s for s in scored if s[0] == scored[0][0]]
        if len(best) > 1:
            names = ", ".join(f"«{b.name}»" for _, b, _ in best)
            return Routing(None, f"{UNROUTED}: тематика подходит нескольким органам — {names}",
                           "unrouted")
        _, body, matched = best[0]
        keywords = ", ".join(f"«{h}»" for h in matched)
        return Routing(body.name, f"Тематика вопроса относится к органу (ключевые слова: "
                       f"{keywords})", "topic")

    def _by_place(self, sub: Submission, places: list[tuple[Municipality, str]]) -> Routing:
        served: dict[str, tuple[Municipality, str]] = {}
        for m, how in places:
            bodies = [b for b in self.bodies if m.key in b.places]
            if bodies:
                served.setdefault(bodies[0].name, (m, how))
        if not served:
            names = ", ".join(m.name for m, _ in places)
            chosen = self.body_named(sub.body)
            if chosen is not None:  # no body of the table serves the place: the citizen's choice
                return Routing(chosen.name, f"Орган выбран гражданином в заявке; для места "
                               f"жительства ({names}) в таблице нет органа", "chosen")
            return Routing(None, f"{UNROUTED}: для места жительства ({names}) в таблице нет "
                           "органа", "unrouted")
        if len(served) > 1:
            names = ", ".join(f"{m.name} — «{b}»" for b, (m, _) in served.items())
            return Routing(None, f"{UNROUTED}: в заявке указаны места разных органов: {names}",
                           "unrouted")
        name, (m, how) = next(iter(served.items()))
        reason = f"Место жительства — {m.name} ({how})"
        chosen = self.body_named(sub.body)
        if chosen is not None and chosen.name != name:
            reason += f"; гражданин выбрал другой орган — «{chosen.name}»"
        return Routing(name, reason, "place")


def _list(entry: Mapping[str, Any], key: str, name: str) -> list[Any]:
    value = entry.get(key, [])
    if isinstance(value, str) or not isinstance(value, Sequence):
        raise IntakeError(
            f"Таблица распределения заявок: у органа «{name}» «{key}» должен быть списком"
        )
    return list(value)


def _keyword(text: str) -> _Keyword:
    parts = []
    for raw in text.split():
        stem = raw.endswith("*")
        for w in words(raw):
            parts.append(f"{w}*" if stem else _lemma_of_keyword(w))
    if not parts:
        raise IntakeError(f"Таблица распределения заявок: пустое ключевое слово «{text}»")
    return _Keyword(text, tuple(parts))


def _lemma_of_keyword(word: str) -> str:
    found = lemmas(word, drop_stop=False)
    return found[0] if found else word


def _matches(keyword: _Keyword, topic_words: list[str], forms: list[frozenset[str]]) -> bool:
    for part in keyword.parts:
        if part.endswith("*"):
            stem = part[:-1]
            if not any(w.startswith(stem) for w in topic_words):
                return False
        elif not any(part in f for f in forms):
            return False
    return True
