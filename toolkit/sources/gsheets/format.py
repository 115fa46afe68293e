"""`vks init gsheet:…`: an empty Google spreadsheet formatted as the journal of Appendix 1.

The layout comes from the same schema as the .xlsx template (toolkit/xlsx/template.py): a
worksheet per body with the title, the graph headings merged over their sub-columns, the
numbering row 1…7, the grey service block, drop-downs fed from the «Справочники» sheet (data
validation ONE_OF_RANGE), date and date-time formats, text format where '0123' must stay text,
frozen header rows, the header protected, the toolkit's columns protected with a warning,
and the control column coloured by severity (toolkit.sources.highlight). Sheets has no print
area; people print graphs 1–7 by selecting them, or use `vks print`.

Three requests: spreadsheets.get (which sheets exist), values.batchGet (are they empty) and one
spreadsheets.batchUpdate with every change — all or nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from toolkit.journal.config import Body, Config
from toolkit.journal.errors import JournalError
from toolkit.journal.locations import SheetAddress, quote_title
from toolkit.journal.schema import (
    BODY_ROW,
    BY_KEY,
    CHOICE_LISTS,
    COLUMNS,
    DIRECTORY_GROUNDS_HEADING,
    DIRECTORY_HEADINGS,
    DIRECTORY_SHEET,
    FIRST_DATA_ROW,
    GRAPH_ROW,
    GRAPHS,
    JOURNAL_TITLE,
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
from toolkit.sources.gsheets.http import SheetsHTTPClient
from toolkit.sources.gsheets.personal import PERSONAL_KEYS
from toolkit.sources.gsheets.source import GoogleSheetSource, value_params
from toolkit.sources.highlight import COLOURS, highlights
from toolkit.sources.specialist_lists import PROMPT, SpecialistList, specialist_lists

log = logging.getLogger("vks.gsheets")

ROWS = 1000  # rows of a new journal sheet; Sheets adds more at the bottom on request
FONT = "Times New Roman"
GREY = {"red": 0.929, "green": 0.929, "blue": 0.929}  # EDEDED, as the .xlsx service block
BORDER = {"style": "SOLID", "color": {"red": 0.502, "green": 0.502, "blue": 0.502}}
NUMBER_FORMATS: dict[Kind, dict[str, str]] = {
    Kind.DATE: {"type": "DATE", "pattern": "dd.mm.yyyy"},
    Kind.DATETIME: {"type": "DATE_TIME", "pattern": "dd.mm.yyyy hh:mm"},
    Kind.NUMBER: {"type": "NUMBER", "pattern": "0"},
    Kind.TEXT: {"type": "TEXT"},
}
SHEET_FIELDS = "sheets(properties(sheetId,title,index,sheetType))"
HEADER_DESCRIPTION = "vks: шапка журнала по форме приложения № 1 — не изменяется"
TOOLKIT_DESCRIPTION = "vks: заполняет только программа («Контроль», «Решение об отклонении»)"
PERSONAL_DESCRIPTION = ("vks: адрес и контакты хранятся в локальном файле (152-ФЗ) — "
                        "в Google Таблицу не вносятся")
DIRECTORY_DESCRIPTION = "vks: списки значений для раскрывающихся списков журнала"


def format_spreadsheet(location: str, bodies: Sequence[Body], force: bool = False,
                       config: Config | None = None) -> int:
    """Format the spreadsheet at `location` as the journal; returns the requests sent."""
    from toolkit.sources.gsheets.auth import GoogleSettings, connect

    settings = GoogleSettings.from_config(config or Config())
    http, account = connect(settings)
    source = GoogleSheetSource(SheetAddress.parse(location), http, account)
    timezone = config.timezone if config else "Asia/Novokuznetsk"
    format_journal(source, bodies, force=force, personal_file=settings.personal_file,
                   timezone=timezone)
    return http.requests


def format_journal(source: GoogleSheetSource, bodies: Sequence[Body], force: bool = False,
                   personal_file: Path | None = None,
                   timezone: str = "Asia/Novokuznetsk") -> None:
    """Replace or add the journal sheets of a spreadsheet (see the module docstring)."""
    if not bodies:
        raise JournalError("не указан ни один орган: добавьте --body или [[bodies]] в настройки")
    titles = [b.sheet for b in bodies]
    if len(set(titles)) != len(titles) or DIRECTORY_SHEET in titles:
        raise JournalError("названия листов органов должны различаться и не совпадать "
                           f"с «{DIRECTORY_SHEET}»")
    http: SheetsHTTPClient = source.http
    key = source.address.key
    meta = source.call(http.spreadsheets_get, key, params={"fields": SHEET_FIELDS})
    existing = [(int(s["properties"].get("sheetId", 0)), str(s["properties"]["title"]))
                for s in meta.get("sheets", [])]
    ours = {*titles, DIRECTORY_SHEET}
    filled = _filled_sheets(source, [title for _, title in existing])
    if filled and not force:
        raise JournalError(
            f"{source.location}: на листе «{filled[0]}» уже есть данные — vks init оформляет "
            f"только пустую таблицу. Чтобы заменить листы журнала, добавьте --force (листы с "
            f"другими названиями не тронуты; прежние версии — в истории версий таблицы)."
        )
    # Sheets to replace: ours (empty, or any with --force) and empty leftovers such as «Лист1».
    doomed = [(sid, t) for sid, t in existing if t in ours or t not in filled]
    next_id = max((sid for sid, _ in existing), default=0) + 1
    requests: list[dict[str, Any]] = [{
        "updateSpreadsheetProperties": {
            "properties": {"locale": "ru_RU", "timeZone": timezone},
            "fields": "locale,timeZone",
        }
    }]
    for sid, _ in doomed:  # free the titles first; deleted after the new sheets exist
        requests.append(_rename(sid, f"vks-удалить-{sid}"))
    directory_id = next_id + len(bodies)
    rosters = specialist_lists(bodies)
    by_sheet = {roster.sheet: roster for roster in rosters}
    for i, body in enumerate(bodies):
        requests.extend(journal_sheet_requests(next_id + i, body, i, personal_file,
                                               by_sheet.get(body.sheet)))
    requests.extend(directory_requests(directory_id, len(bodies), rosters))
    requests.extend({"deleteSheet": {"sheetId": sid}} for sid, _ in doomed)
    source.call(http.batch_update, key, {"requests": requests})
    log.info("%s: оформлены листы %s, запросов к Google %d", source.location,
             ", ".join(titles), http.requests)
    if personal_file is not None:
        if personal_file.exists():
            log.info("файл персональных данных %s уже есть — не изменен", personal_file)
        else:
            from toolkit.sources.gsheets.personal import build_personal_file

            build_personal_file(personal_file, titles)
            log.info("создан файл персональных данных %s", personal_file)


def _filled_sheets(source: GoogleSheetSource, titles: Sequence[str]) -> list[str]:
    if not titles:
        return []
    reply = source.call(source.http.values_batch_get, source.address.key,
                        [quote_title(t) for t in titles], params=value_params())
    ranges = reply.get("valueRanges", [])
    return [t for t, vr in zip(titles, ranges, strict=False)
            if any(any(v not in ("", None) for v in row) for row in vr.get("values", []))]


def _rename(sheet_id: int, title: str) -> dict[str, Any]:
    return {"updateSheetProperties": {"properties": {"sheetId": sheet_id, "title": title},
                                      "fields": "title"}}


def _grid(sheet_id: int, r1: int, c1: int, r2: int | None = None,
          c2: int | None = None) -> dict[str, Any]:
    """A GridRange from 1-based first row, 0-based first column; ends inclusive, None: open."""
    out: dict[str, Any] = {"sheetId": sheet_id, "startRowIndex": r1 - 1, "startColumnIndex": c1}
    if r2 is not None:
        out["endRowIndex"] = r2
    if c2 is not None:
        out["endColumnIndex"] = c2 + 1
    return out


def _text(size: int, bold: bool = False, italic: bool = False,
          color: dict[str, float] | None = None) -> dict[str, Any]:
    fmt: dict[str, Any] = {"fontFamily": FONT, "fontSize": size, "bold": bold, "italic": italic}
    if color:
        fmt["foregroundColor"] = color
    return fmt


def _head_format(fill: bool = False) -> dict[str, Any]:
    fmt: dict[str, Any] = {
        "textFormat": _text(9, bold=True),
        "horizontalAlignment": "CENTER",
        "verticalAlignment": "MIDDLE",
        "wrapStrategy": "WRAP",
        "borders": dict.fromkeys(("top", "bottom", "left", "right"), BORDER),
    }
    if fill:
        fmt["backgroundColor"] = GREY
    return fmt


def header_rows(body: Body, personal_file: Path | None = None) -> list[list[dict[str, Any]]]:
    """Rows 1–5 of a journal sheet as CellData: texts from the schema, formats as the .xlsx."""
    grid: list[list[dict[str, Any]]] = [[{} for _ in range(WIDTH)] for _ in range(NUMBER_ROW)]

    def put(row: int, col: int, text: str, fmt: dict[str, Any]) -> None:
        grid[row - 1][col] = {"userEnteredValue": {"stringValue": text}, "userEnteredFormat": fmt}

    put(TITLE_ROW, 0, JOURNAL_TITLE, {"textFormat": _text(12, bold=True),
                                     "horizontalAlignment": "CENTER",
                                     "verticalAlignment": "MIDDLE", "wrapStrategy": "WRAP"})
    put(BODY_ROW, 0, body.name, {"textFormat": _text(11), "horizontalAlignment": "CENTER",
                                 "verticalAlignment": "MIDDLE", "wrapStrategy": "WRAP"})
    for row in (GRAPH_ROW, SUBCOLUMN_ROW, NUMBER_ROW):
        for col in range(WIDTH):
            grid[row - 1][col] = {"userEnteredFormat": _head_format(col >= SERVICE_START)}
    for graph in GRAPHS:
        first, _ = graph_span(graph)
        put(GRAPH_ROW, first, graph.heading, _head_format())
        if graph.compound:
            for column in graph.columns:
                put(SUBCOLUMN_ROW, BY_KEY[column.key].index, column.heading, _head_format())
        put(NUMBER_ROW, first, str(graph.number), _head_format())
    put(GRAPH_ROW, SERVICE_START, SERVICE_HEADING, _head_format(fill=True))
    for column in SERVICE_COLUMNS:
        put(SUBCOLUMN_ROW, column_index(column.key), column.heading, _head_format(fill=True))
        if personal_file is not None and column.key in PERSONAL_KEYS:
            grid[SUBCOLUMN_ROW - 1][column_index(column.key)]["note"] = (
                f"Не заполняйте в Google Таблице: адрес и контакты хранятся в локальном файле "
                f"{personal_file.name} (строка с тем же № п/п) — 152-ФЗ."
            )
    return grid


def column_index(key: str) -> int:
    return BY_KEY[key].index


def journal_sheet_requests(sheet_id: int, body: Body, index: int,
                           personal_file: Path | None = None,
                           specialists: SpecialistList | None = None) -> list[dict[str, Any]]:
    """spreadsheets.batchUpdate requests that lay out one body's journal sheet."""
    requests: list[dict[str, Any]] = [{
        "addSheet": {"properties": {
            "sheetId": sheet_id, "title": body.sheet, "index": index,
            # Rows only: Sheets refuses merges across a frozen column, and the title row is
            # merged over graphs 1–7 (the .xlsx also freezes column A).
            "gridProperties": {"rowCount": ROWS, "columnCount": WIDTH,
                               "frozenRowCount": NUMBER_ROW},
        }}
    }]
    requests.append({"updateCells": {
        "start": {"sheetId": sheet_id, "rowIndex": 0, "columnIndex": 0},
        "rows": [{"values": row} for row in header_rows(body, personal_file)],
        "fields": "userEnteredValue,userEnteredFormat,note",
    }})
    requests.extend({"mergeCells": {"range": _grid(sheet_id, r1, c1, r2, c2),
                                    "mergeType": "MERGE_ALL"}}
                    for r1, c1, r2, c2 in header_merges())
    for column in COLUMNS:
        requests.append({"updateDimensionProperties": {
            "range": {"sheetId": sheet_id, "dimension": "COLUMNS",
                      "startIndex": column.index, "endIndex": column.index + 1},
            "properties": {"pixelSize": round(column.width * 7 + 5)},
            "fields": "pixelSize",
        }})
    for row, points in ((TITLE_ROW, 30), (GRAPH_ROW, 60), (SUBCOLUMN_ROW, 36)):
        requests.append({"updateDimensionProperties": {
            "range": {"sheetId": sheet_id, "dimension": "ROWS",
                      "startIndex": row - 1, "endIndex": row},
            "properties": {"pixelSize": round(points * 4 / 3)},
            "fields": "pixelSize",
        }})
    for column in COLUMNS:
        requests.append(_column_format(sheet_id, column.index, column.kind,
                                       column.written_by_toolkit,
                                       personal_file is not None and column.personal
                                       and column.graph is None))
    requests.extend(_validations(sheet_id))
    if specialists is not None:  # cl. 3.3: offer the roster, warn about other names
        col = column_index("specialist")
        requests.append({"setDataValidation": {
            "range": _grid(sheet_id, FIRST_DATA_ROW, col, None, col), "rule": {
                "condition": {"type": "ONE_OF_RANGE",
                              "values": [{"userEnteredValue": specialists.reference()}]},
                "inputMessage": PROMPT, "strict": False, "showCustomUi": True}}})
    requests.extend(highlight_requests(sheet_id))
    requests.append({"addProtectedRange": {"protectedRange": {
        "range": _grid(sheet_id, 1, 0, NUMBER_ROW, WIDTH - 1),
        "description": HEADER_DESCRIPTION, "warningOnly": False,
    }}})
    toolkit = [c.index for c in COLUMNS if c.written_by_toolkit]
    requests.append({"addProtectedRange": {"protectedRange": {
        "range": _grid(sheet_id, FIRST_DATA_ROW, min(toolkit), None, max(toolkit)),
        "description": TOOLKIT_DESCRIPTION, "warningOnly": True,
    }}})
    if personal_file is not None:
        for key in PERSONAL_KEYS:
            i = column_index(key)
            requests.append({"addProtectedRange": {"protectedRange": {
                "range": _grid(sheet_id, FIRST_DATA_ROW, i, None, i),
                "description": PERSONAL_DESCRIPTION, "warningOnly": True,
            }}})
    return requests


