"""The journal as typed rows, and the interface every journal source implements.

A source (an .xlsx file, a Google spreadsheet) delivers each body's sheet as a `SheetGrid` of
raw cell values; `read_journal` checks the header against Appendix 1 and parses the rows into
`Application`s. The rules only ever see `Journal`s, so they never know where rows came from.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from . import cells
from .config import Body, Config
from .errors import JournalError
from .findings import Finding, finding
from .schema import (
    BY_KEY,
    COLUMNS,
    DIRECTORY_SHEET,
    FIRST_DATA_ROW,
    Answer,
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
    recording: str = ""
    control: str = ""
    letter: str = ""
    invalid: set[str] = field(default_factory=set)  # keys of filled cells that did not parse
    raw: Sequence[object] = ()  # the row's cell values as read

    def cell(self, key: str) -> str:
        """A1 reference of this row's cell in column `key`."""
        return f"{BY_KEY[key].letter}{self.row}"

    def raw_text(self, key: str) -> str:
        """The cell as read, as text (what compare-and-set compares against)."""
        i = BY_KEY[key].index
        return cells.text_of(self.raw[i]) if i < len(self.raw) else ""

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


_COLUMN_PARSERS = tuple(
    (c.index, c.key, cells.parser_for(c.kind, c.choices), c) for c in COLUMNS
)


def read_journal(grid: SheetGrid, body: Body, location: str) -> Journal:
    """Check the header and parse every data row; cell problems become findings."""
    check_header(grid, location)
    findings: list[Finding] = []
    applications: list[Application] = []
    stale: list[Application] = []
    name, sheet, date1904 = body.name, grid.title, grid.date1904
    rows = grid.rows
    toolkit_keys = {c.key for c in COLUMNS if c.written_by_toolkit}
    for r in range(FIRST_DATA_ROW - 1, len(rows)):
        values = rows[r]
        app = Application(row=r + 1, raw=values)
        filled = False
        for i, key, parse, column in _COLUMN_PARSERS:
            if i >= len(values):
                break
            value = values[i]
            if value is None or value == "":
                continue
            if isinstance(value, str):
                value = cells.clean_text(value)
                if not value:
                    continue
                value, had_control = cells.strip_control(value)
                if had_control:
                    findings.append(finding("cell-control-chars", name, sheet, r + 1,
                                            f"{column.letter}{r + 1}",
                                            column=column_title(column)))
                if column.kind is Kind.TEXT and not column.written_by_toolkit:
                    _text_findings(findings, value, column, name, sheet, r + 1)
            if key not in toolkit_keys:
                filled = True
            try:
                parsed = parse(value, date1904)
            except cells.Problem as problem:
                app.invalid.add(key)
                findings.append(_problem_finding(problem, column, name, sheet, r + 1))
                continue
            if column.kind is Kind.DATETIME:
                parsed, has_time = parsed
                if not has_time and key == "appointment":
                    findings.append(finding("cell-time-missing", name, sheet, r + 1,
                                            f"{column.letter}{r + 1}",
                                            column=column_title(column)))
            setattr(app, key, parsed)
        if filled:
            applications.append(app)
        elif app.control or app.letter:
            stale.append(app)
    findings.extend(_structure_findings(grid, name))
    return Journal(body, sheet, location, applications, findings, date1904, stale)


def _text_findings(
    out: list[Finding], text: str, column: Column, body: str, sheet: str, row: int
) -> None:
    ref = f"{column.letter}{row}"
    title = column_title(column)
    char = cells.formula_like(text)
    if char and column.key != "phone":
        shown = {"\t": "табуляция", "\r": "возврат каретки"}.get(char, char)
        out.append(finding("cell-formula-like", body, sheet, row, ref, column=title, char=shown))
    if len(text) > TEXT_LIMIT:
        out.append(finding("cell-too-long", body, sheet, row, ref, column=title,
                           length=len(text), limit=TEXT_LIMIT))


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


def read_journals(
    source: JournalSource, config: Config, only: Sequence[str] = ()
) -> list[Journal]:
    """Read and parse every body journal a source holds."""
    chosen = journal_sheets(source.sheet_titles(), config, source.location, only)
    grids = source.read([title for title, _ in chosen])
    bodies = dict(chosen)
    return [read_journal(grid, bodies[grid.title], source.location) for grid in grids]
