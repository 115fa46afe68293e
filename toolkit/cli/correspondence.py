"""`vks notify`, `vks replies`: decisions e-mailed to citizens, their answers read back."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click

from toolkit.cli.base import CONTEXT, State, cli, handle_errors, journal_locations, today_option


@cli.command(context_settings=CONTEXT)
@click.argument("journal", required=False, metavar="[ЖУРНАЛ]")
@click.option("--dry-run", is_flag=True,
              help="Ничего не отправлять: записать письма в файлы .eml (в папку --out); журнал "
                   "не менять, встречи в Телемосте не создавать.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              default=None, metavar="ПАПКА",
              help="Папка для писем при --dry-run (по умолчанию ./уведомления-ГГГГ-ММ-ДД).")
@today_option
@click.pass_obj
@handle_errors
def notify(state: State, journal: str | None, dry_run: bool, out_dir: Path | None,
           today: dt.date | dt.datetime | None) -> None:
    """Направить гражданам решения по заявкам по электронной почте (п. 2.4, 2.7, 3.5).

    Уведомление о назначении приема (дата и время, специалист, ссылка на Телемост, срок
    подтверждения) или решение об отклонении заявки (приложение № 2 во вложении); отмена
    приема по п. 2.7 и перенос по п. 3.5. Каждое письмо отправляется один раз; время отправки
    записывается в «Уведомление направлено». Код выхода: 0 — выполнено, 1 — часть писем не
    отправлена (будут отправлены при следующем запуске), 2 — ошибка настроек или журнала,
    3 — журнал открыт или уведомления уже отправляются другим запуском.
    """
    from toolkit.correspondence.outgoing import send_notices
    from toolkit.journal.clock import Clock

    if out_dir is not None and not dry_run:
        raise click.UsageError("--out используется только вместе с --dry-run")
    config = state.config
    clock = Clock.at(today) if today else Clock.local(config.timezone)
    folder = (out_dir or Path(f"уведомления-{clock.today:%Y-%m-%d}")) if dry_run else None
    code = 0
    for location in journal_locations(state, journal):
        result = send_notices(location, config, clock, folder)
        click.echo("\n".join(result.lines()))
        code = max(code, result.exit_code)
    sys.exit(code)


@cli.command(context_settings=CONTEXT)
@click.argument("journal", required=False, metavar="[ЖУРНАЛ]")
@click.option("--dry-run", is_flag=True,
              help="Только показать, что будет записано: журнал, отметки писем и учет "
                   "прочитанного не менять.")
@today_option
@click.pass_obj
@handle_errors
def replies(state: State, journal: str | None, dry_run: bool,
            today: dt.date | dt.datetime | None) -> None:
    """Прочитать ответы граждан на уведомления (п. 2.6) и записать их в журнал.

    Письма из почтового ящика [imap] сопоставляются с заявками; «Подтверждаю» и
    «Отказываюсь» записываются в «Ответ гражданина» и «Дата ответа» (время поступления
    письма). Непонятные и чужие письма отмечаются флажком и перечисляются — их разбирает
    человек. Каждое письмо читается один раз. Код выхода: 0 — выполнено, 2 — почтовый ящик
    недоступен или ошибка настроек (ничего не отмечено, письма будут прочитаны в следующий
    раз), 3 — журнал открыт или ответы уже читаются другим запуском.
    """
    from toolkit.correspondence.incoming import read_replies
    from toolkit.journal.clock import Clock

    config = state.config
    clock = Clock.at(today) if today else Clock.local(config.timezone)
    result = read_replies(journal_locations(state, journal), config, clock, dry_run)
    click.echo("\n".join(result.lines()))
    sys.exit(result.exit_code)
