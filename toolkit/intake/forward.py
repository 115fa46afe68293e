"""Forwarding an application by e-mail to the competent body (cl. 2.3), sent once.

    sent = forward_once(ledger, sub, target, compose, settings, now)   # → Sent

The message carries the application (cl. 2.2 fields, the address, why this body) — it goes to a
public authority that must register and decide it — but its subject names only the submit time
and a short key, and nothing of it is logged. One message per (submission, target) is recorded in
the ledger's outbox `forwards` with its Message-ID: «sending» before it is handed to the server,
«sent» after. A failure before the message went out is retried by every later run; when the
server's answer is lost after the message went out (the result is unknown) it is tried at most
once more, with the same Message-ID, and then reported as «возможно, отправлено».

`MailError.maybe_sent` says which case it was when the mail layer knows (reliability work); else
a connection lost to a timeout in the middle of the SMTP dialogue counts as unknown.
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
import socket
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid
from enum import Enum

from toolkit.intake.ledger import IntakeLedger, may_have_been_sent
from toolkit.intake.submission import Submission
from toolkit.journal.schema import Consent
from toolkit.mail.smtp import MailError, MailSettings, new_message

log = logging.getLogger("vks.intake")

MAX_UNSURE = 2  # hand-overs that may have delivered: the first and one retry
Transport = Callable[[MailSettings, EmailMessage], dict[str, str]]


class Outcome(Enum):
    SENT = "sent"
    ALREADY_SENT = "already-sent"
    FAILED = "failed"  # surely not delivered: retried next run
    UNSURE = "unsure"  # may have been delivered: retried at most once
    MAYBE_SENT = "maybe-sent"  # may have been delivered twice over: never sent again
    WRITTEN = "written"  # dry run: saved as .eml


@dataclass(frozen=True)
class Sent:
    """What became of one forwarding e-mail in this run."""

    outcome: Outcome
    message_id: str
    at: dt.datetime | None = None  # when the server took it (this run or before)
    attempts: int = 0
    error: str = ""

    @property
    def delivered(self) -> bool:
        return self.outcome in (Outcome.SENT, Outcome.ALREADY_SENT)


def subject(sub: Submission, *, centre: bool = False) -> str:
    """The subject: the submit time and a short key — no personal data."""
    when = f"{sub.submitted:%d.%m.%Y %H:%M}" if sub.submitted else "без даты"
    head = "Не распределено: заявка" if centre else "Заявка"
    return (f"{head} на личный прием по ВКС с сайта от {when} [заявка {sub.key[:10]}] "
            f"(п. 2.3)")


def compose(sub: Submission, settings: MailSettings, recipients: list[str], message_id: str,
            *, body: str, reason: str, hint: str = "", centre: bool = False) -> EmailMessage:
    """The forwarding e-mail (plain text) of one application."""
    msg = new_message(settings, recipients, subject(sub, centre=centre), message_id)
    msg["X-VKS-Application"] = sub.key
    lines = [
        "Заявка на личный прием граждан посредством видеоконференцсвязи поступила с официального "
        "сайта Министерства (виджет «Онлайн-консультирование», п. 2.1 Порядка, утвержденного "
        "приказом Министерства социальной защиты населения Кузбасса от 24.04.2023 № 77).",
        "",
    ]
    if centre:
        lines += ["Таблица распределения не позволила определить орган, в компетенцию которого "
                  "отнесен вопрос. Определите орган и переадресуйте заявку не позднее 1 рабочего "
                  "дня со дня ее поступления (п. 2.3).", f"Причина: {reason}", ""]
    else:
        lines += [f"Переадресуется органу: {body} (п. 2.3).", f"Основание: {reason}",
                  "Зарегистрируйте заявку в журнале учета (п. 2.4) и примите решение не позднее "
                  "5 рабочих дней со дня ее получения (п. 2.5).", ""]
    if hint:
        lines += [f"Обратите внимание: {hint}", ""]
    lines += [f"{label}: {value}" for label, value in fields(sub)]
    lines += ["", f"Ключ заявки: {sub.key}", "Письмо сформировано программой vks."]
    msg.set_content("\n".join(lines))
    return msg


def fields(sub: Submission) -> list[tuple[str, str]]:
    """The application's fields as labelled lines (cl. 2.2 and the address)."""
    doc = sub.document
    document = doc.text or " ".join(p for p in (doc.kind, doc.series, doc.number) if p)
    if doc.issued_by or doc.issued_on:
        issued = " ".join(p for p in (doc.issued_by, f"{doc.issued_on:%d.%m.%Y}"
                                      if doc.issued_on else "") if p)
        document += f", выдан {issued}"

    def consent(value: Consent | None) -> str:
        return value.label if value is not None else "не указано"

    return [
        ("Дата и время подачи на сайте", f"{sub.submitted:%d.%m.%Y %H:%M}"
         if sub.submitted else "не указаны"),
        ("Фамилия, имя, отчество", sub.citizen),
        ("Дата рождения", f"{sub.birth_date:%d.%m.%Y}" if sub.birth_date else "не указана"),
        ("Документ, удостоверяющий личность", document or "не указан"),
        ("Орган, выбранный гражданином", sub.body or "не указан"),
        ("Муниципальное образование", sub.municipality or "не указано"),
        ("Адрес места жительства (пребывания)", sub.address or "не указан"),
        ("Согласие на обработку персональных данных", consent(sub.consent_data)),
        ("Согласие на ведение видеозаписи приема", consent(sub.consent_video)),
        ("Тематика вопроса", sub.topic),
        ("Телефон", sub.phone or "не указан"),
        ("Эл. почта", sub.email or "не указана"),
    ]


