"""`vks print`: a body's journal for a period as the printed form of Appendix 1."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from toolkit.cli.base import CONTEXT, DateType, State, cli, handle_errors, today_option


@cli.command("print", context_settings=CONTEXT)
@click.argument("journal", required=False, metavar="[ЖУРНАЛ]")
@click.option("--body", required=True, metavar="НАИМЕНОВАНИЕ",
              help="Орган, чей журнал печатается (наименование или название листа).")
@click.option("--from", "start", type=DateType(), required=True,
              help="Начало периода: первая дата поступления заявки (ГГГГ-ММ-ДД или ДД.ММ.ГГГГ).")
@click.option("--to", "end", type=DateType(), required=True,
              help="Конец периода: последняя дата поступления заявки (включительно).")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              metavar="ФАЙЛ",
              help="Куда записать: файл .pdf (нужен LibreOffice) или .docx; по умолчанию "
                   "журнал-<лист>-<начало>-<конец>.pdf в текущей папке.")
@today_option
@click.pass_obj
@handle_errors
def print_command(state: State, journal: str | None, body: str, start: dt.date, end: dt.date,
                  out: Path | None, today: dt.date | dt.datetime | None) -> None:
    """Напечатать журнал органа за период по форме приложения № 1 (PDF для дела и проверки).

    В печать попадают заявки, чья «Дата поступления заявки» входит в период, в порядке журнала:
    графы 1–7 с заголовками и строкой нумерации на каждой странице, A4 альбомная, 10 пт, номера
    страниц, место для подписи. Служебные столбцы не печатаются. ЖУРНАЛ — файл .xlsx или
    gsheet:<ключ>; без него журнал органа ищется в журналах из файла настроек.
    """
    from toolkit.journal.clock import Clock
    from toolkit.letters.files import safe_name
    from toolkit.letters.make import pdf_settings
    from toolkit.printing.journal import print_journal, summary_line

    config = state.config
    clock = Clock.at(today) if today else Clock.local(config.timezone)
    location = _location(state, journal, body)
    target = out or Path(f"журнал-{safe_name(body, 40)}-{start.isoformat()}-{end.isoformat()}"
                         f".pdf")
    result = print_journal(location, config, body, start, end, target, clock,
                           *pdf_settings(config))
    click.echo(summary_line(result))


def _location(state: State, journal: str | None, body: str) -> str:
    """The journal given, or the one the config names for the body, or the only one."""
    from toolkit.cli.base import journal_locations
    from toolkit.journal.errors import ConfigError

    if journal:
        return journal
    config = state.config
    named = config.body_named(body)
    if named is not None and named.journal:
        return config.resolve(named.journal)
    locations = journal_locations(state, None)
    if len(locations) > 1:
        raise ConfigError(f"в настройках несколько журналов — укажите, из какого печатать "
                          f"журнал органа «{body}»")
    return locations[0]
