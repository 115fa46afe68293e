"""The control run: read every body journal, apply the rules, and (on request) write back.

    report = check_source(source, config, clock, write=True)
    print(report.to_text())

Opening a location (.xlsx path or gsheet:…) is the sources' job: `toolkit.sources.check`.

Write-back touches two things only: the control column (each row's current flags, cleared when
resolved) and, under cl. 2.7, the cancellation in graph 7 when the citizen declined or did not
confirm in time and that cell is still empty.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from toolkit.journal.calendar import WorkingCalendar
from toolkit.journal.clock import Clock
from toolkit.journal.config import Config
from toolkit.journal.findings import Finding
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
from toolkit.journal.russian import short_date

CONTROL_LIMIT = 1000  # characters in one control cell; the rest is summarised
# Findings a capability above the core adds for all the journals read at once (repeat questions
# across bodies, `toolkit.intake`): they join the rules' findings and the control column.
Extra = Callable[[Sequence[Journal]], list[Finding]]


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
    """The row's flags as staff read them in the control column."""
    parts: list[str] = []
    seen: set[str] = set()
    for f in findings:
        if not f.kind.flags_row or f.code in seen:
            continue
        seen.add(f.code)
        clause = f.clause if f.clause in ("—", "прил. 1") else f"п. {f.clause}"
        text = f.control_title + (f" (срок {short_date(f.due)})" if f.due else "")
        parts.append(text if clause == "—" else f"{clause}: {text}")
    text = "; ".join(parts)
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
    journal: Journal, calendar: WorkingCalendar, clock: Clock, write: bool,
    extra: Sequence[Finding] = (),
) -> tuple[list[Finding], list[CellChange]]:
    ctx = Context(journal, calendar, clock.today, clock.now)
    changes = plan_cancellations(journal, ctx) if write else []
    found = run_rules(ctx)
    found.extend(f for f in extra if f.sheet == journal.sheet)
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
    extra: Extra | None = None,
) -> Report:
    """Check every body journal of a source; with `write`, record flags and cancellations.

    `extra` adds findings made over all the journals read (see `Extra`)."""
    # One pause for the whole run: re-enabling the collector in between would make it scan
    # every row built so far, only to find no garbage.
    with paused_gc():
        return _check_source(source, config, clock, only, write,
                             calendar or calendar_for(config), extra)


def _check_source(source: JournalSource, config: Config, clock: Clock, only: Sequence[str],
                  write: bool, calendar: WorkingCalendar, extra: Extra | None = None) -> Report:
    journals = read_journals(source, config, only)
    added = extra(journals) if extra is not None else []
    report = Report(source.location, clock.today)
    changes: list[CellChange] = []
    while journals:  # each journal's rows are freed once checked, before anything is written
        journal = journals.pop(0)
        found, planned = _check_journal(journal, calendar, clock, write, added)
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
