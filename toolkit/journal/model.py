"""The journal's rows, and the interface every journal source implements.

A source (an .xlsx file, a Google spreadsheet) delivers each body's sheet as a `SheetTable` of
cell texts (or a `SheetGrid` of Python values); `journal.read` checks the header against
Appendix 1 and parses the rows into typed columns (`journal.columns`). The rules only ever see
`Journal`s, so they never know where rows came from. `Application`, one typed row, is built
from the columns for the code that wants rows (letters, statistics).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, fields
from itertools import repeat
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from toolkit.journal import cells
from toolkit.journal.cells import typed_value
from toolkit.journal.config import Body
from toolkit.journal.findings import Finding
from toolkit.journal.schema import (
    BY_KEY,
    COLUMNS,
    WRITTEN_KEYS,
    Answer,
    Choice,
    Consent,
    Decision,
    Ground,
    Kind,
    Outcome,
    column_index,
    column_letter,
)

if TYPE_CHECKING:
    import polars as pl

    from toolkit.journal.columns import Columns


@dataclass(slots=True)
class Application:
    """One journal row: an application and what became of it."""

    row: int
    number: int | None = None
    received: dt.date | None = None
    citizen: str = ""
    topic: str = ""
    decision: Decision | None = None
    decision_date: dt.date | None = None
    appointment: dt.datetime | None = None
    ground: Ground | None = None
    specialist: str = ""
    outcome: Outcome | None = None
    note: str = ""
    control: str = ""
    submitted: dt.date | None = None
    address: str = ""
    phone: str = ""
    email: str = ""
    consent_data: Consent | None = None
    consent_video: Consent | None = None
    link: str = ""
    notice_sent: dt.datetime | None = None
    answer: Answer | None = None
    answered_at: dt.datetime | None = None
    rescheduled_to: dt.datetime | None = None
    recording: str = ""
    letter: str = ""
    invalid: frozenset[str] = frozenset()  # keys of filled cells that did not parse
    raw_written: tuple[object, ...] = ()  # outcome, control, letter as read (for write-back)

    def cell(self, key: str) -> str:
        """A1 reference of this row's cell in column `key`."""
        return f"{BY_KEY[key].letter}{self.row}"

    def raw_text(self, key: str) -> str:
        """The cell as read, as text (what compare-and-set compares against).

        Exact for the cells the toolkit may write; other cells are rendered from their value.
        """
        if key in WRITTEN_KEYS:
            if not self.raw_written:
                return ""
            return cells.text_of(self.raw_written[WRITTEN_KEYS.index(key)])
        value = getattr(self, key)
        if isinstance(value, Choice):
            return value.label
        return cells.text_of(value)

    def filled(self, key: str) -> bool:
        """Whether the cell holds anything, parsed or not."""
        return getattr(self, key) not in (None, "") or key in self.invalid


@dataclass(frozen=True)
class SheetGrid:
    """A sheet's raw cell values as a source read them: rows[0] is row 1, rows[r][0] column A."""

    title: str
    rows: Sequence[Sequence[object]]
    date1904: bool = False
    merged: Sequence[tuple[int, int, int, int]] = ()  # first row, first col, last row, last col
    formulas: Collection[tuple[int, int]] = ()  # (row, col) of cells holding a formula


@dataclass(frozen=True)
class SheetTable:
    """A sheet's cells as text columns, as the Arrow reader renders them (see journal.columns).

    `columns[c]` is sheet column c (0-based), its item r the cell of row r + 1 (None: empty).
    """

    title: str
    columns: dict[int, pl.Series]
    height: int
    date1904: bool = False
    merged: Sequence[tuple[int, int, int, int]] = ()
    formulas: Collection[tuple[int, int]] = ()

    @property
    def rows(self) -> list[list[object]]:
        """The cells as rows of Python values ("" where empty), as a spreadsheet reader gives."""
        width = max(self.columns, default=-1) + 1
        empty: list[object] = [""] * self.height
        cols = [[typed_value(t, self.date1904) if t is not None else "" for t in
                 self.columns[c].to_list()] if c in self.columns else empty
                for c in range(width)]
        return [list(row) for row in zip(*cols, strict=True)]


@dataclass(frozen=True)
class CellChange:
    """One cell the toolkit wants to write: `old` is what it read there, `new` what it writes."""

    sheet: str
    row: int
    key: str
    old: str
    new: str
    reason: str = ""
    col: int | None = None  # 0-based sheet column; None: where the schema puts `key`

    @property
    def column(self) -> int:
        return self.col if self.col is not None else BY_KEY[self.key].index

    @property
    def cell(self) -> str:
        return f"{column_letter(self.column)}{self.row}"


@dataclass
class WriteResult:
    """What a write did: the cells written, those left alone (and why), where the backup is."""

    written: list[CellChange] = field(default_factory=list)
    skipped: list[tuple[CellChange, str]] = field(default_factory=list)
    backup: Path | None = None
    requests: int = 0


class JournalSource(Protocol):
    """Where journal sheets come from and go back to."""

    location: str

    def sheet_titles(self) -> list[str]: ...

    def read(self, titles: Sequence[str]) -> Iterable[SheetTable | SheetGrid]: ...

    def write(self, changes: Sequence[CellChange]) -> WriteResult: ...


