"""`vks init`, `vks demo`, `vks check`: making a journal and checking it."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

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


@cli.command(context_settings=CONTEXT)
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
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
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--rows", type=click.IntRange(50, 100000), default=60, show_default=True,
              help="Строк на лист каждого органа.")
@click.option("--seed", type=int, default=1, show_default=True,
              help="Начальное число генератора: одно и то же дает тот же файл.")
@click.option("--force", is_flag=True, help="Перезаписать существующий файл.")
@today_option
@click.pass_obj
@handle_errors
def demo(state: State, path: Path, rows: int, seed: int, force: bool,
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


@cli.command(context_settings=CONTEXT)
@click.argument("journal", required=False)
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

    JOURNAL — файл .xlsx или gsheet:<ключ таблицы>; без него проверяются журналы из
    файла настроек. Код выхода: 0 — ошибок нет, 1 — есть ошибки, 2 — журнал не прочитан,
    3 — журнал открыт в Excel/LibreOffice или изменился во время работы.
    """
    from toolkit.sources.open import check as run_check

    locations = journal_locations(state, journal)
    reports = [run_check(loc, state.config, today, bodies, write) for loc in locations]
    if fmt == "json":
        import json

        payload = [r.to_dict() for r in reports]
        click.echo(json.dumps(payload[0] if len(payload) == 1 else payload,
                              ensure_ascii=False, indent=2))
    else:
        click.echo(printable("\n\n".join(r.to_text() for r in reports)))
    if state.verbose:
        for r in reports:
            if r.requests is not None:
                click.echo(f"Запросов к Google Таблицам ({r.location}): {r.requests}", err=True)
    sys.exit(max(r.exit_code for r in reports))
