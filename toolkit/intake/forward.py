"""Forwarding an application by e-mail to the competent body (cl. 2.3), sent once.

    sent = forward_once(ledger, sub, target, compose, settings, now)   # → Sent

The message carries the application (cl. 2.2 fields, the address, why this body) — it goes to a
public authority that must register and decide it — but its subject names only the submit time
and a short key, and nothing of it is logged. One message per (submission, target) is recorded in
the toolkit's outbox ledger (`toolkit.mail.outbox.send_once`, in the intake ledger's file) with
its Message-ID: «sending» before it is handed to the server, «sent» after. A failure before the
message went out is retried by every later run; when the server's answer is lost after the
message went out (`MailError.maybe_sent`: the result is unknown) it is tried at most once more,
with the same Message-ID, and then reported as «возможно, отправлено».
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage

from toolkit.intake.ledger import IntakeLedger, forward_ident
from toolkit.intake.submission import Submission
from toolkit.journal.schema import Consent
from toolkit.mail.outbox import Outcome, Transport, send_once
from toolkit.mail.smtp import MailSettings, new_message


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


def forward_once(ledger: IntakeLedger, sub: Submission, target: str,
                 make: Callable[[str], EmailMessage], settings: MailSettings,
                 transport: Transport, now: dt.datetime) -> Sent:
    """Send `make(message_id)` for (submission, target) unless it was sent already."""
    done = send_once(ledger.outbox, forward_ident(sub.key, target), make, [], settings,
                     transport, sent_at=now.isoformat())
    at = dt.datetime.fromisoformat(done.sent_at) if done.sent_at else None
    return Sent(done.outcome, done.message_id, at, done.attempts, done.error)
