"""`vks upgrade`: bring a journal made by an earlier layout to the current one (RULES.md).

    result = upgrade_journal("журнал.xlsx", config, dry_run=True)   # what would move
    result = upgrade_journal("журнал.xlsx", config)                 # move, with a backup

A journal sheet's service columns are found by their row-4 headings. Where they stand in
another order, or one is missing (the layout of 2026-11 put «Контроль» first and added
«Перенесен на»), every cell of every service column — value, style, comment, hyperlink —
moves to its column's current place; columns a person added right of the block move right
with it; the headings, column formats, drop-downs, highlight, print set-up and the
«Справочники» sheet are written as the template makes them now. Graphs 1–7 do not move.

This is a rare, explicit command, so the workbook is loaded and saved whole with openpyxl —
after refusing anything openpyxl would not carry over (macros, charts and pictures, pivot
tables, slicers, threaded comments, form controls, tables) and any formula or defined name that
points into a column that moves (its reference would go stale). The saved file is read back and
compared cell by cell with the original before it replaces it; a private backup is kept. The
file must not be open in Excel or LibreOffice.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from toolkit.journal.config import Config
from toolkit.journal.errors import JournalBusy, JournalError
from toolkit.journal.schema import (
    DIRECTORY_SHEET,
    FIRST_DATA_ROW,
    GRAPH_ROW,
    JOURNAL_TITLE,
    NUMBER_ROW,
    SERVICE_COLUMNS,
    SERVICE_START,
    SUBCOLUMN_ROW,
    TITLE_ROW,
    WIDTH,
    column_letter,
    header_cells,
    normalize,
)
from toolkit.sources.xlsx.carry import (
    UpgradeRefused,
    refuse_references,
    refuse_rules_right_of_journal,
    refuse_unsupported,
)

log = logging.getLogger("vks.upgrade")

KEYS_BY_HEADING = {normalize(c.heading): c.key for c in SERVICE_COLUMNS}
CURRENT = {c.key: SERVICE_START + i for i, c in enumerate(SERVICE_COLUMNS)}


@dataclass
class SheetUpgrade:
    """What the upgrade does to one journal sheet."""

    sheet: str
    moves: list[tuple[str, str, str]] = field(default_factory=list)  # heading, from, to
    added: list[str] = field(default_factory=list)  # headings the sheet did not have
    shifted: int = 0  # columns right of the journal moved by this many
    cells: int = 0  # cells moved


@dataclass
class UpgradeResult:
    """What `upgrade_journal` did (or, in a dry run, would do)."""

    location: str
    sheets: list[SheetUpgrade] = field(default_factory=list)
    backup: Path | None = None
    written: bool = False
    directory: bool = False  # «Справочники» rewritten

    @property
    def needed(self) -> bool:
        return bool(self.sheets)


def upgrade_journal(location: str, config: Config, dry_run: bool = False) -> UpgradeResult:
    """Bring the journal at `location` to the current layout (see the module docstring)."""
    from toolkit.journal.locations import is_google

    if is_google(location):
        raise UpgradeRefused(
            f"{location}: vks upgrade не поддерживается для Google Таблиц — переставьте столбцы "
            f"служебного блока вручную по README («Форма журнала») или создайте таблицу заново "
            f"командой vks init и перенесите строки")
    path = Path(location)
    if path.suffix.lower() != ".xlsx":
        raise UpgradeRefused(f"{path.name}: vks upgrade работает только с файлами .xlsx")
    if not path.is_file():
        raise JournalError(f"файл {path} не найден")
    _refuse_busy(path)
    refuse_unsupported(path)
    import openpyxl

    wb = openpyxl.load_workbook(path, rich_text=True)
    result = UpgradeResult(location)
    plans = []
    for ws in wb.worksheets:
        if ws.title == DIRECTORY_SHEET or not _is_journal(ws):
            continue
        mapping, plan = _plan(ws)
        if plan is not None:
            plans.append((ws, mapping))
            result.sheets.append(plan)
    for ws, mapping in plans:
        refuse_references(wb, ws, mapping)
        refuse_rules_right_of_journal(ws, max(c for c, new in mapping.items() if new < WIDTH))
    if not plans or dry_run:
        return result
    for ws, mapping in plans:
        _move(ws, mapping)
    from toolkit.sources.xlsx.template import replace_directory

    replace_directory(wb)
    result.directory = True
    result.backup = _save(wb, path, config, {ws.title: m for ws, m in plans})
    result.written = True
    return result


# --- What to move ----------------------------------------------------------------------------


def _is_journal(ws: Any) -> bool:
    first = header_cells()[0]
    a1 = normalize(str(ws.cell(TITLE_ROW, 1).value or ""))
    a3 = normalize(str(ws.cell(first.row, 1).value or ""))
    return a1 == normalize(JOURNAL_TITLE) or a3 == normalize(first.text)


def _plan(ws: Any) -> tuple[dict[int, int], SheetUpgrade | None]:
    """Old column → new column (0-based) for every column right of graph 7, and the plan."""
    headings = {col: ws.cell(SUBCOLUMN_ROW, col + 1).value
                for col in range(SERVICE_START, ws.max_column)}
    keys = {col: KEYS_BY_HEADING.get(normalize(str(text))) for col, text in headings.items()
            if text is not None and str(text).strip()}
    # The block is what its row-3 heading spans; without that merge, up to its last heading.
    spans = [m.max_col - 1 for m in ws.merged_cells.ranges
             if m.min_row == GRAPH_ROW and m.min_col - 1 == SERVICE_START]
    last = spans[0] if spans else max((c for c, k in keys.items() if k), default=SERVICE_START)
    found: dict[str, int] = {}
    for col in range(SERVICE_START, last + 1):
        text, key = headings.get(col), keys.get(col)
        if key is None:
            raise UpgradeRefused(
                f"лист «{ws.title}», ячейка {column_letter(col)}{SUBCOLUMN_ROW}: столбец "
                f"«{text or ''}» в служебном блоке не распознан — переименуйте его или "
                f"перенесите правее служебного блока и запустите команду снова")
        if key in found:
            raise UpgradeRefused(
                f"лист «{ws.title}»: столбец «{text}» встречается в служебном блоке дважды "
                f"({column_letter(found[key])} и {column_letter(col)})")
        found[key] = col
    if not found:
        raise UpgradeRefused(f"лист «{ws.title}»: в строке {SUBCOLUMN_ROW} нет заголовков "
                             f"служебного блока — это не журнал vks")
    shift = (WIDTH - 1) - last
    mapping = {old: CURRENT[key] for key, old in found.items()}
    for col in range(last + 1, max(ws.max_column, last + 1)):
        mapping[col] = col + shift
    if shift < 0:
        raise UpgradeRefused(f"лист «{ws.title}»: служебный блок шире текущего — такой журнал "
                             f"сделан более новой версией vks")
    missing = [c.heading for c in SERVICE_COLUMNS if c.key not in found]
    if all(old == new for old, new in mapping.items()) and not missing:
        return mapping, None
    by_col = {v: k for k, v in found.items()}
    plan = SheetUpgrade(ws.title, added=missing, shifted=shift)
    plan.cells = sum(1 for (row, col), cell in ws._cells.items()
                     if row >= FIRST_DATA_ROW and mapping.get(col - 1, col - 1) != col - 1
                     and cell.value not in (None, ""))
    for old, new in sorted(mapping.items()):
        if old != new and old in by_col:
            heading = next(c.heading for c in SERVICE_COLUMNS if c.key == by_col[old])
            plan.moves.append((heading, column_letter(old), column_letter(new)))
    return mapping, plan


def _refuse_busy(path: Path) -> None:
    from toolkit.sources.xlsx.locks import describe_locks

    busy = describe_locks(path)
    if busy:
        raise JournalBusy(busy)


# --- Moving ----------------------------------------------------------------------------------


def _move(ws: Any, mapping: dict[int, int]) -> None:
    """Move every cell of the mapped columns; write the service header anew."""
    from toolkit.sources.xlsx.template import reapply_layout, service_header

    merges = [m for m in list(ws.merged_cells.ranges) if m.max_col - 1 >= SERVICE_START]
    moved_merges = []
    for merge in merges:
        ws.unmerge_cells(merge.coord)
        header = merge.min_row <= NUMBER_ROW and merge.max_col - 1 < WIDTH
        if header:
            continue  # the service block's heading: the template writes it anew
        first, last = mapping.get(merge.min_col - 1), mapping.get(merge.max_col - 1)
        if first is None or last is None or last - first != merge.max_col - merge.min_col:
            raise UpgradeRefused(
                f"лист «{ws.title}»: объединенные ячейки {merge.coord} захватывают разные "
                f"столбцы служебного блока — разъедините их и запустите команду снова")
        moved_merges.append((merge.min_row, first, merge.max_row, last))
    heading_rows = (GRAPH_ROW, SUBCOLUMN_ROW)
    taken = {}
    for (row, col), cell in list(ws._cells.items()):
        old = col - 1
        if old < SERVICE_START:
            continue
        del ws._cells[(row, col)]
        if row in heading_rows and old in mapping and mapping[old] < WIDTH:
            continue  # the block's headings: written from the schema below
        taken[(row, mapping.get(old, old) + 1)] = cell
    for (row, col), cell in taken.items():
        cell.column = col
        ws._cells[(row, col)] = cell
        if cell.hyperlink is not None:
            cell.hyperlink.ref = cell.coordinate
    _move_dimensions(ws, mapping)
    ws.merge_cells(start_row=GRAPH_ROW, start_column=SERVICE_START + 1, end_row=GRAPH_ROW,
                   end_column=WIDTH)
    service_header(ws)
    for r1, c1, r2, c2 in moved_merges:
        ws.merge_cells(start_row=r1, start_column=c1 + 1, end_row=r2, end_column=c2 + 1)
    _drop_journal_rules(ws)
    reapply_layout(ws)


def _drop_journal_rules(ws: Any) -> None:
    """Remove the older layout's drop-downs and conditional formats (the template's anew)."""
    from openpyxl.formatting.formatting import ConditionalFormattingList

    ws.data_validations.dataValidation = []
    ws.conditional_formatting = ConditionalFormattingList()


def _move_dimensions(ws: Any, mapping: dict[int, int]) -> None:
    """Column widths: the template's for the journal, the old ones for columns moved right."""
    def covering(col: int) -> Any:
        return next((d for d in ws.column_dimensions.values()
                     if d.min is not None and d.min <= col + 1 <= (d.max or d.min)), None)

    extra = {mapping[c]: covering(c) for c in mapping if mapping[c] >= WIDTH}
    kept = {new: (d.width, d.hidden) for new, d in extra.items() if d is not None}
    reach = max([WIDTH, *(new + 1 for new in mapping.values())])
    for key, dim in list(ws.column_dimensions.items()):
        if dim.min is not None and dim.min <= reach:
            del ws.column_dimensions[key]
    for new, (width, hidden) in kept.items():
        dim = ws.column_dimensions[column_letter(new)]
        dim.width, dim.hidden = width, hidden


