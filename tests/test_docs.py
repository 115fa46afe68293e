"""README.md stays true: its reference tables come from the code, its commands run."""

from __future__ import annotations

import re
from pathlib import Path

from toolkit.journal import docs
from toolkit.journal.findings import CATALOGUE
from toolkit.journal.schema import COLUMNS

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_generated_blocks_are_current() -> None:
    assert docs.render(README) == README, "run: python -m toolkit.journal.docs README.md"
    settings = (ROOT / "docs" / "settings.md").read_text(encoding="utf-8")
    assert docs.render(settings) == settings, \
        "run: python -m toolkit.journal.docs docs/settings.md"


def test_every_code_and_column_is_documented() -> None:
    for code in CATALOGUE:
        assert f"| `{code.code}` | {code.clause} |" in README
    for column in COLUMNS:
        assert f"| {column.letter} |" in README and column.heading in README


def test_ci_runs_the_readme_test_command() -> None:
    blocks = re.findall(r"```sh\n(.*?)\n```", README, re.DOTALL)
    test_command = next(b for b in blocks if "pytest" in b)
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert test_command.strip() in ci
