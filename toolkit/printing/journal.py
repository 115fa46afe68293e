"""One body's journal for a period, printed as the form of Appendix 1 (`vks print`).

    result = print_journal("журнал.xlsx", config, "Министерство", dt.date(2026, 11, 1),
                           dt.date(2026, 11, 30), Path("журнал.pdf"), Clock.at(today))

The printout is a Word document built for printing and converted to PDF by LibreOffice: A4
landscape, the title of the form, the body and the period, the seven graphs with their
headings verbatim and the numbering row (both repeated on every page), one ruled row per
application whose «Дата поступления заявки» falls in the period, in the journal's order;
Times New Roman 10 pt, page numbers, and a line for the signature of the official who controls
the receptions. Graphs 5 and 7, kept in sub-columns in the sheet, print as one cell each, as
in the form: «Прием 12.11.2026 в 10:30 (решение от 05.11.2026)», «Вынесено решение об
отклонении заявки 27.10.2026 (основание: 1. …)»; «Прием проведен. Даны разъяснения …».
The service block never prints.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from toolkit.journal.clock import Clock
from toolkit.journal.config import Config
from toolkit.journal.errors import ToolkitError
from toolkit.journal.files import PRIVATE_FILE, atomic_output
from toolkit.journal.model import Application, Journal
from toolkit.journal.read import read_journals
from toolkit.journal.russian import count, short_date, short_datetime
from toolkit.journal.schema import GRAPHS, JOURNAL_TITLE, Decision, Outcome
from toolkit.letters.docx_parts import add_paragraph, rule_below, w

FONT = "Times New Roman"
TEXT_PT = 10
TITLE_PT = 12
MARGINS_MM = {"left": 20, "right": 10, "top": 15, "bottom": 15}  # 20 mm left: filed in a case
# Graph widths in millimetres; they fill the 267 mm between the margins of A4 landscape.
WIDTHS_MM = (11, 26, 40, 45, 58, 36, 51)
SIGNATORY = ("Должностное лицо органа (учреждения), осуществляющего контроль за личным "
             "приемом посредством видеоконференцсвязи")


class PrintError(ToolkitError):
    """The printout could not be made (no such body, a wrong period or output name)."""


@dataclass(frozen=True)
class JournalPrint:
    """What `print_journal` printed and what it left out."""

    body: str
    sheet: str
    start: dt.date
    end: dt.date
    path: Path
    rows: int  # applications printed
    undated: int = 0  # rows without a readable «Дата поступления заявки»: not printed
    unreadable: int = 0  # printed rows with a cell that did not parse (printed blank)


def print_journal(location: str, config: Config, body: str, start: dt.date, end: dt.date,
                  out: Path, clock: Clock, soffice: str | None = None,
                  timeout: float | None = None) -> JournalPrint:
    """Print one body's journal for [start, end] into `out` (.pdf, or .docx without PDF)."""
    from toolkit.sources.open import open_source

    if end < start:
        raise PrintError(f"период задан неверно: {short_date(start)} позже {short_date(end)}")
    suffix = out.suffix.lower()
    if suffix not in (".pdf", ".docx"):
        raise PrintError(f"{out.name}: укажите файл .pdf или .docx")
    if not out.parent.is_dir():
        raise PrintError(f"папка {out.parent} не существует")
    journals = read_journals(open_source(location, config), config, (body,))
    if len(journals) != 1:
        sheets = ", ".join(f"«{j.sheet}»" for j in journals)
        raise PrintError(f"органу «{body}» подходят несколько листов ({sheets}): укажите "
                         f"название листа")
    journal = journals[0]
    chosen = [a for a in journal.applications
              if a.received is not None and start <= a.received <= end]
    undated = sum(1 for a in journal.applications if a.received is None)
    document = journal_document(journal, chosen, start, end, clock.today)
    if suffix == ".docx":
        with atomic_output(out) as tmp:
            tmp.write_bytes(document)
    else:
        _to_pdf(document, out, soffice, timeout)
    return JournalPrint(journal.body.name, journal.sheet, start, end, out, len(chosen),
                        undated, sum(1 for a in chosen if a.invalid))


