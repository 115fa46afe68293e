"""Mail sent once: an outbox ledger that knows what was sent, what failed, and what may have been
sent — for every kind of mail the toolkit sends (monthly reports; later, citizen notices).

    with exclusive(ledger):
        outbox = Outbox(ledger)
        done = send_once(outbox, ("stats-monthly", "Орган А", "2026-11"), compose,
                         recipients, settings, send_message)

A message is identified by (kind, key, period) and keeps one Message-ID for all its attempts.
Before it is handed to the server it is recorded as «sending»; after, as «sent». Whether an
attempt failed surely or maybe delivered decides what happens next:

- refused before the message itself was transmitted (no connection, login refused, every
  recipient refused, or the server's final reply was an error): «failed», retried by every later
  run;
- no answer after the message was transmitted (the server's reply came after our timeout), or
  the process died while handing it over: the result is unknown — the message may have been
  delivered. It is tried again at most once, with the same Message-ID, so a recipient gets at
  most one duplicate, recognisable by its ID; after that it is reported as «возможно,
  отправлено» and never sent again.

Two runs at once cannot both send: a run holds an exclusive lock beside the ledger.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import make_msgid
from enum import Enum
from pathlib import Path

from toolkit.journal.errors import ToolkitError
from toolkit.journal.files import PRIVATE_FILE, private_dir
from toolkit.journal.state import columns_of, connect
from toolkit.mail.smtp import MailError, MailSettings

log = logging.getLogger("vks.mail")

SCHEMA = """
CREATE TABLE IF NOT EXISTS outbox (
    report      TEXT NOT NULL,      -- the kind of mail (stats-monthly, …)
    body        TEXT NOT NULL,      -- whose mail within the kind (a body, * for the ministry)
    month       TEXT NOT NULL,      -- the period it is for
    message_id  TEXT NOT NULL,
    recipients  TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('sending', 'sent', 'failed')),
    attempts    INTEGER NOT NULL DEFAULT 0,
    error       TEXT NOT NULL DEFAULT '',
    updated_at  TEXT NOT NULL,
    sent_at     TEXT,
    PRIMARY KEY (report, body, month)
);
"""
# Hand-overs whose result is unknown (timed out after the message was sent, or the process
# died meanwhile), counted when the next attempt starts. Added after the first release.
UNSURE_COLUMN = ("unsure", "INTEGER NOT NULL DEFAULT 0")
MAX_UNSURE = 2  # hand-overs that may have delivered: the first and one retry
Ident = tuple[str, str, str]  # (kind, key, period)
Transport = Callable[[MailSettings, EmailMessage], dict[str, str]]


class OutboxBusy(ToolkitError):
    """Another run is sending from this outbox right now."""

    exit_code = 3


class Outcome(Enum):
    SENT = "sent"
    ALREADY_SENT = "already-sent"
    FAILED = "failed"  # surely not delivered: retried next run
    UNSURE = "unsure"  # may have been delivered: retried at most once
    MAYBE_SENT = "maybe-sent"  # may have been delivered twice over: never sent again


@dataclass
class Sending:
    """What became of one message in this run."""

    outcome: Outcome
    message_id: str
    attempts: int = 0
    error: str = ""
    resent: bool = False  # an earlier attempt's result was unknown: a duplicate is possible
    refused: dict[str, str] = field(default_factory=dict)


def _stamp() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


class Outbox:
    """The ledger of messages: what was sent, is being sent, failed, or may have been sent."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.conn = connect(path, SCHEMA)
        if UNSURE_COLUMN[0] not in columns_of(self.conn, "outbox"):
            self.conn.execute(f"ALTER TABLE outbox ADD COLUMN {' '.join(UNSURE_COLUMN)}")

    def close(self) -> None:
        self.conn.close()

    def get(self, ident: Ident) -> sqlite3.Row | None:
        row: sqlite3.Row | None = self.conn.execute(
            "SELECT * FROM outbox WHERE report = ? AND body = ? AND month = ?",
            ident).fetchone()
        return row

    def sending(self, ident: Ident, message_id: str, recipients: Sequence[str]) -> int:
        """Record that the message is about to be handed to the server; return the attempt.

        A previous attempt still «sending» ended with an unknown result: it is counted.
        """
        self.conn.execute(
            "INSERT INTO outbox (report, body, month, message_id, recipients, status, attempts,"
            " updated_at) VALUES (?, ?, ?, ?, ?, 'sending', 1, ?)"
            " ON CONFLICT (report, body, month) DO UPDATE SET message_id = excluded.message_id,"
            " recipients = excluded.recipients,"
            " unsure = outbox.unsure + (outbox.status = 'sending'), status = 'sending',"
            " attempts = outbox.attempts + 1, updated_at = excluded.updated_at",
            (*ident, message_id, ", ".join(recipients), _stamp()))
        row = self.get(ident)
        assert row is not None
        return int(row["attempts"])

    def sent(self, ident: Ident) -> None:
        now = _stamp()
        self.conn.execute(
            "UPDATE outbox SET status = 'sent', error = '', updated_at = ?, sent_at = ?"
            " WHERE report = ? AND body = ? AND month = ?", (now, now, *ident))

    def failed(self, ident: Ident, error: str) -> None:
        """Surely not delivered: retried next run."""
        self.conn.execute(
            "UPDATE outbox SET status = 'failed', error = ?, updated_at = ?"
            " WHERE report = ? AND body = ? AND month = ?", (error, _stamp(), *ident))

    def unsure(self, ident: Ident, error: str) -> None:
        """Maybe delivered: stays «sending», which the next attempt counts as unknown."""
        self.conn.execute(
            "UPDATE outbox SET error = ?, updated_at = ? WHERE report = ? AND body = ? AND "
            "month = ?", (error, _stamp(), *ident))


