"""Change a few cells of an .xlsx in place, leaving every other byte of every part as it was.

Loading and re-saving a workbook with openpyxl rewrites all of it: it drops x14 extensions,
shapes, comments' layout and formula caches. Here only the `<c>` elements of the cells written
change, inside the sheet XML; every other part of the package is copied unchanged. Values are
written as inline strings, so nothing typed ever becomes a formula and sharedStrings.xml stays
as it was.
"""

from __future__ import annotations

import bisect
import copy
import io
import re
import zipfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from xml.sax.saxutils import escape

from toolkit.journal.schema import column_index, column_letter

_ROW_RE = re.compile(rb"<((?:\w+:)?)row\b([^>]*?)(/?)>")
_R_ATTR_RE = re.compile(rb"""\br\s*=\s*["']([A-Z]*)(\d+)["']""")
_S_ATTR_RE = re.compile(rb"""\bs\s*=\s*["'](\d+)["']""")
_CELL_RE = re.compile(rb"<((?:\w+:)?)c\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)", re.DOTALL)
_SHEETDATA_RE = re.compile(rb"<((?:\w+:)?)sheetData\b[^>]*?(/?)>")
_COL_RE = re.compile(rb"<(?:\w+:)?col\b([^>]*)/?>")
_DIMENSION_RE = re.compile(rb"""(<(?:\w+:)?dimension\b[^>]*\bref=")([^"]*)(")""")
BIG_PART = 4 << 20  # bytes of XML above which a rewritten part is compressed at level 1
_ILLEGAL_XML_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


class PatchError(Exception):
    """The sheet XML is not laid out as the patcher understands it."""


@dataclass(frozen=True)
class Refused:
    """A cell the patch did not write, and why (in Russian, for the report)."""

    row: int
    col: int
    reason: str


def _attr(pattern: re.Pattern[bytes], attrs: bytes) -> re.Match[bytes] | None:
    return pattern.search(attrs)


class Numeric(str):
    """Text the sheet shows as a number — № п/п, a date or a date and time as a serial: it is
    written as a number cell, which the column's style formats (a real date, not text)."""

    value: float

    def __new__(cls, text: str, value: float) -> Numeric:
        obj = super().__new__(cls, text)
        obj.value = value
        return obj


def _cell_xml(prefix: bytes, ref: str, style: bytes | None, text: str) -> bytes:
    s = b' s="' + style + b'"' if style else b""
    if isinstance(text, Numeric):
        number = repr(int(text.value)) if float(text.value).is_integer() else repr(text.value)
        return (b"<" + prefix + b'c r="' + ref.encode() + b'"' + s + b"><" + prefix + b"v>"
                + number.encode() + b"</" + prefix + b"v></" + prefix + b"c>")
    if not text:
        return b"<" + prefix + b'c r="' + ref.encode() + b'"' + s + b"/>"
    clean = _ILLEGAL_XML_RE.sub("", text)
    body = escape(clean).encode("utf-8")
    return (
        b"<" + prefix + b'c r="' + ref.encode() + b'"' + s + b' t="inlineStr"><' + prefix
        + b"is><" + prefix + b't xml:space="preserve">' + body + b"</" + prefix + b"t></"
        + prefix + b"is></" + prefix + b"c>"
    )


def _column_styles(xml: bytes, head_end: int) -> dict[int, bytes]:
    """0-based column → style index from <cols>: what Excel gives a new cell in that column."""
    styles: dict[int, bytes] = {}
    for m in _COL_RE.finditer(xml, 0, head_end):
        attrs = m.group(1)
        lo = re.search(rb'\bmin="(\d+)"', attrs)
        hi = re.search(rb'\bmax="(\d+)"', attrs)
        st = re.search(rb'\bstyle="(\d+)"', attrs)
        if lo and hi and st:
            for col in range(int(lo.group(1)) - 1, min(int(hi.group(1)), 16384)):
                styles[col] = st.group(1)
    return styles


def patch_sheet(
    xml: bytes, values: Mapping[tuple[int, int], str]
) -> tuple[bytes, list[Refused]]:
    """Write text `values` at (row, 0-based col); return the new XML and the cells refused.

    A cell holding a formula is never overwritten. Everything outside the written `<c>`
    elements (and the `<dimension>` when it must grow) is kept byte for byte.
    """
    patch = SheetPatch(values)
    out = b"".join(patch.stream([xml]))
    return out, patch.refused


