"""`read_replies`: notices sent through aiosmtpd, the citizens' replies from common mail clients
delivered into a real Dovecot, the answers written into a real .xlsx journal — once."""

from __future__ import annotations

import datetime as dt
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from imap_fixtures import ImapAccount
from imap_server import DovecotServer
from imapclient import imap_utf7
from notify_fixtures import NOW, appointed, config, rejected, write
from reply_samples import labels, retarget, sample
from smtp_server import Server

from toolkit.correspondence.incoming import read_replies
from toolkit.correspondence.mailbox import MailboxError
from toolkit.correspondence.outgoing import send_notices
from toolkit.correspondence.reference import match_reply
from toolkit.journal.clock import Clock
from toolkit.journal.config import Config
from toolkit.journal.model import Application
from toolkit.journal.read import read_journals
from toolkit.journal.schema import Answer, Outcome
from toolkit.sources.open import check, open_source

PASSWORD_ENV = "VKS_TEST_IMAP_PASSWORD"
SAMPLES = sorted(labels())  # 17 replies from Outlook, Thunderbird, Yandex, Mail.ru, Gmail…
ARRIVED = dt.datetime(2026, 11, 27, 4, 15, tzinfo=dt.UTC)  # 11:15 in Novokuznetsk
WRONG_SENDER = len(SAMPLES) + 1
REPLY_TO_REJECTION = len(SAMPLES) + 2


def rows_of(path: Path, cfg: Config) -> dict[int, Application]:
    [journal] = read_journals(open_source(str(path), cfg), cfg)
    return {a.number: a for a in journal.applications if a.number is not None}


def imap_config(tmp: Path, smtp_port: int, server: DovecotServer, user: str, **imap: Any
                ) -> Config:
    table = {"host": "127.0.0.1", "port": server.imap_port, "security": "none",
             "username": user, "password_env": PASSWORD_ENV, **imap}
    return config(tmp, smtp_port, imap=table)


def notices(smtp: Server) -> dict[int, EmailMessage]:
    out = {}
    for _, msg in smtp.inbox.messages:
        reply = EmailMessage()
        reply["In-Reply-To"] = msg["Message-ID"]
        found = match_reply(reply)
        assert found is not None
        out[found.reference.number] = msg
    return out


def token_of(msg: EmailMessage) -> str:
    subject = str(msg["Subject"])
    return subject[subject.index("[") + 1:subject.index("]")]


def answer(notice: EmailMessage, text: str, sender: str, subject: str | None = None
           ) -> EmailMessage:
    reply = EmailMessage()
    reply["From"] = sender
    reply["To"] = notice["From"]
    reply["Subject"] = subject or f"Re: {notice['Subject']}"
    reply["In-Reply-To"] = notice["Message-ID"]
    reply["Message-ID"] = f"<{abs(hash((text, sender)))}@example.org>"
    reply.set_content(text)
    return reply


@pytest.fixture
def sent(smtp: Server, tmp_path: Path) -> tuple[Path, dict[int, EmailMessage]]:
    """A journal whose notices went out at NOW: one appointment per sample, and more."""
    journal = write(tmp_path / "журнал.xlsx",
                    [appointed(n) for n in range(1, WRONG_SENDER + 1)]
                    + [rejected(REPLY_TO_REJECTION)])
    result = send_notices(str(journal), config(tmp_path, smtp.port), Clock.at(NOW))
    assert result.exit_code == 0 and len(result.sent) == REPLY_TO_REJECTION
    return journal, notices(smtp)


def test_replies_from_common_clients_are_recorded_once(
        sent: tuple[Path, dict[int, EmailMessage]], imap_account: ImapAccount, smtp: Server,
        tmp_path: Path) -> None:
    journal, by_number = sent
    expected: dict[int, str] = {}
    for i, name in enumerate(SAMPLES):
        number = i + 1
        notice = by_number[number]
        raw = retarget(sample(name), token_of(notice), str(notice["Message-ID"]),
                       f"citizen{number}@example.ru")
        imap_account.deliver(raw, internaldate=ARRIVED + dt.timedelta(minutes=i))
        expected[number] = labels()[name]
    stranger = EmailMessage()
    stranger["From"] = "Незнакомец <stranger@example.org>"
    stranger["Subject"] = "Вопрос по пособию"
    stranger.set_content("Подтверждаю")
    imap_account.deliver(stranger, internaldate=ARRIVED)
    imap_account.deliver(answer(by_number[WRONG_SENDER], "Подтверждаю", "other@example.org"),
                         internaldate=ARRIVED)
    imap_account.deliver(answer(by_number[REPLY_TO_REJECTION], "Не согласен с решением",
                                f"citizen{REPLY_TO_REJECTION}@example.ru"),
                         internaldate=ARRIVED)

    cfg = imap_config(tmp_path, smtp.port, imap_account.server, imap_account.user)
    env = {PASSWORD_ENV: imap_account.password}
    result = read_replies([str(journal)], cfg, Clock.at(NOW + dt.timedelta(hours=3)),
                          environ=env)
    assert result.processed == len(SAMPLES) + 3
    rows = rows_of(journal, cfg)
    for number, label in expected.items():
        row = rows[number]
        if label == "unclear":
            assert row.answer is None and row.answered_at is None, number
            continue
        want = Answer.CONFIRMED if label == "confirmed" else Answer.DECLINED
        assert row.answer is want, (number, label)
        assert row.answered_at == dt.datetime(2026, 11, 27, 11, 15) + \
            dt.timedelta(minutes=number - 1)
    assert rows[WRONG_SENDER].answer is None
    unclear = [n for n, label in expected.items() if label == "unclear"]
    manual = {m.sender: m for m in result.manual}
    assert set(manual) == {"stranger@example.org", "other@example.org",
                           f"citizen{REPLY_TO_REJECTION}@example.ru",
                           *(f"citizen{n}@example.ru" for n in unclear)}
    assert manual["stranger@example.org"].subject == "Вопрос по пособию"
    assert "нет метки заявки" in manual["stranger@example.org"].reason
    assert "отправитель — не адрес" in manual["other@example.org"].reason
    shown = "\n".join(result.lines())
    assert "stranger@example.org «Вопрос по пособию»" in shown
    quiet = "\n".join(result.lines(personal=False))
    assert "@" not in quiet and "Вопрос по пособию" not in quiet

    uids = imap_account.uids()
    flagged = [uid for uid in uids if "\\Flagged" in imap_account.flags(uid)]
    assert len(flagged) == len(manual)

    again = read_replies([str(journal)], cfg, Clock.at(NOW + dt.timedelta(hours=4)),
                         environ=env)
    assert again.processed == 0 and again.recorded == [] and again.manual == []

    # The rules see the real answers: refusals are cancelled (cl. 2.7), confirmations are not.
    check(str(journal), cfg, dt.datetime(2026, 11, 27, 15, 0), write=True)
    rows = rows_of(journal, cfg)
    for number, label in expected.items():
        want = Outcome.DECLINED if label == "declined" else None
        assert rows[number].outcome is want, (number, label)


