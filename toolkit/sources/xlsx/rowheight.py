"""How tall a row must be to show its wrapped text: spreadsheets do not fit rows on opening.

LibreOffice does not fit rows to wrapped text when it opens an .xlsx, and Excel keeps a row's
height until the row is edited, so text written by a program would overlap the next row. The
template's rows and the write-back of «Контроль» therefore carry a height. No heavy imports:
the write path of `check --write` uses it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from toolkit.journal.schema import BY_KEY, COLUMNS

Record = Mapping[str, Any]  # one journal row as {column key: value}; absent keys stay empty

LINE_POINTS = 12.75  # one line of 10 pt Times New Roman, as spreadsheets space it
CHAR_POINTS = 5.0  # a generous average width of a 10 pt Times New Roman character


def row_height(record: Record) -> float | None:
    """The height in points a row needs to show its wrapped text, or None for one line."""
    lines = 1
    for column in COLUMNS:
        value = record.get(column.key)
        if isinstance(value, str) and value:
            room = (column.width * 7 - 5) * 0.75 - 4  # points inside the cell
            lines = max(lines, wrapped_lines(value, room))
    return None if lines == 1 else round(lines * LINE_POINTS + 2.5, 2)


def wrapped_lines(text: str, room: float) -> int:
    """How many lines `text` takes in a cell `room` points wide, wrapped at spaces."""
    fits = max(1, int(room // CHAR_POINTS))  # characters per line
    total = 0
    for paragraph in text.split("\n"):
        used, lines = 0, 1
        for word in paragraph.split():
            size = len(word)
            if used and used + 1 + size > fits:
                lines += 1
                used = 0
            if size > fits:  # a word longer than the line is broken
                lines += (size - 1) // fits
                size = (size - 1) % fits + 1
            used += size + (1 if used else 0)
        total += lines
    return total


def text_height(key: str, text: str) -> float | None:
    """The height a row needs for `text` in column `key`, or None for one line."""
    return row_height({key: text}) if key in BY_KEY else None
