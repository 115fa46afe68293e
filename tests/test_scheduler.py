"""The runner with an injected clock: which jobs fire when, failures, catch-up, locks, signals.

Steps are stood in for by small executors that record what they were asked to do, so a day (or
a fortnight) is walked through minute by minute without sleeping.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import signal
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from smtp_server import Server

from toolkit.jobs.declarations import (
    SHIPPED_JOBS,
    CheckStep,
    Job,
    LettersStep,
    Step,
    When,
    load_jobs,
)
from toolkit.jobs.ledger import Busy, Lock, Result, RunLedger, Trigger
from toolkit.jobs.runner import (
    Progress,
    Runner,
    jobs_state_dir,
    local_clock,
    setup_logging,
    stop_on_signals,
    teardown_logging,
)
from toolkit.jobs.steps import StepContext, StepOutcome
from toolkit.journal.config import Config, parse_config
from toolkit.journal.errors import ConfigError

T = dt.datetime
JOURNAL = "журнал.xlsx"


class FakeClock:
    """The runner's wall clock, moved by the test."""

    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


@dataclass
class Calls:
    """What the stand-in steps were asked to do: (job of the step, step kind, local time)."""

    clock: FakeClock
    made: list[tuple[str, dt.datetime]] = field(default_factory=list)
    failing: set[str] = field(default_factory=set)  # step kinds that raise

    def executor(self, step: Step, ctx: StepContext) -> StepOutcome:
        self.made.append((step.kind, self.clock.now))
        if step.kind in self.failing:
            raise RuntimeError("Петрова Анна Сергеевна, ул. Ленина, 1")  # text never shown
        return StepOutcome(step.kind, step.title, ctx.journals[0], counts={"cells": 1},
                           lines=["готово"])

    def executors(self) -> dict[str, Callable[[Step, StepContext], StepOutcome]]:
        return dict.fromkeys(("check", "letters", "stats", "send", "recordings", "notify",
                              "replies"), self.executor)


def shipped(hourly: bool = False) -> dict[str, Job]:
    """The shipped jobs; the hourly `replies` job only when asked (its own test walks it)."""
    return {name: job for name, job in load_jobs(SHIPPED_JOBS).items()
            if hourly or name != "replies"}


def make_runner(tmp_path: Path, clock: FakeClock, calls: Calls,
                jobs: dict[str, Job] | None = None, config: Config | None = None,
                **kwargs: Any) -> Runner:
    return Runner(config or Config(), jobs if jobs is not None else shipped(),
                  tmp_path / "state", clock=clock, journals=(JOURNAL,),
                  executors=calls.executors(), **kwargs)


def walk(runner: Runner, clock: FakeClock, start: dt.datetime, end: dt.datetime,
         step: dt.timedelta = dt.timedelta(minutes=1)) -> list[tuple[str, dt.datetime, Trigger]]:
    """Tick every `step` from `start` to `end`; what ran: (job, when, trigger)."""
    fired = []
    clock.now = start
    while clock.now <= end:
        for result in runner.tick():
            assert result.slot is not None
            fired.append((result.job.name, clock.now, result.trigger))
        clock.now += step
    return fired


def job(name: str, times: tuple[dt.time, ...], *steps: Step, **when: Any) -> Job:
    return Job(name, Path(f"{name}.toml"), name, When(times=times, **when), steps)


# --- Which jobs fire when ----------------------------------------------------------------------


