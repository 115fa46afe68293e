"""A citizen's reply to an appointment notice: confirmed, declined or unclear (cl. 2.6, 2.7).

    reply = read_reply(message)          # EmailMessage or raw bytes
    reply.verdict                        # Verdict.CONFIRMED / DECLINED / UNCLEAR
    classify("Не могу подтвердить, буду на работе").verdict   # Verdict.DECLINED

Only the new text counts (see `quoting.new_text`). The text is split into sentences and their
comma clauses; a clause that is a question («Как подтвердить участие?»), that carries «ли»
or that is a condition («если не смогу — сообщу») gives no signal. Phrases are matched on word
stems, so inflections and common typos («потверждаю», «подверждаю») are caught without a
morphological dictionary (pymorphy3 was measured: benchmarks/replies_accuracy.py). Negation
is read before the plain phrases and consumes them: «не могу подтвердить», «не буду» decline;
«не против», «не отказываюсь», «не отменяйте» confirm.

The verdict is unclear — a person decides — when the reply both confirms and declines
(«подтверждаю, но не смогу»), hedges («возможно», «не уверен»), asks for another time (the
order knows no rescheduling at the citizen's request), says nothing either way, or was sent
by a machine (auto-reply, delivery report).
"""

from __future__ import annotations

import email
import re
from dataclasses import dataclass
from email.message import Message
from email.policy import default as default_policy
from enum import Enum

from toolkit.correspondence.quoting import new_text


class Verdict(Enum):
    CONFIRMED = "confirmed"  # «Подтвердил участие»
    DECLINED = "declined"  # «Отказался от участия»
    UNCLEAR = "unclear"  # a person reads it


@dataclass(frozen=True)
class Classification:
    verdict: Verdict
    signals: tuple[str, ...]  # names of the phrases found, never the text itself


@dataclass(frozen=True)
class Reply:
    """A reply message read: its new text and what it says."""

    verdict: Verdict
    text: str
    signals: tuple[str, ...]
    automatic: bool  # an auto-reply or a delivery report, not a person's answer


_W = r"[^\W\d_]"  # a letter
_ANY_WORDS = r"(?:\s+[\w-]+){0,3}"  # the rest of a negated phrase, up to three words

# Phrases that look like signals but are not (consumed first, no signal).
_NEUTRAL = [
    ("receipt", rf"\b(?:подтв|потв|подв)[еи]р{_W}*\s+(?:\w+\s+)?получ{_W}*"),
    ("thanks-if", rf"\bбуд(?:у|ем)\s+(?:очень\s+)?(?:благодар|признател|рад){_W}*"),
]
# «не» with a decline word: a confirmation.
_NEGATED_DECLINE = [
    ("not-against", r"\bне\s+против\b"),
    ("not-refusing", rf"\bне\s+(?:откаж|отказыва|отмен|отзыва){_W}*"),
]
_CAN_VERBS = (rf"(?:смог{_W}*|сможе{_W}*|могу|можем|получ{_W}*|буд{_W}*|прид{_W}*|"
              rf"подключ{_W}*|участв{_W}*|(?:подтв|потв|подв)[еи]р{_W}*|явл{_W}*|"
              rf"планир{_W}*|устраива{_W}*|подход{_W}*|нуж{_W}*|надо|требу{_W}*|"
              rf"актуал{_W}*|имею|име{_W}*|приму|примем)")
_DECLINE = [
    ("negated", rf"\bне\s+(?:{_W}+\s+){{0,2}}?{_CAN_VERBS}{_ANY_WORDS}"),
    ("refuse", rf"\bотка[зж]{_W}*{_ANY_WORDS}"),
    ("cancel", rf"\bотмен{_W}*{_ANY_WORDS}"),
    ("withdraw", rf"\b(?:отзыва|отзов|отозва){_W}*{_ANY_WORDS}|"
                 rf"\bсня?{_W}*\s+(?:\w+\s+)?заявк{_W}*"),
    ("not-relevant", rf"\bнеактуал{_W}*"),
    ("changed-mind", rf"\bпередумал{_W}*"),
    ("solved", rf"\bвопрос{_W}*\s+(?:уже\s+)?(?:реш{_W}*|снят{_W}*)"),
    ("no-way", rf"\bнет\s+возможност{_W}*"),
    ("no", r"^(?:хотя\s+|а\s+|но\s+)?нет\b"),
]
_CONFIRM = [
    ("confirm", rf"\b(?:подтв|потв|подв)[еи]р{_W}*"),
    ("yes", r"^(?:да|ага|угу|\+)(?!\w)"),
    # «буду» alone or with a word of taking part: «буду на работе» is no confirmation.
    ("will-be", r"\bбуд(?:у|ем)\b(?=\s*$|\s+(?:обязательно|точно|конечно|участв|на\s+связи|"
                r"ждать|вовремя|в\s+назнач|в\s+указан|присутств|подключ|на\s+прием))"),
    ("will-come", r"\b(?:прид(?:у|ем)|подключ(?:усь|имся)|присоедин\w*|явл(?:юсь|юся)|явимся)"),
    ("take-part", rf"\b(?:участву(?:ю|ем)|прим(?:у|ем)\s+участие|поучаству{_W}*)"),
    ("agree", rf"\b(?:согласн{_W}*|согласен|устраива{_W}*|подход(?:ит|ят)|договорились|"
              r"в\s+силе)"),
    ("ok", r"\b(?:хорошо|ок|окей|ok|okay|обязательно)\b|👍"),
    ("can", r"\b(?:смогу|сможем)\b"),
]
_HEDGE = re.compile(r"\b(?:возможно|наверное|может\s+быть|не\s+уверен\w*|не\s+знаю|"
                    r"постараюсь|попробую)\b")