class SheetPatch:
    """`patch_sheet` over the sheet XML in pieces, in memory bounded by a piece and a row.

    The head (up to `<sheetData>`) is held until complete; then each run of whole rows — up to
    the last `<row` start seen — is patched and passed on, so the inflated sheet is never held
    whole. `refused` is complete once the stream is exhausted.
    """

    def __init__(self, values: Mapping[tuple[int, int], str],
                 heights: Mapping[int, float] | None = None) -> None:
        self.values = values
        self.heights = heights or {}  # row → points its written text needs (wrapped)
        self.by_row: dict[int, dict[int, str]] = {}
        for (row, col), text in values.items():
            self.by_row.setdefault(row, {})[col] = text
        self.pending = sorted(self.by_row)
        self.refused: list[Refused] = []

    def stream(self, pieces: Iterable[bytes]) -> Iterator[bytes]:
        it = iter(pieces)
        buf = b""
        for piece in it:  # the head: up to the whole <sheetData …> tag
            buf += piece
            data = _SHEETDATA_RE.search(buf)
            if data is not None:
                break
        else:
            data = _SHEETDATA_RE.search(buf)
            if data is None:
                raise PatchError("нет элемента sheetData")
        prefix = data.group(1)
        styles = _column_styles(buf, data.start())
        if data.group(2):  # <sheetData/>: no rows at all
            rows = b"".join(_new_row(prefix, r, self.by_row[r], styles) for r in self.pending)
            yield _grow_dimension(buf[: data.start()], self.values)
            yield b"<" + prefix + b"sheetData>" + rows + b"</" + prefix + b"sheetData>"
            yield buf[data.end():]
            yield from it
            return
        yield _grow_dimension(buf[: data.end()], self.values)
        buf = buf[data.end():]
        close, row_tag = b"</" + prefix + b"sheetData>", b"<" + prefix + b"row"
        last_row = 0
        for piece in it:
            buf += piece
            if close in buf:
                break
            cut = buf.rfind(row_tag)
            if cut <= 0:
                continue
            done = self._rows(buf, cut, prefix, styles, last_row, final=False)
            if done is None:
                continue  # the run's last row has no `r`: keep reading (rare, unbounded)
            out, last_row = done
            yield out
            buf = buf[cut:]
        end = buf.find(close)
        if end < 0:
            raise PatchError("нет конца sheetData")
        done = self._rows(buf, end, prefix, styles, last_row, final=True)
        assert done is not None
        yield done[0]
        yield buf[end:]
        yield from it

    def _rows(self, xml: bytes, end: int, prefix: bytes, styles: dict[int, bytes],
              last_row: int, final: bool) -> tuple[bytes, int] | None:
        """xml[:end] (whole rows) patched, and the number of its last row; targets past that
        row wait for the next run. None: the last row has no `r`, so the run cannot end here."""
        pending = self.pending
        upto = len(pending)
        run_last = 0
        if not final:
            tail = _ROW_RE.match(xml, xml.rfind(b"<" + prefix + b"row", 0, end))
            r_attr = _attr(_R_ATTR_RE, tail.group(2)) if tail else None
            if r_attr is None:
                return None
            run_last = int(r_attr.group(2))
            upto = bisect.bisect_right(pending, run_last)  # the targets this run can hold
            if upto == 0:
                return xml[:end], run_last
        pieces: list[bytes] = []
        pos = i = 0
        for m in _target_rows(xml, prefix, pending[:upto], 0, end):
            if i >= upto:
                break
            r_attr = _attr(_R_ATTR_RE, m.group(2))
            row = int(r_attr.group(2)) if r_attr else last_row + 1
            last_row = row
            while i < upto and pending[i] < row:  # rows absent from the XML come first
                pieces.append(xml[pos: m.start()])
                pieces.append(_new_row(prefix, pending[i], self.by_row[pending[i]], styles,
                                       self.heights.get(pending[i])))
                pos = m.start()
                i += 1
            if i >= upto or pending[i] != row:
                continue
            if m.group(3):  # <row …/>
                row_end = m.end()
                inner = b""
            else:
                row_end = xml.find(b"</" + prefix + b"row>", m.end(), end)
                if row_end < 0:
                    raise PatchError(f"строка {row} не закрыта")
                inner = xml[m.end(): row_end]
                row_end += len(b"</" + prefix + b"row>")
            row_style = None
            if re.search(rb'\bcustomFormat="(1|true)"', m.group(2)):
                st = _attr(_S_ATTR_RE, m.group(2))
                row_style = st.group(1) if st else None
            new_inner = _patch_row(prefix, row, inner, self.by_row[row], styles, row_style,
                                   self.refused)
            open_tag = m.group(0)
            if m.group(3):
                open_tag = open_tag[:-2].rstrip() + b">"
            if row in self.heights:
                open_tag = _with_height(open_tag, self.heights[row])
            pieces.append(xml[pos: m.start()])
            pieces.append(open_tag + new_inner + b"</" + prefix + b"row>")
            pos = row_end
            i += 1
        pieces.append(xml[pos:end])
        if final:
            pieces.extend(_new_row(prefix, r, self.by_row[r], styles, self.heights.get(r))
                          for r in pending[i:])
            i = len(pending)
        self.pending = pending[i:]
        return b"".join(pieces), (last_row if final else run_last)


