"""Writing files safely: atomic (temporary file + rename), with timestamped backups.

Two kinds of files. What people open — journals, letters, reports, lists — is *shared*: a new
file gets the mode the process umask allows (0640 under the deploy units' `UMask=0027`), or
`[files] mode`, and `[files] group`, so specialists and clerks reach it on the shared folder. The
program's own state — ledgers, logs, locks, backups in `.vks` — stays *private* (0600/0700).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import hashlib
import logging
import os
import re
import shutil
import socket
import stat
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from toolkit.journal.errors import ConfigError, NotRegularFile

PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700
ZIP_TIME = (2023, 4, 24, 0, 0, 0)  # fixed entry times, so the same content gives the same bytes


def fixed_entry(name: str) -> zipfile.ZipInfo:
    """A zip entry with a fixed time and mode, so the same content gives the same bytes."""
    entry = zipfile.ZipInfo(name, ZIP_TIME)
    entry.compress_type = zipfile.ZIP_DEFLATED
    entry.external_attr = 0o600 << 16
    return entry


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


TEMP_SUFFIX = ".vks-tmp"
# «.name.<host>-<pid>.<random>.vks-tmp»: whose temporary file it is, so a later run can tell a
# file left by a dead process (removed) from one a live process is still writing (kept).
_TEMP_RE = re.compile(r"^\.(?P<name>.+)\.(?P<host>[0-9a-f]{6})-(?P<pid>\d+)\.[^.]+"
                      + re.escape(TEMP_SUFFIX) + "$")
STALE_TEMP_AGE = 24 * 3600  # seconds: another computer's temporary file older than this is stale
log = logging.getLogger("vks.files")


def _host_tag() -> str:
    return hashlib.sha1(socket.gethostname().encode("utf-8", "replace")).hexdigest()[:6]


def write_target(path: Path) -> Path:
    """The file a write to `path` must replace: the link's target when `path` is a symbolic
    link (a shared journal is often a link), so the link itself stays a link."""
    path = Path(path)
    return Path(os.path.realpath(path)) if path.is_symlink() else path


@contextlib.contextmanager
def atomic_output(path: Path, mode: int | None = None,
                  check: Callable[[], None] | None = None) -> Iterator[Path]:
    """Yield a temporary path in the target's folder; on success it replaces `path` at once.

    `check` runs right before the replacement (after the data is on disk) and may raise to
    refuse it: a journal that someone saved meanwhile is then left as they saved it — the
    window for a lost edit is the moment between that check and the rename.

    A new file is shared (`shared_file_mode()`, `[files] group`) unless `mode` says otherwise; a
    replaced file keeps its permissions and, where the system allows, its owner and group. A
    symbolic link is written through: its target is replaced and the link stays. If the block
    fails, the temporary file is removed and `path` is untouched; an OSError names the file.
    Temporary files left by dead processes in the folder (a killed run) are removed the first
    time this process writes there.
    """
    path = write_target(Path(path))
    old: os.stat_result | None
    try:
        old = path.stat()
    except FileNotFoundError:
        old = None
    if mode is None:
        mode = stat.S_IMODE(old.st_mode) if old is not None else shared_file_mode()
    sweep_temporary(path.parent)
    try:
        fd, name = tempfile.mkstemp(prefix=f".{path.name}.{_host_tag()}-{os.getpid()}.",
                                    suffix=TEMP_SUFFIX, dir=path.parent)
    except OSError as exc:
        raise _named(exc, path) from None
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        os.chmod(tmp, mode)
        if old is not None:
            _keep_owner(tmp, old)
        elif mode != PRIVATE_FILE:
            _give_group(tmp)
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        if check is not None:
            check()
        os.replace(tmp, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        if isinstance(exc, OSError) and exc.filename is None:
            raise _named(exc, path) from exc  # a full disk while writing: say which file
        raise
    _fsync_dir(path.parent)


def _named(exc: OSError, path: Path) -> OSError:
    """The same error (same class, same errno) with the file it concerns."""
    return OSError(exc.errno, exc.strerror or str(exc), str(path))


def _keep_owner(tmp: Path, old: os.stat_result) -> None:
    """Give the new file the replaced file's owner and group, as far as we are allowed."""
    if not hasattr(os, "chown"):
        return
    st = tmp.stat()
    if (st.st_uid, st.st_gid) == (old.st_uid, old.st_gid):
        return
    for uid, gid in ((old.st_uid, old.st_gid), (-1, old.st_gid)):
        try:
            os.chown(tmp, uid, gid)
            return
        except OSError:
            continue
    log.warning("владелец файла %s не сохранен: нет прав сменить владельца", tmp.name)


