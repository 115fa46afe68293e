"""Repeat questions (cl. 2.8 ground 4, cl. 2.9): earlier applications of the same citizen on a
similar topic.

    index = RepeatIndex(earlier)              # EarlierApplication rows from the journals/ledger
    for match in index.find(submission):      # best first
        match.earlier.reference, match.score, match.evidence, match.answered

The same citizen: the same surname and compatible first name and patronymic (case, ё/е, spaces,
initials against full names), confirmed by a matching date of birth (a keyed hash), phone, e-mail
or address. Different dates of birth mean a namesake, whatever else matches. Earlier rows are
indexed by surname and first initial, and by phone and e-mail (a surname typed with a typo is then
still found), so a query looks at a handful of rows however many there are.

A similar topic: the topics' lemmas (pymorphy3) without stop words, common abbreviations expanded
(ЕДВ, ЖКУ, СВО …), compared word by word with a typo-tolerant fuzzy ratio (rapidfuzz); the score
is the share of words of both topics that found a partner, 0–100. The threshold is tuned on
tests/data/repeats_pairs.tsv (benchmarks/repeats_accuracy.py).

Whether the earlier question was answered on the merits (a reception held) is for the body to
judge: `answered` says whether graph 7 records «Прием проведен».
"""

from __future__ import annotations

import datetime as dt
import gc
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from rapidfuzz import fuzz, process

from toolkit.intake.submission import Submission, birth_hash, phone_digits
from toolkit.intake.text import STOP_WORDS, fold, lemma, words

THRESHOLD = 42.0  # topic similarity at or above which a question repeats (tuned, see module doc)
WORD_RATIO = 80.0  # two lemmas are the same word with a typo at or above this rapidfuzz ratio
NAME_RATIO = 85.0  # «Наталья»/«Наталия», a surname with a typo

# Abbreviations citizens use for what the journal spells out.
ABBREVIATIONS: dict[str, tuple[str, ...]] = {
    "едв": ("ежемесячный", "денежный", "выплата"),
    "жку": ("жилищно", "коммунальный", "услуга"),
    "сво": ("специальный", "военный", "операция"),
    "ип": ("индивидуальный", "предприниматель"),
    "тср": ("технический", "средство", "реабилитация"),
    "мсэ": ("медико", "социальный", "экспертиза"),
    "соцзащита": ("социальный", "защита"),
    "соцконтракт": ("социальный", "контракт"),
    "соцподдержка": ("социальный", "поддержка"),
    "капремонт": ("капитальный", "ремонт"),
    "детсад": ("детский", "сад"),
    "физлицо": ("физический", "лицо"),
    "маткапитал": ("материнский", "капитал"),
}
# Words of one meaning in applications' topics, folded to one lemma (None: drop the word).
SYNONYMS: dict[str, str | None] = {
    "возмещение": "компенсация", "возместить": "компенсация", "компенсировать": "компенсация",
    "льгота": "поддержка", "соцподдержка": "поддержка",
    "мама": "мать", "пожилой": "престарелый",
    "юрист": "юридический", "иск": "исковый",
    "жилье": "жилой", "помещение": None,
    "проездной": "проезд", "уголь": "топливо", "газ": "газификация",
    "опекунство": "опека", "опекун": "опека", "инвалидность": "инвалид",
    "приходить": "поступать", "прийти": "поступать", "поступить": "поступать",
    "задержка": "поступать", "супружеский": "супруг",
}
# Words that say how the citizen asks, not what about («как оформить», «какие документы»).
PROCEDURE_WORDS = frozenset(
    ("оформить", "оформление", "получить", "получение", "назначение", "назначить",
     "назначать", "выдача", "выдать", "порядок", "предоставление", "предоставить", "документ",
     "нужный", "положить", "положенный", "почему", "какой", "когда", "где", "требоваться",
     "нужен", "помогите", "мера")
)
_PATRONYMIC_TAILS = frozenset(["оглы", "кызы", "улы", "уулу", "угли", "кизи"])
_NAME_WORD_RE = re.compile(r"[a-zа-я]+(?:['’-][a-zа-я]+)*")
_TAIL_RE = re.compile(r"-(?:" + "|".join(sorted(_PATRONYMIC_TAILS)) + r")\b")  # «Рашид-оглы»


@dataclass(frozen=True)
class EarlierApplication:
    """An application already in a journal (or the intake ledger), with where it is."""

    citizen: str
    received: dt.date | None
    topic: str
    body: str = ""
    sheet: str = ""
    row: int = 0
    decision: str = ""  # graph 5 «Решение»
    outcome: str = ""  # graph 7 «Итог»
    birth_hash: str = ""  # submission.birth_hash of the date of birth, when the ledger kept it
    phone: str = ""
    email: str = ""
    address: str = ""
    journal: str = ""  # the journal's name when it is not the one being checked (last year's)

    @property
    def reference(self) -> str:
        """«лист «ОСЗН г. Кемерово», строка 17» — no personal data."""
        where = f"лист «{self.sheet}», строка {self.row}" if self.sheet else f"строка {self.row}"
        return f"{self.journal}, {where}" if self.journal else where


