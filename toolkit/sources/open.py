"""Open a journal location as its source, and check it: the entry point the CLI and jobs use.

    report = check("журнал.xlsx", today=dt.date(2026, 11, 28))
    print(report.to_text())
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING

from toolkit.journal.clock import Clock
from toolkit.journal.config import Config, load_config
from toolkit.journal.locations import state_dir
from toolkit.journal.model import JournalSource

if TYPE_CHECKING:
    from toolkit.journal.control import Extra
    from toolkit.journal.report import Report


def open_source(location: str, config: Config) -> JournalSource:
    """The journal source for a location: an .xlsx path, gsheet:<key> or a spreadsheet URL."""
    from toolkit.journal.locations import is_google

    if is_google(location):
        from toolkit.sources.gsheets.source import GoogleSheetSource

        return GoogleSheetSource.from_location(location, config)
    from toolkit.sources.xlsx.bounds import Limits
    from toolkit.sources.xlsx.source import XlsxSource

    limits = Limits.from_section(config.section("limits"))
    return XlsxSource(location, backup_dir=state_dir(config, location) / "backups",
                      limits=limits)


def check(
    location: str,
    config: Config | None = None,
    today: dt.date | dt.datetime | None = None,
    only: Sequence[str] = (),
    write: bool = False,
    extra: Extra | None = None,
) -> Report:
    """Check a journal given by location (.xlsx path or gsheet:…); see `check_source`."""
    config = config if config is not None else load_config()
    clock = Clock.at(today) if today is not None else Clock.local(config.timezone)
    source = open_source(location, config)
    try:
        prefetch = getattr(source, "prefetch", None)
        if prefetch is not None:  # the sheets are read while the engine below is imported
            from toolkit.journal.sheets import journal_sheets

            prefetch([title for title, _ in
                      journal_sheets(source.sheet_titles(), config, location, only)])
        from toolkit.journal.control import check_source

        return check_source(source, config, clock, only, write, extra=extra)
    finally:  # a check that failed before reading leaves no reader behind (the scheduler)
        close = getattr(source, "close", None)
        if close is not None:
            close()
