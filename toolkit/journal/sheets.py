"""Which sheets of a source are body journals, and whose: decided before any sheet is read."""

from __future__ import annotations

from collections.abc import Sequence

from toolkit.journal.config import Body, Config
from toolkit.journal.errors import JournalError
from toolkit.journal.schema import DIRECTORY_SHEET, normalize


def journal_sheets(
    titles: Sequence[str], config: Config, location: str, only: Sequence[str] = ()
) -> list[tuple[str, Body]]:
    """The sheets of a source that are body journals, each with its body.

    A sheet belongs to the body whose config names it; with no config entry, the sheet's title
    is the body's name. `only` narrows to bodies given by name or sheet title.
    """
    chosen: list[tuple[str, Body]] = []
    for title in titles:
        if title == DIRECTORY_SHEET:
            continue
        body = config.body_for_sheet(title, location) or Body(name=title, sheet=title)
        if only and not any(
            normalize(o) in (normalize(body.name), normalize(title)) for o in only
        ):
            continue
        chosen.append((title, body))
    if only and not chosen:
        names = ", ".join(f"«{o}»" for o in only)
        known = ", ".join(f"«{t}»" for t in titles if t != DIRECTORY_SHEET) or "нет листов"
        raise JournalError(f"{location}: нет журнала органа {names}; листы журнала: {known}")
    if not chosen:
        raise JournalError(f"{location}: в книге нет ни одного листа журнала")
    return chosen
