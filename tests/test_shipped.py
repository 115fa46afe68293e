"""The files shipped with the program reach the installed package (`pip install .`)."""

from __future__ import annotations

import subprocess
import tomllib
from pathlib import Path

import pytest

from toolkit.jobs.declarations import SHIPPED_JOBS, load_jobs
from toolkit.journal import shipped as shipped_module
from toolkit.journal.shipped import shipped

ROOT = Path(__file__).resolve().parents[1]


def _tracked(folder: str) -> set[str]:
    out = subprocess.run(["git", "-c", "core.quotePath=false", "ls-files", folder], cwd=ROOT,
                         capture_output=True, text=True, check=True).stdout
    return {Path(line).name for line in out.splitlines()}


@pytest.mark.parametrize("folder", ["jobs", "doc_templates"])
def test_package_data_carries_every_shipped_file(folder: str) -> None:
    # What setuptools puts in the wheel: the package-data patterns of `toolkit`, globbed there.
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["toolkit"]
    packaged = {p.name for pattern in patterns for p in (ROOT / "toolkit").glob(pattern)
                if p.is_file() and p.parent.name == folder}
    assert _tracked(folder) and packaged == _tracked(folder)
    assert shipped(folder) == (ROOT / folder).resolve()


def test_without_the_link_the_repository_folder_is_used(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    # A checkout without symbolic links (Windows): toolkit/data/jobs is a small text file.
    package = tmp_path / "toolkit"
    (package / "data").mkdir(parents=True)
    (package / "data" / "jobs").write_text("../../jobs", encoding="utf-8")
    monkeypatch.setattr(shipped_module, "PACKAGE", package)
    assert shipped("jobs") == tmp_path / "jobs"


def test_the_shipped_jobs_load() -> None:
    assert set(load_jobs(SHIPPED_JOBS)) == {"daily", "intake", "midday", "monthly", "recordings",
                                           "replies"}
