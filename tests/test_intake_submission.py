"""Submissions: the stable key, the lenient parsers and validation (cl. 2.2)."""

from __future__ import annotations

import dataclasses
import datetime as dt

from toolkit.intake.submission import (
    TIMEZONE,
    IdentityDocument,
    Submission,
    birth_hash,
    email_ok,
    name_problem,
    parse_consent,
    parse_datetime,
    parse_moment,
    phone_digits,
    phone_ok,
    unique,
    validate,
)
from toolkit.journal.schema import Consent

GOOD = Submission(
    citizen="Кузнецова Анна Сергеевна",
    birth_date=dt.date(1985, 4, 17),
    document=IdentityDocument(text="паспорт 3209 512344"),
    body="УСЗН г. Новокузнецка",
    consent_data=Consent.YES,
    consent_video=Consent.YES,
    topic="Перерасчет ежемесячной денежной выплаты",
    phone="+7 (900) 000-11-22",
    email="anna.kuz@example.ru",
    address="г. Новокузнецк, ул. Кирова, 55-12",
    submitted=dt.datetime(2024, 3, 12, 14, 5, 41, tzinfo=TIMEZONE),
    source="заявки.csv",
    ref="строка 2",
)


def codes(sub: Submission) -> list[str]:
    return [p.code for p in validate(sub)]


def test_key_ignores_where_it_was_read_and_seconds() -> None:
    again = dataclasses.replace(
        GOOD, source="INBOX", ref="письмо <x@y>", citizen="  кузнецова  АННА Сергеевна ",
        phone="8 900 000 11 22",
        submitted=dt.datetime(2024, 3, 12, 7, 5, 2, tzinfo=dt.UTC),  # the same minute in UTC
    )
    assert again.key == GOOD.key
    assert len(GOOD.key) == 64


def test_key_changes_with_the_application() -> None:
    assert dataclasses.replace(GOOD, topic="Другой вопрос").key != GOOD.key
    later = dataclasses.replace(GOOD, submitted=GOOD.submitted + dt.timedelta(minutes=1))
    assert later.key != GOOD.key


def test_unique_keeps_the_first_and_skips_known_keys() -> None:
    copy = dataclasses.replace(GOOD, source="другая-выгрузка.csv", ref="строка 9")
    other = dataclasses.replace(GOOD, topic="Другой вопрос")
    new, copies = unique([GOOD, copy, other])
    assert new == [GOOD, other]
    assert copies == [copy]
    new, copies = unique([GOOD, other], known={GOOD.key})
    assert new == [other]
    assert copies == [GOOD]


def test_a_good_application_has_no_problems() -> None:
    assert validate(GOOD) == []


def test_each_missing_field_is_reported() -> None:
    empty = Submission(source="f.csv", ref="строка 7")
    assert codes(empty) == [
        "citizen-missing", "birth-date-missing", "document-missing",
        "consent-data-missing", "consent-video-missing", "topic-missing", "contact-missing",
        "submitted-missing",
    ]
    assert all(p.where == "f.csv, строка 7" for p in validate(empty))
    document = next(p for p in validate(empty) if p.code == "document-missing")
    assert document.severity == "warning"


def test_refused_consent_and_bad_dates() -> None:
    sub = dataclasses.replace(
        GOOD, consent_data=Consent.NO, birth_date=dt.date(2030, 1, 1),
    )
    assert codes(sub) == ["birth-date-future", "consent-data-refused"]
    old = dataclasses.replace(GOOD, birth_date=dt.date(1890, 1, 1))
    assert codes(old) == ["birth-date-implausible"]
    unreadable = dataclasses.replace(GOOD, birth_date=None, unparsed=("birth_date",))
    assert codes(unreadable) == ["birth-date-invalid"]