def _target_rows(
    xml: bytes, prefix: bytes, rows: list[int], start: int, end: int
) -> Iterator[re.Match[bytes]]:
    """The <row> start tags of `rows`, in order, found by direct search when possible.

    Excel, LibreOffice and openpyxl all write `<row r="N"` with r first, so each target row
    is one byte search away; anything else (or a row absent from the XML, which must be
    inserted in order) falls back to walking every <row> tag.
    """
    found: list[re.Match[bytes]] = []
    pos = start
    for row in rows:
        at = xml.find(b"<" + prefix + b'row r="' + str(row).encode() + b'"', pos, end)
        m = _ROW_RE.match(xml, at) if at >= 0 else None
        if m is None:
            yield from _ROW_RE.finditer(xml, start, end)
            return
        found.append(m)
        pos = m.end()
    yield from found


def _new_row(prefix: bytes, row: int, cells: dict[int, str], styles: dict[int, bytes],
             height: float | None = None) -> bytes:
    body = b"".join(
        _cell_xml(prefix, f"{column_letter(c)}{row}", styles.get(c), cells[c])
        for c in sorted(cells)
    )
    tag = b"<" + prefix + b'row r="' + str(row).encode() + b'">'
    if height is not None:
        tag = _with_height(tag, height)
    return tag + body + b"</" + prefix + b"row>"


_HT_RE = re.compile(rb'\s(?:ht|customHeight)="[^"]*"')
_CUSTOM_HT_RE = re.compile(rb'\bcustomHeight="(?:1|true)"')
_HT_VALUE_RE = re.compile(rb'\bht="([0-9.]+)"')


def _with_height(tag: bytes, points: float) -> bytes:
    """The row's start tag tall enough for `points`: a height a person set that is already
    enough is kept; otherwise the row gets this one (a spreadsheet would not fit it itself)."""
    if _CUSTOM_HT_RE.search(tag):
        m = _HT_VALUE_RE.search(tag)
        if m is not None and float(m.group(1)) >= points:
            return tag
    bare = _HT_RE.sub(b"", tag[:-1])
    return bare + b' ht="' + f"{points:g}".encode() + b'" customHeight="1">'


