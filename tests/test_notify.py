"""`send_notices`: a real journal (.xlsx written and re-read), a real SMTP server (aiosmtpd),
Telemost at the HTTP boundary (responses), the notices ledger in a real SQLite file."""

from __future__ import annotations

import datetime as dt
import io
import json
from email.message import EmailMessage
from pathlib import Path

import docx
import pytest
import responses
from notify_fixtures import (
    BODY_NAME,
    LINK,
    NEW_LINK,
    NOW,
    SENDER,
    SHEET,
    TOKEN_ENV,
    appointed,
    config,
    rejected,
    write,
)
from smtp_server import Server, start_server

from toolkit.correspondence.outbox import LEDGER_NAME, Outbox, State
from toolkit.correspondence.outgoing import send_notices
from toolkit.correspondence.planning import addressing, row_hash
from toolkit.correspondence.reference import NoticeKind, match_reply, parse_message_id
from toolkit.correspondence.telemost import API_URL
from toolkit.journal.clock import Clock
from toolkit.journal.config import Config
from toolkit.journal.locations import journal_key
from toolkit.journal.model import Application
from toolkit.journal.read import read_journals
from toolkit.sources.open import open_source

FIXTURES = Path(__file__).parent / "fixtures" / "telemost"
ENV = {TOKEN_ENV: "y0_test-token"}


def created() -> dict[str, object]:
    payload = json.loads((FIXTURES / "created.json").read_text(encoding="utf-8"))
    payload["join_url"] = NEW_LINK
    return payload


def rows_of(path: Path, cfg: Config) -> dict[int, Application]:
    [journal] = read_journals(open_source(str(path), cfg), cfg)
    return {a.number: a for a in journal.applications if a.number is not None}


def by_number(server: Server) -> dict[int, list[EmailMessage]]:
    out: dict[int, list[EmailMessage]] = {}
    for _, msg in server.inbox.messages:
        found = match_reply(_as_reply(msg))
        assert found is not None
        out.setdefault(found.reference.number, []).append(msg)
    return out


def _as_reply(msg: EmailMessage) -> EmailMessage:
    """A reply to `msg` carries its Message-ID in In-Reply-To: that is how notices are matched."""
    reply = EmailMessage()
    reply["In-Reply-To"] = msg["Message-ID"]
    return reply


def text_of(msg: EmailMessage, kind: str = "plain") -> str:
    part = msg.get_body(preferencelist=(kind,))
    assert part is not None
    return str(part.get_content())


@pytest.fixture
def journal(tmp_path: Path) -> Path:
    return write(tmp_path / "журнал.xlsx")


