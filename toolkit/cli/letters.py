"""`vks letters`: the Appendix 2 rejection decisions of a journal."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Any

import click

from toolkit.cli.base import (
    CONTEXT,
    DateType,
    State,
    body_option,
    cli,
    handle_errors,
    journal_locations,
    today_option,
)
from toolkit.journal.text import printable


@cli.command(context_settings=CONTEXT)
@click.argument("journal", required=False, metavar="[ЖУРНАЛ]")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              default=None, metavar="ПАПКА",
              help="Куда складывать решения (папка на каждый орган и пакеты для печати); "
                   "по умолчанию — [letters] out из файла настроек.")
@click.option("--since", type=DateType(), default=None,
              help="Только решения с датой решения не раньше этой (ГГГГ-ММ-ДД).")
@body_option()
@click.option("--pdf", is_flag=True,
              help="Сделать также PDF пакета для печати (нужен LibreOffice).")
@click.option("--force", is_flag=True,
              help="Сделать решения заново, даже если они уже подготовлены и данные не менялись "
                   "(прежние файлы сохраняются в папке «заменены»).")
@today_option
@click.pass_obj
@handle_errors
def letters(state: State, journal: str | None, out_dir: Path | None, since: dt.date | None,
            bodies: tuple[str, ...], pdf: bool, force: bool,
            today: dt.date | dt.datetime | None) -> None:
    """Подготовить решения об отклонении заявок (приложение № 2) в .docx и пакет для печати.

    По одному файлу на каждую заявку с решением «Заявка отклонена»; каждое решение готовится
    один раз, заново — только если данные строки изменились (или с --force). В столбец
    «Решение об отклонении» журнала записываются имя файла и дата.
    """
    from toolkit.journal.clock import Clock
    from toolkit.journal.errors import ConfigError
    from toolkit.letters.make import configured_path, make_letters

    config = state.config
    out = out_dir or configured_path(config, "out")
    if out is None:
        raise ConfigError("не указана папка для решений: --out ПАПКА или [letters] out "
                          "в файле настроек")
    clock = Clock.at(today) if today else Clock.local(config.timezone)
    busy: list[str] = []
    for location in journal_locations(state, journal):
        result = make_letters(location, config, out, clock, since=since, only=bodies,
                              pdf=pdf, force=force)
        click.echo(printable(_letters_summary(location, result)))
        if result.busy:
            busy.append(result.busy)
    if busy:
        for message in busy:
            click.echo(f"Ошибка: {printable(message)}", err=True)
        click.echo("Решения подготовлены, но отметки в журнал не записаны: закройте журнал и "
                   "запустите команду снова.", err=True)
        sys.exit(3)


def _letters_summary(location: str, result: Any) -> str:
    from toolkit.journal.russian import count

    made = len(result.made)
    replaced = sum(1 for m in result.made if m.superseded is not None)
    lines = [f"{location}: подготовлено {count(made, 'решение', 'решения', 'решений')}"
             + (f" (из них заменено {replaced})" if replaced else "")
             + f", без изменений {result.unchanged}"
             + (f", не подготовлено {len(result.skipped)}" if result.skipped else "") + "."]
    for batch in result.batches:
        how_many = count(batch.letters, "решение", "решения", "решений")
        lines.append(f"Пакет для печати «{batch.sheet}» ({how_many}, первая страница — опись): "
                     f"{batch.path}")
        if batch.pdf:
            lines.append(f"PDF для печати «{batch.sheet}»: {batch.pdf}")
    if result.carried:
        lines.append(f"В пакеты добавлены решения, подготовленные прерванным запуском и еще не "
                     f"попавшие ни в один пакет: {result.carried}.")
    if not made and not result.batches:
        lines.append("Новых решений нет — пакет для печати не создан.")
    if result.adopted:
        lines.append(f"Найдены в папке и взяты в учет решения, подготовленные раньше "
                     f"(их нет в учете решений): {result.adopted} — заново не готовятся.")
    if result.swept:
        lines.append(f"Удалены временные файлы прерванного запуска: {result.swept}.")
    if result.written:
        lines.append(f"В журнал записано отметок: {result.written}.")
    if result.dropped:
        lines.append(f"Из учета решений удалены записи, файлов которых нет: {result.dropped} "
                     f"(такие решения готовятся заново).")
    if result.skipped:
        lines.append("Не подготовлено (не хватает данных):")
        lines.extend(f"  {p}" for p in result.skipped)
    if result.warnings:
        lines.append("Проверьте:")
        lines.extend(f"  {p}" for p in result.warnings)
    return "\n".join(lines)
