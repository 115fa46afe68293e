"""`vks intake`: applications from the website into the bodies' journals (cl. 2.1–2.4)."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click

from toolkit.cli.base import CONTEXT, State, cli, handle_errors, today_option


@cli.command(context_settings=CONTEXT)
@click.argument("sources", nargs=-1, type=click.Path(dir_okay=False, path_type=Path),
                metavar="[ИСТОЧНИК]...")
@click.option("--mailbox", is_flag=True,
              help="Прочитать письма виджета из почтового ящика [intake.mailbox] (IMAP).")
@click.option("--journal", metavar="ЖУРНАЛ",
              help="Журнал (.xlsx или gsheet:…), в который регистрировать заявки; по "
                   "умолчанию — журналы из файла настроек.")
@click.option("--dry-run", is_flag=True,
              help="Ничего не записывать и не отправлять: показать, что будет сделано, а "
                   "письма переадресации записать в файлы .eml (в папку --out).")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              default=None, metavar="ПАПКА",
              help="Папка для писем при --dry-run (по умолчанию ./переадресация-проверка).")
@today_option
@click.pass_obj
@handle_errors
def intake(state: State, sources: tuple[Path, ...], mailbox: bool, journal: str | None,
           dry_run: bool, out_dir: Path | None, today: dt.date | dt.datetime | None) -> None:
    """Принять заявки с сайта: проверить, распределить, переадресовать и зарегистрировать.

    ИСТОЧНИК — файл выгрузки заявок с сайта (.csv в любой кодировке, .xlsx или .json).
    Каждая заявка проверяется (п. 2.2), распределяется органу по таблице [intake]
    (п. 2.3), переадресуется ему по эл. почте и добавляется новой строкой в его журнал
    (п. 2.4); повторные вопросы (основание 4 п. 2.8) отмечаются в графе «Контроль».
    Уже принятая заявка второй раз не регистрируется. Код выхода: 0 — все заявки приняты в
    срок, 1 — есть заявки с ошибками, нераспределенные или переадресованные позже срока,
    2 — ошибка настроек или файла, 3 — журнал открыт в Excel/LibreOffice (заявки будут
    зарегистрированы при следующем запуске).
    """
    from toolkit.intake.register import MAILBOX, take_in
    from toolkit.journal.clock import Clock

    if out_dir is not None and not dry_run:
        raise click.UsageError("--out используется только вместе с --dry-run")
    if not sources and not mailbox:
        raise click.UsageError("укажите файл выгрузки заявок и/или --mailbox")
    config = state.config
    clock = Clock.at(today) if today else Clock.local(config.timezone)
    chosen: list[str | Path] = [*sources, *([MAILBOX] if mailbox else [])]
    folder = (out_dir or Path("переадресация-проверка")) if dry_run else None
    result = take_in(chosen, config, clock, journal, dry_run, eml_dir=folder)
    click.echo("\n".join(result.lines()))
    sys.exit(result.exit_code)
