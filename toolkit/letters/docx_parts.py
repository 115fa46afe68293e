"""Small pieces of Word documents built by code: the letter template, a batch's summary page and
the printed journal share them (python-docx is imported only when a piece is made)."""

from __future__ import annotations

from typing import Any

W_NS = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def w(tag: str) -> str:
    """A WordprocessingML tag or attribute name, namespaced."""
    return W_NS + tag


def add_paragraph(doc: Any, text: str, size: float, bold: bool = False, center: bool = False,
                  before: float = 0, after: float = 0) -> Any:
    """A paragraph of one run: its size in points, spacing before and after in points."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    paragraph = doc.add_paragraph()
    if center:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.paragraph_format.space_before = Pt(before)
    paragraph.paragraph_format.space_after = Pt(after)
    run = paragraph.add_run(text)
    run.bold = bold
    run.font.size = Pt(size)
    return paragraph


def rule_below(paragraph: Any, size: str = "6", space: str = "1") -> None:
    """A line under the paragraph (its bottom border): a line to sign on, or a letterhead's
    rule. `size` is in eighths of a point, `space` in points."""
    from docx.oxml import OxmlElement

    ppr = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for attr, value in (("val", "single"), ("sz", size), ("space", space), ("color", "auto")):
        bottom.set(w(attr), value)
    borders.append(bottom)
    ppr.insert_element_before(borders, "w:shd", "w:tabs", "w:suppressAutoHyphens",
                              "w:spacing", "w:ind", "w:jc")
