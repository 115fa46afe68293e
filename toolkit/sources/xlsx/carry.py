"""What `vks upgrade` cannot carry over when openpyxl rewrites a workbook: refused up front.

openpyxl loads and saves cells, styles, comments, hyperlinks, merges, validations, conditional
formats, defined names and print settings; it drops macros, charts, pictures, pivot tables,
slicers, threaded comments and form controls, and it cannot move a formula's references with
the cells they name. Each check here raises `UpgradeRefused` with what to do instead.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from toolkit.journal.errors import JournalError
from toolkit.journal.schema import column_index

# Parts of a package openpyxl drops or cannot keep true when it saves the workbook.
UNSUPPORTED = (
    (re.compile(r"^xl/vbaProject\.bin$"), "макросы"),
    (re.compile(r"^xl/(charts|chartsheets)/"), "диаграммы"),
    (re.compile(r"^xl/media/"), "рисунки"),
    (re.compile(r"^xl/drawings/drawing\d+\.xml$"), "рисунки или фигуры"),
    (re.compile(r"^xl/pivot(Tables|Cache)/"), "сводные таблицы"),
    (re.compile(r"^xl/(slicers|slicerCaches|timelines|timelineCaches)/"), "срезы"),
    (re.compile(r"^xl/threadedComments/"), "цепочки примечаний (ответы в примечаниях)"),
    (re.compile(r"^xl/(ctrlProps|activeX)/"), "элементы управления"),
    (re.compile(r"^xl/tables/"), "умные таблицы"),
)
_EXT_RE = re.compile(rb"<(?:\w+:)?(sparklineGroups|slicerList|timelineRefs)\b")
_REF_RE = re.compile(
    r"^(?:(?:'(?P<q>(?:[^']|'')+)'|(?P<s>[^'!:]+))!)?"
    r"\$?(?P<c1>[A-Za-z]{1,3})\$?(?P<r1>\d*)(?::\$?(?P<c2>[A-Za-z]{1,3})\$?(?P<r2>\d*))?$"
)
class UpgradeRefused(JournalError):
    """The journal cannot be brought to the current layout without losing something."""


def refuse_unsupported(path: Path) -> None:
    try:
        with zipfile.ZipFile(path) as package:
            names = package.namelist()
            sheets = [n for n in names if re.match(r"^xl/worksheets/sheet\d+\.xml$", n)]
            extended = [n for n in sheets if _EXT_RE.search(package.read(n))]
    except zipfile.BadZipFile:
        raise JournalError(f"{path.name}: файл поврежден или это не .xlsx") from None
    found = sorted({what for name in names for pattern, what in UNSUPPORTED
                    if pattern.match(name)})
    if extended:
        found.append("спарклайны или срезы")
    if found:
        raise UpgradeRefused(
            f"{path.name}: в книге есть {', '.join(found)} — при перестановке столбцов они "
            f"потерялись бы. Перенесите их в другой файл или переставьте столбцы служебного "
            f"блока вручную (порядок — в README, «Форма журнала»)")


def refuse_references(wb: Any, ws: Any, mapping: dict[int, int]) -> None:
    """No formula or defined name may point into a column that moves."""
    moving = {old for old, new in mapping.items() if old != new}
    for sheet in wb.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                text = _formula_text(cell.value)
                if text is None:
                    continue
                for ref in _references(text):
                    if _hits(ref, sheet.title, ws.title, moving):
                        raise UpgradeRefused(
                            f"лист «{sheet.title}», ячейка {cell.coordinate}: формула ссылается "
                            f"на столбцы служебного блока листа «{ws.title}», которые "
                            f"переставляются, — после перестановки она считала бы не то. "
                            f"Замените формулу значением и запустите команду снова")
    for name, defined in wb.defined_names.items():
        for ref in _references("=" + (defined.attr_text or "")):
            if _hits(ref, "", ws.title, moving):
                raise UpgradeRefused(
                    f"именованный диапазон «{name}» ссылается на столбцы служебного блока листа "
                    f"«{ws.title}», которые переставляются; удалите или исправьте его")
    for sheet in wb.worksheets:
        for name, defined in getattr(sheet, "defined_names", {}).items():
            for ref in _references("=" + (defined.attr_text or "")):
                if _hits(ref, sheet.title, ws.title, moving):
                    raise UpgradeRefused(
                        f"именованный диапазон «{name}» листа «{sheet.title}» ссылается на "
                        f"столбцы служебного блока, которые переставляются")


def _formula_text(value: Any) -> str | None:
    if isinstance(value, str) and value.startswith("="):
        return value
    text = getattr(value, "text", None)  # ArrayFormula, DataTableFormula
    return text if isinstance(text, str) else None


def _references(formula: str) -> Iterator[tuple[str | None, int, int]]:
    """(sheet or None, first column, last column) of each cell or column range a formula names."""
    from openpyxl.formula import Tokenizer
    from openpyxl.formula.tokenizer import TokenizerError

    try:
        operands = [t.value for t in Tokenizer(formula).items
                    if t.type == "OPERAND" and t.subtype == "RANGE"]
    except TokenizerError:  # judge a formula it cannot parse by anything that looks like a cell
        operands = re.findall(r"(?:'[^']+'|[^\s'!:(),;=+*/&<>^-]+)?!?\$?[A-Za-z]{1,3}\$?\d+"
                              r"(?::\$?[A-Za-z]{1,3}\$?\d+)?", formula)
    for operand in operands:
        m = _REF_RE.match(operand)
        if m is None:
            continue  # a defined name or a whole-row reference: columns do not matter
        sheet = m.group("q").replace("''", "'") if m.group("q") else m.group("s")
        first = column_index(m.group("c1"))
        last = column_index(m.group("c2")) if m.group("c2") else first
        yield sheet, min(first, last), max(first, last)


def _hits(ref: tuple[str | None, int, int], here: str, target: str,
          moving: set[int]) -> bool:
    sheet, first, last = ref
    if (sheet or here) != target:
        return False
    return any(first <= col <= last for col in moving)


def refuse_rules_right_of_journal(ws: Any, end: int) -> None:
    """Drop-downs and conditional formats are the template's on the journal's columns (up to
    `end`, 0-based); one right of the journal would have to move, which openpyxl cannot do."""
    for dv in ws.data_validations.dataValidation:
        if any(r.max_col - 1 > end for r in dv.sqref.ranges):
            raise UpgradeRefused(f"лист «{ws.title}»: проверка данных {dv.sqref} правее "
                                 f"журнала сдвинулась бы — удалите ее и запустите снова")
    for cf in ws.conditional_formatting:
        if any(r.max_col - 1 > end for r in cf.sqref.ranges):
            raise UpgradeRefused(f"лист «{ws.title}»: условное форматирование {cf.sqref} правее "
                                 f"журнала сдвинулось бы — удалите его и запустите снова")
