"""A specialist's name as one person, however it was typed: surname and initials.

«Тарасов Е.П.», «Тарасов Е. П.», «тарасов  е.п.», «Тарасов Евгений Павлович» and «Е.П. Тарасов»
are one specialist, shown as «Тарасов Е.П.» (RULES.md, «Cases that need care»).

This is how a report shows the person; which spellings are one person is decided as `vks check`
decides it (`toolkit.journal.specialists.specialist_key`, see `stats.frame`).
"""

from __future__ import annotations

import re

_WORD_RE = re.compile(r"[^\W\d_]+(?:[-'ʼ][^\W\d_]+)*\.?")


def specialist_name(text: str) -> str:
    """Surname and initials («Тарасов Е.П.»); text that is not a name comes back tidied."""
    words = _WORD_RE.findall(text)
    if not words:
        return " ".join(text.split())
    initial = [w.endswith(".") or len(w) == 1 for w in words]
    if initial[0] and not initial[-1]:  # «Е.П. Тарасов»: initials first
        words = [words[-1], *words[:-1]]
        initial = [False, *initial[:-1]]
    if initial[0] or len(words) > 3:
        return " ".join(text.split())  # not a «surname first» name: leave it as typed
    surname = "-".join(part[:1].upper() + part[1:].lower() for part in words[0].split("-"))
    return surname + (" " + "".join(f"{w[0].upper()}." for w in words[1:]) if words[1:] else "")
