"""How well citizens' replies are read: prints figures, asserts nothing.

    python benchmarks/replies_accuracy.py

1. The shipped classifier (`toolkit.correspondence.replies`, word stems) on the labelled set
   `tests/data/replies/cases.json` and on the mail-client .eml files. The set was written
   before the rules; its «held-out» part (40 replies) was written after them and first scored
   38/40 (two confirmations missed: «устраивают», «всё в силе»), then two phrases were added,
   so today's 100 % on it is no longer an unseen-data figure.
2. The same frame with pymorphy3 lemmas instead of stems (questions, conditions, hedges and
   rescheduling handled identically), to show whether a morphological dictionary earns its
   place: accuracy on the same set, and time per reply as a ratio to the stems.
"""

from __future__ import annotations

import json
import re
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from toolkit.correspondence import replies
from toolkit.correspondence.replies import Verdict, classify, read_reply

DATA = Path(__file__).resolve().parents[1] / "tests" / "data" / "replies"

CONFIRM_LEMMAS = {"подтверждать", "подтвердить", "участвовать", "поучаствовать", "согласный",
                  "согласиться", "прийти", "подключиться", "присоединиться", "устраивать",
                  "подходить", "договориться", "явиться", "хорошо", "ок", "обязательно",
                  "смочь", "сила"}
DECLINE_LEMMAS = {"отказываться", "отказаться", "отказ", "отменить", "отменять", "отозвать",
                  "отзывать", "передумать", "неактуальный"}
NEGATABLE = CONFIRM_LEMMAS | {"мочь", "получиться", "быть", "нужный", "нужно", "надо",
                             "требоваться", "актуальный", "иметь", "принять"}


def lemma_classify(text: str, morph: object) -> Verdict:
    """Lemma-based twin of `replies.classify`, for the comparison only."""
    norm = replies.normalise(text)
    confirm = decline = False
    for clause in replies._clauses(norm):
        words = re.findall(r"[\w+]+", clause)
        lemmas = [morph.parse(w)[0].normal_form for w in words]  # type: ignore[attr-defined]
        if lemmas[:1] in (["да"], ["+"]):
            confirm = True
        if lemmas[:1] == ["нет"]:
            decline = True
        for i, lemma in enumerate(lemmas):
            negated = "не" in lemmas[max(0, i - 3):i]
            if lemma in DECLINE_LEMMAS:
                confirm, decline = (True, decline) if negated else (confirm, True)
            elif lemma in NEGATABLE and negated:
                decline = True
            elif lemma in CONFIRM_LEMMAS or (lemma == "быть" and words[i] in ("буду", "будем")
                                             and i == len(lemmas) - 1):
                confirm = True
    if replies._HEDGE.search(norm) or replies._RESCHEDULE.search(norm) or confirm == decline:
        return Verdict.UNCLEAR
    return Verdict.CONFIRMED if confirm else Verdict.DECLINED


def accuracy(pairs: list[tuple[Verdict, Verdict]]) -> str:
    right = sum(got == want for got, want in pairs)
    return f"{right}/{len(pairs)} = {right / len(pairs):.1%}" if pairs else "—"


def main() -> None:
    cases = json.loads((DATA / "cases.json").read_text(encoding="utf-8"))
    eml = json.loads((DATA / "eml.json").read_text(encoding="utf-8"))
    stems = [(classify(c["text"]).verdict, Verdict(c["label"])) for c in cases]
    held = [pair for pair, c in zip(stems, cases, strict=True) if c.get("set") == "held-out"]
    mails = [(read_reply((DATA / "eml" / name).read_bytes()).verdict, Verdict(e["label"]))
             for name, e in eml.items()]
    print(f"Labelled replies: {len(cases)} "
          f"({dict(Counter(c['label'] for c in cases))})")
    print(f"Stems (shipped):  all {accuracy(stems)}; held-out part {accuracy(held)}; "
          f"mail-client .eml {accuracy(mails)}")
    confusion = Counter((want.value, got.value) for got, want in stems if got != want)
    print(f"  errors (label → verdict): {dict(confusion) or 'none'}")

    try:
        import pymorphy3
    except ImportError:
        print("pymorphy3 is not installed: no comparison")
        return
    started = time.perf_counter()
    morph = pymorphy3.MorphAnalyzer()
    load = time.perf_counter() - started
    lemmas = [(lemma_classify(c["text"], morph), Verdict(c["label"])) for c in cases]
    print(f"Lemmas (pymorphy3): all {accuracy(lemmas)}; dictionary load {load:.2f} s")
    wrong = [c["text"] for (got, want), c in zip(lemmas, cases, strict=True) if got != want]
    print(f"  misses: {wrong[:8]}{' …' if len(wrong) > 8 else ''}")

    rounds = 20
    started = time.perf_counter()
    for _ in range(rounds):
        for c in cases:
            classify(c["text"])
    stem_time = (time.perf_counter() - started) / (rounds * len(cases))
    started = time.perf_counter()
    for _ in range(rounds):
        for c in cases:
            lemma_classify(c["text"], morph)
    lemma_time = (time.perf_counter() - started) / (rounds * len(cases))
    print(f"Time per reply: stems {stem_time * 1e6:.0f} µs, lemmas {lemma_time * 1e6:.0f} µs "
          f"(× {lemma_time / stem_time:.1f})")


if __name__ == "__main__":
    main()