@responses.activate
def test_each_decision_goes_out_once_and_the_journal_records_it(
        smtp: Server, journal: Path, tmp_path: Path) -> None:
    responses.post(API_URL, json=created(), status=201)
    responses.add_passthru("http://127.0.0.1")
    cfg = config(tmp_path, smtp.port)
    result = send_notices(str(journal), cfg, Clock.at(NOW), environ=ENV)
    assert result.exit_code == 0, result.lines()
    sent = by_number(smtp)
    assert sorted(sent) == [1, 2, 4, 6, 7, 8]
    assert all(len(m) == 1 for m in sent.values())
    assert len(responses.calls) == 1  # one meeting, for row 4
    kinds = {n: parse_message_id(m[0]["Message-ID"]).kind for n, m in sent.items()}  # type: ignore[union-attr]
    assert kinds == {1: NoticeKind.APPOINTMENT, 2: NoticeKind.REJECTION, 4: NoticeKind.APPOINTMENT,
                     6: NoticeKind.CANCELLATION, 7: NoticeKind.RESCHEDULE,
                     8: NoticeKind.APPOINTMENT}
    recipients = {tuple(r) for r, _ in smtp.inbox.messages}
    assert ("citizen1@example.ru",) in recipients and ("o'brien+vks@example.ru",) in recipients

    first = sent[1][0]
    assert first["From"].addresses[0].addr_spec == SENDER
    assert first["From"].addresses[0].display_name == BODY_NAME
    text = text_of(first)
    assert text.startswith("Уважаемая Анна Сергеевна!")
    assert "2 декабря 2026 г. в 10:20 (время новокузнецкое, МСК+4)" in text
    assert "Прием проводит: Тарасов Е.П.\n" in text and LINK in text
    assert "не позднее 30 ноября 2026 г." in text  # cl. 2.6: the next working day
    assert "тел. 8 (3842) 58-00-00; эл. почта priem@mszn42.ru" in text
    assert f'<a href="{LINK}">' in text_of(first, "html")

    [rejection] = sent[2]
    assert text_of(rejection).startswith("Уважаемый Петр Сергеевич!")
    [letter] = list(rejection.iter_attachments())
    assert letter.get_filename().startswith("Решение об отклонении заявки ВКС-")
    assert letter.get_filename().endswith(".docx")
    paragraphs = "\n".join(p.text for p in docx.Document(io.BytesIO(letter.get_content()))
                           .paragraphs)
    assert "Иванову Петру Сергеевичу" in paragraphs

    assert NEW_LINK in text_of(sent[4][0])
    assert "отменен в связи с поступлением от Вас отказа" in text_of(sent[6][0])
    assert sent[6][0]["In-Reply-To"] is None  # the first notice was staff's own
    reschedule = text_of(sent[7][0])
    assert "Новые дата и время приема: 4 декабря 2026 г. в 11:00" in reschedule
    assert "назначенный на 2 декабря 2026 г. в 12:20" in reschedule

    hostile = sent[8][0]
    assert text_of(hostile).startswith("Здравствуйте, <b>Робертс</b> & \"Ко\"!")
    assert "&lt;b&gt;Робертс&lt;/b&gt; &amp;" in text_of(hostile, "html")
    assert "\u202e" not in hostile.as_string()

    rows = rows_of(journal, cfg)
    moment = NOW.replace(second=0)
    for number in (1, 2, 4, 8):
        assert rows[number].notice_sent is not None
        assert moment <= rows[number].notice_sent <= moment + dt.timedelta(minutes=1)
    assert rows[4].link == NEW_LINK
    for number in (3, 9, 10, 11, 12):
        assert rows[number].notice_sent is None
    assert rows[5].notice_sent == dt.datetime(2026, 11, 26, 11, 0)
    assert {(str(n.ref.number), n.kind) for n in result.phone} == {
        ("3", NoticeKind.APPOINTMENT), ("9", NoticeKind.APPOINTMENT)}
    assert result.written == 4 and result.links == 1  # notices of 1, 2, 4, 8; link of 4

    again = send_notices(str(journal), cfg, Clock.at(NOW + dt.timedelta(hours=1)), environ=ENV)
    assert again.sent == [] and again.written == 0 and again.already == 6
    assert len(smtp.inbox.messages) == 6 and len(responses.calls) == 1


def test_a_changed_appointment_sends_one_corrected_notice(smtp: Server, journal: Path,
                                                          tmp_path: Path) -> None:
    cfg = config(tmp_path, smtp.port)
    records = [appointed(1)]
    write(journal, records)
    send_notices(str(journal), cfg, Clock.at(NOW))
    [(_, first)] = smtp.inbox.messages
    sent_at = rows_of(journal, cfg)[1].notice_sent
    records[0]["appointment"] += dt.timedelta(days=1)
    records[0]["notice_sent"] = sent_at
    write(journal, records)
    later = Clock.at(NOW + dt.timedelta(hours=2))
    result = send_notices(str(journal), cfg, later)
    assert [(s.kind, s.revision, s.corrects) for s in result.sent] == [
        (NoticeKind.APPOINTMENT, 2, True)]
    [_, (_, second)] = smtp.inbox.messages
    assert str(second["Subject"]).startswith("Исправлено: [ВКС-")
    assert second["In-Reply-To"] == first["Message-ID"]
    assert second["Message-ID"] != first["Message-ID"]
    assert "заменяет направленное Вам ранее уведомление" in text_of(second)
    assert "3 декабря 2026 г. в 10:20" in text_of(second)
    assert rows_of(journal, cfg)[1].notice_sent == sent_at  # the window runs from the first
    assert send_notices(str(journal), cfg, later).sent == []
    assert len(smtp.inbox.messages) == 2


