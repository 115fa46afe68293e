"""Writing files safely: atomic (temporary file + rename), with timestamped backups.

Two kinds of files. What people open — journals, letters, reports, lists — is *shared*: a new
file gets the mode the process umask allows (0640 under the deploy units' `UMask=0027`), or
`[files] mode`, and `[files] group`, so specialists and clerks reach it on the shared folder. The
program's own state — ledgers, logs, locks, backups in `.vks` — stays *private* (0600/0700).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
import stat
import tempfile
import zipfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from toolkit.journal.errors import ConfigError

PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700
ZIP_TIME = (2023, 4, 24, 0, 0, 0)  # fixed entry times, so the same content gives the same bytes


@dataclass(frozen=True)
class Sharing:
    """`[files]` of vks.toml: the mode and group of the files people open."""

    mode: int | None = None  # None: what the umask allows (0666 & ~umask)
    group: str | None = None
    gid: int | None = None

    @classmethod
    def from_section(cls, table: Mapping[str, Any], where: str = "[files]") -> Sharing:
        mode = table.get("mode")
        if mode is not None:
            if not isinstance(mode, str) or not mode.isdigit() or not 3 <= len(mode) <= 4 \
                    or set(mode) - set("01234567"):
                raise ConfigError(f"{where} mode — ожидаются права восьмеричным числом в "
                                  f"кавычках, например \"0640\"")
            value = int(mode, 8)
            if value & PRIVATE_FILE != PRIVATE_FILE or value & 0o7000:
                raise ConfigError(f"{where} mode = \"{mode}\" — владелец (программа) должен "
                                  f"читать и писать файлы: например \"0640\" или \"0660\"")
            if value & 0o002:
                raise ConfigError(f"{where} mode = \"{mode}\" — запись для всех пользователей "
                                  f"недопустима (журналы и решения содержат персональные "
                                  f"данные); дайте доступ группе: \"0660\" и group")
            mode_value: int | None = value
        else:
            mode_value = None
        group = table.get("group")
        if group is None:
            return cls(mode_value)
        if not isinstance(group, str) or not group.strip():
            raise ConfigError(f"{where} group — ожидается имя группы в кавычках")
        try:
            import grp
        except ImportError:  # Windows: access is set on the shared folder instead
            raise ConfigError(f"{where} group — группы файлов задаются только в Linux и "
                              f"других Unix; в Windows настройте доступ к общей папке") from None
        try:
            gid = grp.getgrnam(group.strip()).gr_gid
        except KeyError:
            raise ConfigError(f"{where} group = \"{group}\" — такой группы в системе нет "
                              f"(создайте ее: groupadd {group.strip()})") from None
        return cls(mode_value, group.strip(), gid)


_sharing = Sharing()


def use_sharing(sharing: Sharing) -> None:
    """Set how new shared files are made for the rest of the process (from `[files]`)."""
    global _sharing  # noqa: PLW0603 — one setting per process, like the umask it refines
    _sharing = sharing


def current_umask() -> int:
    """The process umask, read without changing it where Linux tells it (threads may be
    creating files meanwhile)."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o077)
    os.umask(mask)
    return mask


def shared_file_mode() -> int:
    """The mode of a new file people open: `[files] mode`, else what the umask allows."""
    return _sharing.mode if _sharing.mode is not None else 0o666 & ~current_umask()


def shared_dir_mode() -> int:
    """A folder for shared files: whoever may read a file may enter the folder."""
    mode = shared_file_mode()
    return mode | ((mode & 0o444) >> 2)


def shared_dir(path: Path) -> Path:
    """Create a folder (with its parents) for files people open; an existing one is left as
    it is."""
    path = Path(path)
    missing = [p for p in (path, *path.parents) if not p.exists()]
    path.mkdir(parents=True, exist_ok=True)
    for created in reversed(missing):
        with contextlib.suppress(OSError):
            os.chmod(created, shared_dir_mode())
            _give_group(created)
    return path


def _give_group(path: Path, gid: int | None = None) -> None:
    gid = gid if gid is not None else _sharing.gid
    if gid is not None and hasattr(os, "chown"):
        with contextlib.suppress(OSError):  # not a member of the group: the mode still holds
            os.chown(path, -1, gid)


def private_dir(path: Path) -> Path:
    """Create a folder only its owner can enter (or leave an existing one as it is)."""
    path.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR)
    return path


@contextlib.contextmanager
def atomic_output(path: Path, mode: int | None = None) -> Iterator[Path]:
    """Yield a temporary path in the target's folder; on success it replaces `path` at once.

    A new file is shared (`shared_file_mode()`, `[files] group`) unless `mode` says otherwise; a
    replaced file keeps its permissions and group. If the block fails, the temporary file is
    removed and `path` is untouched.
    """
    path = Path(path)
    gid = None
    try:
        old = path.stat()
        gid = old.st_gid
        if mode is None:
            mode = stat.S_IMODE(old.st_mode)
    except FileNotFoundError:
        if mode is None:
            mode = shared_file_mode()
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".vks-tmp", dir=path.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        os.chmod(tmp, mode)
        if mode != PRIVATE_FILE:
            _give_group(tmp, gid)
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise
    _fsync_dir(path.parent)


def write_bytes_atomic(path: Path, data: bytes, mode: int | None = None) -> None:
    with atomic_output(path, mode) as tmp:
        tmp.write_bytes(data)


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def normalize_zip(
    path: Path, transform: Callable[[dict[str, bytes]], dict[str, bytes]] | None = None
) -> None:
    """Rewrite a zip (an .xlsx or .docx) with fixed entry times: same content, same bytes.

    `transform` may change the parts' content first (new parts go last).
    """
    with zipfile.ZipFile(path) as src:
        parts = {info.filename: src.read(info) for info in src.infolist()}
    if transform is not None:
        parts = transform(parts)
    with zipfile.ZipFile(path, "w") as dst:
        for name, data in parts.items():
            fixed = zipfile.ZipInfo(name, ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o600 << 16
            dst.writestr(fixed, data)


def backup(path: Path, folder: Path, keep: int = 50, now: dt.datetime | None = None) -> Path:
    """Copy `path` into `folder` as name.YYYYmmdd-HHMMSS.ext (private); keep the newest `keep`."""
    private_dir(folder)
    stamp = (now or dt.datetime.now()).strftime("%Y%m%d-%H%M%S")
    target = folder / f"{path.stem}.{stamp}{path.suffix}"
    n = 1
    while target.exists():
        n += 1
        target = folder / f"{path.stem}.{stamp}-{n}{path.suffix}"
    with atomic_output(target, PRIVATE_FILE) as tmp:
        shutil.copyfile(path, tmp)
    older = sorted(folder.glob(f"{path.stem}.*{path.suffix}"), key=lambda p: p.stat().st_mtime)
    for stale in older[:-keep] if keep > 0 else []:
        with contextlib.suppress(OSError):
            stale.unlink()
    return target
