"""click's own words in Russian: usage errors, help headings, `[по умолчанию: …]`.

click marks what it says for gettext — `_()` and `ngettext()`, bound by name in each of its
modules. `install()` binds those names to lookups in `MESSAGES`, so every message click makes
is Russian wherever it comes from: a missing argument, an unknown option with click's
suggestion, a bad choice, number or path, the default shown in help. Values click quotes with
`repr` come in «…». A message missing here stays as click wrote it; `tests/test_cli_russian.py`
fails on any message of the installed click that is neither translated nor listed in
`NOT_SHOWN` (mistakes in the program's own declarations, which a user never sees).

`RussianUsageError` frames a usage error the way the rest of vks speaks:

    Использование: vks check [ПАРАМЕТРЫ] [ЖУРНАЛ]
    Подробнее: vks check --help

    Ошибка: нет параметра «--wirte». Возможно, имелось в виду «--write»?
"""

from __future__ import annotations

import re
import sys
from typing import IO, Any

import click

# English message of click → Russian; a tuple holds the forms for 1, 2–4 and 5+ (ngettext).
MESSAGES: dict[str, str | tuple[str, str, str]] = {
    # Errors and their frame.
    "Error: {message}": "Ошибка: {message}",
    "Try '{command} {option}' for help.": "Подробнее: {command} {option}",
    "Aborted!": "Прервано.",
    "Missing argument": "не указан аргумент",
    "Missing option": "не указан параметр",
    "Missing parameter": "не указан параметр",
    "Missing {param_type}": "не указан {param_type}",
    "Missing parameter: {param_name}": "не указан параметр {param_name}",
    "Missing command.": "не указана команда.",
    "No such option {name!r}.": "нет параметра «{name}».",
    "No such command {name!r}.": "нет команды «{name}».",
    "Did you mean {possibility}?": (
        "Возможно, имелось в виду {possibility}?",
        "Возможно, имелось в виду одно из: {possibilities}?",
        "Возможно, имелось в виду одно из: {possibilities}?",
    ),
    "Invalid value: {message}": "неверное значение: {message}",
    "Invalid value for {param_hint}: {message}": "неверное значение {param_hint}: {message}",
    "Got unexpected extra argument ({args})": (
        "лишний аргумент: {args}",
        "лишние аргументы: {args}",
        "лишние аргументы: {args}",
    ),
    "Option {name!r} does not take a value.": "параметр «{name}» указывается без значения.",
    "Option {name!r} requires an argument.": (
        "после параметра «{name}» нужно значение.",
        "после параметра «{name}» нужны {nargs} значения.",
        "после параметра «{name}» нужно {nargs} значений.",
    ),
    "Argument {name!r} takes {nargs} values.": "аргумент «{name}» принимает {nargs} значения.",
    "Takes {nargs} values but 1 was given.": (
        "нужно значений: {nargs}, указано: {len}.",
        "нужно значений: {nargs}, указано: {len}.",
        "нужно значений: {nargs}, указано: {len}.",
    ),
    "Could not open file {filename!r}: {message}": "не открыт файл «{filename}»: {message}",
    "unknown error": "неизвестная ошибка",
    "Invalid start character for option ({option})": "неверный первый знак параметра ({option})",
    # Values of parameters (click's types).
    "{value!r} is not {choice}.": (
        "«{value}» — допустимо только {choice}.",
        "«{value}» — допустимы: {choices}.",
        "«{value}» — допустимы: {choices}.",
    ),
    "Choose from:\n\t{choices}": "Допустимые значения:\n\t{choices}",
    "Choice({choices})": "Choice({choices})",
    "{value!r} does not match the format {format}.": (
        "«{value}» — ожидается формат {format}.",
        "«{value}» — ожидается один из форматов: {formats}.",
        "«{value}» — ожидается один из форматов: {formats}.",
    ),
    "{value!r} is not a valid {number_type}.": "«{value}» — не число.",
    "{value} is not in the range {range}.": "{value} — вне допустимых пределов {range}.",
    "{value!r} is not a valid boolean. Recognized values: {states}":
        "«{value}» — ожидается да или нет: {states}",
    "{value!r} is not a valid UUID.": "«{value}» — не UUID.",
    "{len_type} values are required, but {len_value} was given.": (
        "нужно значений: {len_type}, указано: {len_value}.",
        "нужно значений: {len_type}, указано: {len_value}.",
        "нужно значений: {len_type}, указано: {len_value}.",
    ),
    "file": "файл",
    "directory": "папка",
    "path": "путь",
    "{name} {filename!r} does not exist.": "{name} «{filename}» не существует.",
    "{name} {filename!r} is a file.": "{name} «{filename}» — это файл, а нужна папка.",
    "{name} {filename!r} is a directory.": "{name} «{filename}» — это папка, а нужен файл.",
    "{name} {filename!r} is not readable.": "{name} «{filename}»: нет прав на чтение.",
    "{name} {filename!r} is not writable.": "{name} «{filename}»: нет прав на запись.",
    "{name} {filename!r} is not executable.": "{name} «{filename}»: нет прав на выполнение.",
    # Help.
    "Usage:": "Использование:",
    "Options": "Параметры",
    "Positional arguments": "Аргументы",
    "Commands": "Команды",
    "default: {default}": "по умолчанию: {default}",
    "env var: {var}": "переменная окружения: {var}",
    "required": "обязательный",
    "(dynamic)": "(вычисляется)",
    "deprecated": "устарело",
    "DeprecationWarning: The command {name!r} is deprecated.{extra_message}":
        "Предупреждение: команда «{name}» устарела.{extra_message}",
    "DeprecationWarning: The {param_type} {name!r} is deprecated.{extra_message}":
        "Предупреждение: параметр «{name}» устарел.{extra_message}",
    "Show this message and exit.": "Показать эту справку и выйти.",
    "Show the version and exit.": "Показать версию и выйти.",
    "%(prog)s, version %(version)s": "%(prog)s, версия %(version)s",
    # Prompts (vks asks nothing today; a prompt added later speaks Russian too).
    "Do you want to continue?": "Продолжить?",
    "Confirm the action without prompting.": "Подтвердить действие без вопроса.",
    "Repeat for confirmation": "Повторите для подтверждения",
    "Error: The two entered values do not match.": "Ошибка: введенные значения не совпадают.",
    "Error: invalid input": "Ошибка: неверный ввод",
    "Press any key to continue...": "Нажмите любую клавишу…",
    "d": "д",  # days in a progress bar's time left
}

