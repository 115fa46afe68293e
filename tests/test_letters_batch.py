"""The print batch: letters of one template joined body after body, each from a new page.

Letters are real .docx rendered from the real template (or from the template changed with
python-docx: a picture and a bookmark, a letterhead table first); the batch is reopened with
python-docx and, where LibreOffice is installed (CI installs it), printed to PDF to count pages.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from docx.enum.section import WD_SECTION
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm
from test_letters import lines_of

from toolkit.letters.render import LetterTemplate, compose_batch, convert_to_pdf, find_soffice
from toolkit.letters.template import FIELDS, HEADING, build_template

PEOPLE = ("Петровой Анне Сергеевне", "Римскому-Корсакову Андрею Львовичу", "Ёлкину Фёдору")


def context(n: int) -> dict[str, str]:
    values = {key: f"{key} {n}" for key in FIELDS}
    values["гражданин"] = f"{PEOPLE[n % len(PEOPLE)]} № {n}"
    return values


def letters(template: LetterTemplate, folder: Path, count: int) -> list[Path]:
    folder.mkdir(exist_ok=True)
    paths = []
    for n in range(1, count + 1):
        path = folder / f"{n:04d}.docx"
        template.write(context(n), path)
        paths.append(path)
    return paths


def changed_template(change: object) -> LetterTemplate:
    doc = Document(io.BytesIO(build_template()))
    change(doc)  # type: ignore[operator]
    out = io.BytesIO()
    doc.save(out)
    return LetterTemplate(out.getvalue(), "изменённый.docx")


def pdf_pages(batch: Path, folder: Path) -> tuple[int, str]:
    pdf = convert_to_pdf(batch, folder / "пакет.pdf")
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    pages = int(re.search(r"^Pages:\s+(\d+)", info.stdout, re.M).group(1))  # type: ignore[union-attr]
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    return pages, text


@pytest.fixture
def soffice() -> str:
    found = find_soffice()
    if found is None or shutil.which("pdfinfo") is None:
        if os.environ.get("CI"):
            pytest.fail("CI must install LibreOffice and poppler-utils (.ci/run)")
        pytest.skip("LibreOffice (soffice) or pdfinfo is not installed on this machine")
    return found


def letter_starts(doc: Any) -> list[Any]:
    """The first paragraph of each letter: the letterhead's two paragraphs precede the heading."""
    paragraphs = doc.paragraphs
    return [paragraphs[i - LETTERHEAD_PARAGRAPHS] for i, p in enumerate(paragraphs)
            if p.text == HEADING]


LETTERHEAD_PARAGRAPHS = 2  # the body's name, then its details over a rule


def test_a_batch_holds_every_letter_in_order_each_from_a_new_page(tmp_path: Path) -> None:
    made = letters(LetterTemplate.load(), tmp_path / "решения", 40)
    batch = compose_batch(made, tmp_path / "пакет.docx")
    assert lines_of(batch) == [line for path in made for line in lines_of(path)]
    doc = Document(str(batch))
    starts = letter_starts(doc)
    assert len(starts) == 40
    assert [p.paragraph_format.page_break_before for p in starts] == [None] + [True] * 39
    assert len(doc.sections) == 1
    first = Document(str(made[0]))
    assert doc.styles.element.xml == first.styles.element.xml  # formatting is the letter's
    assert doc.sections[0].left_margin == first.sections[0].left_margin
    with zipfile.ZipFile(batch) as package, zipfile.ZipFile(made[0]) as letter:
        assert package.namelist() == letter.namelist()


