"""Reading real .xlsx journals: typed rows, tolerant input, hostile cells, header checks."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest

from toolkit.journal.config import Config
from toolkit.journal.errors import HeaderMismatch, JournalError
from toolkit.journal.read import check_header, read_journals
from toolkit.journal.schema import Decision, Ground, Outcome
from toolkit.sources.xlsx.source import XlsxSource

D, DT = dt.date, dt.datetime


def read(path: Path) -> list:  # type: ignore[type-arg]
    return read_journals(XlsxSource(path), Config())


def codes(journal) -> list[tuple[str | None, str]]:  # type: ignore[no-untyped-def]
    return sorted((f.cell, f.code) for f in journal.findings)


def test_typed_rows_from_what_people_type(journal_file) -> None:  # type: ignore[no-untyped-def]
    path = journal_file({"Орган": [
        {"number": 1, "received": D(2026, 11, 2), "citizen": "Петрова Анна Сергеевна",
         "topic": "Социальный контракт", "decision": "назначен ПРИЁМ",
         "decision_date": "03.11.2026", "appointment": "05.11.26 10:30",
         "specialist": " Тарасов Евгений Павлович ", "outcome": "прием проведен",
         "phone": "+7 913 000-00-00", "email": "a@b.ru", "consent_data": "да",
         "consent_video": "ДА", "recording": "0123"},
        {"number": "2", "received": 46331, "citizen": "Иванов\u00a0Петр", "topic": "Пособие",
         "decision": "Заявка отклонена", "decision_date": DT(2026, 11, 6, 0, 0),
         "ground": 3},
        {},  # a blank row in between is skipped
        {"number": 4.0, "received": "2026-11-10", "citizen": "Сидоров С С", "topic": "x",
         "phone": 79131234567},
    ]})
    [journal] = read(path)
    assert journal.sheet == "Орган" and journal.body.name == "Орган"
    first, second, third = journal.applications
    assert (first.row, first.number, first.received) == (6, 1, D(2026, 11, 2))
    assert first.decision is Decision.APPOINTED
    assert first.decision_date == D(2026, 11, 3)
    assert first.appointment == DT(2026, 11, 5, 10, 30)
    assert first.specialist == "Тарасов Евгений Павлович"
    assert first.outcome is Outcome.HELD
    assert first.phone == "+7 913 000-00-00"
    assert first.recording == "0123"
    assert (second.number, second.received) == (2, D(2026, 11, 5))
    assert second.citizen == "Иванов Петр"
    assert second.ground is Ground.TOPIC_UNCLEAR
    assert (third.row, third.number, third.phone) == (9, 4, "79131234567")
    assert journal.findings == []


def test_trailing_empty_rows_ignored(tmp_path: Path, journal_file) -> None:  # type: ignore[no-untyped-def]
    path = journal_file({"Орган": [{"number": 1, "received": D(2026, 11, 2), "citizen": "А Б",
                                     "topic": "т"}]})
    wb = openpyxl.load_workbook(path)
    ws = wb["Орган"]
    for row in range(7, 40):
        ws.cell(row, 3, "   ")
        ws.cell(row, 4).value = None
    wb.save(path)
    [journal] = read(path)
    assert [a.row for a in journal.applications] == [6]


def test_date1904_workbook(tmp_path: Path, journal_file) -> None:  # type: ignore[no-untyped-def]
    path = journal_file({"Орган": [{"number": 1, "citizen": "А Б", "topic": "т"}]})
    wb = openpyxl.load_workbook(path)
    wb.epoch = openpyxl.utils.datetime.CALENDAR_MAC_1904
    ws = wb["Орган"]
    ws["B6"] = 44000  # a bare serial number typed into the date column
    ws["F6"] = D(2024, 7, 15)  # a real date cell
    ws["F6"].number_format = "DD.MM.YYYY"
    wb.save(path)
    [journal] = read(path)
    [app] = journal.applications
    assert journal.date1904
    assert app.received == D(2024, 6, 19)  # 1904-01-01 + 44000 days
    assert app.decision_date == D(2024, 7, 15)


def test_hostile_cells_become_findings(tmp_path: Path, journal_file) -> None:  # type: ignore[no-untyped-def]
    path = journal_file({"Орган": [
        {"number": 1, "received": D(2026, 11, 2), "citizen": "Петров Петр Петрович",
         "topic": "т", "note": "x" * 5000},
        {"number": 2, "received": True, "citizen": "Иванов_x0007_ Иван", "topic": "т",
         "decision": 1, "appointment": "вчера"},
        {"number": 3, "received": D(2026, 11, 2), "citizen": "Сидоров Сидор", "topic": "т"},
        {"number": 4, "received": D(2026, 11, 2), "citizen": "Смирнов Олег", "topic": "т"},
    ]})
    wb = openpyxl.load_workbook(path)
    ws = wb["Орган"]
    ws["D8"] = "=1+2"  # a real formula
    ws.merge_cells("C9:D9")  # merged cells in a data row
    wb.save(path)
    [journal] = read(path)
    found = codes(journal)
    assert ("K6", "cell-too-long") in found
    assert ("B7", "cell-invalid-date") in found
    assert ("C7", "cell-control-chars") in found
    assert ("E7", "cell-unknown-value") in found
    assert ("G7", "cell-invalid-datetime") in found
    assert ("D8", "cell-formula") in found
    assert ("C9", "cell-merged") in found
    second = journal.applications[1]
    assert second.citizen == "Иванов Иван"
    assert second.invalid == {"received", "decision", "appointment"}
    # Messages never echo personal data, and every template is fully filled.
    for f in journal.findings:
        assert "{" not in f.message and "Иванов" not in f.message


def test_header_that_differs_names_the_cell(journal_file) -> None:  # type: ignore[no-untyped-def]
    path = journal_file({"Орган": []})
    wb = openpyxl.load_workbook(path)
    wb["Орган"]["F4"] = "Дата"
    wb.save(path)
    with pytest.raises(HeaderMismatch) as error:
        check_header(next(iter(XlsxSource(path).read(["Орган"]))), str(path))
    message = str(error.value)
    assert "лист «Орган», ячейка F4" in message
    assert "ожидается «Дата решения»" in message and "«Дата»" in message
    # Reading the source: the sheet becomes one finding naming the cell, not a failure.
    [journal] = read(path)
    assert [(f.code, f.cell) for f in journal.findings] == [("header-mismatch", "F4")]


def test_printed_spelling_of_graph7_accepted(journal_file) -> None:  # type: ignore[no-untyped-def]
    path = journal_file({"Орган": [{"number": 1, "received": D(2026, 11, 2), "citizen": "А Б",
                                     "topic": "т"}]})
    wb = openpyxl.load_workbook(path)
    wb["Орган"]["J3"] = ("Результаты проведения личного приема посредством "
                         "видеоконференц- связи")
    wb["Орган"]["A3"] = " №  п/п "
    wb.save(path)
    [journal] = read(path)
    assert len(journal.applications) == 1


@pytest.mark.parametrize("content", [b"", b"not a zip", b"PK\x03\x04broken"])
def test_unreadable_file(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "журнал.xlsx"
    path.write_bytes(content)
    with pytest.raises(JournalError, match="не книга Excel"):
        read(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(JournalError, match="не найден"):
        read(tmp_path / "нет.xlsx")


def test_body_filter_and_config_mapping(journal_file) -> None:  # type: ignore[no-untyped-def]
    from toolkit.journal.config import parse_config

    path = journal_file({"Минсоц": [], "ЦСВ": []})
    config = parse_config({"bodies": [{"name": "Министерство социальной защиты населения "
                                                "Кузбасса", "sheet": "Минсоц"}]})
    journals = read_journals(XlsxSource(path), config)
    assert [(j.body.name, j.sheet) for j in journals] == [
        ("Министерство социальной защиты населения Кузбасса", "Минсоц"), ("ЦСВ", "ЦСВ")]
    only = read_journals(XlsxSource(path), config, only=["министерство социальной защиты "
                                                          "населения кузбасса"])
    assert [j.sheet for j in only] == ["Минсоц"]
    with pytest.raises(JournalError, match="нет журнала органа «ГЮБ»"):
        read_journals(XlsxSource(path), config, only=["ГЮБ"])
