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

import contextlib
import datetime as dt
import json
import logging
import logging.handlers
import os
import signal
import socket
import sys
import threading
import traceback
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from types import FrameType
from typing import Any

from toolkit.jobs.declarations import PER_JOURNAL, Job, JobsSettings, Step
from toolkit.jobs.ledger import LEDGER_NAME, Busy, Lock, Result, RunLedger, Trigger
from toolkit.jobs.steps import EXECUTORS, Executor, StepContext, StepOutcome
from toolkit.journal.calendar import WorkingCalendar
from toolkit.journal.clock import Clock
from toolkit.journal.config import Config
from toolkit.journal.control import calendar_for
from toolkit.journal.errors import ConfigError, ToolkitError
from toolkit.journal.files import PRIVATE_FILE, private_dir
from toolkit.journal.russian import short_datetime

log = logging.getLogger("vks.scheduler")

TICK_SECONDS = 30
GRACE = dt.timedelta(minutes=15)  # a run this late after its slot is still «по расписанию»
FIRST_LOOKBACK = dt.timedelta(days=7)  # `vks run --due` of a job never run: slots this recent
LOG_NAME = "jobs.log"
LOG_BYTES = 1_000_000
LOG_BACKUPS = 5
DRY_RUN_DIR = "пробный-запуск"
SCHEDULER_LOCK = "schedule.lock"

Transport = Callable[[Any, EmailMessage], dict[str, str]]
WallClock = Callable[[], dt.datetime]

# What a run changed and found, as `vks run` and `vks status` name the ledger's counts.
CHANGES = (
    ("cells", "ячеек журнала"),
    ("notes", "отметок о решениях"),
    ("letters", "решений"),
    ("reports", "файлов отчета"),
    ("mails_sent", "писем"),
    ("lists", "списков видеозаписей"),
)
FOUND = (
    ("errors", "ошибок в журналах"),
    ("letters_skipped", "строк без решения (не хватает данных)"),
    ("mails_failed", "неотправленных писем"),
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


def jobs_state_dir(config: Config) -> Path:
    """Where the run ledger, locks and the log live: `state_dir`, else `.vks` beside vks.toml,
    else `.vks` in the current folder."""
    if config.state_dir is not None:
        return config.state_dir
    if config.path is not None:
        return config.path.resolve().parent / ".vks"
    return Path.cwd() / ".vks"


def local_clock(config: Config) -> WallClock:
    zone = config.zone
    return lambda: dt.datetime.now(zone).replace(tzinfo=None, microsecond=0)


# --- A run -----------------------------------------------------------------------------------


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


# --- Logs ------------------------------------------------------------------------------------


def _fields(**values: object) -> dict[str, object]:
    return {"fields": values}


def stack_of(exc: BaseException) -> list[str]:
    """Where an exception came from — file, line, function — without its text, which may
    quote a cell's content."""
    return [f"{Path(f.filename).name}:{f.lineno} {f.name}"
            for f in traceback.extract_tb(exc.__traceback__)]


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (local, with offset), level, logger, message, fields."""

    def __init__(self, zone: dt.tzinfo) -> None:
        super().__init__()
        self.zone = zone

    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, object] = {
            "time": dt.datetime.fromtimestamp(record.created, self.zone)
            .isoformat(timespec="seconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            "pid": record.process,
        }
        extra = getattr(record, "fields", None)
        if isinstance(extra, dict):
            data.update(extra)
        return json.dumps(data, ensure_ascii=False, default=str)


class LocalFormatter(logging.Formatter):
    """Plain lines with the time of the configured zone, not the server's."""

    def __init__(self, zone: dt.tzinfo) -> None:
        super().__init__("%(asctime)s %(levelname)s %(message)s")
        self.zone = zone

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        return dt.datetime.fromtimestamp(record.created, self.zone).strftime("%Y-%m-%d %H:%M:%S")


class _Console(logging.StreamHandler):
    """Writes to whatever sys.stderr is at the moment (click's test runner swaps it); while a
    progress bar is shown, above the bar."""

    bar_shown = False

    def emit(self, record: logging.LogRecord) -> None:
        if _Console.bar_shown:
            from tqdm import tqdm

            try:
                tqdm.write(self.format(record), file=sys.stderr)
            except Exception:
                self.handleError(record)
            return
        self.stream = sys.stderr
        super().emit(record)


def setup_logging(state: Path, zone: dt.tzinfo, console_level: int) -> Path:
    """Logs of the `vks` loggers: a rotating JSON-lines file in the state directory (private)
    and plain lines on the console. Returns the file's path."""
    logger = logging.getLogger("vks")
    teardown_logging()
    folder = private_dir(state / "logs")
    path = folder / LOG_NAME
    if not path.exists():
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, PRIVATE_FILE))
    to_file = logging.handlers.RotatingFileHandler(path, maxBytes=LOG_BYTES,
                                                   backupCount=LOG_BACKUPS, encoding="utf-8")
    to_file.setFormatter(JsonFormatter(zone))
    to_file.setLevel(logging.INFO)
    console = _Console()
    console.setLevel(console_level)
    console.setFormatter(LocalFormatter(zone))
    for handler in (to_file, console):
        setattr(handler, "vks_jobs", True)  # noqa: B010 - a mark teardown_logging looks for
        logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    return path


