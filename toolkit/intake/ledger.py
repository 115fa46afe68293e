"""What became of each application from the website: one SQLite row per submission key.

    with IntakeLedger.open(state / "intake.sqlite") as ledger:     # an exclusive run lock too
        ledger.get(sub.key)                                          # → Record or None
        ledger.save(record)

States: `broken` (not registered: a problem of cl. 2.2), `unrouted` (the «Не распределено» list:
the centre decides, cl. 2.3), `pending` (placed, to be registered: the journal was busy),
`registered` (a row of a body's journal), `forwarded` (e-mailed to a body whose journal this
toolkit does not reach). `registered` and `forwarded` are final: the same submission read again
(an overlapping export, the same message) is a copy and is not registered twice.

No personal data (152-ФЗ: the ledger outlives the exports): the key (a hash), the body, where the
row is, times, the source file's name and line, problem codes — and the date of birth only as an
HMAC (`birth_hash`) with a secret from the environment, so that a repeat question (ground 4) can
be matched to the journal row it was registered in. The forwarding e-mails' outbox
(`forwards`) is in the same file.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import os
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

from toolkit.journal.errors import ToolkitError
from toolkit.journal.files import PRIVATE_FILE, private_dir
from toolkit.journal.state import connect

LEDGER_NAME = "intake.sqlite"
STATES = ("pending", "registered", "unrouted", "broken", "forwarded")
FINAL = frozenset({"registered", "forwarded"})
CENTRE = "*"  # the forwards' target of an application sent to the centre (not placed)

SCHEMA = """
CREATE TABLE IF NOT EXISTS submissions (
    key           TEXT PRIMARY KEY,            -- Submission.key (sha256 of folded fields)
    state         TEXT NOT NULL CHECK (state IN
                  ('pending', 'registered', 'unrouted', 'broken', 'forwarded')),
    body          TEXT NOT NULL DEFAULT '',    -- the competent body's name, once placed
    rule          TEXT NOT NULL DEFAULT '',    -- topic / place / chosen / unrouted / no-journal
    location      TEXT NOT NULL DEFAULT '',    -- the journal of the body
    sheet         TEXT NOT NULL DEFAULT '',
    row           INTEGER,
    number        INTEGER,                     -- № п/п given
    submitted_at  TEXT,                        -- ISO 8601 with offset
    due           TEXT,                        -- forwarding deadline (cl. 2.3), ISO date
    forwarded_at  TEXT,                        -- when it reached the body (mail or journal)
    registered_at TEXT,
    birth_hash    TEXT NOT NULL DEFAULT '',    -- HMAC of the date of birth, or ''
    source        TEXT NOT NULL DEFAULT '',    -- export file name / mailbox, where last seen
    ref           TEXT NOT NULL DEFAULT '',    -- «строка 12», «письмо <id>»
    problems      TEXT NOT NULL DEFAULT '',    -- problem codes, comma-separated
    first_seen    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS submissions_row ON submissions (location, sheet, row);
CREATE TABLE IF NOT EXISTS forwards (
    key         TEXT NOT NULL,                 -- the submission
    target      TEXT NOT NULL,                 -- the body's name, or * (the centre)
    message_id  TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('sending', 'sent', 'failed')),
    attempts    INTEGER NOT NULL DEFAULT 0,
    unsure      INTEGER NOT NULL DEFAULT 0,    -- hand-overs whose result is unknown
    error       TEXT NOT NULL DEFAULT '',
    updated_at  TEXT NOT NULL,
    sent_at     TEXT,
    PRIMARY KEY (key, target)
);
"""


class IntakeBusy(ToolkitError):
    """Another run is taking in applications right now."""

    exit_code = 3


@dataclass
class Record:
    """One submission as the ledger knows it (no personal data)."""

    key: str
    state: str
    body: str = ""
    rule: str = ""
    location: str = ""
    sheet: str = ""
    row: int | None = None
    number: int | None = None
    submitted_at: dt.datetime | None = None
    due: dt.date | None = None
    forwarded_at: dt.datetime | None = None
    registered_at: dt.datetime | None = None
    birth_hash: str = ""
    source: str = ""
    ref: str = ""
    problems: str = ""

    @property
    def final(self) -> bool:
        return self.state in FINAL

    @property
    def late(self) -> bool:
        """Reached the body after the deadline of cl. 2.3."""
        return bool(self.forwarded_at and self.due and self.forwarded_at.date() > self.due)


_MOMENTS = ("submitted_at", "forwarded_at", "registered_at")


def _stamp() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _record(row: sqlite3.Row) -> Record:
    values: dict[str, Any] = {f.name: row[f.name] for f in dataclasses.fields(Record)}
    for name in _MOMENTS:
        if values[name]:
            values[name] = dt.datetime.fromisoformat(values[name])
    if values["due"]:
        values["due"] = dt.date.fromisoformat(values["due"])
    return Record(**values)


class IntakeLedger:
    """The intake ledger (a private SQLite file; WAL, busy timeout)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.conn = connect(path, SCHEMA)

    @classmethod
    @contextlib.contextmanager
    def open(cls, path: Path) -> Iterator[IntakeLedger]:
        """The ledger with the run lock held: one intake run at a time."""
        with exclusive(path):
            ledger = cls(path)
            try:
                yield ledger
            finally:
                ledger.close()

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> IntakeLedger:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.close()

    # submissions -----------------------------------------------------------------------------

    def get(self, key: str) -> Record | None:
        row = self.conn.execute("SELECT * FROM submissions WHERE key = ?", (key,)).fetchone()
        return _record(row) if row is not None else None

    def save(self, record: Record) -> None:
        """Insert or update a submission's record (first_seen kept)."""
        if record.state not in STATES:
            raise ValueError(record.state)
        values: dict[str, Any] = dataclasses.asdict(record)
        for name in _MOMENTS:
            moment = values[name]
            if moment is not None and moment.tzinfo is None:
                raise ValueError(f"{name} must be aware")
            values[name] = moment.isoformat() if moment is not None else None
        values["due"] = record.due.isoformat() if record.due else None
        now = _stamp()
        names = list(values)
        self.conn.execute(
            f"INSERT INTO submissions ({', '.join(names)}, first_seen, updated_at) "
            f"VALUES ({', '.join('?' for _ in names)}, ?, ?) ON CONFLICT (key) DO UPDATE SET "
            + ", ".join(f"{n} = excluded.{n}" for n in names if n != "key")
            + ", updated_at = excluded.updated_at",
            (*values.values(), now, now))

    def records(self, *states: str) -> list[Record]:
        """Submissions in the given states (all without), oldest submitted first."""
        sql = "SELECT * FROM submissions"
        if states:
            sql += f" WHERE state IN ({', '.join('?' for _ in states)})"
        rows = self.conn.execute(sql + " ORDER BY submitted_at, key", states)
        return [_record(r) for r in rows]

    def birth_hashes(self) -> dict[tuple[str, str, int], str]:
        """(location, sheet, row) → birth_hash of the applications registered there."""
        rows = self.conn.execute(
            "SELECT location, sheet, row, birth_hash FROM submissions WHERE state = "
            "'registered' AND birth_hash != '' AND row IS NOT NULL")
        return {(loc, sheet, int(row)): h for loc, sheet, row, h in rows}

    # forwards (the outbox of forwarding e-mails) ---------------------------------------------

    def forward(self, key: str, target: str) -> sqlite3.Row | None:
        row: sqlite3.Row | None = self.conn.execute(
            "SELECT * FROM forwards WHERE key = ? AND target = ?", (key, target)).fetchone()
        return row

    def sending(self, key: str, target: str, message_id: str) -> int:
        """About to hand the message to the server; returns the attempt. An earlier attempt
        still «sending» ended with an unknown result: it is counted as unsure."""
        self.conn.execute(
            "INSERT INTO forwards (key, target, message_id, status, attempts, updated_at) "
            "VALUES (?, ?, ?, 'sending', 1, ?) ON CONFLICT (key, target) DO UPDATE SET "
            "unsure = forwards.unsure + (forwards.status = 'sending'), status = 'sending', "
            "attempts = forwards.attempts + 1, updated_at = excluded.updated_at",
            (key, target, message_id, _stamp()))
        row = self.forward(key, target)
        assert row is not None
        return int(row["attempts"])

    def sent(self, key: str, target: str, at: dt.datetime) -> None:
        self.conn.execute(
            "UPDATE forwards SET status = 'sent', error = '', updated_at = ?, sent_at = ? "
            "WHERE key = ? AND target = ?", (_stamp(), at.isoformat(), key, target))

    def failed(self, key: str, target: str, error: str, *, unsure: bool) -> None:
        """Surely not sent (retried next run), or maybe sent (stays «sending»: counted)."""
        status = "sending" if unsure else "failed"
        self.conn.execute(
            "UPDATE forwards SET status = ?, error = ?, updated_at = ? WHERE key = ? AND "
            "target = ?", (status, error, _stamp(), key, target))


