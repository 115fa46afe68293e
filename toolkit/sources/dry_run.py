"""A journal source for dry runs: it reads as usual and only pretends to write."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from toolkit.journal.model import CellChange, JournalSource, SheetGrid, SheetTable, WriteResult


class DryRunSource:
    """Wraps a source: reads go through, writes are reported as done and change nothing
    (no `append` either, so rows a dry run would add are planned as cells)."""

    def __init__(self, inner: JournalSource) -> None:
        self.inner = inner
        self.location = inner.location

    def sheet_titles(self) -> list[str]:
        return self.inner.sheet_titles()

    def read(self, titles: Sequence[str]) -> Iterable[SheetTable | SheetGrid]:
        return self.inner.read(titles)

    def write(self, changes: Sequence[CellChange]) -> WriteResult:
        return WriteResult(written=list(changes))
