"""Outgoing notices: each template rendered, hostile values escaped, headers safe, parts parse."""

from __future__ import annotations

import datetime as dt
import email
import re
import shutil
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path

import pytest

from toolkit.correspondence.notices import (
    FIELDS,
    REASON_NO_CONFIRMATION,
    TEMPLATE_DIR,
    TEMPLATE_NAMES,
    Attachment,
    Gender,
    NoticeData,
    NoticeTemplateError,
    NoticeTemplates,
    build_notice,
    greeting,
    moment_text,
)
from toolkit.correspondence.quoting import html_to_text
from toolkit.correspondence.reference import NoticeKind, match_reply, parse_message_id

BODY = "Министерство социальной защиты населения Кузбасса"
LINK = "https://telemost.yandex.ru/j/78566269088286"
GROUND = ("содержание заявки не позволяет определить тематику вопроса;")
SENDER = "priem@mszn42.ru"
CITIZEN = "anna.petrova@example.ru"
NOW = dt.datetime(2026, 11, 27, 15, 2, tzinfo=dt.UTC)


def data(kind: NoticeKind = NoticeKind.APPOINTMENT, **changes: object) -> NoticeData:
    values: dict[str, object] = {
        "kind": kind, "body_name": BODY, "body_contacts": "тел. 8 (3842) 58-00-00",
        "citizen_name": "Анна Сергеевна", "citizen_gender": Gender.FEMALE,
        "reference": "ВКС-7K3QD-15", "appointment": dt.datetime(2026, 11, 30, 10, 0),
        "specialist": "Тарасов Евгений Павлович", "link": LINK,
        "deadline": dt.date(2026, 11, 28), "received": dt.date(2026, 11, 20)}
    values.update(changes)
    return NoticeData(**values)  # type: ignore[arg-type]


def wire(message: EmailMessage) -> EmailMessage:
    """The message as a mail server and the citizen's client would see it."""
    parsed = email.message_from_bytes(message.as_bytes(), policy=default_policy)
    assert isinstance(parsed, EmailMessage)
    return parsed


def parts(message: EmailMessage) -> tuple[str, str]:
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert text is not None and html is not None
    return text.get_content(), html.get_content()


def test_appointment_notice() -> None:
    message = wire(build_notice(data(), sender=SENDER, recipient=CITIZEN, now=NOW))
    assert message["Subject"] == ("[ВКС-7K3QD-15] Уведомление о назначении личного приема "
                                  "посредством видеоконференцсвязи")
    assert message["From"].addresses[0].display_name == BODY
    assert message["From"].addresses[0].addr_spec == SENDER
    assert str(message["To"]) == CITIZEN
    assert message["Message-ID"] == "<vks.7k3qd.15.appointment.1@mszn42.ru>"
    assert message["Date"] == "Fri, 27 Nov 2026 22:02:00 +0700"
    assert message["In-Reply-To"] is None
    text, html = parts(message)
    assert text.startswith("Уважаемая Анна Сергеевна!\n\n")
    for line in ("Дата и время приема: 30 ноября 2026 г. в 10:00 (время новокузнецкое, МСК+4).",
                 "Прием проводит: Тарасов Евгений Павлович",
                 f"Ссылка для подключения (программа Яндекс.Телемост): {LINK}",
                 "Заявка ВКС-7K3QD-15"):
        assert line in text.splitlines()
    assert "не позднее 28 ноября 2026 г.: ответьте на это письмо словом «Подтверждаю» или " \
           "«Отказываюсь»" in text
    assert "Сообщаем, что по Вашей заявке от 20 ноября 2026 г. назначен личный прием" in text
    assert "заменяет" not in text
    assert f'<a href="{LINK}">{LINK}</a>' in html
    assert "<strong>30 ноября 2026 г. в 10:00 (время новокузнецкое, МСК+4)</strong>" in html
    assert message.get_content_type() == "multipart/alternative"


def test_aware_times_are_shown_in_novokuznetsk() -> None:
    moment = dt.datetime(2026, 11, 30, 6, 0, tzinfo=dt.timezone(dt.timedelta(hours=3)))  # МСК
    assert moment_text(moment) == "30 ноября 2026 г. в 10:00 (время новокузнецкое, МСК+4)"
    deadline = dt.datetime(2026, 12, 1, 18, 0)
    text, _ = parts(build_notice(data(deadline=deadline), sender=SENDER, recipient=CITIZEN))
    assert "не позднее 1 декабря 2026 г. до 18:00 (время новокузнецкое, МСК+4):" in text


