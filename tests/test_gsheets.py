"""Google Sheets journal source, tested at the HTTP boundary with Sheets API v4 payloads.

`FakeSheets` answers spreadsheets.get (with grid data: effectiveValue and formulaValue per cell,
honouring `ranges` and the field mask), values.batchGet, values.batchUpdate and
spreadsheets.batchUpdate the way Google does (through the `responses` library, so the real
gspread HTTP client, requests and our retry layer all run); every request is recorded, so the
tests assert the exact requests sent and how many.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import logging
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import responses
from click.testing import CliRunner
from conftest import TODAY

from toolkit.cli import cli
from toolkit.journal import cells
from toolkit.journal.clock import Clock
from toolkit.journal.config import Config, parse_config
from toolkit.journal.control import check_source
from toolkit.journal.errors import ConfigError, JournalError
from toolkit.journal.locations import SheetAddress, a1, is_google, same_spreadsheet
from toolkit.journal.model import CellChange
from toolkit.journal.read import read_journals
from toolkit.journal.schema import BY_KEY, FIRST_DATA_ROW, column_index, column_letter
from toolkit.sources.gsheets.griddata import ERROR_TEXT, cell_value, decode_cell, parse_spreadsheet
from toolkit.sources.gsheets.http import RetryPolicy, SheetsHTTPClient
from toolkit.sources.gsheets.personal import HEADINGS, PERSONAL_KEYS, build_personal_file
from toolkit.sources.gsheets.source import READ_FIELDS, TITLE_FIELDS, GoogleSheetSource
from toolkit.sources.open import open_source
from toolkit.sources.xlsx.source import XlsxSource

KEY = "1BxiMVs0XRA5nFMdKvBdBZjgmUUqptlbs74OgvE2upms"
API = "https://sheets.googleapis.com/v4/spreadsheets"
FIXTURES = Path(__file__).parent / "fixtures" / "gsheets"
FIELDS = ["code", "severity", "body", "sheet", "row", "cell", "due", "message"]

_RANGE_RE = re.compile(r"^(?:'((?:[^']|'')*)'|([^!]+))(?:!([A-Z]+)(\d+)?(?::([A-Z]+)(\d+)?)?)?$")


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def parse_range(text: str) -> tuple[str, int, int, int | None, int | None]:
    """'Лист'!W1:W → (title, first row, first col, last row or None, last col or None)."""
    m = _RANGE_RE.match(text)
    assert m, text
    title = (m.group(1) or "").replace("''", "'") if m.group(1) is not None else m.group(2)
    if m.group(3) is None:
        return title, 1, 0, None, None
    r1 = int(m.group(4) or 1)
    c1 = column_index(m.group(3))
    c2 = column_index(m.group(5)) if m.group(5) else c1
    r2 = int(m.group(6)) if m.group(6) else (None if m.group(5) else r1)
    return title, r1, c1, r2, c2


@dataclass(frozen=True)
class SheetError:
    """An error cell: ErrorValue.type in grid data, its text ('#REF!') in values.get."""

    type: str

    @property
    def text(self) -> str:
        return ERROR_TEXT[self.type]


class BadRequest(Exception):
    """Answer the request with 400 INVALID_ARGUMENT, as Google does for a bad range."""


def sheets_value(value: Any) -> Any:
    """A cell as values.get returns it with UNFORMATTED_VALUE and SERIAL_NUMBER."""
    if value is None:
        return ""
    if isinstance(value, bool | str):
        return value
    if isinstance(value, dt.date):
        serial = cells.to_serial(value)
        return int(serial) if float(serial).is_integer() else serial
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def values_api(value: Any) -> Any:
    """A cell as values.get returns it: an error cell is its text."""
    return value.text if isinstance(value, SheetError) else value


def effective_value(value: Any) -> dict[str, Any] | None:
    """A cell's ExtendedValue as spreadsheets.get returns it in effectiveValue."""
    if value == "" or value is None:
        return None
    if isinstance(value, SheetError):
        return {"errorValue": {"type": value.type, "message": "Ошибка формулы"}}
    if isinstance(value, bool):
        return {"boolValue": value}
    if isinstance(value, int | float):
        return {"numberValue": value}
    return {"stringValue": value}


class FakeSheet:
    def __init__(self, sheet_id: int, title: str, rows: list[list[Any]],
                 merges: list[tuple[int, int, int, int]] = (),  # type: ignore[assignment]
                 formulas: set[tuple[int, int]] | None = None, sheet_type: str = "GRID"):
        self.sheet_id = sheet_id
        self.title = title
        self.rows = rows
        self.merges = list(merges)
        self.formulas = formulas or set()
        self.sheet_type = sheet_type

    def get(self, row: int, col: int) -> Any:
        if row - 1 < len(self.rows) and col < len(self.rows[row - 1]):
            return self.rows[row - 1][col]
        return ""

    def put(self, row: int, col: int, value: Any) -> None:
        while len(self.rows) < row:
            self.rows.append([])
        line = self.rows[row - 1]
        while len(line) <= col:
            line.append("")
        line[col] = value


