"""Mail sent once: the one outbox ledger of the toolkit — monthly reports, notices to citizens,
applications forwarded to bodies — that knows what was sent, what failed, and what may have
been sent.

    with exclusive(ledger):
        with Outbox(ledger) as outbox:
            done = send_once(outbox, ("stats-monthly", "Орган А", "2026-11"), compose,
                             recipients, settings, send_message)

A message is identified by (kind, key, period) — the period is a month, a revision, a target —
and keeps one Message-ID for all its attempts. Before it is handed to the server it is recorded
as «sending»; after, as «sent». What happens next depends on how an attempt ended:

- refused before the message itself was transmitted (no connection, login refused, every
  recipient refused, or the server's final reply was an error): «failed», retried by every later
  run;
- no answer after the message was transmitted (the end of DATA went out): «maybe-sent» — the
  message may have been delivered. It is tried again at most once, with the same Message-ID, so
  a recipient gets at most one duplicate, recognisable by its ID; after that it is reported as
  «возможно, отправлено» and never sent again;
- the process died meanwhile: the row stays «sending». When the sender does not record the
  moment the end of DATA goes out (`maybe()` from the transport's `on_data`), such a hand-over
  counts as doubtful too (`lost_doubtful`);
- «refused»: the server refused the address for good; «superseded»: never delivered and
  replaced by a newer revision (both set by the caller).

Two runs at once cannot both send: a run holds an exclusive lock beside the ledger. The table is
`mail_outbox` (ledgers of earlier versions — tables `outbox`, `notices`, `forwards` — are not
migrated: their messages are not known to this one).
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
from types import TracebackType

from toolkit.journal.errors import ToolkitError
from toolkit.journal.files import PRIVATE_FILE, private_dir
from toolkit.journal.state import connect
from toolkit.mail.smtp import MailError, MailSettings

log = logging.getLogger("vks.mail")

TABLE = "mail_outbox"
SCHEMA = f"""
CREATE TABLE IF NOT EXISTS {TABLE} (
    kind        TEXT    NOT NULL,  -- the kind of mail (stats-monthly, appointment, forward, …)
    key         TEXT    NOT NULL,  -- whose mail within the kind (a body, a row hash, …)
    period      TEXT    NOT NULL,  -- which one of theirs (a month, a revision, a target)
    digest      TEXT    NOT NULL DEFAULT '',  -- hash of what it says, if the sender keeps one
    recipients  TEXT    NOT NULL DEFAULT '',  -- the addresses, or a hash of them
    message_id  TEXT    NOT NULL,
    state       TEXT    NOT NULL CHECK (state IN ('sending', 'maybe-sent', 'sent', 'failed',
                                                  'refused', 'superseded')),
    attempts    INTEGER NOT NULL DEFAULT 0,  -- hand-overs begun
    doubtful    INTEGER NOT NULL DEFAULT 0,  -- of them, ended with an unknown result
    error       TEXT    NOT NULL DEFAULT '',
    sent_at     TEXT,
    updated_at  TEXT    NOT NULL,  -- UTC, ISO
    PRIMARY KEY (kind, key, period)
);
"""
MAX_UNSURE = 2  # hand-overs that may have delivered: the first and one retry
Ident = tuple[str, str, str]  # (kind, key, period)
Transport = Callable[[MailSettings, EmailMessage], dict[str, str]]


class OutboxBusy(ToolkitError):
    """Another run is sending from this outbox right now."""

    exit_code = 3


class State(Enum):
    SENDING = "sending"
    MAYBE_SENT = "maybe-sent"
    SENT = "sent"
    FAILED = "failed"
    REFUSED = "refused"
    SUPERSEDED = "superseded"


class Outcome(Enum):
    SENT = "sent"
    ALREADY_SENT = "already-sent"
    FAILED = "failed"  # surely not delivered: retried next run
    UNSURE = "unsure"  # may have been delivered: retried at most once
    MAYBE_SENT = "maybe-sent"  # may have been delivered twice over: never sent again
    WRITTEN = "written"  # dry run: saved as .eml


@dataclass
class Sending:
    """What became of one message in this run."""

    outcome: Outcome
    message_id: str
    attempts: int = 0
    error: str = ""
    resent: bool = False  # an earlier attempt's result was unknown: a duplicate is possible
    refused: dict[str, str] = field(default_factory=dict)
    sent_at: str | None = None  # when the server took it (this run or before)


def _stamp() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


class Outbox:
    """The ledger of messages (a private SQLite file; WAL, busy timeout)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.conn = connect(path, SCHEMA)
        self._carry_over_released_ledger()

    def _carry_over_released_ledger(self) -> None:
        """Monthly reports recorded by the released version (table `outbox`) keep their state,
        so an upgrade never sends a report twice; the old table stays as it was."""
        old = self.conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'outbox'").fetchone()
        if old is None:
            return
        with self.conn:
            self.conn.execute(
                f"INSERT OR IGNORE INTO {TABLE} (kind, key, period, recipients, message_id, "
                "state, attempts, doubtful, error, sent_at, updated_at) "
                "SELECT report, body, month, recipients, message_id, status, attempts, "
                "CASE status WHEN 'sending' THEN 1 ELSE 0 END, error, sent_at, updated_at "
                "FROM outbox")

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Outbox:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.close()

    def get(self, ident: Ident) -> sqlite3.Row | None:
        row: sqlite3.Row | None = self.conn.execute(
            f"SELECT * FROM {TABLE} WHERE kind = ? AND key = ? AND period = ?",
            ident).fetchone()
        return row

    def rows(self, key: str, kind: str | None = None) -> list[sqlite3.Row]:
        """Every message of a key (of one kind), in the order they were first recorded."""
        if kind is None:
            return list(self.conn.execute(
                f"SELECT * FROM {TABLE} WHERE key = ? ORDER BY rowid", (key,)))
        return list(self.conn.execute(
            f"SELECT * FROM {TABLE} WHERE key = ? AND kind = ? ORDER BY rowid", (key, kind)))

    def begin(self, ident: Ident, message_id: str, recipients: str, digest: str = "", *,
              lost_doubtful: bool = True) -> int:
        """Record that the message is about to be handed to the server; return the attempt.

        With `lost_doubtful` a previous attempt still «sending» (the process died) ended with
        an unknown result and is counted; without, the sender records `maybe()` itself and a
        «maybe-sent» message stays so.
        """
        lost = int(lost_doubtful)
        self.conn.execute(
            f"INSERT INTO {TABLE} (kind, key, period, digest, recipients, message_id, state,"
            " attempts, updated_at) VALUES (?, ?, ?, ?, ?, ?, 'sending', 1, ?)"
            " ON CONFLICT (kind, key, period) DO UPDATE SET digest = excluded.digest,"
            " recipients = excluded.recipients, message_id = excluded.message_id,"
            f" doubtful = {TABLE}.doubtful + ({TABLE}.state = 'sending' AND ?),"
            f" state = CASE WHEN {TABLE}.state = 'maybe-sent' AND NOT ? THEN 'maybe-sent'"
            f" ELSE 'sending' END, attempts = {TABLE}.attempts + 1,"
            " updated_at = excluded.updated_at",
            (*ident, digest, recipients, message_id, _stamp(), lost, lost))
        row = self.get(ident)
        assert row is not None
        return int(row["attempts"])

    def maybe(self, ident: Ident, error: str = "") -> None:
        """The end of the message went out (or is about to): it may be delivered."""
        self._set(ident, "state = 'maybe-sent', doubtful = doubtful + 1, error = ?", error)

    def sent(self, ident: Ident, at: str | None = None) -> None:
        self._set(ident, "state = 'sent', error = '', sent_at = ?", at or _stamp())

    def failed(self, ident: Ident, error: str = "") -> None:
        """Surely not delivered by this attempt (a «maybe-sent» message stays doubtful)."""
        self._set(ident, "state = CASE WHEN state = 'maybe-sent' THEN state ELSE 'failed' END,"
                         " error = ?", error)

    def refused(self, ident: Ident) -> None:
        """The server refused the address for good: wait for a new address."""
        self._set(ident, "state = 'refused'")

    def supersede(self, ident: Ident) -> None:
        """An undelivered message is replaced by a newer revision."""
        self._set(ident, "state = 'superseded'")

    def _set(self, ident: Ident, assignment: str, *values: object) -> None:
        self.conn.execute(
            f"UPDATE {TABLE} SET {assignment}, updated_at = ? "  # the module's own texts
            "WHERE kind = ? AND key = ? AND period = ?", (*values, _stamp(), *ident))


