"""A step that kills the process (an abort in a native library): the run is found dead, marked
failed, reported once, retried once, and not walked into a third time. Real processes abort;
the parent reads the same run ledger."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import textwrap
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from test_scheduler import JOURNAL, Calls, FakeClock, job

from toolkit.jobs.declarations import CheckStep, LettersStep
from toolkit.jobs.ledger import Lock, Result, RunLedger, Trigger
from toolkit.jobs.runner import Runner
from toolkit.jobs.status import collect_status
from toolkit.journal.config import parse_config

ROOT = Path(__file__).resolve().parents[1]
T = dt.datetime
SLOT = T(2026, 11, 30, 8, 30)

# A scheduler process at `now` whose «letters» step aborts inside native code (os.abort is the
# C library's abort(): SIGABRT, no Python cleanup, no ledger update).
CHILD = textwrap.dedent("""
    import datetime as dt, os, sys
    from pathlib import Path
    sys.path.insert(0, {tests!r})
    from test_scheduler import JOURNAL, Calls, FakeClock, job
    from toolkit.jobs.declarations import CheckStep, LettersStep
    from toolkit.jobs.runner import Runner
    from toolkit.jobs.steps import StepOutcome
    from toolkit.journal.config import Config

    clock = FakeClock(dt.datetime.fromisoformat(sys.argv[1]))
    calls = Calls(clock)
    def abort(step, ctx):
        os.abort()
    executors = {{**calls.executors(), "letters": abort}}
    daily = job("daily", (dt.time(8, 30),), CheckStep(write=True), LettersStep(),
                working_days=True)
    runner = Runner(Config(), {{"daily": daily}}, Path(sys.argv[2]), clock=clock,
                    journals=({journal!r},), executors=executors)
    runner.tick()
""")


def _crash_at(state: Path, now: dt.datetime) -> int:
    code = CHILD.format(tests=str(ROOT / "tests"), journal=JOURNAL)
    done = subprocess.run([sys.executable, "-c", code, now.isoformat(), str(state)],
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True,
                          timeout=120, check=False)
    return done.returncode


def _runner(state: Path, clock: FakeClock, sent: list[EmailMessage]) -> Runner:
    config = parse_config({"jobs": {"notify": ["admin@example.ru"]},
                           "mail": {"host": "127.0.0.1", "security": "none",
                                    "sender": "vks@example.ru"}})
    daily = job("daily", (dt.time(8, 30),), CheckStep(write=True), LettersStep(),
                working_days=True)

    def transport(settings: Any, msg: EmailMessage) -> dict[str, str]:
        sent.append(msg)
        return {}

    return Runner(config, {"daily": daily}, state, clock=clock, journals=(JOURNAL,),
                  executors=Calls(clock).executors(), transport=transport)


def test_a_step_that_aborts_the_process_is_reported_and_retried_once(tmp_path: Path) -> None:
    state = tmp_path / "state"
    seen = RunLedger(state / "runs.sqlite")
    seen.first_seen("daily", T(2026, 11, 27, 18, 0))  # the scheduler has known the job since
    seen.close()
    assert _crash_at(state, T(2026, 11, 30, 8, 30)) == -6  # SIGABRT: the process is gone
    ledger = RunLedger(state / "runs.sqlite")
    [dead] = ledger.runs()
    assert dead.result is Result.RUNNING and dead.step_now["kind"] == "letters"
    ledger.close()

    # `vks status` before anyone reaped it: the run is shown as dead, exit code 1.
    jobs = {"daily": job("daily", (dt.time(8, 30),), CheckStep(write=True), LettersStep(),
                         working_days=True)}
    status = collect_status(parse_config({}), jobs, tmp_path, state, T(2026, 11, 30, 8, 40))
    assert status.exit_code == 1
    assert "завершился аварийно, запуск не отмечен" in status.to_text()

    # The restarted scheduler (systemd Restart=) reaps it, reports it, and runs the slot again
    # — here the step aborts again.
    assert _crash_at(state, T(2026, 11, 30, 8, 41)) == -6
    ledger = RunLedger(state / "runs.sqlite")
    first, second = ledger.runs()
    assert (first.result, first.crashed) == (Result.FAILED, True)
    assert second.result is Result.RUNNING and second.slot == SLOT
    ledger.close()

    # The next start reaps the second crash, sends one notice per dead run, and does not run
    # the slot a third time.
    sent: list[EmailMessage] = []
    clock = FakeClock(T(2026, 11, 30, 8, 50))
    runner = _runner(state, clock, sent)
    assert runner.tick() == []
    runs = runner.ledger.runs()
    assert [(r.result, r.crashed, r.slot) for r in runs] == [(Result.FAILED, True, SLOT)] * 2
    assert len(sent) == 1  # the first dead run was reported by the process that reaped it …
    text = sent[0].get_content()
    assert "процесс vks завершился аварийно во время этого шага" in text
    assert "2 раза и больше не повторяется" in text
    assert "Решения" in text or "letters" in text
    assert runner.tick() == []  # … and nothing is reported twice
    assert len(sent) == 1
    # The next slot runs as usual.
    clock.now = T(2026, 12, 1, 8, 30)
    [result] = runner.tick()
    assert (result.slot, result.trigger, result.result) == (T(2026, 12, 1, 8, 30),
                                                            Trigger.SCHEDULE, Result.OK)
    runner.close()


def test_a_dead_run_is_left_alone_while_its_job_is_locked(tmp_path: Path) -> None:
    state = tmp_path / "state"
    ledger = RunLedger(state / "runs.sqlite")
    ledger.start("daily", SLOT, Trigger.SCHEDULE, SLOT)
    ledger.close()
    sent: list[EmailMessage] = []
    clock = FakeClock(T(2026, 11, 30, 8, 35))
    runner = _runner(state, clock, sent)
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import sys, time
        sys.path.insert(0, {str(ROOT)!r})
        from pathlib import Path
        from toolkit.jobs.ledger import Lock
        lock = Lock(Path({str(state / "locks" / "job-daily.lock")!r}))
        lock.acquire(); print("locked", flush=True); time.sleep(60)
    """)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        assert runner.reap_dead() == []  # another process runs it: not dead
        assert runner.ledger.runs()[0].result is Result.RUNNING
    finally:
        holder.kill()
        holder.wait()
    [reaped] = runner.reap_dead()
    assert reaped.result is Result.FAILED and len(sent) == 1
    assert Lock(state / "locks" / "job-daily.lock").holder() is None
    runner.close()


def test_a_retry_of_a_refused_write_does_not_cover_the_next_slot(tmp_path: Path) -> None:
    state = tmp_path / "state"
    ledger = RunLedger(state / "runs.sqlite")
    ledger.first_seen("daily", T(2026, 11, 27, 18, 0))
    manual = ledger.start("daily", None, Trigger.MANUAL, T(2026, 11, 30, 8, 0))
    ledger.finish(manual, Result.FAILED, T(2026, 11, 30, 8, 1), {}, [])
    retry = ledger.start("daily", None, Trigger.RETRY, T(2026, 11, 30, 8, 40))
    ledger.finish(retry, Result.OK, T(2026, 11, 30, 8, 41), {}, [])
    assert ledger.covered("daily") == T(2026, 11, 30, 8, 0)
    ledger.close()
    sent: list[EmailMessage] = []
    clock = FakeClock(T(2026, 11, 30, 8, 45))
    runner = _runner(state, clock, sent)
    [result] = runner.tick()  # the 08:30 slot still runs
    assert (result.slot, result.result) == (SLOT, Result.OK)
    runner.close()
