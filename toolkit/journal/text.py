"""Text that leaves the program: safe to print on a terminal, safe in a spreadsheet or CSV.

    printable("Иванова\x1b[2J")        # → "Иванова[2J": no escape sequence reaches a terminal
    neutralise_formula("=HYPERLINK(…)") # → "'=HYPERLINK(…)": a CSV cell that stays text

Everything read from files (lock files, sheet titles, cells) may hold control characters; a
terminal runs an ESC sequence as a command, so they are dropped before printing. A spreadsheet
program runs a CSV cell starting with = + - @, a tab or a carriage return as a formula (CSV
injection, OWASP); such a cell gets a leading apostrophe, which Excel and LibreOffice show as
text and never evaluate.
"""

from __future__ import annotations

import re

# C0 and C1 controls except line feed and tab, DEL, and the bidirectional overrides that
# reorder what a person sees (U+202A–U+202E, U+2066–U+2069).
_UNPRINTABLE_RE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def printable(text: str) -> str:
    """`text` without control characters and bidirectional overrides (line feeds kept)."""
    return _UNPRINTABLE_RE.sub("", text)


def printable_line(text: str) -> str:
    """`text` as one printable line: controls dropped, runs of whitespace made one space."""
    return " ".join(printable(text).split())


def neutralise_formula(text: str) -> str:
    """A text cell a spreadsheet program will never run: a leading apostrophe before = + - @,
    a tab or a carriage return (OWASP «CSV injection»)."""
    return "'" + text if formula_start(text) else text


def formula_start(text: str) -> bool:
    """Whether a spreadsheet program could take `text` for a formula."""
    return text.startswith(FORMULA_START)