def _rgb(hex_colour: str) -> dict[str, float]:
    return {name: round(int(hex_colour[i:i + 2], 16) / 255, 3)
            for name, i in (("red", 0), ("green", 2), ("blue", 4))}


def highlight_requests(sheet_id: int) -> list[dict[str, Any]]:
    """The conditional formats of toolkit.sources.highlight, in the order they apply."""
    out: list[dict[str, Any]] = []
    for index, rule in enumerate(highlights()):
        fill, text = COLOURS[rule.severity]
        out.append({"addConditionalFormatRule": {"index": index, "rule": {
            "ranges": [_grid(sheet_id, FIRST_DATA_ROW, rule.first_col, None, rule.last_col)],
            "booleanRule": {
                "condition": {"type": "CUSTOM_FORMULA",
                              "values": [{"userEnteredValue": "=" + rule.formula}]},
                "format": {"backgroundColor": _rgb(fill),
                           "textFormat": {"foregroundColor": _rgb(text)}},
            },
        }}})
    return out


def _column_format(sheet_id: int, col: int, kind: Kind, toolkit: bool,
                   local: bool) -> dict[str, Any]:
    fmt: dict[str, Any] = {
        "textFormat": _text(10, italic=toolkit),
        "wrapStrategy": "WRAP",
        "verticalAlignment": "TOP",
        # Ruled as the printed form (conditional formats cannot draw borders in Sheets).
        "borders": dict.fromkeys(("top", "bottom", "left", "right"), BORDER),
    }
    if kind in NUMBER_FORMATS:
        fmt["numberFormat"] = NUMBER_FORMATS[kind]
    if local:
        fmt["backgroundColor"] = GREY
    return {"repeatCell": {
        "range": _grid(sheet_id, FIRST_DATA_ROW, col, None, col),
        "cell": {"userEnteredFormat": fmt},
        "fields": "userEnteredFormat(" + ",".join(fmt) + ")",
    }}