def test_new_year_fortnight_jobs_fire_on_working_days_only(tmp_path: Path) -> None:
    clock = FakeClock(T(2026, 12, 29))
    calls = Calls(clock)
    runner = make_runner(tmp_path, clock, calls)
    fired = walk(runner, clock, T(2026, 12, 29, 23, 0), T(2027, 1, 12, 0, 0))
    assert fired == [
        ("daily", T(2026, 12, 30, 8, 30), Trigger.SCHEDULE),
        ("midday", T(2026, 12, 30, 13, 0), Trigger.SCHEDULE),
        # 31.12.2026 and 1–10.01.2027 are days off; 11.01 is the first working day of January
        ("daily", T(2027, 1, 11, 8, 30), Trigger.SCHEDULE),
        ("monthly", T(2027, 1, 11, 9, 0), Trigger.SCHEDULE),
        ("recordings", T(2027, 1, 11, 10, 0), Trigger.SCHEDULE),
        ("midday", T(2027, 1, 11, 13, 0), Trigger.SCHEDULE),
    ]
    # Each run is in the ledger with its slot, and each step ran at its job's time.
    runs = runner.ledger.runs()
    assert [(r.job, r.slot, r.result) for r in runs] == [
        (name, when, Result.OK) for name, when, _ in fired]
    assert calls.made[:5] == [("replies", T(2026, 12, 30, 8, 30)),
                              ("check", T(2026, 12, 30, 8, 30)),
                              ("letters", T(2026, 12, 30, 8, 30)),
                              ("notify", T(2026, 12, 30, 8, 30)),
                              ("check", T(2026, 12, 30, 13, 0))]
    runner.close()


def test_replies_are_read_every_working_hour(tmp_path: Path) -> None:
    clock = FakeClock(T(2026, 12, 30, 8, 0))
    calls = Calls(clock)
    runner = make_runner(tmp_path, clock, calls, jobs={"replies": shipped(True)["replies"]})
    fired = walk(runner, clock, T(2026, 12, 30, 8, 0), T(2027, 1, 11, 9, 30))
    hours = [T(2026, 12, 30, h) for h in range(9, 19)] + [T(2027, 1, 11, 9)]
    assert [(name, when) for name, when, _ in fired] == [("replies", h) for h in hours]
    assert calls.made[:3] == [("replies", hours[0]), ("check", hours[0]), ("notify", hours[0])]
    runner.close()


def test_a_working_saturday_is_a_working_day_and_may_open_the_month(tmp_path: Path) -> None:
    clock = FakeClock(T(2025, 10, 30, 23))
    runner = make_runner(tmp_path, clock, Calls(clock))
    fired = walk(runner, clock, T(2025, 10, 30, 23), T(2025, 11, 5, 0, 0),
                 dt.timedelta(minutes=5))
    assert [(name, when) for name, when, _ in fired] == [
        ("daily", T(2025, 10, 31, 8, 30)),
        ("midday", T(2025, 10, 31, 13, 0)),
        ("daily", T(2025, 11, 1, 8, 30)),  # Saturday 01.11.2025 is a working day
        ("monthly", T(2025, 11, 1, 9, 0)),  # … and the first working day of November
        ("recordings", T(2025, 11, 1, 10, 0)),
        ("midday", T(2025, 11, 1, 13, 0)),
        # 2–4.11.2025: Sunday, the transferred day off, the National Unity Day
    ]
    runner.close()


def test_the_clock_is_the_configured_zone_whatever_the_servers(
        monkeypatch: pytest.MonkeyPatch) -> None:
    import time

    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    try:
        here = local_clock(parse_config({"timezone": "Asia/Novokuznetsk"}))()
        utc = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        assert abs((here - utc) - dt.timedelta(hours=7)) < dt.timedelta(minutes=1)
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()


# --- Failures ------------------------------------------------------------------------------------


def mail_config(port: int, **extra: Any) -> Config:
    return parse_config({
        "mail": {"host": "127.0.0.1", "port": port, "security": "none",
                 "sender": "ВКС <vks@example.ru>"},
        "jobs": {"notify": ["admin@example.ru"]},
        **extra,
    })


