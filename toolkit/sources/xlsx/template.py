"""A new journal workbook laid out from the schema: the form of Appendix 1 ready to fill in.

Per body one sheet: the title, the graph headings merged over their sub-columns, the numbering
row, the service block, drop-downs fed from the directory sheet through defined names (Excel
keeps such validations in the standard part of the file), date and time formats, a frozen
header, print set-up for graphs 1–7 on A4 landscape and a highlight of rows the control column
flags.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from toolkit.journal.config import Body
from toolkit.journal.schema import (
    BODY_ROW,
    BY_KEY,
    CHOICE_LISTS,
    COLUMNS,
    DIRECTORY_GROUNDS_HEADING,
    DIRECTORY_HEADINGS,
    DIRECTORY_SHEET,
    FIRST_DATA_ROW,
    FORM_WIDTH,
    GRAPH_ROW,
    GRAPHS,
    NUMBER_ROW,
    SERVICE_COLUMNS,
    SERVICE_HEADING,
    SERVICE_START,
    SUBCOLUMN_ROW,
    TITLE_ROW,
    WIDTH,
    Ground,
    Kind,
    column_letter,
    graph_span,
    header_merges,
)
from toolkit.sources.specialist_lists import (
    PROMPT,
    WARNING,
    WARNING_TITLE,
    SpecialistList,
    specialist_lists,
)

LAST_ROW = 1048576
FORMATS = {
    Kind.DATE: "DD.MM.YYYY",
    Kind.DATETIME: "DD.MM.YYYY HH:MM",
    Kind.NUMBER: "0",
    Kind.TEXT: "@",
    Kind.CHOICE: "General",
}
FIXED_TIME = dt.datetime(2023, 4, 24)  # document properties: the order's date, so builds repeat

_thin = Side(style="thin", color="808080")
BORDER = Border(left=_thin, right=_thin, top=_thin, bottom=_thin)
HEADER_FONT = Font(name="Times New Roman", size=10, bold=True)
CELL_FONT = Font(name="Times New Roman", size=11)
TITLE_FONT = Font(name="Times New Roman", size=13, bold=True)
SERVICE_FILL = PatternFill("solid", fgColor="EDEDED")
FLAG_FILL = PatternFill("solid", fgColor="FFD7D7", bgColor="FFD7D7")
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
WRAP = Alignment(vertical="top", wrap_text=True)

# The blank form kept in sheets_templates/ (and what `vks init` makes with no bodies given).
TEMPLATE_BODIES = (Body(name="Наименование органа", sheet="Журнал"),)

VALIDATION_ERROR = "Выберите значение из раскрывающегося списка (лист «Справочники»)."


def build_workbook(bodies: Sequence[Body]) -> Workbook:
    """A journal workbook with one sheet per body and the directory sheet."""
    if not bodies:
        raise ValueError("no bodies")
    wb = Workbook()
    wb.remove(wb.active)
    rosters = specialist_lists(bodies)
    by_sheet = {roster.sheet: roster for roster in rosters}
    for body in bodies:
        add_journal_sheet(wb, body, by_sheet.get(body.sheet))
    _add_directory(wb, rosters)
    wb.properties.creator = "vks"
    wb.properties.title = "Журнал учета проведения личного приема граждан посредством ВКС"
    wb.properties.created = FIXED_TIME
    wb.properties.modified = FIXED_TIME
    return wb


def add_journal_sheet(wb: Workbook, body: Body,
                      specialists: SpecialistList | None = None) -> Worksheet:
    ws = wb.create_sheet(body.sheet)
    _header(ws, body)
    _columns(ws)
    _validations(ws)
    if specialists is not None:
        _specialist_validation(ws, specialists)
    _flag_highlight(ws)
    _print_setup(ws)
    ws.freeze_panes = f"B{FIRST_DATA_ROW}"
    return ws


def _header(ws: Worksheet, body: Body) -> None:
    for r1, c1, r2, c2 in header_merges():
        ws.merge_cells(start_row=r1, start_column=c1 + 1, end_row=r2, end_column=c2 + 1)
    ws.cell(TITLE_ROW, 1, _title()).font = TITLE_FONT
    ws.cell(TITLE_ROW, 1).alignment = CENTER
    ws.row_dimensions[TITLE_ROW].height = 36
    ws.cell(BODY_ROW, 1, body.name).font = Font(name="Times New Roman", size=12)
    ws.cell(BODY_ROW, 1).alignment = CENTER

    for graph in GRAPHS:
        first, last = graph_span(graph)
        if graph.compound:
            for column in graph.columns:
                _head(ws, SUBCOLUMN_ROW, BY_KEY[column.key].index, column.heading)
        _head(ws, GRAPH_ROW, first, graph.heading)
        _head(ws, NUMBER_ROW, first, str(graph.number))
        for col in range(first, last + 1):
            for row in (GRAPH_ROW, SUBCOLUMN_ROW, NUMBER_ROW):
                ws.cell(row, col + 1).border = BORDER

    _head(ws, GRAPH_ROW, SERVICE_START, SERVICE_HEADING, SERVICE_FILL)
    for column in SERVICE_COLUMNS:
        _head(ws, SUBCOLUMN_ROW, BY_KEY[column.key].index, column.heading, SERVICE_FILL)
    for col in range(SERVICE_START, WIDTH):
        for row in (GRAPH_ROW, SUBCOLUMN_ROW, NUMBER_ROW):
            cell = ws.cell(row, col + 1)
            cell.border = BORDER
            cell.fill = SERVICE_FILL
    ws.row_dimensions[GRAPH_ROW].height = 78
    ws.row_dimensions[SUBCOLUMN_ROW].height = 45


def _title() -> str:
    from toolkit.journal.schema import JOURNAL_TITLE

    return JOURNAL_TITLE


def _head(ws: Worksheet, row: int, col: int, text: str, fill: PatternFill | None = None) -> None:
    cell = ws.cell(row, col + 1, text)
    cell.font = HEADER_FONT
    cell.alignment = CENTER
    cell.border = BORDER
    if fill is not None:
        cell.fill = fill


def _columns(ws: Worksheet) -> None:
    for column in COLUMNS:
        dim = ws.column_dimensions[column.letter]
        dim.width = column.width
        # A column style formats every cell people add below the header.
        dim.number_format = FORMATS[column.kind]
        dim.font = CELL_FONT
        dim.alignment = WRAP
        if column.written_by_toolkit:
            dim.font = Font(name="Times New Roman", size=10, italic=True, color="9C0006")


def _validations(ws: Worksheet) -> None:
    names = {choices: name for name, choices in CHOICE_LISTS}
    for column in COLUMNS:
        if column.choices is None:
            continue
        dv = DataValidation(
            type="list",
            formula1=f"={names[column.choices]}",
            allow_blank=True,
            showErrorMessage=True,
            errorTitle="Значение не из списка",
            error=VALIDATION_ERROR,
            promptTitle=column.heading[:32],
            prompt="Выберите значение из списка",
            showInputMessage=False,
        )
        dv.add(f"{column.letter}{FIRST_DATA_ROW}:{column.letter}{LAST_ROW}")
        ws.add_data_validation(dv)
    for column in COLUMNS:
        if column.kind in (Kind.DATE, Kind.DATETIME):
            dv = DataValidation(
                type="date",
                operator="between",
                formula1="36526",  # 01.01.2000
                formula2="73051",  # 31.12.2099
                allow_blank=True,
                showErrorMessage=True,
                errorStyle="warning",
                errorTitle="Нужна дата",
                error="Введите дату в виде ДД.ММ.ГГГГ"
                + (" ЧЧ:ММ" if column.kind is Kind.DATETIME else ""),
            )
            dv.add(f"{column.letter}{FIRST_DATA_ROW}:{column.letter}{LAST_ROW}")
            ws.add_data_validation(dv)


def _specialist_validation(ws: Worksheet, roster: SpecialistList) -> None:
    """Graph 6 offers the body's roster; another name is allowed after a warning (cl. 3.3)."""
    letter = BY_KEY["specialist"].letter
    dv = DataValidation(type="list", formula1=f"={roster.name}", allow_blank=True,
                        showErrorMessage=True, errorStyle="warning", errorTitle=WARNING_TITLE,
                        error=WARNING, showInputMessage=False, prompt=PROMPT)
    dv.add(f"{letter}{FIRST_DATA_ROW}:{letter}{LAST_ROW}")
    ws.add_data_validation(dv)


