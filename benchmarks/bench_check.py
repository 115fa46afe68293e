"""Speed and memory of `vks check` and `check --write`, as ratios to the fastest bare read.

    python benchmarks/bench_check.py [--rows 100000 300000] [--repeat 3]

For each size a demo journal of 4 bodies is made (rows split evenly). Every measurement is a
fresh process, and the kinds are alternated round by round so that a busy machine slows them
alike; each figure is the median over `--repeat` rounds, with the process's own peak memory
(VmHWM). Baselines, on the same file in the same run:

    arrow     fastexcel → Arrow, every column as text (the fastest bare read measured)
    calamine  python-calamine `to_python()` of every sheet (the previous baseline)

Measured: `vks check --format json` (the whole CLI, JSON on stdout), and `vks check --write`
on a copy of a settled journal where 100 control cells were emptied by hand.
Targets (issue 10): check ≤ 1.5× arrow and ≤ 400 MiB at 100k; --write ≤ 2×; ≤ 1 GiB at 300k.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TODAY = dt.date(2026, 11, 27)

# Every child reports its own peak memory (VmHWM) at exit: wait4's ru_maxrss would count the
# pages a forked child shares with this (large) parent before it execs.
PEAK = r"""
import atexit, sys
def _peak():
    hwm = next(line for line in open("/proc/self/status") if line.startswith("VmHWM:"))
    sys.stderr.write("VMHWM " + hwm.split()[1] + "\n")
atexit.register(_peak)
"""

CLI = PEAK + r"""
import runpy
sys.argv = ["vks", *sys.argv[1:]]
runpy.run_module("toolkit", run_name="__main__")
"""

BARE = PEAK + r"""
op, path = sys.argv[1], sys.argv[2]
if op == "arrow":
    import fastexcel
    book = fastexcel.read_excel(path)
    for name in book.sheet_names:
        book.load_sheet(name, header_row=None, skip_rows=0, dtypes="string").to_arrow()
else:
    import python_calamine
    book = python_calamine.CalamineWorkbook.from_path(path)
    rows = [book.get_sheet_by_name(name).to_python() for name in book.sheet_names]
"""


def run(args: list[str]) -> tuple[float, float]:
    """Seconds and peak MiB of one fresh process."""
    started = time.perf_counter()
    with open(os.devnull, "wb") as sink:
        proc = subprocess.Popen(args, stdout=sink, stderr=subprocess.PIPE,
                                env={**os.environ, "PYTHONPATH": str(Path.cwd())})
        _, err = proc.communicate()
    seconds = time.perf_counter() - started
    if proc.returncode not in (0, 1):  # 1: the journal has errors
        raise SystemExit(f"{args}: {err.decode()}")
    peak = [line for line in err.decode().splitlines() if line.startswith("VMHWM ")]
    return seconds, int(peak[-1].split()[1]) / 1024 if peak else float("nan")


def commands(journal: Path, scratch: Path) -> dict[str, list[str]]:
    py, today = sys.executable, TODAY.isoformat()
    return {
        "arrow": [py, "-c", BARE, "arrow", str(journal)],
        "calamine": [py, "-c", BARE, "calamine", str(journal)],
        "check": [py, "-c", CLI, "check", str(journal), "--format", "json", "--today", today],
        "write": [py, "-c", CLI, "check", str(scratch), "--write", "--format", "json",
                  "--today", today],
    }


def prepare(folder: Path, rows: int) -> tuple[Path, Path]:
    """A settled journal of 4 bodies, and a copy where 100 control cells were emptied."""
    from toolkit.journal.config import Config
    from toolkit.journal.model import CellChange
    from toolkit.sources.demo import make_demo
    from toolkit.sources.open import check
    from toolkit.sources.xlsx.source import XlsxSource

    journal = folder / f"журнал-{rows}.xlsx"
    started = time.perf_counter()
    make_demo(journal, rows=rows // 4, seed=1, today=TODAY)
    report = check(str(journal), Config(), TODAY, write=True)  # settle the control column
    print(f"журнал: 4 органа × {rows // 4} строк, {journal.stat().st_size / 2**20:.1f} МиБ, "
          f"создан за {time.perf_counter() - started:.0f} с; {len(report.findings)} замечаний")
    flagged = [c for c in report.changes if c.key == "control" and c.new][:100]
    edited = folder / f"журнал-{rows}-100-правок.xlsx"
    shutil.copyfile(journal, edited)
    # `col` (the sheet's own column) is absent before the columnar core: the same bench runs
    # on the previous engine's tree for the "before" figures.
    XlsxSource(edited).write([CellChange(c.sheet, c.row, "control", c.new, "",
                                         **({"col": c.col} if hasattr(c, "col") else {}))
                              for c in flagged])
    return journal, edited


def compile_package() -> None:
    """Bytecode for every module, as `pip install` leaves it: a module without it is compiled
    from source on every start (PYTHONDONTWRITEBYTECODE), which is not what users run."""
    import compileall

    import toolkit

    compileall.compile_dir(str(Path(toolkit.__file__).parent), quiet=1)


def measure(rows: int, repeat: int, folder: Path) -> None:
    compile_package()
    journal, edited = prepare(folder, rows)
    scratch = folder / "запись.xlsx"
    cmds = commands(journal, scratch)
    got: dict[str, list[tuple[float, float]]] = {name: [] for name in cmds}
    for _ in range(repeat):
        for name, args in cmds.items():  # alternated: every kind once per round
            if name == "write":
                shutil.copyfile(edited, scratch)
            got[name].append(run(args))
    base = statistics.median(s for s, _ in got["arrow"])
    print(f"\n{rows} строк, медиана из {repeat} (свежие процессы по очереди)")
    print(f"{'операция':<34}{'с':>8}{'× arrow':>9}{'МиБ':>8}")
    names = {"arrow": "чтение fastexcel → Arrow (база)", "calamine": "чтение python-calamine",
             "check": "vks check --format json", "write": "vks check --write (100 ячеек)"}
    for name, runs in got.items():
        seconds = statistics.median(s for s, _ in runs)
        mib = statistics.median(m for _, m in runs)
        print(f"{names[name]:<34}{seconds:>8.2f}{seconds / base:>9.2f}{mib:>8.0f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[100_000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    for rows in args.rows:
        with tempfile.TemporaryDirectory() as tmp:
            measure(rows, args.repeat, Path(tmp))
    click = statistics.median(run([sys.executable, "-c", "import click"])[0] for _ in range(10))
    vks = statistics.median(run([sys.executable, "-m", "toolkit", "--help"])[0]
                            for _ in range(10))
    print(f"\npython -c 'import click': {click * 1000:.0f} мс; vks --help: {vks * 1000:.0f} мс "
          f"({vks / click:.2f}×)")


if __name__ == "__main__":
    main()
