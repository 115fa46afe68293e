"""The HTTP client under gspread: bounded retry with backoff, time limit, timeouts, counting."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import requests
import responses
from gspread.exceptions import APIError

from toolkit.journal.errors import JournalError
from toolkit.journal.locations import SheetAddress
from toolkit.sources.gsheets.http import (
    RetryPolicy,
    SheetsHTTPClient,
    SheetsUnavailable,
    describe_call,
)
from toolkit.sources.gsheets.source import READ_FIELDS, GoogleSheetSource

KEY = "1BxiMVs0XRA5nFMdKvBdBZjgmUUqptlbs74OgvE2upms"
API = "https://sheets.googleapis.com/v4/spreadsheets"
GET = f"{API}/{KEY}"
BATCH_GET = f"{API}/{KEY}/values:batchGet"
BATCH_UPDATE = f"{API}/{KEY}/values:batchUpdate"
ERRORS = json.loads((Path(__file__).parent / "fixtures" / "gsheets" / "errors.json")
                    .read_text(encoding="utf-8"))
OK_GET = {"spreadsheetId": KEY, "valueRanges": [{"range": "'ЦСВ'!A1:X1000",
                                                 "majorDimension": "ROWS", "values": [["1"]]}]}
OK_SPREADSHEET = {"sheets": [{
    "properties": {"sheetId": 0, "title": "ЦСВ", "index": 0, "sheetType": "GRID"},
    "data": [{"rowData": [{"values": [{"effectiveValue": {"numberValue": 1}},
                                      {"effectiveValue": {"stringValue": "0123"}}]}]}]}]}
OK_UPDATE = {"spreadsheetId": KEY, "totalUpdatedRows": 1, "totalUpdatedColumns": 1,
             "totalUpdatedCells": 1, "totalUpdatedSheets": 1,
             "responses": [{"spreadsheetId": KEY, "updatedRange": "'ЦСВ'!W7", "updatedRows": 1,
                            "updatedColumns": 1, "updatedCells": 1}]}
WRITE = {"valueInputOption": "RAW", "data": [{"range": "'ЦСВ'!W7", "majorDimension": "ROWS",
                                              "values": [["п. 2.5: Просрочено решение"]]}]}


class Clock:
    """Time that passes only when the client sleeps (or a request is slow)."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    def __call__(self) -> float:
        return self.now


def make(clock: Clock, **policy: Any) -> SheetsHTTPClient:
    return SheetsHTTPClient(None, session=requests.Session(), policy=RetryPolicy(**policy),
                            sleep=clock.sleep, clock=clock, jitter=lambda: 1.0)


def read(http: SheetsHTTPClient) -> Any:
    return http.values_batch_get(KEY, ["'ЦСВ'!A1:X"], params={
        "valueRenderOption": "UNFORMATTED_VALUE", "dateTimeRenderOption": "SERIAL_NUMBER"})


@responses.activate
def test_a_429_is_waited_out_with_exponential_backoff() -> None:
    for _ in range(3):
        responses.add(responses.GET, BATCH_GET, json=ERRORS["429"], status=429)
    responses.add(responses.GET, BATCH_GET, json=OK_GET)
    clock = Clock()
    http = make(clock)
    assert read(http) == OK_GET
    assert http.requests == 4 and http.repeats == 3
    assert clock.sleeps == [1.0, 2.0, 4.0]
    assert len(responses.calls) == 4


@responses.activate
def test_the_read_is_one_get_and_is_retried_after_a_5xx() -> None:
    responses.add(responses.GET, GET, json=ERRORS["503"], status=503)
    responses.add(responses.GET, GET, json=ERRORS["500"], status=500)
    responses.add(responses.GET, GET, json=OK_SPREADSHEET)
    clock = Clock()
    source = GoogleSheetSource(SheetAddress(KEY), make(clock))
    [grid] = source.read(source.sheet_titles())
    assert grid.rows == [[1, "0123"]]
    assert source.requests == 3 and clock.sleeps == [1.0, 2.0]
    assert all(c.request.params == {"fields": READ_FIELDS} for c in responses.calls)
    assert {c.request.req_kwargs["timeout"] for c in responses.calls} == {(10.0, 60.0)}


@responses.activate
def test_a_read_that_times_out_for_good_ends_in_a_russian_message() -> None:
    responses.add(responses.GET, GET, body=requests.exceptions.ReadTimeout("read timed out"))
    clock = Clock()
    source = GoogleSheetSource(SheetAddress(KEY), make(clock, retries=2))
    with pytest.raises(SheetsUnavailable, match=r"нет ответа \(истекло время ожидания\) на "
                                                r"запрос spreadsheets\.get; после 3 попыток"):
        source.sheet_titles()
    assert source.requests == 3


@responses.activate
def test_replies_are_asked_for_gzip_compressed() -> None:
    """Google gzips a reply only if the user agent says gzip too (Sheets performance guide)."""
    responses.add(responses.GET, GET, json=OK_SPREADSHEET)
    source = GoogleSheetSource(SheetAddress(KEY), make(Clock()))
    source.sheet_titles()
    headers = responses.calls[0].request.headers
    assert "gzip" in headers["Accept-Encoding"]
    assert headers["User-Agent"].endswith("vks (gzip)")


@responses.activate
def test_retry_after_is_honoured_and_jitter_spreads_waits() -> None:
    responses.add(responses.GET, BATCH_GET, json=ERRORS["503"], status=503,
                  headers={"Retry-After": "7"})
    responses.add(responses.GET, BATCH_GET, json=ERRORS["500"], status=500)
    responses.add(responses.GET, BATCH_GET, json=OK_GET)
    clock = Clock()
    http = SheetsHTTPClient(None, session=requests.Session(), sleep=clock.sleep, clock=clock,
                            jitter=lambda: 0.0)
    read(http)
    assert clock.sleeps == [7.0, 1.0]  # Retry-After; then half of the 2 s ceiling


