"""Video recordings whose retention has ended (cl. 3.6): the list to destroy them by.

    found = expired_recordings(journals, clock, calendar)
    path = write_recordings(found, Path("видеозаписи"), clock.today)   # .xlsx (or "csv")

Which recordings are listed is decided by the check's own rule (finding `recording-expired`:
2 years from the session date have passed), so the list and `vks check` always agree. The list
carries only what a clerk needs to find and destroy a recording: body, sheet, row, № п/п,
session date, the last day of keeping and the journal's «Видеозапись» reference — no name,
address, contact or topic of the citizen. The file is private and written atomically.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from toolkit.journal.calendar import WorkingCalendar
from toolkit.journal.clock import Clock
from toolkit.journal.files import shared_dir, write_bytes_atomic
from toolkit.journal.model import Journal
from toolkit.journal.rules import Context, run_rules
from toolkit.journal.russian import short_date
from toolkit.journal.text import formula_start, neutralise_formula

TITLE = ("Видеозаписи личного приема граждан посредством видеоконференцсвязи, срок хранения "
         "которых истек (п. 3.6 Порядка)")
HEADINGS = ("№", "Орган", "Лист журнала", "Строка", "№ п/п", "Дата приема",
            "Хранить до (2 года)", "Видеозапись", "Отметка об уничтожении")
WIDTHS = (5, 40, 20, 8, 8, 12, 14, 50, 24)
FILE_STEM = "видеозаписи-к-уничтожению"


@dataclass(frozen=True)
class Recording:
    """One recording due for destruction."""

    body: str
    sheet: str
    row: int
    number: int | None
    session: dt.date
    keep_until: dt.date  # retention ends this day; the recording is due after it
    reference: str  # the journal's «Видеозапись» cell: file name or reference


def expired_recordings(journals: Sequence[Journal], clock: Clock,
                       calendar: WorkingCalendar) -> list[Recording]:
    """Recordings the rule `recording-expired` reports, in journal order."""
    found = []
    for journal in journals:
        rows = {app.row: app for app in journal.applications}
        ctx = Context(journal, calendar, clock.today, clock.now)
        for f in run_rules(ctx, only=("recording-expired",)):
            app = rows.get(f.row or 0)
            if app is None or app.appointment is None or f.due is None:
                continue
            found.append(Recording(journal.body.name, journal.sheet, app.row, app.number,
                                   app.appointment.date(), f.due, app.recording))
    return found


def file_name(today: dt.date, fmt: str) -> str:
    return f"{FILE_STEM}-{today:%Y-%m-%d}.{fmt}"


def _values(n: int, r: Recording) -> list[object]:
    return [n, r.body, r.sheet, r.row, r.number, r.session, r.keep_until, r.reference, ""]


def render_csv(recordings: Sequence[Recording]) -> bytes:
    """CSV as Excel opens it in a Russian locale: UTF-8 with BOM, «;» between columns; a text
    that a spreadsheet program could run as a formula gets a leading apostrophe."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(HEADINGS)
    for n, r in enumerate(recordings, start=1):
        values = _values(n, r)
        writer.writerow(short_date(v) if isinstance(v, dt.date) else
                        neutralise_formula(v) if isinstance(v, str) else
                        ("" if v is None else v) for v in values)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def render_xlsx(recordings: Sequence[Recording], today: dt.date) -> bytes:
    """A print-ready sheet: title, date, the table; A4 landscape, header on every page."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Видеозаписи"
    ws.cell(1, 1, TITLE).font = Font(bold=True, size=12)
    ws.cell(2, 1, f"По состоянию на {short_date(today)}. Всего: {len(recordings)}.")
    thin = Side(style="thin")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    for col, (text, width) in enumerate(zip(HEADINGS, WIDTHS, strict=True), start=1):
        cell = ws.cell(4, col, text)
        cell.font = Font(bold=True)
        cell.border = box
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        ws.column_dimensions[cell.column_letter].width = width
    for n, r in enumerate(recordings, start=1):
        for col, value in enumerate(_values(n, r), start=1):
            cell = ws.cell(4 + n, col, value)
            if isinstance(value, str):
                cell.data_type = "s"  # a reference is text, never a formula
                cell.quotePrefix = formula_start(value)  # and stays text when edited
            if isinstance(value, dt.date):
                cell.number_format = "DD.MM.YYYY"
            cell.border = box
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.print_title_rows = "4:4"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.freeze_panes = "A5"
    wb.properties.creator = "vks"
    wb.properties.title = TITLE
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def write_recordings(recordings: Sequence[Recording], out_dir: Path, today: dt.date,
                     fmt: str = "xlsx") -> Path:
    """Write the list into `out_dir` (shared, atomic); the same day's list is replaced."""
    if fmt not in ("xlsx", "csv"):
        raise ValueError(f"unknown list format: {fmt}")
    shared_dir(out_dir)
    path = out_dir / file_name(today, fmt)
    data = render_xlsx(recordings, today) if fmt == "xlsx" else render_csv(recordings)
    write_bytes_atomic(path, data)
    return path


__all__ = ["Recording", "expired_recordings", "write_recordings"]
