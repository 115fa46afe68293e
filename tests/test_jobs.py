"""Job declarations (jobs/*.toml): parsed, rejected with file/key/reason, timetables by calendar."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from toolkit.jobs.declarations import (
    SHIPPED_JOBS,
    CheckStep,
    IntakeStep,
    JobsSettings,
    LettersStep,
    NotifyStep,
    RecordingsStep,
    RepliesStep,
    SendStep,
    StatsStep,
    When,
    find_job,
    jobs_folder,
    load_job,
    load_jobs,
)
from toolkit.journal.calendar import WorkingCalendar
from toolkit.journal.config import Config, parse_config
from toolkit.journal.errors import ConfigError

CAL = WorkingCalendar()
D = dt.date
T = dt.datetime
ADMIN_GUIDE = Path(__file__).resolve().parents[1] / "docs" / "admin.md"

DAILY = """
title = "Ежедневный контроль"
journals = ["журнал.xlsx", "gsheet:abc"]
notify = ["admin@example.ru", "Дежурный <duty@example.ru>"]

[when]
times = ["13:00", "08:30"]
working_days = true

[[steps]]
do = "check"
write = true
bodies = ["Министерство"]

[[steps]]
do = "letters"
out = "решения"
pdf = true
"""


def declare(tmp_path: Path, text: str, name: str = "daily") -> Path:
    folder = tmp_path / "jobs"
    folder.mkdir(exist_ok=True)
    path = folder / f"{name}.toml"
    path.write_text(text, encoding="utf-8")
    return path


def rejected(tmp_path: Path, text: str, name: str = "job") -> str:
    path = declare(tmp_path, text, name)
    with pytest.raises(ConfigError) as info:
        load_job(path)
    message = str(info.value)
    # The file comes first: «файл: ключ — …», or «файл, строка N, столбец M: …» for syntax.
    assert message.startswith((f"{path}: ", f"{path}, ")), message
    return message[len(str(path)) + 2:]


# --- Parsing ---------------------------------------------------------------------------------


def test_a_declaration_reads_as_written(tmp_path: Path) -> None:
    job = load_job(declare(tmp_path, DAILY))
    assert job.name == "daily"  # the file's name
    assert job.title == "Ежедневный контроль"
    assert job.journals == ("журнал.xlsx", "gsheet:abc")
    assert job.notify == ("admin@example.ru", "Дежурный <duty@example.ru>")
    assert job.when == When(times=(dt.time(8, 30), dt.time(13)), working_days=True)
    assert job.steps == (CheckStep(write=True, bodies=("Министерство",)),
                         LettersStep(out="решения", pdf=True))
    assert job.enabled


def test_defaults_of_every_step(tmp_path: Path) -> None:
    job = load_job(declare(tmp_path, """