def test_a_failing_job_does_not_stop_the_next_and_is_mailed(tmp_path: Path,
                                                           smtp: Server) -> None:
    clock = FakeClock(T(2026, 11, 30, 8, 0))
    calls = Calls(clock, failing={"check"})
    jobs = {
        "first": job("first", (dt.time(8, 30),), CheckStep(write=True), LettersStep()),
        "second": job("second", (dt.time(8, 30),), LettersStep()),
    }
    runner = make_runner(tmp_path, clock, calls, jobs, mail_config(smtp.port))
    setup_logging(runner.state, dt.UTC, logging.CRITICAL)
    try:
        fired = walk(runner, clock, T(2026, 11, 30, 8, 0), T(2026, 11, 30, 9, 0))
    finally:
        teardown_logging()
    assert [name for name, _, _ in fired] == ["first", "second"]
    # The failing step did not stop the job's next step, nor the next job.
    assert calls.made == [("check", T(2026, 11, 30, 8, 30)), ("letters", T(2026, 11, 30, 8, 30)),
                          ("letters", T(2026, 11, 30, 8, 30))]
    first, second = runner.ledger.runs()
    assert (first.result, second.result) == (Result.FAILED, Result.OK)
    steps = runner.ledger.steps(first.id)
    assert [(s["kind"], s["ok"]) for s in steps] == [("check", 0), ("letters", 1)]
    assert steps[0]["error"].startswith("внутренняя ошибка (RuntimeError)")
    # One notice, to the [jobs] notify address, through the real SMTP server.
    assert len(smtp.inbox.messages) == 1
    recipients, msg = smtp.inbox.messages[0]
    assert recipients == ["admin@example.ru"]
    assert msg["Subject"] == "vks: ошибка задания first — 30.11.2026 08:30"
    text = _text(msg)
    assert "Задание first «first» завершилось с ошибкой." in text
    assert "Запуск: по расписанию, время по расписанию 30.11.2026 08:30" in text
    assert "1. Проверка и запись в журнал — журнал.xlsx: ОШИБКА: внутренняя ошибка " \
           "(RuntimeError)" in text
    assert "2. Решения об отклонении заявок — журнал.xlsx: готово" in text
    assert "(01.12.2026 08:30); запустить сразу: vks run first" in text
    assert "Петрова" not in text and "Ленина" not in text
    # The log has the place of the error but never its text (personal data).
    log_text = (runner.state / "logs" / "jobs.log").read_text(encoding="utf-8")
    assert "Петрова" not in log_text and "Ленина" not in log_text
    records = [json.loads(line) for line in log_text.splitlines()]
    crashed = [r for r in records if r.get("event") == "step-crashed"]
    assert crashed and crashed[0]["job"] == "first" and crashed[0]["error"] == "RuntimeError"
    assert any("test_scheduler.py" in frame for frame in crashed[0]["stack"])
    assert {r["event"] for r in records} >= {"run-start", "step-start", "step-done",
                                             "step-crashed", "run-end", "notice-sent"}
    runner.close()


def _text(msg: EmailMessage) -> str:
    body = msg.get_body(("plain",))
    assert body is not None
    return str(body.get_content())


def test_a_notice_that_cannot_be_sent_is_said_and_the_run_still_recorded(tmp_path: Path) -> None:
    clock = FakeClock(T(2026, 11, 30, 8, 30))
    calls = Calls(clock, failing={"check"})
    jobs = {"first": job("first", (dt.time(8, 30),), CheckStep())}
    no_mail = parse_config({"jobs": {"notify": ["admin@example.ru"]}})
    runner = make_runner(tmp_path, clock, calls, jobs, no_mail)
    result = runner.run_job(jobs["first"])
    assert result.result is Result.FAILED
    assert result.notice == ("Уведомление об ошибке не отправлено: [mail] host — не указан "
                             "почтовый сервер (SMTP)")
    nobody = make_runner(tmp_path / "2", clock, calls, jobs, Config())
    assert "не указаны получатели" in nobody.run_job(jobs["first"]).notice
    runner.close()
    nobody.close()


