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
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from toolkit.journal.errors import JournalBusy, JournalError
from toolkit.journal.files import atomic_output, backup
from toolkit.journal.model import CellChange, SheetTable, WriteResult
from toolkit.journal.schema import BY_KEY, Kind
from toolkit.sources.xlsx.bounds import Inspection, Limits, SheetInfo, read_regular_file
from toolkit.sources.xlsx.locks import describe_locks
from toolkit.sources.xlsx.package import Package
from toolkit.sources.xlsx.patch import Numeric, PatchError, SheetPatch, rewrite_package
from toolkit.sources.xlsx.rowheight import text_height
from toolkit.sources.xlsx.sniff import not_xlsx_reason

log = logging.getLogger("vks.xlsx")


@dataclass(frozen=True)
class Fingerprint:
    size: int
    mtime_ns: int
    data: bytes = field(repr=False, compare=False)

    @cached_property
    def sha256(self) -> str:
        """Hashed only when size or time changed (rare): not on every read."""
        return hashlib.sha256(self.data).hexdigest()


def fingerprint_of(path: Path, data: bytes | None = None) -> Fingerprint:
    st = path.stat()
    if data is None:
        data = path.read_bytes()
    return Fingerprint(st.st_size, st.st_mtime_ns, data)


class XlsxSource:
    """A journal workbook file: one sheet per body."""

    # Read the next sheet in a second thread while this one is checked: about 15 % faster on
    # 100,000 rows, but two sheets in memory at once (+70–90 MiB there), so off by default.
    read_ahead = False

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
                self._package = Package(data)
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

    def _scan(self, title: str) -> tuple[SheetInfo | None, list[tuple[int, int]]]:
        """A sheet's check and its formula cells (located only if it has any)."""
        if title not in self.package.sheet_parts:
            return None, []
        info = self._check_sheet(title)
        return info, (self.package.formula_cells(title) if info.formula else [])

    def sheet_titles(self) -> list[str]:
        return list(self.package.sheet_parts)

    def read(self, titles: Sequence[str]) -> Iterator[SheetTable]:
        """Each sheet's cells as text columns (Arrow, via fastexcel), merges and formulas.

        Sheets come one at a time, so memory holds one sheet's cells while the caller checks
        it; with `read_ahead` the next is read in a second thread meanwhile (the reader
        releases the GIL).
        """
        import fastexcel

        data = self._load()
        package = self.package
        with ThreadPoolExecutor(max_workers=1) as scanner, \
                ThreadPoolExecutor(max_workers=1) as reader:
            # Each sheet is checked (bounds, formulas, merged ranges: one pass over its XML) in
            # the scanner thread, in reading order, so the first sheet's check overlaps the
            # opening of the book (shared strings, styles: checked by `_load`) and the next
            # sheet's check this sheet's read; a sheet is loaded only after its own check.
            scans = {title: scanner.submit(self._scan, title) for title in titles}
            try:
                book = fastexcel.read_excel(data)
            except Exception as exc:  # the reader raises its own error types for broken files
                scanner.shutdown(cancel_futures=True)
                raise JournalError(
                    f"{self.location}: не удалось прочитать книгу ({type(exc).__name__})"
                ) from None

            def load(title: str) -> tuple[dict[int, Any], int]:
                scans[title].result()  # PackageRefused before the reader allocates
                return self._sheet(book, title)

            ahead: Future[tuple[dict[int, Any], int]] | None = None
            for n, title in enumerate(titles):
                values = ahead.result() if ahead is not None else load(title)
                ahead = (reader.submit(load, titles[n + 1])
                         if n + 1 < len(titles) and self.read_ahead else None)
                columns, height = values
                info, formulas = scans[title].result()
                yield SheetTable(title, columns, height, package.date1904,
                                 list(info.merged) if info else [], formulas)
                del values, columns

    def _sheet(self, book: Any, title: str) -> tuple[dict[int, Any], int]:
        """One sheet's columns by 0-based sheet column, and its height in rows."""
        import fastexcel

        try:
            # Every column as text: letting the reader guess types loses cells («пять» in a
            # number column would become null). skip_rows=0 keeps leading blank rows.
            sheet = book.load_sheet(title, header_row=None, skip_rows=0, dtypes="string")
            frame = sheet.to_polars()  # Arrow through the C data interface: no copy
            return ({info.absolute_index: frame.to_series(n)
                     for n, info in enumerate(sheet.selected_columns)}, sheet.height)
        except fastexcel.FastExcelError as exc:
            if "empty" in str(exc).lower():
                return {}, 0
            raise JournalError(f"{self.location}, лист «{title}»: не удалось прочитать "
                               f"({type(exc).__name__})") from None
        except Exception as exc:
            raise JournalError(
                f"{self.location}, лист «{title}»: не удалось прочитать ({type(exc).__name__})"
            ) from None

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


_EPOCH = {False: dt.datetime(1899, 12, 30), True: dt.datetime(1904, 1, 1)}


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
        delta = moment - _EPOCH[date1904]
        return Numeric(change.new, delta.days + delta.seconds / 86400)
    return change.new