class FakeSheets:
    """A spreadsheet behind the Sheets API v4, as far as the toolkit uses it."""

    def __init__(self, sheets: list[FakeSheet]):
        self.sheets = {s.title: s for s in sheets}
        self.calls: list[dict[str, Any]] = []
        self.hooks: dict[int, Callable[[FakeSheets], None]] = {}
        self.errors: dict[int, tuple[int, dict[str, Any]]] = {}

    @classmethod
    def from_xlsx(cls, path: Path) -> FakeSheets:
        """The spreadsheet Google would hold after importing this .xlsx."""
        source = XlsxSource(path)
        titles = source.sheet_titles()
        sheets = []
        for i, grid in enumerate(source.read(titles)):
            rows = [[sheets_value(v) for v in row] for row in grid.rows]
            sheets.append(FakeSheet(1000 + i if i else 0, grid.title, rows,
                                    list(grid.merged), set(grid.formulas)))
        return cls(sheets)

    def after(self, n: int, hook: Callable[[FakeSheets], None]) -> None:
        """Run `hook` (a person editing the sheet) right after the n-th request is answered."""
        self.hooks[n] = hook

    def fail(self, n: int, status: int, body: dict[str, Any]) -> None:
        """Answer the n-th request with an error."""
        self.errors[n] = (status, body)

    # The API ------------------------------------------------------------------------------

    def mock(self) -> responses.RequestsMock:
        mock = responses.RequestsMock(assert_all_requests_are_fired=False)
        mock.add_callback(responses.GET, f"{API}/{KEY}", callback=self._wrap(self._get))
        mock.add_callback(responses.GET, f"{API}/{KEY}/values:batchGet",
                          callback=self._wrap(self._batch_get))
        mock.add_callback(responses.POST, f"{API}/{KEY}/values:batchUpdate",
                          callback=self._wrap(self._batch_update_values))
        return mock

    def _wrap(self, handler: Callable[[dict[str, Any]], dict[str, Any]]) -> Callable[..., Any]:
        def callback(request: requests.PreparedRequest) -> tuple[int, dict[str, str], str]:
            url = urlsplit(request.url or "")
            call = {"method": request.method, "path": url.path,
                    "query": parse_qs(url.query),
                    "json": json.loads(request.body) if request.body else None}
            self.calls.append(call)
            n = len(self.calls)
            if n in self.errors:
                status, body = self.errors[n]
                return status, {"Content-Type": "application/json"}, json.dumps(body)
            try:
                reply = handler(call)
            except BadRequest as exc:
                error = {"error": {"code": 400, "message": str(exc),
                                   "status": "INVALID_ARGUMENT"}}
                return 400, {"Content-Type": "application/json"}, json.dumps(error)
            if n in self.hooks:
                self.hooks[n](self)
            return 200, {"Content-Type": "application/json; charset=UTF-8"}, json.dumps(reply)
        return callback

    def _get(self, call: dict[str, Any]) -> dict[str, Any]:
        query = call["query"]
        fields = query.get("fields", [""])[0]
        boxes: dict[str, list[tuple[int, int, int | None, int | None]]] | None = None
        if "ranges" in query:  # only the sheets the ranges touch, only those cells
            boxes = {}
            for text in query["ranges"]:
                title, r1, c1, r2, c2 = parse_range(text)
                if title not in self.sheets or self.sheets[title].sheet_type != "GRID":
                    raise BadRequest(f"Unable to parse range: {text}")
                boxes.setdefault(title, []).append((r1, c1, r2, c2))
        out = []
        for index, sheet in enumerate(self.sheets.values()):
            if boxes is not None and sheet.title not in boxes:
                continue
            item: dict[str, Any] = {"properties": {"sheetId": sheet.sheet_id,
                                                   "title": sheet.title, "index": index,
                                                   "sheetType": sheet.sheet_type}}
            if sheet.merges and "merges" in fields:
                item["merges"] = [
                    {"sheetId": sheet.sheet_id, "startRowIndex": r1 - 1, "endRowIndex": r2,
                     "startColumnIndex": c1, "endColumnIndex": c2 + 1}
                    for r1, c1, r2, c2 in sheet.merges
                ]
            if "data(" in fields and sheet.sheet_type == "GRID":
                item["data"] = [self._grid_data(sheet, box, fields) for box in
                                (boxes[sheet.title] if boxes else [(1, 0, None, None)])]
            out.append(item)
        return {"sheets": out}

    @staticmethod
    def _grid_data(sheet: FakeSheet, box: tuple[int, int, int | None, int | None],
                   fields: str) -> dict[str, Any]:
        """GridData of a range: startRow/startColumn (omitted when 0), rowData up to the last
        row holding something, each row's cells up to its last one holding something."""
        r1, c1, r2, c2 = box
        last_row = min(r2 or len(sheet.rows), len(sheet.rows))
        row_data: list[dict[str, Any]] = []
        for r in range(r1, last_row + 1):
            width = len(sheet.rows[r - 1])
            last_col = width - 1 if c2 is None else min(c2, width - 1)
            values: list[dict[str, Any]] = []
            for c in range(c1, last_col + 1):
                cell: dict[str, Any] = {}
                if (r, c) in sheet.formulas and "formulaValue" in fields:
                    cell["userEnteredValue"] = {"formulaValue": f"=R{r}C{c + 1}"}
                value = effective_value(sheet.get(r, c))
                if value is not None and "effectiveValue" in fields:
                    cell["effectiveValue"] = value
                values.append(cell)
            while values and not values[-1]:
                values.pop()
            row_data.append({"values": values} if values else {})
        while row_data and not row_data[-1]:
            row_data.pop()
        grid: dict[str, Any] = {}
        if r1 > 1:
            grid["startRow"] = r1 - 1
        if c1:
            grid["startColumn"] = c1
        if row_data:
            grid["rowData"] = row_data
        return grid

    def _batch_get(self, call: dict[str, Any]) -> dict[str, Any]:
        query = call["query"]
        assert query["valueRenderOption"] == ["UNFORMATTED_VALUE"]
        assert query["dateTimeRenderOption"] == ["SERIAL_NUMBER"]
        major = query.get("majorDimension", ["ROWS"])[0]
        out = []
        for text in query["ranges"]:
            title, r1, c1, r2, c2 = parse_range(text)
            sheet = self.sheets[title]
            last_row = r2 or max(len(sheet.rows), 1)
            last_col = c2 if c2 is not None else max((len(r) for r in sheet.rows), default=1) - 1
            grid = [[values_api(sheet.get(r, c)) for c in range(c1, last_col + 1)]
                    for r in range(r1, last_row + 1)]
            if major == "COLUMNS":
                grid = [list(col) for col in zip(*grid, strict=True)] if grid else []
            grid = [_trim(line) for line in grid]
            while grid and not grid[-1]:
                grid.pop()
            value_range: dict[str, Any] = {
                "range": f"{a1(title, '')}{column_letter(c1)}{r1}:"
                         f"{column_letter(last_col)}{max(last_row, 1000)}",
                "majorDimension": major,
            }
            if grid:
                value_range["values"] = grid
            out.append(value_range)
        return {"spreadsheetId": KEY, "valueRanges": out}

    def _batch_update_values(self, call: dict[str, Any]) -> dict[str, Any]:
        body = call["json"]
        assert body["valueInputOption"] == "RAW"
        replies = []
        for item in body["data"]:
            title, r1, c1, _, _ = parse_range(item["range"])
            for i, row in enumerate(item["values"]):
                for j, value in enumerate(row):
                    self.sheets[title].put(r1 + i, c1 + j, value)
            replies.append({"spreadsheetId": KEY, "updatedRange": item["range"],
                            "updatedRows": 1, "updatedColumns": 1, "updatedCells": 1})
        return {"spreadsheetId": KEY, "totalUpdatedRows": len(replies),
                "totalUpdatedColumns": len(replies), "totalUpdatedCells": len(replies),
                "totalUpdatedSheets": len({r["updatedRange"].split("!")[0] for r in replies}),
                "responses": replies}

    # Test helpers ------------------------------------------------------------------------

    def find_row(self, title: str, number: int) -> int:
        sheet = self.sheets[title]
        for r, row in enumerate(sheet.rows, start=1):
            if r >= FIRST_DATA_ROW and row and row[0] == number:
                return r
        raise AssertionError(number)


