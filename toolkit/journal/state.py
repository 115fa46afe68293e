"""The toolkit's own records (letters made, mail sent, job runs) in SQLite files.

Each ledger is one SQLite file in the state directory (by default `.vks/` beside the journal,
or `state_dir` in the config). Files and the folder are private to the user; WAL mode and a busy
timeout let a scheduled job and a person's command share a ledger safely.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from toolkit.journal.files import PRIVATE_FILE, private_dir


def connect(path: Path, schema: str = "") -> sqlite3.Connection:
    """Open (creating if needed) a private SQLite ledger and apply its idempotent `schema`."""
    private_dir(path.parent)
    if not path.exists():
        fd = os.open(path, os.O_CREAT | os.O_WRONLY, PRIVATE_FILE)
        os.close(fd)
    conn = sqlite3.connect(path, timeout=30, isolation_level=None)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("PRAGMA foreign_keys=ON")
    if schema:
        conn.executescript(schema)
    return conn
