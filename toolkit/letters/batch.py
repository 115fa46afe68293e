"""The print batch in linear time: the bodies of letters of one template in one document.

Letters rendered from one template differ only in the text of their document part (and of
headers and footers, of which a batch keeps the first letter's, as docxcompose's merge did).
So the batch is the first letter's package whose word/document.xml holds the bodies of all
letters one after another; every other part — styles, numbering, media, relationships — is the
first letter's, byte for byte, and the relationship ids in each body stay valid. Each next
letter starts on a new page: its first paragraph gets «page break before» (what docxcompose's
path set), or, when it starts with a table, the previous letter ends with a section break.
Bookmark and drawing ids are renumbered to stay unique across the batch.

docxcompose appended document after document and renumbered bookmarks and drawing ids over the
whole growing document at every append: quadratic (4 000 letters took 109 s). Here each letter
is parsed once, and the document part is written letter by letter as it is made (memory holds
one letter; a batch of 4 000 letters is a 22 MB document). Letters whose other parts differ
(another template) raise `OtherTemplate` on the way, and the caller merges them with
docxcompose instead.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator, Sequence
from copy import deepcopy
from dataclasses import dataclass
from itertools import count
from pathlib import Path
from typing import Any

from lxml import etree

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
WP = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}"
PIC = "{http://schemas.openxmlformats.org/drawingml/2006/picture}"
DOCUMENT = "word/document.xml"
# Parts a letter may render differently; a batch keeps the first letter's headers and footers.
_VOLATILE = re.compile(r"^(word/(document|header\d*|footer\d*)\.xml|docProps/.*)$")
# Paragraph properties that come before pageBreakBefore in the schema's order.
_BEFORE_BREAK = {W + "pStyle", W + "keepNext", W + "keepLines"}


@dataclass
class Concatenation:
    """The batch's parts (name → bytes, in the first letter's order; the document's slot
    empty) and its document part, made letter by letter as it is written (`document()`).

    `document()` raises `OtherTemplate` on the first letter whose other parts differ from the
    first letter's: the caller drops what it wrote and merges the letters with docxcompose.
    """

    parts: dict[str, bytes]
    letters: Sequence[Path]
    fixed: dict[str, tuple[int, int]]
    head: str  # the first letter's document up to and with <w:body …>
    w: str  # the prefix of the WordprocessingML namespace, "w:" by custom

    def document(self) -> Iterator[bytes]:
        """The document part in pieces, one letter a piece: memory holds one letter."""
        w = self.w
        yield self.head.encode("utf-8")
        ids = _Ids(self.parts)
        body_tag: str | None = None
        section = ""
        bodies = _bodies(self.letters, self.fixed)
        body = next(bodies, None)
        while body is not None:
            following = next(bodies, None)  # a letter ahead: how this one has to end
            ids.renumber(body)
            if following is not None:
                if following[0].tag == W + "p":
                    _break_before(following[0])
                else:  # a table first: this letter ends its section, the next starts a page
                    _end_section(body)
            # Serialised from a parsed element, each piece is well-formed XML; the prefixes it
            # uses are declared on the body tag, the same for every letter, and in the head.
            text = etree.tostring(body, encoding="unicode")
            start = text.index(">") + 1
            if body_tag is None:
                body_tag = text[:start]
            elif text[:start] != body_tag:  # other namespaces in scope: another template
                raise OtherTemplate("namespaces in scope")
            inner = text[start:text.rindex(f"</{w}body>")]
            cut = inner.rfind(f"<{w}sectPr") if body[-1].tag == W + "sectPr" else len(inner)
            section = inner[cut:]
            yield inner[:cut].encode("utf-8")
            body = following
        yield (section + f"</{w}body></{w}document>").encode("utf-8")


def concatenate(letters: Sequence[Path]) -> Concatenation | None:
    """The batch of letters of one template, or None if the first letter has no body."""
    with zipfile.ZipFile(letters[0]) as first:
        parts = {info.filename: first.read(info) for info in first.infolist()}
        fixed = _signature(first)
    base = parts[DOCUMENT].decode("utf-8")
    parts[DOCUMENT] = b""
    opening = re.search(r"<(\w+:)?body[\s>]", base)
    if opening is None:
        return None
    head = base[:base.index(">", opening.start()) + 1]
    return Concatenation(parts, letters, fixed, head, opening.group(1) or "")


class OtherTemplate(Exception):
    """A letter whose parts other than the rendered ones differ from the first letter's."""


