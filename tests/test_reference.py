"""Reference tokens and Message-IDs: a reply finds its application however it was mangled."""

from __future__ import annotations

import email
from email.message import EmailMessage
from email.policy import default as default_policy

import pytest

from toolkit.correspondence.reference import (
    NoticeId,
    NoticeKind,
    Reference,
    body_code,
    make_message_id,
    match_reply,
    parse_message_id,
    parse_reference,
    reference,
)

JOURNAL = "/srv/vks/журнал-2026.xlsx"


def test_the_token_is_stable_short_and_per_journal_and_body() -> None:
    token = reference(JOURNAL, "Министерство", 15)
    assert token == reference(JOURNAL, "Министерство", 15)
    code = body_code(JOURNAL, "Министерство")
    assert token == f"ВКС-{code}-15"
    assert len(code) == 5 and set(code) <= set("0123456789ABCDEFGHJKMNPQRSTVWXYZ")
    assert body_code(JOURNAL, "ГЮБ") != code
    assert body_code("gsheet:abc", "Министерство") != code
    with pytest.raises(ValueError):
        reference(JOURNAL, "Министерство", 0)


def test_bodies_rarely_share_a_code() -> None:
    codes = {body_code(JOURNAL, f"Орган соцзащиты № {n}") for n in range(2000)}
    assert len(codes) >= 1995


@pytest.mark.parametrize("subject", [
    "[ВКС-7K3QD-15] Уведомление о назначении приема",
    "Re: RE: Fwd: Ответ: [ВКС-7K3QD-15] Уведомление",
    "RE: [ВКС–7K3QD–15] Уведомление",            # en dashes
    "Re: [вкс-7k3qd-15] уведомление",            # lower case
    "Ответ: [ВКС 7K3QD 15]",                     # spaces
    "AW: [ВКС-7К3QD-15]",                        # Cyrillic К in the code
    "Re: [VKS-7K3QD-15]",                        # transliterated prefix
    "Re:[ВКС-7K3QD-№15]",
    "Re: (ВКС-7K3QD-15) Уведомление",
    "Re: ВКС-7K3QD-15",
    "Re: [ВКС-7K3\n QD-15] folded",
])
def test_the_token_survives_clients_and_people(subject: str) -> None:
    assert parse_reference(subject) == Reference("7K3QD", 15)


def test_crockford_aliases_are_read_as_digits() -> None:
    assert parse_reference("[ВКС-O1LQD-7]") == Reference("011QD", 7)


@pytest.mark.parametrize("subject", [
    "Re: Уведомление о приеме", "ВКС-7K3-15", "ВКС-7K3QD", "ПВКС-7K3QD-15", "", None,
])
def test_no_token(subject: str | None) -> None:
    assert parse_reference(subject) is None


def test_message_ids_are_deterministic_and_read_back() -> None:
    token = "ВКС-7K3QD-15"
    mid = make_message_id(token, NoticeKind.APPOINTMENT, revision=2, domain="MSZN42.ru")
    assert mid == "<vks.7k3qd.15.appointment.2@mszn42.ru>"
    assert mid == make_message_id(Reference("7K3QD", 15), NoticeKind.APPOINTMENT, revision=2,
                                  domain="mszn42.ru")
    assert parse_message_id(mid) == NoticeId(Reference("7K3QD", 15), NoticeKind.APPOINTMENT, 2)
    assert parse_message_id("<CAFoo123@mail.gmail.com>") is None
    assert parse_message_id("<vks.7k3qd.15.party.1@x.ru>") is None
    with pytest.raises(ValueError):
        make_message_id(token, NoticeKind.REJECTION, domain="bad domain>\r\nBcc: x")
    with pytest.raises(ValueError):
        make_message_id("no token", NoticeKind.REJECTION, domain="x.ru")


def _reply(**headers: str) -> EmailMessage:
    msg = EmailMessage()
    for name, value in headers.items():
        msg[name.replace("_", "-")] = value
    msg.set_content("Подтверждаю")
    return msg


def test_match_by_in_reply_to_then_references_then_subject() -> None:
    ours = "<vks.7k3qd.15.appointment.1@mszn42.ru>"
    newer = "<vks.7k3qd.15.reschedule.1@mszn42.ru>"
    found = match_reply(_reply(In_Reply_To=ours, Subject="Re: [ВКС-AAAAA-1]"))
    assert found is not None and (found.how, found.reference.number) == ("in-reply-to", 15)
    found = match_reply(_reply(In_Reply_To="<x@gmail.com>",
                               References=f"{ours} <y@gmail.com> {newer} <x@gmail.com>"))
    assert found is not None and found.how == "references"
    assert found.notice is not None and found.notice.kind == NoticeKind.RESCHEDULE
    found = match_reply(_reply(Subject="Re: [ВКС-7K3QD-16] Уведомление"))
    assert found is not None and (found.how, found.reference.number, found.notice) == \
        ("subject", 16, None)
    assert match_reply(_reply(Subject="Вопрос")) is None


def test_a_reply_as_parsed_from_the_wire() -> None:
    raw = ("From: =?utf-8?b?0JjQstCw0L0=?= <ivan@example.ru>\r\n"
           "Subject: =?utf-8?b?UmU6IFvQktCa0KEtN0szUUQtMTVdINCj0LLQtdC00L7QvNC70LXQvdC40LU=?=\r\n"
           "\r\nДа\r\n").encode()
    message = email.message_from_bytes(raw, policy=default_policy)
    found = match_reply(message)
    assert found is not None and found.reference == Reference("7K3QD", 15)