def teardown_logging() -> None:
    logger = logging.getLogger("vks")
    for handler in list(logger.handlers):
        if getattr(handler, "vks_jobs", False):
            logger.removeHandler(handler)
            handler.close()
    logger.propagate = True
    logger.setLevel(logging.NOTSET)


# --- Progress ----------------------------------------------------------------------------------


class Progress:
    """A progress bar on a terminal (tqdm); plain log lines when not attached to one."""

    def __init__(self, job: str, total: int, bar: bool) -> None:
        self.job = job
        self.total = total
        self._bar: Any = None
        if bar:
            from tqdm import tqdm

            self._bar = tqdm(total=total, desc=job, unit="шаг", file=sys.stderr, leave=False)
            _Console.bar_shown = True

    def begin(self, n: int, step: Step, target: str) -> None:
        if self._bar is not None:
            self._bar.set_postfix_str(f"{step.title} — {target}", refresh=True)
        else:
            log.info("задание %s: шаг %d из %d — %s (%s)", self.job, n, self.total, step.title,
                     target, extra=_fields(event="step-start", job=self.job, step=step.kind,
                                           target=target))

    def done(self) -> None:
        if self._bar is not None:
            self._bar.update(1)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None
            _Console.bar_shown = False


# --- Signals ---------------------------------------------------------------------------------


