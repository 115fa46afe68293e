"""`vks notify` killed with SIGKILL at random moments: no notice lost, none sent more than twice.

Each seeded trial starts `python -m toolkit notify` in a subprocess against a real SMTP server
(aiosmtpd in this process) that answers DATA a little late, so a kill often falls between the
end of a message and the server's answer — the «maybe sent» window. The kill comes while the
program starts, right after the n-th message reached the server, or while it writes the journal;
odd seeds kill two runs in a row. Then a run goes to the end, and another finds nothing to do.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from notify_fixtures import SHEET, appointed, write
from smtp_server import SlowInbox, free_port

from toolkit.correspondence.reference import parse_message_id
from toolkit.journal.config import load_config
from toolkit.journal.read import read_journals
from toolkit.sources.open import open_source

ROOT = Path(__file__).resolve().parent.parent
ROWS = 6
TODAY = "2026-11-27 10:00"


def settings(tmp: Path, port: int) -> Path:
    path = tmp / "vks.toml"
    path.write_text(f"""state_dir = "состояние"

[mail]
host = "127.0.0.1"
port = {port}
security = "none"
sender = "vks@mszn42.ru"
timeout = 10

[[bodies]]
name = "Министерство социальной защиты населения Кузбасса"
sheet = "{SHEET}"
email = "priem@mszn42.ru"
""", encoding="utf-8")
    return path


def command(config: Path, journal: Path) -> list[str]:
    return [sys.executable, "-m", "toolkit", "-c", str(config), "notify", str(journal),
            "--today", TODAY]


def environment() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT)}


def kill_run(config: Path, journal: Path, inbox: SlowInbox, rnd: random.Random) -> None:
    """Start a run and SIGKILL it at a random moment of its work."""
    before = len(inbox.messages)
    target = rnd.randint(-1, ROWS)  # -1: while starting; ROWS: after the last message
    process = subprocess.Popen(command(config, journal), env=environment(),
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        if target < 0:
            time.sleep(rnd.uniform(0.0, 0.8))
        else:
            deadline = time.monotonic() + 30
            while len(inbox.messages) < before + target and process.poll() is None \
                    and time.monotonic() < deadline:
                time.sleep(0.002)
            time.sleep(rnd.uniform(0.0, 0.08))  # inside the server's late answer, or after
    finally:
        if process.poll() is None:
            os.kill(process.pid, signal.SIGKILL)
        process.wait()


@pytest.mark.parametrize("seed", range(10))
def test_a_killed_run_loses_nothing_and_sends_at_most_one_duplicate(seed: int,
                                                                   tmp_path: Path) -> None:
    rnd = random.Random(seed)
    inbox = SlowInbox(delay=0.06)
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        journal = write(tmp_path / "журнал.xlsx", [appointed(n) for n in range(1, ROWS + 1)])
        config = settings(tmp_path, port)
        for _ in range(1 + seed % 2):
            kill_run(config, journal, inbox, rnd)
        done = subprocess.run(command(config, journal), env=environment(), capture_output=True,
                              text=True, timeout=120, check=False)
        assert done.returncode == 0, done.stdout + done.stderr
        again = subprocess.run(command(config, journal), env=environment(),
                               capture_output=True, text=True, timeout=120, check=False)
        assert again.returncode == 0 and "отправлено 0 писем" in again.stdout, again.stdout
    finally:
        controller.stop()
    ids = Counter(str(msg["Message-ID"]) for _, msg in inbox.messages)
    rows = Counter()
    for message_id, times in ids.items():
        notice = parse_message_id(message_id)
        assert notice is not None and notice.revision == 1
        rows[notice.reference.number] += times
    assert sorted(rows) == list(range(1, ROWS + 1))  # nothing lost
    assert all(times <= 2 for times in rows.values()), rows  # a duplicate at most, same ID
    assert len(ids) == ROWS
    cfg = load_config(config)
    [sheet] = read_journals(open_source(str(journal), cfg), cfg)
    assert all(a.notice_sent is not None for a in sheet.applications)
