"""A citizen's phone (cl. 2.2, 3.5) and e-mail (cl. 2.2, 2.4): does the text look like one?

    phone_ok("+7 (913) 000-00-00")          # True
    phone_ok("8 (3842) 00-00-00 доб. 12")   # True: an extension is allowed
    email_ok("petrova@mail.ru")             # True
    frame["phone"].str.contains(PHONE_PATTERN)   # the same, for a column

A phone is a Russian number: an optional +7, 8 or 7, then ten digits of which the first (the
area or mobile code) is 3–9, with spaces, dashes, dots and brackets anywhere between digits,
and an optional extension «доб. 123». Foreign numbers and lists of numbers are not accepted —
the finding is a warning, the specialist checks the number. An e-mail address is
local@domain: the local part in Latin letters, digits and the signs RFC 5322 allows, dot-
separated; the domain of two or more labels, each wholly Latin or wholly Cyrillic (so a
Cyrillic «а» typed into «mail.ru» is caught), ending in a top-level domain of letters («ru»,
«рф») or punycode. Nothing is looked up on the network. The patterns read alike in Python's
`re` and Rust's `regex` (polars): no look-around, [0-9] rather than the Unicode \\d.
"""

from __future__ import annotations

import re

__all__ = ["EMAIL_PATTERN", "EMAIL_RE", "PHONE_PATTERN", "PHONE_RE", "email_ok", "phone_ok"]

_SEP = r"[\s().\-–—]"
PHONE_PATTERN = (
    rf"^\s*(?:\+\s*7|8|7)?{_SEP}*[3-9](?:{_SEP}*[0-9]){{9}}\)?"
    r"(?:\s*,?\s*(?i:доб)\.?\s*[0-9]{1,5})?\s*$"
)
PHONE_RE = re.compile(PHONE_PATTERN)

_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~\-]+"
_LATIN = r"[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?"
_CYRILLIC = r"[А-Яа-яЁё0-9](?:[А-Яа-яЁё0-9\-]*[А-Яа-яЁё0-9])?"
_TOP = r"(?:[A-Za-z]{2,}|[А-Яа-яЁё]{2,}|[Xx][Nn]--[A-Za-z0-9\-]+)"
EMAIL_PATTERN = (
    rf"^\s*{_ATOM}(?:\.{_ATOM})*@(?:(?:{_LATIN}|{_CYRILLIC})\.)+{_TOP}\s*$"
)
EMAIL_RE = re.compile(EMAIL_PATTERN)


def phone_ok(text: object) -> bool:
    """Whether `text` looks like a Russian phone number (see the module docstring)."""
    return isinstance(text, str) and PHONE_RE.match(text) is not None


def email_ok(text: object) -> bool:
    """Whether `text` looks like an e-mail address (see the module docstring)."""
    return isinstance(text, str) and EMAIL_RE.match(text) is not None