def test_a_refused_address_and_a_server_outage(journal: Path, tmp_path: Path) -> None:
    smtp = start_server()
    cfg = config(tmp_path, smtp.port)
    records = [appointed(1), appointed(2), appointed(3)]
    write(journal, records)
    smtp.inbox.refuse.add("citizen2@example.ru")  # 550: the address does not exist
    result = send_notices(str(journal), cfg, Clock.at(NOW))
    assert result.exit_code == 0 and result.failed == []
    assert [s.ref.number for s in result.sent] == [1, 3]
    assert [(n.ref.number, n.message) for n in result.phone] == [
        (2, "почтовый сервер отклонил адрес эл. почты — сообщите гражданину по телефону или "
            "исправьте адрес")]
    assert "citizen2@example.ru" not in "\n".join(result.lines())
    key = row_hash(journal_key(str(journal)), BODY_NAME, 2)
    with Outbox(tmp_path / "state" / LEDGER_NAME) as outbox:
        entry = outbox.latest(key, NoticeKind.APPOINTMENT)
        assert entry is not None and entry.state is State.REFUSED
    again = send_notices(str(journal), cfg, Clock.at(NOW))  # not tried again…
    assert again.sent == [] and [n.ref.number for n in again.phone] == [2]
    records[1]["email"] = "citizen2.fixed@example.ru"  # …until the address is corrected
    records[0]["notice_sent"] = records[2]["notice_sent"] = NOW
    records.append(appointed(4))
    write(journal, records)
    fixed = send_notices(str(journal), cfg, Clock.at(NOW))
    assert [(s.ref.number, s.corrects) for s in fixed.sent] == [(2, False), (4, False)]
    assert smtp.inbox.messages[-2][0] == ["citizen2.fixed@example.ru"]
    records.append(appointed(5))
    write(journal, records)
    smtp.stop()
    down = send_notices(str(journal), cfg, Clock.at(NOW))
    assert down.exit_code == 1 and len(down.failed) == 1
    assert "соединение отклонено" in down.failed[0]
    assert rows_of(journal, cfg)[5].notice_sent is None


def test_dry_run_writes_eml_and_changes_nothing(journal: Path, tmp_path: Path) -> None:
    cfg = config(tmp_path, 1)
    before = journal.read_bytes()
    folder = tmp_path / "письма"
    result = send_notices(str(journal), cfg, Clock.at(NOW), folder, environ=ENV)
    assert journal.read_bytes() == before
    assert not (tmp_path / "state" / LEDGER_NAME).exists()
    names = sorted(p.name for p in folder.glob("*.eml"))
    assert names == [f"{SHEET}-{n}-{k}-1.eml" for n, k in (
        (1, "appointment"), (6, "cancellation"), (7, "reschedule"), (8, "appointment"))]
    assert any("будет создана при отправке" in str(p) for p in result.problems)  # row 4
    assert any("решение об отклонении" in str(p) for p in result.problems)  # row 2: no letter


@pytest.mark.parametrize(("name", "shown", "gender"), [
    ("Петрова Анна Сергеевна", "Анна Сергеевна", "female"),
    ("ИВАНОВ ПЕТР СЕРГЕЕВИЧ", "Петр Сергеевич", "male"),
    ("Мамедов Ильхам Алиевич", "Ильхам Алиевич", "male"),
    ("Алиева Лейла Рашид кызы", "Лейла Рашид кызы", "female"),
    ("Ким Алексей", "Алексей Ким", "male"),
    ("Петрова А.С.", "А.С. Петрова", "female"),
    ("Шевченко Саша", "Шевченко Саша", None),
    ("John Smith", "John Smith", None),
    ("Петрова", "Петрова", None),
])
def test_how_the_citizen_is_addressed(name: str, shown: str, gender: str | None) -> None:
    got, sex = addressing(name)
    assert got == shown and (sex.value if sex else None) == gender


def test_the_rejection_carries_the_decision_as_pdf(smtp: Server, journal: Path,
                                                   tmp_path: Path) -> None:
    from toolkit.letters.render import find_soffice

    assert find_soffice() is not None, "LibreOffice is needed (.ci/run installs it)"
    cfg = config(tmp_path, smtp.port, libreoffice=True)
    write(journal, [rejected(1, citizen="Сафина Гузель Ринатовна")])
    result = send_notices(str(journal), cfg, Clock.at(NOW))
    assert result.exit_code == 0 and result.letters == 1
    [(_, msg)] = smtp.inbox.messages
    [pdf] = list(msg.iter_attachments())
    assert pdf.get_content_type() == "application/pdf"
    assert pdf.get_filename() == f"Решение об отклонении заявки {_token(msg)}.pdf"
    data = pdf.get_content()
    assert data.startswith(b"%PDF-")
    target = tmp_path / "решение.pdf"
    target.write_bytes(data)
    import subprocess

    shown = subprocess.run(["pdftotext", str(target), "-"], capture_output=True, text=True,
                           check=True).stdout
    assert "Сафиной Гузель Ринатовне" in " ".join(shown.split())
    assert text_of(msg).startswith("Уважаемая Гузель Ринатовна!")


def _token(msg: EmailMessage) -> str:
    subject = str(msg["Subject"])
    return subject[subject.index("[") + 1:subject.index("]")]


