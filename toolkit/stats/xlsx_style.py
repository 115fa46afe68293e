"""How the report's workbook looks and prints: fonts, cells, small tables, page setup.

Every sheet prints on A4 landscape, one page wide. Its columns are kept to what fits that width
at full size (`PRINT_WIDTH` character units), so the fit-to-width scale stays near 100 % and the
9 pt text prints at 9 pt, never shrunk to a few points.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.worksheet import Worksheet

from toolkit.journal.text import formula_start
from toolkit.stats.results import MonthlyStats
from toolkit.stats.wording import TITLE, period_text

HEADER_ROW = 4
INT = "#,##0"
DECIMAL = "0.0"
CHANGE = '+#,##0;"\u2212"#,##0;0'
PRINT_WIDTH = 140  # column width units that A4 landscape holds at 100 % between the margins

TITLE_FONT = Font(name="Arial", size=14, bold=True)
SECTION_FONT = Font(name="Arial", size=12, bold=True, color="102A43")
NOTE_FONT = Font(name="Arial", size=10, color="52606D")
TEXT_FONT = Font(name="Arial", size=10)
HEAD_FONT = Font(name="Arial", size=9, bold=True)
CELL_FONT = Font(name="Arial", size=9)
BOLD_FONT = Font(name="Arial", size=9, bold=True)
BAD_FONT = Font(name="Arial", size=9, bold=True, color="B42318")
BIG_FONT = Font(name="Arial", size=14, bold=True)
BIG_BAD_FONT = Font(name="Arial", size=14, bold=True, color="B42318")
HEAD_FILL = PatternFill("solid", fgColor="E8EEF5")
TOTAL_FILL = PatternFill("solid", fgColor="F4F5F7")
SECTION_FILL = PatternFill("solid", fgColor="F0F4F8")
THIN = Side(style="thin", color="9FB3C8")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WRAP_HEAD = Alignment(wrap_text=True, vertical="center", horizontal="center")
WRAP = Alignment(wrap_text=True, vertical="center")
FORBIDDEN = "[]:*?/\\"


def put(ws: Worksheet, row: int, col: int, value: Any, font: Font = CELL_FONT,
        fmt: str | None = None, **style: Any) -> Any:
    """Write one cell; text is always a string cell, never a formula."""
    cell = ws.cell(row, col, value)
    if isinstance(value, str):
        cell.data_type = "s"  # text from a journal is never a formula
        cell.quotePrefix = formula_start(value)  # nor becomes one when a person edits it
    cell.font = font
    if fmt:
        cell.number_format = fmt
    for name, v in style.items():
        setattr(cell, name, v)
    return cell


def widths(ws: Worksheet, values: Sequence[float]) -> None:
    """Column widths from A on; their sum must fit the printed page (PRINT_WIDTH)."""
    assert sum(values) <= PRINT_WIDTH, (ws.title, sum(values))
    for col, width in enumerate(values, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width


def heading(ws: Worksheet, stats: MonthlyStats, scope: str) -> None:
    put(ws, 1, 1, f"{TITLE}: {stats.month.title}", TITLE_FONT)
    put(ws, 2, 1, f"{scope}. Сведения {period_text(stats)}.", NOTE_FONT)


def head_row(ws: Worksheet, row: int, headings: Sequence[str], height: float = 0) -> None:
    for col, text in enumerate(headings, start=1):
        put(ws, row, col, text, HEAD_FONT, fill=HEAD_FILL, border=BOX, alignment=WRAP_HEAD)
    if height:
        ws.row_dimensions[row].height = height


def text_rows(ws: Worksheet, row: int, lines: Sequence[str], last_col: int,
              font: Any = TEXT_FONT) -> int:
    """Sentences, each in cells merged across the table's width and wrapped; the next row."""
    chars = sum(ws.column_dimensions[get_column_letter(c)].width or 9
                for c in range(1, last_col + 1))
    for line in lines:
        put(ws, row, 1, line, font, alignment=Alignment(wrap_text=True, vertical="top"))
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=last_col)
        ws.row_dimensions[row].height = 14 * (1 + len(line) // int(chars * 1.2))
        row += 1
    return row


def table(ws: Worksheet, row: int, title: str, heads: Sequence[str],
          rows: Sequence[Sequence[Any]], empty: str, bad: Sequence[int] = ()) -> int:
    """A titled list table; returns the row after it (and a blank row)."""
    put(ws, row, 1, title, BOLD_FONT)
    row += 1
    if not rows:
        put(ws, row, 1, empty, CELL_FONT)
        return row + 2
    head_row(ws, row, heads)
    for values in rows:
        row += 1
        for col, value in enumerate(values, start=1):
            fmt = CHANGE if isinstance(value, Change) else INT if isinstance(value, int) else None
            font = BAD_FONT if col - 1 in bad and value else CELL_FONT
            put(ws, row, col, int(value) if isinstance(value, Change) else value, font, fmt,
                border=BOX, alignment=Alignment(wrap_text=True, vertical="top"))
    return row + 2


class Change(int):
    """A change from the previous month: printed as +3, −2, 0."""


def page_break(ws: Worksheet, after_row: int) -> None:
    ws.row_breaks.append(Break(id=after_row))


def print_setup(ws: Worksheet, title_rows: str | None) -> None:
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.5
    if title_rows:
        ws.print_title_rows = title_rows
    ws.oddFooter.center.text = "Страница &P из &N"
    ws.oddFooter.right.text = "&A"


def sheet_title(name: str, taken: set[str]) -> str:
    """A valid, unique worksheet title for a body: ≤ 31 characters, none of []:*?/\\."""
    clean = "".join(" " if ch in FORBIDDEN else ch for ch in name)
    clean = " ".join(clean.split()).strip("'") or "Орган"
    title = clean[:31]
    n = 2
    while title.casefold() in {t.casefold() for t in taken}:
        suffix = f" ({n})"
        title = clean[: 31 - len(suffix)] + suffix
        n += 1
    return title