def _patch_row(
    prefix: bytes,
    row: int,
    inner: bytes,
    cells: dict[int, str],
    col_styles: dict[int, bytes],
    row_style: bytes | None,
    refused: list[Refused],
) -> bytes:
    existing: list[tuple[int, int, int, bytes]] = []  # col, start, end, attrs
    col = -1
    for m in _CELL_RE.finditer(inner):
        r_attr = _attr(_R_ATTR_RE, m.group(2))
        col = column_index(r_attr.group(1).decode()) if r_attr and r_attr.group(1) else col + 1
        existing.append((col, m.start(), m.end(), m.group(0)))
    pieces: list[bytes] = []
    pos = 0
    todo = sorted(cells)
    j = 0
    for col, start, end, element in existing:
        while j < len(todo) and todo[j] < col:
            pieces.append(inner[pos:start])
            ref = f"{column_letter(todo[j])}{row}"
            pieces.append(_cell_xml(prefix, ref, row_style or col_styles.get(todo[j]),
                                    cells[todo[j]]))
            pos = start
            j += 1
        if j < len(todo) and todo[j] == col:
            head = element.split(b">", 1)[0]
            if re.search(rb"<(?:\w+:)?f[\s>/]", element):
                refused.append(Refused(row, col, "в ячейке формула — не перезаписана"))
            else:
                st = _attr(_S_ATTR_RE, head)
                style = st.group(1) if st else None
                pieces.append(inner[pos:start])
                pieces.append(_cell_xml(prefix, f"{column_letter(col)}{row}", style,
                                        cells[col]))
                pos = end
            j += 1
    pieces.append(inner[pos:])
    rest = b"".join(
        _cell_xml(prefix, f"{column_letter(c)}{row}", row_style or col_styles.get(c), cells[c])
        for c in todo[j:]
    )
    return b"".join(pieces) + rest


def _grow_dimension(xml: bytes, values: Mapping[tuple[int, int], str]) -> bytes:
    m = _DIMENSION_RE.search(xml)
    if not m or not values:
        return xml
    ref = m.group(2).decode()
    parts = ref.split(":")
    try:
        from toolkit.journal.schema import split_cell

        r1, c1 = split_cell(parts[0])
        r2, c2 = split_cell(parts[-1])
    except ValueError:
        return xml
    rows = [r for r, _ in values]
    cols = [c for _, c in values]
    nr1, nc1 = min(r1, *rows), min(c1, *cols)
    nr2, nc2 = max(r2, *rows), max(c2, *cols)
    if (nr1, nc1, nr2, nc2) == (r1, c1, r2, c2):
        return xml
    new = f"{column_letter(nc1)}{nr1}:{column_letter(nc2)}{nr2}".encode()
    return xml[: m.start(2)] + new + xml[m.end(2):]


def rewrite_package(
    data: bytes, replaced: Mapping[str, bytes | Iterable[bytes]],
    compresslevel: int | None = None,
) -> bytes:
    """The same zip with some parts' content replaced: entry order, names, times, flags kept.

    Untouched members are copied as stored — local header, compressed bytes and all — so the
    cost is the size of the replaced parts, not of the package; only those are compressed. A
    replaced part may come in pieces (`SheetPatch.stream`): it is compressed as it comes.
    """
    src = zipfile.ZipFile(io.BytesIO(data))
    infos = src.infolist()
    starts = [*sorted(i.header_offset for i in infos), src.start_dir]
    end_of = {start: starts[n + 1] for n, start in enumerate(starts[:-1])}
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        for info in infos:
            if info.filename in replaced or info.flag_bits & 0x1 or info.file_size >= 1 << 31:
                content = replaced.get(info.filename)
                _write_member(dst, info, src.read(info) if content is None else content,
                              compresslevel)
                continue
            clone = copy.copy(info)
            clone.header_offset = out.tell()
            out.write(data[info.header_offset: end_of[info.header_offset]])
            dst.filelist.append(clone)
            dst.NameToInfo[clone.filename] = clone
            dst.start_dir = out.tell()
            dst._didModify = True  # type: ignore[attr-defined]  # write the central directory
        dst.comment = src.comment
    return out.getvalue()


def _write_member(dst: zipfile.ZipFile, info: zipfile.ZipInfo, content: bytes | Iterable[bytes],
                  compresslevel: int | None) -> None:
    clone = zipfile.ZipInfo(info.filename, info.date_time)
    clone.compress_type = info.compress_type
    clone.external_attr = info.external_attr
    clone.create_system = info.create_system
    clone.comment = info.comment
    # A big sheet is compressed fast; Excel compresses it again on its next save.
    size = len(content) if isinstance(content, bytes) else info.file_size
    level = compresslevel if compresslevel is not None else (1 if size > BIG_PART else None)
    if isinstance(content, bytes):
        dst.writestr(clone, content, compress_type=info.compress_type, compresslevel=level)
        return
    clone.compress_type = info.compress_type
    clone._compresslevel = level  # type: ignore[attr-defined]  # what writestr sets
    with dst.open(clone, "w", force_zip64=info.file_size >= 1 << 31) as member:
        for piece in content:
            member.write(piece)