def _bodies(letters: Sequence[Path], fixed: dict[str, tuple[int, int]]) -> Iterator[Any]:
    """Each letter's parsed <w:body>, one at a time."""
    for path in letters:
        with zipfile.ZipFile(path) as letter:
            if _signature(letter) != fixed:
                raise OtherTemplate(path.name)
            body = etree.fromstring(letter.read(DOCUMENT)).find(W + "body")
        if body is None or len(body) == 0:
            raise OtherTemplate(path.name)
        yield body


def _end_section(body: Any) -> None:
    """End the letter with a section break (a copy of its section properties), in its last
    paragraph as Word puts it, or in a paragraph of its own after a closing table."""
    if body[-1].tag != W + "sectPr":
        body.append(_page_break_paragraph())
        return
    last = body[-2] if len(body) > 1 else None
    ppr = last.find(W + "pPr") if last is not None and last.tag == W + "p" else None
    if last is None or last.tag != W + "p" or (ppr is not None and
                                              ppr.find(W + "sectPr") is not None):
        last = etree.Element(W + "p")
        body.insert(len(body) - 1, last)
        ppr = None
    if ppr is None:
        ppr = etree.Element(W + "pPr")
        last.insert(0, ppr)
    change = ppr.find(W + "pPrChange")  # the only child that comes after sectPr
    at = ppr.index(change) if change is not None else len(ppr)
    ppr.insert(at, deepcopy(body[-1]))


def _page_break_paragraph() -> Any:
    paragraph = etree.Element(W + "p")
    run = etree.SubElement(paragraph, W + "r")
    etree.SubElement(run, W + "br").set(W + "type", "page")
    return paragraph


def _signature(package: zipfile.ZipFile) -> dict[str, tuple[int, int]]:
    """Every part that rendering leaves alone, by its CRC and size."""
    return {info.filename: (info.CRC, info.file_size) for info in package.infolist()
            if not _VOLATILE.match(info.filename)}


def _break_before(paragraph: Any) -> None:
    """Set «page break before» on a paragraph, in the place the schema wants it."""
    ppr = paragraph.find(W + "pPr")
    if ppr is None:
        ppr = etree.Element(W + "pPr")
        paragraph.insert(0, ppr)
    for old in ppr.findall(W + "pageBreakBefore"):
        ppr.remove(old)
    at = 0
    while at < len(ppr) and ppr[at].tag in _BEFORE_BREAK:
        at += 1
    ppr.insert(at, etree.Element(W + "pageBreakBefore"))


class _Ids:
    """Fresh bookmark ids (start and end kept in pairs) and drawing ids across the batch."""

    def __init__(self, parts: dict[str, bytes]) -> None:
        # Drawings in headers and footers keep their ids: the body's start above them.
        used = [int(m) for name, blob in parts.items() if re.match(r"word/(header|footer)", name)
                for m in re.findall(rb'<(?:wp|pic):(?:docPr|cNvPr)\b[^>]*?\sid="(\d+)"', blob)]
        self.drawing = count(max(used, default=0) + 1)
        self.bookmark = 0

    def renumber(self, body: Any) -> None:
        highest = -1
        for mark in body.iter(W + "bookmarkStart", W + "bookmarkEnd"):
            old = mark.get(W + "id", "")
            if old.isdigit():
                highest = max(highest, int(old))
                mark.set(W + "id", str(self.bookmark + int(old)))
        self.bookmark += highest + 1
        for drawing in body.iter(WP + "docPr", PIC + "cNvPr"):
            drawing.set("id", str(next(self.drawing)))

