"""Reference blocks of the docs generated from the schema, the findings and the settings.

docs/*.md hold these blocks between `<!-- BEGIN name -->` / `<!-- END name -->` markers
(`columns` in docs/journal.md, `codes` in docs/findings.md, `settings` in docs/settings.md); a
test keeps them equal to what this module renders;
`python -m toolkit.journal.docs docs/journal.md docs/findings.md docs/settings.md` rewrites them.
The command reference is rendered the same way from the click commands by `toolkit.cli.reference`
(the core does not import the CLI).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

from toolkit.journal.findings import CATALOGUE
from toolkit.journal.schema import (
    COLUMNS,
    GRAPHS,
    SERVICE_HEADING,
    Kind,
)

KIND_NAMES = {
    Kind.NUMBER: "число",
    Kind.DATE: "дата",
    Kind.DATETIME: "дата и время",
    Kind.TEXT: "текст",
    Kind.CHOICE: "список",
}


def columns_block() -> str:
    lines = [
        "| Столбец | Графа | Заголовок | Тип | Значения |",
        "|---|---|---|---|---|",
    ]
    for column in COLUMNS:
        if column.graph is None:
            graph = "служебный"
        else:
            graph = str(column.graph)
            if GRAPHS[column.graph - 1].compound:
                graph += " (подграфа)"
        values = "; ".join(f"«{v}»" for v in column.choices.labels()) if column.choices else ""
        if column.written_by_toolkit:
            values = "заполняет только программа"
        lines.append(f"| {column.letter} | {graph} | {column.heading} | "
                     f"{KIND_NAMES[column.kind]} | {values} |")
    lines.append("")
    service = [c for c in COLUMNS if c.graph is None]
    lines.append(f"Служебный блок (столбцы {service[0].letter}–{service[-1].letter}) озаглавлен "
                 f"«{SERVICE_HEADING}» и не печатается.")
    return "\n".join(lines)


def codes_block() -> str:
    lines = [
        "| Код | Пункт | Важность | Значение |",
        "|---|---|---|---|",
    ]
    for code in CATALOGUE:
        lines.append(f"| `{code.code}` | {code.clause} | {code.severity.label} | {code.title} |")
    return "\n".join(lines)


def settings_block() -> str:
    from toolkit.journal.settings import SETTINGS

    lines = ["| Ключ | Раздел | Значение | По умолчанию | Назначение |", "|---|---|---|---|---|"]
    for s in SETTINGS:
        section = "[[bodies]]" if s.section == "bodies" else f"[{s.section}]" if s.section else \
            "вне разделов"
        lines.append(f"| `{s.name}` | {section} | {s.kind} | {s.default} | {s.text} |")
    return "\n".join(lines)


BLOCKS = {"columns": columns_block, "codes": codes_block, "settings": settings_block}


def _filler(block: str) -> Callable[[re.Match[str]], str]:
    return lambda m: m.group(1) + block + "\n" + m.group(2)


def render(text: str, blocks: Mapping[str, Callable[[], str]] = BLOCKS) -> str:
    """`text` with every generated block replaced by its current rendering."""
    for name, make in blocks.items():
        pattern = re.compile(
            rf"(<!-- BEGIN {name} -->\n).*?(<!-- END {name} -->)", re.DOTALL
        )
        text = pattern.sub(_filler(make()), text)
    return text


if __name__ == "__main__":
    for name in sys.argv[1:] or ["docs/journal.md", "docs/findings.md", "docs/settings.md"]:
        path = Path(name)
        path.write_text(render(path.read_text(encoding="utf-8")), encoding="utf-8")
