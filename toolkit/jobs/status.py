"""`vks status`: what an administrator looks at first.

    report = collect_status(config, jobs, state, now, journals)
    print(report.to_text())

For each declared job: its timetable, the last run (when, how started, result, what it changed),
whether it is running now, and the next due time by the job's own timetable and the production
calendar. Then whether the scheduler is running, and the open violations per body — the errors
a check (without writing) finds in the journals now.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from toolkit.jobs.declarations import Job
from toolkit.jobs.ledger import LEDGER_NAME, Lock, Result, RunLedger, RunRecord
from toolkit.jobs.waiting import WAITING_NAME, Waiting, WaitingWrites
from toolkit.jobs.when import WEEKDAY_SHORT
from toolkit.journal.config import Config
from toolkit.journal.errors import ToolkitError
from toolkit.journal.russian import short_datetime

FORMAT = "vks-status/1"


@dataclass
class JobStatus:
    job: Job
    last: RunRecord | None
    next: dt.datetime | None
    running: int | None  # pid of a run in progress


@dataclass
class BodyViolations:
    journal: str
    body: str
    errors: int
    warnings: int


@dataclass
class StatusReport:
    now: dt.datetime
    folder: Path
    scheduler: int | None  # pid of the running `vks schedule`
    jobs: list[JobStatus] = field(default_factory=list)
    violations: list[BodyViolations] = field(default_factory=list)
    unreadable: list[tuple[str, str]] = field(default_factory=list)  # journal, why
    journals: tuple[str, ...] = ()
    waiting: list[Waiting] = field(default_factory=list)  # writes waiting for an open journal

    @property
    def exit_code(self) -> int:
        """1 when a job's last run failed or was interrupted, or a journal was not read."""
        bad = any(s.last is not None and (s.last.result in (Result.FAILED, Result.INTERRUPTED)
                                          or _dead(s)) for s in self.jobs)
        return 1 if bad or self.unreadable else 0

    def to_text(self) -> str:
        from toolkit.jobs.results import changes_text, found_text

        out = [f"Состояние на {short_datetime(self.now)}. Задания: {self.folder}"]
        out.append("Планировщик (vks schedule): "
                   + (f"работает, процесс {self.scheduler}" if self.scheduler else "не запущен"))
        for s in self.jobs:
            out.append("")
            out.append(f"{s.job.label}")
            out.append(f"  Когда: {s.job.when.describe()}"
                       + ("" if s.job.enabled else " (задание отключено: enabled = false)"))
            if s.running:
                out.append(f"  Сейчас выполняется (процесс {s.running})")
            if s.last is None:
                out.append("  Последний запуск: не было")
            else:
                last = s.last
                took = ""
                if last.finished is not None:
                    took = f", {_duration(last.finished - last.started)}"
                label = last.result.label
                if _dead(s):
                    label = (f"процесс {last.pid} завершился аварийно, запуск не отмечен "
                             f"(отметится при следующем запуске)")
                elif last.crashed:
                    label += " (процесс завершился аварийно)"
                out.append(f"  Последний запуск: {_when(last.started)} ({last.trigger.label}"
                           f"{took}) — {label}")
                out.append(f"  Изменено: {changes_text(last.counts)}"
                           + (f"; найдено: {found_text(last.counts)}"
                              if found_text(last.counts) else ""))
                if last.result is Result.FAILED:
                    failed = [line.strip() for line in last.summary.splitlines()
                              if "ОШИБКА:" in line]
                    out.extend(f"  {line}" for line in failed)
            out.append("  Следующий запуск: "
                       + (_when(s.next) if s.next and s.job.enabled else "—"))
        if self.waiting:
            out.append("")
            out.append("Ожидают записи (журнал открыт в Excel или LibreOffice):")
            for w in self.waiting:
                who = f", открыт: {w.holders}" if w.holders else ""
                out.append(f"  {w.job}, шаг «{w.title}» — {w.journal}: ждет с "
                           f"{w.since:%d.%m.%Y %H:%M}{who}; попыток {w.attempts}, следующая в "
                           f"{w.next_try:%H:%M} (до {w.until:%H:%M})")
        out.append("")
        if not self.journals:
            out.append("Открытые нарушения: журналы не указаны (--journal или journals "
                       "в файле настроек).")
            return "\n".join(out)
        out.append("Открытые нарушения (ошибки проверки без записи в журнал):")
        for journal in self.journals:
            out.append(f"  {journal}")
            for v in (v for v in self.violations if v.journal == journal):
                out.append(f"    {v.body}: ошибок {v.errors}, предупреждений {v.warnings}")
            for where, why in self.unreadable:
                if where == journal:
                    out.append(f"    не прочитан: {why}")
        return "\n".join(out)

    def to_dict(self) -> dict[str, Any]:
        def run(r: RunRecord | None) -> dict[str, Any] | None:
            if r is None:
                return None
            return {"started": r.started.isoformat(),
                    "finished": r.finished.isoformat() if r.finished else None,
                    "slot": r.slot.isoformat() if r.slot else None,
                    "trigger": r.trigger.value, "result": r.result.value,
                    "crashed": r.crashed, "counts": dict(r.counts)}

        return {
            "format": FORMAT,
            "now": self.now.isoformat(),
            "scheduler": {"running": self.scheduler is not None, "pid": self.scheduler},
            "jobs": [{"name": s.job.name, "title": s.job.title, "enabled": s.job.enabled,
                      "when": s.job.when.describe(), "running": s.running,
                      "last": run(s.last),
                      "next": s.next.isoformat() if s.next and s.job.enabled else None}
                     for s in self.jobs],
            "violations": [{"journal": v.journal, "body": v.body, "errors": v.errors,
                            "warnings": v.warnings} for v in self.violations],
            "unreadable": [{"journal": j, "reason": why} for j, why in self.unreadable],
            "waiting": [{"job": w.job, "step": w.kind, "journal": w.journal,
                         "since": w.since.isoformat(), "next_try": w.next_try.isoformat(),
                         "until": w.until.isoformat(), "attempts": w.attempts,
                         "holders": w.holders} for w in self.waiting],
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2)


