"""`vks init gsheet:…`: the spreadsheets.batchUpdate that lays out the journal, from the schema."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import requests
import responses
from click.testing import CliRunner
from conftest import TODAY
from openpyxl import load_workbook
from test_gsheets import API, KEY, FakeSheet, FakeSheets, _service_account_key, client

from toolkit.cli import cli
from toolkit.journal.clock import Clock
from toolkit.journal.config import Body, Config
from toolkit.journal.control import check_source
from toolkit.journal.errors import JournalError
from toolkit.journal.locations import SheetAddress
from toolkit.journal.schema import (
    BY_KEY,
    CHOICE_LISTS,
    COLUMNS,
    DIRECTORY_SHEET,
    FIRST_DATA_ROW,
    NUMBER_ROW,
    WIDTH,
    Kind,
    column_index,
)
from toolkit.sources.gsheets.format import SHEET_FIELDS, format_journal
from toolkit.sources.gsheets.personal import HEADINGS
from toolkit.sources.gsheets.source import GoogleSheetSource
from toolkit.sources.xlsx.template import FORMATS, build_workbook

BODIES = (Body(name="Министерство социальной защиты населения Кузбасса", sheet="Министерство"),
          Body(name="ГКУ «Центр социальных выплат …»", sheet="ЦСВ"))


class Spreadsheet:
    """A spreadsheet that applies spreadsheets.batchUpdate requests, for reading back."""

    def __init__(self, sheets: list[FakeSheet]) -> None:
        self.fake = FakeSheets(sheets)
        self.updates: list[dict[str, Any]] = []

    def mock(self) -> responses.RequestsMock:
        mock = self.fake.mock()
        mock.add_callback(responses.POST, f"{API}/{KEY}:batchUpdate", callback=self._batch)
        return mock

    def _batch(self, request: requests.PreparedRequest) -> tuple[int, dict[str, str], str]:
        body = json.loads(request.body or "{}")
        self.fake.calls.append({"method": "POST", "path": f"/v4/spreadsheets/{KEY}:batchUpdate",
                                "query": {}, "json": body})
        self.updates.append(body)
        by_id = {s.sheet_id: s for s in self.fake.sheets.values()}
        replies: list[dict[str, Any]] = []
        for item in body["requests"]:
            (kind, value), = item.items()
            if kind == "addSheet":
                props = value["properties"]
                sheet = FakeSheet(props["sheetId"], props["title"], [])
                by_id[sheet.sheet_id] = sheet
                replies.append({"addSheet": {"properties": props}})
                continue
            if kind == "updateSheetProperties":
                by_id[value["properties"]["sheetId"]].title = value["properties"]["title"]
            elif kind == "deleteSheet":
                del by_id[value["sheetId"]]
            elif kind == "updateCells":
                sheet = by_id[value["start"]["sheetId"]]
                r0, c0 = value["start"]["rowIndex"], value["start"]["columnIndex"]
                for i, row in enumerate(value["rows"]):
                    for j, cell in enumerate(row.get("values", [])):
                        text = cell.get("userEnteredValue", {}).get("stringValue")
                        if text is not None:
                            sheet.put(r0 + i + 1, c0 + j, text)
            elif kind == "mergeCells":
                g = value["range"]
                by_id[g["sheetId"]].merges.append((g["startRowIndex"] + 1, g["startColumnIndex"],
                                                   g["endRowIndex"], g["endColumnIndex"] - 1))
            replies.append({})
        self.fake.sheets = {s.title: s for s in by_id.values()}
        return 200, {}, json.dumps({"spreadsheetId": KEY, "replies": replies})


def new_spreadsheet() -> Spreadsheet:
    return Spreadsheet([FakeSheet(0, "Лист1", [])])


def source() -> GoogleSheetSource:
    return GoogleSheetSource(SheetAddress(KEY), client(), "vks@vks-test.iam.gserviceaccount.com")


def requests_of(book: Spreadsheet, kind: str, sheet_id: int | None = None) -> list[Any]:
    out = []
    for item in book.updates[-1]["requests"]:
        if kind in item:
            value = item[kind]
            ids = json.dumps(value)
            if sheet_id is None or f'"sheetId": {sheet_id}' in ids:
                out.append(value)
    return out


def test_an_empty_spreadsheet_becomes_the_journal_in_three_requests() -> None:
    book = new_spreadsheet()
    with book.mock():
        src = source()
        format_journal(src, BODIES)
        assert src.requests == 3
        get, batch_get, batch_update = book.fake.calls
        assert get["query"] == {"fields": [SHEET_FIELDS]}
        assert batch_get["query"]["ranges"] == ["'Лист1'"]
        assert batch_update["path"] == f"/v4/spreadsheets/{KEY}:batchUpdate"
        requests_sent = batch_update["json"]["requests"]
        assert requests_sent[0] == {"updateSpreadsheetProperties": {
            "properties": {"locale": "ru_RU", "timeZone": "Asia/Novokuznetsk"},
            "fields": "locale,timeZone"}}
        assert requests_sent[1] == {"updateSheetProperties": {
            "properties": {"sheetId": 0, "title": "vks-удалить-0"}, "fields": "title"}}
        assert requests_sent[-1] == {"deleteSheet": {"sheetId": 0}}
        assert list(book.fake.sheets) == ["Министерство", "ЦСВ", DIRECTORY_SHEET]
        # Read back: the header is Appendix 1's, the journal is empty and clean.
        report = check_source(source(), Config(), Clock.at(TODAY))
    assert [(j.sheet, j.rows) for j in report.journals] == [("Министерство", 0), ("ЦСВ", 0)]
    assert report.findings == []


def test_header_and_merges_match_the_xlsx_template() -> None:
    book = new_spreadsheet()
    with book.mock():
        format_journal(source(), BODIES)
    template = build_workbook(BODIES)
    for body in BODIES:
        ws = template[body.sheet]
        sheet = book.fake.sheets[body.sheet]
        for row in range(1, NUMBER_ROW + 1):
            for col in range(WIDTH):
                expected = ws.cell(row, col + 1).value or ""
                assert sheet.get(row, col) == expected, (body.sheet, row, col)
        xlsx_merges = sorted((m.min_row, m.min_col - 1, m.max_row, m.max_col - 1)
                             for m in ws.merged_cells.ranges)
        assert sorted(sheet.merges) == xlsx_merges
        [add] = [a for a in requests_of(book, "addSheet")
                 if a["properties"]["title"] == body.sheet]
        grid = add["properties"]["gridProperties"]
        assert ws.freeze_panes == "B6"
        # Rows as in the .xlsx; no frozen column: Sheets refuses merges across it.
        assert grid["frozenRowCount"] == NUMBER_ROW and "frozenColumnCount" not in grid


def test_drop_downs_come_from_the_directory_sheet() -> None:
    book = new_spreadsheet()
    with book.mock():
        format_journal(source(), BODIES)
    directory = book.fake.sheets[DIRECTORY_SHEET]
    journal_id = book.fake.sheets["Министерство"].sheet_id
    rules = {v["range"]["startColumnIndex"]: v for v in
             requests_of(book, "setDataValidation", journal_id)}
    for column in COLUMNS:
        if column.choices is None:
            continue
        rule = rules[column.index]
        assert rule["range"] == {"sheetId": journal_id, "startRowIndex": FIRST_DATA_ROW - 1,
                                 "startColumnIndex": column.index,
                                 "endColumnIndex": column.index + 1}
        condition = rule["rule"]["condition"]
        assert condition["type"] == "ONE_OF_RANGE" and rule["rule"]["strict"] is True
        ref = condition["values"][0]["userEnteredValue"]
        m = re.fullmatch(rf"='{DIRECTORY_SHEET}'!\$([A-Z])\$(\d+):\$\1\$(\d+)", ref)
        assert m, ref
        col = column_index(m.group(1))
        listed = [directory.get(r, col) for r in range(int(m.group(2)), int(m.group(3)) + 1)]
        assert listed == column.choices.labels()
    assert len(rules) == sum(1 for c in COLUMNS if c.choices or c.kind in (Kind.DATE,
                                                                         Kind.DATETIME))
    assert [directory.get(1, i) for i in range(len(CHOICE_LISTS))] == [
        "Решение", "Основание отклонения", "Итог", "Ответ гражданина", "Согласие"]


def test_formats_protection_and_flag_highlight() -> None:
    book = new_spreadsheet()
    with book.mock():
        format_journal(source(), BODIES)
    sid = book.fake.sheets["ЦСВ"].sheet_id
    patterns = {v["range"]["startColumnIndex"]:
                v["cell"]["userEnteredFormat"].get("numberFormat", {}).get("pattern")
                for v in requests_of(book, "repeatCell", sid)}
    for column in COLUMNS:
        xlsx = FORMATS[column.kind]
        expected = {"DD.MM.YYYY": "dd.mm.yyyy", "DD.MM.YYYY HH:MM": "dd.mm.yyyy hh:mm",
                    "0": "0"}.get(xlsx)
        assert patterns[column.index] == expected, column.key
    rules = [r["rule"] for r in requests_of(book, "addConditionalFormatRule", sid)]
    # The same highlight as the .xlsx: «Контроль» by severity, named service cells; never a
    # cell of graphs 1–7 (they are the printed form).
    assert [r["booleanRule"]["condition"]["values"][0]["userEnteredValue"] for r in rules] == [
        '=LEFT($L6,6)="Ошибка"', '=LEFT($L6,8)="Внимание"',
        '=IFERROR(FIND("("&ADDRESS(ROW(),COLUMN(),4)&")",$L6)<IFERROR(FIND("Внимание",$L6),'
        '100000),FALSE)',
        '=ISNUMBER(FIND("("&ADDRESS(ROW(),COLUMN(),4)&")",$L6))']
    assert min(g["startColumnIndex"] for r in rules for g in r["ranges"]) == \
        BY_KEY["control"].index
    assert [r["booleanRule"]["format"]["backgroundColor"] for r in rules[:2]] == [
        {"red": 1.0, "green": 0.78, "blue": 0.808}, {"red": 1.0, "green": 0.922, "blue": 0.612}]
    protected = [v["protectedRange"] for v in requests_of(book, "addProtectedRange", sid)]
    header, toolkit = protected
    assert header["range"] == {"sheetId": sid, "startRowIndex": 0, "startColumnIndex": 0,
                               "endRowIndex": NUMBER_ROW, "endColumnIndex": WIDTH}
    assert header["warningOnly"] is False
    assert toolkit["range"]["startColumnIndex"] == BY_KEY["control"].index
    assert toolkit["range"]["endColumnIndex"] == BY_KEY["letter"].index + 1
    assert toolkit["warningOnly"] is True
    directory_id = book.fake.sheets[DIRECTORY_SHEET].sheet_id
    [locked] = [v["protectedRange"] for v in requests_of(book, "addProtectedRange", directory_id)
                if v["protectedRange"]["range"] == {"sheetId": directory_id}]
    assert locked["warningOnly"] is False


def test_a_spreadsheet_with_data_is_refused_without_force() -> None:
    book = Spreadsheet([FakeSheet(0, "Министерство", [["старые данные"]]),
                        FakeSheet(7, "Заметки", [["не трогать"]])])
    with book.mock():
        with pytest.raises(JournalError, match="на листе «Министерство» уже есть данные"):
            format_journal(source(), BODIES)
        assert [c["method"] for c in book.fake.calls] == ["GET", "GET"]  # nothing changed
        format_journal(source(), BODIES, force=True)
    assert list(book.fake.sheets) == ["Заметки", "Министерство", "ЦСВ", DIRECTORY_SHEET]
    assert book.fake.sheets["Заметки"].rows == [["не трогать"]]
    assert book.fake.sheets["Министерство"].sheet_id not in (0, 7)


def test_contacts_kept_locally_get_a_local_file_and_protected_columns(tmp_path: Path) -> None:
    local = tmp_path / "персональные-данные.xlsx"
    book = new_spreadsheet()
    with book.mock():
        format_journal(source(), BODIES, personal_file=local)
    wb = load_workbook(local)
    assert wb.sheetnames == ["Министерство", "ЦСВ"]
    assert [c.value for c in wb["ЦСВ"][1]] == list(HEADINGS)
    sid = book.fake.sheets["ЦСВ"].sheet_id
    descriptions = [v["protectedRange"]["description"]
                    for v in requests_of(book, "addProtectedRange", sid)]
    assert sum("152-ФЗ" in d for d in descriptions) == 3
    before = local.read_bytes()
    book2 = new_spreadsheet()
    with book2.mock():
        format_journal(source(), BODIES, personal_file=local)
    assert local.read_bytes() == before  # an existing file is never overwritten


def test_vks_init_gsheet(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    key = _service_account_key(tmp_path)
    monkeypatch.setenv("VKS_GOOGLE_KEY", str(key))
    monkeypatch.delenv("VKS_CONFIG", raising=False)
    monkeypatch.chdir(tmp_path)
    book = new_spreadsheet()
    mock = book.mock()
    mock.add(responses.POST, "https://oauth2.googleapis.com/token",
             json={"access_token": "ya29.test", "expires_in": 3600, "token_type": "Bearer"})
    with mock:
        result = CliRunner().invoke(cli, ["init", f"gsheet:{KEY}", "--body", "ЦСВ"])
    assert result.exit_code == 0, result.output
    assert result.output == f"Создан журнал gsheet:{KEY}: ЦСВ.\n"
    assert list(book.fake.sheets) == ["ЦСВ", DIRECTORY_SHEET]


def test_specialists_drop_down_warns_and_matches_the_xlsx() -> None:
    """cl. 3.3: graph 6 offers the body's roster from «Справочники»; other names only warn."""
    bodies = (Body(name="Министерство", sheet="Министерство",
                   specialists=("Тарасов Евгений Павлович", "Гончарова Е.С.")),
              Body(name="ЦСВ", sheet="ЦСВ"),
              Body(name="ГЮБ", sheet="ГЮБ", specialists=("=1+2",)))
    book = new_spreadsheet()
    with book.mock():
        src = source()
        format_journal(src, bodies)
        assert src.requests == 3  # the lists ride in the same batchUpdate
    directory = book.fake.sheets[DIRECTORY_SHEET]
    graph6 = BY_KEY["specialist"].index
    template = build_workbook(bodies)
    for body in bodies:
        sid = book.fake.sheets[body.sheet].sheet_id
        rules = [v for v in requests_of(book, "setDataValidation", sid)
                 if v["range"]["startColumnIndex"] == graph6]
        xlsx = [dv for dv in template[body.sheet].data_validations.dataValidation
                if str(dv.sqref).startswith(f"{BY_KEY['specialist'].letter}6")]
        if not body.specialists:
            assert rules == [] and xlsx == []
            continue
        [rule] = rules
        assert rule["range"] == {"sheetId": sid, "startRowIndex": FIRST_DATA_ROW - 1,
                                 "startColumnIndex": graph6, "endColumnIndex": graph6 + 1}
        assert rule["rule"]["strict"] is False and rule["rule"]["showCustomUi"] is True
        condition = rule["rule"]["condition"]
        assert condition["type"] == "ONE_OF_RANGE"
        ref = condition["values"][0]["userEnteredValue"]
        m = re.fullmatch(rf"='{DIRECTORY_SHEET}'!\$([A-Z])\$2:\$\1\$(\d+)", ref)
        assert m, ref
        col = column_index(m.group(1))
        assert directory.get(1, col) == f"Специалисты: {body.sheet}"
        assert [directory.get(r, col) for r in range(2, int(m.group(2)) + 1)] == list(
            body.specialists)
        # The same cells as the .xlsx template's defined name.
        [dv] = xlsx
        name = dv.formula1.lstrip("=")
        assert template.defined_names[name].attr_text == ref.lstrip("=")
        assert dv.errorStyle == "warning"
    # A name that looks like a formula is sent as a string value, never a formula.
    [cells] = requests_of(book, "updateCells", directory.sheet_id)
    sent = [c.get("userEnteredValue", {}) for row in cells["rows"] for c in row["values"]]
    assert {"stringValue": "=1+2"} in sent and not any("formulaValue" in v for v in sent)
    [add] = [a for a in requests_of(book, "addSheet")
             if a["properties"]["title"] == DIRECTORY_SHEET]
    assert add["properties"]["gridProperties"]["columnCount"] == len(CHOICE_LISTS) + 3
