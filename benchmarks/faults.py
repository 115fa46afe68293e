"""The fault suite: kill vks at random moments, race a person's edit against a write, fill a
small disk — then count what was lost, duplicated or left stuck. Prints one table.

    python benchmarks/faults.py [--trials 30] [--seed 77] [--only kill-check,...]

Scenarios (each trial on fresh copies; the killed process is a real `python -m toolkit`):

- kill-check: `vks check --write` killed (SIGKILL) at a random moment, then run again;
- kill-letters: `vks letters` killed, then run again;
- kill-send: `vks send` killed while mailing to a real SMTP server on loopback (aiosmtpd),
  then run again until it is done;
- kill-run: `vks run daily` (check --write, letters) killed, then run again: the run ledger
  must hold no run left «running» and the killed run must be recorded as failed;
- race-edit: a person's program saves the journal (read, change a cell, write a temporary file
  and rename it, as Excel does) at a random moment of `vks check --write`;
- full-disk: the journal and the letters folder on a tmpfs of random small size (root and
  `mount`), or, without them, a random RLIMIT_FSIZE for the child; vks must end with exit code
  0, 1, 2 or 3 and a message naming the file, the journal must be whole; then the disk grows
  and the next run completes.

After each trial the journal must hold every cell a person typed (edits lost), each rejection
exactly one letter and each letter exactly one print batch (letters lost or duplicated), each
report at least one and at most two copies (mails lost / duplicated beyond one), no run
«running» (stuck runs), no `*.vks-tmp` file (temporary files left) and no «Внутренняя ошибка»
or message without a path (unclear errors). The tests run it with `pytest -m faults`.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import contextlib
import dataclasses
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from toolkit.journal.config import Config  # noqa: E402
from toolkit.journal.schema import BY_KEY  # noqa: E402
from toolkit.sources.xlsx.source import XlsxSource  # noqa: E402

TODAY = "2026-11-27"
MONTH = "2026-10"
TEMP = ".vks-tmp"
WRITTEN = {BY_KEY[k].index for k in ("control", "letter")}  # what vks writes (graph 7 apart)
OUTCOME = BY_KEY["outcome"].index
NOTE = BY_KEY["note"].index
HEADING = "Решение об отклонении заявки"
BODIES = ("Министерство", "ОСЗН г. Кемерово", "ГЮБ Кузбасса", "ЦСВ")


@dataclasses.dataclass
class Tally:
    """What one scenario found over its trials: every figure but `trials` must be zero."""

    scenario: str
    trials: int = 0
    edits_lost: int = 0
    letters_lost_or_duplicated: int = 0
    mails_lost: int = 0
    mails_duplicated_beyond_one: int = 0
    stuck_runs: int = 0
    temp_files_left: int = 0
    unclear_errors: int = 0
    seconds: float = 0.0

    COLUMNS = ("trials", "edits_lost", "letters_lost_or_duplicated", "mails_lost",
               "mails_duplicated_beyond_one", "stuck_runs", "temp_files_left", "unclear_errors")

    def add(self, other: Tally) -> None:
        for name in self.COLUMNS:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def clean(self) -> bool:
        return all(getattr(self, c) == 0 for c in self.COLUMNS[1:])


HEADINGS = ("сценарий", "испытаний", "потеряно правок", "решений потеряно или повторено",
            "писем потеряно", "писем повторено сверх одного", "зависших запусков",
            "временных файлов осталось", "неясных ошибок", "с")


def table(tallies: Sequence[Tally]) -> str:
    """The Markdown table README's reliability section shows."""
    lines = ["| " + " | ".join(HEADINGS) + " |", "|" + "---|" * len(HEADINGS)]
    for t in tallies:
        values = [f"`{t.scenario}`", *(str(getattr(t, c)) for c in Tally.COLUMNS),
                  f"{t.seconds:.0f}"]
        lines.append("| " + " | ".join(values) + " |")
    return "\n".join(lines)


# --- Processes -------------------------------------------------------------------------------


def _env() -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("VKS_CONFIG", None)
    return env


class Ran:
    """What an in-process run ended with, shaped like a finished process for `unclear`."""

    def __init__(self, returncode: int, stderr: str = "") -> None:
        self.returncode, self.stderr = returncode, stderr