@responses.activate
def test_persistent_500_gives_up_after_the_retries() -> None:
    responses.add(responses.GET, BATCH_GET, json=ERRORS["500"], status=500)
    clock = Clock()
    http = make(clock, retries=3)
    with pytest.raises(SheetsUnavailable, match=r"ответ 500 на запрос values\.batchGet; после 4 "
                                                r"попыток за 7 с"):
        read(http)
    assert http.requests == 4 and len(responses.calls) == 4
    assert clock.sleeps == [1.0, 2.0, 4.0]


@responses.activate
def test_the_total_time_limit_stops_retrying() -> None:
    responses.add(responses.GET, BATCH_GET, json=ERRORS["429"], status=429)
    clock = Clock()
    http = make(clock, retries=10, time_limit=20)
    with pytest.raises(SheetsUnavailable, match="Запустите команду позже"):
        read(http)
    # Waits 1+2+4+8 = 15 s; the next one (16 s) would pass the 20 s limit.
    assert clock.sleeps == [1.0, 2.0, 4.0, 8.0]
    assert http.requests == 5
    assert sum(clock.sleeps) <= 20


@responses.activate
def test_every_attempt_has_a_timeout_bounded_by_the_time_left() -> None:
    responses.add(responses.GET, BATCH_GET, json=ERRORS["500"], status=500)
    responses.add(responses.GET, BATCH_GET, json=OK_GET)
    clock = Clock()
    http = make(clock, connect_timeout=5, read_timeout=30, time_limit=30.5, base_delay=4)
    read(http)
    timeouts = [c.request.req_kwargs["timeout"] for c in responses.calls]
    assert timeouts == [(5.0, 30.0), (5.0, 26.5)]


@responses.activate
def test_a_read_timeout_is_retried() -> None:
    responses.add(responses.GET, BATCH_GET, body=requests.exceptions.ReadTimeout("read timed out"))
    responses.add(responses.GET, BATCH_GET, json=OK_GET)
    clock = Clock()
    http = make(clock)
    assert read(http) == OK_GET
    assert http.requests == 2 and clock.sleeps == [1.0]


@responses.activate
def test_a_write_that_timed_out_is_not_repeated() -> None:
    responses.add(responses.POST, BATCH_UPDATE,
                  body=requests.exceptions.ReadTimeout("read timed out"))
    clock = Clock()
    http = make(clock)
    with pytest.raises(SheetsUnavailable, match="неизвестно, выполнен ли он"):
        http.values_batch_update(KEY, WRITE)
    assert http.requests == 1 and clock.sleeps == []


@responses.activate
def test_a_write_that_got_500_is_not_repeated() -> None:
    responses.add(responses.POST, BATCH_UPDATE, json=ERRORS["500"], status=500)
    clock = Clock()
    http = make(clock)
    with pytest.raises(APIError) as caught:
        http.values_batch_update(KEY, WRITE)
    assert caught.value.code == 500 and caught.value.error["status"] == "INTERNAL"
    assert http.requests == 1 and len(responses.calls) == 1


@responses.activate
def test_a_write_refused_by_quota_is_repeated() -> None:
    responses.add(responses.POST, BATCH_UPDATE, json=ERRORS["429"], status=429)
    responses.add(responses.POST, BATCH_UPDATE, json=OK_UPDATE)
    clock = Clock()
    http = make(clock)
    assert http.values_batch_update(KEY, WRITE) == OK_UPDATE
    assert http.requests == 2
    assert [json.loads(c.request.body) for c in responses.calls] == [WRITE, WRITE]


@responses.activate
def test_a_drive_style_403_rate_limit_is_retried_but_permission_denied_is_not() -> None:
    responses.add(responses.GET, BATCH_GET, json=ERRORS["403-rate"], status=403)
    responses.add(responses.GET, BATCH_GET, json=OK_GET)
    clock = Clock()
    http = make(clock)
    read(http)
    assert http.requests == 2
    responses.replace(responses.GET, BATCH_GET, json=ERRORS["403"], status=403)
    with pytest.raises(APIError):
        read(http)
    assert http.requests == 3


@responses.activate
def test_a_non_json_error_page_is_parsed_safely() -> None:
    responses.add(responses.POST, BATCH_UPDATE, body="<html><body>502 Bad Gateway</body></html>",
                  status=502, content_type="text/html")
    source = GoogleSheetSource(SheetAddress(KEY), make(Clock()))
    with pytest.raises(JournalError, match=r"ошибка Google Таблиц \(-1 invalid JSON"):
        source.call(source.http.values_batch_update, KEY, WRITE)


@responses.activate
def test_no_connection_on_a_read_ends_in_a_russian_message() -> None:
    responses.add(responses.GET, BATCH_GET,
                  body=requests.exceptions.ConnectionError("Name or service not known"))
    clock = Clock()
    http = make(clock, retries=2)
    with pytest.raises(SheetsUnavailable, match=r"нет соединения на запрос values\.batchGet"):
        read(http)
    assert http.requests == 3


def test_calls_are_named_as_in_the_api_reference() -> None:
    assert describe_call("GET", f"{API}/{KEY}") == "spreadsheets.get"
    assert describe_call("POST", f"{API}/{KEY}:batchUpdate") == "spreadsheets.batchUpdate"
    assert describe_call("GET", BATCH_GET) == "values.batchGet"
    assert describe_call("POST", BATCH_UPDATE) == "values.batchUpdate"
    assert describe_call("GET", f"{API}/{KEY}/values/%27A%27%21A1") == "values.get"
