"""The toolkit's own records (letters made, mail sent, job runs) in SQLite files.

Each ledger is one SQLite file in the state directory (by default `.vks/` beside the journal,
or `state_dir` in the config). Files and the folder are private to the user; WAL mode and a busy
timeout let a scheduled job and a person's command share a ledger safely. An error of SQLite
(a full disk, a read-only file) carries the ledger's path (`vks_path`), so the message a person
reads names the file (`errors.describe_error`).
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Any

from toolkit.journal.files import PRIVATE_FILE, private_dir


class LedgerConnection(sqlite3.Connection):
    """A connection whose errors name the ledger file they happened in."""

    vks_path: Path | None = None

    def _named(self, exc: sqlite3.Error) -> sqlite3.Error:
        if getattr(exc, "vks_path", None) is None:
            exc.vks_path = self.vks_path  # type: ignore[attr-defined]
        return exc

    def execute(self, *args: Any, **kwargs: Any) -> sqlite3.Cursor:
        try:
            return super().execute(*args, **kwargs)
        except sqlite3.Error as exc:
            raise self._named(exc) from None

    def executemany(self, *args: Any, **kwargs: Any) -> sqlite3.Cursor:
        try:
            return super().executemany(*args, **kwargs)
        except sqlite3.Error as exc:
            raise self._named(exc) from None

    def executescript(self, *args: Any, **kwargs: Any) -> sqlite3.Cursor:
        try:
            return super().executescript(*args, **kwargs)
        except sqlite3.Error as exc:
            raise self._named(exc) from None

    def commit(self) -> None:
        try:
            super().commit()
        except sqlite3.Error as exc:
            raise self._named(exc) from None

    def __exit__(self, *args: Any) -> Any:
        try:
            return super().__exit__(*args)
        except sqlite3.Error as exc:
            raise self._named(exc) from None


def connect(path: Path, schema: str = "") -> sqlite3.Connection:
    """Open (creating if needed) a private SQLite ledger and apply its idempotent `schema`."""
    private_dir(path.parent)
    if not path.exists():
        fd = os.open(path, os.O_CREAT | os.O_WRONLY, PRIVATE_FILE)
        os.close(fd)
    try:
        conn = sqlite3.connect(path, timeout=30, isolation_level=None, factory=LedgerConnection)
    except sqlite3.Error as exc:
        exc.vks_path = path  # type: ignore[attr-defined]
        raise
    assert isinstance(conn, LedgerConnection)
    conn.vks_path = path
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("PRAGMA foreign_keys=ON")
    if schema:
        conn.executescript(schema)
    return conn


def columns_of(conn: sqlite3.Connection, table: str) -> set[str]:
    """The column names a table has now (for migrations of ledgers made by older versions)."""
    return {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}
