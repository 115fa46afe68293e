"""Configuration from one TOML file (`vks.toml`): bodies, journals, calendar, time zone.

Every value has a default, so the toolkit works on the demo journal with no file at all.
`vks.example.toml` in the repository documents every key.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import tomllib
import zoneinfo
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from toolkit.journal.errors import ConfigError
from toolkit.journal.settings import BODIES, known_keys
from toolkit.journal.text import formula_start

DEFAULT_TIMEZONE = "Asia/Novokuznetsk"
CONFIG_ENV = "VKS_CONFIG"
DEFAULT_CONFIG_NAME = "vks.toml"
MAX_TOML = 1 << 20  # bytes of a settings or job file read at most

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_EMAIL_RE = re.compile(r"^[^@\s<>,;]+@[^@\s<>,;]+\.[^@\s<>,;.]{2,}$")
_SPAN_RE = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*[-–—]\s*(\d{1,2}):(\d{2})\s*$")

Span = tuple[dt.time, dt.time]


@dataclass(frozen=True)
class Body:
    """A body that holds video receptions and keeps its own journal (cl. 1.2, 2.4)."""

    name: str
    sheet: str
    journal: str | None = None
    phone: str = ""
    controller: str = ""  # the official who controls video receptions (App. 2, first signature)
    unit_head: str = ""  # head of the specialist's structural unit (App. 2, second signature)
    address: str = ""  # the body's postal address: the letterhead of its decisions
    email: str = ""  # the body's e-mail: its letterhead, and the sender of notices (cl. 2.4)
    hours: tuple[Span | None, ...] = field(
        default=(
            (dt.time(9), dt.time(18)),
            (dt.time(9), dt.time(18)),
            (dt.time(9), dt.time(18)),
            (dt.time(9), dt.time(18)),
            (dt.time(9), dt.time(17)),
            None,
            None,
        )
    )
    lunch: Span | None = (dt.time(13), dt.time(14))
    recipients: tuple[str, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)
    specialists: tuple[str, ...] = ()  # authorised specialists (cl. 3.3); empty: not checked
    telemost_token_env: str = ""  # variable holding the Yandex 360 OAuth token (cl. 1.3)
    imap_folder: str = ""  # the mailbox folder its citizens' replies arrive in ("" — [imap])

    def open_hours(self, day: dt.date) -> Span | None:
        """The body's working hours on a day (None when it does not receive then).

        A Saturday or Sunday made a working day by the production calendar follows Monday's
        schedule unless the config gives that weekday hours of its own.
        """
        hours = self.hours[day.weekday()]
        if hours is None and day.weekday() >= 5:
            return self.hours[0]
        return hours


@dataclass(frozen=True)
class CalendarSettings:
    days_off: tuple[dt.date, ...] = ()
    working_days: tuple[dt.date, ...] = ()
    short_days: tuple[dt.date, ...] = ()  # shortened by one hour, beyond the derived ones
    hours: tuple[tuple[dt.date, Span], ...] = ()  # exact hours of every body on a date


@dataclass(frozen=True)
class Config:
    """The whole configuration; unknown sections stay available to the parts that use them."""

    path: Path | None = None
    timezone: str = DEFAULT_TIMEZONE
    state_dir: Path | None = None
    journals: tuple[str, ...] = ()
    calendar: CalendarSettings = CalendarSettings()
    bodies: tuple[Body, ...] = ()
    sections: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)

    def body_for_sheet(self, sheet: str, journal: str | None = None) -> Body | None:
        """The configured body whose journal is `sheet` (of `journal`), if any."""
        for body in self.bodies:
            if body.sheet == sheet and (body.journal is None or journal is None
                                        or _same_journal(body.journal, journal, self.path)):
                return body
        return None

    def body_named(self, name: str) -> Body | None:
        wanted = name.strip().casefold()
        for body in self.bodies:
            if wanted in (body.name.casefold(), body.sheet.casefold()):
                return body
        return None

    def section(self, name: str) -> dict[str, Any]:
        """A top-level table the core does not interpret (mail, stats, google…), or {}."""
        value = self.sections.get(name, {})
        return value if isinstance(value, dict) else {}

    def resolve(self, location: str) -> str:
        """A journal location from the config, relative to the config file's folder."""
        if ":" in location.split("/", 1)[0] and not re.match(r"^[A-Za-z]:[\\/]", location):
            return location  # gsheet:… and other schemes
        path = Path(location).expanduser()
        if not path.is_absolute() and self.path is not None:
            path = self.path.parent / path
        return str(path)


