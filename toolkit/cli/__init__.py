"""The `vks` command: thin click commands over the library.

Each command parses its options, makes one library call and turns a ToolkitError into a
Russian message and an exit code: 0 done, 1 the journal has errors, 2 cannot read or misused,
3 the journal is busy (open in Excel/LibreOffice or changed meanwhile). Heavy libraries are
imported inside the commands, so `vks --help` stays fast.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import click

from toolkit.journal.errors import ToolkitError

F = TypeVar("F", bound=Callable[..., Any])
CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


@dataclass
class State:
    config_path: str | None
    verbose: bool
    debug: bool

    @functools.cached_property
    def config(self) -> Any:
        from toolkit.journal.config import load_config

        return load_config(self.config_path)


def handle_errors(fn: F) -> F:
    """Run a command body; a ToolkitError becomes a message and its exit code, never a trace."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except ToolkitError as exc:
            click.echo(f"Ошибка: {exc}", err=True)
            sys.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("Прервано.", err=True)
            sys.exit(130)
        except (click.exceptions.Exit, click.ClickException, SystemExit):
            raise
        except Exception as exc:
            state = click.get_current_context().find_object(State)
            if state is not None and state.debug:
                raise
            # The exception's text may quote a cell; only its type is shown.
            click.echo(
                f"Внутренняя ошибка ({type(exc).__name__}). Запустите с --debug, чтобы увидеть "
                f"подробности, и сообщите администратору.",
                err=True,
            )
            sys.exit(2)

    return wrapper  # type: ignore[return-value]


class TodayType(click.ParamType):
    name = "ДАТА"

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> dt.date | dt.datetime:
        if isinstance(value, dt.date):
            return value
        from toolkit.journal.clock import parse_today

        try:
            return parse_today(str(value))
        except ValueError:
            self.fail(f"«{value}» — не дата; укажите ГГГГ-ММ-ДД или ДД.ММ.ГГГГ [ЧЧ:ММ]",
                      param, ctx)


def body_option(help: str = "Только этот орган (можно несколько раз).") -> Callable[[F], F]:
    """--body НАИМЕНОВАНИЕ…: narrow a command to bodies named as in the config or sheet titles."""
    return click.option("--body", "bodies", multiple=True, metavar="НАИМЕНОВАНИЕ", help=help)


def today_option(fn: F) -> F:
    return click.option(
        "--today", type=TodayType(), default=None,
        help="Считать сегодняшним днем эту дату (ГГГГ-ММ-ДД или ДД.ММ.ГГГГ, можно с ЧЧ:ММ); "
             "по умолчанию — текущие дата и время в Asia/Novokuznetsk.",
    )(fn)


