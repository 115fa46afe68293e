"""Speed and memory of `vks check` and `check --write` on a 100,000-row journal.

    python benchmarks/bench_check.py [--rows 100000] [--repeat 3] [--openpyxl]

Every figure is also a ratio to a baseline measured in the same run on the same file:
a bare read with python-calamine (the fastest reader there is), and for `vks --help` the bare
`python -c "import click"`. Each measurement runs in a fresh process so its peak memory (max
RSS) is its own. Targets from the issue: check ≤ 1.5× the bare read and ≤ 400 MiB; --write of
100 cells ≤ 2× the bare read; `vks --help` ≤ 3× importing click.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TODAY = dt.date(2026, 11, 27)

CHILD = r"""
import json, sys, time, datetime as dt
op, path = sys.argv[1], sys.argv[2]
start = time.perf_counter()
if op == "bare":
    import python_calamine
    book = python_calamine.CalamineWorkbook.from_path(path)
    rows = [book.get_sheet_by_name(name).to_python() for name in book.sheet_names]
    n = sum(len(r) for r in rows)
elif op in ("check", "write"):
    from toolkit.journal.config import Config
    from toolkit.sources.open import check
    report = check(path, Config(), dt.date(2026, 11, 27), write=op == "write")
    n = sum(j.rows for j in report.journals)
    if op == "write":
        n = len(report.changes)
elif op == "openpyxl":
    import openpyxl
    wb = openpyxl.load_workbook(path)
    wb.save(path)
    n = 0
seconds = time.perf_counter() - start
# VmHWM belongs to this program's own address space (ru_maxrss may count the parent's pages).
peak = next(int(line.split()[1]) for line in open("/proc/self/status")
            if line.startswith("VmHWM:"))
print(json.dumps({"seconds": seconds, "rss_mib": peak / 1024, "n": n}))
"""


def measure(op: str, path: Path, repeat: int, fresh: Path | None = None) -> dict[str, float]:
    """Best time and its peak memory over `repeat` fresh processes."""
    best: dict[str, float] | None = None
    for _ in range(repeat):
        if fresh is not None:
            shutil.copyfile(fresh, path)
        out = subprocess.run([sys.executable, "-c", CHILD, op, str(path)], check=True,
                             capture_output=True, text=True).stdout
        result = json.loads(out)
        if best is None or result["seconds"] < best["seconds"]:
            best = result
    assert best is not None
    return best


def command_time(args: list[str], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(args, check=True, capture_output=True)
        best = min(best, time.perf_counter() - start)
    return best


def prepare(folder: Path, rows: int) -> tuple[Path, Path]:
    """A settled 100k-row journal, and a copy where 100 control cells were emptied by hand."""
    from toolkit.journal.config import Config
    from toolkit.journal.model import CellChange
    from toolkit.sources.demo import DEMO_BODIES, make_demo
    from toolkit.sources.open import check
    from toolkit.sources.xlsx.source import XlsxSource

    journal = folder / "журнал-100k.xlsx"
    started = time.perf_counter()
    make_demo(journal, rows=rows, seed=1, today=TODAY, bodies=DEMO_BODIES[:1])
    print(f"журнал: {rows} строк, {journal.stat().st_size / 2**20:.1f} МиБ, "
          f"создан за {time.perf_counter() - started:.0f} с")
    report = check(str(journal), Config(), TODAY, write=True)  # settle the control column
    flagged = [c for c in report.changes if c.key == "control" and c.new][:100]
    edited = folder / "журнал-100-правок.xlsx"
    shutil.copyfile(journal, edited)
    source = XlsxSource(edited)
    source.write([CellChange(c.sheet, c.row, "control", c.new, "") for c in flagged])
    return journal, edited


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--openpyxl", action="store_true",
                        help="also load and re-save with openpyxl, for scale (slow)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        journal, edited = prepare(folder, args.rows)
        bare = measure("bare", journal, args.repeat)
        checked = measure("check", journal, args.repeat)
        scratch = folder / "запись.xlsx"
        written = measure("write", scratch, args.repeat, fresh=edited)
        rows = checked["n"]
        print(f"\n{'операция':<34}{'с':>8}{'строк/с':>11}{'× чтения':>10}{'МиБ':>8}")
        for name, m in (("чтение calamine (база)", bare), ("vks check", checked),
                        (f"vks check --write ({written['n']:.0f} ячеек)", written)):
            print(f"{name:<34}{m['seconds']:>8.2f}{rows / m['seconds']:>11,.0f}"
                  f"{m['seconds'] / bare['seconds']:>10.2f}{m['rss_mib']:>8.0f}")
        if args.openpyxl:
            scratch2 = folder / "openpyxl.xlsx"
            full = measure("openpyxl", scratch2, 1, fresh=journal)
            print(f"{'openpyxl: загрузка и сохранение':<34}{full['seconds']:>8.2f}"
                  f"{rows / full['seconds']:>11,.0f}{full['seconds'] / bare['seconds']:>10.2f}"
                  f"{full['rss_mib']:>8.0f}")
    click = command_time([sys.executable, "-c", "import click"], 10)
    vks = command_time([sys.executable, "-m", "toolkit", "--help"], 10)
    print(f"\npython -c 'import click': {click * 1000:.0f} мс; vks --help: {vks * 1000:.0f} мс "
          f"({vks / click:.2f}×)")


if __name__ == "__main__":
    main()