def _same_journal(configured: str, given: str, config_path: Path | None) -> bool:
    if configured == given:
        return True
    from toolkit.journal.locations import is_google, same_spreadsheet

    if is_google(configured) or is_google(given):
        return same_spreadsheet(configured, given)
    base = config_path.parent if config_path else Path.cwd()
    try:
        return (base / configured).resolve() == Path(given).resolve()
    except OSError:
        return False


def find_config(explicit: str | os.PathLike[str] | None = None) -> Path | None:
    """The config file to use: the one given, $VKS_CONFIG, or ./vks.toml if present."""
    if explicit:
        return Path(explicit)
    env = os.environ.get(CONFIG_ENV)
    if env:
        return Path(env)
    local = Path.cwd() / DEFAULT_CONFIG_NAME
    return local if local.is_file() else None


def load_config(path: str | os.PathLike[str] | None = None) -> Config:
    """Read and validate the configuration; defaults when there is no file."""
    found = find_config(path)
    if found is None:
        return Config()
    return parse_config(read_toml(found, "файл настроек"), found)


def read_toml(path: Path, what: str) -> dict[str, Any]:
    """A TOML file's tables; a ConfigError names the file (`what` says which kind) and why."""
    from toolkit.journal.errors import describe_os_error
    from toolkit.journal.files import read_regular

    try:
        # A FIFO or a device in place of the file is refused, not waited on forever.
        return tomllib.loads(read_regular(path, MAX_TOML).decode("utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: {what} не найден") from None
    except tomllib.TOMLDecodeError as exc:
        from toolkit.journal.toml_errors import describe

        raise ConfigError(f"{path}, {describe(exc)}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: {what} не в кодировке UTF-8") from None
    except OSError as exc:
        raise ConfigError(f"{what} не прочитан: {describe_os_error(exc, path)}") from None


def parse_config(data: dict[str, Any], path: Path | None = None) -> Config:
    from toolkit.journal.settings import check_keys

    check_keys(data, path)  # a typo fails now, not weeks later as a missing recipient
    where = str(path) if path else "настройки"
    reader = _Reader(where)
    timezone = reader.text(data, "timezone", DEFAULT_TIMEZONE)
    try:
        zoneinfo.ZoneInfo(timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"{where}: timezone = «{timezone}» — неизвестный часовой пояс") from None
    state = reader.text(data, "state_dir", "")
    state_dir = None
    if state:
        state_dir = Path(state).expanduser()
        if not state_dir.is_absolute() and path is not None:
            state_dir = path.parent / state_dir
    cal = data.get("calendar", {})
    if not isinstance(cal, dict):
        raise ConfigError(f"{where}: [calendar] должен быть таблицей")
    calendar = CalendarSettings(
        days_off=tuple(reader.dates(cal, "days_off", "calendar.days_off")),
        working_days=tuple(reader.dates(cal, "working_days", "calendar.working_days")),
        short_days=tuple(reader.dates(cal, "short_days", "calendar.short_days")),
        hours=reader.day_hours(cal),
    )
    reader.check_calendar(cal, calendar)
    bodies_raw = data.get("bodies", [])
    if not isinstance(bodies_raw, list):
        raise ConfigError(f"{where}: bodies должен быть списком таблиц [[bodies]]")
    bodies = tuple(reader.body(raw, i) for i, raw in enumerate(bodies_raw))
    seen: set[str] = set()
    for body in bodies:
        key = f"{body.journal or ''}\x00{body.sheet}"
        if key in seen:
            raise ConfigError(f"{where}: лист «{body.sheet}» указан у двух органов")
        seen.add(key)
    journals = data.get("journals", [])
    if isinstance(journals, str):
        journals = [journals]
    if not isinstance(journals, list) or not all(isinstance(j, str) for j in journals):
        raise ConfigError(f"{where}: journals должен быть списком строк")
    known = {"timezone", "state_dir", "calendar", "bodies", "journals"}
    sections = {k: v for k, v in data.items() if k not in known}
    return Config(
        path=path,
        timezone=timezone,
        state_dir=state_dir,
        journals=tuple(journals),
        calendar=calendar,
        bodies=bodies,
        sections=sections,
    )


class _Reader:
    """Typed access to TOML values with messages that name the file and the key."""

    def __init__(self, where: str) -> None:
        self.where = where

    def fail(self, key: str, why: str) -> ConfigError:
        return ConfigError(f"{self.where}: {key} — {why}")

    def text(self, table: dict[str, Any], key: str, default: str, name: str = "") -> str:
        value = table.get(key, default)
        if not isinstance(value, str):
            raise self.fail(name or key, "ожидается строка в кавычках")
        return value.strip()

    def dates(self, table: dict[str, Any], key: str, name: str) -> list[dt.date]:
        values = table.get(key, [])
        if not isinstance(values, list):
            raise self.fail(name, "ожидается список дат, например [\"2026-12-31\"]")
        out = []
        for value in values:
            if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
                out.append(value)
                continue
            try:
                out.append(dt.date.fromisoformat(str(value)))
            except ValueError:
                raise self.fail(name, f"«{value}» — не дата ГГГГ-ММ-ДД") from None
        return out

    def span(self, value: object, name: str) -> Span | None:
        if value in ("", "-", "нет", None):
            return None
        m = _SPAN_RE.match(str(value))
        if not m:
            raise self.fail(name, f"«{value}» — ожидается интервал вида \"09:00-18:00\"")
        try:
            start = dt.time(int(m.group(1)), int(m.group(2)))
            end = dt.time(int(m.group(3)), int(m.group(4)))
        except ValueError:
            raise self.fail(name, f"«{value}» — неверное время") from None
        if end <= start:
            raise self.fail(name, f"«{value}» — конец раньше начала")
        return start, end

    def body(self, raw: object, i: int) -> Body:
        prefix = f"bodies[{i + 1}]"
        if not isinstance(raw, dict):
            raise self.fail(prefix, "ожидается таблица [[bodies]]")
        name = self.text(raw, "name", "", f"{prefix}.name")
        if not name:
            raise self.fail(f"{prefix}.name", "не указано наименование органа")
        sheet = self.text(raw, "sheet", name[:31], f"{prefix}.sheet")
        hours = list(Body.hours)
        if "hours" in raw:
            span = self.span(raw["hours"], f"{prefix}.hours")
            hours = [span] * 5 + [None, None]
        by_day = raw.get("hours_by_day", {})
        if not isinstance(by_day, dict):
            raise self.fail(f"{prefix}.hours_by_day", "ожидается таблица mon = \"09:00-18:00\"")
        for day, value in by_day.items():
            if day not in WEEKDAYS:
                raise self.fail(f"{prefix}.hours_by_day.{day}",
                                "день недели: mon, tue, wed, thu, fri, sat или sun")
            hours[WEEKDAYS.index(day)] = self.span(value, f"{prefix}.hours_by_day.{day}")
        lunch = Body.lunch
        if "lunch" in raw:
            lunch = self.span(raw["lunch"], f"{prefix}.lunch")
        recipients = raw.get("recipients", [])
        if isinstance(recipients, str):
            recipients = [recipients]
        if not isinstance(recipients, list) or not all(isinstance(r, str) for r in recipients):
            raise self.fail(f"{prefix}.recipients", "ожидается список адресов эл. почты")
        journal = raw.get("journal")
        if journal is not None and not isinstance(journal, str):
            raise self.fail(f"{prefix}.journal", "ожидается путь к файлу или gsheet:…")
        known = BODY_KEYS
        return Body(
            name=name,
            sheet=sheet,
            journal=journal,
            phone=self.text(raw, "phone", "", f"{prefix}.phone"),
            controller=self.text(raw, "controller", "", f"{prefix}.controller"),
            unit_head=self.text(raw, "unit_head", "", f"{prefix}.unit_head"),
            address=self.text(raw, "address", "", f"{prefix}.address"),
            hours=tuple(hours),
            lunch=lunch,
            recipients=tuple(recipients),
            extra={k: v for k, v in raw.items() if k not in known},
            specialists=self.specialists(raw, prefix),
            email=self.email(raw, prefix),
            telemost_token_env=self.text(raw, "telemost_token_env", "",
                                         f"{prefix}.telemost_token_env"),
            imap_folder=self.text(raw, "imap_folder", "", f"{prefix}.imap_folder"),
        )

    def email(self, raw: dict[str, Any], prefix: str) -> str:
        """[[bodies]] email: one plain address (the sender of notices)."""
        value = self.text(raw, "email", "", f"{prefix}.email")
        if value and not re.fullmatch(r"[^@\s<>,;:\"()\[\]\\]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}",
                                      value):
            raise self.fail(f"{prefix}.email", f"«{value}» — ожидается один адрес эл. почты, "
                                               f"например \"priem@example.ru\"")
        return value

    def day_hours(self, cal: dict[str, Any]) -> tuple[tuple[dt.date, Span], ...]:
        """[calendar] hours = { "2026-12-30" = "09:00-16:00" }: hours of every body that day."""
        table = cal.get("hours", {})
        if not isinstance(table, dict):
            raise self.fail("calendar.hours",
                            "ожидается таблица { \"2026-12-30\" = \"09:00-16:00\" }")
        out = []
        for key, value in table.items():
            name = f"calendar.hours.{key}"
            try:
                day = dt.date.fromisoformat(str(key))
            except ValueError:
                raise self.fail(name, f"«{key}» — не дата ГГГГ-ММ-ДД") from None
            span = self.span(value, name)
            if span is None:
                raise self.fail(name, "нерабочий день указывается в calendar.days_off")
            out.append((day, span))
        return tuple(sorted(out))

    def check_calendar(self, cal: dict[str, Any], calendar: CalendarSettings) -> None:
        """A date listed as a day off is neither shortened nor given hours (unknown keys were
        refused by `settings.check_keys`)."""
        off = set(calendar.days_off)
        for day in calendar.short_days:
            if day in off:
                raise self.fail("calendar.short_days",
                                f"«{day.isoformat()}» указан и в calendar.days_off")
        for day, _ in calendar.hours:
            if day in off:
                raise self.fail(f"calendar.hours.{day.isoformat()}",
                                "этот день указан и в calendar.days_off")

    def specialists(self, raw: dict[str, Any], prefix: str) -> tuple[str, ...]:
        """[[bodies]] specialists = ["Тарасов Евгений Павлович", …]: the roster (cl. 3.3)."""
        values = raw.get("specialists", [])
        name = f"{prefix}.specialists"
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            raise self.fail(name, "ожидается список Ф.И.О., например [\"Тарасов Евгений "
                                  "Павлович\"]")
        from toolkit.journal.specialists import parse_specialist

        for i, value in enumerate(values, start=1):
            if formula_start(value.strip()):
                # The list feeds a drop-down sheet: never anything a spreadsheet would run.
                raise self.fail(name, f"запись {i} начинается со знака формулы")
            surname, initials = parse_specialist(value)
            if not surname or not initials:
                # The entry itself is personal data: name its position, not its text.
                raise self.fail(name, f"запись {i} — ожидаются фамилия, имя и отчество "
                                      "(или фамилия и инициалы)")
        return tuple(" ".join(value.split()) for value in values)


BODY_KEYS = frozenset(known_keys(BODIES))