def _to_pdf(document: bytes, out: Path, soffice: str | None, timeout: float | None) -> None:
    import tempfile

    from toolkit.letters.render import PDF_TIMEOUT, convert_to_pdf

    with tempfile.TemporaryDirectory(prefix="vks-print-") as folder:
        source = Path(folder) / "журнал.docx"
        source.write_bytes(document)
        source.chmod(PRIVATE_FILE)
        convert_to_pdf(source, out, soffice, timeout or PDF_TIMEOUT)


# --- What each graph shows -------------------------------------------------------------------


def graph_texts(app: Application) -> list[str]:
    """The seven cells of a printed row, graphs 1–7."""
    return [
        "" if app.number is None else str(app.number),
        short_date(app.received),
        app.citizen,
        app.topic,
        _decision(app),
        app.specialist,
        _outcome(app),
    ]


def _decision(app: Application) -> str:
    if app.decision is Decision.APPOINTED:
        when = app.appointment
        text = f"Прием {when:%d.%m.%Y} в {when:%H:%M}" if when else "Назначен прием"
        return text + (f" (решение от {short_date(app.decision_date)})"
                       if app.decision_date else "")
    if app.decision is Decision.REJECTED:
        text = "Вынесено решение об отклонении заявки"
        if app.decision_date:
            text += f" {short_date(app.decision_date)}"
        return text + (f" (основание: {app.ground.label})" if app.ground else "")
    return ""


def _outcome(app: Application) -> str:
    parts = []
    if app.outcome is not None:
        text = app.outcome.label
        if app.outcome is Outcome.RESCHEDULED and app.rescheduled_to:
            text += f", новое время {short_datetime(app.rescheduled_to)}"
        parts.append(text)
    if app.note:
        parts.append(app.note)
    return ". ".join([*(p.rstrip(".") for p in parts[:-1]), *parts[-1:]])


# --- The document ----------------------------------------------------------------------------


def journal_document(journal: Journal, rows: Sequence[Application], start: dt.date,
                     end: dt.date, today: dt.date) -> bytes:
    """The printout as .docx bytes."""
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
    from docx.shared import Mm

    doc = Document()
    _defaults(doc)
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(297), Mm(210)
    section.left_margin, section.right_margin = Mm(MARGINS_MM["left"]), Mm(MARGINS_MM["right"])
    section.top_margin, section.bottom_margin = Mm(MARGINS_MM["top"]), Mm(MARGINS_MM["bottom"])
    section.header_distance = section.footer_distance = Mm(7)
    _page_numbers(section.footer.paragraphs[0])

    first, rest = JOURNAL_TITLE.split(" ", 1)
    for text, size in ((first, TITLE_PT), (rest, TITLE_PT)):
        add_paragraph(doc, text, size, bold=True, center=True)
    add_paragraph(doc, journal.body.name, TITLE_PT, center=True, before=6)
    add_paragraph(doc, f"за период с {short_date(start)} по {short_date(end)}", TEXT_PT + 1,
               center=True, after=8)

    table = doc.add_table(rows=2, cols=len(GRAPHS))
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for column, width in zip(table.columns, WIDTHS_MM, strict=True):
        column.width = Mm(width)
    for graph, head, number in zip(GRAPHS, table.rows[0].cells, table.rows[1].cells,
                                   strict=True):
        _cell(head, graph.heading, bold=True, center=True)
        _cell(number, str(graph.number), bold=True, center=True)
    for header in table.rows[:2]:
        _row_flags(header, "w:tblHeader", "w:cantSplit")  # repeated on every page
    for app in rows:
        row = table.add_row()
        _row_flags(row, "w:cantSplit")
        for i, (cell, text) in enumerate(zip(row.cells, graph_texts(app), strict=True)):
            _cell(cell, text, center=i in (0, 1))
    for row in table.rows:
        for cell, width in zip(row.cells, WIDTHS_MM, strict=True):
            cell.width = Mm(width)
    if not rows:
        empty = table.add_row()
        merged = empty.cells[0].merge(empty.cells[-1])
        _cell(merged, "Заявок за период нет", center=True)

    add_paragraph(doc, f"Записей: {len(rows)}. Журнал распечатан {short_date(today)}.",
               TEXT_PT, before=10)
    add_paragraph(doc, "", TEXT_PT, after=6)
    signature = doc.add_table(rows=2, cols=3)
    signature.alignment = WD_TABLE_ALIGNMENT.LEFT
    signature.autofit = False
    widths = (Mm(110), Mm(50), Mm(70))
    for column, width in zip(signature.columns, widths, strict=True):
        column.width = width
    lines = ((SIGNATORY, "", journal.body.controller), ("", "(подпись)", "(расшифровка подписи)"))
    for row, texts, size in zip(signature.rows, lines, (TEXT_PT, TEXT_PT - 2), strict=True):
        for cell, width, text in zip(row.cells, widths, texts, strict=True):
            cell.width = width
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.BOTTOM
            _cell(cell, text, center=text != SIGNATORY, size=size)
    for cell in signature.rows[0].cells[1:]:
        rule_below(cell.paragraphs[0])

    props = doc.core_properties
    props.title = JOURNAL_TITLE
    props.subject = f"{journal.body.name}: {short_date(start)} – {short_date(end)}"
    props.author = props.last_modified_by = "vks"
    props.language = "ru-RU"
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def _defaults(doc: Any) -> None:
    """Times New Roman 10 pt for every script, Russian, single spacing, no gaps."""
    from docx.oxml import OxmlElement
    from docx.shared import Pt

    normal = doc.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(TEXT_PT)
    rpr = normal.element.get_or_add_rPr()
    fonts = rpr.find(w("rFonts"))
    for attr in ("ascii", "hAnsi", "eastAsia", "cs"):
        fonts.set(w(attr), FONT)
    lang = OxmlElement("w:lang")
    lang.set(w("val"), "ru-RU")
    rpr.append(lang)
    fmt = normal.paragraph_format
    fmt.space_before = fmt.space_after = Pt(0)
    fmt.line_spacing = 1.0


