"""The scheduler's records: the run ledger (SQLite) and lock files holding their holder's pid.

    ledger = RunLedger(state / "runs.sqlite")
    run_id = ledger.start("daily", slot, Trigger.SCHEDULE, now)
    ledger.finish(run_id, Result.OK, now, {"cells": 12}, ["…"])

    with Lock(state / "locks" / "job-daily.lock").held() as taken_over:
        …   # taken_over: pid of a dead holder whose stale lock was taken over, or None

The ledger records each run of a job: the slot it was for, how it was started, its start and
end, its result and counts of what it changed, and each step. Catch-up after downtime reads it:
`covered()` is the latest moment a job is known to have run for.

A run whose process died (an abort in a native library, kill -9, the service manager's stop
timeout) stays «running»; `dead_runs()` finds it once its job's lock is free and `reap()` marks
it failed and crashed, naming the step it died in. A slot whose run crashed once is run again;
a slot that crashed twice counts as covered, so the same crash is not repeated forever.

A lock is a file in the state directory locked with flock (on Windows, msvcrt.locking): the
operating system releases it when the holder exits or dies, so a lock left by a dead process is
taken over; the file holds the holder's pid, so a refusal can name it. The file is never deleted
(deleting a locked file would let two processes lock two different files of one name).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import enum
import json
import os
import sqlite3
import sys
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from toolkit.journal.errors import ToolkitError
from toolkit.journal.files import PRIVATE_FILE, private_dir
from toolkit.journal.state import columns_of, connect

LEDGER_NAME = "runs.sqlite"
STAMP = "%Y-%m-%d %H:%M:%S"  # local time of the configured zone, as stored

SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    id          INTEGER PRIMARY KEY,
    job         TEXT NOT NULL,
    slot        TEXT,              -- the scheduled local moment the run is for; NULL by hand
    trigger     TEXT NOT NULL,     -- schedule | catch-up | manual | retry
    started_at  TEXT NOT NULL,     -- local time
    finished_at TEXT,
    result      TEXT NOT NULL CHECK (result IN ('running', 'ok', 'failed', 'interrupted')),
    counts      TEXT NOT NULL DEFAULT '{}',   -- JSON: what the run found and changed
    summary     TEXT NOT NULL DEFAULT '',     -- Russian lines, no personal data
    pid         INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS runs_job ON runs (job, started_at);
CREATE TABLE IF NOT EXISTS steps (
    run_id      INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    kind        TEXT NOT NULL,
    target      TEXT NOT NULL,
    ok          INTEGER NOT NULL,
    counts      TEXT NOT NULL DEFAULT '{}',
    error       TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (run_id, position)
);
CREATE TABLE IF NOT EXISTS seen (
    job         TEXT PRIMARY KEY,
    first_seen  TEXT NOT NULL      -- when the scheduler first had this job: no catch-up before
);
"""
# Columns added after the first release (ALTER TABLE on opening an older ledger).
MIGRATIONS = (
    ("runs", "crashed", "INTEGER NOT NULL DEFAULT 0"),  # 1: the process died during the run
    ("runs", "step_now", "TEXT NOT NULL DEFAULT ''"),  # JSON: the step being executed
)
CRASHES_BEFORE_GIVING_UP = 2  # a slot whose run killed the process this often is not retried


class Trigger(enum.Enum):
    SCHEDULE = "schedule"
    CATCH_UP = "catch-up"
    MANUAL = "manual"
    RETRY = "retry"  # a write that found the journal open, tried again (jobs.waiting)

    @property
    def label(self) -> str:
        return {Trigger.SCHEDULE: "по расписанию", Trigger.CATCH_UP: "пропущенный запуск",
                Trigger.MANUAL: "вручную",
                Trigger.RETRY: "повтор записи (журнал был открыт)"}[self]


class Result(enum.Enum):
    RUNNING = "running"
    OK = "ok"
    FAILED = "failed"
    INTERRUPTED = "interrupted"

    @property
    def label(self) -> str:
        return {Result.RUNNING: "выполняется", Result.OK: "выполнено",
                Result.FAILED: "с ошибками", Result.INTERRUPTED: "прервано"}[self]


def stamp(moment: dt.datetime) -> str:
    return moment.strftime(STAMP)


def unstamp(text: str | None) -> dt.datetime | None:
    return dt.datetime.strptime(text, STAMP) if text else None


