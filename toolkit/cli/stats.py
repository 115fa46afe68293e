"""`vks stats`, `vks send`: the monthly statistics and their delivery to managers."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Any

import click

from toolkit.cli.base import (
    CONTEXT,
    State,
    body_option,
    cli,
    clock_and_month,
    handle_errors,
    journal_locations,
    month_option,
    today_option,
)
from toolkit.journal.text import printable


@cli.command(context_settings=CONTEXT)
@click.argument("journal", required=False, metavar="[ЖУРНАЛ]")
@month_option
@body_option()
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              default=Path("."), show_default=True, metavar="ПАПКА",
              help="Папка для файлов отчета.")
@click.option("--format", "formats", multiple=True, type=click.Choice(["xlsx", "html", "json"]),
              help="Вид отчета (можно несколько раз); по умолчанию — все три.")
@today_option
@click.pass_obj
@handle_errors
def stats(state: State, journal: str | None, month: Any, bodies: tuple[str, ...],
          out_dir: Path, formats: tuple[str, ...],
          today: dt.date | dt.datetime | None) -> None:
    """Ежемесячная статистика по органам: отчет .xlsx, HTML и JSON.

    ЖУРНАЛ — файл .xlsx или gsheet:<ключ таблицы>; без него — журналы из файла настроек.
    Заявки месяца — поступившие в этом месяце; сведения на конец месяца (для текущего
    месяца — на сегодня).
    """
    from toolkit.stats.monthly import stats_for
    from toolkit.stats.report import FORMATS, build_report, summary

    clock, month = clock_and_month(state, today, month)
    result = stats_for(journal_locations(state, journal), state.config, month, clock, bodies)
    paths = build_report(result, out_dir, formats or FORMATS)
    click.echo(printable("\n".join(summary(result))))
    click.echo("Файлы отчета:")
    for path in paths:
        click.echo(f"  {path}")


@cli.command(context_settings=CONTEXT)
@click.argument("journal", required=False, metavar="[ЖУРНАЛ]")
@month_option
@click.option("--dry-run", is_flag=True,
              help="Не отправлять: записать письма в файлы .eml (в папку --out).")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              default=None, metavar="ПАПКА",
              help="Папка для писем при --dry-run (по умолчанию ./рассылка-ГГГГ-ММ).")
@today_option
@click.pass_obj
@handle_errors
def send(state: State, journal: str | None, month: Any, dry_run: bool, out_dir: Path | None,
         today: dt.date | dt.datetime | None) -> None:
    """Разослать ежемесячную статистику руководителям органов и министерства.

    Каждому органу — его показатели (получатели recipients в [[bodies]]), министерству —
    все органы и итоги (ministry_recipients в [mail]). Каждое письмо отправляется один раз;
    неотправленные из-за ошибки отправляются при следующем запуске. Код выхода: 0 — все
    отправлено, 1 — часть писем не отправлена, 2 — ошибка настроек или журнала, 3 — рассылка
    уже идет в другом запуске.
    """
    from toolkit.stats.delivery import send_monthly

    if out_dir is not None and not dry_run:
        raise click.UsageError("--out используется только вместе с --dry-run")
    clock, month = clock_and_month(state, today, month)
    folder = (out_dir or Path(f"рассылка-{month.key}")) if dry_run else None
    result = send_monthly(journal_locations(state, journal), state.config, month, clock, folder)
    click.echo(printable("\n".join(result.lines())))
    sys.exit(result.exit_code)
