"""Running declared jobs: one now (`vks run`), or all on their timetable (`vks schedule`).

    runner = Runner(config, load_jobs(Path("jobs")), jobs_state_dir(config))
    result = runner.run_job(runner.jobs["daily"])   # now, as `vks run daily` does
    runner.tick()     # run what is due, or was missed while the scheduler was down
    runner.serve()    # the long-lived loop of `vks schedule`, until SIGTERM/SIGINT

Time. Every slot is local time of the configured zone (Asia/Novokuznetsk), whatever the
server's zone: the runner's clock gives that local time and `When` decides which
slots are due, with the production calendar. The `schedule` library drives the process: it
calls `tick()` every `tick_seconds`. Its own `.at("08:30", tz)` is not used for the slots —
it needs pytz, counts next runs in the server's naive local time and knows neither working days
nor the first working day of a month; our clock can be injected, so a test walks through a day
minute by minute without sleeping.

Catch-up, like systemd's `Persistent=`: a tick runs a job when one of its slots lies after the
latest moment the job is known to have run for (run ledger: its last slot, or the start of a
run by hand; interrupted runs do not count) and after the scheduler first saw the job. However
many slots were missed, the job runs once — for the latest of them.

Failures. Each step is run on its own: an error is caught, logged (no personal data; for an
unexpected error only its type and the code lines, never its text), and the next step and the
next job still run. A failed run is reported by e-mail to the job's `notify` addresses (or
`[jobs] notify`); a dry run writes the notice to a file instead.

Stopping. SIGTERM or SIGINT sets a flag checked between steps: the running step finishes, the
run is recorded as interrupted, and the process exits. A second signal stops at once; the steps
are idempotent, so an interrupted one is simply done again by the next run.
"""

from __future__ import annotations

import datetime as dt
import logging
import logging.handlers
import os
import sys
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from toolkit.jobs.crashes import reap
from toolkit.jobs.declarations import Job
from toolkit.jobs.ledger import LEDGER_NAME, Busy, Lock, Result, RunLedger, Trigger
from toolkit.jobs.logs import (
    LOG_NAME,
    Progress,
    log_fields,
    setup_logging,
    stack_of,
    stop_on_signals,
    teardown_logging,
)
from toolkit.jobs.notices import Transport, notify_failure
from toolkit.jobs.results import NotDue, RunResult, changes_text
from toolkit.jobs.step_types import PER_JOURNAL, Step
from toolkit.jobs.steps import EXECUTORS, Executor, StepContext, StepOutcome, execute
from toolkit.jobs.timetable import Timetable, WallClock, local_clock, trigger_for
from toolkit.jobs.waiting import WAITING_NAME, WaitingWrites, after_run, retry_due
from toolkit.journal.calendar import WorkingCalendar
from toolkit.journal.clock import Clock
from toolkit.journal.config import Config
from toolkit.journal.control import calendar_for
from toolkit.journal.errors import ConfigError, ToolkitError
from toolkit.journal.russian import short_datetime

log = logging.getLogger("vks.scheduler")

TICK_SECONDS = 30
DRY_RUN_DIR = "пробный-запуск"
SCHEDULER_LOCK = "schedule.lock"



def jobs_state_dir(config: Config) -> Path:
    """Where the run ledger, locks and the log live: `state_dir`, else `.vks` beside vks.toml,
    else `.vks` in the current folder."""
    if config.state_dir is not None:
        return config.state_dir
    if config.path is not None:
        return config.path.resolve().parent / ".vks"
    return Path.cwd() / ".vks"


