"""Replies of the Sheets API checked before use: shapes, types and sizes.

A reply that is not what the API reference describes — a proxy's error page, a truncated body,
`startRow` 99999999999, a number where a list belongs — must end in a Russian message and exit
code 2, not in an AttributeError or in building a hundred billion empty rows. The checks walk
the structure (sheets, blocks, rows), not every cell, and bound what would otherwise allocate
memory in proportion to a number taken from the reply.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from toolkit.journal.errors import JournalError

MAX_ROWS = 1_000_000  # rows of one sheet: Google's 10 million cells cap a journal far below
MAX_COLUMNS = 18_278  # columns of a sheet (ZZZ)
MAX_SHEETS = 500
MAX_REPLY_BYTES = 512 << 20  # a reply larger than this is refused before it is parsed


class BadReply(JournalError):
    """Google's reply is not what the Sheets API returns: nothing is read or written."""


def _bad(location: str, what: str) -> BadReply:
    return BadReply(f"{location}: Google вернул ответ неожиданного вида ({what}); ничего не "
                    f"прочитано и не записано. Повторите позже; если повторяется — проверьте "
                    f"прокси-сервер между программой и Google.")


def _int(value: Any, low: int, high: int) -> bool:
    return type(value) is int and low <= value <= high


def check_size(content: bytes, location: str) -> None:
    if len(content) > MAX_REPLY_BYTES:
        raise _bad(location, f"ответ больше {MAX_REPLY_BYTES >> 20} МиБ")


def check_spreadsheet(meta: Any, location: str) -> None:
    """Raise BadReply unless `meta` is a spreadsheets.get reply the reader can use."""
    if not isinstance(meta, dict):
        raise _bad(location, "не объект JSON")
    sheets = meta.get("sheets", [])
    if not isinstance(sheets, list) or len(sheets) > MAX_SHEETS:
        raise _bad(location, "sheets — не список листов")
    for n, sheet in enumerate(sheets, start=1):
        if not isinstance(sheet, dict) or not isinstance(sheet.get("properties", {}), dict):
            raise _bad(location, f"лист {n} — не объект")
        props = sheet.get("properties", {})
        title = props.get("title", "")
        if not isinstance(title, str) or not _int(props.get("sheetId", 0), 0, 2**31 - 1) \
                or not isinstance(props.get("sheetType", "GRID"), str):
            raise _bad(location, f"свойства листа {n}")
        merges = sheet.get("merges", [])
        if not isinstance(merges, list) or not all(
                isinstance(m, dict) and all(_int(m.get(k, 0), 0, MAX_ROWS) for k in
                                            ("startRowIndex", "endRowIndex"))
                and all(_int(m.get(k, 0), 0, MAX_COLUMNS) for k in
                        ("startColumnIndex", "endColumnIndex")) for m in merges):
            raise _bad(location, f"объединенные ячейки листа «{title}»")
        data = sheet.get("data", [])
        if not isinstance(data, list):
            raise _bad(location, f"данные листа «{title}»")
        for block in data:
            _check_block(block, title, location)


def _check_block(block: Any, title: str, location: str) -> None:
    if not isinstance(block, dict):
        raise _bad(location, f"данные листа «{title}» — не объект")
    start_row, start_col = block.get("startRow", 0), block.get("startColumn", 0)
    if not _int(start_row, 0, MAX_ROWS - 1):
        raise _bad(location, f"startRow {start_row!r} листа «{title}» — за пределами таблицы "
                             f"(не больше {MAX_ROWS:,} строк)".replace(",", " "))
    if not _int(start_col, 0, MAX_COLUMNS - 1):
        raise _bad(location, f"startColumn {start_col!r} листа «{title}»")
    rows = block.get("rowData", [])
    if not isinstance(rows, list) or start_row + len(rows) > MAX_ROWS:
        raise _bad(location, f"rowData листа «{title}»")
    for row in rows:
        if not isinstance(row, dict):
            raise _bad(location, f"строка листа «{title}» — не объект")
        values = row.get("values", [])
        if not isinstance(values, list) or start_col + len(values) > MAX_COLUMNS:
            raise _bad(location, f"значения строки листа «{title}»")
        if {type(v) for v in values} & _NOT_CELLS:
            raise _bad(location, f"значение ячейки листа «{title}» неизвестного типа")


# A decoded cell (`source.decode_cell`) is a value, an empty {} or a Formula; JSON gives a list
# or null only where the reply is not a spreadsheet.
_NOT_CELLS = frozenset({list, type(None)})


def check_value_ranges(reply: Any, expected: int, location: str) -> list[Mapping[str, Any]]:
    """The valueRanges of a values.batchGet reply (majorDimension COLUMNS), checked."""
    if not isinstance(reply, dict) or not isinstance(reply.get("valueRanges", []), list):
        raise _bad(location, "valueRanges — не список")
    ranges = reply.get("valueRanges", [])
    if len(ranges) != expected:
        raise BadReply(f"{location}: Google вернул {len(ranges)} диапазонов вместо {expected} — "
                       f"ничего не записано")
    for value_range in ranges:
        if not isinstance(value_range, dict):
            raise _bad(location, "диапазон — не объект")
        values = value_range.get("values", [[]])
        if not isinstance(values, list) or len(values) > 1 or not all(
                isinstance(column, list) and len(column) <= MAX_ROWS for column in values):
            raise _bad(location, "значения диапазона")
        if values and not {type(v) for v in values[0]} <= {str, int, float, bool}:
            raise _bad(location, "значение ячейки неизвестного типа")
    return ranges
