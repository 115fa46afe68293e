"""The engine finds and plans exactly what the row-by-row engine did (golden files).

The files in tests/data/golden were written by `benchmarks/golden_check.py` from the engine
before the columnar rewrite; see that script for how to regenerate them.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks.golden_check import DATES, demo, snapshot

GOLDEN = Path(__file__).parent / "data" / "golden"


@pytest.fixture(scope="module")
def demo_journal(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return demo(tmp_path_factory.mktemp("golden"))


@pytest.mark.parametrize("today", DATES, ids=str)
def test_same_findings_and_writes_as_golden(demo_journal: Path, tmp_path: Path, today) -> None:  # type: ignore[no-untyped-def]
    expected = json.loads((GOLDEN / f"demo-{today}.json").read_text(encoding="utf-8"))
    got = json.loads(json.dumps(snapshot(demo_journal, today, tmp_path), ensure_ascii=False))
    # Compared without the message text and the control column's wording: both are rendered
    # from the finding (code, cell, due…), and their wording has been improved since.
    assert [f[:-1] for f in got["findings"]] == [f[:-1] for f in expected["findings"]]
    assert [f[:-1] for f in got["write_findings"]] == [f[:-1] for f in expected["write_findings"]]
    assert [without_control_text(c) for c in got["changes"]] == \
        [without_control_text(c) for c in expected["changes"]]
    assert got["skipped"] == expected["skipped"]


def without_control_text(change: list[str]) -> list[str]:
    sheet, cell, old, new, reason = change
    return [sheet, cell, old, "" if reason == "контроль" and new else new, reason]