def _dead(status: JobStatus) -> bool:
    """A run still «running» in the ledger whose job nobody runs: its process died."""
    return (status.last is not None and status.last.result is Result.RUNNING
            and status.running is None)


def _when(moment: dt.datetime) -> str:
    return f"{WEEKDAY_SHORT[moment.weekday()]} {short_datetime(moment)}"


def _duration(span: dt.timedelta) -> str:
    seconds = max(0, int(span.total_seconds()))
    if seconds < 60:
        return f"{seconds} с"
    return f"{seconds // 60} мин {seconds % 60} с"


def collect_status(config: Config, jobs: Mapping[str, Job], folder: Path, state: Path,
                   now: dt.datetime, journals: Sequence[str] = ()) -> StatusReport:
    """The status as of `now`; the violations come from a check of `journals` (not written)."""
    from toolkit.jobs.runner import SCHEDULER_LOCK
    from toolkit.journal.control import calendar_for
    from toolkit.sources.open import check

    calendar = calendar_for(config)
    report = StatusReport(now, folder, Lock(state / "locks" / SCHEDULER_LOCK).holder(),
                          journals=tuple(journals))
    ledger = RunLedger(state / LEDGER_NAME) if (state / LEDGER_NAME).exists() else None
    try:
        for job in sorted(jobs.values(), key=lambda j: j.name):
            last = ledger.last(job.name) if ledger else None
            running = Lock(state / "locks" / f"job-{job.name}.lock").holder()
            report.jobs.append(JobStatus(job, last, job.when.next_slot(now, calendar), running))
    finally:
        if ledger is not None:
            ledger.close()
    if (state / WAITING_NAME).exists():
        queue = WaitingWrites(state / WAITING_NAME)
        try:
            report.waiting = queue.all(now)
        finally:
            queue.close()
    for location in journals:
        try:
            checked = check(location, config, now, write=False)
        except ToolkitError as exc:
            report.unreadable.append((location, str(exc)))
            continue
        for entry in checked.to_dict()["journals"]:
            report.violations.append(BodyViolations(location, entry["body"], entry["errors"],
                                                    entry["warnings"]))
    return report


__all__ = ["BodyViolations", "JobStatus", "StatusReport", "collect_status"]
