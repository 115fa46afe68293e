"""The journal as typed rows, and the interface every journal source implements.

A source (an .xlsx file, a Google spreadsheet) delivers each body's sheet as a `SheetGrid` of
raw cell values; `read_journal` checks the header against Appendix 1 and parses the rows into
`Application`s. The rules only ever see `Journal`s, so they never know where rows came from.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import logging
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass, field, fields
from itertools import repeat
from operator import is_, itemgetter
from pathlib import Path
from typing import Protocol

from toolkit.journal import cells
from toolkit.journal.config import Body, Config
from toolkit.journal.errors import JournalError
from toolkit.journal.findings import Finding, finding
from toolkit.journal.schema import (
    BY_KEY,
    COLUMNS,
    DIRECTORY_SHEET,
    FIRST_DATA_ROW,
    JOURNAL_TITLE,
    Answer,
    Choice,
    Column,
    Consent,
    Decision,
    Ground,
    Kind,
    Outcome,
    column_letter,
    column_title,
    header_cells,
    normalize,
)

log = logging.getLogger("vks.journal")

TEXT_LIMIT = 2000  # longer text in one journal cell is almost certainly a paste error


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
        if key in _WRITTEN_KEYS:
            if not self.raw_written:
                return ""
            return cells.text_of(self.raw_written[_WRITTEN_KEYS.index(key)])
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
class CellChange:
    """One cell the toolkit wants to write: `old` is what it read there, `new` what it writes."""

    sheet: str
    row: int
    key: str
    old: str
    new: str
    reason: str = ""

    @property
    def cell(self) -> str:
        return f"{BY_KEY[self.key].letter}{self.row}"


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

    def read(self, titles: Sequence[str]) -> list[SheetGrid]: ...

    def write(self, changes: Sequence[CellChange]) -> WriteResult: ...


@dataclass
class Journal:
    """One body's journal: its typed rows and what reading them found."""

    body: Body
    sheet: str
    location: str
    applications: list[Application]
    findings: list[Finding]
    date1904: bool = False
    stale_rows: list[Application] = field(default_factory=list)  # blank but for toolkit cells


def check_header(grid: SheetGrid, location: str) -> None:
    """Raise a JournalError naming the first header cell that differs from Appendix 1."""
    rows = grid.rows
    for expected in header_cells():
        found = ""
        if expected.row - 1 < len(rows) and expected.col < len(rows[expected.row - 1]):
            found = cells.text_of(rows[expected.row - 1][expected.col])
        wanted = {normalize(t) for t in (expected.text, *expected.accepted)}
        if normalize(found) not in wanted:
            shown = f"«{found}»" if found else "пусто"
            raise JournalError(
                f"{location}, лист «{grid.title}», ячейка {expected.ref}: заголовок не совпадает "
                f"с формой приложения № 1 — ожидается «{expected.text}», в ячейке {shown}. "
                f"Создайте журнал командой vks init или исправьте заголовок."
            )


_WRITTEN_KEYS = ("outcome", "control", "letter")  # cells the toolkit may write (old values kept)
_INVALID = object()  # a filled cell that did not parse
_SEP = "\ue000"  # joins a text column to search it at once; a private-use character


class _Sheet:
    """Per-sheet parsing state: where findings go and the sheet's date system."""

    def __init__(self, body: str, sheet: str, date1904: bool) -> None:
        self.body, self.sheet, self.date1904 = body, sheet, date1904
        self.findings: list[Finding] = []
        self.invalid: dict[int, set[str]] = {}  # row → keys of cells that did not parse

    def report(self, code: str, column: Column, row: int, **params: object) -> None:
        params["column"] = column_title(column)
        self.findings.append(finding(code, self.body, self.sheet, row, f"{column.letter}{row}",
                                     None, **params))


def read_journal(grid: SheetGrid, body: Body, location: str) -> Journal:
    """Check the header and parse every data row; cell problems become findings.

    Hot path: a 100,000-row journal holds two million filled cells. Rows are turned into
    columns and each column is parsed by its kind, with fast paths for what a spreadsheet
    program delivers (real date cells, whole numbers, plain text) and one parse per distinct
    value for drop-downs and typed text.
    """
    check_header(grid, location)
    width = len(COLUMNS)
    data = [values if len(values) >= width else [*values, *[""] * (width - len(values))]
            for values in grid.rows[FIRST_DATA_ROW - 1:]]
    state = _Sheet(body.name, grid.title, grid.date1904)
    numbers = range(FIRST_DATA_ROW, FIRST_DATA_ROW + len(data))
    columns = list(zip(*data, strict=False))[:width] if data else [() for _ in COLUMNS]
    parsed = [_parse_column(col, values, numbers, state) for col, values in zip(COLUMNS, columns,
                                                                                strict=True)]
    written = zip(*(columns[k] for k in _WRITTEN_INDEX), strict=True)
    built = map(Application, numbers, *parsed, repeat(frozenset()), written)
    # A person typed something in the row: some parsed value of theirs is truthy.
    filled = list(map(any, zip(*(parsed[i] for i in _TYPED_INDEX), strict=True)))
    applications: list[Application] = []
    stale: list[Application] = []
    if all(filled):
        applications = list(built)
    else:
        for app, typed in zip(built, filled, strict=True):
            if typed:
                applications.append(app)
            elif app.control or app.letter:
                stale.append(app)
    for app in applications:
        if app.row in state.invalid:
            app.invalid = frozenset(state.invalid[app.row])
            for key in app.invalid:
                setattr(app, key, None)
    state.findings.extend(_structure_findings(grid, body.name))
    return Journal(body, grid.title, location, applications, state.findings, grid.date1904,
                   stale)