def _trim(line: list[Any]) -> list[Any]:
    line = list(line)
    while line and line[-1] == "":
        line.pop()
    return line


def client(**policy: Any) -> SheetsHTTPClient:
    """An unauthenticated client on a plain session: `responses` answers for Google."""
    return SheetsHTTPClient(None, session=requests.Session(), policy=RetryPolicy(**policy),
                            sleep=lambda _: None)


def google_source(personal_file: Path | None = None, location: str = f"gsheet:{KEY}"
                  ) -> GoogleSheetSource:
    return GoogleSheetSource(SheetAddress.parse(location), client(),
                             "vks@project.iam.gserviceaccount.com", personal_file)


@pytest.fixture
def fake(demo: tuple[Path, Any]) -> Iterator[FakeSheets]:
    path, _ = demo
    sheets = FakeSheets.from_xlsx(path)
    with sheets.mock():
        yield sheets


# Addressing -------------------------------------------------------------------------------


@pytest.mark.parametrize(("location", "titles", "gid"), [
    (f"gsheet:{KEY}", (), None),
    (f"gsheet:{KEY}!Министерство", ("Министерство",), None),
    (f"gsheet:{KEY}!Министерство!ОСЗН г. Кемерово", ("Министерство", "ОСЗН г. Кемерово"), None),
    (f"https://docs.google.com/spreadsheets/d/{KEY}/edit#gid=1001", (), 1001),
    (f"gsheet:https://docs.google.com/spreadsheets/d/{KEY}/edit?usp=sharing", (), None),
    # click.Path turns the // of a URL into /; the key is still found.
    (f"https:/docs.google.com/spreadsheets/d/{KEY}/edit#gid=0", (), 0),
])
def test_locations_read_naturally(location: str, titles: tuple[str, ...], gid: int | None
                                  ) -> None:
    address = SheetAddress.parse(location)
    assert (address.key, address.titles, address.gid) == (KEY, titles, gid)
    assert address.location == f"gsheet:{KEY}"
    assert is_google(location)


@pytest.mark.parametrize("location", ["gsheet:", "gsheet:ab/cd", "журнал.xlsx",
                                      "https://docs.google.com/spreadsheets/"])
def test_a_bad_location_is_a_russian_error(location: str) -> None:
    with pytest.raises(JournalError, match="не адрес Google Таблицы"):
        SheetAddress.parse(location)


def test_a_body_matches_its_spreadsheet_however_spelled(tmp_path: Path) -> None:
    config = parse_config({"bodies": [{
        "name": "Министерство социальной защиты населения Кузбасса", "sheet": "Министерство",
        "journal": f"https://docs.google.com/spreadsheets/d/{KEY}/edit#gid=0",
    }]}, tmp_path / "vks.toml")
    assert same_spreadsheet(f"gsheet:{KEY}!ЦСВ", f"https://docs.google.com/spreadsheets/d/{KEY}")
    body = config.body_for_sheet("Министерство", f"gsheet:{KEY}")
    assert body is not None and body.name.startswith("Министерство социальной")
    assert config.body_for_sheet("Министерство", "gsheet:1Other0000000000000000000") is None
    assert a1("It's", "A1") == "'It''s'!A1"


# Reading ----------------------------------------------------------------------------------


def test_reading_is_one_spreadsheets_get_with_grid_data(fake: FakeSheets,
                                                        config: Config) -> None:
    source = google_source()
    journals = read_journals(source, config)
    assert [j.sheet for j in journals] == ["Министерство", "ОСЗН г. Кемерово", "ГЮБ Кузбасса",
                                          "ЦСВ"]
    assert source.requests == 1
    [get] = fake.calls
    # No worksheet in the location: the titles are unknown, so every grid sheet comes whole.
    assert (get["method"], get["path"], get["query"]) == (
        "GET", f"/v4/spreadsheets/{KEY}", {"fields": [READ_FIELDS]})
    assert READ_FIELDS == (
        "sheets(properties(sheetId,title,index,sheetType),merges,"
        "data(startRow,startColumn,rowData(values(userEnteredValue(formulaValue),"
        "effectiveValue(numberValue,stringValue,boolValue,errorValue(type))))))")


def test_named_worksheets_are_fetched_as_ranges_a_to_x(fake: FakeSheets, config: Config) -> None:
    source = google_source(location=f"gsheet:{KEY}!Министерство!ЦСВ")
    journals = read_journals(source, config)
    assert [j.sheet for j in journals] == ["Министерство", "ЦСВ"]
    assert source.requests == 1
    [get] = fake.calls
    assert get["query"] == {"fields": [READ_FIELDS],
                            "ranges": ["'Министерство'!A1:Y", "'ЦСВ'!A1:Y"]}
    # Reading again asks Google again (the values of the first get are handed out once).
    fake.calls.clear()
    [again] = source.read(["ЦСВ"])
    assert [c["query"] for c in fake.calls] == [{"fields": [READ_FIELDS],
                                                "ranges": ["'ЦСВ'!A1:Y"]}]
    expected = [_trim([values_api(v) for v in row]) for row in fake.sheets["ЦСВ"].rows]
    while expected and not expected[-1]:
        expected.pop()
    assert again.rows == expected and len(expected) > FIRST_DATA_ROW