def test_a_dry_run_writes_the_notice_and_records_nothing(tmp_path: Path) -> None:
    clock = FakeClock(T(2026, 11, 30, 8, 30))
    calls = Calls(clock, failing={"check"})
    jobs = {"first": job("first", (dt.time(8, 30),), CheckStep())}
    runner = make_runner(tmp_path, clock, calls, jobs,
                         parse_config({"jobs": {"notify": ["admin@example.ru"]}}), dry_run=True)
    result = runner.run_job(jobs["first"])
    assert result.dry_run is not None
    notice = result.dry_run / "ошибка-first.eml"
    assert result.notice == f"Уведомление об ошибке записано (пробный запуск): {notice}"
    assert "vks: ошибка задания first" in notice.read_text(encoding="utf-8", errors="replace") \
        or "=?utf-8?" in notice.read_text(encoding="ascii", errors="replace")
    assert not (runner.state / "runs.sqlite").exists()


# --- Catch-up after downtime ----------------------------------------------------------------------


def test_missed_runs_are_caught_up_once_per_job(tmp_path: Path) -> None:
    clock = FakeClock(T(2026, 11, 30, 0, 0))
    calls = Calls(clock)
    runner = make_runner(tmp_path, clock, calls)
    walk(runner, clock, T(2026, 11, 30, 0, 0), T(2026, 11, 30, 23, 0), dt.timedelta(minutes=30))
    runner.close()
    # Down from Monday night to Thursday 11:00: three daily, two midday runs, and the monthly
    # report and recordings list of 01.12 were missed.
    clock.now = T(2026, 12, 3, 11, 0)
    restarted = make_runner(tmp_path, clock, calls)
    results = restarted.tick()
    assert [(r.job.name, r.slot, r.trigger) for r in results] == [
        ("monthly", T(2026, 12, 1, 9, 0), Trigger.CATCH_UP),
        ("recordings", T(2026, 12, 1, 10, 0), Trigger.CATCH_UP),
        ("midday", T(2026, 12, 2, 13, 0), Trigger.CATCH_UP),
        ("daily", T(2026, 12, 3, 8, 30), Trigger.CATCH_UP),
    ]
    # Nothing more until the next slot, which runs on time.
    later = walk(restarted, clock, T(2026, 12, 3, 11, 1), T(2026, 12, 3, 14, 0))
    assert later == [("midday", T(2026, 12, 3, 13, 0), Trigger.SCHEDULE)]
    restarted.close()


def test_a_first_start_catches_nothing_up_and_a_run_by_hand_counts(tmp_path: Path) -> None:
    clock = FakeClock(T(2026, 12, 1, 11, 0))
    calls = Calls(clock)
    runner = make_runner(tmp_path, clock, calls)
    assert runner.tick() == []  # never seen before: the 01.12 slots are not «missed»
    runner.close()
    # Down until 02.12 10:00, but daily was run by hand at 09:00 (cron, or a person).
    clock.now = T(2026, 12, 2, 9, 0)
    by_hand = make_runner(tmp_path, clock, calls)
    by_hand.run_job(by_hand.jobs["daily"])
    by_hand.close()
    clock.now = T(2026, 12, 2, 10, 0)
    restarted = make_runner(tmp_path, clock, calls)
    # daily's 08:30 slot is covered by the run by hand; monthly and recordings of 01.12 were due
    # before the scheduler first saw them; midday's 01.12 13:00 was missed after: caught up.
    assert [(r.job.name, r.slot) for r in restarted.tick()] == [("midday", T(2026, 12, 1, 13))]
    restarted.close()


