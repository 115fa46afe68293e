"""Service columns are found by their headings: a journal of the previous layout keeps working.

The previous layout had no «Перенесен на» and kept «Контроль» and «Решение об отклонении» at
the end of the service block (W, X). Such a journal is built here cell by cell with openpyxl.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest

from toolkit.journal.config import Config
from toolkit.journal.read import read_journals
from toolkit.journal.schema import BY_KEY, SERVICE_COLUMNS, SUBCOLUMN_ROW, column_letter
from toolkit.sources.open import check
from toolkit.sources.xlsx.source import XlsxSource

D, DT = dt.date, dt.datetime
TODAY = D(2026, 11, 27)
OLD_ORDER = ("submitted", "address", "phone", "email", "consent_data", "consent_video", "link",
             "notice_sent", "answer", "answered_at", "recording", "control", "letter")
ROWS = [
    # Appointed, notified long ago, never confirmed: cl. 2.7 cancels it and the control cell
    # gets the flags.
    {"number": 1, "received": D(2026, 11, 2), "citizen": "Петрова Анна Сергеевна",
     "topic": "Пособие", "decision": "Назначен прием", "decision_date": D(2026, 11, 3),
     "appointment": DT(2026, 12, 2, 10, 0), "specialist": "Тарасов Е. П.",
     "submitted": D(2026, 11, 1), "phone": "+7 913 000-00-00", "email": "не почта",
     "consent_data": "Да", "consent_video": "Да", "link": "https://telemost.yandex.ru/j/1",
     "notice_sent": DT(2026, 11, 3, 12, 0), "recording": "запись-1.mp4"},
    {"number": 2, "received": D(2026, 11, 5), "citizen": "Иванов Петр Ильич", "topic": "Субсидия",
     "submitted": D(2026, 11, 2), "email": "a@b.ru", "consent_data": "Да", "consent_video": "Да",
     "letter": "письмо-2.docx"},
]


def old_layout(path: Path, service: tuple[str, ...] = OLD_ORDER, extra: str = "") -> Path:
    """A journal whose service block is `service` (column keys) from L on, data from ROWS."""
    from toolkit.journal.config import Body
    from toolkit.sources.xlsx.template import write_journal

    write_journal(path, {Body("Орган", "Орган"): []})
    wb = openpyxl.load_workbook(path)
    ws = wb["Орган"]
    start = BY_KEY["control"].index  # the service block starts right after graph 7 (L)
    for col in range(start + 1, start + len(SERVICE_COLUMNS) + 3):
        ws.cell(SUBCOLUMN_ROW, col).value = None
    for n, key in enumerate(service):
        ws.cell(SUBCOLUMN_ROW, start + 1 + n).value = BY_KEY[key].heading
    if extra:
        ws.cell(SUBCOLUMN_ROW, start + 1 + len(service)).value = extra
    for r, values in enumerate(ROWS, start=6):
        for key, value in values.items():
            if not BY_KEY[key].graph and key not in service:
                continue
            col = BY_KEY[key].index if BY_KEY[key].graph else start + service.index(key)
            ws.cell(r, col + 1).value = value
    wb.save(path)
    return path


def letter_of(key: str, service: tuple[str, ...] = OLD_ORDER) -> str:
    return column_letter(BY_KEY["control"].index + service.index(key))


def test_previous_layout_reads_by_headings(tmp_path: Path) -> None:
    path = old_layout(tmp_path / "журнал.xlsx", extra="Заметки секретаря")
    [journal] = read_journals(XlsxSource(path), Config())
    first, second = journal.applications
    assert first.submitted == D(2026, 11, 1) and first.email == "не почта"
    assert first.notice_sent == DT(2026, 11, 3, 12, 0) and first.recording == "запись-1.mp4"
    assert second.letter == "письмо-2.docx" and first.rescheduled_to is None
    assert journal.missing == ("rescheduled_to",)
    assert journal.column_index("control") == BY_KEY["control"].index + OLD_ORDER.index("control")
    cells = {(f.code, f.cell) for f in check(str(path), Config(), TODAY).findings}
    assert ("email-implausible", f"{letter_of('email')}6") in cells


def test_previous_layout_is_written_where_its_columns_are(tmp_path: Path) -> None:
    path = old_layout(tmp_path / "журнал.xlsx")
    report = check(str(path), Config(), TODAY, write=True)
    written = {c.cell: c.new for c in report.changes}
    control, letter = letter_of("control"), letter_of("letter")
    assert written["J6"] == "Отменен: нет подтверждения участия"
    assert "Нет подтверждения участия" not in written[f"{control}6"]  # recorded now
    assert "Столбец «Эл. почта» (O6): проверить адрес эл. почты (п. 2.2)" in written[f"{control}6"]
    ws = openpyxl.load_workbook(path)["Орган"]
    assert ws[f"{control}6"].value == written[f"{control}6"]
    assert ws[f"{letter}7"].value == "письмо-2.docx"  # the letter column is left alone
    assert ws["Y6"].value is None and ws["Y7"].value is None  # nothing past the old block
    assert ws[f"{letter_of('recording')}6"].value == "запись-1.mp4"
    # Read again: the control cells now say what the rows need, so nothing more to write.
    again = check(str(path), Config(), TODAY, write=True)
    assert [c.cell for c in again.changes] == []


@pytest.mark.parametrize("dropped", ["control", "letter"])
def test_missing_service_column_is_empty_and_never_written(tmp_path: Path, dropped: str) -> None:
    service = tuple(k for k in OLD_ORDER if k != dropped)
    path = old_layout(tmp_path / "журнал.xlsx", service)
    [journal] = read_journals(XlsxSource(path), Config())
    assert dropped in journal.missing and journal.column_index(dropped) is None
    report = check(str(path), Config(), TODAY, write=True)
    assert all(c.key != "control" for c in report.changes) == (dropped == "control")
    assert "J6" in {c.cell for c in report.changes}
    after = openpyxl.load_workbook(path)["Орган"]
    end = BY_KEY["control"].index + 1 + len(service)  # first column past the block (1-based)
    assert all(after.cell(r, end).value is None for r in (4, 6, 7))