def test_grid_data_gives_exactly_what_values_get_gives(demo: tuple[Path, Any]) -> None:
    """The same sheet read through spreadsheets.get and through values.batchGet (the API the
    values were checked against before): identical rows, cell for cell and type for type."""
    sheets = FakeSheets.from_xlsx(demo[0])
    minister = sheets.sheets["Министерство"]
    row = FIRST_DATA_ROW + 2
    for col, value in enumerate(["0123", "+7 913 000-00-00", "12,5", True, False,
                                 SheetError("REF"), SheetError("N_A"), 46349.416666666664,
                                 46342, 0.1, -3]):
        minister.put(row, BY_KEY["letter"].index - col, value)
    minister.put(row + 1, column_index("Z"), "вне журнала")  # past Y: not part of the journal
    minister.formulas.add((row, BY_KEY["note"].index))
    with sheets.mock():
        source = google_source()
        grids = {g.title: g for g in source.read(source.sheet_titles())}
        reply = source.http.values_batch_get(
            KEY, [a1(t, "A1:Y") for t in grids], params={
                "valueRenderOption": "UNFORMATTED_VALUE",
                "dateTimeRenderOption": "SERIAL_NUMBER", "majorDimension": "ROWS"})
    for title, value_range in zip(grids, reply["valueRanges"], strict=True):
        expected = value_range.get("values", [])
        got = grids[title].rows
        assert got == expected, title
        assert [[type(v) for v in r] for r in got] == [[type(v) for v in r] for r in expected]
    assert "#REF!" in grids["Министерство"].rows[row - 1]
    assert (row, BY_KEY["note"].index) in grids["Министерство"].formulas


@pytest.mark.parametrize(("value", "raw"), [
    ({"numberValue": 1}, 1),
    ({"numberValue": 1.0}, 1),  # a whole number is an int, as values.get writes it
    ({"numberValue": 46342}, 46342),  # 16.11.2026 as a serial number
    ({"numberValue": 46349.416666666664}, 46349.416666666664),  # 23.11.2026 10:00
    ({"numberValue": 0.5}, 0.5),  # 12:00 as a time of day
    ({"numberValue": -7.25}, -7.25),
    ({"numberValue": 1e20}, 1e20),  # beyond exact ints: stays a float
    ({"stringValue": "0123"}, "0123"),
    ({"stringValue": "+7 913 000-00-00"}, "+7 913 000-00-00"),
    ({"stringValue": "12,5"}, "12,5"),
    ({"stringValue": "=1+1"}, "=1+1"),  # text that looks like a formula stays text
    ({"stringValue": " "}, " "),
    ({"boolValue": True}, True),
    ({"boolValue": False}, False),
    ({"errorValue": {"type": "REF", "message": "Ссылка не существует."}}, "#REF!"),
    ({"errorValue": {"type": "DIVIDE_BY_ZERO"}}, "#DIV/0!"),
    ({"errorValue": {"type": "N_A"}}, "#N/A"),
    ({"errorValue": {"type": "NAME"}}, "#NAME?"),
    ({"errorValue": {"type": "VALUE"}}, "#VALUE!"),
    ({"errorValue": {"type": "NUM"}}, "#NUM!"),
    ({"errorValue": {"type": "NULL_VALUE"}}, "#NULL!"),
    ({"errorValue": {"type": "ERROR"}}, "#ERROR!"),
    ({"errorValue": {"type": "LOADING"}}, "Loading..."),
    ({"errorValue": {}}, "#ERROR!"),
    ({}, ""),
    (None, ""),
])
def test_effective_values_convert_exactly(value: dict[str, Any] | None, raw: Any) -> None:
    cell = {} if value is None else {"effectiveValue": value}
    got = cell_value(cell)
    assert got == raw and type(got) is type(raw)
    # The same through the HTTP path: decoded while the JSON is parsed, then placed in a row.
    end = {"effectiveValue": {"stringValue": "конец"}}
    formula = {"userEnteredValue": {"formulaValue": "=A1"}, **cell}
    reply = {"sheets": [{"properties": {"sheetId": 0, "title": "Л", "sheetType": "GRID"},
                         "data": [{"rowData": [{"values": [cell, formula, end]}]}]}]}
    infos, values = parse_spreadsheet(json.loads(json.dumps(reply), object_hook=decode_cell))
    [[first, second, _]] = values["Л"]
    assert first == second == raw and type(first) is type(second) is type(raw)
    assert infos["Л"].formulas == frozenset({(1, 1)})


def test_grid_data_rows_are_placed_as_in_the_sheet() -> None:
    """rows[0] is row 1 and column A is index 0, whatever startRow/startColumn say; empty
    cells and rows at the ends are left out, columns past Y cut off."""
    number = {"effectiveValue": {"numberValue": 7}}
    text = {"effectiveValue": {"stringValue": "x"}}
    meta = {"sheets": [{
        "properties": {"sheetId": 5, "title": "Лист", "index": 0, "sheetType": "GRID"},
        "data": [{"startRow": 2, "startColumn": 1, "rowData": [
            {"values": [number, {}, text, {}]},
            {},
            {"values": [{}, {"userEnteredValue": {"formulaValue": "=B3"}, **number}]},
            {"values": [{}]},
        ]}, {"startRow": 6, "rowData": [{"values": [text] * 30}]}],
    }]}
    infos, values = parse_spreadsheet(meta)
    assert values["Лист"] == [[], [], ["", 7, "", "x"], [], ["", "", 7], [], ["x"] * 25]
    assert infos["Лист"].formulas == frozenset({(5, 2)})
    assert infos["Лист"].sheet_id == 5


