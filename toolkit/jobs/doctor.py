"""`vks doctor`: is this installation ready to run its jobs? One line per check, ✓ or ✗.

    checks = diagnose(config_path, journals=(), jobs_dir=None, now=dt.datetime(2026, 11, 27))
    print(render(checks))     # ✓ Настройки: /srv/vks/vks.toml …  ✗ Почта: … → Что сделать: …

`vks run monthly --dry-run` says «выполнено» and `vks schedule` starts even when the first real
monthly run will fail on a missing SMTP password; the doctor looks at what the jobs will need —
the settings, every journal (readable, header by Appendix 1, writable), the production calendar
of this and next year, the mail server (logging in, sending nothing), LibreOffice, the state
folder, the job declarations — and says what to do about each problem. Nothing is written to a
journal and no mail is sent.
"""

from __future__ import annotations

import datetime as dt
import errno
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from toolkit.jobs.declarations import Job
from toolkit.journal.config import Config, load_config
from toolkit.journal.errors import ToolkitError
from toolkit.journal.russian import count

OK, BAD = "✓", "✗"


@dataclass(frozen=True)
class Check:
    """One finding of the doctor: whether it is fine, what was seen, what to do if not."""

    ok: bool
    line: str
    fix: str = ""


def diagnose(config_path: str | None, journals: Sequence[str] = (),
             jobs_dir: Path | None = None, now: dt.datetime | None = None) -> list[Check]:
    """Every check, in the order an administrator fixes things."""
    try:
        config = load_config(config_path)
        sharing = _sharing(config)
    except ToolkitError as exc:
        return [Check(False, f"Настройки: {exc}",
                      "исправьте файл настроек (все ключи — docs/settings.md) и запустите "
                      "vks doctor снова; остальное проверяется после этого")]
    where = str(config.path) if config.path else "файла настроек нет — значения по умолчанию"
    checks = [Check(True, f"Настройки: {where}"), sharing]
    jobs, job_check = _jobs(config, jobs_dir)
    checks.append(job_check)
    locations = _locations(config, journals, jobs)
    checks.extend(_journals(config, locations))
    checks.extend(_calendar(config, now or dt.datetime.now(config.zone)))
    checks.append(_mail(config, jobs))
    checks.append(_soffice(config, jobs))
    checks.extend(_state(config, locations))
    return checks


def render(checks: Sequence[Check]) -> str:
    lines = []
    for check in checks:
        lines.append(f"{OK if check.ok else BAD} {check.line}")
        if not check.ok and check.fix:
            lines.append(f"    Что сделать: {check.fix}")
    bad = sum(not c.ok for c in checks)
    lines.append("")
    lines.append("Итог: все в порядке." if not bad else
                 f"Итог: {count(bad, 'проблема', 'проблемы', 'проблем')} — исправьте и "
                 f"запустите vks doctor снова.")
    return "\n".join(lines)


def exit_code(checks: Sequence[Check]) -> int:
    return 0 if all(c.ok for c in checks) else 1


# --- The checks --------------------------------------------------------------------------------


def _sharing(config: Config) -> Check:
    from toolkit.journal.files import Sharing, current_umask

    sharing = Sharing.from_section(config.section("files"),
                                   f"{config.path or 'настройки'}: [files]")
    mode = sharing.mode if sharing.mode is not None else 0o666 & ~current_umask()
    how = "[files] mode" if sharing.mode is not None else f"umask {current_umask():04o}"
    text = f"Права новых журналов, решений и отчетов: {mode:04o} ({how})"
    text += f", группа {sharing.group}" if sharing.group else ""
    if mode & 0o004:
        return Check(False, text + " — их сможет прочитать любой пользователь сервера, а в "
                                   "них персональные данные граждан",
                     "запускайте программу с umask 027 (UMask=0027 в службах deploy/) или "
                     "укажите [files] mode = \"0640\" и group (docs/admin.md, «Доступ "
                     "сотрудников»)")
    return Check(True, text)


def _jobs(config: Config, jobs_dir: Path | None) -> tuple[dict[str, Job], Check]:
    from toolkit.jobs.declarations import jobs_folder, load_jobs

    try:
        folder = jobs_folder(config, jobs_dir)
        jobs = load_jobs(folder)
    except ToolkitError as exc:
        return {}, Check(False, f"Задания: {exc}",
                         "исправьте описание задания (docs/admin.md, «Задания») или укажите "
                         "папку: --jobs ПАПКА, [jobs] dir")
    if not jobs:
        return {}, Check(False, f"Задания: в папке {folder} нет ни одного файла *.toml",
                         "скопируйте задания из папки jobs программы или укажите [jobs] dir")
    names = ", ".join(sorted(jobs))
    return jobs, Check(True, f"Задания ({folder}): {names}")


