"""Dump what `vks check` finds and plans on the demo journal at several dates, as golden JSON.

    python benchmarks/golden_check.py [--out tests/data/golden]

The golden files in tests/data/golden were made by the row-by-row engine (commit 9ec87c6, the
start of the columnar rewrite) and are what tests/test_golden.py compares the engine against.
Regenerate them only when a change of findings is intended:

    git checkout 9ec87c6 -- toolkit && python benchmarks/golden_check.py
    git checkout HEAD -- toolkit
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import shutil
import tempfile
from pathlib import Path
from typing import Any

MADE = dt.date(2026, 11, 27)  # the day the demo journal is made for
DATES = (dt.date(2026, 11, 27), dt.date(2026, 11, 30), dt.date(2026, 12, 14),
         dt.date(2027, 2, 1), dt.date(2028, 12, 20))
ROWS, SEED = 150, 11  # per body, four bodies
FIELDS = ("code", "clause", "severity", "body", "sheet", "row", "cell", "due", "message")


def demo(folder: Path) -> Path:
    from toolkit.sources.demo import make_demo

    path = folder / "демо.xlsx"
    make_demo(path, rows=ROWS, seed=SEED, today=MADE)
    return path


def snapshot(path: Path, today: dt.date, folder: Path) -> dict[str, Any]:
    """Findings of a plain check, and findings and written cells of a check --write."""
    from toolkit.journal.config import Config
    from toolkit.sources.open import check

    plain = check(str(path), Config(), today)
    copy = folder / f"запись-{today}.xlsx"
    shutil.copyfile(path, copy)
    written = check(str(copy), Config(), today, write=True)
    return {
        "today": today.isoformat(),
        "findings": plain.flatten(FIELDS),
        "write_findings": written.flatten(FIELDS),
        "changes": [[c.sheet, c.cell, c.old, c.new, c.reason] for c in written.changes],
        "skipped": [[c.sheet, c.cell, why] for c, why in written.skipped],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=Path("tests/data/golden"))
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        path = demo(folder)
        for today in DATES:
            data = snapshot(path, today, folder)
            target = args.out / f"demo-{today}.json"
            target.write_text(json.dumps(data, ensure_ascii=False, indent=0) + "\n",
                              encoding="utf-8")
            print(target, len(data["findings"]), "findings", len(data["changes"]), "changes")


if __name__ == "__main__":
    main()