@dataclass(frozen=True)
class RepeatMatch:
    """An earlier application of the same citizen with a similar topic."""

    earlier: EarlierApplication
    score: float  # topic similarity, 0–100
    evidence: tuple[str, ...]  # what confirms the citizen: «дата рождения», «телефон» …

    @property
    def answered(self) -> bool:
        """Whether graph 7 records a reception held: an answer on the merits (ground 4)."""
        return fold(self.earlier.outcome).startswith("прием проведен")

    def explain(self) -> str:
        """A Russian line for the body; names the earlier row, never the citizen."""
        when = f" от {self.earlier.received:%d.%m.%Y}" if self.earlier.received else ""
        evidence = ", ".join(self.evidence) or "только ФИО"
        held = "; прием по ней проведен" if self.answered else ""
        return (f"Возможен повторный вопрос (п. 2.8, основание 4): заявка{when} "
                f"({self.earlier.reference}), сходство тематики {self.score:.0f} %, совпадают: "
                f"ФИО, {evidence}{held}")


class NameKey(NamedTuple):
    """A ФИО folded: surname, first name and patronymic, each full or an initial (one letter)."""

    surname: str
    first: str
    patronymic: str

    @property
    def bucket(self) -> str:
        return f"{self.surname} {self.first[:1]}"


def name_key(text: str) -> NameKey | None:
    """The parts of a ФИО as typed: «Иванов И.И.», «И. И. Иванов», «ИВАНОВ Иван Иванович»."""
    tokens = [t for t in _NAME_WORD_RE.findall(_TAIL_RE.sub(" ", fold(text)))
              if t not in _PATRONYMIC_TAILS]
    if not tokens:
        return None
    if len(tokens) > 1 and len(tokens[0]) == 1 and len(tokens[-1]) > 1:
        tokens = [tokens[-1], *tokens[:-1]]  # initials first: «И.И. Иванов»
    rest = tokens[1:]
    return NameKey(tokens[0], rest[0] if rest else "", rest[1] if len(rest) > 1 else "")


def _part_compatible(a: str, b: str) -> bool:
    if not a or not b:
        return True  # the patronymic is «при наличии»
    if len(a) == 1 or len(b) == 1:
        return a[0] == b[0]
    return a == b or fuzz.ratio(a, b) >= NAME_RATIO


def same_name(a: NameKey, b: NameKey, *, fuzzy_surname: bool = False) -> bool:
    """Whether two ФИО may name one person (initials match full names)."""
    if a.surname != b.surname and not (fuzzy_surname and fuzz.ratio(a.surname, b.surname)
                                       >= NAME_RATIO):
        return False
    if not a.first or not b.first:
        return False
    return _part_compatible(a.first, b.first) and _part_compatible(a.patronymic, b.patronymic)


@lru_cache(maxsize=100_000)
def topic_lemmas(text: str) -> tuple[str, ...]:
    """The distinct lemmas of a topic that carry meaning, abbreviations spelt out."""
    out: list[str] = []
    for word in words(text):
        if word in ABBREVIATIONS:
            out.extend(ABBREVIATIONS[word])
            continue
        lem = lemma(word)
        if lem in ABBREVIATIONS:
            out.extend(ABBREVIATIONS[lem])
            continue
        if lem in STOP_WORDS or lem in PROCEDURE_WORDS:
            continue
        canonical = SYNONYMS.get(lem, lem)
        if canonical is not None:
            out.append(canonical)
    return tuple(dict.fromkeys(out))


def lemma_similarity(a: tuple[str, ...], b: tuple[str, ...]) -> float:
    """The share of words of both topics (0–100) that have a partner in the other one.

    A partner is the same lemma or one within WORD_RATIO (a typo the analyzer could not undo).
    """
    if not a or not b:
        return 0.0
    matched = _partnered(a, b) + _partnered(b, a)
    return 100.0 * matched / (len(a) + len(b))


def _partnered(a: tuple[str, ...], b: tuple[str, ...]) -> int:
    other = set(b)
    return sum(1 for word in a if word in other or _typo_of_any(word, b))


def _typo_of_any(word: str, others: tuple[str, ...]) -> bool:
    # Short words differ by one letter as often as not: only longer ones count as typos.
    if len(word) < 4:
        return False
    return process.extractOne(word, others, scorer=fuzz.ratio, score_cutoff=WORD_RATIO) is not None


