"""Writes that wait for a journal someone has open: retried through the working day.

    queue = WaitingWrites(state / WAITING_NAME)
    queue.wait(job, position, step, journal, slot, now, settings, holders)  # the write was refused
    for entry in queue.due(now): …                  # the scheduler retries those due
    queue.done(step.kind, journal)                  # any later step that wrote it clears it

The journal is open in Excel or LibreOffice most of the working day, and a write-back is
refused then (nothing a person types may be lost). Instead of waiting for the job's next slot,
the step that was refused — the check with write-back, or the letters' notes — waits here and
is run again every `[jobs] busy_retry_minutes` until the journal is free, up to
`busy_retry_until` of the same day; a retry reads the journal afresh, so what it writes is what
is due then. The person the lock file names is told once, at the body's e-mail address
(`email` of the body in vks.toml; the job's `notify` when no body has one). `vks status`
lists what is still waiting.
"""

from __future__ import annotations

import datetime as dt
import logging
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from toolkit.jobs.declarations import CheckStep, Job, JobsSettings, LettersStep, Step
from toolkit.jobs.ledger import Busy, Trigger, stamp, unstamp
from toolkit.jobs.logs import log_fields
from toolkit.jobs.results import RunResult
from toolkit.journal.errors import ToolkitError
from toolkit.journal.state import connect

if TYPE_CHECKING:
    from toolkit.jobs.runner import Runner

log = logging.getLogger("vks.scheduler")

WAITING_NAME = "waiting.sqlite"
SCHEMA = """
CREATE TABLE IF NOT EXISTS waiting (
    job         TEXT NOT NULL,
    position    INTEGER NOT NULL,  -- the step's place in the job's declaration (1, 2, …)
    kind        TEXT NOT NULL,     -- check | letters
    title       TEXT NOT NULL,
    journal     TEXT NOT NULL,
    slot        TEXT,              -- the slot of the run that was refused (local time)
    since       TEXT NOT NULL,     -- first refusal
    until       TEXT NOT NULL,     -- no retry after this moment
    next_try    TEXT NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 1,
    holders     TEXT NOT NULL DEFAULT '',   -- who had it open (from the lock file)
    notified    INTEGER NOT NULL DEFAULT 0, -- the person was told (once)
    PRIMARY KEY (job, position, journal)
);
"""


@dataclass(frozen=True)
class Waiting:
    """A step that could not write its journal, and when it is tried again."""

    job: str
    position: int
    kind: str
    title: str
    journal: str
    slot: dt.datetime | None
    since: dt.datetime
    until: dt.datetime
    next_try: dt.datetime
    attempts: int
    holders: str
    notified: bool