class RussianCommand(click.Command):
    """A command whose help speaks Russian, like everything else the user reads."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("options_metavar", "[ПАРАМЕТРЫ]")
        super().__init__(*args, **kwargs)

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        option = super().get_help_option(ctx)
        if option is not None:
            option.help = "Показать эту справку и выйти."
        return option

    def format_usage(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        pieces = self.collect_usage_pieces(ctx)
        formatter.write_usage(ctx.command_path, " ".join(pieces), prefix="Использование: ")

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        records = [r for p in self.get_params(ctx) if (r := p.get_help_record(ctx))]
        if records:
            with formatter.section("Параметры"):
                formatter.write_dl(records)


class RussianGroup(RussianCommand, click.Group):
    command_class = RussianCommand

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("subcommand_metavar", "КОМАНДА [АРГУМЕНТЫ]...")
        super().__init__(*args, **kwargs)

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        RussianCommand.format_options(self, ctx, formatter)
        commands = [(name, cmd) for name in self.list_commands(ctx)
                    if (cmd := self.get_command(ctx, name)) is not None and not cmd.hidden]
        if commands:
            limit = formatter.width - 6 - max(len(name) for name, _ in commands)
            with formatter.section("Команды"):
                formatter.write_dl([(name, cmd.get_short_help_str(limit))
                                    for name, cmd in commands])


@click.group(cls=RussianGroup, context_settings=CONTEXT)
@click.version_option(package_name="vks", message="vks %(version)s",
                      help="Показать версию и выйти.")
@click.option("-c", "--config", "config_path", type=click.Path(dir_okay=False),
              envvar="VKS_CONFIG", metavar="ФАЙЛ",
              help="Файл настроек (по умолчанию ./vks.toml, если есть).")
@click.option("-v", "--verbose", is_flag=True, help="Подробные сообщения о работе.")
@click.option("--debug", is_flag=True, hidden=True, help="Показывать трассировку ошибок.")
@click.pass_context
def cli(ctx: click.Context, config_path: str | None, verbose: bool, debug: bool) -> None:
    """Журнал личного приема граждан посредством видеоконференцсвязи (приказ № 77 от 24.04.2023).

    Проверяет журналы органов, следит за сроками, записывает отмены приемов,
    готовит решения об отклонении заявок и ежемесячную статистику.
    """
    ctx.obj = State(config_path, verbose, debug)
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )


def _bodies(state: State, names: tuple[str, ...]) -> tuple[Any, ...]:
    from toolkit.journal.config import Body

    config = state.config
    if names:
        bodies = []
        for name in names:
            body = config.body_named(name)
            bodies.append(body or Body(name=name, sheet=_sheet_title(name)))
        return tuple(bodies)
    if config.bodies:
        return tuple(config.bodies)
    from toolkit.sources.xlsx.template import TEMPLATE_BODIES

    return TEMPLATE_BODIES


def _sheet_title(name: str) -> str:
    for ch in "[]:*?/\\":
        name = name.replace(ch, " ")
    return " ".join(name.split())[:31] or "Журнал"


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

    chosen = _bodies(state, bodies)
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

    locations = _locations(state, journal)
    reports = [run_check(loc, state.config, today, bodies, write) for loc in locations]
    if fmt == "json":
        out = sys.stdout
        many = len(reports) > 1
        out.write("[\n" if many else "")
        for n, r in enumerate(reports):
            out.write(",\n" if n else "")
            for chunk in r.json_chunks():  # streamed: one finding a line
                out.write(chunk)
        out.write("\n]\n" if many else "\n")
        out.flush()
    else:
        click.echo("\n\n".join(r.to_text() for r in reports))
    if state.verbose:
        for r in reports:
            if r.requests is not None:
                click.echo(f"Запросов к Google Таблицам ({r.location}): {r.requests}", err=True)
    sys.exit(max(r.exit_code for r in reports))


def _locations(state: State, journal: str | None) -> list[str]:
    from toolkit.journal.errors import ConfigError

    if journal:
        return [journal]
    config = state.config
    if not config.journals:
        raise ConfigError(
            "не указан журнал: передайте путь к файлу .xlsx или перечислите журналы "
            "в файле настроек (journals = [\"журнал.xlsx\"])"
        )
    return [config.resolve(j) for j in config.journals]


class DateType(click.ParamType):
    name = "ДАТА"

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> dt.date:
        if isinstance(value, dt.date):
            return value
        from toolkit.journal.clock import parse_today

        try:
            parsed = parse_today(str(value))
        except ValueError:
            self.fail(f"«{value}» — не дата; укажите ГГГГ-ММ-ДД или ДД.ММ.ГГГГ", param, ctx)
        return parsed.date() if isinstance(parsed, dt.datetime) else parsed


@cli.command(context_settings=CONTEXT)
@click.argument("journal", required=False)
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
    for location in _locations(state, journal):
        result = make_letters(location, config, out, clock, since=since, only=bodies,
                              pdf=pdf, force=force)
        click.echo(_letters_summary(location, result))
        if result.busy:
            busy.append(result.busy)
    if busy:
        for message in busy:
            click.echo(f"Ошибка: {message}", err=True)
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
    if result.batch:
        lines.append(f"Пакет для печати: {result.batch}")
    if result.pdf:
        lines.append(f"PDF для печати: {result.pdf}")
    if not made:
        lines.append("Новых решений нет — пакет для печати не создан.")
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


class MonthType(click.ParamType):
    name = "ГГГГ-ММ"

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> Any:
        from toolkit.stats.monthly import Month

        if isinstance(value, Month):
            return value
        try:
            return Month.parse(str(value))
        except ValueError as exc:
            self.fail(str(exc), param, ctx)


def month_option(fn: F) -> F:
    return click.option(
        "--month", type=MonthType(), default=None,
        help="Месяц отчета ГГГГ-ММ; по умолчанию — прошлый месяц (от --today).",
    )(fn)


def _clock_and_month(state: State, today: dt.date | dt.datetime | None,
                     month: Any) -> tuple[Any, Any]:
    from toolkit.journal.clock import Clock
    from toolkit.stats.monthly import Month

    clock = Clock.at(today) if today else Clock.local(state.config.timezone)
    return clock, month or Month.of(clock.today).previous()


@cli.command(context_settings=CONTEXT)
@click.argument("journal", required=False)
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

    JOURNAL — файл .xlsx или gsheet:<ключ таблицы>; без него — журналы из файла настроек.
    Заявки месяца — поступившие в этом месяце; сведения на конец месяца (для текущего
    месяца — на сегодня).
    """
    from toolkit.stats.monthly import stats_for
    from toolkit.stats.report import FORMATS, build_report, summary

    clock, month = _clock_and_month(state, today, month)
    result = stats_for(_locations(state, journal), state.config, month, clock, bodies)
    paths = build_report(result, out_dir, formats or FORMATS)
    click.echo("\n".join(summary(result)))
    click.echo("Файлы отчета:")
    for path in paths:
        click.echo(f"  {path}")