def _in_process(call: Callable[[], object]) -> Ran:
    """A command's library call in this process (the next run after a fault): its exit code
    as the CLI would give it, and the message it would print."""
    from toolkit.journal.errors import ToolkitError, describe_error

    try:
        call()
    except ToolkitError as exc:
        return Ran(exc.exit_code, f"Ошибка: {exc}")
    except Exception as exc:  # what the CLI would show
        described = describe_error(exc)
        return Ran(2, f"Ошибка: {described}" if described else
                   f"Внутренняя ошибка ({type(exc).__name__})")
    return Ran(0)


ZYGOTE = r"""
import json, os, sys
sys.path.insert(0, sys.argv[1])
# Everything a command imports, loaded once: each forked child starts with it done, so a kill
# lands in the command's work rather than in Python's start-up.
import docx, docxcompose, docxtpl, openpyxl, python_calamine  # noqa
import toolkit.jobs.runner, toolkit.letters.make, toolkit.sources.open  # noqa
import toolkit.stats.delivery, toolkit.stats.report, toolkit.stats.xlsx  # noqa
from toolkit.cli import cli
for line in sys.stdin:
    request = json.loads(line)
    if request[0] == "wait":
        _, status = os.waitpid(request[1], 0)
        print(json.dumps(os.waitstatus_to_exitcode(status)), flush=True)
        continue
    cwd, args, limit = request[1], request[2], request[3]
    pid = os.fork()
    if pid == 0:
        if limit is not None:  # a full disk without a small file system: writes fail (EFBIG)
            import resource, signal
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
        os.chdir(cwd)
        null = os.open(os.devnull, os.O_RDWR)
        os.dup2(null, 0)
        os.dup2(null, 1)
        err = os.open("vks-stderr.txt", os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        os.dup2(err, 2)
        try:
            cli.main(args=args, prog_name="vks", standalone_mode=True)
        except SystemExit as exc:
            os._exit(exc.code if isinstance(exc.code, int) else 1)
        os._exit(0)
    print(json.dumps(pid), flush=True)
"""


class Zygote:
    """A process that has imported vks and forks a child per command: real processes to kill,
    without paying Python's start-up and imports (seconds) for each trial."""

    def __init__(self) -> None:
        self.process = subprocess.Popen([sys.executable, "-c", ZYGOTE, str(ROOT)], env=_env(),
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        text=True, bufsize=1)

    def _ask(self, request: list[Any]) -> Any:
        import json

        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(json.dumps(request, ensure_ascii=False) + "\n")
        self.process.stdin.flush()
        return json.loads(self.process.stdout.readline())

    def killed(self, args: Sequence[str], cwd: Path, delay: float,
               limit: int | None = None) -> int:
        """Run `vks ARGS` in a forked child, SIGKILL it after `delay` s; its exit code.
        `limit`: the child's RLIMIT_FSIZE."""
        pid = int(self._ask(["run", str(cwd), list(args), limit]))
        deadline = time.perf_counter() + delay
        while time.perf_counter() < deadline:
            try:  # still running? (a child of the zygote: only it can reap it)
                with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
                    if stat.read().split(") ", 1)[1].startswith("Z"):
                        break
            except OSError:
                break
            time.sleep(0.002)
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, 9)
        return int(self._ask(["wait", pid]))

    def duration(self, args: Sequence[str], cwd: Path) -> float:
        started = time.perf_counter()
        self.run(args, cwd)
        return time.perf_counter() - started

    def run(self, args: Sequence[str], cwd: Path, limit: int | None = None) -> Ran:
        """Run `vks ARGS` in a forked child to its end: exit code and what it printed."""
        log = cwd / "vks-stderr.txt"
        start = log.stat().st_size if log.exists() else 0
        code = self.killed(args, cwd, 600, limit)
        text = log.read_bytes()[start:].decode("utf-8", "replace") if log.exists() else ""
        return Ran(code, text)

    def close(self) -> None:
        if self.process.stdin is not None:
            self.process.stdin.close()
        self.process.wait(timeout=30)


def unclear(done: Any) -> bool:
    """An internal error, a trace, or an error message that names no file."""
    text = done.stderr
    if "Внутренняя ошибка" in text or "Traceback" in text:
        return True
    named = any(token in text for token in ("/", ".xlsx", ".docx", ".sqlite", ".toml"))
    return done.returncode == 2 and "Ошибка:" in text and not named