def may_have_been_sent(row: sqlite3.Row, *, lost_doubtful: bool = True) -> int:
    """How many hand-overs of this message may have delivered it."""
    return int(row["doubtful"]) + (lost_doubtful and row["state"] == State.SENDING.value)


@contextlib.contextmanager
def exclusive(ledger: Path, error: type[ToolkitError] = OutboxBusy,
              busy: str = "рассылка уже выполняется другим запуском; повторите позже"
              ) -> Iterator[None]:
    """Hold the ledger's run lock (released by the OS even if the process dies)."""
    lock_path = ledger.with_name(ledger.name + ".lock")
    private_dir(lock_path.parent)
    if not lock_path.exists():
        os.close(os.open(lock_path, os.O_CREAT | os.O_WRONLY, PRIVATE_FILE))
    lock = sqlite3.connect(lock_path, timeout=0, isolation_level=None)
    try:
        lock.execute("BEGIN EXCLUSIVE")
    except sqlite3.OperationalError:
        lock.close()
        raise error(busy) from None
    try:
        yield
    finally:
        lock.execute("ROLLBACK")
        lock.close()


def send_once(outbox: Outbox, ident: Ident, compose: Callable[[str], EmailMessage],
              recipients: Sequence[str], settings: MailSettings, transport: Transport,
              sent_at: str | None = None) -> Sending:
    """Send the message `ident` names unless it was sent (or may have been sent twice over).

    `compose(message_id)` builds the message; the Message-ID stays the same for every attempt.
    `sent_at` is recorded as the moment it was sent (default: now, UTC).
    """
    row = outbox.get(ident)
    if row is not None and row["state"] == State.SENT.value:
        return Sending(Outcome.ALREADY_SENT, row["message_id"], int(row["attempts"]),
                       sent_at=row["sent_at"])
    if row is not None and may_have_been_sent(row) >= MAX_UNSURE:
        return Sending(Outcome.MAYBE_SENT, row["message_id"], int(row["attempts"]),
                       row["error"])
    resent = row is not None and may_have_been_sent(row) > 0
    message_id = row["message_id"] if row else make_msgid(domain=settings.domain)
    msg = compose(message_id)
    attempts = outbox.begin(ident, message_id, ", ".join(recipients))
    try:
        refused = transport(settings, msg)
    except MailError as exc:
        if exc.maybe_sent:
            outbox.maybe(ident, str(exc))
            log.warning("%s %s %s: result unknown (attempt %d)", *ident, attempts)
            return Sending(Outcome.UNSURE, message_id, attempts, str(exc), resent)
        outbox.failed(ident, str(exc))
        log.warning("%s %s %s: not sent (attempt %d)", *ident, attempts)
        return Sending(Outcome.FAILED, message_id, attempts, str(exc), resent)
    at = sent_at or _stamp()
    outbox.sent(ident, at)
    log.info("%s %s %s: sent as %s", *ident, message_id)
    return Sending(Outcome.SENT, message_id, attempts, resent=resent, refused=refused,
                   sent_at=at)


__all__ = ["MAX_UNSURE", "Outbox", "OutboxBusy", "Outcome", "Sending", "State", "exclusive",
           "may_have_been_sent", "send_once"]