def test_an_imap_outage_loses_nothing(smtp: Server, dovecot: DovecotServer,
                                      tmp_path: Path) -> None:
    journal = write(tmp_path / "журнал.xlsx", [appointed(1), appointed(2)])
    send_notices(str(journal), config(tmp_path, smtp.port), Clock.at(NOW))
    by_number = notices(smtp)
    account = ImapAccount(dovecot, "priem", dovecot.users["priem"])
    account.deliver(answer(by_number[1], "Подтверждаю участие", "citizen1@example.ru"),
                    internaldate=ARRIVED)
    cfg = imap_config(tmp_path, smtp.port, dovecot, "priem", processed_folder="ВКС/Разобрано",
                      timeout=3)
    env = {PASSWORD_ENV: dovecot.users["priem"]}
    before = journal.read_bytes()
    dovecot.stop()
    with pytest.raises(MailboxError, match="недоступен"):
        read_replies([str(journal)], cfg, Clock.at(NOW), environ=env)
    assert journal.read_bytes() == before
    dovecot.start()
    account.deliver(answer(by_number[2], "К сожалению, не смогу, отказываюсь",
                           "citizen2@example.ru"), internaldate=ARRIVED)
    result = read_replies([str(journal)], cfg, Clock.at(NOW), environ=env)
    assert [(ref.number, a) for ref, a, _ in result.recorded] == [
        (1, Answer.CONFIRMED), (2, Answer.DECLINED)]
    done = imap_utf7.encode("ВКС/Разобрано".replace("/", ".")).decode()  # Maildir++: «.»
    assert account.uids() == [] and len(account.uids(done)) == 2
    rows = rows_of(journal, cfg)
    assert (rows[1].answer, rows[2].answer) == (Answer.CONFIRMED, Answer.DECLINED)


def test_a_dry_run_reads_and_changes_nothing(sent: tuple[Path, dict[int, EmailMessage]],
                                             imap_account: ImapAccount, smtp: Server,
                                             tmp_path: Path) -> None:
    journal, by_number = sent
    imap_account.deliver(answer(by_number[1], "Подтверждаю", "Citizen1@Example.RU"),
                         internaldate=ARRIVED)  # the same address, written in capitals
    imap_account.deliver(answer(by_number[2], "Подтверждаю", "citizen1@example.ru"),
                         internaldate=ARRIVED)  # another application's citizen: not guessed
    cfg = imap_config(tmp_path, smtp.port, imap_account.server, imap_account.user)
    env = {PASSWORD_ENV: imap_account.password}
    before = journal.read_bytes()
    dry = read_replies([str(journal)], cfg, Clock.at(NOW), dry_run=True, environ=env)
    assert [ref.number for ref, _, _ in dry.recorded] == [1] and len(dry.manual) == 1
    assert journal.read_bytes() == before
    assert all(imap_account.flags(uid) == set() for uid in imap_account.uids())
    real = read_replies([str(journal)], cfg, Clock.at(NOW), environ=env)
    assert [ref.number for ref, _, _ in real.recorded] == [1]


def test_a_journal_open_in_an_office_program_leaves_the_replies_unread(
        sent: tuple[Path, dict[int, EmailMessage]], imap_account: ImapAccount, smtp: Server,
        tmp_path: Path) -> None:
    from toolkit.journal.errors import JournalBusy

    journal, by_number = sent
    imap_account.deliver(answer(by_number[1], "Подтверждаю", "citizen1@example.ru"),
                         internaldate=ARRIVED)
    imap_account.deliver(answer(by_number[2], "Как подключиться?", "citizen2@example.ru"),
                         internaldate=ARRIVED)
    cfg = imap_config(tmp_path, smtp.port, imap_account.server, imap_account.user)
    env = {PASSWORD_ENV: imap_account.password}
    lock = journal.with_name(f".~lock.{journal.name}#")
    lock.write_text("Специалист,host,host,27.11.2026 10:00,file:///C:/Users/user;",
                    encoding="utf-8")
    with pytest.raises(JournalBusy):
        read_replies([str(journal)], cfg, Clock.at(NOW), environ=env)
    assert all(imap_account.flags(uid) == set() for uid in imap_account.uids())
    lock.unlink()
    result = read_replies([str(journal)], cfg, Clock.at(NOW), environ=env)
    assert [ref.number for ref, _, _ in result.recorded] == [1] and len(result.manual) == 1
    assert rows_of(journal, cfg)[1].answer is Answer.CONFIRMED