# --- What the files hold -----------------------------------------------------------------------


def cells(path: Path) -> dict[tuple[str, int, int], str]:
    """Every filled cell of the journal's body sheets as text."""
    from toolkit.journal.cells import text_of

    source = XlsxSource(path)
    out = {}
    for grid in source.read([t for t in source.sheet_titles() if t in BODIES]):
        for r, row in enumerate(grid.rows, start=1):
            for c, value in enumerate(row):
                text = text_of(value)
                if text:
                    out[(grid.title, r, c)] = text
    return out


def edits_lost(original: dict[tuple[str, int, int], str], path: Path) -> int:
    """Cells a person typed that the journal no longer holds (the whole sheet if unreadable)."""
    try:
        now = cells(path)
    except Exception:
        return len(original)
    lost = 0
    for key, text in original.items():
        if key[2] in WRITTEN or (key[2] == OUTCOME and not text):
            continue
        if now.get(key) != text:
            lost += 1
    return lost


def temp_files(folder: Path) -> int:
    left = list(folder.rglob(f"*{TEMP}"))
    for path in left:  # which, so a failure can be understood
        print(f"временный файл остался: {path.relative_to(folder.parent)}", file=sys.stderr)
    return len(left)


def letters_problems(out: Path, ledger: Path, expected: int) -> int:
    """Decisions without exactly one letter in force and one print batch."""
    problems = 0
    numbers: Counter[tuple[str, str]] = Counter()
    for body in (p for p in out.iterdir() if p.is_dir()):
        for letter in body.glob("*.docx"):
            numbers[(body.name, letter.name[:4])] += 1
    problems += sum(n - 1 for n in numbers.values() if n > 1)  # two files for one decision
    problems += abs(expected - len(numbers))
    in_batches = 0
    for batch in out.glob("пакет-*.docx"):
        with zipfile.ZipFile(batch) as package:
            in_batches += package.read("word/document.xml").decode("utf-8").count(HEADING)
    problems += abs(expected - in_batches)  # printed twice, or never
    with sqlite3.connect(ledger) as conn:
        rows = conn.execute("SELECT batched FROM letters WHERE current = 1").fetchall()
    problems += sum(1 for (batched,) in rows if not batched or batched.startswith("pending:"))
    return problems


# --- Scenarios -----------------------------------------------------------------------------------


@dataclasses.dataclass
class World:
    """The master journal, its expected states, and a folder for trials."""

    base: Path
    master: Path
    original: dict[tuple[str, int, int], str]
    checked: dict[tuple[str, int, int], str]  # after check --write
    final: dict[tuple[str, int, int], str]  # after check --write and letters
    letters: int
    rng: random.Random
    workers: int = 2
    _zygotes: list[Zygote] = dataclasses.field(default_factory=list)
    _local: threading.local = dataclasses.field(default_factory=threading.local)

    def zygote(self) -> Zygote:
        """This thread's zygote (one per worker)."""
        found = getattr(self._local, "zygote", None)
        if found is None:
            found = self._local.zygote = Zygote()
            self._zygotes.append(found)
        return found

    def close(self) -> None:
        for zygote in self._zygotes:
            zygote.close()

    def trial(self, name: str, n: int) -> Path:
        """A fresh folder with a copy of the master journal."""
        folder = self.base / f"{name}-{n:03d}"
        folder.mkdir()
        shutil.copyfile(self.master, folder / "журнал.xlsx")
        return folder


def make_world(base: Path, seed: int, workers: int = 2) -> World:
    import datetime as dt

    from toolkit.sources.demo import make_demo

    master = base / "журнал.xlsx"
    make_demo(master, rows=50, seed=7, today=dt.date.fromisoformat(TODAY))
    model = base / "образец"
    model.mkdir()
    shutil.copyfile(master, model / "журнал.xlsx")
    _check(model)
    checked = cells(model / "журнал.xlsx")
    made = _letters(model)
    final = cells(model / "журнал.xlsx")
    _check(model)
    assert cells(model / "журнал.xlsx") == final, "check after letters changes nothing"
    return World(base, master, cells(master), checked, final, made, random.Random(seed),
                 workers)