# --- Saving ----------------------------------------------------------------------------------


def _save(wb: Any, path: Path, config: Config, mappings: dict[str, dict[int, int]]) -> Path:
    """Back up, write a temporary file, prove no value was lost, then replace the journal."""
    from toolkit.journal.files import backup
    from toolkit.journal.locations import state_dir
    from toolkit.sources.xlsx.template import write_workbook

    copy = backup(path, state_dir(config, str(path)) / "backups")
    staged = path.with_name(f".{path.stem}.vks-upgrade.xlsx")
    try:
        write_workbook(wb, staged)
        lost = lost_values(path, staged, mappings)
        if lost:
            raise UpgradeRefused(
                f"{path.name}: после перестановки не нашлось значений ({len(lost)}, первое — "
                f"{lost[0]}); журнал не изменен")
        _refuse_busy(path)  # opened while we worked: do not replace it under the person
        staged.replace(path)
    finally:
        staged.unlink(missing_ok=True)
    log.info("%s: журнал приведен к текущему виду, резервная копия %s", path, copy)
    return copy


def lost_values(before: Path, after: Path, mappings: dict[str, dict[int, int]]) -> list[str]:
    """Cells of `before` whose value is not at their new place in `after` (by address)."""
    import openpyxl

    old = openpyxl.load_workbook(before, rich_text=True)
    new = openpyxl.load_workbook(after, rich_text=True)
    lost = []
    for ws in old.worksheets:
        if ws.title == DIRECTORY_SHEET:
            continue
        mapping = mappings.get(ws.title, {})
        target = new[ws.title]
        for (row, col), cell in ws._cells.items():
            if cell.value in (None, ""):
                continue
            place = mapping.get(col - 1, col - 1) + 1
            if row == GRAPH_ROW and col - 1 == SERVICE_START:
                place = SERVICE_START + 1  # the block's heading stays at its head
            value = target.cell(row, place).value
            same = (normalize(str(value)) == normalize(str(cell.value))
                    if row in (GRAPH_ROW, SUBCOLUMN_ROW) else str(value) == str(cell.value))
            if not same:
                lost.append(f"лист «{ws.title}», {cell.coordinate} → "
                            f"{column_letter(place - 1)}{row}")
    return lost
