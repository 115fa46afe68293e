"""The control run: read every body journal, apply the rules, and (on request) write back.

    report = check_source(source, config, clock, write=True)
    print(report.to_text())

Opening a location (.xlsx path or gsheet:…) is the sources' job: `toolkit.sources.check`.

Write-back touches two things only: the control column (each row's current flags, cleared when
resolved) and, under cl. 2.7, the cancellation in graph 7 when the citizen declined or did not
confirm in time and that cell is still empty.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from toolkit.journal.actions import control_line
from toolkit.journal.calendar import WorkingCalendar
from toolkit.journal.clock import Clock
from toolkit.journal.config import Config
from toolkit.journal.findings import CATALOGUE, Finding, Severity
from toolkit.journal.model import (
    Application,
    CellChange,
    Journal,
    JournalSource,
    paused_gc,
    read_journals,
)
from toolkit.journal.report import JournalSummary, Report
from toolkit.journal.rules import Context, due_cancellation, run_rules

CONTROL_LIMIT = 1000  # characters in one control cell; the rest is summarised
_FLAGS = {c.code: c.flags_row for c in CATALOGUE}
_WARNING = {c.code: c.severity is Severity.WARNING for c in CATALOGUE}


def calendar_for(config: Config) -> WorkingCalendar:
    return WorkingCalendar(config.calendar.days_off, config.calendar.working_days)


def state_dir(config: Config, location: str) -> Path:
    """Where the toolkit keeps backups, ledgers and logs for a journal."""
    if config.state_dir is not None:
        return config.state_dir
    if ":" in location.split("/", 1)[0] and not Path(location).exists():
        return Path.cwd() / ".vks"
    return Path(location).resolve().parent / ".vks"


def control_text(findings: Iterable[Finding]) -> str:
    """The row's flags as staff read them in the control column: one line per finding, what to
    do and by when, errors first (see `toolkit.journal.actions`)."""
    flags: dict[tuple[str, str | None], Finding] = {}
    for f in findings:
        if _FLAGS[f.code]:
            flags.setdefault((f.code, f.cell), f)
    ordered = sorted(flags.values(), key=lambda f: _WARNING[f.code])  # stable: errors first
    text = "\n".join([control_line(f) for f in ordered])
    if len(text) > CONTROL_LIMIT:
        text = text[: CONTROL_LIMIT - 1] + "…"
    return text


def plan_cancellations(journal: Journal, ctx: Context) -> list[CellChange]:
    """Cl. 2.7 cancellations due now, applied to the rows in memory."""
    changes = []
    for app in journal.applications:
        outcome = due_cancellation(app, ctx)
        if outcome is None:
            continue
        changes.append(CellChange(journal.sheet, app.row, "outcome", app.raw_text("outcome"),
                                  outcome.label, "п. 2.7"))
        app.outcome = outcome
    return changes


def plan_control(journal: Journal, findings: Sequence[Finding]) -> list[CellChange]:
    """Control cells whose text differs from the row's current flags."""
    by_row: dict[int, list[Finding]] = {}
    for f in findings:
        if f.row is not None and f.sheet == journal.sheet:
            by_row.setdefault(f.row, []).append(f)
    changes = []
    rows: list[Application] = [*journal.applications, *journal.stale_rows]
    for app in rows:
        flags = by_row.get(app.row)
        if flags is None and not app.control:
            continue  # the common case: nothing to say, nothing said
        new = control_text(flags or ())
        if new != app.control:
            changes.append(CellChange(journal.sheet, app.row, "control", app.raw_text("control"),
                                      new, "контроль"))
    return changes


def _check_journal(
    journal: Journal, calendar: WorkingCalendar, clock: Clock, write: bool
) -> tuple[list[Finding], list[CellChange]]:
    ctx = Context(journal, calendar, clock.today, clock.now)
    changes = plan_cancellations(journal, ctx) if write else []
    found = run_rules(ctx)
    if write:
        changes.extend(plan_control(journal, found))
    return found, changes


def check_source(
    source: JournalSource,
    config: Config,
    clock: Clock,
    only: Sequence[str] = (),
    write: bool = False,
    calendar: WorkingCalendar | None = None,
) -> Report:
    """Check every body journal of a source; with `write`, record flags and cancellations."""
    # One pause for the whole run: re-enabling the collector in between would make it scan
    # every row built so far, only to find no garbage.
    with paused_gc():
        return _check_source(source, config, clock, only, write,
                             calendar or calendar_for(config))


def _check_source(source: JournalSource, config: Config, clock: Clock, only: Sequence[str],
                  write: bool, calendar: WorkingCalendar) -> Report:
    journals = read_journals(source, config, only)
    report = Report(source.location, clock.today)
    changes: list[CellChange] = []
    while journals:  # each journal's rows are freed once checked, before anything is written
        journal = journals.pop(0)
        found, planned = _check_journal(journal, calendar, clock, write)
        changes.extend(planned)
        report.findings.extend(found)
        report.journals.append(
            JournalSummary(journal.body.name, journal.sheet, len(journal.applications))
        )
        del journal
    if write:
        result = source.write(changes)
        report.written = True
        report.changes = result.written
        report.skipped = result.skipped
        report.backup = str(result.backup) if result.backup else None
    report.requests = getattr(source, "requests", None)  # HTTP requests of a remote source
    return report