CHECK = ["check", "журнал.xlsx", "--write", "--today", TODAY]
LETTERS = ["letters", "журнал.xlsx", "--out", "решения", "--today", TODAY]


def _clock() -> Any:
    import datetime as dt

    from toolkit.journal.clock import Clock

    return Clock.at(dt.date.fromisoformat(TODAY))


def _check(folder: Path) -> Ran:
    """`check --write` in this process (a next run after a fault)."""
    from toolkit.sources.open import check

    return _in_process(lambda: check(str(folder / "журнал.xlsx"), Config(), _clock().now,
                                     write=True))


def _letters(folder: Path) -> int:
    from toolkit.letters.make import make_letters

    return len(make_letters(str(folder / "журнал.xlsx"), Config(), folder / "решения",
                            _clock()).made)


def _letters_run(folder: Path) -> Ran:
    return _in_process(lambda: _letters(folder))


def _journal_after(world: World, folder: Path, tally: Tally,
                   due: dict[tuple[str, int, int], str]) -> None:
    """The journal after the next runs: whole, with every typed cell, in its due state."""
    tally.edits_lost += edits_lost(world.original, folder / "журнал.xlsx")
    if cells(folder / "журнал.xlsx") != due:
        tally.edits_lost += 1  # the next runs did not bring the journal to its due state


def _letters_after(world: World, folder: Path, tally: Tally) -> None:
    tally.letters_lost_or_duplicated += letters_problems(
        folder / "решения", folder / ".vks" / "letters.sqlite", world.letters)


def _trials(world: World, name: str, trials: int,
            one: Callable[[Zygote, int, random.Random], Tally]) -> Tally:
    """Run `trials` trials of a scenario on the world's workers; each trial gets its own
    generator, seeded in order, so the same seed draws the same moments however the trials
    interleave."""
    seeds = [world.rng.randrange(2**32) for _ in range(trials)]
    total = Tally(name)
    with concurrent.futures.ThreadPoolExecutor(world.workers) as pool:
        for part in pool.map(lambda n: one(world.zygote(), n, random.Random(seeds[n])),
                             range(trials)):
            total.add(part)
    return total


def kill_check(world: World, trials: int) -> Tally:
    span = world.zygote().duration(CHECK, world.trial("calibrate-check", 0)) * 1.1

    def one(zygote: Zygote, n: int, rng: random.Random) -> Tally:
        tally = Tally("kill-check", trials=1)
        folder = world.trial("kill-check", n)
        zygote.killed(CHECK, folder, rng.uniform(0, span))
        tally.edits_lost += edits_lost(world.original, folder / "журнал.xlsx")
        tally.unclear_errors += unclear(_check(folder))
        _journal_after(world, folder, tally, world.checked)
        tally.temp_files_left += temp_files(folder)
        return tally

    return _trials(world, "kill-check", trials, one)


def kill_letters(world: World, trials: int) -> Tally:
    calibrate = world.trial("calibrate-letters", 0)
    _check(calibrate)
    span = world.zygote().duration(LETTERS, calibrate) * 1.1

    def one(zygote: Zygote, n: int, rng: random.Random) -> Tally:
        tally = Tally("kill-letters", trials=1)
        folder = world.trial("kill-letters", n)
        _check(folder)
        zygote.killed(LETTERS, folder, rng.uniform(0, span))
        tally.edits_lost += edits_lost(world.original, folder / "журнал.xlsx")
        tally.unclear_errors += unclear(_letters_run(folder))
        _journal_after(world, folder, tally, world.final)
        _letters_after(world, folder, tally)
        tally.temp_files_left += temp_files(folder)
        return tally

    return _trials(world, "kill-letters", trials, one)


