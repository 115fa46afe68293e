"""Widget notification e-mails (tests/data/intake/*.eml) read into submissions."""

from __future__ import annotations

import datetime as dt
import email
from email import policy
from pathlib import Path

import pytest

from toolkit.intake.submission import TIMEZONE
from toolkit.intake.widget_mail import (
    NotWidgetMail,
    html_text,
    labelled_values,
    parse_widget_mail,
)
from toolkit.journal.schema import Consent

DATA = Path(__file__).parent / "data" / "intake"
INTERNAL = dt.datetime(2024, 3, 15, 12, 0, tzinfo=dt.UTC)


def read(name: str):  # type: ignore[no-untyped-def]
    return parse_widget_mail((DATA / name).read_bytes(), internal_date=INTERNAL, source="INBOX")


def test_plain_text_with_a_submit_time_line() -> None:
    entry = read("01-plain-utf8.eml")
    sub = entry.submission
    assert entry.ok and entry.problems == ()
    assert sub is not None
    assert sub.citizen == "Кузнецова Анна Сергеевна"
    assert sub.birth_date == dt.date(1985, 4, 17)
    assert sub.document.text.startswith("паспорт гражданина РФ, серия 3209")
    assert sub.body == "Управление социальной защиты населения администрации города Новокузнецка"
    assert sub.address.endswith("г. Новокузнецк, ул. Кирова, д. 55, кв. 12")
    assert (sub.consent_data, sub.consent_video) == (Consent.YES, Consent.YES)
    assert sub.topic == "Перерасчет ежемесячной денежной выплаты ветерану труда после переезда"
    assert (sub.phone, sub.email) == ("+7 (900) 000-11-22", "anna.kuz@example.ru")
    # «Дата подачи» wins over the Date header (14:05:41).
    assert sub.submitted == dt.datetime(2024, 3, 12, 14, 5, tzinfo=TIMEZONE)
    assert sub.ref == "письмо <widget-20240312-140541-1187@dszn.example.ru>"
    assert sub.source == "INBOX"


def test_html_table_in_cp1251_takes_the_date_header_in_local_time() -> None:
    sub = read("02-html-table-cp1251.eml").submission
    assert sub is not None
    assert sub.citizen == "Мамедов Эльчин Рашид оглы"
    assert sub.municipality == "Прокопьевский муниципальный округ"
    assert sub.address == "с. Михайловка, ул. Центральная, д. 4"
    assert sub.topic == "Социальный контракт на открытие ИП «крестьянское хозяйство»"
    assert sub.consent_video is Consent.YES
    assert sub.email == ""
    # Date: 09:12:07 +0300 is 13:12:07 in Novokuznetsk.
    assert sub.submitted == dt.datetime(2024, 3, 13, 13, 12, 7, tzinfo=TIMEZONE)


def test_koi8r_plain_part_with_a_split_name_and_a_long_topic() -> None:
    entry = read("03-alternative-koi8r.eml")
    sub = entry.submission
    assert sub is not None
    assert sub.citizen == "Петрова Ольга Викторовна"
    assert sub.birth_date == dt.date(1990, 2, 2)
    doc = sub.document
    assert (doc.kind, doc.series, doc.number, doc.issued_on) == (
        "паспорт гражданина Российской Федерации", "32 14", "778899", dt.date(2010, 2, 15))
    assert sub.topic.splitlines() == [
        "Не поступает единое пособие на детей с января.",
        'Документы подавала через Госуслуги в декабре, статус "Назначено",',
        "но выплат нет.",
    ]
    assert sub.submitted == dt.datetime(2024, 3, 14, 18, 47, tzinfo=TIMEZONE)
    assert entry.ok and entry.problems == ()


def test_html_paragraphs_without_a_date_header_take_the_internal_date() -> None:
    entry = read("04-html-no-date.eml")
    sub = entry.submission
    assert sub is not None
    assert sub.citizen == "ИВАНОВ Иван Иванович"
    assert sub.birth_date == dt.date(1958, 7, 30)
    assert sub.consent_data is Consent.YES  # a check mark
    assert sub.topic == "Компенсация расходов на оплату ЖКУ\nкак пенсионеру — как оформить?"
    assert sub.email == "ivanov.ii@example.ru"  # the automatic footer is not part of it
    assert sub.submitted == dt.datetime(2024, 3, 15, 19, 0, tzinfo=TIMEZONE)
    assert entry.ok
    no_date = parse_widget_mail((DATA / "04-html-no-date.eml").read_bytes())
    assert no_date.submission is not None and no_date.submission.submitted is None
    assert [p.code for p in no_date.problems] == ["submitted-missing"]


def test_a_broken_application_is_read_with_its_problems() -> None:
    entry = read("05-broken.eml")
    assert entry.submission is not None
    assert not entry.ok
    assert [(p.code, p.severity) for p in entry.problems] == [
        ("birth-date-invalid", "error"),
        ("consent-video-refused", "error"),
        ("email-invalid", "warning"),  # the phone is usable
    ]
    for p in entry.problems:
        assert "Сидоров" not in str(p) and "sidorov" not in str(p)
        assert p.where == "INBOX, письмо <widget-20240315-100002-1207@dszn.example.ru>"


def test_another_letter_is_not_an_application() -> None:
    with pytest.raises(NotWidgetMail, match="не похоже на заявку с виджета"):
        read("06-not-widget.eml")


def test_the_same_application_mailed_twice_has_one_key() -> None:
    raw = (DATA / "01-plain-utf8.eml").read_bytes()
    message = email.message_from_bytes(raw, policy=policy.compat32)
    again = parse_widget_mail(message, source="Архив")
    first = read("01-plain-utf8.eml")
    assert again.submission is not None and first.submission is not None
    assert again.submission.key == first.submission.key


def test_labels_and_html() -> None:
    text = html_text("<table><tr><td>ФИО:</td><td>А&nbsp;Б</td></tr>"
                     "<tr><td>Тема</td><td>x &laquo;y&raquo;</td></tr></table><style>p{}</style>")
    assert text == "ФИО:\tА\xa0Б\nТема\tx «y»"
    values = labelled_values("**ФИО**: А Б\nТема обращения:\nпервая строка\nвторая: строка\n"
                             "Телефон: 1\nлишнее\n-- \nподпись")
    assert values == {"citizen": "А Б", "topic": "первая строка\nвторая: строка",
                      "phone": "1"}
