"""Where letters go: names safe on every file system and readable by a clerk, a free name
for a new letter, earlier versions set aside (never overwritten), stale temporary files swept."""

from __future__ import annotations

import datetime as dt
import os
import re
import unicodedata
from pathlib import Path

from toolkit.journal.config import Body
from toolkit.journal.files import shared_dir, sweep_temporary
from toolkit.letters.ledger import Ledger, LedgerEntry
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


SUPERSEDED_DIR = "заменены"  # where a decision's earlier letters go, with their version


def sweep_output(out_dir: Path) -> int:
    """Remove temporary files killed runs left in the output folders (they may hold a
    citizen's name and address)."""
    folders = [out_dir]
    for body in (p for p in out_dir.iterdir() if p.is_dir() and not p.is_symlink()):
        folders += [body, body / SUPERSEDED_DIR]
    return sum(sweep_temporary(f) for f in folders if f.is_dir())


def free_path(target: Path, key: tuple[str, str, int], ledger: Ledger) -> Path:
    """`target`, or `target-2`… when another decision's letter already has that name."""
    candidate, n = target, 1
    while ledger.taken(candidate, key):
        n += 1
        candidate = target.with_name(f"{target.stem}-{n}{target.suffix}")
    return candidate


def same_bytes(path: Path, data: bytes) -> bool:
    try:
        return path.stat().st_size == len(data) and path.read_bytes() == data
    except OSError:
        return False


def set_aside_unknown(path: Path, folder: Path) -> Path:
    """Move a file the ledger does not know out of a new letter's way, into `заменены/`."""
    return _move_aside(path, folder, "прежний")


def set_aside(entry: LedgerEntry, folder: Path) -> Path:
    """Move a superseded letter into `заменены/`, named with its version."""
    return _move_aside(entry.path, folder, f"версия{entry.version}")


def _move_aside(path: Path, folder: Path, tag: str) -> Path:
    """`path` into `folder/заменены/` as «name-tag», «name-tag-2» … (never over another)."""
    aside = shared_dir(folder / SUPERSEDED_DIR)
    target = aside / f"{path.stem}-{tag}{path.suffix}"
    n = 1
    while target.exists():
        n += 1
        target = aside / f"{path.stem}-{tag}-{n}{path.suffix}"
    os.replace(path, target)
    return target
