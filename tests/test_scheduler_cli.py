"""End to end: `vks run`, `vks schedule`, `vks status` on real journals, a real SMTP server on
loopback and real processes (lock refusal, SIGTERM)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner
from smtp_server import Server

from toolkit.cli import cli
from toolkit.jobs.declarations import SHIPPED_JOBS
from toolkit.jobs.ledger import Lock, Result, RunLedger, Trigger
from toolkit.journal.config import Config
from toolkit.journal.files import shared_file_mode
from toolkit.journal.schema import BY_KEY, Outcome
from toolkit.sources.demo import FEMALE, MALE, Manifest
from toolkit.sources.open import check

ROOT = Path(__file__).resolve().parents[1]
TODAY = "2026-11-27"  # the demo fixture's day: a Friday
SURNAMES = {last for last, _, _ in (*MALE, *FEMALE)}
JOBS = ["--jobs", str(SHIPPED_JOBS)]


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Work in a fresh folder, with no vks.toml and no VKS_CONFIG."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("VKS_CONFIG", raising=False)
    return tmp_path


def vks(*args: str) -> Any:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def cells(path: Path, sheet: str, key: str) -> dict[int, str]:
    """Row → text of column `key` for the rows that have one."""
    wb = openpyxl.load_workbook(path, read_only=True)
    col = BY_KEY[key].letter
    out = {}
    for row in wb[sheet].iter_rows(min_row=6):
        for cell in row:
            if getattr(cell, "column_letter", None) == col and cell.value not in (None, ""):
                out[cell.row] = str(cell.value)
    wb.close()
    return out


def files_under(folder: Path) -> dict[str, int]:
    return {str(p.relative_to(folder)): p.stat().st_mtime_ns
            for p in sorted(folder.rglob("*")) if p.is_file()}


def write_config(folder: Path, port: int, **extra: str) -> Path:
    path = folder / "vks.toml"
    lines = [
        'journals = ["демо.xlsx"]',
        "[mail]",
        'host = "127.0.0.1"',
        f"port = {port}",
        'security = "none"',
        'sender = "Личный прием по ВКС <vks@example.ru>"',
        'ministry_recipients = ["minister@example.ru"]',
        "[jobs]",
        'notify = ["admin@example.ru"]',
        "[[bodies]]",
        'name = "Министерство"',
        'sheet = "Министерство"',
        'recipients = ["priemnaya@example.ru"]',
    ]
    lines.extend(f"{k} = {v}" for k, v in extra.items())
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


# --- vks run daily: the order's morning routine, twice ------------------------------------------


def test_daily_writes_flags_makes_letters_and_a_second_run_changes_nothing(
        here: Path, demo: tuple[Path, Manifest]) -> None:
    journal, manifest = demo
    result = vks("run", "daily", "--journal", str(journal), "--today", TODAY, *JOBS)
    assert result.exit_code == 0, result.output
    out = result.stdout  # stderr has the log lines (not a terminal: no progress bar)
    assert "задание daily: шаг 2 из 4 — Проверка и запись в журнал" in result.stderr
    assert out.startswith("Задание daily «Ежедневный контроль журналов»: вручную.\n")
    assert "  2. Проверка и запись в журнал — " in out and "  3. Решения об отклонении" in out
    # Without [imap] and [mail] the e-mail steps say so and do nothing.
    assert "почтовый ящик [imap] не настроен" in out and "почта [mail] не настроена" in out
    assert "Итог: выполнено. Изменено: ячеек журнала " in out
    # Flags in the control column of the rows the demo spoiled; cl. 2.7 cancellations in graph 7.
    for sheet, codes in manifest.rows.items():
        control = cells(journal, sheet, "control")
        for row in codes["decision-overdue"]:
            assert "принять решение — срок истек" in control[row], (sheet, row)
        outcome = cells(journal, sheet, "outcome")
        for row in codes["cancellation-not-recorded"]:
            assert outcome[row] == Outcome.DECLINED.label
        for row in codes["confirmation-overdue"]:
            assert outcome[row] == Outcome.UNCONFIRMED.label
    # Letters made, each noted in the journal.
    letters = files_under(here / "решения")
    docx = [name for name in letters if name.endswith(".docx") and "/" in name]
    assert docx
    notes = {v for sheet in manifest.rows for v in cells(journal, sheet, "letter").values()}
    assert {n.split(" от ")[0] for n in notes} == {Path(d).name for d in docx}
    # The ledger: one run, by hand, ok, with what it changed.
    ledger = RunLedger(here / ".vks" / "runs.sqlite")
    (first,) = ledger.runs("daily")
    assert (first.trigger, first.result, first.slot) == (Trigger.MANUAL, Result.OK, None)
    assert first.counts["cells"] > 0 and first.counts["letters"] == len(docx)
    assert first.counts["notes"] == len(docx)

    before, made = digest(journal), files_under(here / "решения")
    again = vks("run", "daily", "--journal", str(journal), "--today", TODAY, *JOBS)
    assert again.exit_code == 0, again.output
    assert "Итог: выполнено. Изменено: ничего." in again.output
    assert "записано в журнал: 0 ячеек" in again.output
    assert f"подготовлено 0 решений, без изменений {len(docx)}" in again.output
    assert digest(journal) == before  # not a cell changed
    assert files_under(here / "решения") == made  # no new letter, none rewritten
    second = ledger.runs("daily")[-1]
    assert (second.counts["cells"], second.counts["letters"], second.counts["notes"]) == (0, 0, 0)
    ledger.close()
    # The log says what happened, and names no citizen.
    log_text = (here / ".vks" / "logs" / "jobs.log").read_text(encoding="utf-8")
    assert not any(name in log_text for name in SURNAMES)
    events = [json.loads(line).get("event") for line in log_text.splitlines()]
    assert events.count("run-end") == 2


def test_a_dry_run_changes_nothing(here: Path, demo: tuple[Path, Manifest]) -> None:
    journal, _ = demo
    before = digest(journal)
    result = vks("run", "daily", "--journal", str(journal), "--today", TODAY, "--dry-run", *JOBS)
    assert result.exit_code == 0, result.output
    assert "пробный запуск, ничего не меняется" in result.output
    assert "было бы записано в журнал: " in result.output
    assert "пропущено в пробном запуске" in result.output
    assert "Итог: выполнено. Было бы изменено: ячеек журнала " in result.output
    assert digest(journal) == before
    assert not (here / "решения").exists()
    assert not (here / ".vks" / "runs.sqlite").exists()


class WallClock:
    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


def test_a_journal_open_in_excel_waits_tells_its_holder_and_is_written_once_closed(
        here: Path, demo: tuple[Path, Manifest], smtp: Server,
        monkeypatch: pytest.MonkeyPatch) -> None:
    journal, _ = demo
    inbox, port = smtp.inbox, smtp.port
    config = write_config(here, port)
    wall = WallClock(dt.datetime(2026, 11, 27, 10, 0))
    monkeypatch.setattr("toolkit.jobs.runner.local_clock", lambda config: wall)
    lock = journal.parent / f"~${journal.name}"
    lock.write_bytes(b"\x05admin" + b"\x00" * 60)
    before = digest(journal)
    result = vks("-c", str(config), "run", "midday", "--journal", str(journal),
                 "--today", TODAY, *JOBS)
    assert result.exit_code == 1
    assert ("ОШИБКА: ничего не записано: журнал открыт в Excel или LibreOffice (admin); "
            "программа повторит запись в 10:15 и дальше каждые 15 мин до 18:00") in result.output
    assert "Сообщено, что журнал открыт: admin@example.ru." in result.output
    assert "Уведомление об ошибке" not in result.output
    assert digest(journal) == before
    (recipients, msg), = inbox.messages
    assert recipients == ["admin@example.ru"]
    assert str(msg["Subject"]) == "vks: журнал демо.xlsx открыт, запись в него ждет"
    body = msg.get_body(("plain",))
    assert body is not None and body.get_content().startswith(
        f"admin, журнал {journal} открыт у вас в Excel или LibreOffice.")
    status = vks("-c", str(config), "status", "--journal", str(journal), "--today",
                 "2026-11-27 10:05", *JOBS)
    assert status.exit_code == 1  # the last run failed
    assert "Ожидают записи (журнал открыт в Excel или LibreOffice):" in status.output
    assert (f"midday, шаг «Проверка и запись в журнал» — {journal}: ждет с 27.11.2026 10:00, "
            f"открыт: admin; попыток 1, следующая в 10:15 (до 18:00)") in status.output

    wall.now = dt.datetime(2026, 11, 27, 10, 15)  # still open: tried, not told again
    still = vks("-c", str(config), "run", "midday", "--due", *JOBS)
    assert still.exit_code == 1 and "повторит запись в 10:30" in still.output
    assert len(inbox.messages) == 1 and digest(journal) == before

    lock.unlink()  # closed
    wall.now = dt.datetime(2026, 11, 27, 10, 31)
    done = vks("-c", str(config), "run", "midday", "--due", *JOBS)
    assert done.exit_code == 0, done.output
    assert "повтор записи (журнал был открыт)" in done.output
    assert digest(journal) != before
    runs = RunLedger(here / ".vks" / "runs.sqlite").runs("midday")
    assert [r.trigger for r in runs] == [Trigger.MANUAL, Trigger.RETRY, Trigger.RETRY]
    assert [r.result for r in runs] == [Result.FAILED, Result.FAILED, Result.OK]
    status = vks("-c", str(config), "status", "--journal", str(journal), "--today",
                 "2026-11-27 10:35", "--format", "json", *JOBS)
    assert json.loads(status.output)["waiting"] == []
    assert len(inbox.messages) == 1


def test_a_journal_still_open_after_the_working_day_mails_the_admin(
        here: Path, demo: tuple[Path, Manifest], smtp: Server,
        monkeypatch: pytest.MonkeyPatch) -> None:
    journal, _ = demo
    config = write_config(here, smtp.port)
    monkeypatch.setattr("toolkit.jobs.runner.local_clock",
                        lambda config: WallClock(dt.datetime(2026, 11, 27, 17, 50)))
    (journal.parent / f"~${journal.name}").write_bytes(b"\x05admin" + b"\x00" * 60)
    result = vks("-c", str(config), "run", "midday", "--journal", str(journal),
                 "--today", TODAY, *JOBS)
    assert result.exit_code == 1
    assert "журнал открыт (admin); рабочий день закончился" in result.output
    assert "Уведомление об ошибке отправлено: admin@example.ru." in result.output
    (_, msg), = smtp.inbox.messages
    assert str(msg["Subject"]).startswith("vks: ошибка задания midday — ")


# --- vks run monthly: the report is mailed once ---------------------------------------------------


def test_monthly_sends_the_report_once(here: Path, demo: tuple[Path, Manifest],
                                      smtp: Server, monkeypatch: pytest.MonkeyPatch) -> None:
    import toolkit.stats.monthly

    reads: list[object] = []
    read_sources = toolkit.stats.monthly.read_sources
    monkeypatch.setattr(toolkit.stats.monthly, "read_sources",
                        lambda *a, **k: reads.append(a) or read_sources(*a, **k))
    inbox, port = smtp.inbox, smtp.port
    config = write_config(here, port)  # journals = ["демо.xlsx"]: the demo fixture's copy
    first = vks("-c", str(config), "run", "monthly", "--today", "2026-12-01", *JOBS)
    assert first.exit_code == 0, first.output
    assert len(reads) == 1  # stats and send share one reading of the journals
    subjects = sorted(str(m["Subject"]) for _, m in inbox.messages)
    assert subjects == [
        "Статистика личного приема по ВКС за ноябрь 2026 — Министерство",
        "Статистика личного приема по ВКС за ноябрь 2026 — все органы",
    ]
    assert sorted((here / "статистика").iterdir()) == [
        here / "статистика" / f"статистика-ВКС-2026-11.{ext}" for ext in ("html", "json", "xlsx")]
    again = vks("-c", str(config), "run", "monthly", "--today", "2026-12-01", *JOBS)
    assert again.exit_code == 0, again.output
    assert len(inbox.messages) == 2  # no duplicate
    assert "отправлено 0, отправлено ранее 2, ошибок 0" in again.output


# --- vks run recordings: the list of recordings to destroy ---------------------------------------


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_recordings_list_names_recordings_not_citizens(here: Path, demo: tuple[Path, Manifest],
                                                       fmt: str) -> None:
    journal, manifest = demo
    jobs = here / "jobs"
    jobs.mkdir()
    (jobs / "recordings.toml").write_text(
        (SHIPPED_JOBS / "recordings.toml").read_text(encoding="utf-8")
        .replace('format = "xlsx"', f'format = "{fmt}"'), encoding="utf-8")
    result = vks("run", "recordings", "--journal", str(journal), "--today", TODAY)
    assert result.exit_code == 0, result.output
    expected = sorted((sheet, row) for sheet, codes in manifest.rows.items()
                      for row in codes["recording-expired"])
    assert f"истек срок хранения: {len(expected)} видеозаписи" in result.output
    path = here / "видеозаписи" / f"видеозаписи-к-уничтожению-2026-11-27.{fmt}"
    assert path.stat().st_mode & 0o777 == shared_file_mode()
    if fmt == "xlsx":
        ws = openpyxl.load_workbook(path).active
        assert ws is not None
        rows = list(ws.iter_rows(min_row=5, values_only=True))
        text = " ".join(str(v) for r in ws.iter_rows(values_only=True) for v in r if v)
    else:
        raw = path.read_bytes()
        assert raw.startswith("\ufeff".encode())
        lines = raw.decode("utf-8-sig").splitlines()
        assert lines[0].split(";")[:4] == ["№", "Орган", "Лист журнала", "Строка"]
        rows = [tuple(line.split(";")) for line in lines[1:]]
        text = raw.decode("utf-8-sig")
    assert sorted((r[2], int(r[3])) for r in rows) == expected
    assert not any(name in text for name in SURNAMES)  # no citizen in the list


# --- Declarations and usage ----------------------------------------------------------------------


def test_a_wrong_declaration_is_refused_with_exit_2(here: Path) -> None:
    jobs = here / "jobs"
    jobs.mkdir()
    (jobs / "daily.toml").write_text('[when]\ntimes = ["8:3O"]\n[[steps]]\ndo = "check"\n',
                                     encoding="utf-8")
    for args in (["run", "daily", "--journal", "x.xlsx"], ["schedule", "--journal", "x.xlsx"],
                 ["status"]):
        result = vks(*args)
        assert result.exit_code == 2, args
        assert result.output == (f"Ошибка: {jobs / 'daily.toml'}: when.times[1] — «8:3O» — "
                                 f"ожидается время ЧЧ:ММ в кавычках, например \"08:30\"\n")


def test_a_job_needs_a_journal_and_an_unknown_job_is_named(here: Path) -> None:
    result = vks("run", "daily", *JOBS)
    assert result.exit_code == 2
    assert "задание «daily»: не указан журнал — передайте --journal ФАЙЛ" in result.output
    result = vks("run", "weekly", *JOBS)
    assert result.exit_code == 2
    assert "задание «weekly» не найдено" in result.output
    assert "daily, intake, midday" in result.output


def test_a_running_job_refuses_a_second_run_naming_the_pid(here: Path,
                                                          demo: tuple[Path, Manifest]) -> None:
    journal, _ = demo
    with Lock(here / ".vks" / "locks" / "job-daily.lock").held():
        result = vks("run", "daily", "--journal", str(journal), *JOBS)
    assert result.exit_code == 3
    assert result.output == (f"Ошибка: задание «daily» уже выполняется (процесс {os.getpid()}); "
                             f"второй запуск не начат — повторите после его окончания\n")


def test_run_due_follows_the_calendar(here: Path, demo: tuple[Path, Manifest],
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    import toolkit.jobs.runner

    journal, _ = demo
    now = [dt.datetime(2026, 12, 30, 8, 30)]  # what cron's «30 8 * * *» sees
    monkeypatch.setattr(toolkit.jobs.runner, "local_clock", lambda config: lambda: now[0])
    first = vks("run", "daily", "--due", "--journal", str(journal), *JOBS)
    assert first.exit_code == 0, first.output
    assert first.stdout.startswith("Задание daily «Ежедневный контроль журналов»: по расписанию,"
                                   " запуск по расписанию 30.12.2026 08:30.\n")
    before = digest(journal)
    now[0] = dt.datetime(2026, 12, 31, 8, 30)  # a day off
    result = vks("run", "daily", "--due", "--journal", str(journal), *JOBS)
    assert result.exit_code == 0
    assert result.stdout == ("Задание daily «Ежедневный контроль журналов»: по расписанию "
                             "сейчас не выполняется; следующий запуск: 11.01.2027 08:30.\n")
    assert digest(journal) == before
    misuse = vks("run", "daily", "--due", "--today", TODAY, "--journal", str(journal), *JOBS)
    assert misuse.exit_code == 2 and "--today с ним не используется" in misuse.output


@pytest.mark.parametrize("command", ["run", "schedule", "status", "doctor"])
def test_reference_documents_every_option(command: str) -> None:
    text = (ROOT / "docs" / "commands.md").read_text(encoding="utf-8")
    start = text.index(f"## `vks {command}`")
    end = min(i for i in (text.find("\n## ", start + 1), text.find("\n<!--", start + 1))
              if i > 0)
    section = text[start:end]
    for param in cli.commands[command].params:
        for opt in param.opts:
            if opt.startswith("--"):
                assert f"`{opt}" in section or f"[{opt}" in section, (command, opt)
    assert cli.commands[command].help


def test_readme_quick_start_runs_the_daily_job() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    first = text[text.index("```sh\n") + 6:].split("\n", 1)[0]
    assert first.endswith("pip install . && vks demo демо.xlsx --force && "
                          "vks run daily --journal демо.xlsx")


# --- vks status ----------------------------------------------------------------------------------


def test_status_shows_last_runs_next_runs_and_open_violations(
        here: Path, demo: tuple[Path, Manifest]) -> None:
    journal, _ = demo
    assert vks("run", "daily", "--journal", str(journal), "--today", TODAY, *JOBS).exit_code == 0
    result = vks("status", "--journal", str(journal), "--today", "2026-11-27 10:00", *JOBS)
    assert result.exit_code == 0, result.output
    out = result.output
    assert out.startswith(f"Состояние на 27.11.2026 10:00. Задания: {SHIPPED_JOBS}\n"
                          f"Планировщик (vks schedule): не запущен\n")
    daily = out[out.index("daily «"):out.index("midday «")]
    assert "  Когда: по рабочим дням в 08:30\n" in daily
    assert "(вручную, " in daily and ") — выполнено\n" in daily
    assert "  Изменено: ячеек журнала " in daily
    assert "  Следующий запуск: пн 30.11.2026 08:30\n" in daily
    assert "monthly «Ежемесячная статистика за прошлый месяц»\n  Когда: в первый рабочий день " \
           "месяца в 09:00\n  Последний запуск: не было\n  Следующий запуск: вт 01.12.2026 " \
           "09:00" in out
    # The open violations per body are what a check (without writing) finds.
    report = check(str(journal), Config(), dt.datetime(2026, 11, 27, 10), write=False)
    for entry in report.to_dict()["journals"]:
        assert (f"    {entry['body']}: ошибок {entry['errors']}, предупреждений "
                f"{entry['warnings']}\n") in out
    payload = json.loads(vks("status", "--journal", str(journal), "--today", "2026-11-27 10:00",
                             "--format", "json", *JOBS).output)
    assert payload["format"] == "vks-status/1"
    assert [j["name"] for j in payload["jobs"]] == ["daily", "intake", "midday", "monthly",
                                                    "recordings", "replies"]
    assert payload["jobs"][0]["last"]["result"] == "ok"
    assert payload["jobs"][0]["next"] == "2026-11-30T08:30:00"
    assert sum(v["errors"] for v in payload["violations"]) == len(report.errors)


def test_status_without_journals_says_so(here: Path) -> None:
    result = vks("status", "--today", "2026-12-30 14:00", *JOBS)
    assert result.exit_code == 0
    assert "Открытые нарушения: журналы не указаны" in result.output
    assert "  Следующий запуск: пн 11.01.2027 08:30\n" in result.output  # after the holidays


# --- vks schedule: a real process ----------------------------------------------------------------


def test_schedule_is_single_instance_and_stops_cleanly_on_sigterm(
        here: Path, demo: tuple[Path, Manifest]) -> None:
    journal, _ = demo
    command = [sys.executable, "-m", "toolkit", "schedule", "--journal", str(journal), *JOBS]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("VKS_CONFIG", None)
    first = subprocess.Popen(command, cwd=here, env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    lock = here / ".vks" / "locks" / "schedule.lock"
    try:
        deadline = time.monotonic() + 30
        while Lock(lock).holder() != first.pid:  # wait for it to start (not a simulated wait)
            assert first.poll() is None, first.communicate()
            assert time.monotonic() < deadline
            time.sleep(0.05)
        second = subprocess.run(command, check=False, cwd=here, env=env, capture_output=True,
                                text=True, timeout=60)
        assert second.returncode == 3
        assert second.stderr == (f"Ошибка: планировщик уже запущен (процесс {first.pid}); "
                                 f"второй экземпляр не запускается\n")
        status = vks("status", *JOBS)
        assert f"Планировщик (vks schedule): работает, процесс {first.pid}" in status.output
        first.send_signal(signal.SIGTERM)
        _, err = first.communicate(timeout=30)
    finally:
        if first.poll() is None:
            first.kill()
            first.wait()
    assert first.returncode == 0, err
    assert "планировщик запущен: процесс" in err
    assert "получен сигнал SIGTERM: остановка после текущего шага" in err
    assert err.rstrip().endswith("Планировщик остановлен.")
    assert lock.read_text() == ""  # released
    assert "Планировщик (vks schedule): не запущен" in vks("status", *JOBS).output
