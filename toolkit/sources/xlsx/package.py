"""The parts of an .xlsx package the toolkit needs: sheet paths, the date system, formulas."""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from collections.abc import Iterator, Mapping
from functools import cached_property
from xml.etree import ElementTree as ET

from toolkit.journal.schema import column_index
from toolkit.sources.xlsx.inflate import decompressobj, inflate

NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"

# A formula element inside a cell; `<f` alone would also match <filterColumn>, <firstFooter>.
_FORMULA_RE = re.compile(rb"<(?:\w+:)?f[\s>/]")
_CELL_START_RE = re.compile(rb"<(?:\w+:)?c\s[^>]*?\br=\"([A-Z]{1,3})(\d+)\"")


class Package:
    """An .xlsx file held in memory, read part by part."""

    def __init__(self, data: bytes, zip_file: zipfile.ZipFile | None = None,
                 sheet_parts: Mapping[str, str] | None = None) -> None:
        """`zip_file` and `sheet_parts`, when the bound check has read them already
        (`bounds.Inspection`), are taken as they are rather than read again."""
        self.data = data
        self.zip = zip_file if zip_file is not None else zipfile.ZipFile(io.BytesIO(data))
        if sheet_parts is not None:
            self.__dict__["sheet_parts"] = dict(sheet_parts)

    def part(self, name: str) -> bytes:
        return self.zip.read(name)

    @cached_property
    def _workbook(self) -> ET.Element:
        return ET.fromstring(self.part("xl/workbook.xml"))

    @cached_property
    def date1904(self) -> bool:
        pr = self._workbook.find(f"{{{NS_MAIN}}}workbookPr")
        return pr is not None and pr.get("date1904", "0").lower() in ("1", "true")

    @cached_property
    def sheet_parts(self) -> dict[str, str]:
        """Sheet title → part name inside the zip (xl/worksheets/sheet1.xml)."""
        rels = ET.fromstring(self.part("xl/_rels/workbook.xml.rels"))
        targets = {}
        for rel in rels.iter(f"{{{NS_PKG_REL}}}Relationship"):
            target = rel.get("Target", "")
            if target.startswith("/"):
                path = target.lstrip("/")
            else:
                path = posixpath.normpath(posixpath.join("xl", target))
            targets[rel.get("Id")] = path
        parts = {}
        sheets = self._workbook.find(f"{{{NS_MAIN}}}sheets")
        for sheet in sheets if sheets is not None else ():
            rid = sheet.get(f"{{{NS_REL}}}id")
            if rid in targets and targets[rid] in self.zip.NameToInfo:  # as the bound check
                parts[sheet.get("name", "")] = targets[rid]
        return parts

    def formula_cells(self, title: str) -> list[tuple[int, int]]:
        """(row, 0-based column) of every cell holding a formula on a sheet.

        Called only for a sheet whose bound check met a formula element (`SheetInfo.formula`):
        the part is inflated whole to locate them.
        """
        name = self.sheet_parts.get(title)
        if name is None:
            return []
        xml = self._inflate(name)
        found = []
        for m in _FORMULA_RE.finditer(xml):
            # <f> is the first child of its <c>: the tag just before it is the cell's.
            cell = _CELL_START_RE.match(xml, xml.rfind(b"<", 0, m.start()))
            if cell:
                found.append((int(cell.group(2)), column_index(cell.group(1).decode())))
        return found

    def pieces(self, name: str, step: int = 1 << 20) -> Iterator[bytes]:
        """A part's content in pieces of at most `step` bytes, never inflated whole."""
        info = self.zip.getinfo(name)
        if info.compress_type != zipfile.ZIP_DEFLATED:
            with self.zip.open(info) as member:
                while piece := member.read(step):
                    yield piece
            return
        inflate = decompressobj()
        raw = memoryview(self._raw(name))
        for start in range(0, len(raw), 1 << 16):
            chunk: bytes | memoryview = raw[start: start + (1 << 16)]
            while chunk:
                piece = inflate.decompress(chunk, step)
                chunk = inflate.unconsumed_tail
                if piece:
                    yield piece
        if tail := inflate.flush():
            yield tail

    def _raw(self, name: str) -> bytes:
        """A part's bytes as stored in the zip (compressed)."""
        info = self.zip.getinfo(name)
        offset = info.header_offset
        header = self.data[offset: offset + 30]
        if len(header) < 30 or header[:4] != b"PK\x03\x04":
            raise zipfile.BadZipFile(name)
        start = offset + 30 + int.from_bytes(header[26:28], "little") + \
            int.from_bytes(header[28:30], "little")
        return self.data[start: start + info.compress_size]

    def _inflate(self, name: str) -> bytes:
        """A part's content, decompressed in a single call."""
        info = self.zip.getinfo(name)
        raw = self._raw(name)
        if info.compress_type == zipfile.ZIP_STORED:
            return raw
        if info.compress_type == zipfile.ZIP_DEFLATED:
            return inflate(raw)
        return self.zip.read(name)

