"""Reading journal sheets: the header against Appendix 1, the service columns by heading, rows.

Graphs 1–7 are checked cell by cell where Appendix 1 puts them. The service block is found by
its headings in row 4: a journal made by an earlier layout (another order of the service
columns, a column it did not have yet) reads, checks and is written back where its columns
are; a service column the sheet lacks reads as empty and is never written; a heading the
toolkit does not know is ignored.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence

import polars as pl

from toolkit.journal import cells
from toolkit.journal.cells import cell_text, typed_value
from toolkit.journal.columns import parse_columns
from toolkit.journal.config import Body, Config
from toolkit.journal.errors import HeaderMismatch, JournalError
from toolkit.journal.findings import Finding, finding
from toolkit.journal.model import Journal, JournalSource, SheetGrid, SheetTable, paused_gc
from toolkit.journal.schema import (
    BY_KEY,
    COLUMNS,
    FIRST_DATA_ROW,
    FORM_WIDTH,
    GRAPH_ROW,
    JOURNAL_TITLE,
    SERVICE_COLUMNS,
    SERVICE_START,
    SUBCOLUMN_ROW,
    HeaderCell,
    column_letter,
    column_title,
    header_cells,
    normalize,
)
from toolkit.journal.sheets import journal_sheets

log = logging.getLogger("vks.journal")

_SERVICE_BY_HEADING = {normalize(c.heading): c.key for c in SERVICE_COLUMNS}


def table_of(grid: SheetGrid) -> SheetTable:
    """A grid of Python cell values (Google Sheets) as the text columns the engine reads."""
    width = max((len(r) for r in grid.rows), default=0)
    columns: dict[int, pl.Series] = {}
    for col in range(width):
        texts = [cell_text(r[col]) if col < len(r) else None for r in grid.rows]
        columns[col] = pl.Series(column_letter(col), texts, dtype=pl.String)
    return SheetTable(grid.title, columns, len(grid.rows), grid.date1904, grid.merged,
                      grid.formulas)


def header_text(table: SheetTable, row: int, col: int) -> str:
    series = table.columns.get(col)
    if series is None or row - 1 >= len(series):
        return ""
    text = series[row - 1]
    return "" if text is None else cells.text_of(typed_value(text, table.date1904))


def layout(table: SheetTable, location: str) -> dict[str, int | None]:
    """Column key → 0-based sheet column; raise a JournalError naming a header cell that differs.

    Graphs 1–7 and the service block's heading are checked where Appendix 1 puts them; the
    service columns are found by their headings in row 4 (None: the sheet has no such column).
    """
    for expected in header_cells():
        if expected.col >= FORM_WIDTH and expected.row == SUBCOLUMN_ROW:
            continue  # service columns: by heading, below
        _check(table, expected, location)
    found: dict[str, int | None] = {c.key: c.index for c in COLUMNS[:FORM_WIDTH]}
    for key in _SERVICE_BY_HEADING.values():
        found[key] = None
    last = max(table.columns, default=-1)
    for col in range(SERVICE_START, last + 1):
        known = _SERVICE_BY_HEADING.get(normalize(header_text(table, SUBCOLUMN_ROW, col)))
        if known is not None and found[known] is None:
            found[known] = col
    return found


def _check(table: SheetTable, expected: HeaderCell, location: str) -> None:
    found = header_text(table, expected.row, expected.col)
    wanted = {normalize(t) for t in (expected.text, *expected.accepted)}
    if normalize(found) not in wanted:
        shown = f"«{found}»" if found else "пусто"
        raise HeaderMismatch(
            f"{location}, лист «{table.title}», ячейка {expected.ref}: заголовок не совпадает "
            f"с формой приложения № 1 — ожидается «{expected.text}», в ячейке {shown}. "
            f"Исправьте заголовок (образец — sheets_templates/журнал-вкс.xlsx).",
            table.title, expected.ref, expected.text, found)


def check_header(grid: SheetGrid | SheetTable, location: str) -> None:
    """Raise a JournalError naming the first header cell that differs from Appendix 1."""
    layout(grid if isinstance(grid, SheetTable) else table_of(grid), location)


def read_journal(table: SheetTable | SheetGrid, body: Body, location: str) -> Journal:
    """Check the header and parse every data row; cell problems become findings."""
    if isinstance(table, SheetGrid):
        table = table_of(table)
    where = layout(table, location)
    data: dict[str, pl.Series] = {}
    for key, col in where.items():
        series = table.columns.get(col) if col is not None else None
        if series is not None:
            data[key] = series.slice(FIRST_DATA_ROW - 1)
    letters = {key: column_letter(col) if col is not None else None
               for key, col in where.items()}
    columns, findings = parse_columns(data, FIRST_DATA_ROW, table.date1904, body.name,
                                      table.title, letters)
    findings.extend(_structure_findings(table, body.name, where))
    missing = tuple(key for key, col in where.items() if col is None)
    return Journal(body, table.title, location, None, findings, table.date1904,
                   columns=columns, missing=missing)


def _structure_findings(table: SheetTable, body: str, where: dict[str, int | None]
                        ) -> list[Finding]:
    out: list[Finding] = []
    for first_row, first_col, last_row, last_col in table.merged:
        if last_row < FIRST_DATA_ROW:
            continue
        top = max(first_row, FIRST_DATA_ROW)
        ref = f"{column_letter(first_col)}{first_row}:{column_letter(last_col)}{last_row}"
        out.append(finding("cell-merged", body, table.title, top,
                           f"{column_letter(first_col)}{top}", range=ref))
    by_index = {col: BY_KEY[key] for key, col in where.items() if col is not None}
    for row, col in sorted(table.formulas):
        if row >= FIRST_DATA_ROW and col in by_index:
            out.append(finding("cell-formula", body, table.title, row,
                               f"{column_letter(col)}{row}",
                               column=column_title(by_index[col])))
    return out


def read_journals(
    source: JournalSource, config: Config, only: Sequence[str] = ()
) -> list[Journal]:
    """Read and parse every body journal a source holds."""
    return list(iter_journals(source, config, only))


def iter_journals(
    source: JournalSource, config: Config, only: Sequence[str] = ()
) -> Iterator[Journal]:
    """Every body journal of a source, each parsed as soon as its sheet is read."""
    chosen = journal_sheets(source.sheet_titles(), config, source.location, only)
    bodies = dict(chosen)
    count = 0
    with paused_gc():
        for read in source.read([title for title, _ in chosen]):
            table = table_of(read) if isinstance(read, SheetGrid) else read
            named = bool(only) or config.body_for_sheet(table.title, source.location) is not None
            if not named and not looks_like_journal(table):
                log.info("лист «%s» не похож на журнал и пропущен", table.title)
                continue
            count += 1
            try:
                journal = read_journal(table, bodies[table.title], source.location)
            except HeaderMismatch as exc:
                # One edited header stops this sheet only: every other body is still checked.
                journal = _unread(bodies[table.title], table.title, source.location, exc)
            yield journal
            del table, read, journal
    if not count:
        raise JournalError(f"{source.location}: в книге нет ни одного листа журнала "
                           f"(строка 3 листа журнала начинается с «№ п/п»)")


def _unread(body: Body, sheet: str, location: str, exc: HeaderMismatch) -> Journal:
    """A sheet whose header is not the form's: no rows, one finding naming the cell."""
    shown = f"«{exc.found}»" if exc.found else "пусто"
    found = finding("header-mismatch", body.name, sheet, None, exc.cell,
                    expected=exc.expected, found=shown)
    return Journal(body, sheet, location, [], [found])


def looks_like_journal(table: SheetTable | SheetGrid) -> bool:
    """A sheet meant as a journal: the form's title in A1 or «№ п/п» in A3.

    Other sheets of the workbook (notes, summaries) are left alone unless the config names
    them; a sheet that is meant as a journal but whose header is off is an error instead.
    """
    if isinstance(table, SheetGrid):
        table = table_of(table)
    first = header_cells()[0]
    return (normalize(header_text(table, 1, 0)) == normalize(JOURNAL_TITLE)
            or normalize(header_text(table, first.row, 0)) == normalize(first.text))


assert GRAPH_ROW < SUBCOLUMN_ROW < FIRST_DATA_ROW
