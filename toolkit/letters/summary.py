"""The first page of a body's print batch: which decisions it holds, for whom, from which rows.

    page = summary_page(letters[0].path, body, sheet, made, today)   # .docx bytes
    compose_batch([page_path, *letter_paths], batch)

The page is built on the first letter of the batch (its styles and page set-up, its content
removed), so composing it in front of the letters changes nothing in how they look. The clerk
checks the printed pile against it: body, date, how many decisions, and a table of each one —
№ п/п in the journal, the citizen, the decision date, the journal row, the version.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from toolkit.journal.russian import count, short_date
from toolkit.letters.docx_parts import add_paragraph, w

TITLE = "Пакет решений об отклонении заявок для печати"
HEADINGS = ("№", "№ п/п в журнале", "Ф.И.О. гражданина", "Дата решения", "Строка журнала",
            "Примечание")
WIDTHS_MM = (10, 24, 66, 26, 22, 32)  # 180 mm between the letters' margins
TEXT_PT = 12


@dataclass(frozen=True)
class BatchEntry:
    """One decision in a batch, as the summary lists it."""

    number: int
    citizen: str
    decided: dt.date | None
    row: int
    version: int = 1


def summary_page(first_letter: Path, body: str, sheet: str, entries: Sequence[BatchEntry],
                 today: dt.date) -> bytes:
    """The summary page as .docx bytes, in the page set-up of `first_letter`."""
    from docx import Document
    from docx.shared import Mm

    doc = Document(str(first_letter))
    body_element = doc.element.body
    for child in list(body_element):
        if child.tag == w("sectPr"):
            _drop_references(child)
        else:
            body_element.remove(child)
    add_paragraph(doc, TITLE, bold=True, size=TEXT_PT + 2, center=True, after=12)
    add_paragraph(doc, body, bold=True, size=TEXT_PT + 1, center=True)
    if sheet != body:
        add_paragraph(doc, f"Лист журнала «{sheet}»", size=TEXT_PT, center=True)
    add_paragraph(doc, f"Подготовлен {short_date(today)}. В пакете "
                    f"{count(len(entries), 'решение', 'решения', 'решений')}, каждое — с новой "
                    f"страницы.", size=TEXT_PT, before=12, after=8)
    table = doc.add_table(rows=1, cols=len(HEADINGS))
    table.autofit = False
    _grid(table)
    for column, width in zip(table.columns, WIDTHS_MM, strict=True):
        column.width = Mm(width)
    for cell, text in zip(table.rows[0].cells, HEADINGS, strict=True):
        _cell(cell, text, bold=True)
    for i, entry in enumerate(entries, start=1):
        note = f"новая редакция (версия {entry.version})" if entry.version > 1 else ""
        if not entry.row:  # made by a run that was interrupted before its batch
            note = "из прерванного запуска" + (f"; {note}" if note else "")
        values = (str(i), str(entry.number), entry.citizen or "—",
                  short_date(entry.decided) if entry.decided else "—",
                  str(entry.row) if entry.row else "—", note)
        for cell, text in zip(table.add_row().cells, values, strict=True):
            _cell(cell, text)
    for row in table.rows:
        for cell, width in zip(row.cells, WIDTHS_MM, strict=True):
            cell.width = Mm(width)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _drop_references(section: Any) -> None:
    """The letter's page set-up without its header and footer: the page lists decisions."""
    for tag in ("headerReference", "footerReference"):
        for ref in section.findall(w(tag)):
            section.remove(ref)


def _cell(cell: Any, text: str, bold: bool = False) -> None:
    from docx.shared import Pt

    run = cell.paragraphs[0].add_run(text)
    run.bold = bold
    run.font.size = Pt(TEXT_PT - 1)


def _grid(table: Any) -> None:
    """Thin borders on every cell (the letters' template keeps no table styles)."""
    from docx.oxml import OxmlElement

    borders = OxmlElement("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        line = OxmlElement(f"w:{side}")
        for attr, value in (("val", "single"), ("sz", "4"), ("space", "0"), ("color", "auto")):
            line.set(w(attr), value)
        borders.append(line)
    table._tbl.tblPr.append(borders)