def test_an_interrupted_run_is_done_again_after_a_restart(tmp_path: Path) -> None:
    clock = FakeClock(T(2026, 11, 30, 8, 0))
    calls = Calls(clock)
    jobs = {"daily": job("daily", (dt.time(8, 30),), CheckStep(), LettersStep())}
    runner = make_runner(tmp_path, clock, calls, jobs)
    assert runner.tick() == []

    def stop_after_first(step: Step, ctx: StepContext) -> StepOutcome:
        runner.stop.set()
        return calls.executor(step, ctx)

    runner.executors = {"check": stop_after_first, "letters": calls.executor}
    clock.now = T(2026, 11, 30, 8, 30)
    (result,) = runner.tick()
    assert result.result is Result.INTERRUPTED and [s.kind for s in result.steps] == ["check"]
    assert runner.tick() == []  # stopping: nothing more starts
    runner.close()
    clock.now = T(2026, 11, 30, 8, 45)
    restarted = make_runner(tmp_path, clock, calls, jobs)
    (again,) = restarted.tick()
    assert (again.slot, again.trigger, again.result) == (T(2026, 11, 30, 8, 30),
                                                         Trigger.SCHEDULE, Result.OK)
    assert [s.kind for s in again.steps] == ["check", "letters"]
    assert [r.result for r in restarted.ledger.runs()] == [Result.INTERRUPTED, Result.OK]
    restarted.close()


def test_a_run_left_running_by_a_dead_process_is_marked_failed(tmp_path: Path) -> None:
    state = tmp_path / "state"
    ledger = RunLedger(state / "runs.sqlite")
    ledger.start("daily", T(2026, 11, 30, 8, 30), Trigger.SCHEDULE, T(2026, 11, 30, 8, 30))
    ledger.close()
    clock = FakeClock(T(2026, 11, 30, 9, 0))
    runner = make_runner(tmp_path, clock, Calls(clock))
    runner.run_job(runner.jobs["daily"])
    runs = runner.ledger.runs("daily")
    assert [(r.result, r.crashed) for r in runs] == [(Result.FAILED, True), (Result.OK, False)]
    runner.close()


# --- `vks run JOB --due`: cron and systemd timers ----------------------------------------------


def test_run_if_due_lets_a_daily_cron_follow_the_calendar(tmp_path: Path) -> None:
    clock = FakeClock(T(2026, 12, 29, 8, 30))
    runner = make_runner(tmp_path, clock, Calls(clock))
    daily, monthly = runner.jobs["daily"], runner.jobs["monthly"]
    ran: list[tuple[str, dt.datetime, Trigger]] = []
    day = dt.date(2026, 12, 29)
    while day <= dt.date(2027, 1, 12):
        if day != dt.date(2027, 1, 11):  # the server is down on 11.01
            for at, job in ((dt.time(8, 30), daily), (dt.time(9), monthly)):  # cron: every day
                clock.now = T.combine(day, at)
                result = runner.run_if_due(job)
                if result is not None:
                    assert result.slot is not None
                    ran.append((job.name, result.slot, result.trigger))
        day += dt.timedelta(days=1)
    assert ran == [
        ("daily", T(2026, 12, 29, 8, 30), Trigger.SCHEDULE),
        ("daily", T(2026, 12, 30, 8, 30), Trigger.SCHEDULE),
        # 11.01: down; on 12.01 the daily run is due anyway, and the monthly report of the
        # first working day of January is caught up once.
        ("daily", T(2027, 1, 12, 8, 30), Trigger.SCHEDULE),
        ("monthly", T(2027, 1, 11, 9, 0), Trigger.CATCH_UP),
    ]
    runner.close()


def test_run_if_due_of_a_job_never_run_looks_back_a_week(tmp_path: Path) -> None:
    clock = FakeClock(T(2026, 12, 10, 9, 0))
    runner = make_runner(tmp_path, clock, Calls(clock))
    assert runner.run_if_due(runner.jobs["monthly"]) is None  # 01.12 is more than a week ago
    result = runner.run_if_due(runner.jobs["daily"])
    assert result is not None and result.slot == T(2026, 12, 10, 8, 30)
    clock.now = T(2026, 12, 7, 9, 0)
    result = runner.run_if_due(runner.jobs["recordings"])
    assert result is not None and result.slot == T(2026, 12, 1, 10, 0)
    runner.close()


# --- Locks -------------------------------------------------------------------------------------


