"""Russian text helpers shared by intake: folding, words, lemmas (pymorphy3, cached), stop words.

pymorphy3 parses a word in ~0.1 ms, so every lemma is cached per distinct word form; the analyzer
itself is built once per process.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pymorphy3

_SPACE_RE = re.compile(r"\s+")
# Letters and digits; a hyphen or apostrophe splits words ("Ленинск-Кузнецкий" → two words) so
# each part is lemmatized on its own, which pymorphy3 does far better than the compound.
_WORD_RE = re.compile(r"[0-9a-zа-я]+")

_STOP_TEXT = (
    # Prepositions, conjunctions, particles, pronouns (as lemmas) ...
    "а без более бы был быть в во вот все всё да для до его ее если есть же за и из или им их "
    "к как ко кто ли либо мой мы на над не нет ни но о об от по под при про с со так также то "
    "тот у уже чем что чтобы это этот я мне меня вы ваш он она они оно свой который какой "
    "такой весь сам себя можно нужно надо ли ну "
    # ... and the filler of an application's topic that says nothing about the question.
    "вопрос вопросы прошу просить просьба хотеть хотеться узнать подсказать разъяснить "
    "разъяснение консультация консультировать проконсультировать интересовать интересоваться "
    "пожалуйста получить получение касаться касательно относительно тема тематика "
    "обращение обратиться обращаться помочь сказать рассказать сообщить уточнить "
    "дать являться иметься мочь возможно возможность каков каковой"
)
STOP_WORDS: frozenset[str] = frozenset(_STOP_TEXT.split())


def fold(text: str) -> str:
    """Casefold, ё → е, every kind of space → one space, trimmed."""
    return _SPACE_RE.sub(" ", text.replace("\u00a0", " ")).strip().casefold().replace("ё", "е")


def words(text: str) -> list[str]:
    """The folded words of a text, split at anything that is not a letter or digit."""
    return _WORD_RE.findall(fold(text))


@cache
def analyzer() -> pymorphy3.MorphAnalyzer:
    """The process-wide pymorphy3 analyzer (Russian dictionaries)."""
    import pymorphy3

    return pymorphy3.MorphAnalyzer(lang="ru")


@lru_cache(maxsize=200_000)
def lemma(word: str) -> str:
    """The most probable normal form of a folded word; digits and Latin words stay as they are."""
    if not word or not ("а" <= word[0] <= "я"):
        return word
    return str(analyzer().parse(word)[0].normal_form).replace("ё", "е")


@lru_cache(maxsize=200_000)
def lemma_forms(word: str) -> frozenset[str]:
    """Every normal form pymorphy3 offers for a folded word, and the word itself.

    Place names are often unknown to the dictionary and parsed several ways («Мысках» → мыски or
    мысок); matching against all of them keeps an inflected name equal to its nominative.
    """
    if not word or not ("а" <= word[0] <= "я"):
        return frozenset((word,))
    forms = {str(p.normal_form).replace("ё", "е") for p in analyzer().parse(word)}
    forms.add(word)
    return frozenset(forms)


def lemmas(text: str, *, drop_stop: bool = True) -> list[str]:
    """The lemmas of a text's words in order, stop words dropped unless asked otherwise."""
    out = [lemma(w) for w in words(text)]
    if drop_stop:
        out = [w for w in out if w not in STOP_WORDS]
    return out