def _locations(config: Config, journals: Sequence[str], jobs: dict[str, Job]) -> list[str]:
    """The journals the jobs will open: --journal, else vks.toml's, the bodies' and the jobs'."""
    if journals:
        return list(journals)
    listed = [*config.journals, *(b.journal for b in config.bodies if b.journal)]
    for job in jobs.values():
        listed.extend(job.journals)
    return list(dict.fromkeys(config.resolve(j) for j in listed))


def _journals(config: Config, locations: Sequence[str]) -> list[Check]:
    if not locations:
        return [Check(False, "Журналы: не указан ни один журнал",
                      "перечислите журналы в файле настроек: journals = [\"журнал.xlsx\"] "
                      "(или передайте --journal ЖУРНАЛ)")]
    return [check for location in locations for check in _journal(config, location)]


def _journal(config: Config, location: str) -> list[Check]:
    from toolkit.journal.locations import is_google
    from toolkit.journal.read import check_header, looks_like_journal
    from toolkit.journal.schema import FIRST_DATA_ROW
    from toolkit.journal.sheets import journal_sheets
    from toolkit.sources.open import open_source

    try:
        source = open_source(location, config)
        chosen = journal_sheets(source.sheet_titles(), config, location)
        grids = source.read([title for title, _ in chosen])
    except ToolkitError as exc:
        return [Check(False, f"Журнал {location}: не прочитан — {exc}",
                      "проверьте путь (journals в файле настроек) и права на чтение; для "
                      "Google Таблицы — ключ сервисного аккаунта и доступ к таблице")]
    except OSError as exc:
        return [Check(False, f"Журнал {location}: не прочитан — {os_reason(exc)}",
                      "проверьте путь (journals в файле настроек) и права на чтение")]
    sheets, problems = [], []
    for grid in grids:
        named = config.body_for_sheet(grid.title, location) is not None
        if not named and not looks_like_journal(grid):
            continue
        try:
            check_header(grid, location)
        except ToolkitError as exc:
            problems.append(Check(False, f"Шапка: {exc}",
                                  "исправьте заголовок по форме приложения № 1 или перенесите "
                                  "записи в журнал, созданный командой vks init"))
            continue
        rows = sum(1 for row in grid.rows[FIRST_DATA_ROW - 1:]
                   if any(v not in (None, "") for v in row))
        sheets.append(f"«{grid.title}» ({count(rows, 'строка', 'строки', 'строк')})")
    if not sheets and not problems:
        return [Check(False, f"Журнал {location}: нет ни одного листа журнала",
                      "создайте журнал командой vks init или укажите лист органа в "
                      "[[bodies]] sheet")]
    unwritable = None if is_google(location) else _unwritable(Path(location))
    checks = []
    if sheets:
        line = f"Журнал {location}: листы {', '.join(sheets)}; шапка по форме приложения № 1"
        checks.append(Check(True, line + ("" if unwritable or is_google(location)
                                          else "; запись разрешена")))
    checks.extend(problems)
    if unwritable:
        checks.append(unwritable)
    return checks


def _unwritable(path: Path) -> Check | None:
    """Why the program could not write the journal back, if it could not."""
    folder = path.resolve().parent
    if not os.access(path, os.W_OK):
        return Check(False, f"Журнал {path}: нет права на запись в файл",
                     "дайте пользователю программы право записи в файл (например, общая группа "
                     "и chmod g+w — docs/admin.md, «Доступ сотрудников»)")
    if not os.access(folder, os.W_OK | os.X_OK):
        return Check(False, f"Журнал {path}: нет права на запись в папку {folder} — программа "
                            f"записывает журнал новым файлом и заменяет им старый",
                     f"дайте пользователю программы право записи в папку {folder}")
    return None


def _calendar(config: Config, now: dt.datetime) -> list[Check]:
    from toolkit.journal.control import calendar_for

    calendar = calendar_for(config)
    fix = ("обновите пакет holidays (pip install -U holidays в окружении программы) или "
           "впишите переносы выходных в [calendar] days_off и working_days")
    year = now.year
    checks = []
    for wanted in (year, year + 1):
        if calendar.is_known(wanted):
            checks.append(Check(True, f"Производственный календарь {wanted} года известен"))
        elif wanted == year or now.month == 12:
            # From December deadlines of five working days reach into January.
            checks.append(Check(False, f"Производственный календарь {wanted} года неизвестен: "
                                       f"сроки могут быть посчитаны неверно", fix))
        else:
            checks.append(Check(True, f"Производственный календарь {wanted} года еще не "
                                      f"известен — понадобится с декабря {year} года"))
    return checks