def test_an_overlapping_run_of_the_same_job_is_refused(tmp_path: Path) -> None:
    clock = FakeClock(T(2026, 11, 30, 8, 30))
    calls = Calls(clock)
    runner = make_runner(tmp_path, clock, calls)
    daily = runner.jobs["daily"]
    with runner.lock_for(daily).held():
        with pytest.raises(Busy) as info:
            runner.run_job(daily)
        assert info.value.pid == os.getpid() and info.value.exit_code == 3
        assert str(info.value) == (f"задание «daily» уже выполняется (процесс {os.getpid()}); "
                                   f"второй запуск не начат — повторите после его окончания")
        # Another job is not held up; the busy one's slot is passed over, not retried each tick.
        runner.run_job(runner.jobs["midday"])
        runner.ledger.first_seen("daily", T(2026, 11, 30, 8, 0))
        assert runner.tick() == []
        assert runner.tick() == []
    assert calls.made == [("check", T(2026, 11, 30, 8, 30))]  # midday's check only
    fired = walk(runner, clock, T(2026, 12, 1, 8, 30), T(2026, 12, 1, 8, 30))
    assert ("daily", T(2026, 12, 1, 8, 30), Trigger.SCHEDULE) in fired  # the next slot runs
    runner.close()


def test_a_lock_of_a_killed_process_is_taken_over(tmp_path: Path) -> None:
    path = tmp_path / "locks" / "job-daily.lock"
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sys, time; from pathlib import Path; from toolkit.jobs.ledger import Lock; "
         f"Lock(Path({str(path)!r})).acquire(); print('held', flush=True); time.sleep(60)"],
        stdout=subprocess.PIPE, text=True, cwd=Path(__file__).resolve().parents[1])
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        assert Lock(path).holder() == holder.pid
        with pytest.raises(Busy) as info:
            Lock(path).acquire()
        assert info.value.pid == holder.pid
    finally:
        holder.kill()
        holder.wait()
    lock = Lock(path)
    assert lock.holder() is None  # the pid in the file is dead
    assert lock.acquire() == holder.pid  # taken over, and said so
    assert path.read_text() == f"{os.getpid()}\n"
    lock.release()
    assert path.read_text() == "" and Lock(path).acquire() is None


# --- Signals -----------------------------------------------------------------------------------


def test_sigterm_stops_the_run_between_steps(tmp_path: Path) -> None:
    clock = FakeClock(T(2026, 11, 30, 8, 30))
    calls = Calls(clock)
    jobs = {"daily": job("daily", (dt.time(8, 30),), CheckStep(write=True), LettersStep())}
    runner = make_runner(tmp_path, clock, calls, jobs)
    runner.journals = ("a.xlsx", "b.xlsx")

    def check_then_sigterm(step: Step, ctx: StepContext) -> StepOutcome:
        outcome = calls.executor(step, ctx)
        os.kill(os.getpid(), signal.SIGTERM)  # as systemd stopping the service
        return outcome

    runner.executors = {**calls.executors(), "check": check_then_sigterm}
    previous = signal.getsignal(signal.SIGTERM)
    with stop_on_signals(runner.stop):
        result = runner.run_job(jobs["daily"])
    assert signal.getsignal(signal.SIGTERM) is previous  # handlers restored
    # The step under way finished; nothing after it started.
    assert result.result is Result.INTERRUPTED and result.exit_code == 130
    assert [(s.kind, s.target) for s in result.steps] == [("check", "a.xlsx")]
    (record,) = runner.ledger.runs()
    assert record.result is Result.INTERRUPTED and record.finished is not None
    assert [s["kind"] for s in runner.ledger.steps(record.id)] == ["check"]
    assert "Остановлено по сигналу между шагами" in record.summary
    runner.close()


def test_a_second_signal_stops_at_once(tmp_path: Path) -> None:
    clock = FakeClock(T(2026, 11, 30, 8, 30))
    calls = Calls(clock)
    jobs = {"daily": job("daily", (dt.time(8, 30),), CheckStep(), LettersStep())}
    runner = make_runner(tmp_path, clock, calls, jobs)

    def impatient(step: Step, ctx: StepContext) -> StepOutcome:
        os.kill(os.getpid(), signal.SIGINT)
        os.kill(os.getpid(), signal.SIGINT)  # the second one interrupts the step itself
        raise AssertionError("not reached")

    runner.executors = {**calls.executors(), "check": impatient}
    with stop_on_signals(runner.stop), pytest.raises(KeyboardInterrupt):
        runner.run_job(jobs["daily"])
    (record,) = runner.ledger.runs()
    assert record.result is Result.INTERRUPTED
    runner.close()