def kill_run(world: World, trials: int) -> Tally:
    from toolkit.jobs.declarations import SHIPPED_JOBS

    run = ["run", "daily", "--journal", "журнал.xlsx", "--today", TODAY, "--jobs",
           str(SHIPPED_JOBS)]
    span = world.zygote().duration(run, world.trial("calibrate-run", 0)) * 1.1

    def one(zygote: Zygote, n: int, rng: random.Random) -> Tally:
        tally = Tally("kill-run", trials=1)
        folder = world.trial("kill-run", n)
        zygote.killed(run, folder, rng.uniform(0, span))
        tally.edits_lost += edits_lost(world.original, folder / "журнал.xlsx")
        tally.unclear_errors += unclear(zygote.run(run, folder))  # the next run
        with sqlite3.connect(folder / ".vks" / "runs.sqlite") as conn:
            results = [r for (r,) in conn.execute("SELECT result FROM runs ORDER BY id")]
        tally.stuck_runs += results.count("running")
        if results[-1:] != ["ok"]:
            tally.stuck_runs += 1  # the run after the kill did not complete
        _journal_after(world, folder, tally, world.final)
        _letters_after(world, folder, tally)
        tally.temp_files_left += temp_files(folder)
        return tally

    return _trials(world, "kill-run", trials, one)


def race_edit(world: World, trials: int) -> Tally:
    """A person's save lands at a random moment of `check --write`: the edit must survive."""
    span = world.zygote().duration(CHECK, world.trial("calibrate-race", 0)) * 1.1

    def one(zygote: Zygote, n: int, rng: random.Random) -> Tally:
        import openpyxl

        tally = Tally("race-edit", trials=1)
        folder = world.trial("race-edit", n)
        journal = folder / "журнал.xlsx"
        sheet, row = rng.choice(BODIES), rng.randint(6, 30)
        marker = f"правка специалиста {n}"
        delay = rng.uniform(0.0, span)

        def person() -> None:
            time.sleep(delay)
            book = openpyxl.load_workbook(journal)
            book[sheet].cell(row, NOTE + 1).value = marker
            tmp = folder / "~правка.xlsx"  # Excel writes a temporary file, then renames it
            book.save(tmp)
            os.replace(tmp, journal)

        editor = threading.Thread(target=person)
        editor.start()
        tally.unclear_errors += unclear(zygote.run(CHECK, folder))
        editor.join()
        tally.unclear_errors += unclear(_check(folder))
        if cells(journal).get((sheet, row, NOTE)) != marker:
            tally.edits_lost += 1
        original = {k: v for k, v in world.original.items() if k != (sheet, row, NOTE)}
        tally.edits_lost += edits_lost(original, journal)
        tally.temp_files_left += temp_files(folder)
        return tally

    return _trials(world, "race-edit", trials, one)


@contextlib.contextmanager
def small_disk(folder: Path, size: int) -> Iterator[Callable[[int], None]]:
    """A tmpfs of `size` bytes at `folder`; yields a function that resizes it."""
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
                   check=True, capture_output=True)

    def resize(new: int) -> None:
        subprocess.run(["mount", "-o", f"remount,size={new}", str(folder)], check=True,
                       capture_output=True)

    try:
        yield resize
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False, capture_output=True)


def can_mount(base: Path) -> bool:
    if not hasattr(os, "geteuid") or os.geteuid() != 0 or shutil.which("mount") is None:
        return False
    probe = base / "проба-tmpfs"
    probe.mkdir()
    try:
        with small_disk(probe, 1 << 20):
            return True
    except (subprocess.CalledProcessError, OSError):
        return False


def full_disk(world: World, trials: int) -> Tally:
    size = world.master.stat().st_size
    mount = can_mount(world.base)
    name = "full-disk (tmpfs)" if mount else "full-disk (RLIMIT_FSIZE)"

    def one(zygote: Zygote, n: int, rng: random.Random) -> Tally:
        tally = Tally(name, trials=1)
        folder = world.base / f"full-disk-{n:03d}"
        folder.mkdir()
        free = rng.randint(0, 6 * size)
        with contextlib.ExitStack() as stack:
            limit = None
            if mount:
                resize = stack.enter_context(small_disk(folder, size + free))
            else:
                limit = size // 2 + free
            shutil.copyfile(world.master, folder / "журнал.xlsx")
            runs = [zygote.run(CHECK, folder, limit), zygote.run(LETTERS, folder, limit)]
            tally.edits_lost += edits_lost(world.original, folder / "журнал.xlsx")
            tally.temp_files_left += temp_files(folder)
            if mount:
                resize(64 << 20)  # space is freed: the next runs complete
            runs += [_check(folder), _letters_run(folder)]
            _journal_after(world, folder, tally, world.final)
            _letters_after(world, folder, tally)
            tally.temp_files_left += temp_files(folder)
        tally.unclear_errors += sum(1 for r in runs if unclear(r) or r.returncode not in
                                    (0, 1, 2, 3))
        return tally

    return _trials(world, name, trials, one)