@dataclass(frozen=True)
class RunRecord:
    """One run of a job as the ledger has it."""

    id: int
    job: str
    slot: dt.datetime | None
    trigger: Trigger
    started: dt.datetime
    finished: dt.datetime | None
    result: Result
    counts: Mapping[str, int] = field(default_factory=dict)
    summary: str = ""
    pid: int = 0
    crashed: bool = False
    step_now: Mapping[str, object] = field(default_factory=dict)  # where a crashed run died


class RunLedger:
    """Runs of the jobs, their steps, and when the scheduler first saw each job."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.conn = connect(path, SCHEMA)
        for table, name, declaration in MIGRATIONS:
            if name not in columns_of(self.conn, table):
                self.conn.execute(f"ALTER TABLE {table} ADD COLUMN {name} {declaration}")

    def close(self) -> None:
        self.conn.close()

    def start(self, job: str, slot: dt.datetime | None, trigger: Trigger,
              started: dt.datetime) -> int:
        cur = self.conn.execute(
            "INSERT INTO runs (job, slot, trigger, started_at, result, pid)"
            " VALUES (?, ?, ?, ?, 'running', ?)",
            (job, stamp(slot) if slot else None, trigger.value, stamp(started), os.getpid()))
        assert cur.lastrowid is not None
        return cur.lastrowid

    def begin_step(self, run_id: int, position: int, kind: str, title: str,
                   target: str) -> None:
        """Note the step a run is executing: if the process dies, the ledger says where."""
        self.conn.execute(
            "UPDATE runs SET step_now = ? WHERE id = ?",
            (json.dumps({"position": position, "kind": kind, "title": title,
                         "target": target}, ensure_ascii=False), run_id))

    def step(self, run_id: int, position: int, kind: str, target: str, ok: bool,
             counts: Mapping[str, int], error: str = "") -> None:
        self.conn.execute(
            "INSERT OR REPLACE INTO steps (run_id, position, kind, target, ok, counts, error)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (run_id, position, kind, target, int(ok), json.dumps(dict(counts)), error))

    def finish(self, run_id: int, result: Result, finished: dt.datetime,
               counts: Mapping[str, int], summary: Sequence[str]) -> None:
        self.conn.execute(
            "UPDATE runs SET result = ?, finished_at = ?, counts = ?, summary = ? WHERE id = ?",
            (result.value, stamp(finished), json.dumps(dict(counts), ensure_ascii=False),
             "\n".join(summary), run_id))

    def dead_runs(self, job: str | None = None) -> list[RunRecord]:
        """Runs still «running» in the ledger (of `job`, or of every job).

        Only the job's lock tells whether such a run is really going on: ask with it held.
        """
        query = "SELECT * FROM runs WHERE result = 'running'"
        args: tuple[str, ...] = ()
        if job is not None:
            query, args = query + " AND job = ?", (job,)
        return [_record(r) for r in self.conn.execute(query + " ORDER BY id", args)]

    def reap(self, record: RunRecord, finished: dt.datetime, summary: Sequence[str]) -> bool:
        """Mark a run whose process died as failed and crashed; False if another process
        reaped it first (each dead run is reported once)."""
        cur = self.conn.execute(
            "UPDATE runs SET result = 'failed', crashed = 1, finished_at = ?, summary = ? "
            "WHERE id = ? AND result = 'running'",
            (stamp(finished), "\n".join(summary), record.id))
        return cur.rowcount == 1

    def crashes(self, job: str, slot: dt.datetime) -> int:
        """How many runs for this slot of the job killed their process."""
        row = self.conn.execute("SELECT COUNT(*) FROM runs WHERE job = ? AND slot = ? AND "
                                "crashed = 1", (job, stamp(slot))).fetchone()
        return int(row[0])

    def last(self, job: str) -> RunRecord | None:
        row = self.conn.execute(
            "SELECT * FROM runs WHERE job = ? ORDER BY started_at DESC, id DESC LIMIT 1",
            (job,)).fetchone()
        return _record(row) if row else None

    def runs(self, job: str | None = None) -> list[RunRecord]:
        if job is None:
            rows = self.conn.execute("SELECT * FROM runs ORDER BY id").fetchall()
        else:
            rows = self.conn.execute("SELECT * FROM runs WHERE job = ? ORDER BY id",
                                     (job,)).fetchall()
        return [_record(r) for r in rows]

    def steps(self, run_id: int) -> list[sqlite3.Row]:
        return self.conn.execute("SELECT * FROM steps WHERE run_id = ? ORDER BY position",
                                 (run_id,)).fetchall()

    def covered(self, job: str) -> dt.datetime | None:
        """The latest moment the job ran for: its slot, or its start when run by hand.

        Interrupted runs do not count — the missed work is done again (steps are idempotent).
        Nor does a slot whose run crashed the process once: it is tried once more; after a
        second crash it counts, so the same crash is not repeated at every start. A retry of a
        refused write (one step, one journal) covers nothing.
        """
        row = self.conn.execute(
            "SELECT MAX(COALESCE(slot, started_at)) FROM runs r"
            " WHERE job = ? AND result IN ('ok', 'failed') AND trigger != 'retry'"
            " AND (crashed = 0 OR ("
            " slot IS NOT NULL AND (SELECT COUNT(*) FROM runs c WHERE c.job = r.job AND"
            " c.slot = r.slot AND c.crashed = 1) >= ?))",
            (job, CRASHES_BEFORE_GIVING_UP)).fetchone()
        return unstamp(row[0])

    def first_seen(self, job: str, now: dt.datetime) -> dt.datetime:
        """When the scheduler first had this job (recorded now, the first time it is asked)."""
        self.conn.execute("INSERT OR IGNORE INTO seen (job, first_seen) VALUES (?, ?)",
                          (job, stamp(now)))
        row = self.conn.execute("SELECT first_seen FROM seen WHERE job = ?", (job,)).fetchone()
        found = unstamp(row[0])
        assert found is not None
        return found


def _record(row: sqlite3.Row) -> RunRecord:
    started = unstamp(row["started_at"])
    assert started is not None
    return RunRecord(
        id=row["id"], job=row["job"], slot=unstamp(row["slot"]),
        trigger=Trigger(row["trigger"]), started=started, finished=unstamp(row["finished_at"]),
        result=Result(row["result"]), counts=json.loads(row["counts"] or "{}"),
        summary=row["summary"], pid=row["pid"], crashed=bool(row["crashed"]),
        step_now=json.loads(row["step_now"] or "{}"))


# --- Locks -----------------------------------------------------------------------------------


class Busy(ToolkitError):
    """Someone else holds the lock: another scheduler, or another run of the same job."""

    exit_code = 3

    def __init__(self, message: str, pid: int | None) -> None:
        super().__init__(message)
        self.pid = pid


if sys.platform == "win32":  # pragma: no cover - the deployment target is Linux
    import msvcrt

    _LOCK_AT = 4096  # the locked byte lies past the pid, so the pid stays readable

    def _try_lock(fd: int) -> bool:
        os.lseek(fd, _LOCK_AT, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _unlock(fd: int) -> None:
        os.lseek(fd, _LOCK_AT, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

    def alive(pid: int) -> bool:
        return True  # not cheaply known; the lock itself is what counts
else:
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)

    def alive(pid: int) -> bool:
        """Whether a process with this pid exists."""
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True


class Lock:
    """An exclusive lock file with the holder's pid in it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None

    def _read_pid(self, fd: int | None = None) -> int | None:
        try:
            if fd is None:
                text = self.path.read_text(encoding="ascii", errors="replace")
            else:
                os.lseek(fd, 0, os.SEEK_SET)
                text = os.read(fd, 64).decode("ascii", "replace")
        except OSError:
            return None
        first = text.split("\n", 1)[0].strip()
        return int(first) if first.isdigit() else None

    def acquire(self) -> int | None:
        """Take the lock or raise Busy naming the holder's pid.

        Returns the pid of a dead holder whose stale lock was taken over, if any.
        """
        private_dir(self.path.parent)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, PRIVATE_FILE)
        if not _try_lock(fd):
            holder = self._read_pid(fd)
            os.close(fd)
            raise Busy("", holder)
        previous = self._read_pid(fd)
        os.ftruncate(fd, 0)
        os.lseek(fd, 0, os.SEEK_SET)
        os.write(fd, f"{os.getpid()}\n".encode("ascii"))
        os.fsync(fd)
        self._fd = fd
        return previous if previous not in (None, os.getpid()) else None

    def release(self) -> None:
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        try:
            os.ftruncate(fd, 0)
            _unlock(fd)
        finally:
            os.close(fd)

    @contextlib.contextmanager
    def held(self) -> Iterator[int | None]:
        taken_over = self.acquire()
        try:
            yield taken_over
        finally:
            self.release()

    def holder(self) -> int | None:
        """The pid of a live holder, read without locking (for `vks status`)."""
        pid = self._read_pid()
        return pid if pid is not None and alive(pid) else None


__all__ = ["Busy", "Lock", "Result", "RunLedger", "RunRecord", "Trigger"]