class WaitingWrites:
    """The queue of writes waiting for a journal to be closed (SQLite, in the state folder)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.conn = connect(path, SCHEMA)

    def close(self) -> None:
        self.conn.close()

    def wait(self, job: str, position: int, kind: str, title: str, journal: str,
             slot: dt.datetime | None, now: dt.datetime, settings: JobsSettings,
             holders: str) -> Waiting | None:
        """Record (or update) a refused write; None when the working day is over."""
        until = dt.datetime.combine(now.date(), settings.busy_retry_until)
        next_try = now + dt.timedelta(minutes=settings.busy_retry_minutes)
        if next_try > until:
            self.conn.execute("DELETE FROM waiting WHERE job = ? AND position = ? AND "
                              "journal = ?", (job, position, journal))
            return None
        self.conn.execute(
            "INSERT INTO waiting (job, position, kind, title, journal, slot, since, until, "
            "next_try, holders) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (job, position, journal) DO UPDATE SET attempts = attempts + 1, "
            "next_try = excluded.next_try, holders = excluded.holders",
            (job, position, kind, title, journal, stamp(slot) if slot else None, stamp(now),
             stamp(until), stamp(next_try), holders))
        return self.get(job, position, journal)

    def get(self, job: str, position: int, journal: str) -> Waiting | None:
        row = self.conn.execute("SELECT * FROM waiting WHERE job = ? AND position = ? AND "
                                "journal = ?", (job, position, journal)).fetchone()
        return _waiting(row) if row else None

    def notified(self, entry: Waiting) -> bool:
        """Mark that the person was told; False if someone already was (tell once)."""
        cur = self.conn.execute("UPDATE waiting SET notified = 1 WHERE job = ? AND position = ? "
                                "AND journal = ? AND notified = 0",
                                (entry.job, entry.position, entry.journal))
        return cur.rowcount == 1

    def due(self, now: dt.datetime) -> list[Waiting]:
        """Entries to retry now; those past their day are dropped (the next slot does it)."""
        self.conn.execute("DELETE FROM waiting WHERE until < ?", (stamp(now),))
        rows = self.conn.execute("SELECT * FROM waiting WHERE next_try <= ? ORDER BY next_try",
                                 (stamp(now),)).fetchall()
        return [_waiting(r) for r in rows]

    def done(self, kind: str, journal: str) -> int:
        """A step of this kind wrote this journal: whatever waited for it is done."""
        return self.conn.execute("DELETE FROM waiting WHERE kind = ? AND journal = ?",
                                 (kind, journal)).rowcount

    def drop(self, entry: Waiting) -> None:
        self.conn.execute("DELETE FROM waiting WHERE job = ? AND position = ? AND journal = ?",
                          (entry.job, entry.position, entry.journal))

    def all(self, now: dt.datetime | None = None) -> list[Waiting]:
        """Everything still waiting (still within its day, when `now` is given)."""
        rows = self.conn.execute("SELECT * FROM waiting ORDER BY since, job, position")
        found = [_waiting(r) for r in rows]
        return [w for w in found if now is None or w.until >= now]


def _waiting(row: sqlite3.Row) -> Waiting:
    def moment(key: str) -> dt.datetime:
        value = unstamp(row[key])
        assert value is not None
        return value

    return Waiting(row["job"], int(row["position"]), row["kind"], row["title"], row["journal"],
                   unstamp(row["slot"]), moment("since"), moment("until"), moment("next_try"),
                   int(row["attempts"]), row["holders"], bool(row["notified"]))


def writes(step: Step) -> bool:
    """Whether a step writes into the journal (and so may find it open)."""
    return isinstance(step, LettersStep) or (isinstance(step, CheckStep) and step.write)


def holders_of(journal: str) -> str:
    """Who has an .xlsx journal open, as its lock files say ("" when unknown)."""
    if journal.startswith("gsheet:") or "://" in journal:
        return ""
    from toolkit.sources.xlsx.locks import lock_holders

    return ", ".join(lock_holders(Path(journal)))


def after_run(runner: Runner, job: Job, result: RunResult, numbers: Sequence[int],
              queue: WaitingWrites | None) -> str:
    """Queue the writes of this run refused because the journal was open, clear those done;
    tell the person holding it open (once). Returns the line saying who was told."""
    if queue is None:
        return ""
    settings = JobsSettings.from_config(runner.config)
    now = runner.clock()
    told = []
    for number, outcome in zip(numbers, result.steps, strict=True):
        step = job.steps[number - 1]
        if not writes(step):
            continue
        if not outcome.busy:  # written, or failed for another reason: nothing waits
            queue.done(outcome.kind, outcome.target)
            continue
        holders = holders_of(outcome.target)
        entry = queue.wait(job.name, number, outcome.kind, step.title, outcome.target,
                           result.slot, now, settings, holders)
        who = f" ({holders})" if holders else ""
        head = ("решения подготовлены, отметки в журнал не записаны: " if step.kind == "letters"
                else "ничего не записано: ")
        if entry is None:  # past the working day: an ordinary failure, the admin is told
            outcome.busy = False
            outcome.error = (f"{head}журнал открыт{who}; рабочий день закончился — запись "
                             f"будет выполнена при следующем запуске задания")
            continue
        outcome.error = (f"{head}журнал открыт в Excel или LibreOffice{who}; программа "
                         f"повторит запись в {entry.next_try:%H:%M} и дальше каждые "
                         f"{settings.busy_retry_minutes} мин до {entry.until:%H:%M}")
        log.info("задание %s: запись в %s ждет, пока журнал закроют (попытка %d)", job.name,
                 outcome.target, entry.attempts,
                 extra=log_fields(event="write-waiting", job=job.name, step=step.kind,
                                  target=outcome.target, attempts=entry.attempts))
        if not entry.notified and queue.notified(entry):
            from toolkit.jobs.notices import notify_busy

            told.append(notify_busy(runner.config, job, outcome.target, holders, entry,
                                    runner.state, runner.transport))
    return " ".join(told)


def retry_due(runner: Runner, now: dt.datetime, only: Job | None = None) -> list[RunResult]:
    """Run again each waiting write whose time has come (of `only`, or of every job)."""
    results = []
    for entry in runner.waiting.due(now):
        if only is not None and entry.job != only.name:
            continue
        job = runner.jobs.get(entry.job)
        try:
            journals = runner.journals_for(job) if job is not None else ()
        except ToolkitError:
            journals = ()
        if job is None or not job.enabled or entry.position > len(job.steps) \
                or entry.journal not in journals:
            runner.waiting.drop(entry)  # the job or its journal is no longer declared
            continue
        log.info("задание %s: повтор записи в %s (журнал был открыт, попытка %d)", job.name,
                 entry.journal, entry.attempts + 1,
                 extra=log_fields(event="write-retry", job=job.name, target=entry.journal))
        try:
            results.append(runner.run_job(job, Trigger.RETRY, entry.slot,
                                          only=(entry.position, entry.journal)))
        except Busy:
            continue  # the job is running in another process: tried at a later tick
    return results


__all__ = ["WAITING_NAME", "Waiting", "WaitingWrites", "after_run", "retry_due", "writes"]
