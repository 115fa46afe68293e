"""The JSON report written finding by finding is exactly `json.dumps` of each `to_dict`."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from conftest import TODAY

from toolkit.journal.findings import finding
from toolkit.journal.report import Report
from toolkit.sources.demo import Manifest
from toolkit.sources.open import check


def _lines(report: Report) -> list[str]:
    text = report.to_json()
    body = text.split('"findings": [\n', 1)[1].split("\n  ]", 1)[0]
    return [line.strip().rstrip(",") for line in body.split("\n")]


def test_every_finding_line_is_json_dumps_of_its_dict(demo: tuple[Path, Manifest]) -> None:
    path, _ = demo
    report = check(str(path), today=TODAY)
    assert len({f.code for f in report.findings}) > 20  # the demo plants most codes
    assert _lines(report) == [json.dumps(f.to_dict(), ensure_ascii=False)
                              for f in report.findings]
    assert json.loads(report.to_json()) == report.to_dict()


def test_odd_text_nulls_and_dates_are_encoded_as_json_dumps_does() -> None:
    report = Report("журнал «тест».xlsx", dt.date(2026, 11, 27))
    report.findings = [
        finding("cell-unknown-value", 'Орган "№1"\tс\\слэшем', "Лист\nдва", 7, "E7",
                column="Решение", value='«да»\u2028"x"\x01', choices="«Да»; «Нет»"),
        finding("header-mismatch", "Орган", "Лист", None, None, expected="№ п/п",
                found="пусто"),
        finding("decision-overdue", "Орган", "Лист", 9, "E9", dt.date(2026, 1, 5)),
        finding("decision-overdue", "Орган", "Лист", 10, "E10", dt.date(2026, 1, 5)),
        finding("calendar-unknown", "Орган", "Лист", year="2031"),
    ]
    assert _lines(report) == [json.dumps(f.to_dict(), ensure_ascii=False)
                              for f in report.findings]
    assert json.loads(report.to_json()) == report.to_dict()


def test_no_findings_is_an_empty_list() -> None:
    report = Report("ж.xlsx", dt.date(2026, 11, 27))
    assert json.loads(report.to_json())["findings"] == []