def directory_range(choices: type[Any]) -> str:
    """The directory cells that feed a drop-down: ='Справочники'!$A$2:$A$3."""
    col = next(i for i, (_, c) in enumerate(CHOICE_LISTS) if c is choices)
    letter = column_letter(col)
    return (f"={quote_title(DIRECTORY_SHEET)}!${letter}$2:${letter}$"
            f"{len(choices.labels()) + 1}")


def _validations(sheet_id: int) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for column in COLUMNS:
        rng = _grid(sheet_id, FIRST_DATA_ROW, column.index, None, column.index)
        if column.choices is not None:
            out.append({"setDataValidation": {"range": rng, "rule": {
                "condition": {"type": "ONE_OF_RANGE",
                              "values": [{"userEnteredValue": directory_range(column.choices)}]},
                "strict": True,
                "showCustomUi": True,
            }}})
        elif column.kind in (Kind.DATE, Kind.DATETIME):
            suffix = " ЧЧ:ММ" if column.kind is Kind.DATETIME else ""
            out.append({"setDataValidation": {"range": rng, "rule": {
                "condition": {"type": "DATE_IS_VALID"},
                "inputMessage": f"Введите дату в виде ДД.ММ.ГГГГ{suffix}",
                "strict": False,  # a warning, as in the .xlsx template
            }}})
    return out