[when]
times = "09:00"
[[steps]]
do = "check"
[[steps]]
do = "write-back"
[[steps]]
do = "letters"
[[steps]]
do = "stats"
[[steps]]
do = "send"
[[steps]]
do = "recordings"
"""))
    assert job.steps == (CheckStep(), CheckStep(write=True), LettersStep(), StatsStep(),
                         SendStep(), RecordingsStep())
    assert StatsStep().formats == ("xlsx", "html", "json") and StatsStep().month == "previous"
    assert (job.title, job.journals, job.notify) == ("", (), ())
    assert job.when.times == (dt.time(9),)


@pytest.mark.parametrize(("text", "reason"), [
    ("[when]\ntimes = [\"8.30\"]\n[[steps]]\ndo = \"check\"\n",
     "when.times[1] — «8.30» — ожидается время ЧЧ:ММ в кавычках, например \"08:30\""),
    ("[when]\ntimes = [\"08:30\", \"25:00\"]\n[[steps]]\ndo = \"check\"\n",
     "when.times[2] — «25:00» — ожидается время ЧЧ:ММ в кавычках, например \"08:30\""),
    ("[when]\ntimes = [830]\n[[steps]]\ndo = \"check\"\n",
     "when.times[1] — не строка — ожидается время ЧЧ:ММ в кавычках, например \"08:30\""),
    ("[when]\ntimes = []\n[[steps]]\ndo = \"check\"\n",
     "when.times — не указано время запуска; например times = [\"08:30\"]"),
    ("[[steps]]\ndo = \"check\"\n",
     "when — не указано, когда выполнять задание (таблица [when] с times = [\"08:30\"])"),
    ("[when]\ntimes = [\"08:30\"]\ndays = [\"mon\", \"пт\"]\n[[steps]]\ndo = \"check\"\n",
     "when.days[2] — «пт» — день недели: mon, tue, wed, thu, fri, sat, sun"),
    ("[when]\ntimes = [\"08:30\"]\nworking_days = \"да\"\n[[steps]]\ndo = \"check\"\n",
     "when.working_days — ожидается true или false"),
    ("[when]\ntimes = [\"08:30\"]\nmonth_day = \"first\"\n[[steps]]\ndo = \"check\"\n",
     "when.month_day — ожидается число от 1 до 31 или \"first-working-day\" (первый рабочий "
     "день месяца)"),
    ("[when]\ntimes = [\"08:30\"]\nmonth_day = 32\n[[steps]]\ndo = \"check\"\n",
     "when.month_day — ожидается число от 1 до 31 или \"first-working-day\" (первый рабочий "
     "день месяца)"),
    ("[when]\ntimes = [\"08:30\"]\nmonths = [13]\n[[steps]]\ndo = \"check\"\n",
     "when.months — ожидается список номеров месяцев от 1 до 12, например [1] — раз в год, "
     "в январе"),
    ("[when]\ntimes = [\"08:30\"]\nworkdays = true\n[[steps]]\ndo = \"check\"\n",
     "when.workdays — неизвестный параметр в [when]; допустимы: days, month_day, months, "
     "times, working_days"),
    ("[when]\ntimes = [\"08:30\"]\n",
     "steps — не указано ни одного шага ([[steps]] с do = …)"),
    ("[when]\ntimes = [\"08:30\"]\n[[steps]]\nwrite = true\n",
     "steps[1].do — не указано, что делать: check, write-back, letters, stats, send, recordings, "
     "notify, replies, intake"),
    ("[when]\ntimes = [\"08:30\"]\n[[steps]]\ndo = \"check\"\n[[steps]]\ndo = \"mail\"\n",
     "steps[2].do — «mail» — неизвестный шаг; допустимы: check, write-back, letters, stats, "
     "send, recordings, notify, replies, intake"),
    ("[when]\ntimes = [\"08:30\"]\n[[steps]]\ndo = \"letters\"\notu = \"решения\"\n",
     "steps[1].otu — неизвестный параметр шага letters; допустимы: bodies, do, out, pdf"),
    ("[when]\ntimes = [\"08:30\"]\n[[steps]]\ndo = \"check\"\nwrite = 1\n",
     "steps[1].write — ожидается true или false"),
    ("[when]\ntimes = [\"08:30\"]\n[[steps]]\ndo = \"stats\"\nmonth = \"last\"\n",
     "steps[1].month — «last» — допустимо: previous, current"),
    ("[when]\ntimes = [\"08:30\"]\n[[steps]]\ndo = \"stats\"\nformats = [\"xlsx\", \"pdf\"]\n",
     "steps[1].formats[2] — «pdf» — допустимо: xlsx, html, json"),
    ("[when]\ntimes = [\"08:30\"]\n[[steps]]\ndo = \"recordings\"\nformat = \"ods\"\n",
     "steps[1].format — «ods» — допустимо: xlsx, csv"),
    ("journals = \"журнал.xlsx\"\nnotify = [\"не адрес\"]\n[when]\ntimes = [\"08:30\"]\n"
     "[[steps]]\ndo = \"check\"\n",
     "notify — «не адрес» не похож на адрес эл. почты"),
    ("titel = \"опечатка\"\n[when]\ntimes = [\"08:30\"]\n[[steps]]\ndo = \"check\"\n",
     "titel — неизвестный параметр задания; допустимы: enabled, journals, notify, steps, "
     "title, when"),
    ("title = \"x\"\n[when\ntimes = [\"08:30\"]\n",
     "строка 2, столбец 6: в конце названия раздела ожидается «]»"),
])
def test_a_mistake_is_rejected_with_file_key_and_reason(tmp_path: Path, text: str,
                                                        reason: str) -> None:
    message = rejected(tmp_path, text)
    if reason.endswith(": "):
        assert message.startswith(reason)
    else:
        assert message == reason


def test_the_file_name_must_be_a_job_name(tmp_path: Path) -> None:
    path = declare(tmp_path, "[when]\ntimes = [\"08:30\"]\n[[steps]]\ndo = \"check\"\n",
                   "мой daily")
    with pytest.raises(ConfigError, match="имя задания — это имя файла"):
        load_job(path)


def test_load_jobs_reads_the_folder_and_stops_at_the_first_mistake(tmp_path: Path) -> None:
    declare(tmp_path, DAILY, "daily")
    declare(tmp_path, "[when]\ntimes = [\"09:00\"]\n[[steps]]\ndo = \"stats\"\n", "monthly")
    (tmp_path / "jobs" / "notes.txt").write_text("не задание", encoding="utf-8")
    assert sorted(load_jobs(tmp_path / "jobs")) == ["daily", "monthly"]
    declare(tmp_path, "[when]\ntimes = [\"9\"]\n[[steps]]\ndo = \"check\"\n", "broken")
    with pytest.raises(ConfigError, match=r"broken\.toml: when\.times\[1\]"):
        load_jobs(tmp_path / "jobs")
    # One job by name reads only its own file: a mistake elsewhere does not stop it.
    assert find_job(tmp_path / "jobs", "daily").name == "daily"
    with pytest.raises(ConfigError, match=r"задание «weekly» не найдено .* broken, daily, "
                                          r"monthly"):
        find_job(tmp_path / "jobs", "weekly")
    with pytest.raises(ConfigError, match=r"папка заданий .* не найдена"):
        load_jobs(tmp_path / "нет")


# --- The [jobs] section and where the declarations are ----------------------------------------


def test_jobs_settings_and_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config_path = tmp_path / "conf" / "vks.toml"
    config = parse_config({"jobs": {"dir": "мои-задания", "notify": "admin@example.ru"}},
                          config_path)
    settings = JobsSettings.from_config(config)
    assert settings.folder == tmp_path / "conf" / "мои-задания"
    assert settings.notify == ("admin@example.ru",)
    assert jobs_folder(config) == tmp_path / "conf" / "мои-задания"
    assert jobs_folder(config, tmp_path / "явно") == tmp_path / "явно"
    with pytest.raises(ConfigError, match=r"неизвестный ключ «folder» \(\[jobs\]\)"):
        JobsSettings.from_config(parse_config({"jobs": {"folder": "x"}}, config_path))
    # Without [jobs] dir: jobs/ beside vks.toml, then ./jobs, then the shipped jobs.
    beside = tmp_path / "conf" / "jobs"
    beside.mkdir(parents=True)
    assert jobs_folder(parse_config({}, config_path)) == beside
    monkeypatch.chdir(tmp_path)
    (tmp_path / "jobs").mkdir()
    assert jobs_folder(Config()) == tmp_path / "jobs"
    (tmp_path / "jobs").rmdir()
    assert jobs_folder(Config()) == SHIPPED_JOBS


# --- Timetables by the production calendar -----------------------------------------------------


def test_working_days_skip_holidays_and_keep_working_saturdays() -> None:
    when = When(times=(dt.time(8, 30),), working_days=True)
    assert when.is_due(D(2026, 12, 30), CAL)
    assert not when.is_due(D(2026, 12, 31), CAL)  # a day off moved from 03.01.2026
    assert not any(when.is_due(D(2027, 1, d), CAL) for d in range(1, 11))
    assert when.is_due(D(2027, 1, 11), CAL)
    assert when.is_due(D(2025, 11, 1), CAL)  # a working Saturday
    assert not when.is_due(D(2025, 11, 3), CAL) and not when.is_due(D(2025, 11, 4), CAL)
    assert not when.is_due(D(2026, 11, 28), CAL)  # an ordinary Saturday
    # Local overrides of the calendar count too.
    local = WorkingCalendar(days_off=[D(2026, 12, 30)], working_days=[D(2026, 12, 26)])
    assert not when.is_due(D(2026, 12, 30), local) and when.is_due(D(2026, 12, 26), local)


def test_first_working_day_of_the_month() -> None:
    when = When(times=(dt.time(9),), first_working_day=True)
    due = [d for d in (D(2025, 11, 1) + dt.timedelta(days=i) for i in range(500))
           if when.is_due(d, CAL)]
    assert due[:3] == [D(2025, 11, 1), D(2025, 12, 1), D(2026, 1, 12)]
    assert D(2027, 1, 11) in due and D(2026, 3, 2) in due  # 01.03.2026 is a Sunday
    assert len(due) == 17 and len({(d.year, d.month) for d in due}) == 17  # XI.2025–III.2027


def test_days_of_week_months_and_day_of_month() -> None:
    fridays = When(times=(dt.time(16),), weekdays=frozenset({4}), working_days=True)
    assert fridays.is_due(D(2026, 11, 27), CAL) and not fridays.is_due(D(2026, 11, 26), CAL)
    assert not fridays.is_due(D(2027, 1, 8), CAL)  # a Friday, but a holiday
    yearly = When(times=(dt.time(10),), month_day=15, months=frozenset({1}))
    assert yearly.is_due(D(2027, 1, 15), CAL) and not yearly.is_due(D(2027, 2, 15), CAL)
    assert yearly.next_slot(T(2026, 11, 27, 12), CAL) == T(2027, 1, 15, 10)
    assert yearly.describe() == "в январь 15-го числа в 10:00"
    assert fridays.describe() == "по дням: пт по рабочим дням в 16:00"


def test_slots_next_and_latest_across_the_new_year() -> None:
    when = When(times=(dt.time(8, 30), dt.time(13)), working_days=True)
    assert list(when.slots(T(2026, 12, 30, 9), T(2027, 1, 11, 9), CAL)) == [
        T(2026, 12, 30, 13), T(2027, 1, 11, 8, 30)]
    assert when.next_slot(T(2026, 12, 30, 13), CAL) == T(2027, 1, 11, 8, 30)
    assert when.next_slot(T(2026, 12, 30, 12, 59), CAL) == T(2026, 12, 30, 13)
    # The latest slot of a span: what catch-up runs once, however many were missed.
    assert when.latest_slot(T(2027, 1, 12, 10), T(2026, 12, 1), CAL) == T(2027, 1, 12, 8, 30)
    assert when.latest_slot(T(2027, 1, 11, 8, 29), T(2026, 12, 30, 13), CAL) is None
    assert when.latest_slot(T(2027, 1, 11, 8, 30), T(2026, 12, 30, 13), CAL) == \
        T(2027, 1, 11, 8, 30)


def test_a_timetable_that_never_comes_has_no_next_slot() -> None:
    never = When(times=(dt.time(9),), month_day=31, months=frozenset({2}))
    assert never.next_slot(T(2026, 1, 1), CAL) is None


# --- The shipped jobs ----------------------------------------------------------------------------


def test_the_shipped_jobs_are_what_the_order_implies() -> None:
    jobs = load_jobs(SHIPPED_JOBS)
    assert sorted(jobs) == ["daily", "intake", "midday", "monthly", "recordings", "replies"]
    daily, midday = jobs["daily"], jobs["midday"]
    assert daily.when == When(times=(dt.time(8, 30),), working_days=True)
    # Overnight answers first, so a confirmation sent late on the last day is not cancelled.
    assert daily.steps == (RepliesStep(), CheckStep(write=True), LettersStep(), NotifyStep())
    replies = jobs["replies"]
    assert replies.when == When(times=tuple(dt.time(h) for h in range(9, 19)),
                                working_days=True)
    assert replies.steps == (RepliesStep(), CheckStep(write=True), NotifyStep())
    assert midday.when == When(times=(dt.time(13),), working_days=True)
    assert midday.steps == (CheckStep(write=True),)
    monthly = jobs["monthly"]
    assert monthly.when == When(times=(dt.time(9),), first_working_day=True)
    assert monthly.steps == (StatsStep(out="статистика"), SendStep())
    recordings = jobs["recordings"]
    assert recordings.when == When(times=(dt.time(10),), first_working_day=True)
    assert recordings.steps == (RecordingsStep(out="видеозаписи"),)
    intake = jobs.pop("intake")  # every working hour, once [intake] is set up (cl. 2.3)
    assert intake.when == When(times=tuple(dt.time(h) for h in range(9, 18)), working_days=True)
    assert intake.steps == (IntakeStep(sources=("выгрузки/*.csv",)),)
    assert not intake.enabled and not intake.journals
    # No journal is fixed in a shipped job: they come from vks.toml or --journal.
    assert all(not job.journals and job.enabled and job.title for job in jobs.values())


# --- The admin guide ---------------------------------------------------------------------------


def _guide_jobs_section() -> str:
    text = ADMIN_GUIDE.read_text(encoding="utf-8")
    start = text.index("## Задания по расписанию")
    return text[start:text.index("\n## ", start + 1)]


def test_the_guide_job_example_is_a_valid_declaration(tmp_path: Path) -> None:
    section = _guide_jobs_section()
    examples = re.findall(r"```toml\n(.*?)```", section, re.S)
    assert examples
    job = load_job(declare(tmp_path, examples[0], "daily"))
    assert job.steps and job.when.times


def test_the_guide_documents_every_key_and_step() -> None:
    section = _guide_jobs_section()
    for key in ("title", "journals", "notify", "enabled", "times", "days", "working_days",
                "month_day", "\"first-working-day\"", "months", "write", "bodies", "out", "pdf",
                "month", "formats", "format", "sources", "mailbox", "[jobs]"):
        assert f"`{key}" in section, key
    for kind in ("check", "write-back", "letters", "stats", "send", "recordings", "notify",
                 "replies", "intake"):
        assert f"`{kind}`" in section, kind
    for name in load_jobs(SHIPPED_JOBS):
        assert f"`{name}`" in section, name
