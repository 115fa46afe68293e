"""Everything click itself says to a user of vks is Russian: usage errors, help, defaults."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from toolkit.cli import cli
from toolkit.cli.russian import MESSAGES, NOT_SHOWN


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), prog_name="vks", catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def framed(usage: str, command: str, error: str) -> str:
    return f"Использование: {usage}\nПодробнее: {command} --help\n\nОшибка: {error}\n"


@pytest.mark.parametrize(("args", "usage", "error"), [
    (["check", "--wirte"], "vks check [ПАРАМЕТРЫ] [ЖУРНАЛ]",
     "нет параметра «--wirte». Возможно, имелось в виду «--write»?"),
    (["chek"], "vks [ПАРАМЕТРЫ] КОМАНДА [АРГУМЕНТЫ]...",
     "нет команды «chek». Возможно, имелось в виду «check»?"),
    (["run"], "vks run [ПАРАМЕТРЫ] ЗАДАНИЕ", "не указан аргумент ЗАДАНИЕ."),
    (["init"], "vks init [ПАРАМЕТРЫ] ПУТЬ", "не указан аргумент ПУТЬ."),
    (["check", "--format", "xml"], "vks check [ПАРАМЕТРЫ] [ЖУРНАЛ]",
     "неверное значение «--format»: «xml» — допустимы: «text», «json»."),
    (["demo", "x.xlsx", "--seed", "abc"], "vks demo [ПАРАМЕТРЫ] ПУТЬ",
     "неверное значение «--seed»: «abc» — не число."),
    (["demo", "x.xlsx", "--rows", "5"], "vks demo [ПАРАМЕТРЫ] ПУТЬ",
     "неверное значение «--rows»: 5 — вне допустимых пределов 50<=x<=100000."),
    (["status", "--format"], "vks status [ПАРАМЕТРЫ]",
     "после параметра «--format» нужно значение."),
    (["check", "a.xlsx", "b.xlsx"], "vks check [ПАРАМЕТРЫ] [ЖУРНАЛ]",
     "лишний аргумент: b.xlsx"),
    (["check", "--today", "2026-13-45"], "vks check [ПАРАМЕТРЫ] [ЖУРНАЛ]",
     "неверное значение «--today»: «2026-13-45» — не дата; укажите ГГГГ-ММ-ДД или "
     "ДД.ММ.ГГГГ [ЧЧ:ММ]"),
    (["run", "daily", "--due", "--today", "2026-11-27"], "vks run [ПАРАМЕТРЫ] ЗАДАНИЕ",
     "--due решает по текущему времени; --today с ним не используется"),
])
def test_usage_errors_are_russian_with_exit_2(args: list[str], usage: str, error: str) -> None:
    code, out, err = run(*args)
    command = usage.split(" [", maxsplit=1)[0]
    assert (code, out, err) == (2, "", framed(usage, command, error))


def test_a_path_of_the_wrong_kind(tmp_path: Path) -> None:
    code, _, err = run("-c", str(tmp_path), "check")
    assert code == 2
    assert err.endswith(f"Ошибка: неверное значение «-c» / «--config»: файл «{tmp_path}» — "
                        f"это папка, а нужен файл.\n")


def test_help_shows_defaults_in_russian() -> None:
    _, out, _ = run("check", "--help")
    assert "[по умолчанию: text]" in out and "default" not in out
    _, out, _ = run("demo", "--help")
    assert "[по умолчанию: 60; 50<=x<=100000]" in " ".join(out.split())


def _names(command: click.Command, path: str = "vks") -> list[tuple[str, click.Command]]:
    found = [(path, command)]
    if isinstance(command, click.Group):
        for name, sub in command.commands.items():
            found.extend(_names(sub, f"{path} {name}"))
    return found


@pytest.mark.parametrize(("path", "command"), _names(cli), ids=str)
def test_no_english_word_in_any_help(path: str, command: click.Command) -> None:
    code, out, _ = run(*path.split()[1:], "--help")
    assert code == 0
    # Latin capitals are how click names what it was not told: PATH, TEXT, INTEGER, JOB…
    allowed = {"JSON", "HTML", "PDF", "SMTP", "TOML", "LibreOffice", "Excel", "SIGTERM", "UTF",
               "CSV", "ID", "URL", "IMAP", "ГГГГ"}
    words = set(re.findall(r"\b[A-Z]{3,}\b", out)) - allowed
    assert not words, f"{path}: {sorted(words)}"
    for english in ("Usage", "Options", "Commands", "Show this", "default:", "required"):
        assert english not in out, (path, english)


def _click_messages() -> set[str]:
    """Every message the installed click passes through gettext."""
    folder = Path(click.__file__).parent
    found = set()
    for source in folder.glob("*.py"):
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
                    and node.func.id in ("_", "ngettext") and node.args \
                    and isinstance(node.args[0], ast.Constant):
                found.add(node.args[0].value)
    return found


def test_every_message_of_click_is_translated_or_never_shown() -> None:
    messages = _click_messages()
    assert "Missing argument" in messages  # the scan works
    missing = messages - set(MESSAGES) - NOT_SHOWN
    assert not missing, f"translate in toolkit/cli/russian.py: {sorted(missing)}"


def test_translations_keep_the_placeholders_click_fills() -> None:
    for english, russian in MESSAGES.items():
        wanted = set(re.findall(r"\{(\w+)", english)) | set(re.findall(r"%\((\w+)\)", english))
        for form in russian if isinstance(russian, tuple) else (russian,):
            used = set(re.findall(r"\{(\w+)", form)) | set(re.findall(r"%\((\w+)\)", form))
            assert used <= wanted | {"possibilities", "choices", "formats", "nargs", "len"}, \
                (english, form)
