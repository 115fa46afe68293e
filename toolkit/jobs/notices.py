"""The failure notice of a job run, e-mailed to the job's `notify` addresses."""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
from collections.abc import Callable, Sequence
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from toolkit.jobs.declarations import JobsSettings
from toolkit.jobs.logs import LOG_NAME, log_fields
from toolkit.jobs.results import RunResult
from toolkit.journal.config import Config
from toolkit.journal.errors import ToolkitError
from toolkit.journal.russian import short_datetime

log = logging.getLogger("vks.scheduler")
Transport = Callable[[Any, EmailMessage], dict[str, str]]


def notify_failure(result: RunResult, config: Config, state: Path, next_slot: dt.datetime | None,
                   transport: Transport | None = None) -> str:
    """E-mail the failure notice (or write it to a file in a dry run); the line to print."""
    job = result.job
    recipients = job.notify or JobsSettings.from_config(config).notify
    if not recipients:
        log.warning("задание %s: некому сообщить об ошибке (notify в задании или [jobs] "
                    "notify)", job.name, extra=log_fields(event="notice-skipped", job=job.name))
        return ("Уведомление об ошибке не отправлено: не указаны получатели (notify в задании "
                "или [jobs] notify в файле настроек).")
    from toolkit.mail.smtp import MailSettings, write_eml
    from toolkit.mail.smtp import send_message as smtp_send

    try:
        settings = MailSettings.from_config(config)
        if result.dry_run is None:
            settings.check()  # says what is missing before anything is composed
        elif not settings.sender:
            import dataclasses

            settings = dataclasses.replace(settings, sender="vks@vks.localhost")
        msg = notice_message(result, settings, recipients, next_slot,
                             state / "logs" / LOG_NAME)
        if result.dry_run is not None:
            path = write_eml(msg, result.dry_run, f"ошибка-{job.name}")
            return f"Уведомление об ошибке записано (пробный запуск): {path}"
        (transport or smtp_send)(settings, msg)
    except ToolkitError as exc:
        log.error("задание %s: уведомление об ошибке не отправлено: %s", job.name, exc,
                  extra=log_fields(event="notice-failed", job=job.name))
        return f"Уведомление об ошибке не отправлено: {exc}"
    log.info("задание %s: уведомление об ошибке отправлено (%s)", job.name,
             ", ".join(recipients), extra=log_fields(event="notice-sent", job=job.name))
    return f"Уведомление об ошибке отправлено: {', '.join(recipients)}."


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


def body_addresses(config: Config, location: str) -> tuple[str, ...]:
    """The e-mail addresses (`email` in [[bodies]]) of the bodies whose sheets a journal holds."""
    from toolkit.mail.smtp import addresses
    from toolkit.sources.open import open_source

    try:
        titles = open_source(location, config).sheet_titles()
    except (ToolkitError, OSError):
        return ()
    found: list[str] = []
    for title in titles:
        body = config.body_for_sheet(title, location)
        if body is None:
            continue
        raw = getattr(body, "email", None) or body.extra.get("email")
        if raw:
            found.extend(addresses(raw, f"[[bodies]] «{body.name}»: email"))
    return tuple(dict.fromkeys(found))


def notify_busy(config: Config, job: Any, journal: str, holders: str, waiting: Any,
                state: Path, transport: Transport | None = None, dry_run: Path | None = None
                ) -> str:
    """Tell the person holding the journal open (at the body's e-mail address) that the
    program waits to write it; the line to print. Sent once per waiting write."""
    recipients = body_addresses(config, journal) or job.notify or \
        JobsSettings.from_config(config).notify
    if not recipients:
        return ("Сообщение о том, что журнал открыт, не отправлено: не указан email органа "
                "в [[bodies]] (или notify задания).")
    from toolkit.mail.smtp import MailSettings, new_message, write_eml
    from toolkit.mail.smtp import send_message as smtp_send

    name = Path(journal).name
    who = holders or "сотрудник"
    try:
        settings = MailSettings.from_config(config)
        if dry_run is None:
            settings.check()
        elif not settings.sender:
            import dataclasses

            settings = dataclasses.replace(settings, sender="vks@vks.localhost")
        msg = new_message(settings, recipients, f"vks: журнал {name} открыт, запись в него ждет")
        msg.set_content("\n".join([
            f"{who}, журнал {journal} открыт у вас в Excel или LibreOffice.",
            "",
            f"Задание {job.label} должно записать в него ({waiting.title.lower()}) — например, "
            f"отмены приема по п. 2.7 Порядка и отметки в графе «Контроль», — но пока файл "
            f"открыт, программа ничего не записывает, чтобы не потерять ваши правки.",
            "",
            f"Сохраните изменения и закройте файл. Программа повторяет попытку каждые "
            f"{JobsSettings.from_config(config).busy_retry_minutes} мин до "
            f"{waiting.until:%H:%M} и запишет сразу, как только файл будет закрыт.",
            "",
            f"Ожидает с {waiting.since:%d.%m.%Y %H:%M}. Это сообщение отправляется один раз.",
        ]))
        if dry_run is not None:
            path = write_eml(msg, dry_run, f"журнал-открыт-{job.name}")
            return f"Сообщение о том, что журнал открыт, записано (пробный запуск): {path}"
        (transport or smtp_send)(settings, msg)
    except ToolkitError as exc:
        log.error("задание %s: сообщение о том, что журнал открыт, не отправлено: %s",
                  job.name, exc, extra=log_fields(event="busy-notice-failed", job=job.name))
        return f"Сообщение о том, что журнал открыт, не отправлено: {exc}"
    log.info("задание %s: сообщено, что журнал открыт (%s)", job.name, ", ".join(recipients),
             extra=log_fields(event="busy-notice-sent", job=job.name))
    return f"Сообщено, что журнал открыт: {', '.join(recipients)}."