def _flag_highlight(ws: Worksheet) -> None:
    control = BY_KEY["control"].letter
    last = column_letter(WIDTH - 1)
    ws.conditional_formatting.add(
        f"A{FIRST_DATA_ROW}:{last}{LAST_ROW}",
        FormulaRule(formula=[f"LEN(${control}{FIRST_DATA_ROW})>0"], fill=FLAG_FILL),
    )


def _print_setup(ws: Worksheet) -> None:
    ws.print_area = f"A1:{column_letter(FORM_WIDTH - 1)}{LAST_ROW}"
    ws.print_title_rows = f"{GRAPH_ROW}:{NUMBER_ROW}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.5
    ws.oddFooter.center.text = "Страница &P из &N"


def _add_directory(wb: Workbook, rosters: Sequence[SpecialistList] = ()) -> None:
    ws = wb.create_sheet(DIRECTORY_SHEET)
    for col, (name, choices) in enumerate(CHOICE_LISTS, start=1):
        letter = column_letter(col - 1)
        _head(ws, 1, col - 1, DIRECTORY_HEADINGS[choices])
        labels = choices.labels()
        for row, label in enumerate(labels, start=2):
            ws.cell(row, col, label).font = CELL_FONT
        ref = f"'{DIRECTORY_SHEET}'!${letter}$2:${letter}${len(labels) + 1}"
        wb.defined_names[name] = DefinedName(name, attr_text=ref)
        ws.column_dimensions[letter].width = max(len(label) for label in labels) + 2
    full = len(CHOICE_LISTS)
    _head(ws, 1, full, DIRECTORY_GROUNDS_HEADING)
    for row, ground in enumerate(Ground, start=2):
        cell = ws.cell(row, full + 1, f"{ground.number}. {ground.text}")
        cell.alignment = WRAP
        cell.font = CELL_FONT
    ws.column_dimensions[column_letter(full)].width = 90
    for roster in rosters:
        _head(ws, 1, roster.column, roster.heading)
        for row, name in enumerate(roster.names, start=2):
            cell = ws.cell(row, roster.column + 1, name)
            cell.data_type = "s"  # a name is text, never a formula
            cell.font = CELL_FONT
        ref = f"'{DIRECTORY_SHEET}'!{roster.cells()}"
        wb.defined_names[roster.name] = DefinedName(roster.name, attr_text=ref)
        ws.column_dimensions[roster.letter].width = max(len(n) for n in roster.names) + 4
    ws.protection.sheet = True  # lists feed the drop-downs: keep them from accidental edits


