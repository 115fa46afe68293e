"""Print batches: one per body, a summary page first, then the body's new letters.

    for sheet, made in by_sheet(result.made).items():
        batch = make_batch(made, out_dir, clock)   # пакет-Министерство-2026-11-27-0930.docx

The summary page (`letters.summary`) is composed in front of the letters through
`render.compose_batch`, so the batch's composition stays in one place.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from toolkit.journal.clock import Clock
from toolkit.journal.files import scratch_file
from toolkit.letters.files import safe_name
from toolkit.letters.render import compose_batch
from toolkit.letters.summary import BatchEntry, summary_page

if TYPE_CHECKING:
    from toolkit.letters.make import Letter

BATCH_PREFIX = "пакет"


@dataclass(frozen=True)
class Batch:
    """One body's print batch: its summary page, then its new letters; and its PDF."""

    body: str
    sheet: str
    path: Path
    letters: int
    pdf: Path | None = None


def by_sheet(made: Sequence[Letter]) -> dict[str, list[Letter]]:
    """The letters made, per body's sheet, in the order they were made."""
    groups: dict[str, list[Letter]] = {}
    for letter in made:
        groups.setdefault(letter.sheet, []).append(letter)
    return groups


def make_batch(made: Sequence[Letter], out_dir: Path, clock: Clock,
               target: Path | None = None) -> Batch:
    """A body's batch: the summary page composed in front of its letters."""
    first = made[0]
    target = target or batch_path(out_dir, clock, first.sheet)
    entries = [BatchEntry(m.number, m.citizen, m.decided, m.row, m.version) for m in made]
    page = summary_page(first.path, first.body, first.sheet, entries, clock.today)
    # The summary names citizens: a run killed here leaves nothing a later run does not sweep.
    with scratch_file(out_dir, "опись") as summary:
        summary.write_bytes(page)
        compose_batch([summary, *(m.path for m in made)], target)
    return Batch(first.body, first.sheet, target, len(made))


def batch_path(out_dir: Path, clock: Clock, sheet: str) -> Path:
    """«пакет-Министерство-2026-11-27-0930.docx»: the body, the day and time of the run."""
    stem = f"{BATCH_PREFIX}-{safe_name(sheet) or 'орган'}-{clock.now:%Y-%m-%d-%H%M}"
    target = out_dir / f"{stem}.docx"
    n = 1
    while target.exists() or target.with_suffix(".pdf").exists():
        n += 1
        target = out_dir / f"{stem}-{n}.docx"
    return target
