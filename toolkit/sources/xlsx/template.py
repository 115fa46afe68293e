"""A new journal workbook laid out from the schema: the form of Appendix 1 ready to fill in.

Per body one sheet: the title, the graph headings merged over their sub-columns, the numbering
row, the service block, drop-downs fed from the directory sheet through defined names (Excel
keeps such validations in the standard part of the file), date and time formats, a frozen
header, the header rows protected (data cells stay editable), print set-up for graphs 1–7 on A4
landscape at 100 % (ruled, wrapped, 9–10 pt) and the control column coloured by the severity it
reports (toolkit.sources.highlight — outside the print area, so it never prints).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from copy import copy
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils.indexed_list import IndexedList
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
from toolkit.sources.highlight import COLOURS, highlights
from toolkit.sources.specialist_lists import (
    PROMPT,
    WARNING,
    WARNING_TITLE,
    SpecialistList,
    specialist_lists,
)
from toolkit.sources.xlsx.rowheight import row_height

LAST_ROW = 1048576
MARGIN_INCHES = 0.4  # left and right: A4 landscape leaves 785 pt for graphs 1–7
FORMATS = {
    Kind.DATE: "DD.MM.YYYY",
    Kind.DATETIME: "DD.MM.YYYY HH:MM",
    Kind.NUMBER: "0",
    Kind.TEXT: "@",
    Kind.CHOICE: "General",
}
FIXED_TIME = dt.datetime(2023, 4, 24)  # document properties: the order's date, so builds repeat

_thin = Side(style="thin", color="000000")
BORDER = Border(left=_thin, right=_thin, top=_thin, bottom=_thin)
# Printed at 100 % (see schema widths): nothing on the form is smaller than 9 pt.
BASE_FONT = Font(name="Times New Roman", size=11, family=1)
HEADER_FONT = Font(name="Times New Roman", size=9, bold=True)
CELL_FONT = Font(name="Times New Roman", size=10)
TOOLKIT_FONT = Font(name="Times New Roman", size=10, italic=True)
TITLE_FONT = Font(name="Times New Roman", size=12, bold=True)
BODY_FONT = Font(name="Times New Roman", size=11)
SERVICE_FILL = PatternFill("solid", fgColor="EDEDED")
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
WRAP = Alignment(vertical="top", wrap_text=True)
UNLOCKED = Protection(locked=False)
HEADER_HEIGHTS = {1: 30, 3: 60, 4: 36}  # points: title, graph headings, sub-column headings

# The blank form kept in sheets_templates/ (and what `vks init` makes with no bodies given).
TEMPLATE_BODIES = (Body(name="Наименование органа", sheet="Журнал"),)

VALIDATION_ERROR = "Выберите значение из раскрывающегося списка (лист «Справочники»)."


def build_workbook(bodies: Sequence[Body]) -> Workbook:
    """A journal workbook with one sheet per body and the directory sheet."""
    if not bodies:
        raise ValueError("no bodies")
    wb = Workbook()
    # The default font sets the unit of column widths: Times New Roman (or its metric twin
    # Liberation Serif) is on every machine that prints the form, Calibri often is not.
    wb._fonts = IndexedList([BASE_FONT])
    wb._named_styles["Normal"].font = BASE_FONT
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
    _control_highlight(ws)
    _print_setup(ws)
    _protect_header(ws)
    ws.freeze_panes = f"B{FIRST_DATA_ROW}"
    return ws


def _header(ws: Worksheet, body: Body) -> None:
    for r1, c1, r2, c2 in header_merges():
        ws.merge_cells(start_row=r1, start_column=c1 + 1, end_row=r2, end_column=c2 + 1)
    for row in (TITLE_ROW, BODY_ROW):  # no ruling around the title, whatever the columns say
        for col in range(1, FORM_WIDTH + 1):
            ws.cell(row, col).border = Border()
    ws.cell(TITLE_ROW, 1, _title()).font = TITLE_FONT
    ws.cell(TITLE_ROW, 1).alignment = CENTER
    ws.cell(BODY_ROW, 1, body.name).font = BODY_FONT
    ws.cell(BODY_ROW, 1).alignment = CENTER
    ws.cell(BODY_ROW, 1).protection = UNLOCKED  # the blank form's «Наименование органа»

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

    service_header(ws)
    for row, points in HEADER_HEIGHTS.items():
        ws.row_dimensions[row].height = points


def service_header(ws: Worksheet) -> None:
    """Rows 3–5 of the service block: its heading, the column headings, grey and ruled."""
    _head(ws, GRAPH_ROW, SERVICE_START, SERVICE_HEADING, SERVICE_FILL)
    for column in SERVICE_COLUMNS:
        _head(ws, SUBCOLUMN_ROW, BY_KEY[column.key].index, column.heading, SERVICE_FILL)
    for col in range(SERVICE_START, WIDTH):
        for row in (GRAPH_ROW, SUBCOLUMN_ROW, NUMBER_ROW):
            cell = ws.cell(row, col + 1)
            cell.border = BORDER
            cell.fill = SERVICE_FILL


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


def reapply_layout(ws: Worksheet) -> None:
    """Column formats, drop-downs, highlight, print set-up and frozen header of the template,
    on a sheet that has its rows already (`vks upgrade`); columns right of the journal keep
    their own formats."""
    _columns(ws, rest=False)
    _validations(ws)
    _control_highlight(ws)
    _print_setup(ws)
    ws.freeze_panes = f"B{FIRST_DATA_ROW}"


def _columns(ws: Worksheet, rest: bool = True) -> None:
    for column in COLUMNS:
        dim = ws.column_dimensions[column.letter]
        dim.width = column.width
        # A column style formats every cell people add below the header.
        dim.number_format = FORMATS[column.kind]
        dim.font = TOOLKIT_FONT if column.written_by_toolkit else CELL_FONT
        dim.alignment = WRAP
        dim.border = BORDER  # printed rows of the form are ruled; empty rows below are not printed
        dim.protection = UNLOCKED
    if rest:  # columns right of the journal stay editable under the header's protection too
        right = ws.column_dimensions[column_letter(WIDTH)]
        right.min, right.max = WIDTH + 1, 16384
        right.width = 9.140625  # what Excel stores for its default 8.43 characters
        right.protection = UNLOCKED


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


def _control_highlight(ws: Worksheet) -> None:
    """The highlight of toolkit.sources.highlight: service block only, never printed."""
    for rule in highlights():
        fill, text = COLOURS[rule.severity]
        cells = (f"{column_letter(rule.first_col)}{FIRST_DATA_ROW}:"
                 f"{column_letter(rule.last_col)}{LAST_ROW}")
        ws.conditional_formatting.add(cells, FormulaRule(
            formula=[rule.formula], fill=PatternFill("solid", fgColor=fill, bgColor=fill),
            font=Font(color=text), stopIfTrue=True))


def _print_setup(ws: Worksheet) -> None:
    ws.print_area = f"A1:{column_letter(FORM_WIDTH - 1)}{LAST_ROW}"
    ws.print_title_rows = f"{GRAPH_ROW}:{NUMBER_ROW}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    # 100 %: the widths of graphs 1–7 fit the page (no fit-to-page, which shrank text to 5 pt).
    ws.page_setup.scale = 100
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = MARGIN_INCHES
    ws.page_margins.top = ws.page_margins.bottom = 0.5
    ws.page_margins.header = ws.page_margins.footer = 0.25
    ws.oddFooter.center.text = "Страница &P из &N"


def _protect_header(ws: Worksheet) -> None:
    """Lock the header rows against accidental edits; columns and data rows stay free.

    No password: a person who must change the header can lift the protection (Рецензирование →
    Снять защиту листа). Columns cannot be inserted or deleted — the layout is the form's.
    """
    p = ws.protection
    p.sheet = True
    p.formatCells = p.formatColumns = p.formatRows = False
    p.insertRows = p.deleteRows = p.insertHyperlinks = False
    p.sort = p.autoFilter = False


def replace_directory(wb: Workbook) -> None:
    """The «Справочники» sheet and its defined names as the template makes them now."""
    index = None
    if DIRECTORY_SHEET in wb.sheetnames:
        index = wb.sheetnames.index(DIRECTORY_SHEET)
        wb.remove(wb[DIRECTORY_SHEET])
    _add_directory(wb, index=index)


def _add_directory(wb: Workbook, rosters: Sequence[SpecialistList] = (),
                   index: int | None = None) -> None:
    ws = wb.create_sheet(DIRECTORY_SHEET, index)
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
    """Write data rows from FIRST_DATA_ROW on, each cell in its column's style (as Excel gives
    a typed cell: format, font, wrap, border, unlocked) and each row as high as its text."""
    styles = [copy(ws.column_dimensions[column.letter]._style) for column in COLUMNS]
    for r, record in enumerate(records, start=FIRST_DATA_ROW):
        for column in COLUMNS:
            value = record.get(column.key)
            if value is None or value == "":
                continue
            cell = ws.cell(r, column.index + 1, value)
            if isinstance(value, str) and value.startswith("="):
                cell.data_type = "s"  # openpyxl would store text starting with "=" as a formula
            cell._style = copy(styles[column.index])
        height = row_height(record)
        if height is not None:
            ws.row_dimensions[r].height = height


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
