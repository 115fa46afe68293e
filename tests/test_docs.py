"""The docs stay true: reference tables come from the code, links and pictures resolve, the
README's commands run in CI, the JSON examples have the fields the program writes."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from toolkit.journal import docs
from toolkit.journal.findings import CATALOGUE
from toolkit.journal.schema import COLUMNS

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
README = (ROOT / "README.md").read_text(encoding="utf-8")
GUIDES = ("specialist.md", "clerk.md", "manager.md", "admin.md")
REFERENCE = ("commands.md", "settings.md", "findings.md", "journal.md", "formats.md")


def read(name: str) -> str:
    return (DOCS / name).read_text(encoding="utf-8")


@pytest.mark.parametrize("name", ["journal.md", "findings.md", "settings.md"])
def test_generated_blocks_are_current(name: str) -> None:
    text = read(name)
    assert "<!-- BEGIN " in text
    assert docs.render(text) == text, f"run: python -m toolkit.journal.docs docs/{name}"


def test_every_code_and_column_is_documented() -> None:
    findings, journal = read("findings.md"), read("journal.md")
    for code in CATALOGUE:
        assert f"| `{code.code}` | {code.clause} |" in findings
    for column in COLUMNS:
        assert f"| {column.letter} |" in journal and column.heading in journal


def test_ci_runs_the_readme_test_command() -> None:
    blocks = re.findall(r"```sh\n(.*?)\n```", README, re.DOTALL)
    test_command = next(b for b in blocks if "pytest" in b)
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert test_command.strip() in ci


def test_the_readme_is_short_and_leads_to_every_guide_and_reference() -> None:
    assert len(README.splitlines()) < 120
    for name in (*GUIDES, *REFERENCE):
        assert f"(docs/{name})" in README, name


def slug(heading: str) -> str:
    """The anchor GitHub gives a heading."""
    text = heading.strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    text = re.sub(r"```.*?```", "", path.read_text(encoding="utf-8"), flags=re.DOTALL)
    return {slug(m) for m in re.findall(r"^#+ (.*)$", text, re.MULTILINE)}


@pytest.mark.parametrize("path", [ROOT / "README.md", *sorted(DOCS.glob("*.md"))],
                         ids=lambda p: p.name)
def test_links_and_pictures_resolve(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    for target in re.findall(r"\]\(([^)\s]+)\)", text):
        if re.match(r"[a-z]+://", target):
            continue
        file, _, anchor = target.partition("#")
        resolved = (path.parent / file) if file else path
        assert resolved.exists(), f"{path.name}: {target}"
        if anchor:
            assert anchor in anchors(resolved), f"{path.name}: {target}"


def test_every_picture_is_shown_and_small() -> None:
    shown = "".join(read(name) for name in GUIDES)
    pictures = sorted((DOCS / "pictures").glob("*.png"))
    assert pictures
    for picture in pictures:
        assert f"(pictures/{picture.name})" in shown, picture.name
        assert picture.stat().st_size < 200 * 1024, picture.name


def test_the_check_json_example_has_the_fields_the_program_writes(demo) -> None:  # type: ignore[no-untyped-def]
    from click.testing import CliRunner

    from toolkit.cli import cli

    path, _ = demo
    result = CliRunner().invoke(cli, ["check", str(path), "--format", "json",
                                      "--today", "2026-11-27"])
    written = json.loads(result.stdout)
    example = re.search(r"```json\n(.*?)```", read("formats.md"), re.DOTALL)
    assert example is not None
    shown = json.loads(example.group(1))
    assert set(shown) == set(written)
    assert set(shown["findings"][0]) == set(written["findings"][0])
    assert set(shown["journals"][0]) == set(written["journals"][0])
    assert set(shown["stats"]) == set(written["stats"])


def test_the_formats_name_every_top_level_field(october, demo) -> None:  # type: ignore[no-untyped-def]
    from click.testing import CliRunner

    from toolkit.cli import cli
    from toolkit.jobs.declarations import SHIPPED_JOBS
    from toolkit.stats.report import render_json

    text = read("formats.md")
    assert "`format`" in text[:text.index("## ")]  # said once for all three
    stats_part = text[text.index("## `vks-stats/1`"):text.index("## `vks-status/1`")]
    for key in set(json.loads(render_json(october))) - {"format"}:
        assert f"`{key}`" in stats_part, key
    path, _ = demo
    result = CliRunner().invoke(cli, ["status", "--journal", str(path), "--jobs",
                                      str(SHIPPED_JOBS), "--format", "json",
                                      "--today", "2026-11-27"])
    status_part = text[text.index("## `vks-status/1`"):]
    for key in set(json.loads(result.stdout)) - {"format"}:
        assert f"`{key}`" in status_part, key
