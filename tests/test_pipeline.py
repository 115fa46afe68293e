"""The sheets are read in background threads ahead of the check: nothing of that is visible
except the speed — same sheets, same order, same refusals, and no thread left behind."""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path

import openpyxl
import pytest
from conftest import TODAY

from toolkit.journal.config import Config
from toolkit.journal.errors import JournalError
from toolkit.journal.schema import JOURNAL_TITLE
from toolkit.sources.open import check
from toolkit.sources.xlsx.bounds import PackageRefused
from toolkit.sources.xlsx.source import XlsxSource

SHEETS = ("Первый", "Второй", "Третий")


def _row(n: int) -> dict[str, object]:
    return {"number": n, "received": dt.date(2026, 11, 20), "citizen": f"Иванов{n} Иван",
            "topic": "Пособие", "email": "ivanov@mail.ru", "phone": "+7 913 000-00-00",
            "consent_data": "Да", "consent_video": "Да", "address": "г. Кемерово"}


def _readers() -> list[str]:
    return [t.name for t in threading.enumerate() if t.name.startswith("vks-")]


@pytest.fixture
def three(journal_file) -> Path:  # type: ignore[no-untyped-def]
    return journal_file({title: [_row(n) for n in range(1, 4 + i)]
                         for i, title in enumerate(SHEETS)})


def test_sheets_come_in_the_order_asked_with_their_rows(three: Path) -> None:
    source = XlsxSource(three)
    asked = [SHEETS[2], SHEETS[0], SHEETS[1]]
    tables = list(source.read(asked))
    assert [t.title for t in tables] == asked
    # Rows 1–5 are the header, then 3 + i rows of sheet i.
    assert [t.height for t in tables] == [5 + 5, 5 + 3, 5 + 4]
    assert tables[1].columns[2][5] == "Иванов1 Иван"  # C6 of the first sheet
    assert not _readers()


def test_a_prefetch_for_other_sheets_is_dropped_and_the_asked_ones_read(three: Path) -> None:
    source = XlsxSource(three)
    source.prefetch([SHEETS[0]])
    assert [t.title for t in source.read([SHEETS[1]])] == [SHEETS[1]]
    assert not _readers()


def test_stopping_early_leaves_no_reader_behind(three: Path) -> None:
    source = XlsxSource(three)
    for table in source.read(list(SHEETS)):
        assert table.title == SHEETS[0]
        break
    source.close()
    assert not _readers()


def test_a_far_cell_on_a_later_sheet_is_refused_and_no_reader_is_left(three: Path,
                                                                     tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(three)
    wb[SHEETS[1]]["XFD1048576"] = "x"
    stray = tmp_path / "лишняя.xlsx"
    wb.save(stray)
    seen: list[str] = []
    with pytest.raises(PackageRefused, match=f"лист «{SHEETS[1]}»: ячейка XFD1048576"):
        for table in XlsxSource(stray).read(list(SHEETS)):
            seen.append(table.title)
    assert seen == [SHEETS[0]]
    assert not _readers()
    with pytest.raises(PackageRefused):
        check(str(stray), Config(), TODAY)
    assert not _readers()


def test_empty_leading_columns_keep_their_places(tmp_path: Path) -> None:
    """fastexcel skips empty leading columns: each loaded one keeps its sheet column."""
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Лист"
    ws["C1"], ws["C3"], ws["E2"] = JOURNAL_TITLE, "№ п/п", 5
    path = tmp_path / "сдвиг.xlsx"
    wb.save(path)
    (table,) = XlsxSource(path).read(["Лист"])
    assert sorted(table.columns) == [2, 3, 4] and table.height == 3
    assert table.columns[2][2] == "№ п/п" and table.columns[4][1] == "5"
    # Checked as a journal, its header is wrong where it really is: A3 is empty (C3 is not A3).
    report = check(str(path), Config(), TODAY, only=["Лист"])
    (mismatch,) = report.findings
    assert (mismatch.code, mismatch.cell, mismatch.params["found"]) == (
        "header-mismatch", "A3", "пусто")


def test_a_check_that_fails_before_reading_leaves_no_reader(three: Path) -> None:
    with pytest.raises(JournalError, match="нет журнала органа"):
        check(str(three), Config(), TODAY, only=["Нет такого"])
    assert not _readers()


def test_a_sheet_whose_part_is_missing_is_left_out_not_a_crash(three: Path,
                                                               tmp_path: Path) -> None:
    import zipfile

    broken = tmp_path / "без-листа.xlsx"
    with zipfile.ZipFile(three) as src, zipfile.ZipFile(broken, "w") as dst:
        for info in src.infolist():
            if info.filename != "xl/worksheets/sheet2.xml":
                dst.writestr(info, src.read(info))
    source = XlsxSource(broken)
    assert SHEETS[1] not in source.sheet_titles()
    report = check(str(broken), Config(), TODAY)
    assert [j.sheet for j in report.journals] == [SHEETS[0], SHEETS[2]]