def may_have_been_sent(row: sqlite3.Row) -> int:
    """How many hand-overs of this message may have delivered it."""
    return int(row["unsure"]) + (row["status"] == "sending")


@contextlib.contextmanager
def exclusive(ledger: Path) -> Iterator[None]:
    """Hold the outbox's run lock (released by the OS even if the process dies)."""
    lock_path = ledger.with_name(ledger.name + ".lock")
    private_dir(lock_path.parent)
    if not lock_path.exists():
        os.close(os.open(lock_path, os.O_CREAT | os.O_WRONLY, PRIVATE_FILE))
    lock = sqlite3.connect(lock_path, timeout=0, isolation_level=None)
    try:
        lock.execute("BEGIN EXCLUSIVE")
    except sqlite3.OperationalError:
        lock.close()
        raise OutboxBusy("рассылка уже выполняется другим запуском; повторите позже") from None
    try:
        yield
    finally:
        lock.execute("ROLLBACK")
        lock.close()


def send_once(outbox: Outbox, ident: Ident, compose: Callable[[str], EmailMessage],
              recipients: Sequence[str], settings: MailSettings, transport: Transport
              ) -> Sending:
    """Send the message `ident` names unless it was sent (or may have been sent twice over).

    `compose(message_id)` builds the message; the Message-ID stays the same for every attempt.
    """
    row = outbox.get(ident)
    if row is not None and row["status"] == "sent":
        return Sending(Outcome.ALREADY_SENT, row["message_id"], int(row["attempts"]))
    if row is not None and may_have_been_sent(row) >= MAX_UNSURE:
        return Sending(Outcome.MAYBE_SENT, row["message_id"], int(row["attempts"]),
                       row["error"])
    resent = row is not None and may_have_been_sent(row) > 0
    message_id = row["message_id"] if row else make_msgid(domain=settings.domain)
    msg = compose(message_id)
    attempts = outbox.sending(ident, message_id, recipients)
    try:
        refused = transport(settings, msg)
    except MailError as exc:
        if exc.maybe_sent:
            outbox.unsure(ident, str(exc))
            log.warning("%s %s %s: result unknown (attempt %d)", *ident, attempts)
            return Sending(Outcome.UNSURE, message_id, attempts, str(exc), resent)
        outbox.failed(ident, str(exc))
        log.warning("%s %s %s: not sent (attempt %d)", *ident, attempts)
        return Sending(Outcome.FAILED, message_id, attempts, str(exc), resent)
    outbox.sent(ident)
    log.info("%s %s %s: sent as %s", *ident, message_id)
    return Sending(Outcome.SENT, message_id, attempts, resent=resent, refused=refused)


__all__ = ["MAX_UNSURE", "Outbox", "OutboxBusy", "Outcome", "Sending", "exclusive",
           "may_have_been_sent", "send_once"]
