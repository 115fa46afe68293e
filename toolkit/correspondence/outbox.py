"""Which notices went to citizens: one SQLite row per message, so each is sent once.

    with Outbox(state / "notices.sqlite") as outbox:
        latest = outbox.latest(row_hash, NoticeKind.APPOINTMENT)
        outbox.begin(row_hash, kind, revision, digest, recipient, message_id)
        send_message(settings, msg, on_data=lambda: outbox.maybe(row_hash, kind, revision))
        outbox.sent(row_hash, kind, revision, sent_at)

A notice is known by the journal row (a hash of journal, body and № п/п), its kind and its
revision; `digest` is a hash of what it says (the appointment's time, the official, the link;
the ground…) and `recipient` a hash of the address. No address, name or text is kept (152-ФЗ:
the ledger outlives the mail).

States of a message: «sending» — recorded before the connection is opened; «maybe-sent» —
recorded just before the end of the message is transmitted (from then on the server may deliver
it even if its answer is lost); «sent» — the server accepted it; «failed» — the server refused
it or could not be reached before the end went out; «refused» — the server refused the address
for good (5xx): not tried again until the address changes; «superseded» — never delivered and
replaced by a newer revision. A run that finds «sending» or «failed» sends again: nothing can
have been delivered. «maybe-sent» is sent again at most once (the same Message-ID, so a duplicate is
recognisable); after a second doubtful hand-over it counts as delivered.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from types import TracebackType

from toolkit.correspondence.reference import NoticeKind
from toolkit.journal.errors import ToolkitError
from toolkit.journal.files import PRIVATE_FILE, private_dir
from toolkit.journal.state import connect

LEDGER_NAME = "notices.sqlite"
MAX_DOUBTFUL = 2  # hand-overs without an answer after which a notice counts as delivered

SCHEMA = """
CREATE TABLE IF NOT EXISTS notices (
    row_hash    TEXT    NOT NULL,  -- hash of (journal, body, № п/п)
    kind        TEXT    NOT NULL,  -- appointment / cancellation / reschedule / rejection
    revision    INTEGER NOT NULL,  -- 1, 2, … per row and kind
    digest      TEXT    NOT NULL,  -- hash of what the notice says
    recipient   TEXT    NOT NULL,  -- hash of the address it goes to
    message_id  TEXT    NOT NULL,
    state       TEXT    NOT NULL CHECK (state IN ('sending', 'maybe-sent', 'sent', 'failed',
                                                  'refused', 'superseded')),
    attempts    INTEGER NOT NULL DEFAULT 0,  -- connections opened to send it
    doubtful    INTEGER NOT NULL DEFAULT 0,  -- of them, ends transmitted without an answer
    sent_at     TEXT,                        -- local time written to the journal (ISO)
    updated_at  TEXT    NOT NULL,            -- UTC, ISO
    PRIMARY KEY (row_hash, kind, revision)
);
"""


class NotifyBusy(ToolkitError):
    """Another run is sending notices right now."""

    exit_code = 3


class State(Enum):
    SENDING = "sending"
    MAYBE_SENT = "maybe-sent"
    SENT = "sent"
    FAILED = "failed"
    REFUSED = "refused"
    SUPERSEDED = "superseded"


def digest(*parts: object) -> str:
    """A stable hash of some values (first 32 hex digits of SHA-256)."""
    text = "\x1f".join("" if p is None else str(p) for p in parts)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


@dataclass(frozen=True)
class Entry:
    """One notice message as the ledger knows it."""

    row_hash: str
    kind: NoticeKind
    revision: int
    digest: str
    recipient: str
    message_id: str
    state: State
    attempts: int
    doubtful: int
    sent_at: dt.datetime | None

    @property
    def delivered(self) -> bool:
        """Sent, or maybe sent (the citizen may have it)."""
        return self.state in (State.SENT, State.MAYBE_SENT)


class Outbox:
    """The notices ledger (a private SQLite file; WAL, busy timeout)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.conn = connect(path, SCHEMA)

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Outbox:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.close()

    def entries(self, row_hash: str) -> list[Entry]:
        """Every message of a row, in the order they were first recorded."""
        rows = self.conn.execute(
            "SELECT * FROM notices WHERE row_hash = ? ORDER BY rowid", (row_hash,))
        return [_entry(r) for r in rows]

    def latest(self, row_hash: str, kind: NoticeKind) -> Entry | None:
        row = self.conn.execute(
            "SELECT * FROM notices WHERE row_hash = ? AND kind = ? ORDER BY revision DESC "
            "LIMIT 1", (row_hash, kind.value)).fetchone()
        return _entry(row) if row else None

    def begin(self, row_hash: str, kind: NoticeKind, revision: int, digest: str,
              recipient: str, message_id: str) -> int:
        """Record that the message is about to be handed over; return the attempt number."""
        self.conn.execute(
            "INSERT INTO notices (row_hash, kind, revision, digest, recipient, message_id, state,"
            " attempts, updated_at) VALUES (?, ?, ?, ?, ?, ?, 'sending', 1, ?)"
            " ON CONFLICT (row_hash, kind, revision) DO UPDATE SET digest = excluded.digest,"
            " recipient = excluded.recipient, message_id = excluded.message_id,"
            " state = CASE WHEN notices.state = 'maybe-sent' THEN 'maybe-sent'"
            " ELSE 'sending' END, attempts = notices.attempts + 1,"
            " updated_at = excluded.updated_at",
            (row_hash, kind.value, revision, digest, recipient, message_id, _stamp()))
        entry = self._get(row_hash, kind, revision)
        return entry.attempts

    def maybe(self, row_hash: str, kind: NoticeKind, revision: int) -> None:
        """The end of the message is about to go out: from now on it may be delivered."""
        self._set(row_hash, kind, revision, "state = 'maybe-sent', doubtful = doubtful + 1")

    def sent(self, row_hash: str, kind: NoticeKind, revision: int,
             sent_at: dt.datetime) -> None:
        self.conn.execute(
            "UPDATE notices SET state = 'sent', sent_at = ?, updated_at = ? "
            "WHERE row_hash = ? AND kind = ? AND revision = ?",
            (sent_at.replace(tzinfo=None).isoformat(timespec="seconds"), _stamp(), row_hash,
             kind.value, revision))

    def failed(self, row_hash: str, kind: NoticeKind, revision: int) -> None:
        """Not delivered (a «maybe-sent» message stays doubtful)."""
        self._set(row_hash, kind, revision,
                  "state = CASE WHEN state = 'maybe-sent' THEN state ELSE 'failed' END")

    def refused(self, row_hash: str, kind: NoticeKind, revision: int) -> None:
        """The server refused the address for good: wait for a new address."""
        self._set(row_hash, kind, revision, "state = 'refused'")

    def supersede(self, row_hash: str, kind: NoticeKind, revision: int) -> None:
        """An undelivered message is replaced by a newer revision."""
        self._set(row_hash, kind, revision, "state = 'superseded'")

    def settle(self, row_hash: str, kind: NoticeKind, revision: int,
               sent_at: dt.datetime) -> None:
        """A message handed over twice without an answer counts as delivered."""
        self.sent(row_hash, kind, revision, sent_at)

    def _set(self, row_hash: str, kind: NoticeKind, revision: int, assignment: str) -> None:
        self.conn.execute(
            f"UPDATE notices SET {assignment}, updated_at = ? "  # the module's own texts
            "WHERE row_hash = ? AND kind = ? AND revision = ?",
            (_stamp(), row_hash, kind.value, revision))

    def _get(self, row_hash: str, kind: NoticeKind, revision: int) -> Entry:
        row = self.conn.execute(
            "SELECT * FROM notices WHERE row_hash = ? AND kind = ? AND revision = ?",
            (row_hash, kind.value, revision)).fetchone()
        assert row is not None
        return _entry(row)


def _stamp() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _entry(row: sqlite3.Row) -> Entry:
    sent = row["sent_at"]
    return Entry(row["row_hash"], NoticeKind(row["kind"]), int(row["revision"]), row["digest"],
                 row["recipient"], row["message_id"], State(row["state"]), int(row["attempts"]),
                 int(row["doubtful"]), dt.datetime.fromisoformat(sent) if sent else None)


@contextlib.contextmanager
def exclusive(ledger: Path, busy: str = "уведомления уже отправляются другим запуском; "
                                         "повторите позже") -> Iterator[None]:
    """Hold the ledger's run lock (released by the OS even if the process is killed)."""
    lock_path = ledger.with_name(ledger.name + ".lock")
    private_dir(lock_path.parent)
    if not lock_path.exists():
        os.close(os.open(lock_path, os.O_CREAT | os.O_WRONLY, PRIVATE_FILE))
    lock = sqlite3.connect(lock_path, timeout=0, isolation_level=None)
    try:
        lock.execute("BEGIN EXCLUSIVE")
    except sqlite3.OperationalError:
        lock.close()
        raise NotifyBusy(busy) from None
    try:
        yield
    finally:
        lock.execute("ROLLBACK")
        lock.close()
