"""Forwarding e-mails (cl. 2.3) through a real SMTP server: sent once, retried after a sure
failure, at most once more after an answer lost past the message, nothing personal in the
subject."""

from __future__ import annotations

import asyncio
import datetime as dt
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from smtp_server import Inbox, Server, free_port, start_server

from toolkit.intake.forward import Outcome, compose, forward_once, subject
from toolkit.intake.ledger import IntakeLedger
from toolkit.intake.submission import TIMEZONE, IdentityDocument, Submission
from toolkit.journal.schema import Consent
from toolkit.mail.smtp import MailSettings, Security, send_message

NOW = dt.datetime(2026, 11, 27, 10, tzinfo=TIMEZONE)
SUB = Submission(
    citizen="Смирнова Ольга Викторовна", birth_date=dt.date(1960, 2, 1),
    document=IdentityDocument(text="паспорт 3200 123456"), body="ЦСВ",
    consent_data=Consent.YES, consent_video=Consent.YES, topic="Единое пособие",
    phone="+7 900 123-45-67", email="o@example.ru", address="г. Кемерово, ул. Весенняя, д. 1",
    submitted=dt.datetime(2026, 11, 26, 12, tzinfo=TIMEZONE), source="заявки.csv",
    ref="строка 2")


class SlowInbox(Inbox):
    """Takes the message, then answers DATA only after `delay` seconds (past the timeout)."""

    delay = 0.0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        reply = await super().handle_DATA(server, session, envelope)
        await asyncio.sleep(self.delay)
        return reply


def settings(port: int, timeout: float = 5) -> MailSettings:
    return MailSettings(host="127.0.0.1", port=port, security=Security.NONE,
                        sender="csv@example.ru", timeout=timeout)


def make(message_id: str, port: int = 0) -> EmailMessage:
    return compose(SUB, settings(port), ["gub@example.ru"], message_id, body="ГЮБ Кузбасса",
                   reason="Тематика вопроса относится к органу")


@pytest.fixture
def ledger(tmp_path: Path) -> Any:
    with IntakeLedger(tmp_path / "intake.sqlite") as opened:
        yield opened


def test_sent_once_with_the_application_and_no_personal_data_in_the_subject(
        smtp: Server, ledger: IntakeLedger) -> None:
    first = forward_once(ledger, SUB, "ГЮБ", make, settings(smtp.port), send_message, NOW)
    assert first.outcome is Outcome.SENT and first.at == NOW
    again = forward_once(ledger, SUB, "ГЮБ", make, settings(smtp.port), send_message, NOW)
    assert again.outcome is Outcome.ALREADY_SENT and again.message_id == first.message_id
    assert again.at == NOW
    (rcpt, msg), = smtp.inbox.messages
    assert rcpt == ["gub@example.ru"] and msg["Message-ID"] == first.message_id
    assert str(msg["Subject"]) == subject(SUB) == (
        f"Заявка на личный прием по ВКС с сайта от 26.11.2026 12:00 [заявка {SUB.key[:10]}] "
        f"(п. 2.3)")
    text = msg.get_content()
    for value in ("Смирнова Ольга Викторовна", "01.02.1960", "паспорт 3200 123456",
                  "Единое пособие", "+7 900 123-45-67", "o@example.ru", "Весенняя"):
        assert value in text
    assert "Переадресуется органу: ГЮБ Кузбасса (п. 2.3)." in text


def test_a_refused_message_is_retried_next_run(smtp: Server, ledger: IntakeLedger) -> None:
    smtp.inbox.refuse.add("gub@example.ru")
    failed = forward_once(ledger, SUB, "ГЮБ", make, settings(smtp.port), send_message, NOW)
    assert failed.outcome is Outcome.FAILED and "550" in failed.error
    smtp.inbox.refuse.clear()
    later = NOW + dt.timedelta(hours=1)
    sent = forward_once(ledger, SUB, "ГЮБ", make, settings(smtp.port), send_message, later)
    assert sent.outcome is Outcome.SENT and sent.message_id == failed.message_id
    assert sent.attempts == 2 and len(smtp.inbox.messages) == 1


def test_no_answer_after_the_message_is_retried_at_most_once(ledger: IntakeLedger) -> None:
    inbox = SlowInbox()
    inbox.delay = 3
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        mail = settings(port, timeout=1)
        first = forward_once(ledger, SUB, "ГЮБ", make, mail, send_message, NOW)
        assert first.outcome is Outcome.UNSURE
        second = forward_once(ledger, SUB, "ГЮБ", make, mail, send_message, NOW)
        assert second.outcome is Outcome.UNSURE and second.message_id == first.message_id
        third = forward_once(ledger, SUB, "ГЮБ", make, mail, send_message, NOW)
        assert third.outcome is Outcome.MAYBE_SENT
    finally:
        controller.stop()
    # The server did take both: one duplicate at most, with the same Message-ID.
    ids = [m["Message-ID"] for _, m in inbox.messages]
    assert ids == [first.message_id, first.message_id]


def test_server_down_is_a_sure_failure(ledger: IntakeLedger) -> None:
    mail = settings(free_port(), timeout=2)
    for _ in range(3):  # never «maybe sent»: it is tried again on every run
        result = forward_once(ledger, SUB, "ГЮБ", make, mail, send_message, NOW)
        assert result.outcome is Outcome.FAILED
    running = start_server()
    try:
        sent = forward_once(ledger, SUB, "ГЮБ", make, settings(running.port), send_message, NOW)
        assert sent.outcome is Outcome.SENT and sent.attempts == 4
    finally:
        running.stop()
