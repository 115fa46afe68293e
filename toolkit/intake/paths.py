"""Where intake keeps its state for a journal: the ledger beside it (in its state directory)."""

from __future__ import annotations

from pathlib import Path

from toolkit.journal.config import Config
from toolkit.journal.locations import state_dir

LEDGER_NAME = "intake.sqlite"  # the intake ledger, in the journal's state directory


def ledger_path(config: Config, location: str) -> Path:
    """The intake ledger beside a journal (its state directory)."""
    return state_dir(config, location) / LEDGER_NAME