_RESCHEDULE = re.compile(r"\b(?:перенес\w*|перенос\w*|переназнач\w*|"
                         r"друг(?:ое|ой|ую|ие)\s+(?:время|день|дату|дни|число))")
_CONDITION = re.compile(r"\b(?:если|в\s+случае|при\s+условии)\b")
_SENTENCE = re.compile(r"[^.!?;\n…]+[.!?;\n…]*")


def _compile(table: list[tuple[str, str]]) -> list[tuple[str, re.Pattern[str]]]:
    return [(name, re.compile(pattern)) for name, pattern in table]


_TABLES = [("neutral", _compile(_NEUTRAL)), ("confirm", _compile(_NEGATED_DECLINE)),
           ("decline", _compile(_DECLINE)), ("confirm", _compile(_CONFIRM))]


def normalise(text: str) -> str:
    """Lower case, ё as е, one kind of dash and quote, single spaces within lines."""
    text = text.lower().replace("ё", "е").replace("\u00a0", " ")
    text = re.sub("[\u2010-\u2015\u2212]", "-", text)
    return "\n".join(" ".join(line.split()) for line in text.splitlines())


def _clauses(text: str) -> list[str]:
    """The clauses that state something: questions, «ли» and conditions left out."""
    kept: list[str] = []
    for sentence in _SENTENCE.findall(text):
        question = sentence.rstrip().endswith("?")
        parts = [p.strip(" -:()\"'«»") for p in re.split(r"[,]|\s-\s", sentence.rstrip(".!?;\n…"))]
        parts = [p for p in parts if p]
        for index, part in enumerate(parts):
            if question and index == len(parts) - 1:
                continue
            if re.search(r"\bли\b", part) or _CONDITION.search(part):
                continue
            kept.append(part)
    return kept


def classify(text: str) -> Classification:
    """What the new text of a reply says."""
    norm = normalise(text)
    signals: list[str] = []
    confirm = decline = False
    for clause in _clauses(norm):
        rest = clause
        for kind, table in _TABLES:
            for name, pattern in table:
                if pattern.search(rest):
                    signals.append(f"{kind}:{name}")
                    confirm |= kind == "confirm"
                    decline |= kind == "decline"
                    rest = pattern.sub(" ", rest)
    hedge = bool(_HEDGE.search(norm))
    reschedule = bool(_RESCHEDULE.search(norm))
    if hedge:
        signals.append("hedge")
    if reschedule:
        signals.append("reschedule")
    if hedge or reschedule or confirm == decline:
        verdict = Verdict.UNCLEAR
    else:
        verdict = Verdict.CONFIRMED if confirm else Verdict.DECLINED
    return Classification(verdict, tuple(signals))


def is_automatic(message: Message) -> bool:
    """An auto-reply, a vacation notice or a delivery report (RFC 3834, RFC 3464)."""
    auto = str(message.get("Auto-Submitted", "") or "").strip().lower()
    if auto and auto != "no":
        return True
    if message.get("X-Autoreply") or message.get("X-Autorespond"):
        return True
    if str(message.get("Precedence", "") or "").strip().lower() in ("auto_reply", "bulk",
                                                                    "junk"):
        return True
    if message.get_content_type() == "multipart/report":
        return True
    subject = str(message.get("Subject", "") or "").lower()
    return subject.startswith(("автоответ", "auto:", "automatic reply", "out of office",
                                "undeliverable", "недоставлено", "delivery status"))


def read_reply(message: Message | bytes) -> Reply:
    """A reply message: its new text and verdict (machines' messages are always unclear)."""
    if isinstance(message, bytes | bytearray):
        message = email.message_from_bytes(bytes(message), policy=default_policy)
    text = new_text(message)
    automatic = is_automatic(message)
    if automatic:
        return Reply(Verdict.UNCLEAR, text, ("automatic",), True)
    found = classify(text)
    return Reply(found.verdict, text, found.signals, False)
