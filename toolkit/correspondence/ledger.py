"""Which replies have been processed: one SQLite row per message, so each is handled once.

A message is known by (mailbox, UIDVALIDITY, UID): the mailbox key is a hash of the server,
the account and the folder, and a new UIDVALIDITY (the folder was recreated) starts a fresh
UID range. A hash of the Message-ID catches the same message seen again under a new
UIDVALIDITY. The ledger keeps the outcome and a hash of the journal row's key — never an
e-mail address, a name or a message's text (152-ФЗ: the ledger outlives the mail).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from toolkit.correspondence.outbox import digest
from toolkit.journal.state import connect

SCHEMA = """
CREATE TABLE IF NOT EXISTS processed (
    mailbox      TEXT    NOT NULL,  -- mailbox_key(): hash of server, account and folder
    uidvalidity  INTEGER NOT NULL,
    uid          INTEGER NOT NULL,
    message_hash TEXT,              -- hash of the Message-ID header, when there is one
    outcome      TEXT    NOT NULL,  -- confirmed / declined / unclear / unmatched / duplicate …
    row_hash     TEXT,              -- hash of the journal row's key, when matched
    processed_at TEXT    NOT NULL,  -- ISO 8601 with offset
    PRIMARY KEY (mailbox, uidvalidity, uid)
);
CREATE INDEX IF NOT EXISTS processed_message ON processed (mailbox, message_hash);
"""


def mailbox_key(host: str, username: str, folder: str) -> str:
    """The key of one folder of one account, without the account's address in clear."""
    return digest(host.lower(), username.lower(), folder)


@dataclass(frozen=True)
class Processed:
    """One processed message as the ledger knows it."""

    mailbox: str
    uidvalidity: int
    uid: int
    outcome: str
    row_hash: str | None
    processed_at: dt.datetime


class ReplyLedger:
    """The processed-replies ledger (a private SQLite file; WAL, busy timeout)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.conn = connect(path, SCHEMA)  # private, WAL; its errors name the file in Russian

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> ReplyLedger:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.close()

    def last_uid(self, mailbox: str, uidvalidity: int) -> int:
        """The highest UID processed in this folder under this UIDVALIDITY (0: none)."""
        row = self.conn.execute(
            "SELECT MAX(uid) FROM processed WHERE mailbox = ? AND uidvalidity = ?",
            (mailbox, uidvalidity)).fetchone()
        return int(row[0] or 0)

    def is_processed(self, mailbox: str, uidvalidity: int, uid: int) -> bool:
        return self.conn.execute(
            "SELECT 1 FROM processed WHERE mailbox = ? AND uidvalidity = ? AND uid = ?",
            (mailbox, uidvalidity, uid)).fetchone() is not None

    def seen_message(self, mailbox: str, message_id: str | None) -> bool:
        """Whether a message with this Message-ID was processed in the folder before."""
        if not message_id:
            return False
        return self.conn.execute(
            "SELECT 1 FROM processed WHERE mailbox = ? AND message_hash = ?",
            (mailbox, digest(message_id.strip()))).fetchone() is not None

    def record(self, mailbox: str, uidvalidity: int, uid: int, outcome: str, *,
               row_key: str | None = None, message_id: str | None = None,
               at: dt.datetime | None = None) -> None:
        """Mark a message processed (again: the first record stands)."""
        moment = at or dt.datetime.now(dt.UTC)
        if moment.tzinfo is None:
            raise ValueError("the moment of processing must be aware")
        self.conn.execute(
            "INSERT OR IGNORE INTO processed VALUES (?, ?, ?, ?, ?, ?, ?)",
            (mailbox, uidvalidity, uid, digest(message_id.strip()) if message_id else None,
             outcome, digest(row_key) if row_key else None, moment.isoformat()))

    def entries(self, mailbox: str | None = None) -> list[Processed]:
        """Processed messages, in order of mailbox, UIDVALIDITY and UID."""
        sql = ("SELECT mailbox, uidvalidity, uid, outcome, row_hash, processed_at "
               "FROM processed")
        args: tuple[str, ...] = ()
        if mailbox is not None:
            sql += " WHERE mailbox = ?"
            args = (mailbox,)
        rows = self.conn.execute(sql + " ORDER BY mailbox, uidvalidity, uid", args)
        return [Processed(m, int(v), int(u), o, r, dt.datetime.fromisoformat(at))
                for m, v, u, o, r, at in rows]