@cli.command(context_settings=CONTEXT)
@click.argument("journal", required=False)
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
    clock, month = _clock_and_month(state, today, month)
    folder = (out_dir or Path(f"рассылка-{month.key}")) if dry_run else None
    result = send_monthly(_locations(state, journal), state.config, month, clock, folder)
    click.echo("\n".join(result.lines()))
    sys.exit(result.exit_code)


def jobs_options(fn: F) -> F:
    """--journal and --jobs, shared by `vks run`, `vks schedule` and `vks status`."""
    fn = click.option("--jobs", "jobs_dir", type=click.Path(file_okay=False, path_type=Path),
                      default=None, metavar="ПАПКА",
                      help="Папка с описаниями заданий (*.toml); по умолчанию — [jobs] dir "
                           "из файла настроек, jobs рядом с ним или ./jobs.")(fn)
    return click.option("--journal", "journals", multiple=True, metavar="ЖУРНАЛ",
                        help="Журнал (файл .xlsx или gsheet:<ключ>) вместо указанных в задании "
                             "и в файле настроек (можно несколько раз).")(fn)


@cli.command(context_settings=CONTEXT)
@click.argument("job")
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

    JOB — имя задания: имя файла в папке заданий без .toml (daily, midday, monthly,
    recordings). Код выхода: 0 — выполнено (или по расписанию не нужно, с --due), 1 — шаг не
    выполнен (администратору отправлено уведомление), 2 — ошибка в описании задания или
    настройках, 3 — задание уже выполняется, 130 — остановлено сигналом.
    """
    from toolkit.jobs.runner import run_once

    if due and today is not None:
        raise click.UsageError("--due решает по текущему времени; --today с ним не используется")
    result = run_once(state.config, job, jobs_dir, journals, today, dry_run, state.verbose, due)
    click.echo("\n".join(result.lines()))
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
    click.echo(report.to_json() if fmt == "json" else report.to_text())
    sys.exit(report.exit_code)


def main() -> None:
    cli(prog_name="vks")