@contextlib.contextmanager
def stop_on_signals(stop: threading.Event) -> Iterator[None]:
    """SIGTERM/SIGINT set `stop` (checked between steps); a second signal stops at once."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: FrameType | None) -> None:
        if stop.is_set():
            raise KeyboardInterrupt
        stop.set()
        log.warning("получен сигнал %s: остановка после текущего шага",
                    signal.Signals(signum).name, extra=_fields(event="signal"))

    previous = {s: signal.signal(s, handler) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


# --- The runner ------------------------------------------------------------------------------


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
        self._seen: dict[str, dt.datetime] = {}
        self._floor: dict[str, dt.datetime] = {}  # slots passed over without a ledger entry

    @property
    def ledger(self) -> RunLedger:
        if self._ledger is None:
            self._ledger = RunLedger(self.state / LEDGER_NAME)
        return self._ledger

    def close(self) -> None:
        if self._ledger is not None:
            self._ledger.close()
            self._ledger = None

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
                as_of: dt.date | dt.datetime | None = None) -> RunResult:
        """Run a job now; `as_of` is the moment its steps are for (`--today`).

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
                            taken_over, extra=_fields(event="stale-lock", job=job.name,
                                                      stale_pid=taken_over))
            return self._run_locked(job, trigger, slot, as_of, journals, taken_over)
        finally:
            lock.release()

    def _run_locked(self, job: Job, trigger: Trigger, slot: dt.datetime | None,
                    as_of: dt.date | dt.datetime | None, journals: tuple[str, ...],
                    taken_over: int | None) -> RunResult:
        started = self.clock()
        moment = Clock.at(as_of if as_of is not None else started)
        dry = None
        if self.dry_run:
            dry = self.state / DRY_RUN_DIR / f"{job.name}-{started:%Y%m%d-%H%M%S}"
        result = RunResult(job, trigger, slot, started, dry_run=dry, taken_over=taken_over)
        ledger = None if self.dry_run else self.ledger
        if ledger is not None:
            abandoned = ledger.abandon(job.name)
            if abandoned:
                log.warning("задание %s: прерванных запусков в учете: %d", job.name, abandoned,
                            extra=_fields(event="abandoned", job=job.name, runs=abandoned))
            result.run_id = ledger.start(job.name, slot, trigger, started)
        log.info("задание %s начато (%s%s)", job.name, trigger.label,
                 f", слот {short_datetime(slot)}" if slot else "",
                 extra=_fields(event="run-start", job=job.name, run=result.run_id,
                               trigger=trigger.value, slot=slot, dry_run=self.dry_run))
        units: list[tuple[Step, tuple[str, ...]]] = []
        for step in job.steps:
            if step.kind in PER_JOURNAL:
                units.extend((step, (j,)) for j in journals)
            else:
                units.append((step, journals))
        progress = Progress(job.name, len(units), self.progress)
        shared: dict[tuple[object, ...], Any] = {}  # results steps of this run pass on
        try:
            for position, (step, targets) in enumerate(units, start=1):
                if self.stop.is_set():
                    result.result = Result.INTERRUPTED
                    break
                progress.begin(position, step, _target(targets))
                outcome = self._execute(
                    job, step, StepContext(self.config, targets, moment, dry, shared))
                result.steps.append(outcome)
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
        if result.result is Result.FAILED:
            result.notice = self._notify(result)
        self._finish(result, ledger)
        return result

    def _execute(self, job: Job, step: Step, ctx: StepContext) -> StepOutcome:
        target = _target(ctx.journals)
        fields = {"job": job.name, "step": step.kind, "target": target}
        try:
            outcome = self.executors[step.kind](step, ctx)
        except ToolkitError as exc:
            log.error("задание %s: шаг «%s» (%s) не выполнен: %s", job.name, step.title, target,
                      exc, extra=_fields(event="step-failed", error=type(exc).__name__,
                                         **fields))
            return StepOutcome(step.kind, step.title, target, ok=False, error=str(exc))
        except Exception as exc:
            log.error("задание %s: шаг «%s» (%s): внутренняя ошибка %s", job.name, step.title,
                      target, type(exc).__name__,
                      extra=_fields(event="step-crashed", error=type(exc).__name__,
                                    stack=stack_of(exc), **fields))
            return StepOutcome(step.kind, step.title, target, ok=False,
                               error=f"внутренняя ошибка ({type(exc).__name__}); место ошибки — "
                                     f"в журнале работы {self.state / 'logs' / LOG_NAME}")
        level = logging.INFO if outcome.ok else logging.ERROR
        log.log(level, "задание %s: шаг «%s» (%s): %s", job.name, step.title, target,
                outcome.lines[0] if outcome.ok and outcome.lines else outcome.error or "выполнено",
                extra=_fields(event="step-done" if outcome.ok else "step-failed",
                              counts=outcome.counts, **fields))
        return outcome

    def _finish(self, result: RunResult, ledger: RunLedger | None) -> None:
        result.finished = self.clock()
        if ledger is not None and result.run_id is not None:
            ledger.finish(result.run_id, result.result, result.finished, result.counts,
                          result.lines())
        level = logging.INFO if result.result is Result.OK else logging.WARNING
        log.log(level, "задание %s: %s; изменено: %s", result.job.name, result.result.label,
                changes_text(result.counts),
                extra=_fields(event="run-end", job=result.job.name, run=result.run_id,
                              result=result.result.value, counts=result.counts))

    # Failure notices ------------------------------------------------------------------------

    def recipients(self, job: Job) -> tuple[str, ...]:
        return job.notify or JobsSettings.from_config(self.config).notify

    def _notify(self, result: RunResult) -> str:
        job = result.job
        recipients = self.recipients(job)
        if not recipients:
            log.warning("задание %s: некому сообщить об ошибке (notify в задании или [jobs] "
                        "notify)", job.name, extra=_fields(event="notice-skipped", job=job.name))
            return ("Уведомление об ошибке не отправлено: не указаны получатели (notify в задании "
                    "или [jobs] notify в файле настроек).")
        from toolkit.mail.smtp import MailSettings, write_eml
        from toolkit.mail.smtp import send_message as smtp_send

        try:
            settings = MailSettings.from_config(self.config)
            if result.dry_run is None:
                settings.check()  # says what is missing before anything is composed
            elif not settings.sender:
                import dataclasses

                settings = dataclasses.replace(settings, sender="vks@vks.localhost")
            msg = notice_message(result, settings, recipients, self.next_slot(job),
                                 self.state / "logs" / LOG_NAME)
            if result.dry_run is not None:
                path = write_eml(msg, result.dry_run, f"ошибка-{job.name}")
                return f"Уведомление об ошибке записано (пробный запуск): {path}"
            (self.transport or smtp_send)(settings, msg)
        except ToolkitError as exc:
            log.error("задание %s: уведомление об ошибке не отправлено: %s", job.name, exc,
                      extra=_fields(event="notice-failed", job=job.name))
            return f"Уведомление об ошибке не отправлено: {exc}"
        log.info("задание %s: уведомление об ошибке отправлено (%s)", job.name,
                 ", ".join(recipients), extra=_fields(event="notice-sent", job=job.name))
        return f"Уведомление об ошибке отправлено: {', '.join(recipients)}."

    # The timetable ------------------------------------------------------------------------------

    def next_slot(self, job: Job, after: dt.datetime | None = None) -> dt.datetime | None:
        return job.when.next_slot(after or self.clock(), self.calendar)

    def _since(self, job: Job, now: dt.datetime) -> dt.datetime:
        """The moment after which a slot of `job` is still to be run."""
        seen = self._seen.get(job.name)
        if seen is None:
            seen = self._seen[job.name] = self.ledger.first_seen(job.name, now)
        marks = [seen, self._floor.get(job.name), self.ledger.covered(job.name)]
        return max(m for m in marks if m is not None)

    def due(self, now: dt.datetime) -> list[tuple[dt.datetime, Job]]:
        """Jobs with a slot to run at `now`: each once, for its latest slot, earliest first."""
        found = []
        for job in self.jobs.values():
            if not job.enabled:
                continue
            slot = job.when.latest_slot(now, self._since(job, now), self.calendar)
            if slot is not None:
                found.append((slot, job))
        return sorted(found, key=lambda pair: (pair[0], pair[1].name))

    def run_if_due(self, job: Job) -> RunResult | None:
        """`vks run JOB --due` (cron, systemd timers): run the job only if one of its slots is
        still to be run — after its last run, or within a week for a job never run — once, for
        the latest such slot. None when nothing is due."""
        now = self.clock()
        since = self.ledger.covered(job.name) or now - FIRST_LOOKBACK
        slot = job.when.latest_slot(now, since, self.calendar) if job.enabled else None
        if slot is None:
            return None
        trigger = Trigger.SCHEDULE if now - slot <= GRACE else Trigger.CATCH_UP
        return self.run_job(job, trigger, slot)

    def tick(self) -> list[RunResult]:
        """Run every job due now; one job's failure never stops the others."""
        now = self.clock()
        results = []
        for slot, job in self.due(now):
            if self.stop.is_set():
                break
            trigger = Trigger.SCHEDULE if now - slot <= GRACE else Trigger.CATCH_UP
            if trigger is Trigger.CATCH_UP:
                log.info("задание %s: пропущенный запуск %s выполняется сейчас", job.name,
                         short_datetime(slot), extra=_fields(event="catch-up", job=job.name,
                                                             slot=slot))
            try:
                result = self.run_job(job, trigger, slot)
            except Busy as exc:
                log.warning("задание %s: запуск %s пропущен — %s", job.name,
                            short_datetime(slot), exc,
                            extra=_fields(event="run-busy", job=job.name, holder=exc.pid))
                self._floor[job.name] = slot
                continue
            except ToolkitError as exc:
                log.error("задание %s: запуск %s не начат — %s", job.name, short_datetime(slot),
                          exc, extra=_fields(event="run-refused", job=job.name))
                self._floor[job.name] = slot
                continue
            if result.result is not Result.INTERRUPTED:
                self._floor[job.name] = slot
            results.append(result)
        return results

    def _tick_safely(self) -> None:
        try:
            self.tick()
        except Exception as exc:  # the loop must outlive a bug in one tick
            log.error("планировщик: внутренняя ошибка %s", type(exc).__name__,
                      extra=_fields(event="tick-crashed", stack=stack_of(exc)))

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
                     extra=_fields(event="job-loaded", job=job.name, next=upcoming))
        self._tick_safely()  # catch up what was missed while the scheduler was down
        while not self.stop.is_set():
            pace.run_pending()
            idle = pace.idle_seconds
            self.stop.wait(min(1.0, max(0.05, idle if idle is not None else 1.0)))


