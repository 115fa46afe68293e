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

import numpy as np

from toolkit.journal.actions import control_line
from toolkit.journal.calendar import WorkingCalendar
from toolkit.journal.clock import Clock
from toolkit.journal.config import Config
from toolkit.journal.findings import CATALOGUE, Finding, Severity
from toolkit.journal.model import CellChange, Journal, JournalSource, paused_gc
from toolkit.journal.read import iter_journals
from toolkit.journal.report import JournalSummary, Report
from toolkit.journal.rules import Context, due_cancellation, run_rules
from toolkit.journal.schema import Outcome

CONTROL_LIMIT = 1000  # characters in one control cell; the rest is summarised
_FLAGS = {c.code: c.flags_row for c in CATALOGUE}
_RANK = {c.code: (Severity.ERROR, Severity.WARNING, Severity.INFO).index(c.severity)
         for c in CATALOGUE}
# Findings a capability above the core adds for all the journals read at once (repeat questions
# across bodies, `toolkit.intake`): they join the rules' findings and the control column.
Extra = Callable[[Sequence[Journal]], list[Finding]]


def calendar_for(config: Config) -> WorkingCalendar:
    """The production calendar with the local overrides of `[calendar]`."""
    return WorkingCalendar.from_settings(config.calendar)


def control_text(findings: Iterable[Finding]) -> str:
    """The row's flags as staff read them in the control column: one line per finding, what to
    do and by when — errors first, then warnings, then hints (see `toolkit.journal.actions`)."""
    flags: dict[tuple[str, str | None], Finding] = {}
    for f in findings:
        if _FLAGS[f.code]:
            flags.setdefault((f.code, f.cell), f)
    ordered = sorted(flags.values(), key=lambda f: _RANK[f.code])  # stable within a rank
    text = "\n".join([control_line(f) for f in ordered])
    if len(text) > CONTROL_LIMIT:
        text = text[: CONTROL_LIMIT - 1] + "…"
    return text


def plan_cancellations(journal: Journal, ctx: Context) -> list[CellChange]:
    """Cl. 2.7 cancellations due now, applied to the journal's columns in memory."""
    j = journal.columns
    codes = due_cancellation(j, ctx)
    where = np.flatnonzero(codes).tolist()
    col = journal.column_index("outcome")
    members = list(Outcome)
    changes = [CellChange(journal.sheet, int(j.rows[i]), "outcome", j.raw_text("outcome", i),
                          members[codes[i] - 1].label, "п. 2.7", col) for i in where]
    j.values["outcome"][codes != 0] = codes[codes != 0]
    return changes


def plan_control(journal: Journal, findings: Sequence[Finding]) -> list[CellChange]:
    """Control cells whose text differs from the row's current flags.

    A sheet without a control column gets none (the journal's `missing` says so).
    """
    col = journal.column_index("control")
    if col is None:
        return []
    by_row: dict[int, list[Finding]] = {}
    for f in findings:
        if f.row is not None and f.sheet == journal.sheet:
            by_row.setdefault(f.row, []).append(f)
    j = journal.columns
    current = j.values["control"]
    said = np.flatnonzero((current != "").to_numpy()).tolist()
    wanted = sorted({*(int(j.rows.searchsorted(r)) for r in by_row if _is_row(j.rows, r)),
                     *said})
    changes = []
    for i in wanted:
        row = int(j.rows[i])
        new = control_text(by_row.get(row, ()))
        if new != current[i]:
            changes.append(CellChange(journal.sheet, row, "control", j.raw_text("control", i),
                                      new, "контроль", col))
    for row, text, raw in zip(j.stale_rows.tolist(), j.stale_control, j.stale_raw_control,
                              strict=True):
        new = control_text(by_row.get(row, ()))
        if new != text:
            changes.append(CellChange(journal.sheet, row, "control", raw, new, "контроль", col))
    return changes


def _is_row(rows: np.ndarray, row: int) -> bool:
    at = int(rows.searchsorted(row))
    return at < len(rows) and int(rows[at]) == row


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
    report = Report(source.location, clock.today)
    changes: list[CellChange] = []
    added: list[Finding] = []
    journals: Iterable[Journal] = iter_journals(source, config, only)
    if extra is not None:  # findings across journals need them all read first
        journals = list(journals)
        added = extra(journals)
    # Otherwise each sheet is checked as soon as it is read, and its rows freed before the next.
    for journal in journals:
        found, planned = _check_journal(journal, calendar, clock, write, added)
        changes.extend(planned)
        report.findings.extend(found)
        report.journals.append(
            JournalSummary(journal.body.name, journal.sheet, journal.size)
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
