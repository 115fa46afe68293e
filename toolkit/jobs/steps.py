"""The steps a job can take, each a thin call into the library that already does the work.

    outcome = run_step(CheckStep(write=True), StepContext(config, ("журнал.xlsx",), clock))

Each executor returns a `StepOutcome`: whether it succeeded, counts of what it found and
changed (kept in the run ledger), and Russian lines for the console and the failure notice.
Problems in the journal are findings, not failures; a step fails when it could not do its work
(the journal cannot be read, is open in Excel, mail was not sent…). Every step is idempotent —
the control column is rewritten to the same text, letters are made once (letters ledger), mail
is sent once (outbox ledger) — so a step interrupted mid-way is safe to run again.

Nothing here logs or returns personal data: lines name journals, bodies, sheets and cells.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from toolkit.jobs.declarations import (
    CheckStep,
    IntakeStep,
    LettersStep,
    NotifyStep,
    RecordingsStep,
    RepliesStep,
    SendStep,
    StatsStep,
    Step,
)
from toolkit.jobs.grouping import grouped
from toolkit.jobs.logs import log_fields, stack_of
from toolkit.journal.clock import Clock
from toolkit.journal.config import Config
from toolkit.journal.errors import JournalBusy, ToolkitError, describe_error
from toolkit.journal.model import (
    JournalSource,
)
from toolkit.journal.russian import count
from toolkit.sources.dry_run import DryRunSource

if TYPE_CHECKING:
    from toolkit.stats.monthly import Month

# Places named per kind of warning in a step's lines; every kind is shown with its count, and
# errors (rows left without a letter, cells not written) with all their places.
MAX_WARNING_PLACES = 10


@dataclass
class StepOutcome:
    """What one step did on one journal (or on all of them)."""

    kind: str
    title: str
    target: str  # the journal, or «все журналы»
    ok: bool = True
    counts: dict[str, int] = field(default_factory=dict)
    lines: list[str] = field(default_factory=list)
    error: str = ""
    busy: bool = False  # the journal was open in an office program: nothing was written

    @property
    def line(self) -> str:
        head = f"{self.title} — {self.target}: "
        if not self.ok:
            return head + "ОШИБКА: " + self.error
        return head + ("; ".join(self.lines[:1]) or "выполнено")


@dataclass(frozen=True)
class StepContext:
    """What a step runs on: the configuration, the journals, the moment, a dry-run folder."""

    config: Config
    journals: tuple[str, ...]  # one journal for a per-journal step; all for the others
    clock: Clock
    dry_run: Path | None = None  # dry run: change nothing, write what would go out here
    # What one step computed and a later step of the same run can reuse (the month's
    # statistics for `send` after `stats`), so a run reads the journals once for both.
    shared: dict[tuple[object, ...], Any] = field(default_factory=dict)


Executor = Callable[[Step, StepContext], StepOutcome]

log = logging.getLogger("vks.scheduler")


def execute(executors: Mapping[str, Executor], job: str, step: Step, ctx: StepContext,
            log_path: Path) -> StepOutcome:
    """Run one step; every failure becomes a failed outcome with a Russian reason.

    A journal open in an office program is `busy` (jobs.waiting retries it); a full disk or
    missing rights is named with its file; an unexpected error is logged with its type and
    code lines, never its text (which may quote a cell).
    """
    target = _all(ctx.journals)
    fields = {"job": job, "step": step.kind, "target": target}
    try:
        outcome = executors[step.kind](step, ctx)
    except JournalBusy as exc:
        log.warning("задание %s: шаг «%s» (%s): журнал открыт или изменен, ничего не "
                    "записано", job, step.title, target,
                    extra=log_fields(event="step-busy", **fields))
        return StepOutcome(step.kind, step.title, target, ok=False, error=str(exc), busy=True)
    except ToolkitError as exc:
        log.error("задание %s: шаг «%s» (%s) не выполнен: %s", job, step.title, target, exc,
                  extra=log_fields(event="step-failed", error=type(exc).__name__, **fields))
        return StepOutcome(step.kind, step.title, target, ok=False, error=str(exc))
    except Exception as exc:
        described = describe_error(exc)  # a full disk, no rights, a read-only ledger…
        if described is not None:
            log.error("задание %s: шаг «%s» (%s) не выполнен: %s", job, step.title, target,
                      described, extra=log_fields(event="step-failed",
                                                  error=type(exc).__name__, **fields))
            return StepOutcome(step.kind, step.title, target, ok=False, error=described)
        log.error("задание %s: шаг «%s» (%s): внутренняя ошибка %s", job, step.title, target,
                  type(exc).__name__, extra=log_fields(event="step-crashed",
                                                       error=type(exc).__name__,
                                                       stack=stack_of(exc), **fields))
        return StepOutcome(step.kind, step.title, target, ok=False,
                           error=f"внутренняя ошибка ({type(exc).__name__}); место ошибки — "
                                 f"в журнале работы {log_path}")
    level = logging.INFO if outcome.ok else logging.ERROR
    log.log(level, "задание %s: шаг «%s» (%s): %s", job, step.title, target,
            outcome.lines[0] if outcome.ok and outcome.lines else outcome.error or "выполнено",
            extra=log_fields(event="step-done" if outcome.ok else "step-failed",
                             counts=outcome.counts, **fields))
    return outcome


# --- check / write-back ----------------------------------------------------------------------


def run_check(step: Step, ctx: StepContext) -> StepOutcome:
    assert isinstance(step, CheckStep)
    from toolkit.journal.control import check_source
    from toolkit.sources.open import open_source

    (location,) = ctx.journals
    source: JournalSource = open_source(location, ctx.config)
    if ctx.dry_run is not None:
        source = DryRunSource(source)
    from toolkit.intake.hook import repeat_hook

    report = check_source(source, ctx.config, ctx.clock, step.bodies, step.write,
                          extra=repeat_hook(ctx.config, location))
    cancellations = sum(1 for c in report.changes if c.reason == "п. 2.7")
    rows = sum(j.rows for j in report.journals)
    counts = {"rows": rows, "errors": len(report.errors), "warnings": len(report.warnings)}
    line = (f"{count(rows, 'заявка', 'заявки', 'заявок')}, "
            f"{count(len(report.errors), 'ошибка', 'ошибки', 'ошибок')}, "
            f"{count(len(report.warnings), 'предупреждение', 'предупреждения', 'предупреждений')}")
    if step.write:
        counts.update(cells=len(report.changes), cancellations=cancellations,
                      not_written=len(report.skipped))
        verb = "было бы записано" if ctx.dry_run is not None else "записано"
        line += (f"; {verb} в журнал: {count(len(report.changes), 'ячейка', 'ячейки', 'ячеек')}"
                 f" (отмен приема по п. 2.7: {cancellations})")
    lines = [line, *grouped("не записано", ((why, f"{c.sheet}!{c.cell}")
                                            for c, why in report.skipped))]
    return StepOutcome(step.kind, step.title, location, counts=counts, lines=lines)


# --- letters ---------------------------------------------------------------------------------


def letters_folder(config: Config, step: LettersStep) -> Path:
    from toolkit.jobs.declarations import relative_to_config
    from toolkit.letters.make import configured_path

    if step.out:
        return relative_to_config(config, step.out)
    return configured_path(config, "out") or relative_to_config(config, "решения")


def run_letters(step: Step, ctx: StepContext) -> StepOutcome:
    assert isinstance(step, LettersStep)
    (location,) = ctx.journals
    if ctx.dry_run is not None:
        return StepOutcome(step.kind, step.title, location,
                           lines=["пропущено в пробном запуске (решения не готовятся)"])
    from toolkit.letters.make import make_letters

    out = letters_folder(ctx.config, step)
    result = make_letters(location, ctx.config, out, ctx.clock, only=step.bodies, pdf=step.pdf)
    made = len(result.made)
    counts = {"letters": made, "letters_unchanged": result.unchanged,
              "letters_carried": result.carried,
              "letters_skipped": len(result.skipped), "notes": result.written}
    line = (f"подготовлено {count(made, 'решение', 'решения', 'решений')}, без изменений "
            f"{result.unchanged}, не подготовлено (не хватает данных) {len(result.skipped)}; "
            f"записано отметок в журнал: {result.written}")
    lines = [line]
    for batch in result.batches:
        lines.append(f"пакет для печати ({batch.sheet}): {batch.pdf or batch.path}")
    if result.carried:
        lines.append(f"в пакеты добавлены решения прерванного запуска: {result.carried}")
    lines.extend(grouped("не подготовлено", ((p.message, f"{p.sheet}!{p.cell}")
                                             for p in result.skipped)))
    lines.extend(grouped("проверьте", ((p.message, f"{p.sheet}!{p.cell}")
                                       for p in result.warnings),
                         MAX_WARNING_PLACES, " (все — в выводе vks letters)"))
    outcome = StepOutcome(step.kind, step.title, location, counts=counts, lines=lines)
    if result.busy:
        outcome.ok = False
        outcome.busy = True
        outcome.error = (f"решения подготовлены, но отметки в журнал не записаны: {result.busy}"
                         f" — допишутся при следующем запуске")
    return outcome


# --- stats / send ----------------------------------------------------------------------------


def _month(which: str, clock: Clock) -> Month:
    from toolkit.stats.monthly import Month

    current = Month.of(clock.today)
    return current if which == "current" else current.previous()


def run_stats(step: Step, ctx: StepContext) -> StepOutcome:
    assert isinstance(step, StatsStep)
    from toolkit.jobs.declarations import relative_to_config
    from toolkit.stats.monthly import stats_for
    from toolkit.stats.report import build_report, describe

    month = _month(step.month, ctx.clock)
    stats = stats_for(ctx.journals, ctx.config, month, ctx.clock, step.bodies)
    ctx.shared[("stats", ctx.journals, month.key, tuple(step.bodies))] = stats
    target = _all(ctx.journals)
    if ctx.dry_run is not None:
        return StepOutcome(step.kind, step.title, target, counts={"reports": 0},
                           lines=[describe(stats), "файлы отчета в пробном запуске не пишутся"])
    out = relative_to_config(ctx.config, step.out or "статистика")
    paths = build_report(stats, out, step.formats)
    return StepOutcome(step.kind, step.title, target, counts={"reports": len(paths)},
                       lines=[describe(stats), *(f"файл отчета: {p}" for p in paths)])


def run_send(step: Step, ctx: StepContext) -> StepOutcome:
    assert isinstance(step, SendStep)
    from toolkit.stats.delivery import Status, ledger_path, send_monthly, send_reports

    month = _month(step.month, ctx.clock)
    folder = ctx.dry_run / f"рассылка-{month.key}" if ctx.dry_run is not None else None
    known = ctx.shared.get(("stats", ctx.journals, month.key, ()))
    if known is not None:  # the run's stats step has just read the same journals
        result = send_reports(known, ctx.config, ledger_path(ctx.config, ctx.journals), folder)
    else:
        result = send_monthly(ctx.journals, ctx.config, month, ctx.clock, folder)
    counts = {"mails_sent": len(result.with_status(Status.SENT)),
              "mails_already": len(result.with_status(Status.ALREADY_SENT)),
              "mails_failed": len(result.failed)}
    if folder is not None:
        counts["mails_sent"] = 0
    lines = result.lines()
    outcome = StepOutcome(step.kind, step.title, _all(ctx.journals), counts=counts,
                          lines=[lines[-1], *lines[1:-1]])
    if result.failed:
        outcome.ok = False
        outcome.error = (f"не отправлено писем: {len(result.failed)} — будут отправлены при "
                         f"следующем запуске; " + "; ".join(d.line for d in result.failed))
    return outcome


# --- recordings ------------------------------------------------------------------------------


def run_recordings(step: Step, ctx: StepContext) -> StepOutcome:
    assert isinstance(step, RecordingsStep)
    from toolkit.jobs.declarations import relative_to_config
    from toolkit.journal.control import calendar_for
    from toolkit.recordings.retention import expired_recordings, write_recordings
    from toolkit.stats.monthly import read_sources

    journals = read_sources(ctx.journals, ctx.config, step.bodies)
    found = expired_recordings(journals, ctx.clock, calendar_for(ctx.config))
    target = _all(ctx.journals)
    head = (f"истек срок хранения: "
            f"{count(len(found), 'видеозапись', 'видеозаписи', 'видеозаписей')}")
    if not found:
        return StepOutcome(step.kind, step.title, target, counts={"recordings": 0, "lists": 0},
                           lines=[head + " — список не нужен"])
    out = ctx.dry_run if ctx.dry_run is not None else relative_to_config(
        ctx.config, step.out or "видеозаписи")
    path = write_recordings(found, out, ctx.clock.today, step.format)
    return StepOutcome(step.kind, step.title, target,
                       counts={"recordings": len(found), "lists": 1},
                       lines=[head, f"список: {path}"])


# --- notify / replies ------------------------------------------------------------------------


def run_notify(step: Step, ctx: StepContext) -> StepOutcome:
    assert isinstance(step, NotifyStep)
    from toolkit.correspondence.outgoing import send_notices

    (location,) = ctx.journals
    if not ctx.config.section("mail").get("host"):  # a shipped job on a server without mail
        return StepOutcome(step.kind, step.title, location, lines=[
            "почта [mail] не настроена — уведомления не отправляются (сообщите гражданам сами)"])
    folder = ctx.dry_run / "уведомления" if ctx.dry_run is not None else None
    result = send_notices(location, ctx.config, ctx.clock, folder)
    counts = {"notices": 0 if folder else len(result.sent), "notices_failed": len(result.failed)
              + result.deferred, "phone": len(result.phone), "notices_skipped":
              len(result.problems), "cells": result.written, "links": result.links}
    lines = result.lines()
    outcome = StepOutcome(step.kind, step.title, location, counts=counts,
                          lines=[lines[0].split(": ", 1)[-1], *lines[1:]])
    if result.exit_code:
        outcome.ok = False
        outcome.error = "; ".join([*result.failed, *result.link_failures,
                                   *([result.busy] if result.busy else [])]) or \
            "часть уведомлений не отправлена — будут отправлены при следующем запуске"
    return outcome


def run_replies(step: Step, ctx: StepContext) -> StepOutcome:
    assert isinstance(step, RepliesStep)
    from toolkit.correspondence.incoming import read_replies

    if not ctx.config.section("imap"):  # a shipped job on a server without a mailbox
        return StepOutcome(step.kind, step.title, _all(ctx.journals), lines=[
            "почтовый ящик [imap] не настроен — ответы граждан не читаются"])
    result = read_replies(ctx.journals, ctx.config, ctx.clock, ctx.dry_run is not None)
    counts = {"answers": 0 if result.dry_run else len(result.recorded),
              "replies_manual": len(result.manual)}
    # Senders and subjects stay on the console of `vks replies`: a job's lines are stored.
    return StepOutcome(step.kind, step.title, _all(ctx.journals), counts=counts,
                       lines=result.lines(personal=False))


# --- intake ----------------------------------------------------------------------------------


def run_intake(step: Step, ctx: StepContext) -> StepOutcome:
    assert isinstance(step, IntakeStep)
    from toolkit.intake.register import MAILBOX, intake_files, take_in

    files = intake_files(ctx.config, step.sources)
    sources: list[str | Path] = [*files, *([MAILBOX] if step.mailbox else [])]
    own = any(b.journal for b in ctx.config.bodies)  # bodies with journals of their own
    journal = ctx.journals[0] if len(ctx.journals) == 1 and not own else None
    target = _all(ctx.journals) if ctx.journals else "журналы из настроек"
    if not sources:
        return StepOutcome(step.kind, step.title, target, counts={"read": 0},
                           lines=["файлов выгрузки нет — принимать нечего"])
    folder = ctx.dry_run / "переадресация" if ctx.dry_run is not None else None
    result = take_in(sources, ctx.config, ctx.clock, journal, ctx.dry_run is not None,
                     eml_dir=folder)
    counts = result.counts()
    counts["read"] = sum(result.sources.values())
    # The lines name files, lines of the export, bodies and rows — never an applicant.
    lines = [result.summary(), *result.lines()[1:-1]]
    outcome = StepOutcome(step.kind, step.title, target, counts=counts,
                          lines=[line for line in lines if line.strip()])
    if result.busy or result.mail_failed:
        outcome.ok = False
        outcome.error = ("журнал открыт в Excel/LibreOffice — заявки будут зарегистрированы при "
                         "следующем запуске" if result.busy else
                         "письма переадресации не отправлены — повторятся при следующем запуске")
    return outcome


def _all(journals: Sequence[str]) -> str:
    return journals[0] if len(journals) == 1 else f"все журналы ({len(journals)})"


EXECUTORS: Mapping[str, Executor] = {
    "check": run_check,
    "letters": run_letters,
    "stats": run_stats,
    "send": run_send,
    "recordings": run_recordings,
    "notify": run_notify,
    "replies": run_replies,
    "intake": run_intake,
}


__all__ = ["EXECUTORS", "DryRunSource", "Executor", "StepContext", "StepOutcome", "execute"]