Record = Mapping[str, Any]  # one journal row as {column key: value}; absent keys stay empty


def append_rows(ws: Worksheet, records: Iterable[Record]) -> None:
    """Write data rows from FIRST_DATA_ROW on, formatting dates as the columns say."""
    for r, record in enumerate(records, start=FIRST_DATA_ROW):
        for column in COLUMNS:
            value = record.get(column.key)
            if value is None or value == "":
                continue
            cell = ws.cell(r, column.index + 1, value)
            if isinstance(value, str) and value.startswith("="):
                cell.data_type = "s"  # openpyxl would store text starting with "=" as a formula
            cell.number_format = FORMATS[column.kind]


def write_journal(path: Path, sheets: Mapping[Body, Iterable[Record]]) -> Path:
    """A journal file with a sheet per body and these rows in it (demo, tests, benchmarks)."""
    wb = build_workbook(list(sheets))
    for body, records in sheets.items():
        append_rows(wb[body.sheet], records)
    write_workbook(wb, path)
    return path


def write_workbook(wb: Workbook, path: Path) -> None:
    """Save through a temporary file in the same folder, so a crash leaves no half file."""
    from toolkit.journal.files import atomic_output, normalize_zip
    from toolkit.sources.xlsx.sharedstrings import share_strings

    with atomic_output(path) as tmp:
        wb.save(tmp)
        normalize_zip(tmp, lambda parts: share_strings(_fixed_modified(parts)))


def _fixed_modified(parts: dict[str, bytes]) -> dict[str, bytes]:
    """openpyxl stamps the save time into docProps/core.xml; a build must repeat exactly."""
    core = "docProps/core.xml"
    if core in parts:
        stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
        parts = {**parts, core: re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>" + stamp,
                                       parts[core])}
    return parts
