"""Links to the reception (cl. 1.3): Yandex Telemost meeting links only."""

from __future__ import annotations

import pandas as pd
import pytest

from toolkit.journal.links import TELEMOST_PATTERN, is_telemost_link

GOOD = [
    "https://telemost.yandex.ru/j/16929976559513",  # as Telemost gives it
    "https://telemost.360.yandex.ru/j/12345678901234567890",  # Yandex 360 for business
    "https://telemost.yandex.ru/j/16929976559513/",
    "  https://telemost.yandex.ru/j/16929976559513\u00a0",  # spaces around, a no-break space
    "HTTPS://Telemost.Yandex.RU/j/16929976559513",  # scheme and host in any case
    "https://telemost.yandex.ru/j/16929976559513?utm_source=calendar",
    "https://telemost.yandex.ru/j/16929976559513#join",
]
BAD = [
    "",
    "telemost.yandex.ru/j/16929976559513",  # no scheme
    "http://telemost.yandex.ru/j/16929976559513",  # not https
    "https://telemost.yandex.com/j/16929976559513",
    "https://yandex.ru/j/16929976559513",
    "https://www.telemost.yandex.ru/j/16929976559513",
    "https://telemost.yandex.ru.evil.com/j/1",  # lookalike host
    "https://telemost-yandex.ru/j/1",
    "https://evil.com/telemost.yandex.ru/j/1",  # Telemost only in the path
    "https://evil.com/?https://telemost.yandex.ru/j/1",
    "https://telemost.yandex.ru@evil.com/j/1",  # user info: the host is evil.com
    "https://user@telemost.yandex.ru/j/1",
    "https://telemost.yandex.ru:8443/j/1",  # a port
    "https://telemost.yandex.ru/j/",  # no meeting
    "https://telemost.yandex.ru/",
    "https://telemost.yandex.ru/j/123abc",
    "https://telemost.yandex.ru/J/123",
    "https://telemost.yandex.ru/live/123",
    "https://telemost.yandex.ru/j/١٢٣",  # Arabic-Indic digits are not a meeting number
    "https://telemost.yandex.ru/j/1 https://evil.com",  # two links in one cell
    "https://telemost.yandex.ru/j/1\nhttps://evil.com",
    "Ссылка: https://telemost.yandex.ru/j/1",  # text around the link
    "https://telemost.yandex.ru/j/1?a=b c",
    "https://zoom.us/j/1234567890",
    "https://telemost.yandex.ru/j/../../evil",
]


@pytest.mark.parametrize("url", GOOD)
def test_telemost_links_accepted(url: str) -> None:
    assert is_telemost_link(url)


@pytest.mark.parametrize("url", BAD)
def test_other_links_refused(url: str) -> None:
    assert not is_telemost_link(url)


@pytest.mark.parametrize("value", [None, 16929976559513, 1.5])
def test_non_text_is_not_a_link(value: object) -> None:
    assert not is_telemost_link(value)


def test_column_form_agrees_with_the_function() -> None:
    column = pd.Series([*GOOD, *BAD, None])
    assert column.str.contains(TELEMOST_PATTERN, regex=True, na=False).tolist() == [
        is_telemost_link(v) for v in column]