def test_pictures_and_bookmarks_stay_valid_and_unique(tmp_path: Path) -> None:
    from PIL import Image

    png = io.BytesIO()
    Image.new("RGB", (40, 20), (200, 30, 30)).save(png, format="PNG")

    def add_logo_and_bookmark(doc: Document) -> None:  # type: ignore[valid-type]
        heading = doc.paragraphs[0]  # type: ignore[attr-defined]
        heading.add_run().add_picture(io.BytesIO(png.getvalue()), width=Cm(1))
        start, end = OxmlElement("w:bookmarkStart"), OxmlElement("w:bookmarkEnd")
        start.set(qn("w:id"), "0")
        start.set(qn("w:name"), "Начало")
        end.set(qn("w:id"), "0")
        heading._p.insert(1, start)
        heading._p.append(end)

    made = letters(changed_template(add_logo_and_bookmark), tmp_path / "решения", 5)
    batch = compose_batch(made, tmp_path / "пакет.docx")
    doc = Document(str(batch))
    assert len(doc.inline_shapes) == 5
    body = doc.element.body
    drawing_ids = [e.get("id") for e in body.iter(qn("wp:docPr"))]
    assert len(drawing_ids) == 5 and len(set(drawing_ids)) == 5
    starts = [e.get(qn("w:id")) for e in body.iter(qn("w:bookmarkStart"))]
    ends = [e.get(qn("w:id")) for e in body.iter(qn("w:bookmarkEnd"))]
    assert starts == ends and len(set(starts)) == 5
    related = doc.part.rels
    embeds = {e.get(qn("r:embed")) for e in body.iter(qn("a:blip"))}
    assert embeds and all(related[rid].target_part.blob.startswith(b"\x89PNG") for rid in embeds)
    with zipfile.ZipFile(batch) as package:
        assert sum(name.startswith("word/media/") for name in package.namelist()) == 1


def test_a_template_that_starts_with_a_table_breaks_sections_between_letters(
        tmp_path: Path) -> None:
    def letterhead_first(doc: Document) -> None:  # type: ignore[valid-type]
        table = doc.add_table(rows=1, cols=2)  # type: ignore[attr-defined]
        table.cell(0, 0).text = "Министерство социальной защиты населения Кузбасса"
        doc.element.body.insert(0, table._tbl)  # type: ignore[attr-defined]

    made = letters(changed_template(letterhead_first), tmp_path / "решения", 3)
    batch = compose_batch(made, tmp_path / "пакет.docx")
    assert lines_of(batch) == [line for path in made for line in lines_of(path)]
    doc = Document(str(batch))
    assert [s.start_type for s in doc.sections] == [WD_SECTION.NEW_PAGE] * 3
    assert all(s.page_width == doc.sections[0].page_width for s in doc.sections)


def test_letters_of_different_templates_are_merged_by_docxcompose(tmp_path: Path) -> None:
    def with_note(doc: Document) -> None:  # type: ignore[valid-type]
        doc.styles["Normal"].font.size = Cm(0.5)  # type: ignore[attr-defined]

    made = letters(LetterTemplate.load(), tmp_path / "a", 2)
    made += letters(changed_template(with_note), tmp_path / "b", 2)
    batch = compose_batch(made, tmp_path / "пакет.docx")
    assert lines_of(batch) == [line for path in made for line in lines_of(path)]
    starts = letter_starts(Document(str(batch)))
    assert [p.paragraph_format.page_break_before for p in starts] == [None, True, True, True]
    # The third letter showed another template while the batch was being written: nothing
    # of that first attempt is left beside the batch.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a", "b", "пакет.docx"]


def test_the_batch_prints_a_page_per_letter(tmp_path: Path, soffice: str) -> None:
    made = letters(LetterTemplate.load(), tmp_path / "решения", 6)
    pages, text = pdf_pages(compose_batch(made, tmp_path / "пакет.docx"), tmp_path)
    assert pages == 6
    assert text.count(HEADING) == 6
    order = [text.index(f"№ {n}") for n in range(1, 7)]
    assert order == sorted(order)


def test_a_letterhead_table_batch_prints_a_page_per_letter(tmp_path: Path, soffice: str) -> None:
    def letterhead_first(doc: Document) -> None:  # type: ignore[valid-type]
        table = doc.add_table(rows=1, cols=1)  # type: ignore[attr-defined]
        table.cell(0, 0).text = "Бланк органа"
        doc.element.body.insert(0, table._tbl)  # type: ignore[attr-defined]

    made = letters(changed_template(letterhead_first), tmp_path / "решения", 4)
    pages, text = pdf_pages(compose_batch(made, tmp_path / "пакет.docx"), tmp_path)
    assert pages == 4 and text.count("Бланк органа") == 4
