"""The command reference (docs/commands.md), generated from the click commands themselves.

Every command with its usage line and help, every option with its help and default: one source
of truth, the code. The file holds the block between `<!-- BEGIN commands -->` and
`<!-- END commands -->`; a test keeps it current;
`python -m toolkit.cli.reference docs/commands.md` rewrites it.
"""

from __future__ import annotations

import inspect
import sys
from pathlib import Path

import click

from toolkit.cli import cli
from toolkit.journal.docs import render

# The order a reader meets the commands in; commands added later follow alphabetically.
ORDER = ("init", "demo", "check", "letters", "stats", "send", "run", "schedule", "status",
         "doctor")


def command_names(group: click.Group = cli) -> list[str]:
    ctx = click.Context(group, info_name="vks")
    known = [name for name in ORDER if name in group.commands]
    return known + sorted(set(group.list_commands(ctx)) - set(known))


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _options(command: click.Command, ctx: click.Context) -> list[str]:
    rows = []
    for param in command.get_params(ctx):
        if isinstance(param, click.Argument):
            continue
        record = param.get_help_record(ctx)
        if record is None:
            continue
        name, help_text = record
        rows.append(f"| `{_cell(name)}` | {_cell(help_text)} |")
    if not rows:
        return []
    return ["| Параметр | Что делает |", "|---|---|", *rows]


def _section(title: str, command: click.Command, ctx: click.Context) -> list[str]:
    usage = " ".join([ctx.command_path, *command.collect_usage_pieces(ctx)])
    lines = [f"## {title}", "", "```text", usage, "```", ""]
    if command.help:
        lines.extend([inspect.cleandoc(command.help), ""])
    options = _options(command, ctx)
    if options:
        lines.extend([*options, ""])
    return lines


def commands_block(group: click.Group = cli) -> str:
    """Markdown of the whole command tree: the common options, then each command."""
    root = click.Context(group, info_name="vks", **group.context_settings)
    lines = ["## Общие параметры", "", "Пишутся перед командой: `vks -c vks.toml check`.", ""]
    lines.extend([*_options(group, root), ""])
    for name in command_names(group):
        command = group.commands[name]
        if command.hidden:
            continue
        ctx = click.Context(command, info_name=name, parent=root, **command.context_settings)
        lines.extend(_section(f"`vks {name}`", command, ctx))
    return "\n".join(lines).rstrip()


BLOCKS = {"commands": commands_block}


if __name__ == "__main__":
    for name in sys.argv[1:] or ["docs/commands.md"]:
        path = Path(name)
        path.write_text(render(path.read_text(encoding="utf-8"), BLOCKS), encoding="utf-8")
