"""Which letters exist: one SQLite row per letter file, current or superseded (made once), and
which print batch each went into.

A letter is batched by recording the batch file's path before the batch is written: a letter
whose batch file does not exist (never written, or the run was killed) is not batched yet, and
the next run puts it into its batch. A ledger made by an older version gets the new columns
(`batched`, `sheet`) on opening; its letters count as batched, as they were when made.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from toolkit.journal.state import columns_of, connect

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
PENDING = "pending:"  # a `batched` value: the batch file named after it is being written
# Columns added after the first release: (name, declaration, value for rows made before).
MIGRATIONS = (
    # The print batch the letter went into ('' for letters made before batches were recorded).
    ("batched", "TEXT", "''"),
    # The sheet of the row: a body renamed in the settings still finds its letters by it.
    ("sheet", "TEXT", "NULL"),
)


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
        self._migrate()

    def _migrate(self) -> None:
        have = columns_of(self.conn, "letters")
        missing = [m for m in MIGRATIONS if m[0] not in have]
        if not missing:
            return
        with self.conn:
            for name, declaration, before in missing:
                self.conn.execute(f"ALTER TABLE letters ADD COLUMN {name} {declaration}")
                self.conn.execute(f"UPDATE letters SET {name} = {before}")

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

    def current(self, key: tuple[str, str, int], sheet: str | None = None) -> LedgerEntry | None:
        """The letter in force for a decision. With `sheet`, a letter recorded under another
        body name for the same sheet (the body was renamed or configured since) is found too,
        and its entries take the body's present name."""
        row = self.conn.execute(
            "SELECT * FROM letters WHERE journal = ? AND body = ? AND number = ? "
            "AND current = 1 ORDER BY version DESC LIMIT 1", key).fetchone()
        if row is None and sheet is not None:
            journal, body, number = key
            row = self.conn.execute(
                "SELECT * FROM letters WHERE journal = ? AND number = ? AND current = 1 "
                "AND (sheet = ? OR (sheet IS NULL AND body = ?)) "
                "ORDER BY version DESC LIMIT 1", (journal, number, sheet, sheet)).fetchone()
            if row is not None:
                with self.conn:
                    self.conn.execute(
                        "UPDATE letters SET body = ?, sheet = ? WHERE journal = ? AND body = ? "
                        "AND number = ?", (body, sheet, journal, row["body"], number))
                row = self.conn.execute(
                    "SELECT * FROM letters WHERE journal = ? AND body = ? AND number = ? "
                    "AND current = 1 ORDER BY version DESC LIMIT 1", key).fetchone()
        return _entry(row) if row else None

    def owner(self, path: Path) -> tuple[str, str, int] | None:
        """The decision whose letter (current or superseded) is this file, if any."""
        row = self.conn.execute("SELECT journal, body, number FROM letters WHERE path = ? "
                                "LIMIT 1", (_abs(path),)).fetchone()
        return (row[0], row[1], int(row[2])) if row else None

    def unbatched(self, journal: str, folder: Path) -> list[LedgerEntry]:
        """Letters in force of a journal, under `folder`, that no batch holds: made by a run
        killed before its batch was written. A batch that was written but not yet confirmed
        (killed right after writing it) is confirmed here instead."""
        rows = self.conn.execute(
            "SELECT * FROM letters WHERE journal = ? AND current = 1 AND "
            "(batched IS NULL OR batched LIKE ?) ORDER BY made_on, body, number",
            (journal, PENDING + "%")).fetchall()
        out = []
        for row in rows:
            pending = row["batched"]
            if pending and Path(pending[len(PENDING):]).is_file():
                self.confirm_batch(Path(pending[len(PENDING):]))
                continue
            path = Path(row["path"])
            if path.is_file() and path.is_relative_to(folder.absolute()):
                out.append(_entry(row))
        return out

    def mark_batched(self, paths: list[Path], batch: Path) -> None:
        """Record that these letters go into `batch`, before the batch file is written."""
        with self.conn:
            self.conn.executemany("UPDATE letters SET batched = ? WHERE path = ?",
                                  [(PENDING + _abs(batch), _abs(p)) for p in paths])

    def confirm_batch(self, batch: Path) -> None:
        """The batch file is written: its letters are batched for good (even if the file is
        later moved or deleted after printing)."""
        with self.conn:
            self.conn.execute("UPDATE letters SET batched = ? WHERE batched = ?",
                              (_abs(batch), PENDING + _abs(batch)))

    def next_version(self, key: tuple[str, str, int]) -> int:
        row = self.conn.execute(
            "SELECT MAX(version) FROM letters WHERE journal = ? AND body = ? AND number = ?",
            key).fetchone()
        return int(row[0] or 0) + 1

    def taken(self, path: Path, key: tuple[str, str, int]) -> bool:
        """Whether another decision's letter has this file name."""
        row = self.conn.execute(
            "SELECT 1 FROM letters WHERE path = ? AND NOT "
            "(journal = ? AND body = ? AND number = ?) LIMIT 1", (_abs(path), *key)).fetchone()
        return row is not None

    def supersede(self, entry: LedgerEntry, moved_to: Path) -> None:
        with self.conn:
            self.conn.execute(
                "UPDATE letters SET current = 0, path = ? "
                "WHERE journal = ? AND body = ? AND number = ? AND version = ?",
                (_abs(moved_to), *entry.key, entry.version))

    def add(self, entry: LedgerEntry, sheet: str | None = None, batched: str | None = None
            ) -> None:
        """Record a letter in force; `batched` '' for a letter adopted from an earlier run."""
        with self.conn:
            self.conn.execute(
                "UPDATE letters SET current = 0 WHERE journal = ? AND body = ? AND number = ?",
                entry.key)
            self.conn.execute(
                "INSERT OR REPLACE INTO letters "
                "(journal, body, number, version, digest, path, made_on, current, sheet, "
                "batched) VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, ?)",
                (*entry.key, entry.version, entry.digest, _abs(entry.path),
                 entry.made_on.isoformat(), sheet, batched))


def _abs(path: Path) -> str:
    """Paths are kept absolute: the next run may start in another folder (the scheduler's)."""
    return str(Path(path).absolute())


def _entry(row: sqlite3.Row) -> LedgerEntry:
    return LedgerEntry(row["journal"], row["body"], int(row["number"]), int(row["version"]),
                       row["digest"], Path(row["path"]), dt.date.fromisoformat(row["made_on"]))
