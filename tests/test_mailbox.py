"""Reading replies from a real Dovecot: new messages once, flags, moves, outages, TLS."""

from __future__ import annotations

import datetime as dt
import imaplib
import socket
import threading
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path

import pytest
from imap_fixtures import ImapAccount
from imap_server import DovecotServer
from imapclient import imap_utf7

from toolkit.correspondence.ledger import ReplyLedger
from toolkit.correspondence.mailbox import (
    FetchedMessage,
    ImapSettings,
    Mailbox,
    MailboxError,
    Outcome,
    Security,
    process_new,
)

NOVOKUZNETSK = dt.timezone(dt.timedelta(hours=7))
ARRIVED = dt.datetime(2025, 11, 28, 9, 30, tzinfo=dt.UTC)  # 16:30 in Novokuznetsk
PASSWORD_ENV = "VKS_TEST_IMAP_PASSWORD"


def settings_for(account: ImapAccount, **changes: object) -> ImapSettings:
    values: dict[str, object] = {
        "host": "127.0.0.1", "port": account.server.imap_port, "security": Security.NONE,
        "username": account.user, "password_env": PASSWORD_ENV, "timeout": 10.0}
    values.update(changes)
    return ImapSettings(**values)  # type: ignore[arg-type]


def reply(n: int, text: str = "Подтверждаю", message_id: str | None = None) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = f"Гражданин {n} <citizen{n}@example.ru>"
    msg["To"] = "priem@mszn42.ru"
    msg["Subject"] = f"Re: [ВКС-7K3QD-{n}] Уведомление"
    msg["Message-ID"] = message_id or f"<reply-{n}@example.ru>"
    msg.set_content(text)
    return msg


@pytest.fixture
def env(imap_account: ImapAccount, monkeypatch: pytest.MonkeyPatch) -> ImapAccount:
    monkeypatch.setenv(PASSWORD_ENV, imap_account.password)
    return imap_account


@pytest.fixture
def ledger(tmp_path: Path) -> Iterator[ReplyLedger]:
    with ReplyLedger(tmp_path / "state" / "replies.sqlite") as opened:
        yield opened


class Recorder:
    """A handler that remembers what it saw and answers by the reply's text."""

    def __init__(self) -> None:
        self.seen: list[tuple[int, str]] = []

    def __call__(self, item: FetchedMessage) -> Outcome:
        text = item.message.get_body().get_content().strip()  # type: ignore[union-attr]
        self.seen.append((item.uid, text))
        unclear = text != "Подтверждаю"
        return Outcome("unclear" if unclear else "confirmed", row_key=str(item.message["Subject"]),
                       flag=unclear)


def test_fetch_new_messages_with_aware_internaldate(env: ImapAccount) -> None:
    first = env.deliver(reply(1), internaldate=ARRIVED)
    second = env.deliver(reply(2, "Не смогу"), internaldate=ARRIVED + dt.timedelta(hours=1))
    with Mailbox(settings_for(env)) as box:
        assert box.uidvalidity == env.uidvalidity()
        assert box.new_uids(0) == [first, second]
        assert box.new_uids(first) == [second]
        assert box.new_uids(second) == []  # «n:*» would give the last one back: filtered
        items = list(box.fetch([first, second]))
    assert [i.uid for i in items] == [first, second]
    assert items[0].received == ARRIVED
    assert items[0].received.utcoffset() == dt.timedelta(hours=7)
    assert items[0].received.strftime("%d.%m.%Y %H:%M") == "28.11.2025 16:30"
    assert items[1].message.get_body().get_content().strip() == "Не смогу"  # type: ignore
    assert items[0].message_id == "<reply-1@example.ru>"
    assert env.flags(first) == set()  # BODY.PEEK: not marked \Seen