# Messages about mistakes in the program's own declarations (a developer's error, raised at
# import), about terminals and shells vks does not use: never shown to a user.
NOT_SHOWN = frozenset({
    "Value must be an iterable.",
    "Could not determine name for option with declarations {decls!r}",
    "No options defined but a name was passed ({name}). Did you mean to declare an argument "
    "instead? Did you mean to pass '--{name}'?",
    "Arguments take exactly one parameter declaration, got {length}: {decls}.",
    "Name '{name}' defined twice",
    "Boolean option {decl!r} cannot use the same flag for true/false.",
    "Unknown color {colour!r}",
    "Unknown standard stream '{name}'",
    "Couldn't detect Bash version, shell completion is not supported.",
    "Shell completion is not supported for Bash versions older than 4.4.",
    "{editor}: Editing failed",
    "{editor}: Editing failed: {e}",
    "Windows error: {error}",
})

# Arguments that click has already quoted with repr ('x', 'y'): shown in «» instead.
_QUOTED = frozenset({"param_hint", "choice", "choices", "possibility", "possibilities",
                     "format", "formats", "option"})
_REPR = re.compile(r"'([^']*)'")


class Translated(str):
    """A translated message; `format` re-quotes what click quoted with repr."""

    __slots__ = ()

    def format(self, *args: Any, **kwargs: Any) -> str:
        for key in _QUOTED & kwargs.keys():
            if isinstance(kwargs[key], str):
                kwargs[key] = _REPR.sub(r"«\1»", kwargs[key])
        return str.format(self, *args, **kwargs)

    def title(self) -> str:
        # click capitalises a path's kind («File '…' does not exist»); mid-sentence Russian
        # keeps it as written: «неверное значение «--config»: файл «…» — это папка…».
        return str(self)


