"""Who has a workbook open: the lock files Excel and LibreOffice leave beside it."""

from __future__ import annotations

from pathlib import Path


def lock_files(path: Path) -> list[Path]:
    """Lock files that say `path` is open right now."""
    candidates = [
        path.with_name("~$" + path.name),  # Excel
        path.with_name(f".~lock.{path.name}#"),  # LibreOffice
    ]
    seen, found = set(), []
    for candidate in candidates:
        if candidate != path and candidate not in seen and candidate.exists():
            seen.add(candidate)
            found.append(candidate)
    return found


def lock_holder(lock: Path) -> str:
    """The user name a lock file records, or "" when it cannot be told."""
    try:
        data = lock.read_bytes()[:4096]
    except OSError:
        return ""
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


def describe_locks(path: Path) -> str | None:
    """A Russian sentence saying who holds `path` open, or None when nobody does."""
    locks = lock_files(path)
    if not locks:
        return None
    holders = sorted({h for h in (lock_holder(lock) for lock in locks) if h})
    program = "LibreOffice" if any(lk.name.startswith(".~lock.") for lk in locks) else "Excel"
    who = f" пользователем {', '.join(holders)}" if holders else ""
    return (
        f"Файл {path.name} открыт{who} в {program} (файл блокировки {locks[0].name}). "
        f"Закройте его и запустите команду снова — иначе правки могут потеряться."
    )