def topic_similarity(a: str, b: str) -> float:
    """How alike two topics are, 0–100 (see `lemma_similarity`)."""
    return lemma_similarity(topic_lemmas(a), topic_lemmas(b))


class _Person(NamedTuple):
    name: NameKey
    birth: str
    phone: str
    email: str
    address: str


def _person(citizen: str, birth: str, phone: str, email: str, address: str) -> _Person | None:
    name = name_key(citizen)
    if name is None:
        return None
    digits = phone_digits(phone)
    return _Person(name, birth, digits if len(digits) >= 10 else "", fold(email),
                   " ".join(words(address)))


def _evidence(new: _Person, old: _Person) -> tuple[str, ...] | None:
    """What confirms two records are one citizen; None when the dates of birth differ."""
    found: list[str] = []
    if new.birth and old.birth:
        if new.birth != old.birth:
            return None  # a namesake
        found.append("дата рождения")
    if new.phone and new.phone == old.phone:
        found.append("телефон")
    if new.email and new.email == old.email:
        found.append("эл. почта")
    if new.address and old.address and (
        new.address == old.address or fuzz.token_sort_ratio(new.address, old.address) >= 92
    ):
        found.append("адрес")
    return tuple(found)


class RepeatIndex:
    """Earlier applications indexed for repeat-question lookups; build once per run."""

    def __init__(
        self,
        earlier: Iterable[EarlierApplication],
        *,
        threshold: float = THRESHOLD,
        secret: bytes = b"",
        name_only: bool = False,
    ) -> None:
        """`secret` keys the date-of-birth hashes (as the ledger did); `name_only` also returns
        rows that match by ФИО alone (no date of birth or contact to confirm the citizen)."""
        self.threshold = threshold
        self.secret = secret
        self.name_only = name_only
        self.rows: list[EarlierApplication] = []
        self._people: list[_Person] = []
        self._by_name: dict[str, list[int]] = {}
        self._by_phone: dict[str, list[int]] = {}
        self._by_email: dict[str, list[int]] = {}
        # The rows hold no reference cycles: the cyclic collector would only rescan the growing
        # index again and again (half the build time on 100,000 rows).
        paused = gc.isenabled()
        gc.disable()
        try:
            self._add(earlier)
        finally:
            if paused:
                gc.enable()

    def _add(self, earlier: Iterable[EarlierApplication]) -> None:
        for row in earlier:
            person = _person(row.citizen, row.birth_hash, row.phone, row.email, row.address)
            if person is None:
                continue
            i = len(self.rows)
            self.rows.append(row)
            self._people.append(person)
            self._by_name.setdefault(person.name.bucket, []).append(i)
            if person.phone:
                self._by_phone.setdefault(person.phone, []).append(i)
            if person.email:
                self._by_email.setdefault(person.email, []).append(i)

    def __len__(self) -> int:
        return len(self.rows)

    def find(self, sub: Submission) -> list[RepeatMatch]:
        """Earlier applications the submission repeats, best first."""
        birth = birth_hash(sub.birth_date, self.secret) if sub.birth_date else ""
        on = sub.submitted.date() if sub.submitted else None
        return self.find_for(sub.citizen, sub.topic, birth_hash=birth, phone=sub.phone,
                             email=sub.email, address=sub.address, on=on)

    def find_for(
        self,
        citizen: str,
        topic: str,
        *,
        birth_hash: str = "",
        phone: str = "",
        email: str = "",
        address: str = "",
        on: dt.date | None = None,
    ) -> list[RepeatMatch]:
        """Earlier applications (received on or before `on`) that this question repeats."""
        new = _person(citizen, birth_hash, phone, email, address)
        if new is None:
            return []
        by_name = self._by_name.get(new.name.bucket, [])
        named = set(by_name)  # membership below: a list would make a big bucket quadratic
        by_contact = self._by_phone.get(new.phone, []) + self._by_email.get(new.email, [])
        lemmas = topic_lemmas(topic)
        out: list[RepeatMatch] = []
        for i in dict.fromkeys(by_name + by_contact):
            row, old = self.rows[i], self._people[i]
            if on is not None and row.received is not None and row.received > on:
                continue
            if not same_name(new.name, old.name, fuzzy_surname=i not in named):
                continue
            evidence = _evidence(new, old)
            if evidence is None or not (evidence or self.name_only):
                continue
            score = lemma_similarity(lemmas, topic_lemmas(row.topic))
            if score >= self.threshold:
                out.append(RepeatMatch(row, round(score, 1), evidence))
        out.sort(key=lambda m: (-m.score, -(m.earlier.received or dt.date.min).toordinal()))
        return out