def test_the_request_count_does_not_grow_with_rows(demo: tuple[Path, Any],
                                                   config: Config) -> None:
    sheets = FakeSheets.from_xlsx(demo[0])
    minister = sheets.sheets["Министерство"]
    template = minister.rows[FIRST_DATA_ROW - 1]
    for n in range(1000, 6000):
        minister.rows.append([n, *template[1:]])
    with sheets.mock():
        source = google_source()
        journals = read_journals(source, config)
    assert len(journals[0].applications) > 5000
    assert source.requests == 1


def test_values_stay_as_typed_and_serials_are_dates(config: Config) -> None:
    """The recorded payload: '0123', '+7 …', '12,5' are never numericised."""
    with responses.RequestsMock() as mock:
        mock.add(responses.GET, f"{API}/{KEY}", json=fixture("spreadsheets_get.json"))
        source = google_source()
        assert source.sheet_titles() == ["Министерство", "Справочники"]  # no chart sheet
        [journal] = read_journals(source, config)
        assert len(mock.calls) == 1
    # The grid data is what values.batchGet gave for 'Министерство'!A1:Y (recorded alike);
    # the note past column Y is cut off.
    recorded = fixture("values_batchget.json")["valueRanges"][0]["values"]
    plain = parse_spreadsheet(fixture("spreadsheets_get.json"))
    text = (FIXTURES / "spreadsheets_get.json").read_text(encoding="utf-8")
    decoded = parse_spreadsheet(json.loads(text, object_hook=decode_cell))
    assert plain == decoded
    assert plain[1]["Министерство"] == recorded
    assert plain[1]["Справочники"][0][:2] == ["Решение", "Основание отклонения"]
    first, second = journal.applications
    assert first.number == 1
    assert first.received == dt.date(2026, 11, 16)
    assert first.appointment == dt.datetime(2026, 11, 23, 10, 0)
    assert first.notice_sent == dt.datetime(2026, 11, 17, 12, 0)
    assert (first.topic, first.note, first.phone) == ("0123", "12,5", "+7 913 000-00-00")
    assert (second.topic, second.phone) == ("+7 (3842) 00-00-00", "89130000000")
    assert second.number is None and "number" in second.invalid  # '12,5' is not 125
    codes = {(f.code, f.cell) for f in journal.findings}
    assert ("cell-invalid-number", "A7") in codes
    assert ("cell-formula", "B7") in codes  # from the formula mask of spreadsheets.get
    assert ("cell-merged", "D8") in codes  # a merge in the data area
    assert not any(f.code == "cell-merged" and f.row is not None and f.row < FIRST_DATA_ROW
                   for f in journal.findings)


def test_worksheets_chosen_in_the_location(fake: FakeSheets, config: Config) -> None:
    source = google_source(location=f"gsheet:{KEY}!ЦСВ")
    assert [j.sheet for j in read_journals(source, config)] == ["ЦСВ"]
    assert [c["query"] for c in fake.calls] == [{"fields": [READ_FIELDS],
                                                "ranges": ["'ЦСВ'!A1:Y"]}]
    fake.calls.clear()
    by_gid = google_source(location=f"https://docs.google.com/spreadsheets/d/{KEY}/edit#gid=1002")
    assert by_gid.sheet_titles() == ["ГЮБ Кузбасса"]
    [grid] = by_gid.read(["ГЮБ Кузбасса"])
    assert grid.rows and by_gid.requests == 1  # the tab is known by id only: every sheet whole
    assert [c["query"] for c in fake.calls] == [{"fields": [READ_FIELDS]}]
    fake.calls.clear()
    missing = google_source(location=f"gsheet:{KEY}!ЦСВ!Нет такого")
    with pytest.raises(JournalError, match="нет листа «Нет такого»; листы: «Министерство»"):
        missing.sheet_titles()
    # Google refuses the range (400); one get of the titles names what is missing.
    assert [c["query"] for c in fake.calls] == [
        {"fields": [READ_FIELDS], "ranges": ["'ЦСВ'!A1:Y", "'Нет такого'!A1:Y"]},
        {"fields": [TITLE_FIELDS]}]


@pytest.mark.parametrize(("status", "message"), [
    ("403", "Откройте таблицу для сервисного аккаунта vks@project.iam.gserviceaccount.com"),
    ("404", "таблица не найдена"),
    ("400", "Unable to parse range"),
])
def test_api_errors_become_russian_messages(status: str, message: str) -> None:
    with responses.RequestsMock() as mock:
        mock.add(responses.GET, f"{API}/{KEY}", json=fixture("errors.json")[status],
                 status=int(status[:3]))
        source = google_source()
        with pytest.raises(JournalError, match=message):
            source.sheet_titles()
        assert source.requests == 1  # a 4xx is never repeated


# The same rules, the same findings ----------------------------------------------------------


def test_same_findings_as_the_xlsx_journal(demo: tuple[Path, Any], fake: FakeSheets,
                                           config: Config) -> None:
    path, _ = demo
    clock = Clock.at(TODAY)
    expected = check_source(XlsxSource(path), config, clock)
    got = check_source(google_source(), config, clock)
    assert len(expected.findings) > 100
    assert got.flatten(FIELDS) == expected.flatten(FIELDS)
    assert [(j.body, j.sheet, j.rows) for j in got.journals] == [
        (j.body, j.sheet, j.rows) for j in expected.journals]
    assert got.requests == 1 and expected.requests is None
    assert [c["method"] for c in fake.calls] == ["GET"]