class Runner:
    """Runs jobs: one by hand, or those due at each tick of the clock."""

    def __init__(
        self,
        config: Config,
        jobs: Mapping[str, Job],
        state: Path,
        *,
        clock: WallClock | None = None,
        journals: Sequence[str] = (),
        dry_run: bool = False,
        executors: Mapping[str, Executor] = EXECUTORS,
        transport: Transport | None = None,
        progress: bool = False,
        tick_seconds: int = TICK_SECONDS,
        calendar: WorkingCalendar | None = None,
    ) -> None:
        self.config = config
        self.jobs = dict(jobs)
        self.state = state
        self.clock = clock or local_clock(config)
        self.journals = tuple(journals)
        self.dry_run = dry_run
        self.executors = executors
        self.transport = transport
        self.progress = progress
        self.tick_seconds = tick_seconds
        self.calendar = calendar or calendar_for(config)
        self.stop = threading.Event()
        self._ledger: RunLedger | None = None
        self._waiting: WaitingWrites | None = None
        self.timetable = Timetable(self.calendar)

    @property
    def ledger(self) -> RunLedger:
        if self._ledger is None:
            self._ledger = RunLedger(self.state / LEDGER_NAME)
        return self._ledger

    def close(self) -> None:
        if self._ledger is not None:
            self._ledger.close()
            self._ledger = None
        if self._waiting is not None:
            self._waiting.close()
            self._waiting = None

    def journals_for(self, job: Job) -> tuple[str, ...]:
        """--journal, else the job's journals, else those of vks.toml."""
        if self.journals:
            return self.journals
        listed = job.journals or self.config.journals
        if not listed:
            raise ConfigError(
                f"задание «{job.name}»: не указан журнал — передайте --journal ФАЙЛ или "
                f"перечислите журналы в задании (journals = [\"журнал.xlsx\"]) или в файле "
                f"настроек")
        return tuple(self.config.resolve(j) for j in listed)

    def lock_for(self, job: Job) -> Lock:
        return Lock(self.state / "locks" / f"job-{job.name}.lock")

    # One run ------------------------------------------------------------------------------

    def run_job(self, job: Job, trigger: Trigger = Trigger.MANUAL,
                slot: dt.datetime | None = None,
                as_of: dt.date | dt.datetime | None = None,
                only: tuple[int, str] | None = None) -> RunResult:
        """Run a job now; `as_of` is the moment its steps are for (`--today`); `only` (step
        number, journal) runs that one step on that journal (a retry of a refused write).

        Raises Busy when the same job is running elsewhere.
        """
        journals = self.journals_for(job)
        lock = self.lock_for(job)
        try:
            taken_over = lock.acquire()
        except Busy as exc:
            holder = f"процесс {exc.pid}" if exc.pid else "другой процесс"
            raise Busy(f"задание «{job.name}» уже выполняется ({holder}); второй запуск "
                       f"не начат — повторите после его окончания", exc.pid) from None
        try:
            if taken_over:
                log.warning("задание %s: снята блокировка завершившегося процесса %d", job.name,
                            taken_over, extra=log_fields(event="stale-lock", job=job.name,
                                                      stale_pid=taken_over))
            return self._run_locked(job, trigger, slot, as_of, journals, taken_over, only)
        finally:
            lock.release()

    def _run_locked(self, job: Job, trigger: Trigger, slot: dt.datetime | None,
                    as_of: dt.date | dt.datetime | None, journals: tuple[str, ...],
                    taken_over: int | None, only: tuple[int, str] | None = None) -> RunResult:
        started = self.clock()
        moment = Clock.at(as_of if as_of is not None else started)
        dry = None
        if self.dry_run:
            dry = self.state / DRY_RUN_DIR / f"{job.name}-{started:%Y%m%d-%H%M%S}"
        result = RunResult(job, trigger, slot, started, dry_run=dry, taken_over=taken_over)
        ledger = None if self.dry_run else self.ledger
        if ledger is not None:
            self._report_dead(reap(ledger, {job.name: job}, self.lock_for, started, held=job))
            result.run_id = ledger.start(job.name, slot, trigger, started)
        log.info("задание %s начато (%s%s)", job.name, trigger.label,
                 f", слот {short_datetime(slot)}" if slot else "",
                 extra=log_fields(event="run-start", job=job.name, run=result.run_id,
                               trigger=trigger.value, slot=slot, dry_run=self.dry_run))
        units: list[tuple[int, Step, tuple[str, ...]]] = []  # (step number, step, journals)
        for number, step in enumerate(job.steps, start=1):
            if step.kind in PER_JOURNAL:
                units.extend((number, step, (j,)) for j in journals
                             if only is None or only == (number, j))
            elif only is None:
                units.append((number, step, journals))
        progress = Progress(job.name, len(units), self.progress)
        shared: dict[tuple[object, ...], Any] = {}  # results steps of this run pass on
        numbers: list[int] = []  # the step number of each outcome
        try:
            for position, (number, step, targets) in enumerate(units, start=1):
                if self.stop.is_set():
                    result.result = Result.INTERRUPTED
                    break
                progress.begin(position, step, _target(targets))
                if ledger is not None and result.run_id is not None:
                    ledger.begin_step(result.run_id, position, step.kind, step.title,
                                      _target(targets))
                outcome = self._execute(
                    job, step, StepContext(self.config, targets, moment, dry, shared))
                result.steps.append(outcome)
                numbers.append(number)
                if ledger is not None and result.run_id is not None:
                    ledger.step(result.run_id, position, outcome.kind, outcome.target,
                                outcome.ok, outcome.counts, outcome.error)
                progress.done()
        except BaseException:
            # A second signal (KeyboardInterrupt) or an exit in the middle of a step.
            result.result = Result.INTERRUPTED
            self._finish(result, ledger)
            raise
        finally:
            progress.close()
        if result.result is Result.RUNNING:
            result.result = Result.FAILED if any(not s.ok for s in result.steps) else Result.OK
        waiting = None if self.dry_run else self.waiting
        told = after_run(self, job, result, numbers, waiting)
        if result.result is Result.FAILED and any(not s.ok and not s.busy for s in result.steps):
            result.notice = self._notify(result)
        elif told:  # only writes to an open journal failed: its holder was told, they wait
            result.notice = told
        self._finish(result, ledger)
        return result

    def _execute(self, job: Job, step: Step, ctx: StepContext) -> StepOutcome:
        return execute(self.executors, job.name, step, ctx, self.state / "logs" / LOG_NAME)

    def _finish(self, result: RunResult, ledger: RunLedger | None) -> None:
        result.finished = self.clock()
        if ledger is not None and result.run_id is not None:
            ledger.finish(result.run_id, result.result, result.finished, result.counts,
                          result.lines())
        level = logging.INFO if result.result is Result.OK else logging.WARNING
        log.log(level, "задание %s: %s; изменено: %s", result.job.name, result.result.label,
                changes_text(result.counts),
                extra=log_fields(event="run-end", job=result.job.name, run=result.run_id,
                              result=result.result.value, counts=result.counts))

    def _notify(self, result: RunResult) -> str:
        return notify_failure(result, self.config, self.state, self.next_slot(result.job),
                              self.transport)

    @property
    def waiting(self) -> WaitingWrites:
        if self._waiting is None:
            self._waiting = WaitingWrites(self.state / WAITING_NAME)
        return self._waiting

    def retry_waiting(self, job: Job | None = None) -> list[RunResult]:
        """Run again the refused writes (journal open) whose time has come; see jobs.waiting."""
        if self.dry_run:
            return []
        return retry_due(self, self.clock(), job)

    def reap_dead(self) -> list[RunResult]:
        """Runs whose process died (left «running», their job's lock free): recorded as failed
        and reported. See `jobs.crashes`."""
        if self.dry_run:
            return []
        return self._report_dead(reap(self.ledger, self.jobs, self.lock_for, self.clock()))

    def _report_dead(self, dead: list[RunResult]) -> list[RunResult]:
        for result in dead:
            result.notice = self._notify(result)
        return dead

    # The timetable ------------------------------------------------------------------------------

    def next_slot(self, job: Job, after: dt.datetime | None = None) -> dt.datetime | None:
        return job.when.next_slot(after or self.clock(), self.calendar)

    def due(self, now: dt.datetime) -> list[tuple[dt.datetime, Job]]:
        """Jobs with a slot to run at `now`: each once, for its latest slot, earliest first."""
        return self.timetable.due(self.jobs.values(), now, self.ledger)

    def run_if_due(self, job: Job) -> RunResult | None:
        """`vks run JOB --due` (cron, systemd timers): run the job only if one of its slots is
        still to be run — after its last run, or within a week for a job never run — once, for
        the latest such slot. None when nothing is due."""
        self.reap_dead()
        retried = self.retry_waiting(job)
        now = self.clock()
        slot = self.timetable.slot_if_due(job, now, self.ledger)
        if slot is None:
            return retried[-1] if retried else None
        return self.run_job(job, trigger_for(now, slot), slot)

    def tick(self) -> list[RunResult]:
        """Run every job due now; one job's failure never stops the others."""
        self.reap_dead()
        results = self.retry_waiting()
        now = self.clock()
        for slot, job in self.due(now):
            if self.stop.is_set():
                break
            trigger = trigger_for(now, slot)
            if trigger is Trigger.CATCH_UP:
                log.info("задание %s: пропущенный запуск %s выполняется сейчас", job.name,
                         short_datetime(slot), extra=log_fields(event="catch-up", job=job.name,
                                                             slot=slot))
            try:
                result = self.run_job(job, trigger, slot)
            except Busy as exc:
                log.warning("задание %s: запуск %s пропущен — %s", job.name,
                            short_datetime(slot), exc,
                            extra=log_fields(event="run-busy", job=job.name, holder=exc.pid))
                self.timetable.pass_over(job, slot)
                continue
            except ToolkitError as exc:
                log.error("задание %s: запуск %s не начат — %s", job.name, short_datetime(slot),
                          exc, extra=log_fields(event="run-refused", job=job.name))
                self.timetable.pass_over(job, slot)
                continue
            if result.result is not Result.INTERRUPTED:
                self.timetable.pass_over(job, slot)
            results.append(result)
        return results

    def _tick_safely(self) -> None:
        try:
            self.tick()
        except Exception as exc:  # the loop must outlive a bug in one tick
            log.error("планировщик: внутренняя ошибка %s", type(exc).__name__,
                      extra=log_fields(event="tick-crashed", stack=stack_of(exc)))

    def serve(self) -> None:
        """Tick until `stop` is set (by SIGTERM/SIGINT): the `schedule` library sets the pace."""
        import schedule

        pace = schedule.Scheduler()
        pace.every(self.tick_seconds).seconds.do(self._tick_safely)
        now = self.clock()
        for job in sorted(self.jobs.values(), key=lambda j: j.name):
            upcoming = self.next_slot(job, now) if job.enabled else None
            log.info("задание %s: %s; следующий запуск %s", job.name,
                     job.when.describe() if job.enabled else "отключено",
                     short_datetime(upcoming) or "—",
                     extra=log_fields(event="job-loaded", job=job.name, next=upcoming))
        self._tick_safely()  # catch up what was missed while the scheduler was down
        while not self.stop.is_set():
            pace.run_pending()
            idle = pace.idle_seconds
            self.stop.wait(min(1.0, max(0.05, idle if idle is not None else 1.0)))