def gettext(message: str) -> str:
    found = MESSAGES.get(message)
    if isinstance(found, str):
        return Translated(found)
    return message


def ngettext(singular: str, plural: str, n: int) -> str:
    found = MESSAGES.get(singular)
    if isinstance(found, tuple):
        one, few, many = found
        n = abs(n)
        if n % 10 == 1 and n % 100 != 11:
            return Translated(one)
        if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
            return Translated(few)
        return Translated(many)
    return singular if n == 1 else plural


def install() -> None:
    """Bind `_` and `ngettext` of click's modules to the Russian messages."""
    for name, module in list(sys.modules.items()):
        if name == "click" or name.startswith("click."):
            if callable(getattr(module, "_", None)):
                setattr(module, "_", gettext)  # noqa: B010
            if callable(getattr(module, "ngettext", None)):
                setattr(module, "ngettext", ngettext)  # noqa: B010


def error_hint(param: click.Parameter, ctx: click.Context | None) -> str:
    """«--out» or ЖУРНАЛ: how an error names the parameter."""
    if isinstance(param, click.Argument):
        return param.make_metavar(ctx) if ctx is not None else param.human_readable_name
    return " / ".join(f"«{opt}»" for opt in param.opts)


def usage_error_text(exc: click.UsageError) -> str:
    """The message of a usage error in Russian, parameters named as in the help."""
    if isinstance(exc, click.MissingParameter) and exc.param is not None:
        what = ("не указан аргумент" if isinstance(exc.param, click.Argument)
                else "не указан параметр")
        text = f"{what} {error_hint(exc.param, exc.ctx)}."
        try:
            extra = exc.param.type.get_missing_message(param=exc.param, ctx=exc.ctx)
        except TypeError:  # click before 8.2: get_missing_message(param)
            extra = exc.param.type.get_missing_message(exc.param)  # type: ignore[call-arg]
        return f"{text} {extra}" if extra else text
    return exc.format_message()


# click 8.2+ shows the help for a bare `vks` through a usage error of its own.
_NO_ARGS: tuple[type[Exception], ...] = tuple(
    kind for kind in [getattr(click.exceptions, "NoArgsIsHelpError", None)] if kind is not None)


def russian(exc: click.UsageError) -> click.UsageError:
    """`exc` to raise instead of a usage error of click's (the help shown for a bare `vks`
    stays as it is)."""
    if isinstance(exc, (RussianUsageError, *_NO_ARGS)):
        return exc
    return RussianUsageError(exc)


class RussianUsageError(click.UsageError):
    """A usage error shown in Russian: usage, where to read more, what is wrong."""

    def __init__(self, original: click.UsageError) -> None:
        super().__init__(original.message, original.ctx)
        self.original = original

    def format_message(self) -> str:
        return usage_error_text(self.original)

    def show(self, file: IO[Any] | None = None) -> None:
        ctx = self.ctx
        lines = []
        if ctx is not None:
            lines.append(ctx.get_usage())
            names = ctx.command.get_help_option_names(ctx)
            if names and ctx.command.get_help_option(ctx) is not None:
                lines.append(f"Подробнее: {ctx.command_path} {max(names, key=len)}\n")
        lines.append(f"Ошибка: {self.format_message()}")
        click.echo("\n".join(lines), file=file, err=file is None,
                   color=ctx.color if ctx else None)


__all__ = ["MESSAGES", "NOT_SHOWN", "RussianUsageError", "install", "russian", "usage_error_text"]