def test_same_writes_as_the_xlsx_journal(demo: tuple[Path, Any], fake: FakeSheets,
                                         config: Config) -> None:
    path, _ = demo
    clock = Clock.at(TODAY)
    expected = check_source(XlsxSource(path), config, clock, write=True)
    got = check_source(google_source(), config, clock, write=True)

    def cells_of(report: Any) -> list[tuple[str, str, str, str]]:
        return [(c.sheet, c.cell, c.old, c.new) for c in report.changes]

    assert len(expected.changes) > 20
    assert cells_of(got) == cells_of(expected)
    assert got.skipped == expected.skipped == []
    assert got.requests == 3  # read: get; write: re-read + batchUpdate
    get, reread, write = fake.calls
    assert get["query"] == {"fields": [READ_FIELDS]}
    assert reread["path"] == f"/v4/spreadsheets/{KEY}/values:batchGet"
    assert reread["query"]["valueRenderOption"] == ["UNFORMATTED_VALUE"]
    assert reread["query"]["dateTimeRenderOption"] == ["SERIAL_NUMBER"]
    assert reread["query"]["majorDimension"] == ["COLUMNS"]
    changed = list(dict.fromkeys(c.sheet for c in got.changes))
    assert reread["query"]["ranges"] == [
        a1(sheet, f"{letter}1:{letter}") for sheet in changed for letter in
        sorted({"A", "B", "C", *(BY_KEY[c.key].letter for c in got.changes if c.sheet == sheet)},
               key=column_index)]  # № п/п, the row's identity (date, name), the targets
    write = fake.calls[-1]
    assert (write["method"], write["path"]) == ("POST",
                                                f"/v4/spreadsheets/{KEY}/values:batchUpdate")
    assert write["json"]["valueInputOption"] == "RAW"
    assert [(d["range"], d["values"]) for d in write["json"]["data"]] == [
        (a1(c.sheet, c.cell), [[c.new]]) for c in got.changes]
    # Afterwards the Google sheet holds what the .xlsx holds, cell for cell.
    after = FakeSheets.from_xlsx(path)
    for title, sheet in after.sheets.items():
        assert [_trim(r) for r in fake.sheets[title].rows] == [_trim(r) for r in sheet.rows]
    # Re-run: same findings on both, nothing left to write, no write request.
    fake.calls.clear()
    again = check_source(google_source(), config, clock, write=True)
    assert again.changes == [] and again.requests == 1
    assert again.flatten(FIELDS) == check_source(XlsxSource(path), config, clock).flatten(FIELDS)


# No lost edits --------------------------------------------------------------------------------


def _control_changes(report: Any, sheet: str) -> list[CellChange]:
    return [c for c in report.changes if c.sheet == sheet and c.key == "control"]


def test_a_cell_edited_meanwhile_is_left_alone(demo: tuple[Path, Any], fake: FakeSheets,
                                               config: Config) -> None:
    plan = check_source(XlsxSource(demo[0]), config, Clock.at(TODAY), write=False)
    assert plan.findings
    minister = fake.sheets["Министерство"]
    control = BY_KEY["control"].index
    outcome = BY_KEY["outcome"].index
    # Rows the toolkit will write: flagged rows, and one cl. 2.7 cancellation.
    flagged = sorted({f.row for f in plan.findings if f.sheet == "Министерство"
                      and f.row and f.kind.flags_row})
    edited_row = flagged[0]

    def person_edits(sheets: FakeSheets) -> None:
        sheets.sheets["Министерство"].put(edited_row, control, "проверено, ждем ответа")

    fake.after(1, person_edits)  # between the job's read and its write
    report = check_source(google_source(), config, Clock.at(TODAY), write=True)
    skipped = [(c.sheet, c.cell, why) for c, why in report.skipped]
    ref = f"{BY_KEY['control'].letter}{edited_row}"
    assert skipped == [("Министерство", ref,
                        "ячейку изменили после чтения — оставлена как есть, программа запишет "
                        "ее при следующей проверке")]
    assert minister.get(edited_row, control) == "проверено, ждем ответа"
    written = {(c.sheet, c.cell) for c in report.changes}
    assert ("Министерство", ref) not in written
    assert any(c.key == "outcome" for c in report.changes)
    for change in report.changes:
        col = BY_KEY[change.key].index
        assert fake.sheets[change.sheet].get(change.row, col) == change.new
    assert all(BY_KEY[c.key].index in (control, outcome) for c in report.changes)
    assert "Не записано Министерство!" + ref in report.to_text()


def test_rows_are_found_by_number_after_sorting(fake: FakeSheets, config: Config) -> None:
    source = google_source()
    journals = read_journals(source, config)
    journal = journals[0]
    app = journal.applications[3]
    change = CellChange(journal.sheet, app.row, "control", app.raw_text("control"),
                        "п. 2.5: Просрочено решение", "контроль")
    minister = fake.sheets["Министерство"]
    # A person sorts the sheet newest first while the job thinks.
    data = minister.rows[FIRST_DATA_ROW - 1:]
    minister.rows[FIRST_DATA_ROW - 1:] = list(reversed(data))
    number = minister.rows[app.row - 1][0]
    assert number != app.number
    fake.calls.clear()
    result = source.write([change])
    new_row = fake.find_row("Министерство", app.number or 0)
    assert new_row != app.row
    assert [(c.row, c.cell) for c in result.written] == [(new_row, f"L{new_row}")]
    assert minister.get(new_row, BY_KEY["control"].index) == "п. 2.5: Просрочено решение"
    assert minister.get(app.row, BY_KEY["control"].index) in ("", None) or \
        minister.rows[app.row - 1][0] != app.number
    assert result.requests == 2
    reread = fake.calls[0]
    assert reread["query"]["ranges"] == ["'Министерство'!A1:A", "'Министерство'!B1:B",
                                         "'Министерство'!C1:C", "'Министерство'!L1:L"]
    assert reread["query"]["majorDimension"] == ["COLUMNS"]
    assert fake.calls[1]["json"]["data"] == [
        {"range": f"'Министерство'!L{new_row}", "majorDimension": "ROWS",
         "values": [["п. 2.5: Просрочено решение"]]}]


def test_writing_without_reading_first_costs_one_get_of_the_changed_sheet(
        fake: FakeSheets) -> None:
    row = FIRST_DATA_ROW
    fake.sheets["ЦСВ"].formulas.add((row + 1, BY_KEY["control"].index))
    old = cells.text_of(fake.sheets["ЦСВ"].get(row, BY_KEY["control"].index))
    changes = [CellChange("ЦСВ", row, "control", old, "п. 2.5: Просрочено решение", ""),
               CellChange("ЦСВ", row + 1, "control", "", "x", "")]
    result = google_source().write(changes)
    assert result.requests == 3  # the sheet's formulas, the re-read, the write
    get, reread, write = fake.calls
    assert get["query"] == {"fields": [READ_FIELDS], "ranges": ["'ЦСВ'!A1:Y"]}
    assert reread["query"]["ranges"] == ["'ЦСВ'!A1:A", "'ЦСВ'!L1:L"]
    assert write["json"]["data"] == [{"range": f"'ЦСВ'!L{row}", "majorDimension": "ROWS",
                                      "values": [["п. 2.5: Просрочено решение"]]}]
    assert result.skipped == [(changes[1], "в ячейке формула — не перезаписана")]


