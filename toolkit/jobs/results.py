"""What a run of a job did, as `vks run` prints it and the run ledger keeps it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from toolkit.jobs.declarations import Job
from toolkit.jobs.ledger import Result, Trigger
from toolkit.jobs.steps import StepOutcome
from toolkit.journal.russian import short_datetime

# What a run changed and found, as `vks run` and `vks status` name the ledger's counts.
CHANGES = (
    ("cells", "ячеек журнала"),
    ("notes", "отметок о решениях"),
    ("letters", "решений"),
    ("reports", "файлов отчета"),
    ("mails_sent", "писем"),
    ("notices", "уведомлений гражданам"),
    ("answers", "ответов граждан"),
    ("links", "встреч в Телемосте"),
    ("lists", "списков видеозаписей"),
)
FOUND = (
    ("errors", "ошибок в журналах"),
    ("letters_skipped", "строк без решения (не хватает данных)"),
    ("mails_failed", "неотправленных писем"),
    ("notices_failed", "неотправленных уведомлений"),
    ("phone", "уведомлений по телефону"),
    ("replies_manual", "писем граждан разобрать вручную"),
    ("recordings", "видеозаписей к уничтожению"),
)


def changes_text(counts: Mapping[str, int]) -> str:
    """«ячеек журнала 12, решений 3» — or «ничего»."""
    parts = [f"{label} {counts[key]}" for key, label in CHANGES if counts.get(key)]
    if counts.get("cancellations") and parts:
        parts[0] += f" (в том числе отмен приема по п. 2.7: {counts['cancellations']})"
    return ", ".join(parts) or "ничего"


def found_text(counts: Mapping[str, int]) -> str:
    return ", ".join(f"{label} {counts[key]}" for key, label in FOUND if counts.get(key))


@dataclass
class RunResult:
    """What a run of a job did."""

    job: Job
    trigger: Trigger
    slot: dt.datetime | None
    started: dt.datetime
    finished: dt.datetime | None = None
    result: Result = Result.RUNNING
    steps: list[StepOutcome] = field(default_factory=list)
    run_id: int | None = None
    dry_run: Path | None = None
    notice: str = ""
    taken_over: int | None = None  # pid of a dead process whose lock this run took over

    @property
    def counts(self) -> dict[str, int]:
        total: dict[str, int] = {}
        for step in self.steps:
            for key, value in step.counts.items():
                total[key] = total.get(key, 0) + value
        return total

    @property
    def exit_code(self) -> int:
        return {Result.OK: 0, Result.FAILED: 1, Result.INTERRUPTED: 130}.get(self.result, 1)

    def lines(self) -> list[str]:
        head = f"Задание {self.job.label}: {self.trigger.label}"
        if self.slot is not None:
            head += f", запуск по расписанию {short_datetime(self.slot)}"
        out = [head + (" — пробный запуск, ничего не меняется" if self.dry_run else "") + "."]
        if self.taken_over:
            out.append(f"Снята блокировка завершившегося процесса {self.taken_over}.")
        for n, step in enumerate(self.steps, start=1):
            out.append(f"  {n}. {step.line}")
            out.extend(f"     {line}" for line in step.lines[1:])
        counts = self.counts
        verb = "Было бы изменено" if self.dry_run else "Изменено"
        out.append(f"Итог: {self.result.label}. {verb}: {changes_text(counts)}."
                   + (f" Найдено: {found_text(counts)}." if found_text(counts) else ""))
        if self.result is Result.INTERRUPTED:
            out.append("Остановлено по сигналу между шагами; невыполненные шаги будут выполнены "
                       "при следующем запуске.")
        if self.dry_run is not None:
            out.append(f"Файлы пробного запуска: {self.dry_run}")
        if self.notice:
            out.append(self.notice)
        return out


@dataclass
class NotDue:
    """`vks run JOB --due` when the job's timetable has nothing to run now."""

    job: Job
    next_slot: dt.datetime | None
    exit_code: int = 0

    def lines(self) -> list[str]:
        upcoming = short_datetime(self.next_slot) if self.next_slot else "не запланирован"
        state = "задание отключено (enabled = false)" if not self.job.enabled else \
            "по расписанию сейчас не выполняется"
        return [f"Задание {self.job.label}: {state}; следующий запуск: {upcoming}."]