def test_serve_catches_up_at_start_and_returns_when_stopped(tmp_path: Path) -> None:
    clock = FakeClock(T(2026, 11, 30, 9, 0))
    calls = Calls(clock)
    jobs = {"daily": job("daily", (dt.time(8, 30),), CheckStep())}
    runner = make_runner(tmp_path, clock, calls, jobs)
    runner.ledger.first_seen("daily", T(2026, 11, 27, 9, 0))  # known since Friday

    def then_stop(step: Step, ctx: StepContext) -> StepOutcome:
        runner.stop.set()
        return calls.executor(step, ctx)

    runner.executors = {"check": then_stop}
    runner.serve()  # returns once stopped: no sleeping here
    (record,) = runner.ledger.runs()
    assert (record.slot, record.trigger) == (T(2026, 11, 30, 8, 30), Trigger.CATCH_UP)
    runner.close()


# --- Progress and state ------------------------------------------------------------------------


def test_progress_is_a_bar_on_a_terminal_and_plain_lines_otherwise(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        caplog: pytest.LogCaptureFixture) -> None:
    step = CheckStep(write=True)
    with caplog.at_level(logging.INFO, logger="vks.scheduler"):
        plain = Progress("daily", 2, bar=False)
        plain.begin(1, step, JOURNAL)
        plain.done()
        plain.close()
    assert "задание daily: шаг 1 из 2 — Проверка и запись в журнал (журнал.xlsx)" in caplog.text
    assert capsys.readouterr().err == ""
    bar = Progress("daily", 2, bar=True)
    bar.begin(1, step, JOURNAL)
    bar.done()
    bar.close()
    err = capsys.readouterr().err
    assert "daily:" in err and "0/2" in err and "Проверка и запись в журнал — журнал.xlsx" in err
    # On a terminal the console shows warnings only, written above the bar.
    setup_logging(tmp_path, dt.UTC, logging.WARNING)
    try:
        bar = Progress("daily", 1, bar=True)
        logging.getLogger("vks.scheduler").info("подробность")
        logging.getLogger("vks.scheduler").warning("предупреждение")
        bar.close()
    finally:
        teardown_logging()
    err = capsys.readouterr().err
    assert "WARNING предупреждение\n" in err and "подробность" not in err
    assert "подробность" in (tmp_path / "logs" / "jobs.log").read_text(encoding="utf-8")


def test_state_dir_follows_the_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert jobs_state_dir(Config()) == tmp_path / ".vks"
    assert jobs_state_dir(parse_config({}, tmp_path / "conf" / "vks.toml")) == \
        tmp_path / "conf" / ".vks"
    assert jobs_state_dir(parse_config({"state_dir": "/var/lib/vks"})) == Path("/var/lib/vks")


def test_a_job_without_a_journal_is_refused_before_it_starts(tmp_path: Path) -> None:
    clock = FakeClock(T(2026, 11, 30, 8, 30))
    runner = Runner(Config(), load_jobs(SHIPPED_JOBS), tmp_path, clock=clock)
    with pytest.raises(ConfigError, match="задание «daily»: не указан журнал — передайте "
                                          "--journal ФАЙЛ"):
        runner.run_job(runner.jobs["daily"])
    config = parse_config({"journals": ["журналы/2026.xlsx"]}, tmp_path / "vks.toml")
    runner = Runner(config, load_jobs(SHIPPED_JOBS), tmp_path, clock=clock)
    assert runner.journals_for(runner.jobs["daily"]) == (str(tmp_path / "журналы/2026.xlsx"),)
