"""The grid data of a spreadsheets.get reply, turned into what values.get would give.

`effectiveValue` is converted exactly as values.get with UNFORMATTED_VALUE and SERIAL_NUMBER
renders it (never numericised); formula cells and merged ranges are noted on the way.
`decode_cell` is a JSON object hook, so no dict per cell outlives parsing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from toolkit.journal.schema import WIDTH


@dataclass(frozen=True)
class SheetInfo:
    """What spreadsheets.get says about one worksheet."""

    sheet_id: int
    title: str
    merged: tuple[tuple[int, int, int, int], ...] = ()
    formulas: frozenset[tuple[int, int]] = frozenset()


# ErrorValue.type → the text values.get returns for the cell (ErrorType of the Sheets API).
ERROR_TEXT = {
    "ERROR": "#ERROR!",
    "NULL_VALUE": "#NULL!",
    "DIVIDE_BY_ZERO": "#DIV/0!",
    "VALUE": "#VALUE!",
    "REF": "#REF!",
    "NAME": "#NAME?",
    "NUM": "#NUM!",
    "N_A": "#N/A",
    "LOADING": "Loading...",
}
_EXACT_INT = 2 ** 53  # doubles up to here are whole numbers exactly
_VALUE_KEYS = frozenset({"numberValue", "stringValue", "boolValue", "errorValue"})



def parse_spreadsheet(meta: dict[str, Any]
                      ) -> tuple[dict[str, SheetInfo], dict[str, list[list[Any]]]]:
    """Grid worksheets (in tab order) and their rows from a spreadsheets.get reply.

    Rows are as values.get returns A1:Y with UNFORMATTED_VALUE and SERIAL_NUMBER: rows[0] is
    row 1, rows[r][0] column A; trailing empty cells and rows are left out.
    """
    infos: dict[str, SheetInfo] = {}
    values: dict[str, list[list[Any]]] = {}
    for sheet in meta.get("sheets", []):
        props = sheet.get("properties", {})
        if props.get("sheetType", "GRID") != "GRID":
            continue  # a chart or data-source sheet holds no cells
        merged = tuple(
            (m.get("startRowIndex", 0) + 1, m.get("startColumnIndex", 0),
             m.get("endRowIndex", 1), m.get("endColumnIndex", 1) - 1)
            for m in sheet.get("merges", [])
        )
        formulas: set[tuple[int, int]] = set()
        rows = grid_rows(sheet.get("data", []), formulas)
        title = str(props.get("title", ""))
        infos[title] = SheetInfo(int(props.get("sheetId", 0)), title, merged,
                                 frozenset(formulas))
        values[title] = rows
    return infos, values


def grid_rows(data: Iterable[dict[str, Any]], formulas: set[tuple[int, int]],
              width: int = WIDTH) -> list[list[Any]]:
    """The values of a sheet's GridData block (one range a sheet is asked for), columns A… up
    to `width`; formula cells (row, col) are added to `formulas`.

    Cells come as `decode_cell` left them (values, `Formula`s, empty `{}`) or as plain CellData.
    """
    rows: list[list[Any]] = []
    for block in data:
        r0, c0 = block.get("startRow", 0), block.get("startColumn", 0)
        for i, row_data in enumerate(block.get("rowData", ())):
            line = row_data.get("values")
            if not line:
                continue
            r = r0 + i
            for j in [j for j, cell in enumerate(line) if isinstance(cell, dict | Formula)]:
                cell = line[j]
                if isinstance(cell, Formula):
                    formulas.add((r + 1, c0 + j))
                    line[j] = cell.value
                    continue
                entered = cell.get("userEnteredValue")
                if entered and "formulaValue" in entered:
                    formulas.add((r + 1, c0 + j))
                line[j] = cell_value(cell)
            if c0:
                line[:0] = [""] * c0
            del line[width:]
            while line and line[-1] == "":
                line.pop()
            if line:
                rows.extend([] for _ in range(r + 1 - len(rows)))
                rows[r] = line
    return rows


@dataclass(frozen=True)
class Formula:
    """A decoded cell that holds a formula, with the formula's value."""

    value: Any


_FORMULA = Formula(None)  # a decoded userEnteredValue holding a formulaValue


def decode_cell(obj: dict[str, Any]) -> Any:
    """`json.loads` object_hook for a READ_FIELDS reply: each cell becomes its value at once.

    A CellData becomes what `cell_value` gives (a `Formula` wrapping it if the cell holds a
    formula), so the reply of a large sheet is never held as a dict per cell and per value.
    Other objects (sheets, properties, merges, rows, empty cells `{}`) stay dicts.
    """
    if "effectiveValue" in obj or "userEnteredValue" in obj:  # CellData, values decoded below
        value = obj.get("effectiveValue", "")
        if isinstance(value, dict):  # an ExtendedValue this hook did not recognise
            value = extended_value(value)
        return Formula(value) if obj.get("userEnteredValue") is _FORMULA else value
    if len(obj) == 1:
        if "formulaValue" in obj:  # userEnteredValue(formulaValue)
            return _FORMULA
        if obj.keys() <= _VALUE_KEYS:  # effectiveValue
            return extended_value(obj)
    return obj


def cell_value(cell: dict[str, Any]) -> Any:
    """A CellData's effectiveValue as values.get gives it (UNFORMATTED_VALUE, SERIAL_NUMBER).

    numberValue → int when whole (as values.get writes 46342, not 46342.0), else float — a
    date stays its serial number; stringValue → str as typed; boolValue → bool; errorValue →
    the error's text ('#REF!', '#N/A' …); no value → ''.
    """
    return extended_value(cell.get("effectiveValue"))


def extended_value(value: dict[str, Any] | None) -> Any:
    """An ExtendedValue as values.get gives the cell (see `cell_value`)."""
    if not value:
        return ""
    if "stringValue" in value:
        return value["stringValue"]
    if "numberValue" in value:
        number = value["numberValue"]
        if isinstance(number, float) and number.is_integer() and abs(number) < _EXACT_INT:
            return int(number)
        return number
    if "boolValue" in value:
        return bool(value["boolValue"])
    if "errorValue" in value:
        error = value["errorValue"]
        kind = error.get("type", "") if isinstance(error, dict) else ""
        return ERROR_TEXT.get(str(kind), "#ERROR!")
    return ""
