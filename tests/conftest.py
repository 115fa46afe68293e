"""Shared fixtures: real demo journals written to a temporary folder."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from imap_fixtures import dovecot, dovecot_shared, imap_account  # noqa: F401  (real Dovecot)

from toolkit.journal.config import Config
from toolkit.sources.demo import Manifest, make_demo

TODAY = dt.date(2026, 11, 27)  # a Friday: the next working day is Monday 30.11.2026


@pytest.fixture(scope="session")
def _demo_master(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Manifest]:
    path = tmp_path_factory.mktemp("demo") / "демо.xlsx"
    manifest = make_demo(path, rows=60, seed=7, today=TODAY)
    return path, manifest


@pytest.fixture
def demo(tmp_path: Path, _demo_master: tuple[Path, Manifest]) -> tuple[Path, Manifest]:
    """A fresh copy of the demo journal (made for TODAY) and its answer key."""
    master, manifest = _demo_master
    path = tmp_path / master.name
    shutil.copyfile(master, path)
    return path, manifest


@pytest.fixture
def smtp():  # type: ignore[no-untyped-def]
    """A real SMTP server on loopback; `.inbox.messages` holds what it received."""
    from smtp_server import start_server

    running = start_server()
    yield running
    running.stop()


@pytest.fixture
def fixture_path(tmp_path: Path) -> Path:
    """The hand-counted statistics journal (see stats_fixtures.py)."""
    from stats_fixtures import write_fixture

    return write_fixture(tmp_path / "журнал.xlsx")


@pytest.fixture
def october(fixture_path: Path):  # type: ignore[no-untyped-def]
    """Its statistics for October 2026, as of the fixture's TODAY."""
    from stats_fixtures import OCTOBER, TODAY

    from toolkit.journal.clock import Clock
    from toolkit.stats.monthly import stats_for

    return stats_for([str(fixture_path)], Config(), OCTOBER, Clock.at(TODAY))


@pytest.fixture
def config() -> Config:
    """No configuration file: bodies are the sheets, default hours and calendar."""
    return Config()


def write_journal(path: Path, sheets: dict[str, list[dict[str, object]]]) -> Path:
    """Write a real journal workbook: per sheet title, rows given as {column key: value}."""
    from toolkit.journal.config import Body
    from toolkit.sources.xlsx import template

    return template.write_journal(
        path, {Body(name=title, sheet=title): rows for title, rows in sheets.items()})


@pytest.fixture
def journal_file(tmp_path: Path):  # type: ignore[no-untyped-def]
    """Factory: journal_file({"Лист": [{"number": 1, …}]}) → path of a real .xlsx journal."""

    def make(sheets: dict[str, list[dict[str, object]]], name: str = "журнал.xlsx") -> Path:
        return write_journal(tmp_path / name, sheets)

    return make


# --- The fault suite (tests/test_faults.py): only with `-m faults` -----------------------------


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Leave the fault suite out of the ordinary run; `-m faults` runs it (minutes, not
    seconds)."""
    if "faults" in (config.getoption("markexpr") or ""):
        return
    kept = [item for item in items if item.get_closest_marker("faults") is None]
    if len(kept) != len(items):
        config.hook.pytest_deselected(items=[i for i in items if i not in kept])
        items[:] = kept


def pytest_terminal_summary(terminalreporter: object, config: pytest.Config) -> None:
    """Print the fault suite's table (what README's reliability section shows)."""
    if "faults" not in (config.getoption("markexpr") or ""):
        return
    from test_faults import TALLIES

    tallies = config.stash.get(TALLIES, [])
    if tallies:
        import faults

        write = terminalreporter.write_line  # type: ignore[attr-defined]
        write("")
        write(f"Отказоустойчивость: испытаний на сценарий {tallies[0].trials}")
        for line in faults.table(tallies).splitlines():
            write(line)
