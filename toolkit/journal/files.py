"""Writing files safely: private, atomic (temporary file + rename), with timestamped backups."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
import stat
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700
ZIP_TIME = (2023, 4, 24, 0, 0, 0)  # fixed entry times, so the same content gives the same bytes


def private_dir(path: Path) -> Path:
    """Create a folder only its owner can enter (or leave an existing one as it is)."""
    path.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR)
    return path


@contextlib.contextmanager
def atomic_output(path: Path, mode: int | None = None) -> Iterator[Path]:
    """Yield a temporary path in the target's folder; on success it replaces `path` at once.

    A new file is private (0600); a replaced file keeps its permissions. If the block fails, the
    temporary file is removed and `path` is untouched.
    """
    path = Path(path)
    if mode is None:
        try:
            mode = stat.S_IMODE(path.stat().st_mode)
        except FileNotFoundError:
            mode = PRIVATE_FILE
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".vks-tmp", dir=path.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        os.chmod(tmp, mode)
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
