"""`vks init`, `vks demo`, `vks check`: making a journal and checking it."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from toolkit.cli.base import (
    CONTEXT,
    State,
    bodies_for,
    body_option,
    cli,
    handle_errors,
    journal_locations,
    today_option,
)
from toolkit.journal.text import printable

if TYPE_CHECKING:
    from toolkit.journal.report import Report


@cli.command(context_settings=CONTEXT)
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path), metavar="ПУТЬ")
@click.option("--body", "bodies", multiple=True, metavar="НАИМЕНОВАНИЕ",
              help="Орган, для которого создать лист журнала (можно несколько раз); "
                   "по умолчанию — органы из файла настроек.")
@click.option("--force", is_flag=True, help="Перезаписать существующий файл.")
@click.pass_obj
@handle_errors
def init(state: State, path: Path, bodies: tuple[str, ...], force: bool) -> None:
    """Создать пустой журнал по форме приложения № 1 (лист на каждый орган)."""
    from toolkit.sources.workbook import create_journal

    chosen = bodies_for(state, bodies)
    create_journal(path, chosen, force=force, config=state.config)
    click.echo(f"Создан журнал {path}: {', '.join(b.sheet for b in chosen)}.")


@cli.command(context_settings=CONTEXT)
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path), metavar="ПУТЬ")
@click.option("--rows", type=click.IntRange(50, 100000), default=60, show_default=True,
              metavar="ЧИСЛО", help="Строк на лист каждого органа.")
@click.option("--seed", type=int, default=1, show_default=True, metavar="ЧИСЛО",
              help="Начальное число генератора: одно и то же дает тот же файл.")
@click.option("--force", is_flag=True, help="Перезаписать существующий файл.")
@click.option("--export", "export_dir", type=click.Path(file_okay=False, path_type=Path),
              default=None, metavar="ПАПКА",
              help="Также записать в папку демонстрационную выгрузку заявок с сайта (.csv и "
                   ".json) с заложенными случаями для vks intake.")
@today_option
@click.pass_obj
@handle_errors
def demo(state: State, path: Path, rows: int, seed: int, force: bool, export_dir: Path | None,
         today: dt.date | dt.datetime | None) -> None:
    """Создать демонстрационный журнал, в котором каждое правило нарушено в известных строках."""
    from toolkit.journal.clock import Clock
    from toolkit.journal.control import calendar_for
    from toolkit.sources.workbook import create_demo

    clock = Clock.at(today) if today else Clock.local(state.config.timezone)
    manifest = create_demo(path, rows=rows, seed=seed, today=clock.today,
                           calendar=calendar_for(state.config), force=force)
    sheets = ", ".join(f"«{s}»" for s in manifest.rows)
    click.echo(f"Создан демо-журнал {path} на {clock.today:%d.%m.%Y}: листы {sheets}, "
               f"по {rows} строк.")
    if export_dir is not None:
        from toolkit.intake.demo_export import demo_export_for
        from toolkit.journal.russian import count

        export = demo_export_for(path, export_dir, state.config, seed=seed, today=clock.today)
        click.echo(f"Создана выгрузка заявок с сайта {export.csv} (и {export.json.name}): "
                   f"{count(export.rows, 'заявка', 'заявки', 'заявок')}; попробуйте: "
                   f"vks intake {export.csv} --journal {path}")


@cli.command(context_settings=CONTEXT)
@click.argument("journal", required=False, metavar="[ЖУРНАЛ]")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="Вид отчета: таблица или JSON.")
@click.option("--write", is_flag=True,
              help="Записать в журнал графу «Контроль» и отмены приемов по п. 2.7 "
                   "(только в пустые ячейки графы 7).")
@body_option("Проверить только этот орган (можно несколько раз).")
@today_option
@click.pass_obj
@handle_errors
def check(state: State, journal: str | None, fmt: str, write: bool, bodies: tuple[str, ...],
          today: dt.date | dt.datetime | None) -> None:
    """Проверить журнал: заполнение, сроки, график, пересечения приемов.

    ЖУРНАЛ — файл .xlsx или gsheet:<ключ таблицы>; без него проверяются журналы из
    файла настроек. Код выхода: 0 — ошибок нет, 1 — есть ошибки, 2 — журнал не прочитан,
    3 — журнал открыт в Excel/LibreOffice или изменился во время работы.
    """
    from toolkit.intake.hook import repeat_hook
    from toolkit.journal.model import paused_gc
    from toolkit.sources.open import check as run_check

    locations = journal_locations(state, journal)
    # The collector pauses for the whole command, imports and report included, not only for
    # the check itself (`check_source`): what it builds has no cycles and goes with the process.
    with paused_gc():
        reports = [run_check(loc, state.config, today, bodies, write,
                             extra=repeat_hook(state.config, loc)) for loc in locations]
        _print_reports(reports, fmt, state.verbose)
    sys.exit(max(r.exit_code for r in reports))


def _print_reports(reports: list[Report], fmt: str, verbose: bool) -> None:
    if fmt == "json":
        out = sys.stdout
        many = len(reports) > 1
        out.write("[\n" if many else "")
        for n, r in enumerate(reports):
            out.write(",\n" if n else "")
            r.write_json(out)  # streamed: one finding a line
        out.write("\n]\n" if many else "\n")
        out.flush()
    else:
        click.echo(printable("\n\n".join(r.to_text() for r in reports)))
    if verbose:
        for r in reports:
            if r.requests is not None:
                click.echo(f"Запросов к Google Таблицам ({r.location}): {r.requests}", err=True)


@cli.command(context_settings=CONTEXT)
@click.argument("journal", metavar="ЖУРНАЛ")
@click.option("--dry-run", is_flag=True,
              help="Только показать, какие столбцы будут переставлены; файл не меняется.")
@click.pass_obj
@handle_errors
def upgrade(state: State, journal: str, dry_run: bool) -> None:
    """Привести журнал, сделанный прежней версией формы, к текущей: переставить столбцы.

    Служебные столбцы находятся по заголовкам строки 4 и переносятся на свои нынешние места
    вместе со значениями, форматом и примечаниями; недостающие заголовки добавляются,
    раскрывающиеся списки, подсветка, печать и лист «Справочники» — как в текущем шаблоне.
    Перед записью делается резервная копия; после записи программа проверяет, что ни одно
    значение не потеряно. Журнал должен быть закрыт. Только для .xlsx.
    """
    from toolkit.sources.xlsx.upgrade import upgrade_journal

    result = upgrade_journal(journal, state.config, dry_run=dry_run)
    click.echo(_upgrade_summary(result, dry_run))


def _upgrade_summary(result: object, dry_run: bool) -> str:
    from toolkit.journal.russian import count
    from toolkit.sources.xlsx.upgrade import UpgradeResult

    assert isinstance(result, UpgradeResult)
    if not result.needed:
        return f"{result.location}: журнал уже в текущем виде — ничего не изменено."
    lines = []
    for sheet in result.sheets:
        verb = "будет перенесено" if dry_run else "перенесено"
        moves = ", ".join(f"«{h}» {a} → {b}" for h, a, b in sheet.moves)
        line = f"Лист «{sheet.sheet}»: {verb} {count(sheet.cells, 'ячейка', 'ячейки', 'ячеек')}"
        if moves:
            line += f"; столбцы: {moves}"
        if sheet.added:
            line += "; добавлены: " + ", ".join(f"«{h}»" for h in sheet.added)
        if sheet.shifted:
            line += f"; столбцы правее журнала сдвинуты вправо на {sheet.shifted}"
        lines.append(line + ".")
    if dry_run:
        lines.append("Пробный запуск: журнал не изменен.")
    else:
        lines.append("Форматы столбцов, раскрывающиеся списки, подсветка, печать и лист "
                     "«Справочники» — как в текущем шаблоне; все значения на новых местах "
                     "проверены.")
        lines.append(f"Резервная копия: {result.backup}")
    return f"{result.location}:\n" + "\n".join(lines)
