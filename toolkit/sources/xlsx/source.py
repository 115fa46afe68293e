"""A journal kept in an .xlsx file on a local or shared drive.

Reading takes the file's bytes once and parses them with fastexcel (calamine into Arrow, every
cell as text: the fastest read measured); writing patches only the cells written, and only if
nobody has the file open and it has not changed since it was read. The old file goes to a
timestamped backup first.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import logging
import os
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from toolkit.journal.cells import to_serial
from toolkit.journal.errors import JournalBusy, JournalError
from toolkit.journal.files import atomic_output, backup
from toolkit.journal.model import CellChange, SheetTable, WriteResult
from toolkit.journal.schema import BY_KEY, Kind
from toolkit.sources.xlsx.bounds import Inspection, Limits, SheetInfo, read_regular_file
from toolkit.sources.xlsx.locks import describe_locks
from toolkit.sources.xlsx.package import Package
from toolkit.sources.xlsx.patch import Numeric, PatchError, SheetPatch, rewrite_package
from toolkit.sources.xlsx.pipeline import SheetPipeline
from toolkit.sources.xlsx.rowheight import text_height
from toolkit.sources.xlsx.sniff import not_xlsx_reason

log = logging.getLogger("vks.xlsx")
_Scanned = tuple[SheetInfo | None, list[tuple[int, int]]]  # a sheet's check and formula cells


@dataclass(frozen=True)
class Fingerprint:
    size: int
    mtime_ns: int
    data: bytes = field(repr=False, compare=False)
    inode: int = 0

    @cached_property
    def sha256(self) -> str:
        """Hashed only when size or time changed (rare): not on every read."""
        return hashlib.sha256(self.data).hexdigest()


def fingerprint_of(path: Path, data: bytes | None = None) -> Fingerprint:
    st = path.stat()
    if data is None:
        data = path.read_bytes()
    return Fingerprint(st.st_size, st.st_mtime_ns, data, st.st_ino)


class XlsxSource:
    """A journal workbook file: one sheet per body."""

    def __init__(self, path: str | os.PathLike[str], backup_dir: Path | None = None,
                 keep_backups: int = 50, limits: Limits | None = None) -> None:
        self.path = Path(path)
        self.limits = limits or Limits()
        self.location = str(path)
        self.backup_dir = backup_dir
        self.keep_backups = keep_backups
        self._data: bytes | None = None
        self._fingerprint: Fingerprint | None = None
        self._package: Package | None = None
        self._inspection: Inspection | None = None
        self._checked: dict[str, SheetInfo] = {}  # sheets past the bound check, by title
        self._pipeline: SheetPipeline[_Scanned] | None = None
        self._reader_fd: int | None = None

    # Reading ---------------------------------------------------------------------------

    def _load(self) -> bytes:
        if self._data is None:
            # A FIFO or device is refused unread; an absurd package (a zip bomb) before any
            # reader allocates for it; a sheet (a stray cell at XFD1048576) before it is loaded
            # or patched (`_check_sheet`).
            data = read_regular_file(self.path, self.limits, self.location)
            if not data.startswith(b"PK"):  # not a zip: say what it is (.xls, encrypted, empty)
                raise JournalError(f"{self.location}: {not_xlsx_reason(data)}")
            inspection = Inspection(data, self.limits, self.location)
            inspection.open()
            self._inspection, self._checked = inspection, {}
            self._data = data
            self._fingerprint = fingerprint_of(self.path, data)
            try:
                self._package = Package(data, inspection.zip, inspection.parts)
                self._package.sheet_parts  # noqa: B018 - fail early on a broken package
            except zipfile.BadZipFile:
                raise JournalError(f"{self.location}: {not_xlsx_reason(data)}") from None
            except (KeyError, SyntaxError) as exc:
                raise JournalError(
                    f"{self.location}: это не книга Excel .xlsx или файл поврежден ({exc})"
                ) from None
        return self._data

    @property
    def package(self) -> Package:
        self._load()
        assert self._package is not None
        return self._package

    def _check_sheet(self, title: str) -> SheetInfo:
        """The bound check of one sheet (PackageRefused), with its formulas and merged ranges.

        One streaming pass over the sheet's XML; run in the scanner thread of `read`.
        """
        data = self._load()
        if self._inspection is None:
            self._inspection = Inspection(data, self.limits, self.location)
            self._inspection.open()
        if title not in self._checked:
            self._checked[title] = self._inspection.sheet(title)
        return self._checked[title]

    def _scan(self, title: str) -> _Scanned:
        """A sheet's check and its formula cells (located only if it has any)."""
        if title not in self.package.sheet_parts:
            return None, []
        info = self._check_sheet(title)
        return info, (self.package.formula_cells(title) if info.formula else [])

    def sheet_titles(self) -> list[str]:
        return list(self.package.sheet_parts)

    def prefetch(self, titles: Sequence[str]) -> None:
        """Start reading these sheets in the background now; `read(titles)` takes them over.

        Called before the engine is imported, it overlaps the imports with the first sheet's
        read (`pipeline`)."""
        if self._pipeline is None:
            self._pipeline = self._start(titles)

    def read(self, titles: Sequence[str]) -> Iterator[SheetTable]:
        """Each sheet's cells as text columns (Arrow, via fastexcel), merges and formulas.

        Sheets come one at a time in the order asked; the next is read in the background while
        the caller checks this one (`SheetPipeline`), so memory holds two sheets' cells at most.
        """
        pipeline, self._pipeline = self._pipeline, None
        if pipeline is None or pipeline.titles != list(titles):
            if pipeline is not None:
                pipeline.close()
            pipeline = self._start(titles)
        date1904 = self.package.date1904
        try:
            for title, columns, height, (info, formulas) in pipeline:
                yield SheetTable(title, columns, height, date1904,
                                 list(info.merged) if info else [], formulas)
                del columns
        finally:
            pipeline.close()
            self._close_reader_input()

    def _start(self, titles: Sequence[str]) -> SheetPipeline[_Scanned]:
        self._load()
        return SheetPipeline(titles, self._scan, self._reader_input(), self.location)

    def _reader_input(self) -> str | bytes:
        """What fastexcel reads: the file itself, through a descriptor opened on the very file
        read (no second copy of it in memory), or — where that cannot be ensured — its bytes."""
        known = self._fingerprint
        if known is None or not os.path.isdir("/proc/self/fd"):
            return self._load()
        self._close_reader_input()
        try:
            fd = os.open(self.path, os.O_RDONLY | os.O_NONBLOCK)
        except OSError:
            return self._load()
        st = os.fstat(fd)
        if (st.st_ino, st.st_size, st.st_mtime_ns) != (known.inode, known.size, known.mtime_ns):
            os.close(fd)  # replaced or changed since it was read: read what was checked
            return self._load()
        self._reader_fd = fd
        return f"/proc/self/fd/{fd}"

    def _close_reader_input(self) -> None:
        if self._reader_fd is not None:
            with contextlib.suppress(OSError):
                os.close(self._reader_fd)
            self._reader_fd = None

    # Writing ---------------------------------------------------------------------------

    def ensure_unchanged(self) -> None:
        """Refuse (JournalBusy) when the file is open in an office program or changed since read."""
        busy = describe_locks(self.path)
        if busy:
            raise JournalBusy(busy)
        if self._fingerprint is None:
            return
        try:
            st = self.path.stat()
        except FileNotFoundError:
            raise JournalBusy(f"Файл {self.location} исчез после чтения — ничего не записано") \
                from None
        known = self._fingerprint
        changed = (st.st_size, st.st_mtime_ns) != (known.size, known.mtime_ns)
        if changed and fingerprint_of(self.path).sha256 != known.sha256:
            raise JournalBusy(
                f"Файл {self.location} изменился после чтения (его кто-то сохранил). "
                f"Ничего не записано: запустите команду снова."
            )

    def write(self, changes: Sequence[CellChange]) -> WriteResult:
        """Write the changed cells in place; every other byte of the package is kept."""
        result = WriteResult()
        if not changes:
            return result
        data = self._load()
        self.ensure_unchanged()
        package = self.package
        by_part: dict[str, dict[tuple[int, int], CellChange]] = {}
        for change in changes:
            part = package.sheet_parts.get(change.sheet)
            if part is None:
                raise JournalError(f"{self.location}: нет листа «{change.sheet}»")
            self._check_sheet(change.sheet)  # its real size and far cells, before it is patched
            by_part.setdefault(part, {})[(change.row, change.column)] = change
        # Each sheet streams through inflate → patch → deflate in row-aligned runs: memory
        # holds a piece of it, never the whole inflated sheet.
        date1904 = package.date1904
        patches = {part: SheetPatch({pos: _typed(c, date1904) for pos, c in cells.items()},
                                    _row_heights(cells.values()))
                   for part, cells in by_part.items()}
        try:
            new_data = rewrite_package(data, {part: patch.stream(package.pieces(part))
                                              for part, patch in patches.items()})
        except PatchError as exc:
            raise JournalError(f"{self.location}: не удалось изменить лист ({exc})") from None
        for part, cells in by_part.items():
            refused_at = {(r.row, r.col): r.reason for r in patches[part].refused}
            for pos, change in cells.items():
                if pos in refused_at:
                    result.skipped.append((change, refused_at[pos]))
                else:
                    result.written.append(change)
        # Check again right before replacing: the window for a lost edit is a few milliseconds.
        self.ensure_unchanged()
        if self.backup_dir is not None:
            result.backup = backup(self.path, self.backup_dir, self.keep_backups)
        with atomic_output(self.path, check=self.ensure_unchanged) as tmp:
            tmp.write_bytes(new_data)
        self._data = new_data
        self._fingerprint = fingerprint_of(self.path, new_data)
        self._package = Package(new_data)
        self._inspection, self._checked = None, {}  # opened again only if a sheet is asked for
        log.info("записано ячеек: %d, пропущено: %d", len(result.written), len(result.skipped))
        return result

    def close(self) -> None:
        if self._pipeline is not None:
            self._pipeline.close()
            self._pipeline = None
        self._close_reader_input()
        with contextlib.suppress(Exception):
            if self._package is not None:
                self._package.zip.close()


def _row_heights(changes: Iterable[CellChange]) -> dict[int, float]:
    """Rows whose written «Контроль» (or other wrapped text) needs more than one line."""
    heights: dict[int, float] = {}
    for change in changes:
        height = text_height(change.key, change.new)
        if height is not None:
            heights[change.row] = max(height, heights.get(change.row, 0.0))
    return heights


def _typed(change: CellChange, date1904: bool) -> str:
    """The text to write; a number, a date or a date and time in a column of that kind goes as
    a number cell (`Numeric`), so the sheet holds a real number or date, not text."""
    kind = BY_KEY[change.key].kind
    text = change.new.strip()
    if not text or kind not in (Kind.NUMBER, Kind.DATE, Kind.DATETIME):
        return change.new
    if kind is Kind.NUMBER:
        return Numeric(change.new, int(text)) if text.isdigit() else change.new
    for fmt in ("%d.%m.%Y %H:%M", "%d.%m.%Y") if kind is Kind.DATETIME else ("%d.%m.%Y",):
        try:
            moment = dt.datetime.strptime(text, fmt)
        except ValueError:
            continue
        return Numeric(change.new, to_serial(moment, date1904))
    return change.new
