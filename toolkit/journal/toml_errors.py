"""A TOML syntax error of `vks.toml` or a job file, said in Russian with its line and column.

Python's `tomllib` (3.11–3.13) writes «Expected '=' after a key in a key/value pair (at line 3,
column 9)»; `describe()` gives «строка 3, столбец 9: после ключа ожидается «=»…». A message not
in the table is named generally, never left in English.
"""

from __future__ import annotations

import ast
import re
import tomllib

_WHERE = re.compile(r"^(?P<what>.*?)\s*\(at (?:line (?P<line>\d+), column (?P<column>\d+)|"
                    r"end of document)\)$", re.DOTALL)
_QUOTED = re.compile(r"'([^']*)'")

HINT_QUOTES = "строки пишутся в кавычках: host = \"smtp.example.ru\""

# (pattern of tomllib's message, Russian); {0}, {1}… are the pattern's groups.
MESSAGES: tuple[tuple[str, str], ...] = (
    (r"Invalid value", "неверное значение: " + HINT_QUOTES + ", списки — в квадратных "
                       "скобках: [\"a@example.ru\"]"),
    (r"Invalid statement", "строка не похожа ни на «ключ = значение», ни на [раздел]"),
    (r"Expected newline or end of document after a statement",
     "после значения в той же строке ничего не должно быть, кроме комментария (# …)"),
    (r"Expected '=' after a key in a key/value pair",
     "после ключа ожидается «=» (ключ = значение; " + HINT_QUOTES + ")"),
    (r"Expected '(.*)'", "ожидается «{0}»"),
    (r"Found invalid character (.*)", "недопустимый знак {0}"),
    (r"Cannot declare (.*) twice", "раздел {0} объявлен дважды"),
    (r"Cannot overwrite a value", "значение задано дважды"),
    (r"Expected ']' at the end of a table declaration",
     "в конце названия раздела ожидается «]»"),
    (r"Expected ']]' at the end of an array declaration",
     "в конце названия раздела [[…]] ожидается «]]»"),
    (r"Cannot mutate immutable namespace (.*)", "нельзя дополнить {0}: он уже задан целиком"),
    (r"Cannot redefine namespace (.*)", "нельзя заново задать {0}"),
    (r"Invalid initial character for a key part",
     "ключ должен начинаться с буквы, цифры, «_», «-» или кавычки"),
    (r"Unclosed array", "не закрыт список: ожидается «]»"),
    (r"Duplicate inline table key (.*)", "ключ {0} повторяется в таблице {{ … }}"),
    (r"Unclosed inline table", "не закрыта таблица: ожидается «}}»"),
    (r"Unescaped '\\' in a string",
     "обратная косая черта в строке: пишите \\\\ или путь в одинарных кавычках 'C:\\папка'"),
    (r"Invalid hex value", "неверный код символа (\\u…) в строке"),
    (r"Escaped character is not a Unicode scalar value", "неверный код символа (\\u…)"),
    (r"Unterminated string", "строка не закрыта кавычкой"),
    (r"Illegal character (.*)", "недопустимый знак {0} в строке"),
    (r"Invalid date or datetime", "неверная дата или время"),
)


def describe(exc: tomllib.TOMLDecodeError) -> str:
    """«строка 3, столбец 9: …» — where, and what is wrong, in Russian."""
    text = str(exc)
    m = _WHERE.match(text)
    what = m.group("what") if m else text
    if m is None:
        where = ""
    elif m.group("line"):
        where = f"строка {m.group('line')}, столбец {m.group('column')}: "
    else:
        where = "в конце файла: "
    for pattern, russian in MESSAGES:
        found = re.fullmatch(pattern, what)
        if found:
            groups = [_shown(g or "") for g in found.groups()]
            return where + russian.format(*groups)
    return where + "ошибка синтаксиса TOML"


def _shown(part: str) -> str:
    """A key tomllib shows as a tuple, ('mail', 'host'), as «mail.host»; quotes as «»."""
    if part.startswith("("):
        try:
            key = ast.literal_eval(part)
        except (ValueError, SyntaxError):
            key = None
        if isinstance(key, tuple) and all(isinstance(k, str) for k in key):
            return "«" + ".".join(key) + "»"
    return _QUOTED.sub(r"«\1»", part)


__all__ = ["describe"]
