"""Which notices went to citizens: one row per message of the toolkit's outbox ledger
(`toolkit.mail.outbox`, kind = the notice kind, key = the row hash, period = the revision), so
each is sent once.

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
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from toolkit.correspondence.reference import NoticeKind
from toolkit.journal.errors import ToolkitError
from toolkit.mail import outbox as mail_outbox
from toolkit.mail.outbox import State

LEDGER_NAME = "notices.sqlite"
MAX_DOUBTFUL = mail_outbox.MAX_UNSURE  # hand-overs without an answer: then counted delivered


class NotifyBusy(ToolkitError):
    """Another run is sending notices right now."""

    exit_code = 3


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


def _ident(row_hash: str, kind: NoticeKind, revision: int) -> mail_outbox.Ident:
    return (kind.value, row_hash, str(revision))


class Outbox:
    """The notices ledger: the outbox keyed by (row hash, notice kind, revision)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.ledger = mail_outbox.Outbox(path)

    def close(self) -> None:
        self.ledger.close()

    def __enter__(self) -> Outbox:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.close()

    def entries(self, row_hash: str) -> list[Entry]:
        """Every message of a row, in the order they were first recorded."""
        return [_entry(r) for r in self.ledger.rows(row_hash)]

    def latest(self, row_hash: str, kind: NoticeKind) -> Entry | None:
        mine = [_entry(r) for r in self.ledger.rows(row_hash, kind.value)]
        return max(mine, key=lambda e: e.revision) if mine else None

    def begin(self, row_hash: str, kind: NoticeKind, revision: int, digest: str,
              recipient: str, message_id: str) -> int:
        """Record that the message is about to be handed over; return the attempt number."""
        # `maybe` is recorded as the end of DATA goes out: a leftover «sending» was not delivered
        return self.ledger.begin(_ident(row_hash, kind, revision), message_id, recipient, digest,
                                 lost_doubtful=False)

    def maybe(self, row_hash: str, kind: NoticeKind, revision: int) -> None:
        """The end of the message is about to go out: from now on it may be delivered."""
        self.ledger.maybe(_ident(row_hash, kind, revision))

    def sent(self, row_hash: str, kind: NoticeKind, revision: int,
             sent_at: dt.datetime) -> None:
        self.ledger.sent(_ident(row_hash, kind, revision),
                         sent_at.replace(tzinfo=None).isoformat(timespec="seconds"))

    def failed(self, row_hash: str, kind: NoticeKind, revision: int) -> None:
        """Not delivered (a «maybe-sent» message stays doubtful)."""
        self.ledger.failed(_ident(row_hash, kind, revision))

    def refused(self, row_hash: str, kind: NoticeKind, revision: int) -> None:
        """The server refused the address for good: wait for a new address."""
        self.ledger.refused(_ident(row_hash, kind, revision))

    def supersede(self, row_hash: str, kind: NoticeKind, revision: int) -> None:
        """An undelivered message is replaced by a newer revision."""
        self.ledger.supersede(_ident(row_hash, kind, revision))

    def settle(self, row_hash: str, kind: NoticeKind, revision: int,
               sent_at: dt.datetime) -> None:
        """A message handed over twice without an answer counts as delivered."""
        self.sent(row_hash, kind, revision, sent_at)


def _entry(row: sqlite3.Row) -> Entry:
    sent = row["sent_at"]
    return Entry(row["key"], NoticeKind(row["kind"]), int(row["period"]), row["digest"],
                 row["recipients"], row["message_id"], State(row["state"]),
                 int(row["attempts"]), int(row["doubtful"]),
                 dt.datetime.fromisoformat(sent) if sent else None)


@contextlib.contextmanager
def exclusive(ledger: Path, busy: str = "уведомления уже отправляются другим запуском; "
                                         "повторите позже") -> Iterator[None]:
    """Hold the ledger's run lock (released by the OS even if the process is killed)."""
    with mail_outbox.exclusive(ledger, NotifyBusy, busy):
        yield