def directory_requests(sheet_id: int, index: int,
                       rosters: Sequence[SpecialistList] = ()) -> list[dict[str, Any]]:
    """The «Справочники» sheet: one list per drop-down, the grounds in full, the bodies'
    specialists, protected."""
    longest = max([len(choices.labels()) for _, choices in CHOICE_LISTS]
                  + [len(roster.names) for roster in rosters])
    width = len(CHOICE_LISTS) + 1 + len(rosters)
    rows: list[list[dict[str, Any]]] = [[{} for _ in range(width)] for _ in range(longest + 1)]
    cell_format = {"textFormat": _text(11), "wrapStrategy": "WRAP", "verticalAlignment": "TOP"}
    for col, (_, choices) in enumerate(CHOICE_LISTS):
        rows[0][col] = {"userEnteredValue": {"stringValue": DIRECTORY_HEADINGS[choices]},
                        "userEnteredFormat": _head_format()}
        for r, label in enumerate(choices.labels(), start=1):
            rows[r][col] = {"userEnteredValue": {"stringValue": label},
                            "userEnteredFormat": cell_format}
    full = len(CHOICE_LISTS)
    rows[0][full] = {"userEnteredValue": {"stringValue":
                                          DIRECTORY_GROUNDS_HEADING},
                     "userEnteredFormat": _head_format()}
    for r, ground in enumerate(Ground, start=1):
        rows[r][full] = {"userEnteredValue": {"stringValue": f"{ground.number}. {ground.text}"},
                         "userEnteredFormat": cell_format}
    for roster in rosters:  # stringValue: a name is never taken for a formula
        rows[0][roster.column] = {"userEnteredValue": {"stringValue": roster.heading},
                                  "userEnteredFormat": _head_format()}
        for r, name in enumerate(roster.names, start=1):
            rows[r][roster.column] = {"userEnteredValue": {"stringValue": name},
                                      "userEnteredFormat": cell_format}
    requests: list[dict[str, Any]] = [
        {"addSheet": {"properties": {
            "sheetId": sheet_id, "title": DIRECTORY_SHEET, "index": index,
            "gridProperties": {"rowCount": longest + 1, "columnCount": width,
                               "frozenRowCount": 1},
        }}},
        {"updateCells": {"start": {"sheetId": sheet_id, "rowIndex": 0, "columnIndex": 0},
                         "rows": [{"values": row} for row in rows],
                         "fields": "userEnteredValue,userEnteredFormat"}},
    ]
    for col, (_, choices) in enumerate(CHOICE_LISTS):
        chars = max(len(label) for label in choices.labels()) + 2
        requests.append(_width(sheet_id, col, chars))
    requests.append(_width(sheet_id, full, 90))
    requests.extend(_width(sheet_id, roster.column, max(len(n) for n in roster.names) + 4)
                    for roster in rosters)
    requests.append({"addProtectedRange": {"protectedRange": {
        "range": {"sheetId": sheet_id}, "description": DIRECTORY_DESCRIPTION,
        "warningOnly": False,
    }}})
    return requests


def _width(sheet_id: int, col: int, chars: float) -> dict[str, Any]:
    return {"updateDimensionProperties": {
        "range": {"sheetId": sheet_id, "dimension": "COLUMNS", "startIndex": col,
                  "endIndex": col + 1},
        "properties": {"pixelSize": round(chars * 7 + 5)},
        "fields": "pixelSize",
    }}