def test_each_message_is_processed_once_across_runs(env: ImapAccount,
                                                    ledger: ReplyLedger) -> None:
    handler = Recorder()
    env.deliver(reply(1))
    env.deliver(reply(2, "Что-то непонятное"))
    done = process_new(settings_for(env), ledger, handler)
    assert [o.outcome for _, o in done] == ["confirmed", "unclear"]
    assert process_new(settings_for(env), ledger, handler) == []
    third = env.deliver(reply(3))
    again = process_new(settings_for(env), ledger, handler)
    assert [item.uid for item, _ in again] == [third]
    assert [uid for uid, _ in handler.seen] == [1, 2, third]
    entries = ledger.entries(settings_for(env).key)
    assert [(e.uid, e.outcome) for e in entries] == [(1, "confirmed"), (2, "unclear"),
                                                     (third, "confirmed")]
    # No address, name or text in the ledger file: only hashes and outcomes.
    raw = Path(ledger.path).read_bytes() + Path(f"{ledger.path}-wal").read_bytes()
    for secret in (b"citizen1@example.ru", env.user.encode(), "Гражданин".encode(),
                   "ВКС".encode(), b"reply-1"):
        assert secret not in raw


def test_unclear_replies_are_flagged(env: ImapAccount, ledger: ReplyLedger) -> None:
    good = env.deliver(reply(1))
    odd = env.deliver(reply(2, "А можно перенести?"))
    process_new(settings_for(env), ledger, Recorder())
    assert env.flags(good) == set()
    assert env.flags(odd) == {"\\Flagged", "vks-unclear"}


def test_processed_messages_move_to_a_russian_folder(env: ImapAccount,
                                                     ledger: ReplyLedger) -> None:
    env.deliver(reply(1))
    env.deliver(reply(2, "??"))
    folder = "ВКС/Обработанные"
    done = process_new(settings_for(env, processed_folder=folder), ledger, Recorder())
    assert len(done) == 2
    assert env.uids() == []
    encoded = imap_utf7.encode(folder.replace("/", ".")).decode()  # Maildir++ delimiter «.»
    assert encoded.startswith("&BBIEGgQh-.")  # modified UTF-7 on the wire
    moved = env.uids(encoded)
    assert len(moved) == 2
    assert env.flags(moved[1], encoded) - {"\\Recent"} == {"\\Flagged", "vks-unclear"}


