"""Links to the video reception (cl. 1.3): Yandex Telemost meeting links only.

    is_telemost_link("https://telemost.yandex.ru/j/16929976559513")   # True
    is_telemost_link("https://telemost.yandex.ru.evil.com/j/1")       # False
    frame["link"].str.contains(TELEMOST_PATTERN)                      # the same, for a column

A meeting link is https://telemost.yandex.ru/j/<digits> or https://telemost.360.yandex.ru/j/<digits>
(Yandex 360 for business). Scheme and host are compared without regard to case, as browsers do;
a trailing slash, a query (?…) and a fragment (#…) are allowed, since they still open the same
meeting; spaces around the link are tolerated. Anything else — http://, another host or a host
that only begins with Telemost's, a port, user info before «@», another path, text around the
link — is refused. The pattern uses only syntax that Python's `re` and Rust's `regex` (polars)
read alike: no look-around, no backreferences, [0-9] rather than the Unicode \\d.
"""

from __future__ import annotations

import re

__all__ = ["TELEMOST_PATTERN", "TELEMOST_RE", "canonical_link", "is_telemost_link"]

TELEMOST_PATTERN = (
    r"^\s*(?i:https)://(?i:telemost(?:\.360)?\.yandex\.ru)/j/[0-9]+/?"
    r"(?:\?[^\s#]*)?(?:#\S*)?\s*$"
)
TELEMOST_RE = re.compile(TELEMOST_PATTERN)


def is_telemost_link(url: object) -> bool:
    """Whether `url` is a Yandex Telemost meeting link (see the module docstring)."""
    return isinstance(url, str) and TELEMOST_RE.match(url) is not None


_CANONICAL_RE = re.compile(r"^\s*(?i:https)://((?i:telemost(?:\.360)?\.yandex\.ru))/j/([0-9]+)/?\s*$")


def canonical_link(url: object) -> str | None:
    """The bare meeting link — https://<host>/j/<digits>, lower-case host, nothing after — or
    None when `url` is not exactly that (a query or fragment included): what vks sends to a
    citizen and accepts from the Telemost API."""
    m = _CANONICAL_RE.match(url) if isinstance(url, str) else None
    return f"https://{m.group(1).lower()}/j/{m.group(2)}" if m else None