def test_a_doubtful_hand_over_is_sent_again_once(journal: Path, tmp_path: Path) -> None:
    from aiosmtpd.controller import Controller
    from smtp_server import SlowInbox, free_port

    inbox = SlowInbox(delay=3.0)  # takes the message, answers too late
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        cfg = config(tmp_path, port, mail={"timeout": 0.5})
        write(journal, [appointed(1)])
        first = send_notices(str(journal), cfg, Clock.at(NOW))
        assert first.exit_code == 1 and "возможно, сервер его принял" in first.failed[0]
        second = send_notices(str(journal), cfg, Clock.at(NOW))
        assert second.exit_code == 1
        assert len(inbox.messages) == 2  # the one duplicate the ledger allows
        assert inbox.messages[0][1]["Message-ID"] == inbox.messages[1][1]["Message-ID"]
        assert rows_of(journal, cfg)[1].notice_sent is None
        third = send_notices(str(journal), cfg, Clock.at(NOW + dt.timedelta(minutes=5)))
        assert third.exit_code == 0 and [s.uncertain for s in third.sent] == [True]
        assert "дважды не подтвердил" in "\n".join(third.lines())
        assert len(inbox.messages) == 2
        assert rows_of(journal, cfg)[1].notice_sent == NOW + dt.timedelta(minutes=5)
        assert send_notices(str(journal), cfg, Clock.at(NOW)).sent == []
    finally:
        controller.stop()


def test_the_notices_guide_names_every_template_field() -> None:
    from toolkit.correspondence.notices import FIELDS

    section = (Path(__file__).resolve().parent.parent / "docs" / "notices.md").read_text(
        encoding="utf-8")
    for name in FIELDS:
        assert f"`{name}`" in section, name


HOSTILE_NAMES = [
    "Петрова Анна Сергеевна\r\nBcc: victim@example.org",
    "=HYPERLINK(\"http://evil\")",
    "<img src=x onerror=alert(1)> Иванов",
    "Ким\u202eвонавИ Алексей",
    "Иванов " + "И" * 3000,
]


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_every_kind_of_notice_survives_a_hostile_name_and_address(
        smtp: Server, journal: Path, tmp_path: Path, name: str) -> None:
    address = "<script>alert(1)</script>\r\nг. Кемерово"
    write(journal, [
        appointed(1, citizen=name, address=address),
        rejected(2, citizen=name, address=address),
        appointed(3, citizen=name, notice_sent=dt.datetime(2026, 11, 26, 11, 0),
                  outcome="Отменен: гражданин отказался"),
        appointed(4, citizen=name, notice_sent=dt.datetime(2026, 11, 26, 11, 0),
                  outcome="Перенесен: техническая неисправность",
                  rescheduled_to=dt.datetime(2026, 12, 4, 11, 0)),
        appointed(5, email="citizen5@example.ru\r\nBcc: evil@example.org"),
        appointed(6, email="evil@example.org, victim@example.org"),
    ])
    result = send_notices(str(journal), config(tmp_path, smtp.port), Clock.at(NOW))
    assert result.exit_code == 0, result.lines()
    assert [r for r, _ in smtp.inbox.messages] == [[f"citizen{n}@example.ru"] for n in (1, 2, 3, 4)]
    assert {str(n.ref.number) for n in result.phone} == {"5", "6"}  # not an address: by phone
    for _, msg in smtp.inbox.messages:
        assert msg["Bcc"] is None and msg["Cc"] is None
        assert "\u202e" not in msg.as_string()
        html = text_of(msg, "html")
        assert "<img" not in html and "<script" not in html
        assert len(text_of(msg)) < 6000  # a runaway value is cut, the layout stays
        assert not text_of(msg).startswith("=")


@responses.activate
def test_a_refused_telemost_token_is_reported_and_the_rest_goes_out(
        smtp: Server, journal: Path, tmp_path: Path) -> None:
    responses.post(API_URL, json=json.loads((FIXTURES / "unauthorized.json").read_text(
        encoding="utf-8")), status=401)
    write(journal, [appointed(1), appointed(2, link=""), appointed(3, link="")])
    result = send_notices(str(journal), config(tmp_path, smtp.port), Clock.at(NOW),
                          environ=ENV)
    assert result.exit_code == 1
    assert len(responses.calls) == 1  # the body stops at its first refusal
    assert "токен OAuth не принят (401)" in result.link_failures[0]
    assert "y0_test-token" not in "\n".join(result.lines())
    assert [s.ref.number for s in result.sent] == [1]
    assert {str(p.ref.number) for p in result.problems} == {"2", "3"}
    rows = rows_of(journal, config(tmp_path, smtp.port))
    assert rows[2].link == "" and rows[2].notice_sent is None
