"""The fault suite of `benchmarks/faults.py` in bounded time, run by CI apart from the rest:

    python -m pytest -q -m faults        # 30 trials a scenario, seed 77 (VKS_FAULT_TRIALS/SEED)

Real processes are killed with SIGKILL at random (seeded) moments of `check --write`,
`letters`, `send` and `run daily`; a person's save races a write; a small tmpfs fills up (as
root; otherwise RLIMIT_FSIZE). Every count of what was lost, duplicated or left stuck must be
zero; the table is printed at the end of the session.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

import faults

pytestmark = pytest.mark.faults
TRIALS = int(os.environ.get("VKS_FAULT_TRIALS", "30"))
SEED = int(os.environ.get("VKS_FAULT_SEED", "77"))
TALLIES = pytest.StashKey[list]()


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[faults.World]:
    made = faults.make_world(tmp_path_factory.mktemp("faults"), SEED,
                             workers=min(2, os.cpu_count() or 1))
    try:
        yield made
    finally:
        made.close()


@pytest.mark.parametrize("scenario", list(faults.SCENARIOS))
def test_nothing_lost_duplicated_or_stuck(world: faults.World, scenario: str,
                                          request: pytest.FixtureRequest) -> None:
    started = time.perf_counter()
    tally = faults.SCENARIOS[scenario](world, TRIALS)
    tally.seconds = time.perf_counter() - started
    request.config.stash.setdefault(TALLIES, []).append(tally)
    assert tally.trials == TRIALS
    assert tally.clean, "\n" + faults.table([tally])
