"""Job declarations: what runs when, declared in `jobs/*.toml` without code.

    jobs = load_jobs(Path("jobs"))
    daily = jobs["daily"]
    daily.when.is_due(dt.date(2026, 12, 31), calendar)            # False: a day off
    daily.when.next_slot(dt.datetime(2026, 12, 30, 9), calendar)   # 11.01.2027 08:30

One file per job; the job's name is the file name (`jobs/daily.toml` → `vks run daily`):

    title = "Ежедневный контроль журналов"
    notify = ["admin@example.ru"]        # who is told of failures (default: [jobs] notify)
    # journals = ["журнал.xlsx"]         # default: journals of vks.toml, or --journal

    [when]
    times = ["08:30"]
    working_days = true                  # by the production calendar

    [[steps]]
    do = "check"
    write = true

    [[steps]]
    do = "letters"

A day is due when every condition of `[when]` holds (days of the week, working day, day of the
month or first working day, months); the job then runs at each of `times`, local time of the
configured zone. Every mistake is a ConfigError naming the file, the key and the reason.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from toolkit.jobs.step_types import (  # re-exported: declarations are read with their steps
    STEP_KINDS,
    CheckStep,
    IntakeStep,
    LettersStep,
    NotifyStep,
    RecordingsStep,
    RepliesStep,
    SendStep,
    StatsStep,
    Step,
)
from toolkit.jobs.when import FIRST_WORKING_DAY, When
from toolkit.journal.config import WEEKDAYS, Config, read_toml
from toolkit.journal.errors import ConfigError
from toolkit.journal.shipped import shipped

_TIME_RE = re.compile(r"^(\d{1,2}):(\d{2})$")
_NAME_RE = re.compile(r"^[\w][\w-]*$")


@dataclass(frozen=True)
class Job:
    """One declared job."""

    name: str
    path: Path
    title: str
    when: When
    steps: tuple[Step, ...]
    journals: tuple[str, ...] = ()
    notify: tuple[str, ...] = ()
    enabled: bool = True

    @property
    def label(self) -> str:
        return f"{self.name} «{self.title}»" if self.title else self.name


# --- Reading declarations --------------------------------------------------------------------


class _Table:
    """One TOML table of a declaration: typed values, and unknown keys reported by name."""

    def __init__(self, where: str, prefix: str, data: Mapping[str, Any]) -> None:
        self.where = where
        self.prefix = prefix
        self.data = data
        self.used: set[str] = set()

    def key(self, name: str) -> str:
        return f"{self.prefix}{name}"

    def fail(self, name: str, why: str) -> ConfigError:
        return ConfigError(f"{self.where}: {self.key(name)} — {why}")

    def get(self, name: str) -> Any:
        self.used.add(name)
        return self.data.get(name)

    def text(self, name: str, default: str = "") -> str:
        value = self.get(name)
        if value is None:
            return default
        if not isinstance(value, str):
            raise self.fail(name, "ожидается строка в кавычках")
        return value.strip()

    def flag(self, name: str, default: bool = False) -> bool:
        value = self.get(name)
        if value is None:
            return default
        if not isinstance(value, bool):
            raise self.fail(name, "ожидается true или false")
        return value

    def texts(self, name: str) -> tuple[str, ...]:
        value = self.get(name)
        if value is None:
            return ()
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip()
                                                  for v in value):
            raise self.fail(name, "ожидается список строк, например [\"…\", \"…\"]")
        return tuple(v.strip() for v in value)

    def choice(self, name: str, choices: Sequence[str], default: str) -> str:
        value = self.text(name, default)
        if value not in choices:
            raise self.fail(name, f"«{value}» — допустимо: {', '.join(choices)}")
        return value

    def finish(self, what: str) -> None:
        unknown = sorted(set(self.data) - self.used)
        if unknown:
            allowed = ", ".join(sorted(self.used))
            raise self.fail(unknown[0], f"неизвестный параметр {what}; допустимы: {allowed}")


def _time(table: _Table, name: str, index: int, value: object) -> dt.time:
    m = _TIME_RE.match(value.strip()) if isinstance(value, str) else None
    if m:
        try:
            return dt.time(int(m.group(1)), int(m.group(2)))
        except ValueError:
            pass
    shown = f"«{value}»" if isinstance(value, str) else "не строка"
    raise table.fail(f"{name}[{index + 1}]",
                     f"{shown} — ожидается время ЧЧ:ММ в кавычках, например \"08:30\"")


def _when(where: str, raw: object) -> When:
    if raw is None:
        raise ConfigError(f"{where}: when — не указано, когда выполнять задание "
                          f"(таблица [when] с times = [\"08:30\"])")
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: when — ожидается таблица [when]")
    table = _Table(where, "when.", raw)
    times_raw = table.get("times")
    if isinstance(times_raw, str):
        times_raw = [times_raw]
    if not isinstance(times_raw, list) or not times_raw:
        raise table.fail("times", "не указано время запуска; например times = [\"08:30\"]")
    times = tuple(sorted({_time(table, "times", i, v) for i, v in enumerate(times_raw)}))
    days = table.texts("days")
    for i, day in enumerate(days):
        if day not in WEEKDAYS:
            raise table.fail(f"days[{i + 1}]",
                             f"«{day}» — день недели: {', '.join(WEEKDAYS)}")
    weekdays = frozenset(WEEKDAYS.index(d) for d in days) if days else frozenset(range(7))
    working = table.flag("working_days")
    month_day: int | None = None
    first = False
    raw_day = table.get("month_day")
    if raw_day == FIRST_WORKING_DAY:
        first = True
    elif raw_day is not None:
        if isinstance(raw_day, bool) or not isinstance(raw_day, int) or not 1 <= raw_day <= 31:
            raise table.fail("month_day", f"ожидается число от 1 до 31 или "
                                          f"\"{FIRST_WORKING_DAY}\" (первый рабочий день месяца)")
        month_day = raw_day
    months_raw = table.get("months")
    months = frozenset(range(1, 13))
    if months_raw is not None:
        if isinstance(months_raw, int) and not isinstance(months_raw, bool):
            months_raw = [months_raw]
        if (not isinstance(months_raw, list) or not months_raw
                or not all(isinstance(m, int) and not isinstance(m, bool) and 1 <= m <= 12
                           for m in months_raw)):
            raise table.fail("months", "ожидается список номеров месяцев от 1 до 12, "
                                       "например [1] — раз в год, в январе")
        months = frozenset(months_raw)
    table.finish("в [when]")
    return When(times, weekdays, working, month_day, first, months)


def _step(where: str, index: int, raw: object) -> Step:
    prefix = f"steps[{index + 1}]"
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: {prefix} — ожидается таблица [[steps]]")
    table = _Table(where, f"{prefix}.", raw)
    kind = table.text("do")
    if not kind:
        raise table.fail("do", f"не указано, что делать: {', '.join(STEP_KINDS)}")
    if kind not in STEP_KINDS:
        raise table.fail("do", f"«{kind}» — неизвестный шаг; допустимы: {', '.join(STEP_KINDS)}")
    step: Step
    if kind in ("check", "write-back"):
        step = CheckStep(write=table.flag("write", kind == "write-back"),
                         bodies=table.texts("bodies"))
    elif kind == "letters":
        step = LettersStep(out=table.text("out") or None, pdf=table.flag("pdf"),
                           bodies=table.texts("bodies"))
    elif kind == "stats":
        formats = table.texts("formats") or StatsStep.formats
        for i, fmt in enumerate(formats):
            if fmt not in StatsStep.formats:
                raise table.fail(f"formats[{i + 1}]",
                                 f"«{fmt}» — допустимо: {', '.join(StatsStep.formats)}")
        step = StatsStep(out=table.text("out") or None,
                         month=table.choice("month", ("previous", "current"), "previous"),
                         formats=tuple(dict.fromkeys(formats)), bodies=table.texts("bodies"))
    elif kind == "send":
        step = SendStep(month=table.choice("month", ("previous", "current"), "previous"))
    elif kind == "notify":
        step = NotifyStep()
    elif kind == "replies":
        step = RepliesStep()
    elif kind == "intake":
        step = IntakeStep(sources=table.texts("sources"), mailbox=table.flag("mailbox"))
        if not step.sources and not step.mailbox:
            raise table.fail("sources", "укажите файлы выгрузки заявок (sources = [\"…\"]) "
                                        "и/или mailbox = true")
    else:
        step = RecordingsStep(out=table.text("out") or None,
                              format=table.choice("format", ("xlsx", "csv"), "xlsx"),
                              bodies=table.texts("bodies"))
    table.finish(f"шага {kind}")
    return step


def parse_job(data: Mapping[str, Any], path: Path) -> Job:
    """A job from a parsed declaration; `path` names it (its file name) and its messages."""
    where = str(path)
    name = path.stem
    if not _NAME_RE.match(name):
        raise ConfigError(f"{where}: имя задания — это имя файла; допустимы буквы, цифры, «-» "
                          f"и «_», без пробелов")
    table = _Table(where, "", data)
    title = table.text("title")
    enabled = table.flag("enabled", True)
    journals = table.texts("journals")
    notify_raw = table.get("notify")
    notify: tuple[str, ...] = ()
    if notify_raw is not None:
        from toolkit.mail.smtp import addresses

        notify = addresses(notify_raw, f"{where}: notify")
    when = _when(where, table.get("when"))
    steps_raw = table.get("steps")
    if steps_raw is None or steps_raw == []:
        raise ConfigError(f"{where}: steps — не указано ни одного шага ([[steps]] с do = …)")
    if not isinstance(steps_raw, list):
        raise ConfigError(f"{where}: steps — ожидается список таблиц [[steps]]")
    steps = tuple(_step(where, i, raw) for i, raw in enumerate(steps_raw))
    table.finish("задания")
    return Job(name, path, title, when, steps, journals, notify, enabled)


def load_job(path: Path) -> Job:
    """Read one declaration file."""
    data = read_toml(path, "файл задания")
    return parse_job(data, path)


def load_jobs(folder: Path) -> dict[str, Job]:
    """Every declaration of a folder (`*.toml`), by name; the first mistake stops the load."""
    if not folder.is_dir():
        raise ConfigError(f"папка заданий {folder} не найдена")
    return {job.name: job for job in (load_job(p) for p in sorted(folder.glob("*.toml")))}


def find_job(folder: Path, name: str) -> Job:
    """One job by name: only its own file is read, so a mistake elsewhere does not stop it."""
    path = folder / f"{name}.toml"
    if not path.is_file():
        known = ", ".join(sorted(p.stem for p in folder.glob("*.toml"))) or "нет ни одного"
        raise ConfigError(f"задание «{name}» не найдено в папке {folder} (задания: {known})")
    return load_job(path)


# --- The [jobs] section of vks.toml ----------------------------------------------------------


@dataclass(frozen=True)
class JobsSettings:
    """`[jobs]` of vks.toml: where the declarations are, who is told of failures by default,
    and how a write that found the journal open in Excel/LibreOffice is retried."""

    folder: Path | None = None
    notify: tuple[str, ...] = ()
    busy_retry_minutes: int = 15  # a journal found open is tried again this often …
    busy_retry_until: dt.time = dt.time(18, 0)  # … until this time of the same day

    @classmethod
    def from_config(cls, config: Config) -> JobsSettings:
        where = f"{config.path or 'настройки'}: [jobs]"
        table = _Table(where, "", config.section("jobs"))
        folder = table.text("dir")
        notify_raw = table.get("notify")
        minutes = table.get("busy_retry_minutes")
        until_raw = table.get("busy_retry_until")
        table.finish("в [jobs]")
        notify: tuple[str, ...] = ()
        if notify_raw is not None:
            from toolkit.mail.smtp import addresses

            notify = addresses(notify_raw, f"{where} notify")
        if minutes is None:
            minutes = cls.busy_retry_minutes
        if not isinstance(minutes, int) or isinstance(minutes, bool) or not 1 <= minutes <= 240:
            raise table.fail("busy_retry_minutes", "ожидается число минут от 1 до 240")
        until = cls.busy_retry_until
        if until_raw is not None:
            m = _TIME_RE.match(until_raw.strip()) if isinstance(until_raw, str) else None
            if m is None or int(m.group(1)) > 23 or int(m.group(2)) > 59:
                raise table.fail("busy_retry_until", "ожидается время ЧЧ:ММ в кавычках, "
                                 "например \"18:00\"")
            until = dt.time(int(m.group(1)), int(m.group(2)))
        path = None
        if folder:
            path = Path(folder).expanduser()
            if not path.is_absolute() and config.path is not None:
                path = config.path.parent / path
        return cls(path, notify, minutes, until)


SHIPPED_JOBS = shipped("jobs")


def jobs_folder(config: Config, explicit: Path | None = None) -> Path:
    """Where the declarations are: --jobs, `[jobs] dir`, `jobs/` beside vks.toml, `./jobs`, or
    the jobs shipped with the program."""
    if explicit is not None:
        return explicit
    settings = JobsSettings.from_config(config)
    if settings.folder is not None:
        return settings.folder
    candidates = []
    if config.path is not None:
        candidates.append(config.path.parent / "jobs")
    candidates.extend([Path.cwd() / "jobs", SHIPPED_JOBS])
    for candidate in candidates:
        if candidate.is_dir():
            return candidate
    raise ConfigError("папка заданий не найдена: укажите --jobs ПАПКА или [jobs] dir "
                      "в файле настроек")


def relative_to_config(config: Config, value: str) -> Path:
    """A folder or file named in a declaration: relative to vks.toml's folder (or the current
    folder when there is no config file)."""
    path = Path(value).expanduser()
    if not path.is_absolute() and config.path is not None:
        path = config.path.parent / path
    return path


__all__ = [
    "FIRST_WORKING_DAY",
    "CheckStep",
    "IntakeStep",
    "Job",
    "JobsSettings",
    "LettersStep",
    "NotifyStep",
    "RecordingsStep",
    "RepliesStep",
    "SendStep",
    "StatsStep",
    "Step",
    "When",
    "find_job",
    "jobs_folder",
    "load_job",
    "load_jobs",
    "parse_job",
]
