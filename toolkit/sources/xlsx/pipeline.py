"""Sheets read in background threads while the caller checks the one before.

    pipeline = SheetPipeline(titles, scan, reader_input, location)   # starts reading now
    for title, columns, height, scan_result in pipeline: …          # in the titles' order

Two threads work ahead of the caller. The scanner checks each sheet against the bounds (one
streaming pass over its XML, `bounds.Inspection.sheet`) in order; the reader opens the book with
fastexcel and loads each sheet only after its own check has passed, every column as text,
straight into Arrow. Loading releases the GIL, so on a machine with two cores the caller's
parsing and rules run while the next sheet is read. At most `ahead` sheets wait beyond the
one the caller holds, which bounds memory at two sheets' cells.

A source can start a pipeline before the engine is even imported (`XlsxSource.prefetch`): the
imports then overlap the reading of the first sheet.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Generic, TypeVar

from toolkit.journal.errors import JournalError

Scan = TypeVar("Scan")
SheetColumns = dict[int, Any]  # 0-based sheet column → polars String Series


class SheetPipeline(Generic[Scan]):
    """Each sheet's bound check and text columns, read ahead in order (see the module doc)."""

    def __init__(self, titles: Sequence[str], scan: Callable[[str], Scan],
                 reader_input: str | bytes, location: str, ahead: int = 1) -> None:
        self.titles = list(titles)
        self.location = location
        self._scan = scan
        self._input = reader_input
        self._results: queue.Queue[tuple[str, SheetColumns, int] | BaseException] = queue.Queue()
        self._room = threading.Semaphore(1 + ahead)  # the caller's sheet and those ahead
        self._stop = threading.Event()
        self._scanner = ThreadPoolExecutor(max_workers=1, thread_name_prefix="vks-scan")
        # Each sheet is checked one ahead of the reader: sooner would only compete with the
        # caller's imports for the GIL.
        self._scans: dict[str, Future[Scan]] = {}
        self._scan_next()
        self._thread = threading.Thread(target=self._read, name="vks-read", daemon=True)
        self._thread.start()

    def _scan_next(self) -> None:
        if len(self._scans) < len(self.titles):
            title = self.titles[len(self._scans)]
            self._scans[title] = self._scanner.submit(self._checked, title)

    def _checked(self, title: str) -> Scan:
        if self._stop.is_set():
            raise _Stopped
        return self._scan(title)

    def _read(self) -> None:
        try:
            import fastexcel

            try:
                book = fastexcel.read_excel(self._input)
            except Exception as exc:  # the reader raises its own types for broken files
                raise JournalError(f"{self.location}: не удалось прочитать книгу "
                                   f"({type(exc).__name__})") from None
            for title in self.titles:
                self._room.acquire()
                if self._stop.is_set():
                    return
                self._scans[title].result()  # PackageRefused before the reader allocates
                self._scan_next()
                columns, height = self._load(book, title)
                self._results.put((title, columns, height))
                del columns
        except BaseException as exc:  # handed to the caller, raised there
            self._results.put(exc)

    def _load(self, book: Any, title: str) -> tuple[SheetColumns, int]:
        """One sheet's columns by 0-based sheet column, and its height in rows."""
        import fastexcel
        import polars as pl

        where: list[int] = []  # the sheet column of each loaded one (leading empty ones skip)

        def keep(column: Any) -> bool:
            where.append(column.absolute_index)
            return True

        try:
            # Every column as text: letting the reader guess types loses cells («пять» in a
            # number column would become null). skip_rows=0 keeps leading blank rows. Eager:
            # the Arrow arrays are built with the GIL released, not on first use.
            batch = book.load_sheet(title, header_row=None, skip_rows=0, dtypes="string",
                                    use_columns=keep, eager=True)
        except fastexcel.FastExcelError as exc:
            if "empty" in str(exc).lower():
                return {}, 0
            raise JournalError(f"{self.location}, лист «{title}»: не удалось прочитать "
                               f"({type(exc).__name__})") from None
        except Exception as exc:
            raise JournalError(f"{self.location}, лист «{title}»: не удалось прочитать "
                               f"({type(exc).__name__})") from None
        frame = pl.from_arrow(batch)  # zero-copy
        assert isinstance(frame, pl.DataFrame) and frame.width == len(where)
        return dict(zip(where, frame.get_columns(), strict=True)), batch.num_rows

    def __iter__(self) -> Iterator[tuple[str, SheetColumns, int, Scan]]:
        try:
            for _ in self.titles:
                got = self._results.get()
                if isinstance(got, BaseException):
                    raise got
                title, columns, height = got
                del got
                yield title, columns, height, self._scans[title].result()
                del columns
                _give_back()
                self._room.release()
        finally:
            self.close()

    def close(self) -> None:
        """Stop reading (after the sheet being loaded) and wait for both threads."""
        self._stop.set()
        self._room.release()
        self._scanner.shutdown(wait=True, cancel_futures=True)
        self._thread.join()


def _give_back() -> None:
    """Return the memory of the sheet just checked to the system (glibc keeps what a thread
    freed in that thread's arena, so two threads' sheets would otherwise stay resident)."""
    if _trim is not None:
        _trim(0)


def _libc_trim() -> Callable[[int], int] | None:
    try:
        import ctypes

        trim: Callable[[int], int] = ctypes.CDLL("libc.so.6").malloc_trim
    except (OSError, AttributeError):  # not glibc
        return None
    return trim


_trim = _libc_trim()


class _Stopped(Exception):
    """A scan asked for after the pipeline was closed."""
