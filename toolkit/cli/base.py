"""What every `vks` command shares: the group, options, error handling, Russian help."""

from __future__ import annotations

import datetime as dt
import functools
import logging
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import click

from toolkit.cli.russian import install, russian
from toolkit.journal.errors import ToolkitError, describe_error
from toolkit.journal.text import printable

install()  # before any option is declared: click names its types' words when they are made

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
        from toolkit.journal.files import Sharing, use_sharing

        config = load_config(self.config_path)
        # New journals, letters and reports: the mode and group of [files] (else the umask).
        use_sharing(Sharing.from_section(config.section("files"),
                                         f"{config.path or 'настройки'}: [files]"))
        return config


def handle_errors(fn: F) -> F:
    """Run a command body; a ToolkitError becomes a message and its exit code, never a trace."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except ToolkitError as exc:
            click.echo(f"Ошибка: {printable(str(exc))}", err=True)
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
            described = describe_error(exc)  # a full disk, no rights, a read-only ledger…
            if described is not None:
                click.echo(f"Ошибка: {printable(described)}", err=True)
                sys.exit(2)
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
        # Arguments are named in the usage line and explained in the command's text.
        records = [r for p in self.get_params(ctx)
                   if not isinstance(p, click.Argument) and (r := p.get_help_record(ctx))]
        if records:
            with formatter.section("Параметры"):
                formatter.write_dl(records)

    def make_context(self, info_name: str | None, args: list[str],
                     parent: click.Context | None = None, **extra: Any) -> click.Context:
        try:
            return super().make_context(info_name, args, parent, **extra)
        except click.UsageError as exc:
            if exc.ctx is None:  # the parser's own errors: a context to show the usage with
                exc.ctx = click.Context(self, info_name=info_name, parent=parent)
            raise russian(exc) from None

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.UsageError as exc:
            raise russian(exc) from None


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
    готовит решения об отклонении заявок, направляет решения гражданам по эл. почте
    и читает их ответы, готовит ежемесячную статистику.
    """
    ctx.obj = State(config_path, verbose, debug)
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )


def bodies_for(state: State, names: tuple[str, ...]) -> tuple[Any, ...]:
    from toolkit.journal.config import Body

    config = state.config
    if names:
        bodies = []
        for name in names:
            body = config.body_named(name)
            bodies.append(body or Body(name=name, sheet=sheet_title(name)))
        return tuple(bodies)
    if config.bodies:
        return tuple(config.bodies)
    from toolkit.sources.xlsx.template import TEMPLATE_BODIES

    return TEMPLATE_BODIES


def sheet_title(name: str) -> str:
    for ch in "[]:*?/\\":
        name = name.replace(ch, " ")
    return " ".join(name.split())[:31] or "Журнал"


def journal_locations(state: State, journal: str | None) -> list[str]:
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


def clock_and_month(state: State, today: dt.date | dt.datetime | None,
                     month: Any) -> tuple[Any, Any]:
    from toolkit.journal.clock import Clock
    from toolkit.stats.monthly import Month

    clock = Clock.at(today) if today else Clock.local(state.config.timezone)
    return clock, month or Month.of(clock.today).previous()