def test_a_row_deleted_meanwhile_is_skipped(fake: FakeSheets, config: Config) -> None:
    source = google_source()
    journal = read_journals(source, config)[0]
    numbers = [a.number for a in journal.applications]
    app = next(a for a in journal.applications if numbers.count(a.number) == 1)
    change = CellChange(journal.sheet, app.row, "control", app.raw_text("control"), "x", "")
    del fake.sheets["Министерство"].rows[app.row - 1]
    fake.calls.clear()
    result = source.write([change])
    assert result.written == []
    assert result.skipped == [(change, f"строка с № п/п {app.number} удалена или ее номер "
                                       f"изменен после чтения — ячейка не записана")]
    assert result.requests == 1  # the re-read; nothing to write
    assert [c["method"] for c in fake.calls] == ["GET"]


def test_only_toolkit_cells_are_ever_written(fake: FakeSheets, config: Config) -> None:
    source = google_source()
    journal = read_journals(source, config)[0]
    held = next(a for a in journal.applications if a.outcome is not None)
    changes = [
        CellChange(journal.sheet, held.row, "citizen", held.raw_text("citizen"), "Иванов", ""),
        CellChange(journal.sheet, held.row, "outcome", held.raw_text("outcome"),
                   "Отменен: гражданин отказался", "п. 2.7"),
    ]
    fake.calls.clear()
    result = source.write(changes)
    assert result.written == [] and result.requests == 0 and fake.calls == []
    assert [why for _, why in result.skipped] == [
        "программа записывает только «Контроль», «Решение об отклонении», отмену приема в "
        "графе 7 и пустые «Ссылка на Телемост», «Уведомление направлено», «Ответ гражданина», "
        "«Дата ответа» — ячейка не записана",
        "графа 7 уже заполнена — отмена не записана",
    ]


def test_a_formula_cell_is_not_overwritten(fake: FakeSheets, config: Config) -> None:
    row = FIRST_DATA_ROW
    fake.sheets["Министерство"].formulas.add((row, BY_KEY["control"].index))
    source = google_source()
    journal = read_journals(source, config)[0]
    change = CellChange(journal.sheet, row, "control", "", "x", "")
    result = source.write([change])
    assert result.skipped == [(change, "в ячейке формула — не перезаписана")]


def test_text_like_a_formula_is_written_raw(fake: FakeSheets, config: Config) -> None:
    source = google_source()
    journal = read_journals(source, config)[0]
    app = journal.applications[0]
    change = CellChange(journal.sheet, app.row, "letter", app.raw_text("letter"),
                        "=HYPERLINK(\"решения/1.docx\")", "")
    result = source.write([change])
    assert result.written == [change]
    assert fake.calls[-1]["json"]["valueInputOption"] == "RAW"
    assert fake.sheets["Министерство"].get(app.row, BY_KEY["letter"].index) == change.new


# Personal data kept out of Google -------------------------------------------------------------


def test_contacts_kept_in_a_local_file_give_the_same_findings(
        demo: tuple[Path, Any], fake: FakeSheets, config: Config, tmp_path: Path,
        caplog: pytest.LogCaptureFixture) -> None:
    from openpyxl import load_workbook

    path, _ = demo
    clock = Clock.at(TODAY)
    expected = check_source(XlsxSource(path), config, clock)
    local = tmp_path / "персональные-данные.xlsx"
    build_personal_file(local, list(fake.sheets)[:-1])
    wb = load_workbook(local)
    indexes = [BY_KEY[k].index for k in PERSONAL_KEYS]
    for title, sheet in fake.sheets.items():
        if title not in wb.sheetnames:
            continue
        ws = wb[title]
        assert [c.value for c in ws[1]] == list(HEADINGS)
        for row in sheet.rows[FIRST_DATA_ROW - 1:]:
            if not row or row[0] == "":
                continue
            values = [row[i] if i < len(row) else "" for i in indexes]
            ws.append([row[0], *values])
            for i in indexes:  # Google keeps these columns empty
                if i < len(row):
                    row[i] = ""
    wb.save(local)
    with caplog.at_level(logging.WARNING, logger="vks.gsheets"):
        got = check_source(google_source(personal_file=local), config, clock)
    assert got.flatten(FIELDS) == expected.flatten(FIELDS)
    # Rows without № п/п cannot be matched: their contacts stay in Google and are named.
    for record in caplog.records:
        if "записаны в Google" not in str(record.msg):
            continue  # e.g. a № п/п repeated in the local file, as in the journal
        _, title, shown = record.args  # type: ignore[misc]
        for ref in shown.split(", "):
            assert fake.sheets[title].get(int(ref[1:]), 0) == ""
    caplog.clear()
    # A phone typed into Google anyway is reported (by cell, never by value).
    fake.sheets["ЦСВ"].put(FIRST_DATA_ROW, BY_KEY["phone"].index, "+7 913 111-11-11")
    with caplog.at_level(logging.WARNING, logger="vks.gsheets"):
        check_source(google_source(personal_file=local), config, clock)
    assert f"лист «ЦСВ»: адрес или контакты записаны в Google Таблицу (O{FIRST_DATA_ROW}, " \
        in caplog.text
    assert "111-11-11" not in caplog.text


def test_a_missing_local_file_is_a_russian_error(fake: FakeSheets, config: Config,
                                                 tmp_path: Path) -> None:
    with pytest.raises(JournalError, match=r"Файл персональных данных .* не найден"):
        read_journals(google_source(personal_file=tmp_path / "нет.xlsx"), config)


# Configuration, login and the command line ---------------------------------------------------


