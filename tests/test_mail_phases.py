"""Where an SMTP send failed: before the message went out (not delivered) or after its end was
transmitted and the answer never came (maybe delivered) — on a real aiosmtpd server."""

from __future__ import annotations

from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from smtp_server import Inbox, SlowInbox, free_port

from toolkit.mail.smtp import MailError, MailSettings, Security, send_message


def serve(inbox: Inbox) -> tuple[Controller, int]:
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    return controller, port


def message() -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = "priem@example.ru"
    msg["To"] = "anna@example.ru"
    msg["Subject"] = "Уведомление"
    msg.set_content("Текст")
    return msg


def settings(port: int, timeout: float = 5.0) -> MailSettings:
    return MailSettings(host="127.0.0.1", port=port, security=Security.NONE,
                        sender="priem@example.ru", timeout=timeout)


def test_a_delivered_message_passes_the_data_mark_once() -> None:
    inbox = SlowInbox()
    controller, port = serve(inbox)
    marks: list[str] = []
    try:
        assert send_message(settings(port), message(), on_data=lambda: marks.append("data")) \
            == {}
    finally:
        controller.stop()
    assert marks == ["data"] and len(inbox.messages) == 1


def test_no_answer_after_the_end_of_the_message_is_maybe_delivered() -> None:
    inbox = SlowInbox(delay=3.0)
    controller, port = serve(inbox)
    marks: list[str] = []
    try:
        with pytest.raises(MailError, match="возможно, сервер его принял") as failure:
            send_message(settings(port, timeout=0.5), message(),
                         on_data=lambda: marks.append("data"))
    finally:
        controller.stop()
    assert failure.value.after_data is True
    assert marks == ["data"]
    assert len(inbox.messages) == 1  # the server did take it


def test_a_refused_message_is_not_delivered() -> None:
    inbox = SlowInbox(refuse_data=True)
    controller, port = serve(inbox)
    try:
        with pytest.raises(MailError, match="554") as failure:
            send_message(settings(port), message(), on_data=lambda: None)
    finally:
        controller.stop()
    assert failure.value.after_data is False and inbox.messages == []


def test_a_server_that_is_down_never_reaches_the_data_mark() -> None:
    marks: list[str] = []
    with pytest.raises(MailError, match="соединение отклонено") as failure:
        send_message(settings(free_port()), message(), on_data=lambda: marks.append("data"))
    assert failure.value.after_data is False and marks == []
