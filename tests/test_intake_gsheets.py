"""Registration into a Google journal, at the HTTP boundary: one values.append per sheet, RAW
input (text stays text, dates go as serial numbers), the row Google reports."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
import requests
import responses
from test_gsheets import API, KEY, FakeSheets, _service_account_key, google_source, parse_range

from toolkit.intake.register import take_in
from toolkit.journal import cells
from toolkit.journal.clock import Clock
from toolkit.journal.config import load_config
from toolkit.journal.read import read_journals
from toolkit.journal.schema import BY_KEY, FIRST_DATA_ROW, column_letter


class AppendingSheets(FakeSheets):
    """FakeSheets with values.append: after the last row holding something, rows inserted."""

    def mock(self) -> responses.RequestsMock:
        mock = super().mock()
        mock.add_callback(responses.POST, re.compile(rf"{API}/{KEY}/values/.+:append"),
                          callback=self._wrap(self._append))
        return mock

    def _append(self, call: dict[str, Any]) -> dict[str, Any]:
        query = call["query"]
        assert query["valueInputOption"] == ["RAW"]
        assert query["insertDataOption"] == ["INSERT_ROWS"]
        target = unquote(call["path"].rsplit("/values/", 1)[1].removesuffix(":append"))
        title, r1, _, _, _ = parse_range(target)
        sheet = self.sheets[title]
        last = max((r for r, row in enumerate(sheet.rows, start=1)
                    if r >= r1 and any(v != "" for v in row)), default=r1 - 1)
        values = call["json"]["values"]
        for i, row in enumerate(values):
            for j, value in enumerate(row):
                sheet.put(last + 1 + i, j, value)
        end = column_letter(max(len(r) for r in values) - 1)
        updated = f"'{title}'!A{last + 1}:{end}{last + len(values)}"
        return {"spreadsheetId": KEY, "tableRange": f"'{title}'!A{r1}:Y{last}",
                "updates": {"updatedRange": updated, "updatedRows": len(values)}}


@pytest.fixture
def fake(demo: tuple[Path, Any]) -> Any:
    path, _ = demo
    sheets = AppendingSheets.from_xlsx(path)
    with sheets.mock() as mock:
        yield sheets, mock


def test_append_is_one_raw_request_and_reports_the_row(fake: Any) -> None:
    sheets, _ = fake
    source = google_source()
    last = len(sheets.sheets["ЦСВ"].rows)
    rows = [[61, 46351, "=HYPERLINK(\"http://x\")", "+7 900 000-00-00"], [62, 46351, "Текст"]]
    assert source.append("ЦСВ", rows) == last + 1
    (call,) = sheets.calls
    assert call["method"] == "POST" and call["json"]["values"] == rows
    assert call["json"]["majorDimension"] == "ROWS"
    assert sheets.sheets["ЦСВ"].get(last + 1, 2) == "=HYPERLINK(\"http://x\")"  # literal (RAW)


def test_take_in_registers_into_the_google_journal(fake: Any, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    sheets, mock = fake
    monkeypatch.chdir(tmp_path)  # the ledger of a Google journal: ./.vks
    key = _service_account_key(tmp_path)
    config_path = tmp_path / "vks.toml"
    config_path.write_text(f'[google]\nservice_account = "{key.name}"\n\n[intake]\n'
                           'forward = false\n\n[[bodies]]\nname = "ЦСВ"\n', encoding="utf-8")
    mock.add_callback(responses.POST, "https://oauth2.googleapis.com/token",
                      callback=lambda r: (200, {}, json.dumps({
                          "access_token": "ya29.test", "expires_in": 3600,
                          "token_type": "Bearer"})))
    export = tmp_path / "заявки.csv"
    export.write_text(
        "Дата подачи;ФИО;Дата рождения;Документ;Орган;Согласие на обработку ПДн;"
        "Согласие на видеозапись;Тематика вопроса;Телефон;E-mail;Адрес\n"
        "26.11.2026 12:00;Смирнова Ольга Викторовна;01.02.1960;паспорт 3200 123456;ЦСВ;Да;Да;"
        "=1+2 единое пособие;+7 900 123-45-67;o@example.ru;г. Кемерово, ул. Весенняя, д. 1\n"
        "26.11.2026 12:30;Орлов Иван Петрович;03.04.1970;паспорт 3201 654321;ЦСВ;Да;Да;"
        "Социальный контракт;+7 900 765-43-21;i@example.ru;г. Кемерово, ул. Весенняя, д. 2\n",
        encoding="utf-8")
    location = f"gsheet:{KEY}"
    before = {t: len(s.rows) for t, s in sheets.sheets.items()}
    top = max(r[0] for r in sheets.sheets["ЦСВ"].rows[FIRST_DATA_ROW - 1:] if r and
              isinstance(r[0], int))
    calls = len(sheets.calls)
    result = take_in([export], load_config(config_path), Clock.at(dt.datetime(2026, 11, 26, 15)),
                     location, environ={})
    assert [(i.state, i.sheet, i.number) for i in result.items] == [
        ("registered", "ЦСВ", top + 1), ("registered", "ЦСВ", top + 2)], result.lines()
    appends = [c for c in sheets.calls[calls:] if c["path"].endswith(":append")]
    assert len(appends) == 1  # one request for the sheet, both rows
    row = sheets.sheets["ЦСВ"].rows[before["ЦСВ"]]
    assert row[BY_KEY["number"].index] == top + 1
    assert row[BY_KEY["received"].index] == int(cells.to_serial(dt.date(2026, 11, 26)))
    assert row[BY_KEY["topic"].index] == "=1+2 единое пособие"  # RAW: literal text
    assert row[BY_KEY["phone"].index] == "+7 900 123-45-67"
    assert {t: len(s.rows) for t, s in sheets.sheets.items()} == {
        **before, "ЦСВ": before["ЦСВ"] + 2}
    # Read back through the source, the new rows are applications like any other.
    journals = read_journals(google_source(), load_config(config_path), ["ЦСВ"])
    new = [a for a in journals[0].applications if a.number and a.number > top]
    assert [(a.number, a.received, a.submitted) for a in new] == [
        (top + 1, dt.date(2026, 11, 26), dt.date(2026, 11, 26)),
        (top + 2, dt.date(2026, 11, 26), dt.date(2026, 11, 26))]
    assert requests  # the real requests session went through `responses`


def test_a_sheet_google_refused_waits_while_the_others_stay_registered(
        fake: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sheets, mock = fake
    monkeypatch.chdir(tmp_path)
    key = _service_account_key(tmp_path)
    config_path = tmp_path / "vks.toml"
    config_path.write_text(f'[google]\nservice_account = "{key.name}"\n\n[intake]\n'
                           'forward = false\n\n[[bodies]]\nname = "ЦСВ"\n\n[[bodies]]\n'
                           'name = "Министерство"\n', encoding="utf-8")
    mock.add_callback(responses.POST, "https://oauth2.googleapis.com/token",
                      callback=lambda r: (200, {}, json.dumps({
                          "access_token": "ya29.test", "expires_in": 3600,
                          "token_type": "Bearer"})))
    export = tmp_path / "заявки.csv"
    export.write_text(
        "Дата подачи;ФИО;Дата рождения;Орган;Согласие на обработку ПДн;"
        "Согласие на видеозапись;Тематика вопроса;Телефон\n"
        "26.11.2026 12:00;Смирнова Ольга Викторовна;01.02.1960;ЦСВ;Да;Да;Пособие;+79001234567\n"
        "26.11.2026 12:30;Орлов Иван Петрович;03.04.1970;Министерство;Да;Да;Жалоба;"
        "+79007654321\n", encoding="utf-8")
    config = load_config(config_path)
    clock = Clock.at(dt.datetime(2026, 11, 26, 15))
    # get (titles and rows), get again right before writing, append «ЦСВ», append «Министерство»
    sheets.fail(len(sheets.calls) + 4, 500, {"error": {"code": 500, "message": "Internal",
                                                       "status": "INTERNAL"}})
    first = take_in([export], config, clock, f"gsheet:{KEY}", environ={})
    assert sorted((i.state, i.body) for i in first.items) == [("pending", "Министерство"),
                                                              ("registered", "ЦСВ")]
    assert first.exit_code == 1 and any("лист «Министерство» не записан" in n
                                        for n in first.notes)
    second = take_in([export], config, clock, f"gsheet:{KEY}", environ={})
    assert sorted((i.state, i.body) for i in second.items) == [
        ("copy", ""), ("registered", "Министерство")]
    appended = [c for c in sheets.calls if c["path"].endswith(":append")]
    assert len(appended) == 3  # «ЦСВ» once, «Министерство» refused once and then written
