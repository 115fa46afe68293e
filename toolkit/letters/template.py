"""The rejection decision of Appendix 2 to order No. 77 as a .docx template, built by code.

    python -m toolkit.letters.template  # rewrites doc_templates/решение-об-отклонении.docx

The wording is the form's, verbatim; its blanks are Jinja placeholders named in Russian so that
staff can read them in Word (`{{ гражданин }}`, `{{ адрес }}` …, see `FIELDS`). Layout: A4,
Times New Roman 14 pt, single spacing, margins left 20 mm, right 10 mm, top 20 mm, bottom 20 mm
(GOST R 7.0.97-2016 for official documents); each blank is underlined with its caption from the
form beneath it in 10 pt; the three signatures sit in a borderless table: title of the signatory,
a line for the signature, the name transcript on a line. Above the form a letterhead says which
body decides — its name in bold and its details (`{{ реквизиты_органа }}`: address, phone,
e-mail) over a rule; it is not part of the form's wording.

The file is deterministic (fixed core properties and zip entry times), so a test can prove that
the committed template is exactly what this module builds.
"""

from __future__ import annotations

import datetime as dt
import io
import sys
from pathlib import Path

from toolkit.journal.files import ZIP_TIME, atomic_output, normalize_zip
from toolkit.journal.shipped import shipped
from toolkit.letters.docx_parts import rule_below, w

TEMPLATE_DIR = shipped("doc_templates")
TEMPLATE_NAME = "решение-об-отклонении.docx"
TEMPLATE_PATH = TEMPLATE_DIR / TEMPLATE_NAME

FONT = "Times New Roman"
FONT_SIZE = 14  # pt
CAPTION_SIZE = 10  # pt
LETTERHEAD_SIZE = 10  # pt: the body's details; its name 2 pt larger
MARGINS_MM = {"left": 20, "right": 10, "top": 20, "bottom": 20}

# The form of Appendix 2, verbatim (the order's line breaks are layout, not wording).
HEADING = "Решение об отклонении заявки"
SENTENCE_START = "Отклонить заявку на проведение личного приема посредством видеоконференцсвязи"
CITIZEN_CAPTION = "(Ф.И.О. гражданина)"
RESIDING = "по адресу"  # after «проживающему»/«проживающей»
GROUND_LEAD = "по следующему основанию"
GROUND_CAPTION = "(указать основание для вынесения решения об отклонении заявки)"
SIGNATURE_CAPTION = "(подпись)"
SIGNATORIES = (
    (
        "Должностное лицо органа (учреждения), осуществляющего контроль за личным приемом "
        "посредством видеоконференцсвязи",
        "должностное_лицо",
        "(расшифровка подписи)",
    ),
    (
        "Руководитель структурного подразделения специалиста, осуществляющего личный прием "
        "посредством видеоконференцсвязи",
        "руководитель",
        "(Ф.И.О.)",
    ),
    (
        "Специалист, осуществляющий личный прием посредством видеоконференцсвязи",
        "специалист",
        "(Ф.И.О.)",
    ),
)
PHONE_LABEL = "Номер телефона"
DATE_LABEL = "Дата"

FIELDS: dict[str, str] = {
    "гражданин": "Ф.И.О. гражданина в дательном падеже («Петровой Анне Сергеевне»)",
    "проживающему": "«проживающему» или «проживающей» — по полу гражданина",
    "адрес": "адрес проживания из служебного столбца «Адрес проживания»",
    "основание": "основание отклонения дословно из п. 2.8 Порядка",
    "должностное_лицо": "должностное лицо, осуществляющее контроль за приемом (controller органа)",
    "руководитель": "руководитель структурного подразделения специалиста (unit_head органа)",
    "специалист": "ответственный специалист из графы 6",
    "телефон": "номер телефона органа (phone)",
    "дата": "дата решения из графы 5, как в официальных письмах: «20 ноября 2026 г.»",
    "номер": "№ п/п заявки (графа 1)",
    "орган": "наименование органа",
    "реквизиты_органа": "адрес, телефон и эл. почта органа (address, phone, email) одной строкой",
    "основание_номер": "номер основания в п. 2.8 (1–4)",
}
"""Every placeholder a template may use, with what it holds (docs/clerk.md lists them)."""

CORE_TIME = dt.datetime(*ZIP_TIME, tzinfo=dt.UTC)