def test_move_without_the_move_capability(env: ImapAccount, ledger: ReplyLedger,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    from imapclient import IMAPClient

    real = IMAPClient.has_capability
    monkeypatch.setattr(IMAPClient, "has_capability",
                        lambda self, name: name.upper() != "MOVE" and real(self, name))
    keep = env.deliver(reply(1))
    process_new(settings_for(env, processed_folder="Done"), ledger, Recorder())
    assert env.uids() == []
    assert len(env.uids("Done")) == 1
    assert keep not in env.uids()


def test_outage_records_nothing_and_the_next_run_catches_up(
        dovecot: DovecotServer, ledger: ReplyLedger, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(PASSWORD_ENV, dovecot.users["priem"])
    account = ImapAccount(dovecot, "priem", dovecot.users["priem"])
    settings = settings_for(account, timeout=3.0)
    account.deliver(reply(1))
    dovecot.stop()
    handler = Recorder()
    with pytest.raises(MailboxError, match=r"^почтовый сервер 127\.0\.0\.1:\d+ недоступен: "
                                           r"соединение отклонено \(подключение\)$") as caught:
        process_new(settings, ledger, handler)
    assert caught.value.exit_code == 2
    assert handler.seen == [] and ledger.entries() == []
    dovecot.start()
    assert [o.outcome for _, o in process_new(settings, ledger, handler)] == ["confirmed"]


def test_a_failure_midway_keeps_the_message_for_the_next_run(
        env: ImapAccount, ledger: ReplyLedger) -> None:
    env.deliver(reply(1))
    env.deliver(reply(2))

    def fail_on_second(item: FetchedMessage) -> Outcome:
        if item.uid == 2:
            raise RuntimeError("journal busy")
        return Outcome("confirmed")

    with pytest.raises(RuntimeError):
        process_new(settings_for(env), ledger, fail_on_second)
    assert [e.uid for e in ledger.entries()] == [1]
    assert [i.uid for i, _ in process_new(settings_for(env), ledger, Recorder())] == [2]


def test_a_recreated_folder_does_not_repeat_messages(env: ImapAccount,
                                                     ledger: ReplyLedger) -> None:
    folder = "Replies"
    env.deliver(reply(1), folder=folder)
    settings = settings_for(env, folder=folder)
    process_new(settings, ledger, Recorder())
    old = env.uidvalidity(folder)
    client = env.server.connect(env.user)
    try:
        assert client.delete(folder)[0] == "OK"
    finally:
        client.logout()
    env.deliver(reply(1), folder=folder)  # the same message again, in a new folder
    env.deliver(reply(2), folder=folder)
    assert env.uidvalidity(folder) != old
    handler = Recorder()
    done = process_new(settings, ledger, handler)
    assert [o.outcome for _, o in done] == ["duplicate", "confirmed"]
    assert [uid for uid, _ in handler.seen] == [2]


def test_imaps_and_starttls_with_the_test_certificate(env: ImapAccount) -> None:
    server = env.server
    uid = env.deliver(reply(1))
    for security, port in ((Security.SSL, server.imaps_port),
                           (Security.STARTTLS, server.imap_port)):
        settings = settings_for(env, security=security, port=port, cafile=str(server.cafile))
        with Mailbox(settings) as box:
            assert box.new_uids(0) == [uid]


def test_an_unknown_certificate_is_refused(env: ImapAccount) -> None:
    settings = settings_for(env, security=Security.SSL, port=env.server.imaps_port)
    with pytest.raises(MailboxError, match="сертификат сервера не прошел проверку"):
        Mailbox(settings).__enter__()


def test_wrong_or_missing_password(dovecot: DovecotServer,
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """On a Dovecot of its own: after a failed login Dovecot slows that address down."""
    account = ImapAccount(dovecot, "priem", dovecot.users["priem"])
    wrong = "Wr0ng-Pa$$word"
    monkeypatch.setenv(PASSWORD_ENV, wrong)
    with pytest.raises(MailboxError, match="вход не выполнен") as caught:
        Mailbox(settings_for(account)).__enter__()
    text = str(caught.value)
    assert wrong not in text and account.password not in text and PASSWORD_ENV in text
    monkeypatch.delenv(PASSWORD_ENV)
    with pytest.raises(MailboxError, match=f"задайте переменную окружения {PASSWORD_ENV}$"):
        Mailbox(settings_for(account)).__enter__()
    assert account.password not in repr(settings_for(account))


def test_plain_imap_only_on_loopback() -> None:
    with pytest.raises(MailboxError, match="без шифрования допустимо только"):
        ImapSettings(host="imap.mszn42.ru", username="u", password_env="X",
                     security=Security.NONE)
    assert ImapSettings(host="::1", username="u", password_env="X",
                        security=Security.NONE).address == "::1:143"


def test_a_server_that_never_answers_times_out() -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        held: list[socket.socket] = []
        accept = threading.Thread(target=lambda: held.append(listener.accept()[0]), daemon=True)
        accept.start()
        settings = ImapSettings(host="127.0.0.1", port=port, security=Security.NONE,
                                username="u", password_env="X", timeout=0.5)
        with pytest.raises(MailboxError, match=r"не ответил за 0\.5 с \(подключение\)"):
            Mailbox(settings, environ={"X": "pw"}).__enter__()
        accept.join(2)
        for conn in held:
            conn.close()


def test_since_skips_older_mail(env: ImapAccount) -> None:
    env.deliver(reply(1), internaldate=dt.datetime(2025, 1, 10, tzinfo=dt.UTC))
    newer = env.deliver(reply(2), internaldate=ARRIVED)
    with Mailbox(settings_for(env, since=dt.date(2025, 11, 1))) as box:
        assert box.new_uids(0) == [newer]


def test_imaplib_sees_the_keyword_too(env: ImapAccount) -> None:
    """The flag is on the server, not in our cache: an independent client reads it."""
    uid = env.deliver(reply(1))
    with Mailbox(settings_for(env)) as box:
        box.flag(uid)
    client = imaplib.IMAP4("127.0.0.1", env.server.imap_port)
    try:
        client.login(env.user, env.password)
        client.select("INBOX", readonly=True)
        _, data = client.uid("SEARCH", "KEYWORD", "vks-unclear")
    finally:
        client.logout()
    assert data[0].split() == [str(uid).encode()]