@contextlib.contextmanager
def scratch_file(folder: Path, stem: str) -> Iterator[Path]:
    """A private temporary file in `folder`, removed on leaving — and, if this process is
    killed first, by the next run's `sweep_temporary` (it is named like `atomic_output`'s)."""
    fd, name = tempfile.mkstemp(prefix=f".{stem}.{_host_tag()}-{os.getpid()}.",
                                suffix=TEMP_SUFFIX, dir=folder)
    os.close(fd)
    path = Path(name)
    try:
        os.chmod(path, PRIVATE_FILE)
        yield path
    finally:
        with contextlib.suppress(OSError):
            path.unlink()


def sweep_temporary(folder: Path) -> int:
    """Remove temporary files a dead process left in `folder`; how many.

    A file of this computer is stale when its process is gone (or the pid now belongs to a
    process started after the file was written); another computer's (a shared folder) only
    after a day, as its process cannot be seen from here. One directory listing per write:
    a long-running scheduler sees what a killed `vks letters` left a minute ago.
    """
    folder = Path(folder)
    try:
        names = [e.name for e in os.scandir(folder) if e.name.endswith(TEMP_SUFFIX)]
    except OSError:
        return 0
    me, removed = _host_tag(), 0
    for name in names:
        m = _TEMP_RE.match(name)
        candidate = folder / name
        try:
            if m is not None and m.group("host") == me:
                stale = not _alive(int(m.group("pid")), candidate.lstat().st_mtime)
            else:
                stale = time.time() - candidate.lstat().st_mtime > STALE_TEMP_AGE or m is None
            if stale:
                candidate.unlink()
                removed += 1
        except OSError:
            continue
    if removed:
        log.info("удалено временных файлов прерванных запусков: %d (%s)", removed, folder)
    return removed


def _alive(pid: int, written: float) -> bool:
    """Whether the process that wrote a file at `written` (epoch seconds) may still run."""
    if pid == os.getpid():
        return True
    if sys.platform == "win32":  # pragma: no cover - no cheap check; age decides there
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    started = _started(pid)
    # A pid is reused after the writer died: a process started after the file is not its writer.
    return started is None or started <= written + 1


def _started(pid: int) -> float | None:
    """When a process started (epoch seconds), from /proc; None where that is not known."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as f:
            ticks = int(f.read().rsplit(")", 1)[1].split()[19])
        with open("/proc/stat", encoding="ascii") as f:
            boot = next(int(line.split()[1]) for line in f if line.startswith("btime "))
    except (OSError, ValueError, IndexError, StopIteration):
        return None
    return boot + ticks / os.sysconf("SC_CLK_TCK")


def regular_kind(mode: int) -> str:
    """What a file that is not a regular file is, in Russian ("" for a regular file)."""
    if stat.S_ISREG(mode):
        return ""
    if stat.S_ISDIR(mode):
        return "папка"
    if stat.S_ISFIFO(mode):
        return "именованный канал (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "устройство"
    if stat.S_ISSOCK(mode):
        return "сокет"
    return "не обычный файл"


def read_regular(path: Path, limit: int | None = None) -> bytes:
    """The bytes of a regular file (links followed); a FIFO, a device or a socket is refused
    at once instead of blocking forever (NotRegularFile). `limit` caps the bytes read."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    fd = os.open(path, flags)
    try:
        kind = regular_kind(os.fstat(fd).st_mode)
        if kind:
            raise NotRegularFile(errno.ENXIO, f"это {kind}, а не файл", str(path))
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        chunks, left = [], limit if limit is not None else -1
        while left != 0:
            chunk = os.read(fd, 1 << 20 if left < 0 else min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            if left > 0:
                left -= len(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


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
            dst.writestr(fixed_entry(name), data)


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
