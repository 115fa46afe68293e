"""vks: the journal of video receptions under order No. 77 of 24.04.2023 (Kuzbass).

The Python API mirrors the `vks` commands, one call each:

    import datetime as dt
    import toolkit

    config = toolkit.load_config()                                  # ./vks.toml or defaults
    report = toolkit.check("журнал.xlsx", config, dt.date(2026, 11, 27))       # vks check
    print(report.to_text())
    result = toolkit.make_letters("журнал.xlsx", config, Path("решения"),      # vks letters
                                  toolkit.Clock.at(dt.date(2026, 11, 27)))

Names are loaded on first use (PEP 562), so `import toolkit` — and `vks --help` — stay fast.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# name → module that defines it; the CLI command each one serves is in docs/API.md.
_EXPORTS: dict[str, str] = {
    # the core
    "CATALOGUE": "toolkit.journal.findings",
    "Finding": "toolkit.journal.findings",
    "Severity": "toolkit.journal.findings",
    "Body": "toolkit.journal.config",
    "Config": "toolkit.journal.config",
    "load_config": "toolkit.journal.config",
    "Clock": "toolkit.journal.clock",
    "WorkingCalendar": "toolkit.journal.calendar",
    "Report": "toolkit.journal.report",
    "check_source": "toolkit.journal.control",
    "ToolkitError": "toolkit.journal.errors",
    "ConfigError": "toolkit.journal.errors",
    "JournalBusy": "toolkit.journal.errors",
    "JournalError": "toolkit.journal.errors",
    "TemplateError": "toolkit.journal.errors",
    # sources: vks init, vks demo, vks check
    "open_source": "toolkit.sources.open",
    "check": "toolkit.sources.open",
    "create_journal": "toolkit.sources.workbook",
    "create_demo": "toolkit.sources.workbook",
    "upgrade_journal": "toolkit.sources.xlsx.upgrade",
    # capabilities: vks letters, vks stats, vks send
    "make_letters": "toolkit.letters.make",
    "Month": "toolkit.stats.monthly",
    "stats_for": "toolkit.stats.monthly",
    "collect_stats": "toolkit.stats.monthly",
    "build_report": "toolkit.stats.report",
    "send_monthly": "toolkit.stats.delivery",
    "expired_recordings": "toolkit.recordings.retention",
    "print_journal": "toolkit.printing.journal",
    # the citizen's side: vks notify, vks replies
    "send_notices": "toolkit.correspondence.outgoing",
    "read_replies": "toolkit.correspondence.incoming",
    # intake: vks intake
    "take_in": "toolkit.intake.register",
    # jobs: vks run, vks schedule, vks status
    "run_once": "toolkit.jobs.runner",
    "serve_forever": "toolkit.jobs.runner",
    "collect_status": "toolkit.jobs.status",
    "diagnose": "toolkit.jobs.doctor",  # vks doctor
}

__all__ = [
    "CATALOGUE",
    "Body",
    "Clock",
    "Config",
    "ConfigError",
    "Finding",
    "JournalBusy",
    "JournalError",
    "Month",
    "Report",
    "Severity",
    "TemplateError",
    "ToolkitError",
    "WorkingCalendar",
    "build_report",
    "check",
    "check_source",
    "collect_stats",
    "collect_status",
    "create_demo",
    "create_journal",
    "diagnose",
    "expired_recordings",
    "load_config",
    "make_letters",
    "open_source",
    "print_journal",
    "read_replies",
    "run_once",
    "send_monthly",
    "send_notices",
    "serve_forever",
    "stats_for",
    "take_in",
    "upgrade_journal",
]



def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'toolkit' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


if TYPE_CHECKING:  # for type checkers and editors; at run time names load lazily
    from toolkit.correspondence.incoming import read_replies
    from toolkit.correspondence.outgoing import send_notices
    from toolkit.intake.register import take_in
    from toolkit.jobs.doctor import diagnose
    from toolkit.jobs.runner import run_once, serve_forever
    from toolkit.jobs.status import collect_status
    from toolkit.journal.calendar import WorkingCalendar
    from toolkit.journal.clock import Clock
    from toolkit.journal.config import Body, Config, load_config
    from toolkit.journal.control import check_source
    from toolkit.journal.errors import (
        ConfigError,
        JournalBusy,
        JournalError,
        TemplateError,
        ToolkitError,
    )
    from toolkit.journal.findings import CATALOGUE, Finding, Severity
    from toolkit.journal.report import Report
    from toolkit.letters.make import make_letters
    from toolkit.printing.journal import print_journal
    from toolkit.recordings.retention import expired_recordings
    from toolkit.sources.open import check, open_source
    from toolkit.sources.workbook import create_demo, create_journal
    from toolkit.sources.xlsx.upgrade import upgrade_journal
    from toolkit.stats.delivery import send_monthly
    from toolkit.stats.monthly import Month, collect_stats, stats_for
    from toolkit.stats.report import build_report