def test_contacts_are_checked_for_form() -> None:
    both_bad = dataclasses.replace(GOOD, phone="звонить вечером", email="anna@")
    assert [(p.code, p.severity) for p in validate(both_bad)] == [
        ("phone-invalid", "error"), ("email-invalid", "error"),
    ]
    # One usable contact is enough to reach the citizen: the other one is a warning.
    one_bad = dataclasses.replace(GOOD, email="anna@mail")
    assert [(p.code, p.severity) for p in validate(one_bad)] == [("email-invalid", "warning")]
    assert validate(dataclasses.replace(GOOD, email="")) == []
    assert validate(dataclasses.replace(GOOD, phone="")) == []


def test_problems_never_quote_personal_values() -> None:
    sub = dataclasses.replace(
        GOOD, citizen="Кузнецова 4нна", phone="12-34", email="anna.kuz@", address="",
        consent_video=Consent.NO,
    )
    problems = validate(sub)
    assert {p.code for p in problems} == {
        "citizen-implausible", "phone-invalid", "email-invalid", "consent-video-refused",
    }
    for p in problems:
        for value in ("Кузнецова", "4нна", "12-34", "anna.kuz"):
            assert value not in p.message
            assert value not in str(p)


def test_name_plausibility() -> None:
    assert name_problem("Мамедов Эльчин Рашид оглы") is None
    assert name_problem("Салтыков-Щедрин Михаил Евграфович") is None
    assert name_problem("д'Артаньян Шарль") is None
    assert name_problem("Иванов") == "ФИО должно содержать хотя бы фамилию и имя"
    assert name_problem("Иванов И. И.") == "вместо имени и отчества указаны только инициалы"
    assert name_problem("Ивaнов Иван") == "в ФИО смешаны русские и латинские буквы"  # Latin «a»
    assert name_problem("Иванов Иван 1980") == "ФИО содержит цифры или посторонние знаки"


def test_moments_in_the_forms_sites_write() -> None:
    assert parse_moment("12.03.2024") == (dt.date(2024, 3, 12), None)
    assert parse_moment("12.03.2024 14:05") == (dt.date(2024, 3, 12), dt.time(14, 5))
    assert parse_moment("14.03.2024 в 18:47") == (dt.date(2024, 3, 14), dt.time(18, 47))
    assert parse_moment("2 февраля 1990 г.") == (dt.date(1990, 2, 2), None)
    assert parse_moment("1958-07-30") == (dt.date(1958, 7, 30), None)
    assert parse_moment("31.02.1990") is None
    assert parse_moment("вчера") is None
    utc = parse_datetime("2024-03-12T07:05:00Z")
    assert utc == dt.datetime(2024, 3, 12, 14, 5, tzinfo=TIMEZONE)
    assert utc is not None and utc.utcoffset() == dt.timedelta(hours=7)
    naive = parse_datetime(dt.datetime(2024, 3, 12, 14, 5))
    assert naive == dt.datetime(2024, 3, 12, 14, 5, tzinfo=TIMEZONE)


def test_consents_as_check_boxes_write_them() -> None:
    for yes in ("Да", "да", "TRUE", "1", "Согласен", "согласна", "✓", True, 1):
        assert parse_consent(yes) is Consent.YES, yes
    for no in ("Нет", "false", "0", "Не согласен", False, 0):
        assert parse_consent(no) is Consent.NO, no
    for unknown in ("", None, "может быть"):
        assert parse_consent(unknown) is None


def test_phones_and_emails() -> None:
    assert phone_digits("8 (900) 000-11-22") == "79000001122"
    assert phone_digits("9000001122") == "79000001122"
    assert phone_ok("+7 (3842) 00-00-00")
    assert phone_ok("+375 29 000-00-00")
    assert not phone_ok("000-11")
    assert not phone_ok("позвонить после 18")
    assert email_ok("olga.p1990@example.ru")
    assert email_ok("почта@пример.рф")
    assert not email_ok("sidorov@mail")
    assert not email_ok("a..b@example.ru")


def test_birth_hash_is_keyed() -> None:
    day = dt.date(1985, 4, 17)
    assert birth_hash(day) == birth_hash(day)
    assert birth_hash(day, b"secret") != birth_hash(day)
    assert "1985" not in birth_hash(day)