def _target(journals: Sequence[str]) -> str:
    return journals[0] if len(journals) == 1 else f"все журналы ({len(journals)})"


# --- Commands --------------------------------------------------------------------------------


def _console_level(verbose: bool, bar: bool) -> int:
    return logging.INFO if verbose or not bar else logging.WARNING


def run_once(config: Config, name: str, jobs_dir: Path | None = None,
             journals: Sequence[str] = (), today: dt.date | dt.datetime | None = None,
             dry_run: bool = False, verbose: bool = False, due: bool = False
             ) -> RunResult | NotDue:
    """`vks run JOB`: load the job's declaration and run it now (with `due`, only if its
    timetable says so), stopping cleanly on a signal."""
    from toolkit.jobs.declarations import find_job, jobs_folder

    job = find_job(jobs_folder(config, jobs_dir), name)
    state = jobs_state_dir(config)
    bar = sys.stderr.isatty()
    runner = Runner(config, {job.name: job}, state, journals=journals, dry_run=dry_run,
                    progress=bar)
    runner.journals_for(job)  # no journal: refused before anything starts
    setup_logging(state, config.zone, _console_level(verbose, bar))
    try:
        with stop_on_signals(runner.stop):
            if not due:
                return runner.run_job(job, Trigger.MANUAL, None, today)
            result = runner.run_if_due(job)
            return result if result is not None else NotDue(job, runner.next_slot(job))
    finally:
        runner.close()
        teardown_logging()