def unsure(exc: MailError) -> bool:
    """Whether the failed hand-over may still have delivered the message."""
    flag = getattr(exc, "maybe_sent", None)
    if flag is not None:
        return bool(flag)
    cause = exc.__cause__
    # smtplib reports a reply that never came as «Connection unexpectedly closed», with the
    # timeout as its context: the dialogue had started and the message may have gone out.
    return isinstance(cause, smtplib.SMTPServerDisconnected) and isinstance(
        cause.__context__, socket.timeout | TimeoutError)


def forward_once(ledger: IntakeLedger, sub: Submission, target: str,
                 make: Callable[[str], EmailMessage], settings: MailSettings,
                 transport: Transport, now: dt.datetime) -> Sent:
    """Send `make(message_id)` for (submission, target) unless it was sent already."""
    row = ledger.forward(sub.key, target)
    if row is not None and row["status"] == "sent":
        at = dt.datetime.fromisoformat(row["sent_at"]) if row["sent_at"] else None
        return Sent(Outcome.ALREADY_SENT, row["message_id"], at, int(row["attempts"]))
    if row is not None and may_have_been_sent(row) >= MAX_UNSURE:
        return Sent(Outcome.MAYBE_SENT, row["message_id"], None, int(row["attempts"]),
                    row["error"])
    message_id = row["message_id"] if row is not None else make_msgid(domain=settings.domain)
    msg = make(message_id)
    attempts = ledger.sending(sub.key, target, message_id)
    try:
        transport(settings, msg)
    except MailError as exc:
        maybe = unsure(exc)
        ledger.failed(sub.key, target, str(exc), unsure=maybe)
        log.warning("forwarding %s: %s (attempt %d)", sub.key[:10],
                    "result unknown" if maybe else "not sent", attempts)
        return Sent(Outcome.UNSURE if maybe else Outcome.FAILED, message_id, None, attempts,
                    str(exc))
    ledger.sent(sub.key, target, now)
    log.info("forwarding %s: sent as %s", sub.key[:10], message_id)
    return Sent(Outcome.SENT, message_id, now, attempts)