def _cell(cell: Any, text: str, bold: bool = False, center: bool = False,
          size: float = TEXT_PT) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    paragraph = cell.paragraphs[0]
    if center:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = paragraph.add_run(_printable(text))
    run.bold = bold
    run.font.size = Pt(size)


def _printable(text: str) -> str:
    """Cell text as Word can hold it: no control characters (XML refuses them)."""
    return "".join(ch if ch >= " " or ch == "\t" else " " for ch in text)


def _row_flags(row: Any, *tags: str) -> None:
    from docx.oxml import OxmlElement

    properties = row._tr.get_or_add_trPr()
    for tag in tags:
        properties.append(OxmlElement(tag))


def _page_numbers(paragraph: Any) -> None:
    """«Страница N из M» centred in the footer (Word fields, filled in when printed)."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.shared import Pt

    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for text, field in (("Страница ", "PAGE"), (" из ", "NUMPAGES")):
        paragraph.add_run(text).font.size = Pt(TEXT_PT - 1)
        simple = OxmlElement("w:fldSimple")
        simple.set(w("instr"), f" {field} ")
        run = OxmlElement("w:r")
        rpr = OxmlElement("w:rPr")
        size = OxmlElement("w:sz")
        size.set(w("val"), str((TEXT_PT - 1) * 2))
        rpr.append(size)
        run.append(rpr)
        number = OxmlElement("w:t")
        number.text = "1"
        run.append(number)
        simple.append(run)
        paragraph._p.append(simple)


def summary_line(result: JournalPrint) -> str:
    """What `vks print` says when done."""
    line = (f"{result.body} (лист «{result.sheet}»), {short_date(result.start)}–"
            f"{short_date(result.end)}: {count(result.rows, 'запись', 'записи', 'записей')} → "
            f"{result.path}")
    notes = []
    if result.undated:
        notes.append(f"без даты поступления и не напечатано: {result.undated}")
    if result.unreadable:
        notes.append(f"с нераспознанными ячейками (напечатаны пустыми): {result.unreadable} — "
                     f"проверьте журнал командой vks check")
    return line + ("\n" + "\n".join(notes) if notes else "")
