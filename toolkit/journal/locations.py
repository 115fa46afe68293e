"""Where a Google journal is: the spreadsheet key and, optionally, which worksheets.

A location reads the way people copy it:

    gsheet:1AbC…xyz                                   all journal sheets of the spreadsheet
    gsheet:1AbC…xyz!Министерство                      one worksheet ('!' as in 'Лист'!A1)
    gsheet:1AbC…xyz!Министерство!ЦСВ                  several worksheets
    https://docs.google.com/spreadsheets/d/1AbC…xyz/edit#gid=0   the tab open in the browser
    gsheet:https://docs.google.com/spreadsheets/d/1AbC…xyz/edit  the same, with the prefix

The canonical location of a journal is `gsheet:<key>`: reports name it so, and a body in the
configuration matches it however its `journal` is spelled. This module imports nothing heavy:
the core asks it whether a location is a Google one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from toolkit.journal.errors import JournalError

if TYPE_CHECKING:
    from toolkit.journal.config import Config

PREFIX = "gsheet:"
_URL_RE = re.compile(r"^https?:/+docs\.google\.com/spreadsheets/", re.IGNORECASE)
_URL_KEY_RE = re.compile(r"/spreadsheets/(?:u/\d+/)?d/([A-Za-z0-9_-]+)")
_GID_RE = re.compile(r"[#?&]gid=(\d+)")
_KEY_RE = re.compile(r"^[A-Za-z0-9_-]{10,}$")


@dataclass(frozen=True)
class SheetAddress:
    """A spreadsheet key and the worksheets chosen in the location (none: all of them)."""

    key: str
    titles: tuple[str, ...] = ()
    gid: int | None = None

    @property
    def location(self) -> str:
        return f"{PREFIX}{self.key}"

    @property
    def url(self) -> str:
        return f"https://docs.google.com/spreadsheets/d/{self.key}/edit"

    @classmethod
    def parse(cls, location: str) -> SheetAddress:
        """Parse `gsheet:<key>[!лист…]` or a spreadsheet URL; JournalError when it is neither."""
        text = location.strip()
        body = text[len(PREFIX):].strip() if text.lower().startswith(PREFIX) else text
        if _URL_RE.match(body):
            m = _URL_KEY_RE.search(body)
            if not m:
                raise _bad(location)
            rest = body[m.end():]
            gid = _GID_RE.search(rest)
            titles = _titles(rest.split("!", 1)[1]) if "!" in rest else ()
            return cls(m.group(1), titles, int(gid.group(1)) if gid else None)
        if not text.lower().startswith(PREFIX):
            raise _bad(location)
        key, _, tail = body.partition("!")
        key = key.strip().strip("/")
        if not _KEY_RE.match(key):
            raise _bad(location)
        return cls(key, _titles(tail) if tail else ())


def _titles(text: str) -> tuple[str, ...]:
    return tuple(t.strip() for t in text.split("!") if t.strip())


def _bad(location: str) -> JournalError:
    return JournalError(
        f"«{location}» — не адрес Google Таблицы. Укажите gsheet:<ключ таблицы> (ключ — часть "
        f"ссылки между /d/ и /edit) или ссылку https://docs.google.com/spreadsheets/d/<ключ>/…"
    )


def is_google(location: str) -> bool:
    """Whether a journal location names a Google spreadsheet (gsheet:… or its URL)."""
    text = location.strip()
    return text.lower().startswith(PREFIX) or bool(_URL_RE.match(text))


def same_spreadsheet(a: str, b: str) -> bool:
    """Whether two locations name the same spreadsheet, however each is spelled."""
    try:
        return SheetAddress.parse(a).key == SheetAddress.parse(b).key
    except JournalError:
        return False


def quote_title(title: str) -> str:
    """A worksheet title as A1 notation wants it: 'Лист ''1''' ."""
    return "'" + title.replace("'", "''") + "'"


def a1(title: str, ref: str) -> str:
    """An A1 range on a worksheet: a1('ЦСВ', 'W7') → 'ЦСВ'!W7."""
    return f"{quote_title(title)}!{ref}"


def state_dir(config: Config, location: str) -> Path:
    """Where the toolkit keeps backups, ledgers and logs for a journal."""
    if config.state_dir is not None:
        return config.state_dir
    if ":" in location.split("/", 1)[0] and not Path(location).exists():
        return Path.cwd() / ".vks"
    return Path(location).resolve().parent / ".vks"


def journal_key(location: str) -> str:
    """The journal as every ledger knows it: a file by its absolute path, a Google location as
    it is spelled (letters, notices, replies and intake find one another's rows by it)."""
    if is_google(location):
        return location.strip()
    return str(Path(location).expanduser().resolve())