def may_have_been_sent(row: sqlite3.Row) -> int:
    """How many hand-overs of a forwarding e-mail may have delivered it."""
    return int(row["unsure"]) + (row["status"] == "sending")


@contextlib.contextmanager
def exclusive(ledger: Path) -> Iterator[None]:
    """Hold the intake run lock (released by the OS even if the process dies)."""
    lock_path = ledger.with_name(ledger.name + ".lock")
    private_dir(lock_path.parent)
    if not lock_path.exists():
        os.close(os.open(lock_path, os.O_CREAT | os.O_WRONLY, PRIVATE_FILE))
    lock = sqlite3.connect(lock_path, timeout=0, isolation_level=None)
    try:
        lock.execute("BEGIN EXCLUSIVE")
    except sqlite3.OperationalError:
        lock.close()
        raise IntakeBusy("прием заявок уже выполняется другим запуском; повторите позже") \
            from None
    try:
        yield
    finally:
        lock.execute("ROLLBACK")
        lock.close()


def forwarding_figures(ledger: IntakeLedger, month: object) -> dict[str, dict[str, int]]:
    """Cl. 2.3 figures of the applications submitted in a month, per body and «*» in total.

    `month` is «ГГГГ-ММ» or anything with such a `key` (stats' `Month`). Per body: received
    (placed to it), reached (registered or forwarded), late (reached after the deadline);
    in total also unrouted and broken.
    """
    key = str(getattr(month, "key", month))
    figures: dict[str, dict[str, int]] = {}
    total = figures.setdefault("*", {"received": 0, "reached": 0, "late": 0, "unrouted": 0,
                                     "broken": 0, "pending": 0})
    for record in ledger.records():
        if record.submitted_at is None or f"{record.submitted_at:%Y-%m}" != key:
            continue
        total["received"] += 1
        if record.state in ("unrouted", "broken", "pending"):
            total[record.state] += 1
        if not record.body or record.state in ("unrouted", "broken"):
            continue
        mine = figures.setdefault(record.body, {"received": 0, "reached": 0, "late": 0})
        mine["received"] += 1
        reached = record.state in FINAL
        late = reached and record.late
        for table in (mine, total):
            table["reached"] += reached
            table["late"] += late
    return figures
