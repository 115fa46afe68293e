"""The monthly report in three forms: .xlsx for print, HTML for mail, JSON for other systems.

    stats = collect_stats(journals, Month.parse("2026-11"), clock, calendar)
    paths = build_report(stats, Path("отчеты"))             # .xlsx, .html and .json
    html = render_html(stats, {c.name: f"cid:{c.name}" for c in charts(stats)})  # for mail

Modules: `wording` (Russian sentences), `charts` (PNG), `html` (the mail page), `xlsx` (the
print workbook); this one writes the files. Everything a reader sees is Russian. Reports
hold counts, topics and cell addresses only, never a citizen's personal data.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path

from toolkit.journal.files import shared_dir, write_bytes_atomic
from toolkit.stats.charts import charts
from toolkit.stats.html import render_html
from toolkit.stats.period import Month
from toolkit.stats.results import MonthlyStats
from toolkit.stats.wording import describe, render_text, summary

__all__ = [  # callers import these from here
    "FORMATS", "build_report", "charts", "describe", "render_html", "render_json",
    "render_text", "render_xlsx", "report_name", "summary",
]

FORMATS = ("xlsx", "html", "json")


def report_name(month: Month) -> str:
    """«статистика-ВКС-2026-11»: the file name of the month's report, without extension."""
    return f"статистика-ВКС-{month.key}"


def render_json(stats: MonthlyStats) -> str:
    """The figures for other systems: format `vks-stats/1` (fields are only ever added)."""
    return json.dumps(stats.to_dict(), ensure_ascii=False, indent=2) + "\n"


def render_xlsx(stats: MonthlyStats) -> bytes:
    from toolkit.stats.xlsx import workbook_bytes  # openpyxl only when a workbook is made

    return workbook_bytes(stats)


def _data_uri(png: bytes) -> str:
    import base64

    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def build_report(stats: MonthlyStats, out_dir: Path, formats: Sequence[str] = FORMATS
                 ) -> list[Path]:
    """Write the report files into `out_dir` (shared, atomically); return their paths.

    The HTML file carries its charts as data: URIs, so it opens anywhere on its own.
    """
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise ValueError(f"unknown report format: {unknown}")
    shared_dir(out_dir)
    base = report_name(stats.month)
    renderers: dict[str, Callable[[], bytes]] = {
        "xlsx": lambda: render_xlsx(stats),
        "html": lambda: render_html(
            stats, {c.name: _data_uri(c.png) for c in charts(stats)}).encode("utf-8"),
        "json": lambda: render_json(stats).encode("utf-8"),
    }
    paths = []
    for fmt in FORMATS:
        if fmt in formats:
            path = out_dir / f"{base}.{fmt}"
            write_bytes_atomic(path, renderers[fmt]())
            paths.append(path)
    return paths