def build_template() -> bytes:
    """The template .docx as bytes: same code, same bytes."""
    # docxcompose (loaded with docxtpl for rendering) remaps python-docx's «cp» prefix when it
    # is first imported; importing it here makes the bytes the same whichever ran first.
    import docxcompose.utils  # noqa: F401
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm, Pt

    doc = Document()
    _prune_package(doc)
    _set_defaults(doc)

    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = Mm(MARGINS_MM["left"])
    section.right_margin = Mm(MARGINS_MM["right"])
    section.top_margin = Mm(MARGINS_MM["top"])
    section.bottom_margin = Mm(MARGINS_MM["bottom"])
    section.header_distance = section.footer_distance = Mm(10)

    _letterhead(doc)

    heading = doc.add_paragraph()
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    heading.paragraph_format.space_after = Pt(FONT_SIZE * 2)
    heading.add_run(HEADING).bold = True

    intro = doc.add_paragraph()  # left-aligned: justifying would stretch its first line
    intro.paragraph_format.first_line_indent = Mm(12.5)
    intro.add_run(SENTENCE_START)

    _field_line(doc, "{{ гражданин }}", ",", CITIZEN_CAPTION)

    residing = doc.add_paragraph()
    residing.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    residing.add_run("{{ проживающему }} " + RESIDING + " ")
    residing.add_run("{{ адрес }}").underline = True

    ground = doc.add_paragraph()
    ground.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    ground.add_run(GROUND_LEAD + " ")
    ground.add_run("{{ основание }}").underline = True
    ground.add_run(".")
    _caption(doc, GROUND_CAPTION)

    widths = (Mm(78), Mm(32), Mm(70))
    table = doc.add_table(rows=len(SIGNATORIES), cols=3)
    table.alignment = WD_TABLE_ALIGNMENT.LEFT
    table.autofit = False
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width
    for row, (title, field, caption) in zip(table.rows, SIGNATORIES, strict=True):
        cells = row.cells
        for cell, width in zip(cells, widths, strict=True):
            cell.width = width
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.BOTTOM
        who = cells[0].paragraphs[0]
        who.paragraph_format.space_before = Pt(FONT_SIZE * 2)
        who.add_run(title)
        _cell_line(cells[1], "", SIGNATURE_CAPTION)
        _cell_line(cells[2], "{{ " + field + " }}", caption)

    phone = doc.add_paragraph()
    phone.paragraph_format.space_before = Pt(FONT_SIZE * 2)
    phone.add_run(PHONE_LABEL + " ")
    phone.add_run("{{ телефон }}").underline = True

    date = doc.add_paragraph()
    date.paragraph_format.space_before = Pt(FONT_SIZE)
    date.add_run(DATE_LABEL + " ")
    date.add_run("{{ дата }}").underline = True

    props = doc.core_properties
    props.title = HEADING
    props.subject = "Приложение № 2 к Порядку (приказ № 77 от 24.04.2023)"
    props.author = props.last_modified_by = "vks"
    props.comments = ""
    props.keywords = ""
    props.revision = 1
    props.created = props.modified = CORE_TIME.replace(tzinfo=None)
    props.language = "ru-RU"

    buffer = io.BytesIO()
    doc.save(buffer)
    return _normalized(buffer.getvalue())


def _normalized(data: bytes) -> bytes:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "t.docx"
        path.write_bytes(data)
        normalize_zip(path)
        return path.read_bytes()


def _prune_package(doc: object) -> None:
    """Drop what the default python-docx package carries but a letter does not need.

    A thumbnail of an empty page, Word 2010 style effects, custom XML and numbering; and every
    style but the few a letter uses, so that a letter is a few kilobytes and renders fast.
    """
    from docx.opc.constants import RELATIONSHIP_TYPE as RT

    document = doc  # a docx.document.Document
    part = document.part  # type: ignore[attr-defined]
    for rel_id, rel in list(part.rels.items()):
        if rel.reltype in (RT.CUSTOM_XML, RT.NUMBERING, RT.WEB_SETTINGS) or rel.reltype.endswith(
            "/stylesWithEffects"
        ):
            part.drop_rel(rel_id)
            part.rels.pop(rel_id, None)
    package = part.package
    for rel_id, rel in list(package.rels.items()):
        if rel.reltype == RT.THUMBNAIL:
            package.rels.pop(rel_id)
    keep = {"Normal", "Default Paragraph Font", "Normal Table", "No List"}
    styles = document.styles.element  # type: ignore[attr-defined]
    for style in list(styles):
        tag = style.tag.rsplit("}", 1)[-1]
        if tag == "latentStyles":
            styles.remove(style)
        elif tag == "style":
            name = style.find(w("name"))
            if name is None or name.get(w("val")) not in keep:
                styles.remove(style)


