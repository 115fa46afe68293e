"""A citizen's phone (cl. 2.2, 3.5) and e-mail (cl. 2.2, 2.4)."""

from __future__ import annotations

import pandas as pd
import pytest

from toolkit.journal.contacts import EMAIL_PATTERN, PHONE_PATTERN, email_ok, phone_ok

PHONES_OK = [
    "+7 (913) 000-00-00",
    "+79130000000",
    "+7 913 000 00 00",
    "8 (913) 000-00-00",
    "89130000000",
    "8-913-000-00-00",
    "79130000000",
    "(3842) 00-00-00",  # a Kemerovo number without the trunk prefix
    "3842000000",
    "8 (3842) 00-00-00 доб. 12",
    "8 (3842) 00-00-00, ДОБ 1234",
    "8.913.000.00.00",
    " +7 (913) 000–00–00\u00a0",  # en dashes, a no-break space
    "8 800 000-00-00",
]
PHONES_BAD = [
    "",
    "12-34",
    "00-00-00",  # a local number: no area code to call from elsewhere
    "+8 913 000 00 00",
    "+7 013 000 00 00",  # codes begin with 3–9
    "+7 913 000 00 0",  # a digit short
    "8 913 000 00 000",  # a digit too many
    "+375 29 000 00 00",  # a foreign number
    "+7 (913) 000-00-00, +7 (913) 111-11-11",
    "+7 913 ООО 00 00",  # letters О for zeros
    "тел. 8 913 000 00 00",
    "8 913 000 00 00 доб. 123456",
    "٨٩١٣٠٠٠٠٠٠٠",  # Arabic-Indic digits
]
EMAILS_OK = [
    "petrova@mail.ru",
    "a.petrova-1985+vks@sub.yandex.ru",
    "o'brien@example.com",
    "ivanov@почта.рф",
    "x@xn--80a1acny.xn--p1ai",
    " petrova@mail.ru ",
]
EMAILS_BAD = [
    "",
    "petrova@mail",
    "petrova@",
    "@mail.ru",
    "petrova.mail.ru",
    "petrova@@mail.ru",
    "pet rova@mail.ru",
    ".petrova@mail.ru",
    "petrova.@mail.ru",
    "pet..rova@mail.ru",
    "petrova@-mail.ru",
    "petrova@mail-.ru",
    "petrova@mail..ru",
    "petrova@mаil.ru",  # a Cyrillic «а» typed into mail.ru
    "петрова@mail.ru",  # a Cyrillic local part
    "petrova@mail.r",
    "petrova@mail.ru, ivanov@mail.ru",
    "mailto:petrova@mail.ru",
    "petrova@mail.ru\nivanov@mail.ru",
]


@pytest.mark.parametrize("text", PHONES_OK)
def test_phones_accepted(text: str) -> None:
    assert phone_ok(text)


@pytest.mark.parametrize("text", PHONES_BAD)
def test_phones_refused(text: str) -> None:
    assert not phone_ok(text)


@pytest.mark.parametrize("text", EMAILS_OK)
def test_emails_accepted(text: str) -> None:
    assert email_ok(text)


@pytest.mark.parametrize("text", EMAILS_BAD)
def test_emails_refused(text: str) -> None:
    assert not email_ok(text)


def test_non_text_is_neither() -> None:
    assert not phone_ok(89130000000) and not phone_ok(None)
    assert not email_ok(None)


def test_column_forms_agree_with_the_functions() -> None:
    phones = pd.Series([*PHONES_OK, *PHONES_BAD, None])
    emails = pd.Series([*EMAILS_OK, *EMAILS_BAD, None])
    assert phones.str.contains(PHONE_PATTERN, regex=True, na=False).tolist() == [
        phone_ok(v) for v in phones]
    assert emails.str.contains(EMAIL_PATTERN, regex=True, na=False).tolist() == [
        email_ok(v) for v in emails]
