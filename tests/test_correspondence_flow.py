"""A notice goes out, the citizen answers from their mail client, the answer is read once."""

from __future__ import annotations

import datetime as dt
from email.message import EmailMessage

import pytest
from imap_fixtures import ImapAccount

from toolkit.correspondence import (
    FetchedMessage,
    Gender,
    ImapSettings,
    NoticeData,
    NoticeKind,
    Outcome,
    ReplyLedger,
    Verdict,
    build_notice,
    match_reply,
    process_new,
    read_reply,
    reference,
)
from toolkit.correspondence.mailbox import Security

JOURNAL = "/srv/vks/журнал-2026.xlsx"


def answer_to(notice: EmailMessage, text: str) -> EmailMessage:
    """A Thunderbird-style reply: new text on top, the notice quoted with «>»."""
    body = notice.get_body(preferencelist=("plain",))
    assert body is not None
    quoted = "\n".join("> " + line for line in body.get_content().splitlines())
    reply = EmailMessage()
    reply["From"] = "anna.petrova@example.ru"
    reply["To"] = notice["From"]
    reply["Subject"] = "Re: " + notice["Subject"]
    reply["In-Reply-To"] = notice["Message-ID"]
    reply["References"] = notice["Message-ID"]
    reply["Message-ID"] = f"<{abs(hash(text))}@example.ru>"
    reply.set_content(f"{text}\n\n27.11.2026 15:02, Министерство пишет:\n{quoted}\n")
    return reply


def test_notice_reply_and_reading_once(imap_account: ImapAccount, tmp_path,  # type: ignore
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VKS_TEST_IMAP", imap_account.password)
    rows = {n: reference(JOURNAL, "Министерство", n) for n in (15, 16, 17)}
    for number, text in ((15, "Подтверждаю"), (16, "К сожалению, не смогу."),
                         (17, "А можно перенести?")):
        notice = build_notice(
            NoticeData(kind=NoticeKind.APPOINTMENT, body_name="Министерство",
                       body_contacts="", citizen_name="Анна Сергеевна",
                       citizen_gender=Gender.FEMALE, reference=rows[number],
                       appointment=dt.datetime(2026, 11, 30, 10, 0),
                       specialist="Тарасов Е.П.",
                       link="https://telemost.yandex.ru/j/78566269088286",
                       deadline=dt.date(2026, 11, 30)),
            sender="priem@mszn42.ru", recipient="anna.petrova@example.ru")
        imap_account.deliver(answer_to(notice, text))

    def handle(item: FetchedMessage) -> Outcome:
        found = match_reply(item.message)
        assert found is not None and found.how == "in-reply-to"
        verdict = read_reply(item.message).verdict
        return Outcome(verdict.value, row_key=f"{JOURNAL}|Министерство|{found.reference.number}",
                       flag=verdict is Verdict.UNCLEAR)

    settings = ImapSettings(host="127.0.0.1", port=imap_account.server.imap_port,
                            security=Security.NONE, username=imap_account.user,
                            password_env="VKS_TEST_IMAP")
    with ReplyLedger(tmp_path / "replies.sqlite") as ledger:
        done = process_new(settings, ledger, handle)
        assert [o.outcome for _, o in done] == ["confirmed", "declined", "unclear"]
        assert process_new(settings, ledger, handle) == []
    assert imap_account.flags(3) == {"\\Flagged", "vks-unclear"}
