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
be matched to the journal row it was registered in. The forwarding e-mails are in the same file,
in the toolkit's outbox ledger (`toolkit.mail.outbox`, kind «forward», key = the submission,
period = the target).
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

from toolkit.journal.errors import ToolkitError
from toolkit.journal.state import connect
from toolkit.mail.outbox import Ident, Outbox
from toolkit.mail.outbox import exclusive as outbox_exclusive

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
        self.outbox = Outbox(path)

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
        self.outbox.close()
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
        """The outbox's row of the forwarding e-mail of a submission to a target."""
        return self.outbox.get(forward_ident(key, target))


def forward_ident(key: str, target: str) -> Ident:
    """The outbox's name of the forwarding e-mail of submission `key` to `target`."""
    return ("forward", key, target)


@contextlib.contextmanager
def exclusive(ledger: Path) -> Iterator[None]:
    """Hold the intake run lock (released by the OS even if the process dies)."""
    with outbox_exclusive(ledger, IntakeBusy,
                          "прием заявок уже выполняется другим запуском; повторите позже"):
        yield


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
