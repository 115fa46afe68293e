"""Formulas and merged ranges of a worksheet, found in the same streaming pass as its bounds.

`bounds` inflates every worksheet piece by piece to look for far cells; the same pieces are
searched here for a formula element and for `<mergeCell ref>`, so the sheet XML is inflated
once before the reader. Only the rare sheet that holds a formula is inflated again, whole, to
locate them (`Package.formula_cells`).
"""

from __future__ import annotations

import re

from toolkit.journal.schema import column_index

_MERGE = re.compile(rb"<(?:\w+:)?mergeCell\s[^>]*?\bref=\"([A-Z]{1,3})(\d+):([A-Z]{1,3})(\d+)\"")
_NEEDLES = (b"<f>", b"<f ", b"<f/", b":f>", b":f ")
_ROOT = re.compile(rb"<(?:([\w.-]+):)?worksheet[\s>/]")
_CARRY_MAX = 1 << 20  # no tag of a worksheet is this long
_TAIL = 64  # longer than a formula needle; a <mergeCell ref="…"> tag is cut at a `<` instead


def has_formula(xml: bytes) -> bool:
    """Whether the XML holds a formula element (`<f` alone would match <filterColumn>)."""
    return any(needle in xml for needle in _NEEDLES)


class SheetFeatures:
    """Feed a worksheet's XML piece by piece; then read `formula` and `merged` (rows 1-based)."""

    def __init__(self) -> None:
        self.formula = False
        self.merged: list[tuple[int, int, int, int]] = []
        self._tail = b""
        self._start = b""  # `<f` or `<x:f`, once the root element has shown the prefix
        self._formula: re.Pattern[bytes] | None = None

    def feed(self, piece: bytes) -> None:
        head = self._tail + piece[:_TAIL]  # what spans the cut between two pieces
        if not self._start:
            root = _ROOT.search(head + piece)
            if root is None:
                self.formula = self.formula or has_formula(head) or has_formula(piece)
            else:
                self._start = b"<" + (root.group(1) + b":" if root.group(1) else b"") + b"f"
                self._formula = re.compile(re.escape(self._start) + rb"[\s>/]")
        if not self.formula and self._start:
            # One search a piece for a formula element, not <formula1> or <filterColumn> (five
            # needles cost five passes over the XML; `bytes.find(b"<f")` stops at every `<`
            # and takes twice the time of this pattern).
            self.formula = self._formula_in(head) or self._formula_in(piece)
        if b"mergeCell" in head or b"mergeCell" in piece:
            chunk = self._tail + piece
            cut = chunk.rfind(b"<")  # the tag cut at the end waits for the next piece
            cut = cut if cut >= 0 else len(chunk)
            self.merged.extend((int(m.group(2)), column_index(m.group(1).decode()),
                                int(m.group(4)), column_index(m.group(3).decode()))
                               for m in _MERGE.finditer(chunk, 0, cut))
            tail = chunk[cut:]
            self._tail = tail if len(tail) <= _CARRY_MAX else tail[-_TAIL:]
        else:
            self._tail = piece[-_TAIL:] if len(piece) >= _TAIL else (self._tail + piece)[-_TAIL:]

    def _formula_in(self, xml: bytes) -> bool:
        assert self._formula is not None
        return self._formula.search(xml) is not None