def serve_forever(config: Config, jobs_dir: Path | None = None,
                  journals: Sequence[str] = ()) -> Runner:
    """`vks schedule`: one process runs every declared job on its timetable until a signal."""
    from toolkit.jobs.declarations import jobs_folder, load_jobs

    folder = jobs_folder(config, jobs_dir)
    jobs = load_jobs(folder)
    if not jobs:
        raise ConfigError(f"в папке {folder} нет заданий (*.toml)")
    state = jobs_state_dir(config)
    runner = Runner(config, jobs, state, journals=journals, progress=sys.stderr.isatty())
    for job in jobs.values():
        if job.enabled:
            runner.journals_for(job)  # a job without journals is refused now, not at 08:30
    lock = Lock(state / "locks" / SCHEDULER_LOCK)
    try:
        taken_over = lock.acquire()
    except Busy as exc:
        holder = f"процесс {exc.pid}" if exc.pid else "другой процесс"
        raise Busy(f"планировщик уже запущен ({holder}); второй экземпляр не запускается",
                   exc.pid) from None
    path = setup_logging(state, config.zone, logging.INFO)
    try:
        log.info("планировщик запущен: процесс %d, заданий %d (%s), часовой пояс %s, журнал "
                 "работы %s", os.getpid(), len(jobs), folder, config.timezone, path,
                 extra=log_fields(event="scheduler-start", jobs=sorted(jobs)))
        if taken_over:
            log.warning("снята блокировка завершившегося планировщика (процесс %d)", taken_over,
                        extra=log_fields(event="stale-lock", stale_pid=taken_over))
        with stop_on_signals(runner.stop):
            runner.serve()
        log.info("планировщик остановлен", extra=log_fields(event="scheduler-stop"))
    finally:
        runner.close()
        lock.release()
        teardown_logging()
    return runner


__all__ = [
    "NotDue",
    "Progress",
    "RunResult",
    "Runner",
    "jobs_state_dir",
    "local_clock",
    "run_once",
    "serve_forever",
    "setup_logging",
    "stop_on_signals",
    "teardown_logging",
]
