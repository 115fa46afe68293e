"""Malformed Google replies end in a Russian message and exit code 2 — never an out-of-memory
kill or «Внутренняя ошибка». At the HTTP boundary (`responses`)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import responses
from test_gsheets import API, KEY, google_source

from toolkit.journal.errors import JournalError
from toolkit.journal.model import CellChange
from toolkit.sources.gsheets.replies import MAX_ROWS, BadReply

GRID = {"properties": {"sheetId": 0, "title": "ЦСВ", "index": 0, "sheetType": "GRID"}}


def _sheet(**data: Any) -> dict[str, Any]:
    return {"sheets": [{**GRID, "data": [data]}]}


@pytest.fixture
def google() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.mark.parametrize(("body", "why"), [
    (_sheet(startRow=99_999_999_999, rowData=[{"values": [{"effectiveValue":
                                                           {"stringValue": "x"}}]}]),
     "startRow 99999999999 листа «ЦСВ» — за пределами таблицы (не больше 1 000 000 строк)"),
    (_sheet(startRow="5", rowData=[]), "startRow '5' листа «ЦСВ»"),
    (_sheet(startRow=MAX_ROWS - 1, rowData=[{}, {}]), "rowData листа «ЦСВ»"),
    (_sheet(rowData=5), "rowData листа «ЦСВ»"),
    (_sheet(rowData=["строка"]), "строка листа «ЦСВ» — не объект"),
    (_sheet(rowData=[{"values": {"a": 1}}]), "значения строки листа «ЦСВ»"),
    (_sheet(rowData=[{"values": [[1, 2]]}]), "значение ячейки листа «ЦСВ» неизвестного типа"),
    ({"sheets": "ЦСВ"}, "sheets — не список листов"),
    ({"sheets": [{"properties": {"title": 5}}]}, "свойства листа 1"),
    ({"sheets": [{**GRID, "merges": [{"startRowIndex": -1}]}]},
     "объединенные ячейки листа «ЦСВ»"),
    ([1, 2, 3], "не объект JSON"),
])
def test_a_malformed_spreadsheet_is_refused_with_what_was_wrong(
        google: responses.RequestsMock, body: Any, why: str) -> None:
    google.add(responses.GET, f"{API}/{KEY}", json=body)
    with pytest.raises(BadReply) as bad:
        google_source().sheet_titles()
    assert why in str(bad.value)
    assert str(bad.value).startswith(f"gsheet:{KEY}: Google вернул ответ неожиданного вида (")
    assert bad.value.exit_code == 2


def test_a_reply_that_is_not_json(google: responses.RequestsMock) -> None:
    google.add(responses.GET, f"{API}/{KEY}", body="<html>502 Bad Gateway</html>",
               content_type="text/html")
    with pytest.raises(JournalError, match="Google вернул ответ, который не удалось разобрать"):
        google_source().sheet_titles()


def _readable(google: responses.RequestsMock) -> None:
    rows = [{"values": [{"effectiveValue": {"numberValue": 1}}]} for _ in range(3)]
    google.add(responses.GET, f"{API}/{KEY}", json=_sheet(rowData=rows))


@pytest.mark.parametrize(("reply", "why"), [
    ({"valueRanges": {"x": 1}}, "valueRanges — не список"),
    ([], "valueRanges — не список"),
    ({"valueRanges": [{"values": "abc"}, {}, {}, {}]}, "значения диапазона"),
    ({"valueRanges": [{"values": [[{"x": 1}]]}, {}, {}, {}]}, "значение ячейки неизвестного типа"),
    ({"valueRanges": [{}]}, "Google вернул 1 диапазонов вместо 4"),
])
def test_a_malformed_reread_writes_nothing(google: responses.RequestsMock, reply: Any,
                                           why: str) -> None:
    _readable(google)
    google.add(responses.GET, f"{API}/{KEY}/values:batchGet", json=reply)
    source = google_source()
    source.read(source.sheet_titles())
    with pytest.raises(BadReply, match=why):
        source.write([CellChange("ЦСВ", 6, "control", "", "x", "")])
    assert not [c for c in google.calls if c.request.method == "POST"]


def test_a_reread_that_is_not_json_writes_nothing(google: responses.RequestsMock) -> None:
    _readable(google)
    google.add(responses.GET, f"{API}/{KEY}/values:batchGet", body="{not json",
               content_type="application/json")
    source = google_source()
    source.read(source.sheet_titles())
    with pytest.raises(BadReply, match="ответ Google не удалось разобрать"):
        source.write([CellChange("ЦСВ", 6, "control", "", "x", "")])
    assert not [c for c in google.calls if c.request.method == "POST"]