def _mail(config: Config, jobs: dict[str, Job]) -> Check:
    from toolkit.jobs.declarations import JobsSettings, SendStep
    from toolkit.mail.smtp import MailSettings, check_login

    senders = sorted(name for name, job in jobs.items()
                     if job.enabled and any(isinstance(s, SendStep) for s in job.steps))
    try:
        notify = bool(JobsSettings.from_config(config).notify
                      or any(job.notify for job in jobs.values()))
        settings = MailSettings.from_config(config)
    except ToolkitError as exc:
        return Check(False, f"Почта: {exc}", "исправьте [mail] (docs/settings.md)")
    needs = [f"рассылка статистики (задания {', '.join(senders)})"] if senders else []
    if notify:
        needs.append("уведомления о сбоях заданий (notify)")
    if not settings.host:
        if not needs:
            return Check(True, "Почта: не настроена и не нужна (ни одно задание не отправляет "
                               "писем)")
        return Check(False, f"Почта: не настроена, а нужна — {'; '.join(needs)}",
                     "заполните раздел [mail] (host, username, password_env, sender) — "
                     "docs/admin.md, «Почта»")
    if senders and not settings.ministry_recipients and not any(b.recipients
                                                                for b in config.bodies):
        return Check(False, "Почта: не указан ни один получатель статистики",
                     "укажите [mail] ministry_recipients и recipients органов в [[bodies]]")
    try:
        check_login(settings)
    except ToolkitError as exc:
        return Check(False, f"Почта: {exc}", _mail_fix(settings.password_env))
    how = f"вход как {settings.username} выполнен" if settings.username else \
        "соединение установлено (вход не требуется)"
    return Check(True, f"Почта: {settings.server}, {how}; письма не отправлялись")


def _mail_fix(password_env: str) -> str:
    where = (f"пароль — в переменной окружения {password_env} (для служб systemd — строка "
             f"{password_env}=… в /etc/vks/vks.env)") if password_env else "password_env"
    return (f"проверьте [mail] host, port, security и username; {where}; свой корневой "
            f"сертификат — [mail] cafile")


def _soffice(config: Config, jobs: dict[str, Job]) -> Check:
    from toolkit.jobs.declarations import LettersStep
    from toolkit.letters.render import find_soffice

    configured = config.section("letters").get("soffice")
    found = find_soffice(configured if isinstance(configured, str) else None)
    users = sorted(name for name, job in jobs.items()
                   if job.enabled and any(isinstance(s, LettersStep) and s.pdf for s in job.steps))
    if found:
        return Check(True, f"LibreOffice: {found}")
    if not users:
        return Check(True, "LibreOffice не найден — не нужен: ни одно задание не делает PDF "
                           "(нужен только для vks letters --pdf)")
    return Check(False, f"LibreOffice не найден, а задания {', '.join(users)} делают PDF "
                        f"пакета для печати",
                 "установите LibreOffice (Debian/Ubuntu: apt install libreoffice-writer-nogui) "
                 "или укажите путь в [letters] soffice")


def _state(config: Config, locations: Sequence[str]) -> list[Check]:
    from toolkit.jobs.runner import jobs_state_dir
    from toolkit.journal.locations import state_dir

    folders = [jobs_state_dir(config), *(state_dir(config, loc) for loc in locations)]
    return [_writable_folder(folder) for folder in dict.fromkeys(folders)]


def _writable_folder(folder: Path) -> Check:
    from toolkit.journal.files import private_dir

    try:
        private_dir(folder)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".vks-doctor-"):
            pass
    except OSError as exc:
        return Check(False, f"Служебная папка {folder}: запись невозможна — {os_reason(exc)}",
                     "дайте пользователю программы право записи или укажите другую папку: "
                     "state_dir в файле настроек")
    return Check(True, f"Служебная папка {folder}: запись возможна")


_OS_REASONS = {
    errno.ENOENT: "нет такого файла или папки",
    errno.ENOTDIR: "на пути файл, а не папка",
    errno.EEXIST: "на этом месте уже есть файл",
    errno.EACCES: "нет прав",
    errno.EPERM: "нет прав",
    errno.EROFS: "файловая система только для чтения",
    errno.ENOSPC: "нет места на диске",
    errno.EISDIR: "это папка, а не файл",
}


def os_reason(exc: OSError) -> str:
    """Why the system refused, in Russian (its own text is English)."""
    code = exc.errno or 0
    return _OS_REASONS.get(code, f"ошибка системы {errno.errorcode.get(code, code)}")


__all__ = ["Check", "diagnose", "exit_code", "os_reason", "render"]
