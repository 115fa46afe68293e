"""Which letters exist: one SQLite row per letter file, current or superseded (made once)."""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from toolkit.journal.state import connect

LEDGER_NAME = "letters.sqlite"
LEDGER_SCHEMA = """
CREATE TABLE IF NOT EXISTS letters (
    journal TEXT NOT NULL,          -- the journal location (absolute path or gsheet:key)
    body TEXT NOT NULL,             -- the body's name
    number INTEGER NOT NULL,        -- № п/п of the row (graph 1)
    version INTEGER NOT NULL,       -- 1, 2, … as the row's data changed
    digest TEXT NOT NULL,           -- sha256 of the journal values the letter was made from
    path TEXT NOT NULL,             -- where the letter file is
    made_on TEXT NOT NULL,          -- ISO date of the run that made it
    current INTEGER NOT NULL,       -- 1 for the letter in force, 0 for superseded versions
    PRIMARY KEY (journal, body, number, version)
);
CREATE INDEX IF NOT EXISTS letters_path ON letters (path);
"""


@dataclass(frozen=True)
class LedgerEntry:
    journal: str
    body: str
    number: int
    version: int
    digest: str
    path: Path
    made_on: dt.date

    @property
    def key(self) -> tuple[str, str, int]:
        return self.journal, self.body, self.number


class Ledger:
    """Which letters exist: one row per letter file, current or superseded.

    A row is keyed by journal, body and № п/п: journals are often kept a year per file with
    numbering from 1, so the same body and number in two journals are two decisions.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.conn = connect(path, LEDGER_SCHEMA)

    def close(self) -> None:
        self.conn.close()

    def reconcile(self) -> int:
        """Drop entries whose file is gone (deleted by hand, or a run killed mid-way)."""
        gone = [
            (r["journal"], r["body"], r["number"], r["version"])
            for r in self.conn.execute("SELECT journal, body, number, version, path FROM letters")
            if not Path(r["path"]).is_file()
        ]
        with self.conn:
            self.conn.executemany(
                "DELETE FROM letters WHERE journal = ? AND body = ? AND number = ? "
                "AND version = ?", gone)
        return len(gone)

    def current(self, key: tuple[str, str, int]) -> LedgerEntry | None:
        row = self.conn.execute(
            "SELECT * FROM letters WHERE journal = ? AND body = ? AND number = ? "
            "AND current = 1 ORDER BY version DESC LIMIT 1", key).fetchone()
        return _entry(row) if row else None

    def next_version(self, key: tuple[str, str, int]) -> int:
        row = self.conn.execute(
            "SELECT MAX(version) FROM letters WHERE journal = ? AND body = ? AND number = ?",
            key).fetchone()
        return int(row[0] or 0) + 1

    def taken(self, path: Path, key: tuple[str, str, int]) -> bool:
        """Whether another decision's letter has this file name."""
        row = self.conn.execute(
            "SELECT 1 FROM letters WHERE path = ? AND NOT "
            "(journal = ? AND body = ? AND number = ?) LIMIT 1", (str(path), *key)).fetchone()
        return row is not None

    def supersede(self, entry: LedgerEntry, moved_to: Path) -> None:
        with self.conn:
            self.conn.execute(
                "UPDATE letters SET current = 0, path = ? "
                "WHERE journal = ? AND body = ? AND number = ? AND version = ?",
                (str(moved_to), *entry.key, entry.version))

    def add(self, entry: LedgerEntry) -> None:
        with self.conn:
            self.conn.execute(
                "UPDATE letters SET current = 0 WHERE journal = ? AND body = ? AND number = ?",
                entry.key)
            self.conn.execute(
                "INSERT OR REPLACE INTO letters "
                "(journal, body, number, version, digest, path, made_on, current) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, 1)",
                (*entry.key, entry.version, entry.digest, str(entry.path),
                 entry.made_on.isoformat()))


def _entry(row: sqlite3.Row) -> LedgerEntry:
    return LedgerEntry(row["journal"], row["body"], int(row["number"]), int(row["version"]),
                       row["digest"], Path(row["path"]), dt.date.fromisoformat(row["made_on"]))
