"""File and folder names of letters: safe on every file system, readable by a clerk."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from toolkit.journal.config import Body
from toolkit.letters.names import surname

_UNSAFE_NAME = re.compile(r"[^0-9A-Za-zА-Яа-яЁё]+")
_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)),
             *(f"lpt{i}" for i in range(10))}


def safe_name(text: str, limit: int = 40) -> str:
    """Letters and digits of `text` joined by «-»: no separators, dots or control characters."""
    text = unicodedata.normalize("NFC", text)
    name = _UNSAFE_NAME.sub("-", text).strip("-")[:limit].strip("-")
    if name.casefold() in _RESERVED:
        name += "-"
    return name


def letter_file_name(number: int, citizen: str, decided: dt.date) -> str:
    """«0017-Петрова-2026-11-20.docx»: № п/п, surname, decision date."""
    parts = [f"{number:04d}", safe_name(surname(citizen), 30), decided.isoformat()]
    return "-".join(p for p in parts if p) + ".docx"


_UNSAFE_FOLDER = re.compile(r"[^0-9A-Za-zА-Яа-яЁё .«»()-]+")


def body_folder(body: Body, sheet: str) -> str:
    """The folder of a body's letters: its sheet title with letters, digits, spaces, dots."""
    text = unicodedata.normalize("NFC", sheet or body.name)
    name = " ".join(_UNSAFE_FOLDER.sub(" ", text).split())[:60].strip(" .")
    if name.casefold() in _RESERVED:
        name += "-"
    return name or "орган"
