"""A journal kept in an .xlsx file on a local or shared drive.

Reading takes the file's bytes once and parses them with calamine (the fastest reader there
is); writing patches only the cells written, and only if nobody has the file open and it has
not changed since it was read. The old file goes to a timestamped backup first.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import zipfile
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from toolkit.journal.errors import JournalBusy, JournalError
from toolkit.journal.files import atomic_output, backup
from toolkit.journal.model import CellChange, SheetGrid, WriteResult
from toolkit.journal.schema import BY_KEY
from toolkit.sources.xlsx.locks import describe_locks
from toolkit.sources.xlsx.package import Package
from toolkit.sources.xlsx.patch import PatchError, patch_sheet, rewrite_package
from toolkit.sources.xlsx.sniff import not_xlsx_reason

log = logging.getLogger("vks.xlsx")


@dataclass(frozen=True)
class Fingerprint:
    size: int
    mtime_ns: int
    sha256: str


def fingerprint_of(path: Path, data: bytes | None = None) -> Fingerprint:
    st = path.stat()
    if data is None:
        data = path.read_bytes()
    return Fingerprint(st.st_size, st.st_mtime_ns, hashlib.sha256(data).hexdigest())


class XlsxSource:
    """A journal workbook file: one sheet per body."""

    def __init__(self, path: str | os.PathLike[str], backup_dir: Path | None = None,
                 keep_backups: int = 50) -> None:
        self.path = Path(path)
        self.location = str(path)
        self.backup_dir = backup_dir
        self.keep_backups = keep_backups
        self._data: bytes | None = None
        self._fingerprint: Fingerprint | None = None
        self._package: Package | None = None

    # Reading ---------------------------------------------------------------------------

    def _load(self) -> bytes:
        if self._data is None:
            try:
                data = self.path.read_bytes()
            except FileNotFoundError:
                raise JournalError(f"Файл журнала {self.location} не найден") from None
            except IsADirectoryError:
                raise JournalError(f"{self.location} — это папка, а не файл журнала") from None
            except PermissionError:
                raise JournalError(f"Нет прав на чтение файла журнала {self.location}") from None
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

    def sheet_titles(self) -> list[str]:
        return list(self.package.sheet_parts)

    def read(self, titles: Sequence[str]) -> list[SheetGrid]:
        data = self._load()
        package = self.package
        # Formulas are found in a second thread while calamine reads the values.
        with ThreadPoolExecutor(max_workers=1) as pool:
            formulas = {title: pool.submit(package.formula_cells, title) for title in titles}
            grids = self._read_values(data, titles, formulas)
        return grids

    def _read_values(self, data: bytes, titles: Sequence[str],
                     formulas: dict[str, Future[list[tuple[int, int]]]]) -> list[SheetGrid]:
        import io

        import python_calamine

        try:
            book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        except Exception as exc:  # calamine raises its own error types for broken files
            raise JournalError(
                f"{self.location}: не удалось прочитать книгу ({type(exc).__name__})"
            ) from None
        grids = []
        for title in titles:
            try:
                sheet = book.get_sheet_by_name(title)
                rows = sheet.to_python(skip_empty_area=False)
                merged = [
                    (r1 + 1, c1, r2 + 1, c2)
                    for (r1, c1), (r2, c2) in (sheet.merged_cell_ranges or ())
                ]
            except Exception as exc:
                raise JournalError(
                    f"{self.location}, лист «{title}»: не удалось прочитать ({type(exc).__name__})"
                ) from None
            grids.append(SheetGrid(
                title=title,
                rows=rows,
                date1904=self.package.date1904,
                merged=merged,
                formulas=formulas[title].result(),
            ))
        return grids

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
            by_part.setdefault(part, {})[(change.row, BY_KEY[change.key].index)] = change
        replaced = {}
        for part, cells in by_part.items():
            try:
                xml, refused = patch_sheet(package.part(part),
                                           {pos: c.new for pos, c in cells.items()})
            except PatchError as exc:
                raise JournalError(f"{self.location}: не удалось изменить лист ({exc})") from None
            refused_at = {(r.row, r.col): r.reason for r in refused}
            for pos, change in cells.items():
                if pos in refused_at:
                    result.skipped.append((change, refused_at[pos]))
                else:
                    result.written.append(change)
            replaced[part] = xml
        new_data = rewrite_package(data, replaced)
        # Check again right before replacing: the window for a lost edit is a few milliseconds.
        self.ensure_unchanged()
        if self.backup_dir is not None:
            result.backup = backup(self.path, self.backup_dir, self.keep_backups)
        with atomic_output(self.path, check=self.ensure_unchanged) as tmp:
            tmp.write_bytes(new_data)
        self._data = new_data
        self._fingerprint = fingerprint_of(self.path, new_data)
        self._package = Package(new_data)
        log.info("записано ячеек: %d, пропущено: %d", len(result.written), len(result.skipped))
        return result

    def close(self) -> None:
        with contextlib.suppress(Exception):
            if self._package is not None:
                self._package.zip.close()
