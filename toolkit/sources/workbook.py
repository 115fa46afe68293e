"""Creating journals: an empty one by the form of Appendix 1, or the demo."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

from toolkit.journal.calendar import WorkingCalendar
from toolkit.journal.config import Body, Config
from toolkit.journal.errors import ToolkitError
from toolkit.sources.demo import Manifest, make_demo


def _refuse_existing(path: Path, force: bool) -> None:
    if path.exists() and not force:
        raise ToolkitError(f"Файл {path} уже существует; чтобы заменить его, добавьте --force")
    if path.suffix.lower() != ".xlsx":
        raise ToolkitError(f"{path}: журнал сохраняется в формате .xlsx — укажите имя с .xlsx")
    if not path.parent.exists():
        raise ToolkitError(f"Папка {path.parent} не существует")


def create_journal(location: str | Path, bodies: Sequence[Body], force: bool = False,
                   config: Config | None = None) -> None:
    """Write a new, empty journal with one sheet per body."""
    from toolkit.journal.locations import is_google

    text = str(location)
    if is_google(text):
        from toolkit.sources.gsheets.format import format_spreadsheet

        format_spreadsheet(text, bodies, force=force, config=config)
        return
    from toolkit.sources.xlsx.template import build_workbook, write_workbook

    path = Path(location)
    _refuse_existing(path, force)
    write_workbook(build_workbook(bodies), path)


def create_demo(path: Path, rows: int, seed: int, today: dt.date,
                calendar: WorkingCalendar, force: bool = False) -> Manifest:
    """Write the demo journal (see toolkit.sources.demo)."""
    _refuse_existing(path, force)
    return make_demo(path, rows=rows, seed=seed, today=today, calendar=calendar)
