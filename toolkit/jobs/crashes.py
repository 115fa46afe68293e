"""Runs whose process died: found, recorded as failed, reported once, retried at most once.

    for result in reap(ledger, jobs, lock_for, now):     # at each tick and before each run
        notify(result)

A step can kill the whole process — an abort inside a native library, the kernel's OOM killer,
kill -9, the service manager's stop timeout. Nothing in that process can record it, so its run
stays «running» in the ledger. A run is dead when its job's lock is free (the operating system
releases it with the process); it is then marked failed and crashed, with the step it died in
(`RunLedger.begin_step`), and the failure notice goes out like any other. The slot is run once
more; if it kills the process again, the slot counts as done (`RunLedger.covered`) and waits
for the job's next slot, so a restarted scheduler does not walk into the same crash forever.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Callable, Mapping

from toolkit.jobs.declarations import Job
from toolkit.jobs.ledger import (
    CRASHES_BEFORE_GIVING_UP,
    Busy,
    Lock,
    Result,
    RunLedger,
    RunRecord,
)
from toolkit.jobs.logs import log_fields
from toolkit.jobs.results import RunResult
from toolkit.jobs.steps import StepOutcome
from toolkit.journal.russian import short_datetime

log = logging.getLogger("vks.scheduler")

DIED = ("процесс vks завершился аварийно во время этого шага (сбой программы или библиотеки, "
        "нехватка памяти, kill -9 или остановка службы по тайм-ауту)")


def reap(ledger: RunLedger, jobs: Mapping[str, Job], lock_for: Callable[[Job], Lock],
         now: dt.datetime, held: Job | None = None) -> list[RunResult]:
    """Record every dead run of `jobs` as failed and crashed; the results to report.

    `held`: a job whose lock the caller holds (its «running» runs are dead by definition).
    """
    found = []
    for record in ledger.dead_runs():
        job = jobs.get(record.job)
        if job is None:
            continue
        if held is not None and job.name == held.name:
            found.append(_reaped(ledger, job, record, now))
            continue
        lock = lock_for(job)
        try:
            lock.acquire()
        except Busy:
            continue  # the run is going on in another process
        try:
            found.append(_reaped(ledger, job, record, now))
        finally:
            lock.release()
    return [r for r in found if r is not None]


def _reaped(ledger: RunLedger, job: Job, record: RunRecord, now: dt.datetime
            ) -> RunResult | None:
    note = ""
    if record.slot is not None:
        crashes = 1 + ledger.crashes(job.name, record.slot)
        if crashes >= CRASHES_BEFORE_GIVING_UP:
            note = (f"запуск по расписанию {short_datetime(record.slot)} завершился аварийно "
                    f"{crashes} раза и больше не повторяется — задание выполнится в следующий "
                    f"запуск по расписанию")
        else:
            note = (f"запуск по расписанию {short_datetime(record.slot)} будет выполнен еще "
                    f"раз (один раз)")
    result = crashed_result(ledger, job, record, note)
    result.finished = now
    if not ledger.reap(record, now, result.lines()):
        return None  # another process reported it
    where = record.step_now.get("kind", "?")
    log.error("задание %s: процесс %d завершился аварийно (шаг %s); запуск отмечен как "
              "неудачный", job.name, record.pid, where,
              extra=log_fields(event="run-died", job=job.name, run=record.id,
                               dead_pid=record.pid, step=where))
    return result


def crashed_result(ledger: RunLedger, job: Job, record: RunRecord, note: str = ""
                   ) -> RunResult:
    """The run as far as the ledger knows it, ending with the step the process died in."""
    result = RunResult(job, record.trigger, record.slot, record.started, result=Result.FAILED,
                       run_id=record.id)
    for row in ledger.steps(record.id):
        title = next((s.title for s in job.steps if s.kind == row["kind"]), row["kind"])
        result.steps.append(StepOutcome(row["kind"], title, row["target"], ok=bool(row["ok"]),
                                        counts=json.loads(row["counts"] or "{}"),
                                        error=row["error"]))
    died = DIED + (f"; {note}" if note else "")
    now = record.step_now
    if now:
        result.steps.append(StepOutcome(str(now.get("kind", "")), str(now.get("title", "")),
                                        str(now.get("target", "")), ok=False, error=died))
    else:
        result.steps.append(StepOutcome("", "Запуск", job.name, ok=False, error=died))
    return result