_WRITTEN_INDEX = tuple(BY_KEY[key].index for key in _WRITTEN_KEYS)
# Columns a person types in: "has a person typed anything in the row" looks at these only.
_TYPED_INDEX = tuple(c.index for c in COLUMNS if not c.written_by_toolkit)
# Applications are built positionally from the parsed columns: the field order is the schema's.
assert [f.name for f in fields(Application)][1: 1 + len(COLUMNS)] == [c.key for c in COLUMNS]


def _parse_column(
    column: Column, values: Sequence[object], rows: range, state: _Sheet
) -> list[object]:
    """Parsed values of one column (None or "" where empty, _INVALID where unparseable)."""
    kind = column.kind
    if kind is Kind.TEXT:
        return _text_column(column, values, rows, state)
    if kind is Kind.DATE:
        lo, hi, date_type = cells.MIN_YEAR, cells.MAX_YEAR, dt.date
        fast = [v if type(v) is date_type and lo <= v.year <= hi else _SLOW for v in values]
    elif kind is Kind.DATETIME:
        lo, hi, moment_type = cells.MIN_YEAR, cells.MAX_YEAR, dt.datetime
        fast = [v if type(v) is moment_type and (v.hour or v.minute) and not v.second
                and not v.microsecond and lo <= v.year <= hi else _SLOW for v in values]
    elif kind is Kind.NUMBER:
        fast = [int(v) if type(v) is float and v.is_integer() and v >= 1 else _SLOW
                for v in values]
    else:
        fast = _choice_column(column, values)
    if not any(map(is_, fast, repeat(_SLOW))):
        return fast
    parse = cells.parser_for(kind, column.choices)
    memo: dict[object, object] = {}
    date1904 = state.date1904
    for i, value in enumerate(values):
        if fast[i] is not _SLOW:
            continue
        if value == "" or value is None:
            fast[i] = None
            continue
        # True == 1 as a dict key: booleans bypass the memo.
        result = memo.get(value, _SLOW) if type(value) is not bool else _SLOW
        if result is _SLOW:
            text = value
            if type(text) is str:
                text = cells.CONTROL_RE.sub("", cells.clean_text(text))
            if text == "":
                result = None
            else:
                try:
                    result = parse(text, date1904)
                except cells.Problem as problem:
                    result = problem
            if type(value) is not bool:
                memo[value] = result
        if type(result) is cells.Problem:
            fast[i] = _INVALID
            state.invalid.setdefault(rows[i], set()).add(column.key)
            state.findings.append(
                _problem_finding(result, column, state.body, state.sheet, rows[i]))
        elif kind is Kind.DATETIME and isinstance(result, tuple):
            if not result[1] and column.key == "appointment":
                state.report("cell-time-missing", column, rows[i])
            fast[i] = result[0]
        else:
            fast[i] = result
    return fast


_SLOW = object()


def _choice_column(column: Column, values: Sequence[object]) -> list[object]:
    """Drop-down cells: each distinct value is parsed once; problems are left to the slow path."""
    assert column.choices is not None
    table: dict[object, object] = {}
    for value in set(values):
        if type(value) is not str:
            return [_SLOW] * len(values)  # numbers and booleans: the careful path
        member = column.choices.parse(value) if value.strip() else None
        table[value] = _SLOW if member is None and value.strip() else member
    return list(map(table.__getitem__, values))


def _text_column(
    column: Column, values: Sequence[object], rows: range, state: _Sheet
) -> list[object]:
    if set(map(type, values)) == {str}:
        out: list[str] = [v.strip() for v in values]  # type: ignore[attr-defined]
        joined = _SEP + _SEP.join(out)
        if "\u00a0" in joined:
            out = [v.replace("\u00a0", " ").strip() for v in out]
            joined = _SEP + _SEP.join(out)
    else:
        out = list(map(cells.text_of, values))
        joined = _SEP + _SEP.join(out)
    if cells.has_control(joined):
        for i, text in enumerate(out):
            if cells.CONTROL_RE.search(text):
                out[i] = cells.CONTROL_RE.sub("", text).strip()
                state.report("cell-control-chars", column, rows[i])
        joined = _SEP + _SEP.join(out)
    if column.written_by_toolkit:
        return out  # type: ignore[return-value]
    firsts = set(map(itemgetter(0), filter(None, out)))  # first letters, in one C pass
    if column.key != "phone" and not firsts.isdisjoint("=@+-"):
        for i in [i for i, text in enumerate(out) if text[:1] in "=@+-"]:
            char = cells.formula_like(out[i])
            if char:
                state.report("cell-formula-like", column, rows[i], char=char)
    if len(joined) > TEXT_LIMIT and max(map(len, out)) > TEXT_LIMIT:
        for i, text in enumerate(out):
            if len(text) > TEXT_LIMIT:
                state.report("cell-too-long", column, rows[i], length=len(text),
                             limit=TEXT_LIMIT)
    return out  # type: ignore[return-value]


