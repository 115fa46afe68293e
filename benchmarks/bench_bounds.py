"""What the bound check costs before a read: `inspect_package` against a bare calamine read.

    python benchmarks/bench_bounds.py [--rows 100000] [--repeat 5]

The journal is the demo's (as in bench_check.py). Each measurement runs in a fresh process and
the best of `--repeat` runs is kept; the ratio is to the bare python-calamine read of the same
file in the same run. The same pass also finds the formulas and merged ranges the check needs
(fastexcel does not report them), so it is the only pass over the XML besides the reader's.
Also printed: what zipfile spends on inflating every part alone, for scale.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

TODAY = dt.date(2026, 11, 27)

CHILD = r"""
import json, sys, time, zipfile, zlib
op, path = sys.argv[1], sys.argv[2]
start = time.perf_counter()
if op == "bare":
    import python_calamine
    book = python_calamine.CalamineWorkbook.from_path(path)
    n = sum(len(book.get_sheet_by_name(name).to_python()) for name in book.sheet_names)
elif op == "inspect":
    from toolkit.sources.xlsx.bounds import inspect_package
    n = sum(s.unpacked for s in inspect_package(path).sheets)
elif op == "inflate":
    with open(path, "rb") as f, zipfile.ZipFile(f) as z:
        n = 0
        for info in z.infolist():
            with z.open(info) as member:
                while piece := member.read(1 << 20):
                    n += len(piece)
print(json.dumps({"seconds": time.perf_counter() - start, "n": n}))
"""


def measure(op: str, path: Path, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        out = subprocess.run([sys.executable, "-c", CHILD, op, str(path)], check=True,
                             capture_output=True, text=True,
                             cwd=Path(__file__).resolve().parents[1]).stdout
        best = min(best, json.loads(out)["seconds"])
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    from toolkit.sources.demo import DEMO_BODIES, make_demo

    with tempfile.TemporaryDirectory() as tmp:
        journal = Path(tmp) / "журнал.xlsx"
        started = time.perf_counter()
        make_demo(journal, rows=args.rows, seed=1, today=TODAY, bodies=DEMO_BODIES[:1])
        print(f"журнал: {args.rows} строк, {journal.stat().st_size / 2**20:.1f} МиБ, "
              f"создан за {time.perf_counter() - started:.0f} с")
        bare = measure("bare", journal, args.repeat)
        inspect = measure("inspect", journal, args.repeat)
        inflate = measure("inflate", journal, args.repeat)
    print(f"\n{'операция':<44}{'с':>8}{'% чтения':>10}")
    for name, seconds in (("чтение calamine (база)", bare),
                          ("inspect_package (граница)", inspect),
                          ("  для сравнения: zipfile читает все части", inflate)):
        print(f"{name:<44}{seconds:>8.3f}{100 * seconds / bare:>9.1f}%")


if __name__ == "__main__":
    main()
