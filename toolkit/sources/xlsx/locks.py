"""Who has a workbook open: the lock files Excel and LibreOffice leave beside it.

A journal reached through a symbolic link is locked beside its target (the office program
opened the real file), so both places are looked at. A lock file is read only if it is a
regular file, and the user name in it is shown without control characters: it was typed on
someone else's computer and could hold a terminal escape sequence.
"""

from __future__ import annotations

import os
from pathlib import Path

from toolkit.journal.files import read_regular
from toolkit.journal.text import printable_line


def _places(path: Path) -> list[Path]:
    places = [path]
    if path.is_symlink():
        target = Path(os.path.realpath(path))
        if target != path:
            places.append(target)
    return places


def lock_files(path: Path) -> list[Path]:
    """Lock files that say `path` is open right now."""
    candidates = []
    for place in _places(path):
        candidates += [
            place.with_name("~$" + place.name),  # Excel
            place.with_name(f".~lock.{place.name}#"),  # LibreOffice
        ]
    seen, found = set(), []
    for candidate in candidates:
        if candidate != path and candidate not in seen and os.path.lexists(candidate):
            seen.add(candidate)
            found.append(candidate)
    return found


def lock_holder(lock: Path) -> str:
    """The user name a lock file records, or "" when it cannot be told."""
    try:
        data = read_regular(lock, 4096)
    except OSError:  # gone meanwhile, no rights, or not a regular file
        return ""
    return printable_line(_holder(lock, data))[:100]


def _holder(lock: Path, data: bytes) -> str:
    if lock.name.startswith(".~lock."):
        # LibreOffice: "LockUser,host,user,date,profile-path;" in UTF-8
        fields = data.decode("utf-8", "replace").split(",")
        return fields[0].strip() if fields and fields[0].strip() else ""
    # Excel owner file: a length byte and the name in the ANSI code page, then at offset 54 the
    # same name in UTF-16 LE after a two-byte length.
    if len(data) >= 56:
        length = int.from_bytes(data[54:56], "little")
        if 0 < length <= 256 and len(data) >= 56 + 2 * length:
            return data[56: 56 + 2 * length].decode("utf-16-le", "replace").strip("\x00 ")
    if data:
        length = data[0]
        return data[1: 1 + length].decode("cp1251", "replace").strip("\x00 ")
    return ""


def lock_holders(path: Path) -> list[str]:
    """The names of the people who hold `path` open (as their lock files say), sorted."""
    return sorted({h for h in (lock_holder(lock) for lock in lock_files(path)) if h})


def describe_locks(path: Path) -> str | None:
    """A Russian sentence saying who holds `path` open, or None when nobody does."""
    locks = lock_files(path)
    if not locks:
        return None
    holders = sorted({h for h in (lock_holder(lock) for lock in locks) if h})
    program = "LibreOffice" if any(lk.name.startswith(".~lock.") for lk in locks) else "Excel"
    who = f" пользователем {', '.join(holders)}" if holders else ""
    return (
        f"Файл {printable_line(path.name)} открыт{who} в {program} (файл блокировки "
        f"{printable_line(locks[0].name)}). "
        f"Закройте его и запустите команду снова — иначе правки могут потеряться."
    )