def _problem_finding(
    problem: cells.Problem, column: Column, body: str, sheet: str, row: int
) -> Finding:
    ref = f"{column.letter}{row}"
    # Personal data is never echoed in a message: name the cell only.
    value = "…" if column.personal else str(problem.value)[:60]
    if problem.code == "cell-unknown-value":
        if column.key == "ground":
            return finding("ground-unknown", body, sheet, row, ref, value=value)
        assert column.choices is not None
        choices = "; ".join(f"«{label}»" for label in column.choices.labels())
        return finding(problem.code, body, sheet, row, ref, column=column_title(column),
                       value=value, choices=choices)
    return finding(problem.code, body, sheet, row, ref, column=column_title(column), value=value)


def _structure_findings(grid: SheetGrid, body: str) -> list[Finding]:
    out: list[Finding] = []
    for first_row, first_col, last_row, last_col in grid.merged:
        if last_row < FIRST_DATA_ROW:
            continue
        top = max(first_row, FIRST_DATA_ROW)
        ref = f"{column_letter(first_col)}{first_row}:{column_letter(last_col)}{last_row}"
        out.append(finding("cell-merged", body, grid.title, top,
                           f"{column_letter(first_col)}{top}", range=ref))
    by_index = {c.index: c for c in COLUMNS}
    for row, col in sorted(grid.formulas):
        if row >= FIRST_DATA_ROW and col in by_index:
            out.append(finding("cell-formula", body, grid.title, row,
                               f"{column_letter(col)}{row}",
                               column=column_title(by_index[col])))
    return out


def journal_sheets(
    titles: Sequence[str], config: Config, location: str, only: Sequence[str] = ()
) -> list[tuple[str, Body]]:
    """The sheets of a source that are body journals, each with its body.

    A sheet belongs to the body whose config names it; with no config entry, the sheet's title
    is the body's name. `only` narrows to bodies given by name or sheet title.
    """
    chosen: list[tuple[str, Body]] = []
    for title in titles:
        if title == DIRECTORY_SHEET:
            continue
        body = config.body_for_sheet(title, location) or Body(name=title, sheet=title)
        if only and not any(
            normalize(o) in (normalize(body.name), normalize(title)) for o in only
        ):
            continue
        chosen.append((title, body))
    if only and not chosen:
        names = ", ".join(f"«{o}»" for o in only)
        known = ", ".join(f"«{t}»" for t in titles if t != DIRECTORY_SHEET) or "нет листов"
        raise JournalError(f"{location}: нет журнала органа {names}; листы журнала: {known}")
    if not chosen:
        raise JournalError(f"{location}: в книге нет ни одного листа журнала")
    return chosen


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


def read_journals(
    source: JournalSource, config: Config, only: Sequence[str] = ()
) -> list[Journal]:
    """Read and parse every body journal a source holds."""
    chosen = journal_sheets(source.sheet_titles(), config, source.location, only)
    bodies = dict(chosen)
    with paused_gc():
        grids = source.read([title for title, _ in chosen])
        journals = []
        while grids:  # release each sheet's raw cells as soon as it is parsed
            grid = grids.pop(0)
            named = bool(only) or config.body_for_sheet(grid.title, source.location) is not None
            if not named and not looks_like_journal(grid):
                log.info("лист «%s» не похож на журнал и пропущен", grid.title)
                continue
            journals.append(read_journal(grid, bodies[grid.title], source.location))
            del grid
    if not journals:
        raise JournalError(f"{source.location}: в книге нет ни одного листа журнала "
                           f"(строка 3 листа журнала начинается с «№ п/п»)")
    return journals


def looks_like_journal(grid: SheetGrid) -> bool:
    """A sheet meant as a journal: the form's title in A1 or «№ п/п» in A3.

    Other sheets of the workbook (notes, summaries) are left alone unless the config names
    them; a sheet that is meant as a journal but whose header is off is an error instead.
    """
    def text(row: int) -> str:
        values = grid.rows[row - 1] if len(grid.rows) >= row else ()
        return normalize(cells.text_of(values[0])) if values else ""

    first = header_cells()[0]
    return text(1) == normalize(JOURNAL_TITLE) or text(first.row) == normalize(first.text)