def _set_defaults(doc: object) -> None:
    """Times New Roman 14 pt for every script, Russian language, single spacing, no gaps."""
    from docx.oxml import OxmlElement

    styles = doc.styles.element  # type: ignore[attr-defined]
    defaults = styles.find(w("docDefaults"))
    if defaults is None:
        defaults = OxmlElement("w:docDefaults")
        styles.insert(0, defaults)
    for child in list(defaults):
        defaults.remove(child)
    rpr_default = OxmlElement("w:rPrDefault")
    rpr = OxmlElement("w:rPr")
    fonts = OxmlElement("w:rFonts")
    for attr in ("ascii", "hAnsi", "eastAsia", "cs"):
        fonts.set(w(attr), FONT)
    rpr.append(fonts)
    for tag in ("sz", "szCs"):
        size = OxmlElement(f"w:{tag}")
        size.set(w("val"), str(FONT_SIZE * 2))
        rpr.append(size)
    lang = OxmlElement("w:lang")
    for attr in ("val", "eastAsia", "bidi"):
        lang.set(w(attr), "ru-RU")
    rpr.append(lang)
    rpr_default.append(rpr)
    ppr_default = OxmlElement("w:pPrDefault")
    ppr = OxmlElement("w:pPr")
    spacing = OxmlElement("w:spacing")
    spacing.set(w("after"), "0")
    spacing.set(w("line"), "240")
    spacing.set(w("lineRule"), "auto")
    ppr.append(spacing)
    ppr_default.append(ppr)
    defaults.append(rpr_default)
    defaults.append(ppr_default)
    for style in styles.findall(w("style")):
        # The default template's Normal carries its own font and spacing: let defaults rule.
        for child in list(style):
            if child.tag in (w("rPr"), w("pPr")):
                style.remove(child)


def _letterhead(doc: object) -> None:
    """Which body decides, above the form: its name, then its details over a rule.

    Not part of the form's wording: a letter must say who issued it, and clerks print the
    batches of several bodies.
    """
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    name = doc.add_paragraph()  # type: ignore[attr-defined]
    name.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = name.add_run("{{ орган }}")
    run.bold = True
    run.font.size = Pt(LETTERHEAD_SIZE + 2)
    details = doc.add_paragraph()  # type: ignore[attr-defined]
    details.alignment = WD_ALIGN_PARAGRAPH.CENTER
    details.paragraph_format.space_after = Pt(FONT_SIZE * 2)
    details.add_run("{{ реквизиты_органа }}").font.size = Pt(LETTERHEAD_SIZE)
    rule_below(details, size="8", space="4")


def _field_line(doc: object, placeholder: str, tail: str, caption: str) -> None:
    """A blank of the form on its own line: the value underlined, centred, its caption below."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    line = doc.add_paragraph()  # type: ignore[attr-defined]
    line.alignment = WD_ALIGN_PARAGRAPH.CENTER
    line.add_run(placeholder).underline = True
    line.add_run(tail)
    _caption(doc, caption)


def _caption(doc: object, text: str) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    caption = doc.add_paragraph()  # type: ignore[attr-defined]
    caption.alignment = WD_ALIGN_PARAGRAPH.CENTER
    caption.paragraph_format.space_after = Pt(6)
    caption.add_run(text).font.size = Pt(CAPTION_SIZE)


def _cell_line(cell: object, text: str, caption: str) -> None:
    """A signature line in a table cell: text on a bottom border, caption beneath in 10 pt."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    line = cell.paragraphs[0]  # type: ignore[attr-defined]
    line.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if text:
        line.add_run(text)
    rule_below(line)
    below = cell.add_paragraph()  # type: ignore[attr-defined]
    below.alignment = WD_ALIGN_PARAGRAPH.CENTER
    below.add_run(caption).font.size = Pt(CAPTION_SIZE)


def write_template(path: Path = TEMPLATE_PATH) -> Path:
    """Write the template file (atomically, private to the user)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_output(path, 0o644) as tmp:
        tmp.write_bytes(build_template())
    return path


if __name__ == "__main__":
    target = write_template(Path(sys.argv[1]) if len(sys.argv) > 1 else TEMPLATE_PATH)
    print(f"Шаблон записан: {target}")