def _target(journals: Sequence[str]) -> str:
    return journals[0] if len(journals) == 1 else f"все журналы ({len(journals)})"


def notice_message(result: RunResult, settings: Any, recipients: Sequence[str],
                   next_slot: dt.datetime | None, log_path: Path) -> EmailMessage:
    """The failure notice: which job, when, which steps failed and why, what happens next."""
    from toolkit.mail.smtp import new_message

    job = result.job
    subject = f"vks: ошибка задания {job.name} — {short_datetime(result.started)}"
    msg = new_message(settings, recipients, subject)
    lines = [
        f"Задание {job.label} завершилось с ошибкой.",
        "",
        f"Запуск: {result.trigger.label}"
        + (f", время по расписанию {short_datetime(result.slot)}" if result.slot else ""),
        f"Начато: {result.started:%d.%m.%Y %H:%M:%S}",
        f"Компьютер: {socket.gethostname()}, процесс {os.getpid()}",
        "",
        "Шаги:",
    ]
    for n, step in enumerate(result.steps, start=1):
        lines.append(f"  {n}. {step.line}")
    lines += [
        "",
        "Шаги с ошибкой будут выполнены снова при следующем запуске"
        + (f" ({short_datetime(next_slot)})" if next_slot else "")
        + f"; запустить сразу: vks run {job.name}",
        f"Журнал работы: {log_path}",
    ]
    msg.set_content("\n".join(lines))
    return msg


# --- Commands --------------------------------------------------------------------------------


def _console_level(verbose: bool, bar: bool) -> int:
    return logging.INFO if verbose or not bar else logging.WARNING


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
                 extra=_fields(event="scheduler-start", jobs=sorted(jobs)))
        if taken_over:
            log.warning("снята блокировка завершившегося планировщика (процесс %d)", taken_over,
                        extra=_fields(event="stale-lock", stale_pid=taken_over))
        with stop_on_signals(runner.stop):
            runner.serve()
        log.info("планировщик остановлен", extra=_fields(event="scheduler-stop"))
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
    "notice_message",
    "run_once",
    "serve_forever",
    "setup_logging",
    "stop_on_signals",
    "teardown_logging",
]