def kill_send(world: World, trials: int) -> Tally:
    """`vks send` killed while mailing; every report arrives, none more than twice."""
    from aiosmtpd.controller import Controller

    received: list[tuple[str, str]] = []  # (recipient, Message-ID)
    lock = threading.Lock()

    class Handler:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            message_id = _message_id(envelope.original_content.decode("utf-8", "replace"))
            with lock:
                received.extend((to, message_id) for to in envelope.rcpt_tos)
            return "250 OK"

    def config(port: int, n: int) -> str:  # two reports: the ministry's and one body's
        return "\n".join([
            "[mail]", 'host = "127.0.0.1"', f"port = {port}", 'security = "none"',
            'sender = "vks@example.ru"', f'ministry_recipients = ["minister-t{n}@example.ru"]',
            "[[bodies]]", f'name = "{BODIES[0]}"', f'sheet = "{BODIES[0]}"',
            f'recipients = ["body-t{n}@example.ru"]']) + "\n"

    send = ["-c", "vks.toml", "send", "журнал.xlsx", "--month", MONTH, "--today", TODAY]
    with socket_port() as port:
        controller = Controller(Handler(), hostname="127.0.0.1", port=port)
        controller.start()
        try:
            calibrate = world.trial("calibrate-send", 0)
            (calibrate / "vks.toml").write_text(config(port, -1), encoding="utf-8")
            span = world.zygote().duration(send, calibrate) * 1.1

            def one(zygote: Zygote, n: int, rng: random.Random) -> Tally:
                tally = Tally("kill-send", trials=1)
                folder = world.trial("kill-send", n)
                (folder / "vks.toml").write_text(config(port, n), encoding="utf-8")
                zygote.killed(send, folder, rng.uniform(0, span))
                for _ in range(3):  # until everything is sent (at most one retry of each)
                    done = zygote.run(send, folder)
                    tally.unclear_errors += unclear(done)
                    if done.returncode == 0:
                        break
                with lock:
                    mine = [(to, mid) for to, mid in received if f"-t{n}@" in to]
                copies = Counter(mine)
                tally.mails_lost += 2 - len({to for to, _ in copies})
                tally.mails_duplicated_beyond_one += sum(c - 2 for c in copies.values() if c > 2)
                tally.temp_files_left += temp_files(folder)
                return tally

            return _trials(world, "kill-send", trials, one)
        finally:
            controller.stop()


def _message_id(raw: str) -> str:
    for line in raw.splitlines():
        if line.lower().startswith("message-id:"):
            return line.split(":", 1)[1].strip()
    return raw


@contextlib.contextmanager
def socket_port() -> Iterator[int]:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    yield port


SCENARIOS: dict[str, Callable[[World, int], Tally]] = {
    "kill-check": kill_check,
    "kill-letters": kill_letters,
    "kill-send": kill_send,
    "kill-run": kill_run,
    "race-edit": race_edit,
    "full-disk": full_disk,
}


def run(trials: int, seed: int, only: Sequence[str] = (), base: Path | None = None,
        workers: int = 2) -> list[Tally]:
    """Every scenario (or those named), `trials` each, seeded; the tallies in order."""
    with tempfile.TemporaryDirectory(prefix="vks-faults-", dir=base) as tmp:
        world = make_world(Path(tmp), seed, workers)
        tallies = []
        try:
            for name, scenario in SCENARIOS.items():
                if only and name not in only:
                    continue
                started = time.perf_counter()
                tally = scenario(world, trials)
                tally.seconds = time.perf_counter() - started
                tallies.append(tally)
        finally:
            world.close()
        return tallies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--trials", type=int, default=30)
    parser.add_argument("--seed", type=int, default=77)
    parser.add_argument("--only", default="", help="scenarios, comma separated")
    parser.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1))
    args = parser.parse_args()
    only = [s for s in args.only.split(",") if s]
    tallies = run(args.trials, args.seed, only, workers=args.workers)
    print(f"Испытаний на сценарий: {args.trials}, seed {args.seed}")
    print(table(tallies))
    sys.exit(0 if all(t.clean for t in tallies) else 1)


if __name__ == "__main__":
    main()
