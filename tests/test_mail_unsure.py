"""A server that takes the message but answers after our timeout: «maybe sent», retried at most
once, never «сервер разорвал соединение». Real SMTP on loopback (aiosmtpd)."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from smtp_server import Inbox, Server, free_port
from stats_fixtures import TODAY, write_fixture
from test_mail import OCTOBER, make_config, statuses

from toolkit.journal.clock import Clock
from toolkit.mail.outbox import Outbox, Outcome, exclusive, send_once
from toolkit.mail.smtp import MailError, MailSettings, Security, new_message, send_message
from toolkit.stats.delivery import LEDGER_NAME, Status, send_monthly


class SlowInbox(Inbox):
    """Keeps the message, then answers `delay` seconds later (after the client gave up)."""

    delay: float = 0.0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        reply = await super().handle_DATA(server, session, envelope)
        await asyncio.sleep(self.delay)
        return reply


@pytest.fixture
def slow() -> Any:
    inbox = SlowInbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield Server(inbox, port, controller)
    controller.stop()


def _settings(port: int) -> MailSettings:
    return MailSettings(host="127.0.0.1", port=port, security=Security.NONE,
                        sender="vks@example.ru", timeout=0.3)


def _compose(settings: MailSettings) -> Any:
    def compose(message_id: str) -> Any:
        msg = new_message(settings, ["a@example.ru"], "Уведомление", message_id)
        msg.set_content("текст")
        return msg
    return compose


def test_a_reply_after_the_timeout_is_maybe_sent_and_retried_once(slow: Server,
                                                                  tmp_path: Path) -> None:
    settings = _settings(slow.port)
    slow.inbox.delay = 0.6  # type: ignore[attr-defined]
    ledger = tmp_path / "outbox.sqlite"
    outcomes = []
    for _ in range(4):  # four runs, as four scheduled slots would
        with exclusive(ledger):
            outbox = Outbox(ledger)
            try:
                outcomes.append(send_once(outbox, ("notice", "row-17", "2026-11"),
                                          _compose(settings), ["a@example.ru"], settings,
                                          send_message))
            finally:
                outbox.close()
    assert [o.outcome for o in outcomes] == [Outcome.UNSURE, Outcome.UNSURE, Outcome.MAYBE_SENT,
                                             Outcome.MAYBE_SENT]
    assert "истекло время ожидания ответа сервера (0.3 с) после передачи письма" in \
        outcomes[0].error
    assert "разорвал" not in outcomes[0].error
    assert outcomes[1].resent and outcomes[1].message_id == outcomes[0].message_id
    ids = [str(m["Message-ID"]) for _, m in slow.inbox.messages]
    assert ids == [outcomes[0].message_id] * 2  # one copy and at most one duplicate


def test_a_retry_after_an_unknown_result_that_succeeds_is_the_last(slow: Server,
                                                                   tmp_path: Path) -> None:
    settings = _settings(slow.port)
    ledger = tmp_path / "outbox.sqlite"
    slow.inbox.delay = 0.6  # type: ignore[attr-defined]
    outbox = Outbox(ledger)
    ident = ("notice", "row-18", "2026-11")
    first = send_once(outbox, ident, _compose(settings), ["a@example.ru"], settings,
                      send_message)
    slow.inbox.delay = 0.0  # type: ignore[attr-defined]
    second = send_once(outbox, ident, _compose(settings), ["a@example.ru"], settings,
                       send_message)
    third = send_once(outbox, ident, _compose(settings), ["a@example.ru"], settings,
                      send_message)
    outbox.close()
    assert (first.outcome, second.outcome, third.outcome) == (
        Outcome.UNSURE, Outcome.SENT, Outcome.ALREADY_SENT)
    assert second.resent
    assert len(slow.inbox.messages) == 2


def test_refused_before_the_message_is_a_sure_failure(tmp_path: Path) -> None:
    settings = _settings(free_port())  # nobody listens
    with pytest.raises(MailError) as failed:
        msg = new_message(settings, ["a@example.ru"], "x")
        msg.set_content("x")
        send_message(settings, msg)
    assert not failed.value.maybe_sent


def test_monthly_reports_with_a_slow_server(slow: Server, tmp_path: Path) -> None:
    journal = write_fixture(tmp_path / "журнал.xlsx")
    config = make_config(slow.port, timeout=0.3)
    slow.inbox.delay = 0.6  # type: ignore[attr-defined]
    runs = [send_monthly([str(journal)], config, OCTOBER, Clock.at(TODAY)) for _ in range(4)]
    assert [r.exit_code for r in runs] == [1, 1, 0, 0]
    assert statuses(runs[2])["Орган А"] is Status.MAYBE_SENT
    line = next(d.line for d in runs[2].deliveries if d.body == "Орган А")
    assert line.startswith("возможно, отправлено: Орган А → a@example.ru: сервер не подтвердил")
    assert "истекло время ожидания" in runs[0].failed[0].error
    per_subject = [len(slow.inbox.by_subject(b)) for b in ("Орган А", "Орган Б", "все органы")]
    assert per_subject == [2, 2, 2]  # 4 runs: never more than one duplicate
    with sqlite3.connect(journal.parent / ".vks" / LEDGER_NAME) as conn:
        assert {r[0] for r in conn.execute("SELECT doubtful FROM mail_outbox")} == {2}


def test_reports_the_released_version_sent_are_not_sent_again(tmp_path: Path) -> None:
    """An upgrade carries the released ledger's table `outbox` over: nothing is re-sent."""
    import sqlite3

    from toolkit.mail.outbox import Outbox, State

    path = tmp_path / "outbox.sqlite"
    with sqlite3.connect(path) as conn:
        conn.executescript("""
            CREATE TABLE outbox (report TEXT NOT NULL, body TEXT NOT NULL, month TEXT NOT NULL,
                message_id TEXT NOT NULL, recipients TEXT NOT NULL, status TEXT NOT NULL,
                attempts INTEGER NOT NULL DEFAULT 0, error TEXT NOT NULL DEFAULT '',
                updated_at TEXT NOT NULL, sent_at TEXT, PRIMARY KEY (report, body, month));
            INSERT INTO outbox VALUES ('stats-monthly', 'Орган А', '2026-10', '<a@vks>',
                'a@example.ru', 'sent', 1, '', '2026-11-02T02:00:00', '2026-11-02T02:00:00');
            INSERT INTO outbox VALUES ('stats-monthly', '*', '2026-10', '<b@vks>',
                'm@example.ru', 'sending', 1, '', '2026-11-02T02:00:01', NULL);
        """)
    outbox = Outbox(path)
    try:
        sent = outbox.get(("stats-monthly", "Орган А", "2026-10"))
        pending = outbox.get(("stats-monthly", "*", "2026-10"))
        assert sent is not None and sent["state"] == State.SENT.value
        assert pending is not None and pending["doubtful"] == 1  # a crash mid-send: maybe sent
    finally:
        outbox.close()