def _service_account_key(tmp_path: Path) -> Path:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption()).decode()
    path = tmp_path / "service_account.json"
    path.write_text(json.dumps({
        "type": "service_account", "project_id": "vks-test", "private_key_id": "abc123",
        "private_key": pem, "client_email": "vks@vks-test.iam.gserviceaccount.com",
        "client_id": "1234567890", "token_uri": "https://oauth2.googleapis.com/token",
    }), encoding="utf-8")
    return path


def test_vks_check_on_a_google_journal(demo: tuple[Path, Any], fake: FakeSheets,
                                       tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The whole path: config → service-account login → 1 Sheets request → report."""
    key = _service_account_key(tmp_path)
    config = tmp_path / "vks.toml"
    config.write_text(f'[google]\nservice_account = "{key.name}"\ntimeout = 20\n',
                      encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    tokens: list[dict[str, list[str]]] = []
    mock = fake.mock()
    mock.start()
    try:
        def token(request: requests.PreparedRequest) -> tuple[int, dict[str, str], str]:
            body = request.body or b""
            tokens.append(parse_qs(body.decode() if isinstance(body, bytes) else body))
            return 200, {}, json.dumps({"access_token": "ya29.test", "expires_in": 3600,
                                        "token_type": "Bearer"})

        mock.add_callback(responses.POST, "https://oauth2.googleapis.com/token", callback=token)
        result = CliRunner().invoke(cli, ["-c", str(config), "-v", "check", f"gsheet:{KEY}",
                                          "--today", TODAY.isoformat()])
        sheet_calls = [c for c in mock.calls if "sheets.googleapis.com" in c.request.url]
    finally:
        mock.stop()
        mock.reset()
    assert result.exit_code == 1, result.output
    assert f"Журнал gsheet:{KEY} — проверка на 27.11.2026" in result.stdout
    assert f"Запросов к Google Таблицам (gsheet:{KEY}): 1" in result.stderr
    assert len(sheet_calls) == 1
    assert all(c.request.headers["Authorization"] == "Bearer ya29.test" for c in sheet_calls)
    assert all(c.request.req_kwargs["timeout"] == (10.0, 20.0) for c in sheet_calls)
    # The token was asked for the spreadsheets scope only: no Drive access.
    [grant] = tokens
    payload = grant["assertion"][0].split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    assert claims["scope"] == "https://www.googleapis.com/auth/spreadsheets"
    assert claims["iss"] == "vks@vks-test.iam.gserviceaccount.com"


def test_no_key_file_says_what_to_do(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VKS_GOOGLE_KEY", raising=False)
    monkeypatch.delenv("GOOGLE_APPLICATION_CREDENTIALS", raising=False)
    config = parse_config({"google": {"service_account": "нет-ключа.json"}},
                          tmp_path / "vks.toml")
    with pytest.raises(ConfigError, match=r"нет-ключа\.json не найден.*service_account"):
        open_source(f"gsheet:{KEY}", config)
    monkeypatch.setenv("VKS_GOOGLE_KEY", str(_service_account_key(tmp_path)))
    source = open_source(f"gsheet:{KEY}", Config())
    assert isinstance(source, GoogleSheetSource)
    assert source.account == "vks@vks-test.iam.gserviceaccount.com"
    assert source.http.auth.scopes == ["https://www.googleapis.com/auth/spreadsheets"]


@pytest.mark.parametrize(("table", "message"), [
    ({"timeout": "долго"}, "timeout — ожидается положительное число секунд"),
    ({"retries": 50}, "retries — ожидается целое число от 0 до 10"),
    ({"servce_account": "k.json"}, "неизвестный ключ «servce_account»"),
])
def test_google_settings_are_checked(table: dict[str, Any], message: str,
                                     tmp_path: Path) -> None:
    from toolkit.sources.gsheets.auth import GoogleSettings

    with pytest.raises(ConfigError, match=message):
        GoogleSettings.from_config(parse_config({"google": table}, tmp_path / "vks.toml"))


def test_notice_link_and_answer_cells_are_filled_only_while_empty(fake: FakeSheets,
                                                                 config: Config) -> None:
    source = google_source()
    journal = read_journals(source, config)[0]
    empty = next(a for a in journal.applications if a.notice_sent is None and not a.link
                 and a.answer is None and a.answered_at is None)
    sent = next(a for a in journal.applications if a.notice_sent is not None)
    fill = [
        CellChange(journal.sheet, empty.row, "link", "", "https://telemost.yandex.ru/j/1234567",
                   ""),
        CellChange(journal.sheet, empty.row, "notice_sent", "", "27.11.2026 10:05", ""),
        CellChange(journal.sheet, empty.row, "answer", "", "Подтвердил участие", ""),
        CellChange(journal.sheet, empty.row, "answered_at", "", "27.11.2026 11:40", ""),
    ]
    keep = CellChange(journal.sheet, sent.row, "notice_sent", sent.raw_text("notice_sent"),
                      "27.11.2026 10:05", "")
    result = source.write([*fill, keep])
    assert result.written == fill
    assert result.skipped == [(keep, "ячейка уже заполнена — не перезаписана")]
    rows = fake.sheets["Министерство"].rows
    assert [rows[empty.row - 1][BY_KEY[c.key].index] for c in fill] == [c.new for c in fill]


def test_every_ledger_knows_a_journal_by_one_key(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """Letters, notices, replies and intake share `journal_key`: a Google journal given as a
    link is the link (it once became a path under the current folder for the letters ledger
    only, so notices never found its letters), a file its absolute path."""
    from toolkit.journal.locations import journal_key

    url = "https://docs.google.com/spreadsheets/d/1AbCdEfGhIjKlMnOp/edit#gid=0"
    assert journal_key(url) == url and journal_key(f" {url} ") == url
    assert journal_key("gsheet:1AbCdEfGhIjKlMnOp") == "gsheet:1AbCdEfGhIjKlMnOp"
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path / "дом"))
    assert journal_key("журнал.xlsx") == str(tmp_path / "журнал.xlsx")
    assert journal_key("~/журнал.xlsx") == str(tmp_path / "дом" / "журнал.xlsx")