@pytest.mark.parametrize(("gender", "expected"), [
    (Gender.MALE, "Уважаемый Иван Иванович!"), (Gender.FEMALE, "Уважаемая Иван Иванович!"),
    (None, "Здравствуйте, Иван Иванович!")])
def test_greetings(gender: Gender | None, expected: str) -> None:
    assert greeting("Иван Иванович", gender) == expected


def test_each_kind_renders_and_replies_find_it() -> None:
    kinds = {
        NoticeKind.APPOINTMENT: "Дата и время приема",
        NoticeKind.CANCELLATION: "отменен в связи с непоступлением от Вас подтверждения",
        NoticeKind.RESCHEDULE: "назначенный на 27 ноября 2026 г. в 09:00 (время "
                               "новокузнецкое, МСК+4), перенесен",
        NoticeKind.REJECTION: "по следующему основанию: содержание заявки не позволяет "
                              "определить тематику вопроса.",
    }
    for kind, phrase in kinds.items():
        notice = wire(build_notice(
            data(kind, reason=REASON_NO_CONFIRMATION, ground=GROUND,
                 previous_appointment=dt.datetime(2026, 11, 27, 9, 0)),
            sender=SENDER, recipient=CITIZEN))
        text, html = parts(notice)
        assert phrase in " ".join(text.split()), kind
        assert " ".join(phrase.split()) in " ".join(html_to_text(html).split()), kind
        found = parse_message_id(notice["Message-ID"])
        assert found is not None and found.kind is kind
        answer = EmailMessage()
        answer["Subject"] = "RE: " + notice["Subject"]
        answer["In-Reply-To"] = notice["Message-ID"]
        answer.set_content("Подтверждаю")
        matched = match_reply(answer)
        assert matched is not None and str(matched.reference) == "ВКС-7K3QD-15"


def test_a_correction_replaces_the_earlier_notice() -> None:
    earlier = "<vks.7k3qd.15.appointment.1@mszn42.ru>"
    message = wire(build_notice(data(corrects=True, earlier_message_id=earlier),
                                sender=SENDER, recipient=CITIZEN))
    assert message["Subject"].startswith("Исправлено: [ВКС-7K3QD-15] ")
    assert message["In-Reply-To"] == earlier and message["References"] == earlier
    assert message["Message-ID"] == "<vks.7k3qd.15.appointment.2@mszn42.ru>"
    text, html = parts(message)
    assert "Настоящее уведомление заменяет направленное Вам ранее уведомление" in text
    assert "<strong>Настоящее уведомление заменяет" in html


def test_the_rejection_carries_its_decision() -> None:
    letter = Attachment(b"%PDF-1.7 fake", "0015-Петрова-2026-11-20.pdf", "application/pdf")
    message = wire(build_notice(data(NoticeKind.REJECTION, ground=GROUND, appointment=None,
                                     link=""),
                                sender=SENDER, recipient=CITIZEN, attachment=letter))
    assert message.get_content_type() == "multipart/mixed"
    [attached] = list(message.iter_attachments())
    assert attached.get_filename() == "0015-Петрова-2026-11-20.pdf"
    assert attached.get_content_type() == "application/pdf"
    assert attached.get_content() == b"%PDF-1.7 fake"
    text, _ = parts(message)
    assert "приложено к письму (файл «0015-Петрова-2026-11-20.pdf»)" in text


