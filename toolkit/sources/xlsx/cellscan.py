"""The first cell with a value beyond the row or column limit, in worksheet XML read in pieces.

python-calamine places a value by its cell's `r` reference (without one, right after the
previous cell, in the row's own number) and allocates a dense grid from A1 to the farthest value;
it ignores `<dimension>`, so the scan does not trust it either (it is only reported). Two passes:

* fast: one compiled byte pattern finds the cell tags that are not `<c r="` and a reference
  surely inside the bounds — one letter, fewer digits than the row limit — so the cells of a
  normal journal (A…X, rows under 100 000) never leave C code. Each candidate is checked in
  Python; after the first one inside the bounds (a column AA…, a row ≥ 100 000) the rest of the
  sheet is searched with the exact bounds: slower per cell, but it yields only real offenders.
* exact: for a sheet whose cells do not all begin `<c r="A…` (a cell without a reference,
  another attribute order or quote, a namespace prefix on the cells) every row and cell tag is
  walked and positions are counted as calamine counts them.

A cell without a child element (formatting only) holds no value; calamine skips it, and so does
the scan. Only whole tags are searched: a piece is searched up to its last `<`, the rest is
carried over to the next piece.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

CARRY_MAX = 1 << 20  # an element tag longer than this is not a spreadsheet's


class MalformedSheet(ValueError):
    """The XML cannot be a worksheet (a tag longer than CARRY_MAX)."""


@dataclass(frozen=True)
class FarCell:
    """A cell with a value beyond the limits: its reference, row and column (1-based)."""

    ref: str
    row: int
    column: int


def column_name(index: int) -> str:
    """1 → A, 26 → Z, 27 → AA, 16384 → XFD."""
    name = ""
    while index > 0:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


def column_number(letters: bytes) -> int:
    """b"A" → 1, b"XFD" → 16384 (case-insensitive, as calamine reads references)."""
    number = 0
    for ch in letters.upper():
        number = number * 26 + ch - 64
    return number


def _letters_upto(limit: str) -> str:
    """A regex for a column name up to `limit` (by length, then alphabet)."""
    size = len(limit)
    alternatives = [f"[A-Z]{{1,{size - 1}}}"] if size > 1 else []
    for i, ch in enumerate(limit):
        if ch > "A":
            rest = f"[A-Z]{{{size - 1 - i}}}" if size - 1 - i else ""
            alternatives.append(f"{limit[:i]}[A-{chr(ord(ch) - 1)}]{rest}")
    alternatives.append(limit)
    return "(?:" + "|".join(alternatives) + ")"


def _digits_upto(limit: int) -> str:
    """A regex for a whole number from 1 up to `limit` (leading zeros allowed)."""
    text = str(limit)
    size = len(text)
    alternatives = [rf"[1-9]\d{{0,{size - 2}}}"] if size > 1 else []
    for i, ch in enumerate(text):
        low = "1" if i == 0 else "0"
        if ch > low:
            rest = rf"\d{{{size - 1 - i}}}" if size - 1 - i else ""
            alternatives.append(f"{text[:i]}[{low}-{chr(ord(ch) - 1)}]{rest}")
    alternatives.append(text)
    return "0*(?:" + "|".join(alternatives) + ")"


_ROOT = re.compile(rb"<(?:([\w.-]+):)?worksheet[\s>/]")
_DIMENSION = re.compile(rb"<(?:[\w.-]+:)?dimension\s[^>]*?\bref\s*=\s*[\"']([^\"']*)")
_STANDARD_REF = re.compile(rb'([A-Z]+)(\d+)"')
_TAG = re.compile(rb"<(?:[\w.-]+:)?(row|c)(?=[\s/>])([^>]*)>")
_ATTR_R = re.compile(rb"(?:^|\s)r\s*=\s*([\"'])(.*?)\1", re.S)
_REF = re.compile(rb"([A-Za-z]+)(\d+)")


class CellScan:
    """Feed a worksheet's XML piece by piece until `done`; then read `far` or `needs_exact`."""

    def __init__(self, max_rows: int, max_columns: int, exact: bool = False) -> None:
        self.max_rows = max_rows
        self.max_columns = max_columns
        self.exact = exact
        self.far: FarCell | None = None
        self.needs_exact = False  # the fast pass met a cell it cannot place: run the exact one
        self.dimension: str | None = None
        self._carry = b""
        self._started = False
        self._pattern: re.Pattern[bytes] | None = None
        self._precise: re.Pattern[bytes] | None = None
        self._tag = b"<c"
        self._row = 0  # exact pass: the current row's number and the last cell's column
        self._column = 0

    @property
    def done(self) -> bool:
        return self.far is not None or self.needs_exact

    def feed(self, piece: bytes) -> bool:
        """Scan one more piece of the XML; True once the answer is known."""
        if not self._started:
            self._start(self._carry + piece)
        first = piece.find(b"<")
        if first < 0:  # text, or the rest of a long tag
            if self._carry:
                self._keep(self._carry + piece)
            return self.done
        if self._carry:  # the tag cut at the end of the last piece, up to this piece's first tag
            head = self._carry + piece[:first + 2]
            self._scan(head, 0, len(self._carry) + first)
            if self.done:
                return True
        cut = piece.rfind(b"<")
        self._scan(piece, first, cut)
        self._keep(piece[cut:])
        return self.done

    def finish(self) -> bool:
        """The end of the XML: scan what was carried over."""
        if self._carry and not self.done:
            self._scan(self._carry, 0, len(self._carry))
        self._carry = b""
        return self.done

    def _keep(self, carry: bytes) -> None:
        """Carry an unfinished tag over to the next piece (without the text after it)."""
        if len(carry) > CARRY_MAX:
            end = carry.find(b">")
            if end >= 0:
                carry = carry[:end + 1]
            elif carry.startswith((b"<!", b"<?")):
                carry = b""  # a long comment, CDATA or instruction holds no cells
            else:
                raise MalformedSheet("a tag longer than 1 MiB")
        self._carry = carry

    def _scan(self, buf: bytes, start: int, end: int) -> None:
        """Search the tags that begin in buf[start:end] (all of them end there too)."""
        if self.exact:
            self._scan_exact(buf, start, end)
        else:
            self._scan_fast(buf, start, end)

    # The fast pass ---------------------------------------------------------------------------

    def _start(self, buf: bytes) -> None:
        self._started = True
        dimension = _DIMENSION.search(buf)
        if dimension:
            self.dimension = dimension.group(1).decode("ascii", "replace")
        root = _ROOT.search(buf)
        if root is None:
            self.exact = True  # cannot tell how cells are written: count them one by one
            return
        if root.group(1):
            self._tag = b"<" + root.group(1) + b":c"
        # A cell tag that is not `<c r="` + a reference known to be inside the bounds is a
        # candidate. The fast pattern knows only the references of a normal journal (one
        # letter, fewer digits than the row limit): one negative look-ahead per cell, so a
        # normal sheet costs one pass in C. After the first legal candidate (a column AA…, a
        # row with as many digits as the limit) the rest is searched with the exact bounds.
        tag = re.escape(self._tag)
        limit = column_name(self.max_columns)
        letter = "[A-Z]" if len(limit) > 1 else f"[A-{limit}]"
        digits = len(str(self.max_rows))
        short = rf"\d{{1,{digits - 1}}}" if digits > 1 else "(?!)"
        self._pattern = re.compile(
            tag + b'(?! r="' + (letter + short).encode() + rb'")[\s>/]')
        self._precise = re.compile(
            tag + b'(?! r="' + (_letters_upto(limit) + _digits_upto(self.max_rows)).encode()
            + rb'")[\s>/]')

    def _scan_fast(self, buf: bytes, pos: int, end: int) -> None:
        assert self._pattern is not None and self._precise is not None
        size = len(self._tag)
        while True:
            m = self._pattern.search(buf, pos, end)
            if m is None:
                return
            ref = _STANDARD_REF.match(buf, m.start() + size + 4)
            if buf[m.start() + size: m.start() + size + 4] != b' r="' or ref is None:
                self.needs_exact = True  # no reference, or another attribute first
                return
            column, row = column_number(ref.group(1)), int(ref.group(2))
            if (row > self.max_rows or column > self.max_columns) and _valued(buf, m.end()):
                self.far = FarCell(f"{column_name(column)}{row}", row, column)
                return
            self._pattern = self._precise  # a legal far cell: the rest by the exact pattern
            pos = m.end()

    # The exact pass --------------------------------------------------------------------------

    def _scan_exact(self, buf: bytes, start: int, end: int) -> None:
        for m in _TAG.finditer(buf, start, end):
            attrs = m.group(2)
            r = _ATTR_R.search(attrs)
            if m.group(1) == b"row":
                value = r.group(2).strip() if r else b""
                self._row = int(value) if value.isdigit() else self._row + 1
                self._column = 0
                continue
            ref = _REF.fullmatch(r.group(2).strip()) if r else None
            if ref:
                self._column = column_number(ref.group(1))
                row = int(ref.group(2))
            else:
                self._column += 1
                row = self._row
            if (row > self.max_rows or self._column > self.max_columns) \
                    and _valued(buf, m.end()):
                self.far = FarCell(f"{column_name(self._column)}{row}", row, self._column)
                return


def _valued(buf: bytes, after: int) -> bool:
    """Whether the cell whose start tag ends before `after` holds a child element (a value)."""
    close = buf.find(b">", after - 1)
    if close < 0 or buf[close - 1: close] == b"/":
        return False
    nxt = buf.find(b"<", close)
    return nxt >= 0 and buf[nxt + 1: nxt + 2] != b"/"
