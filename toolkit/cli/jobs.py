"""`vks run`, `vks schedule`, `vks status`, `vks doctor`: the scheduled jobs."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click

from toolkit.cli.base import (
    CONTEXT,
    F,
    State,
    cli,
    handle_errors,
    today_option,
)
from toolkit.journal.text import printable


def jobs_options(fn: F) -> F:
    """--journal and --jobs, shared by `vks run`, `vks schedule` and `vks status`."""
    fn = click.option("--jobs", "jobs_dir", type=click.Path(file_okay=False, path_type=Path),
                      default=None, metavar="ПАПКА",
                      help="Папка с описаниями заданий (*.toml); по умолчанию — [jobs] dir "
                           "из файла настроек, jobs рядом с ним, ./jobs или задания, "
                           "поставляемые с программой.")(fn)
    return click.option("--journal", "journals", multiple=True, metavar="ЖУРНАЛ",
                        help="Журнал (файл .xlsx или gsheet:<ключ>) вместо указанных в задании "
                             "и в файле настроек (можно несколько раз).")(fn)


@cli.command(context_settings=CONTEXT)
@click.argument("job", metavar="ЗАДАНИЕ")
@jobs_options
@click.option("--due", is_flag=True,
              help="Выполнить, только если по расписанию задания (с производственным "
                   "календарем) есть невыполненный запуск — для cron и таймеров systemd.")
@click.option("--dry-run", is_flag=True,
              help="Пробный запуск: ничего не записывать в журнал, не готовить решения и не "
                   "отправлять письма; письма и уведомление записать в файлы.")
@today_option
@click.pass_obj
@handle_errors
def run(state: State, job: str, journals: tuple[str, ...], jobs_dir: Path | None, due: bool,
        dry_run: bool, today: dt.date | dt.datetime | None) -> None:
    """Выполнить задание сейчас (для cron, таймера systemd или вручную).

    ЗАДАНИЕ — имя задания: имя файла в папке заданий без .toml (daily, midday, monthly,
    recordings). Код выхода: 0 — выполнено (или по расписанию не нужно, с --due), 1 — шаг не
    выполнен (администратору отправлено уведомление), 2 — ошибка в описании задания или
    настройках, 3 — задание уже выполняется, 130 — остановлено сигналом.
    """
    from toolkit.jobs.runner import run_once

    if due and today is not None:
        raise click.UsageError("--due решает по текущему времени; --today с ним не используется")
    result = run_once(state.config, job, jobs_dir, journals, today, dry_run, state.verbose, due)
    click.echo(printable("\n".join(result.lines())))
    sys.exit(result.exit_code)


@cli.command(context_settings=CONTEXT)
@jobs_options
@click.pass_obj
@handle_errors
def schedule(state: State, journals: tuple[str, ...], jobs_dir: Path | None) -> None:
    """Выполнять все задания по расписанию (один долгоживущий процесс, например служба systemd).

    Время — часового пояса из файла настроек (Asia/Novokuznetsk), каким бы ни был пояс
    сервера. Пропущенные запуски выполняются после перерыва один раз. Останавливается по
    SIGTERM или Ctrl+C после текущего шага. Второй экземпляр не запускается (код 3).
    """
    from toolkit.jobs.runner import serve_forever

    serve_forever(state.config, jobs_dir, journals)
    click.echo("Планировщик остановлен.", err=True)


@cli.command(context_settings=CONTEXT)
@jobs_options
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="Вид: текст или JSON.")
@today_option
@click.pass_obj
@handle_errors
def status(state: State, journals: tuple[str, ...], jobs_dir: Path | None, fmt: str,
           today: dt.date | dt.datetime | None) -> None:
    """Состояние заданий: последний запуск, его итог и изменения, следующий запуск,
    открытые нарушения по органам.

    Код выхода: 0 — все в порядке, 1 — последний запуск какого-то задания с ошибкой или
    прерван, или журнал не прочитан, 2 — ошибка в описании задания или настройках.
    """
    from toolkit.jobs.declarations import jobs_folder, load_jobs
    from toolkit.jobs.runner import jobs_state_dir, local_clock
    from toolkit.jobs.status import collect_status

    config = state.config
    folder = jobs_folder(config, jobs_dir)
    now = (today if isinstance(today, dt.datetime) else
           dt.datetime.combine(today, dt.time()) if today else local_clock(config)())
    locations = list(journals) or [config.resolve(j) for j in config.journals]
    report = collect_status(config, load_jobs(folder), folder, jobs_state_dir(config), now,
                            locations)
    click.echo(report.to_json() if fmt == "json" else printable(report.to_text()))
    sys.exit(report.exit_code)


@cli.command(context_settings=CONTEXT)
@jobs_options
@today_option
@click.pass_obj
@handle_errors
def doctor(state: State, journals: tuple[str, ...], jobs_dir: Path | None,
           today: dt.date | dt.datetime | None) -> None:
    """Проверить установку: готово ли все, что понадобится заданиям.

    Файл настроек, задания, каждый журнал (читается, шапка по форме, можно записать),
    производственный календарь этого и следующего года, вход на почтовый сервер (письма не
    отправляются), LibreOffice, служебные папки. По строке на проверку: ✓ или ✗ и что
    сделать. В журналы ничего не записывается. Код выхода: 0 — все в порядке, 1 — есть
    проблемы.
    """
    from toolkit.jobs.doctor import diagnose, exit_code, render

    now = (today if isinstance(today, dt.datetime) else
           dt.datetime.combine(today, dt.time(12)) if today else None)
    checks = diagnose(state.config_path, journals, jobs_dir, now)
    click.echo(render(checks))
    sys.exit(exit_code(checks))