HOSTILE = {
    "script": "<script>alert('x')</script>",
    "jinja": "{{ 7*7 }}{% for x in range(3) %}loop{% endfor %}",
    "formula": '=HYPERLINK("http://evil.example","Нажмите")',
    "long": "Ж" * 5000,
    "rtl": "\u202eанна\u202c \u200fсергеевна\u2066x\u2069",
    "controls": "Анна\x00\x07\x1b[31mСергеевна\x7f\x85",
    "header": "Анна\r\nBcc: victim@example.ru\r\n\r\nПривет",
    "quotes": 'О\'Хара "Анна" & <Сергеевна>',
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
@pytest.mark.parametrize("kind", list(NoticeKind))
def test_hostile_values_are_inert(kind: NoticeKind, name: str) -> None:
    value = HOSTILE[name]
    notice = build_notice(
        data(kind, citizen_name=value, specialist=value, body_contacts=value, body_name=value,
             ground=value, reason=value, citizen_gender=None),
        sender=SENDER, recipient=CITIZEN,
        attachment=Attachment(b"x", value + ".pdf", "application/pdf"))
    raw = notice.as_bytes()
    assert all(len(line) <= 998 for line in raw.splitlines())
    message = wire(notice)
    assert message["Bcc"] is None and message["Subject"].startswith(("[ВКС-7K3QD-15]",
                                                                     "Исправлено"))
    assert set(message.keys()) <= {"From", "To", "Subject", "Date", "Message-ID",
                                   "MIME-Version", "Content-Type"}
    assert "\n" not in str(message["From"]) and "\r" not in str(message["From"])
    text, html = parts(message)
    for part in (text, html):
        assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202a-\u202e\u2066-\u2069]", part)
        assert "49" not in part and "looploop" not in part
    assert "<script>" not in html and "<Сергеевна>" not in html
    if name == "script":
        assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html
        assert "<script>alert('x')</script>" in text  # plain text shows it as written
    if name == "jinja":
        assert "{{ 7*7 }}" in text
    if name == "formula":
        assert '=HYPERLINK("http://evil.example","Нажмите")' in text
        assert "=HYPERLINK(&#34;http://evil.example&#34;" in html
    if name == "long":
        assert "Ж" * 999 + "…" in text and "Ж" * 1000 not in text
        shown = message["From"].addresses[0].display_name  # Python rejoins folded words with spaces
        assert len(shown.replace(" ", "")) == 150
    if name == "header":
        assert "Bcc: victim@example.ru" in text  # inert text on one line, not a header
        assert "Bcc" not in str(message["From"]).split("<")[-1]


@pytest.mark.parametrize("recipient", [
    "anna@example.ru\r\nBcc: x@example.ru", "anna@example.ru, x@example.ru",
    "Анна <anna@example.ru>", "anna", "", "anna@example.ru;x@example.ru"])
def test_recipients_are_single_checked_addresses(recipient: str) -> None:
    with pytest.raises(ValueError, match="recipient"):
        build_notice(data(), sender=SENDER, recipient=recipient)


@pytest.mark.parametrize("changes", [
    {"reference": "ВКС-7K3QD-15\r\nBcc: x@example.ru"},
    {"reference": "[ВКС-7K3QD-15]"},
    {"link": "https://evil.example/j/1"},
    {"link": "javascript:alert(1)"},
    {"appointment": None},
    {"earlier_message_id": "<a@b>\r\nBcc: x@example.ru"},
])
def test_unsafe_notice_data_is_refused(changes: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        build_notice(data(**changes), sender=SENDER, recipient=CITIZEN)


def test_every_template_uses_only_known_fields() -> None:
    templates = NoticeTemplates()
    assert {kind for kind, _ in templates.templates} == set(NoticeKind)
    for stem in TEMPLATE_NAMES.values():
        for part in ("txt", "html"):
            assert (TEMPLATE_DIR / f"{stem}.{part}.j2").is_file()
    assert "ответить_до" in FIELDS


def test_an_edited_template_is_used_and_checked(tmp_path: Path) -> None:
    folder = tmp_path / "шаблоны"
    shutil.copytree(TEMPLATE_DIR, folder, ignore=shutil.ignore_patterns("*.docx"))
    stem = TEMPLATE_NAMES[NoticeKind.APPOINTMENT]
    (folder / f"{stem}.txt.j2").write_text("{{ обращение }} Ждем Вас {{ дата_и_время }}.\n",
                                           encoding="utf-8")
    message = build_notice(data(), sender=SENDER, recipient=CITIZEN,
                           templates=NoticeTemplates(folder))
    assert parts(wire(message))[0] == ("Уважаемая Анна Сергеевна! Ждем Вас 30 ноября 2026 г. "
                                       "в 10:00 (время новокузнецкое, МСК+4).\n")
    (folder / f"{stem}.txt.j2").write_text("{{ паспорт }}", encoding="utf-8")
    with pytest.raises(NoticeTemplateError, match=r"неизвестные поля паспорт"):
        NoticeTemplates(folder)
    (folder / f"{stem}.txt.j2").write_text("{{ обращение ", encoding="utf-8")
    with pytest.raises(NoticeTemplateError, match="ошибка в записи поля"):
        NoticeTemplates(folder)
    (folder / f"{stem}.txt.j2").write_text("{{ обращение.__class__.__mro__ }}",
                                           encoding="utf-8")
    with pytest.raises(NoticeTemplateError, match="__class__"):
        build_notice(data(), sender=SENDER, recipient=CITIZEN, templates=NoticeTemplates(folder))
    (folder / f"{stem}.txt.j2").unlink()
    with pytest.raises(NoticeTemplateError, match="нет шаблона письма"):
        NoticeTemplates(folder)