class Journal:
    """One body's journal: its rows as typed columns, and what reading them found.

    A reader builds it from columns; code that builds rows (tests, statistics as of a past
    moment) passes `Application`s. Either form is made from the other on first use.
    """

    def __init__(self, body: Body, sheet: str, location: str,
                 applications: list[Application] | None = None,
                 findings: list[Finding] | None = None, date1904: bool = False,
                 stale_rows: list[Application] | None = None, *,
                 columns: Columns | None = None, missing: tuple[str, ...] = ()) -> None:
        self.body, self.sheet, self.location = body, sheet, location
        self.findings = findings if findings is not None else []
        self.date1904 = date1904
        self.missing = missing  # service columns the sheet lacks (read as empty, never written)
        self._applications = applications
        self._stale = stale_rows or []
        self._columns = columns

    @property
    def columns(self) -> Columns:
        if self._columns is None:
            self._columns = columns_of(self._applications or [], self._stale)
        return self._columns

    @property
    def applications(self) -> list[Application]:
        """The rows as `Application`s, built from the columns on first use."""
        if self._applications is None:
            self._applications = applications_of(self.columns)
        return self._applications

    @property
    def stale_rows(self) -> list[Application]:
        return self._stale

    @property
    def size(self) -> int:
        return len(self._columns) if self._columns is not None else len(self.applications)

    def change(self, row: int, key: str, old: str, new: str, reason: str = ""
               ) -> CellChange | None:
        """A write of `key` in `row` where this sheet has that column; None when it lacks it
        (a journal of an earlier layout), so nothing lands in another column."""
        col = self.column_index(key)
        return None if col is None else CellChange(self.sheet, row, key, old, new, reason, col)

    def column_index(self, key: str) -> int | None:
        """The 0-based sheet column of `key` (None when the sheet has no such column)."""
        letters = self.columns.letters.get(key)
        return column_index(letters) if letters else None


def applications_of(columns: Columns) -> list[Application]:
    """`Application`s from typed columns (built positionally: the field order is the schema's)."""
    import numpy as np

    n = len(columns)
    if n == 0:
        return []
    lists: list[list[object]] = []
    for column in COLUMNS:
        v = columns.values[column.key]
        if column.kind is Kind.TEXT:
            lists.append(v.to_list())
        elif column.kind in (Kind.DATE, Kind.DATETIME):
            lists.append(v.tolist())  # NaT → None
        elif column.kind is Kind.NUMBER:
            lists.append([x or None for x in v.tolist()])
        else:
            assert column.choices is not None
            members: list[object] = [None, *column.choices]
            lists.append([members[x] for x in v.tolist()])
    bad = [(key, np.flatnonzero(mask).tolist()) for key, mask in columns.invalid.items()
           if mask.any()]
    invalid: dict[int, set[str]] = {}
    for key, where in bad:
        for i in where:
            invalid.setdefault(i, set()).add(key)
    raw = []
    for key in WRITTEN_KEYS:
        series = columns.raw.get(key)
        texts = series.to_list() if series is not None else [None] * n
        raw.append([typed_value(t) if t is not None else "" for t in texts])
    rows = columns.rows.tolist()
    apps = list(map(Application, rows, *lists, repeat(frozenset()), zip(*raw, strict=True)))
    for i, keys in invalid.items():
        apps[i].invalid = frozenset(keys)
    return apps


@contextlib.contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while building millions of acyclic objects.

    Reading a large journal creates rows, cells and applications with no reference cycles;
    the collector would otherwise rescan all of them many times over (a third of the time).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()



def columns_of(applications: Sequence[Application], stale: Sequence[Application] = (),
               letters: dict[str, str | None] | None = None) -> Columns:
    """Typed columns from `Application`s (journals built in code: tests, statistics)."""
    import numpy as np
    import polars as pl

    from toolkit.journal.columns import NAT_D, NAT_M, Columns, choice_code

    n = len(applications)
    values: dict[str, Any] = {}
    invalid: dict[str, np.ndarray] = {}
    for column in COLUMNS:
        key, kind = column.key, column.kind
        got = [getattr(app, key) for app in applications]
        if kind is Kind.TEXT:
            values[key] = pl.Series(key, [v or "" for v in got], dtype=pl.String)
        elif kind is Kind.DATE:
            values[key] = np.array([v if v is not None else NAT_D for v in got],
                                   dtype="datetime64[D]").reshape(n)
        elif kind is Kind.DATETIME:
            values[key] = np.array([v if v is not None else NAT_M for v in got],
                                   dtype="datetime64[m]").reshape(n)
        elif kind is Kind.NUMBER:
            values[key] = np.array([v or 0 for v in got], dtype=np.int64).reshape(n)
        else:
            values[key] = np.array([choice_code(v) if v is not None else 0 for v in got],
                                   dtype=np.int8).reshape(n)
        invalid[key] = np.array([key in app.invalid for app in applications], dtype=bool)
    raw = {key: pl.Series(key, [app.raw_text(key) or None for app in applications],
                          dtype=pl.String) for key in WRITTEN_KEYS}
    out = Columns(np.array([app.row for app in applications], dtype=np.int64).reshape(n),
                  values, invalid, letters or {c.key: c.letter for c in COLUMNS}, raw)
    if stale:
        out.stale_rows = np.array([app.row for app in stale], dtype=np.int64)
        out.stale_control = [app.control for app in stale]
        out.stale_raw_control = [app.raw_text("control") for app in stale]
    return out



# Applications are built positionally from the parsed columns: the field order is the schema's.
assert [f.name for f in fields(Application)][1: 1 + len(COLUMNS)] == [c.key for c in COLUMNS]
