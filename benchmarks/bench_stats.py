"""How fast the monthly statistics and reports are: prints figures, asserts nothing.

    python benchmarks/bench_stats.py [--rows 1000000] [--bodies 40]

1. `monthly_stats` over N synthetic typed rows (default 1,000,000; 40 bodies; two months, so
   every row is classified — the month itself and the previous one for the change): target
   ≤ 2 s. The baseline, measured in the same run on the same frame, is the cheapest vectorised
   pass pandas offers over it — rows per body and month (one groupby) — so the ratio says what
   the partition, deadlines, working days, topics, the month's activity, specialists, repeat
   applications, the 12-month trend, decisions overdue now and totals cost on top of counting.
2. `frame_of` (typed journal rows → the frame) for 100,000 rows: the per-row part.
3. The report for 40 bodies: .xlsx, HTML with its three charts, JSON, and the ministry's e-mail
   (HTML body with inline charts and the .xlsx attached), each timed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from toolkit.journal.calendar import WorkingCalendar
from toolkit.journal.config import Body
from toolkit.journal.model import Application, Journal
from toolkit.journal.schema import Decision, Ground, Outcome
from toolkit.mail.smtp import MailSettings
from toolkit.stats.delivery import compose
from toolkit.stats.monthly import Month, frame_of, monthly_stats
from toolkit.stats.report import build_report, charts, render_html, render_json, render_xlsx

MONTH = Month(2026, 10)
NOW = dt.datetime(2026, 11, 10, 9, 0)
TOPICS = [f"Тема обращения № {i}" for i in range(200)]


def synthetic_frame(rows: int, bodies: int, seed: int = 1) -> pd.DataFrame:
    """A frame shaped like `frame_of`'s, filled at random over September–October 2026."""
    rng = np.random.default_rng(seed)
    names = [f"Орган соцзащиты № {i + 1}" for i in range(bodies)]
    body = rng.integers(0, bodies, rows)
    received = (np.datetime64("2026-09-01") + rng.integers(0, 61, rows)).astype("datetime64[s]")
    received[rng.random(rows) < 0.0005] = np.datetime64("NaT")
    decision = rng.choice(np.array([0, 1, 2], dtype=np.int8), rows, p=[0.15, 0.7, 0.15])
    decision_date = received + (rng.integers(0, 9, rows) * 86400).astype("timedelta64[s]")
    decision_date[(decision == 0) | (rng.random(rows) < 0.01)] = np.datetime64("NaT")
    ground = np.where(decision == 2, rng.integers(0, 5, rows), 0).astype(np.int8)
    outcome = np.where(decision == 1, rng.integers(0, 8, rows), 0).astype(np.int8)
    outcome_at = decision_date + (rng.integers(1, 10, rows) * 86400 + 36000).astype(
        "timedelta64[s]")
    outcome_at[outcome == 0] = np.datetime64("NaT")
    broken = rng.random(rows) < 0.001
    row = np.arange(6, rows + 6)
    cells = np.where(broken, "E" + row.astype(str), "")
    appointment = decision_date + (rng.integers(1, 10, rows) * 86400 + 36000).astype(
        "timedelta64[s]")
    appointment[decision != 1] = np.datetime64("NaT")
    notice_sent = decision_date + np.timedelta64(11, "h")
    answer = np.where(decision == 1, rng.integers(0, 3, rows), 0).astype(np.int8)
    answered_at = notice_sent + (rng.integers(1, 60, rows) * 3600).astype("timedelta64[s]")
    answered_at[answer == 0] = np.datetime64("NaT")
    rescheduled_to = appointment + np.timedelta64(7, "D")
    rescheduled_to[(outcome != 7) | (rng.random(rows) < 0.3)] = np.datetime64("NaT")
    specialists = [f"Специалистова{'абвгдежзиклмнопрстуфхцчшщ'[i % 25]} А.{i // 25}." for i in
                   range(bodies * 5)]
    return pd.DataFrame({
        "body": pd.Categorical.from_codes(body, categories=names),
        "sheet": pd.Categorical.from_codes(body, categories=[n[:31] for n in names]),
        "row": row,
        "received": received,
        "decision": decision,
        "decision_date": decision_date,
        "ground": ground,
        "outcome": outcome,
        "outcome_at": outcome_at,
        "topic": pd.Categorical.from_codes(rng.integers(0, len(TOPICS), rows),
                                           categories=sorted(TOPICS)),
        "broken": broken,
        "broken_cells": pd.array(cells, dtype=object),
        "decision_unread": np.zeros(rows, dtype=bool),
        "appointment": appointment,
        "notice_sent": notice_sent,
        "answer": answer,
        "answered_at": answered_at,
        "rescheduled_to": rescheduled_to,
        "specialist": pd.Categorical.from_codes(body * 5 + rng.integers(0, 5, rows),
                                                categories=specialists),
        "citizen": rng.integers(0, rows // 3, rows),  # about a third of the rows repeat
    })


def best(fn: Callable[[], Any], runs: int = 3) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return min(times), result


def synthetic_journals(rows: int, bodies: int) -> list[Journal]:
    grounds, outcomes = list(Ground), list(Outcome)
    journals = []
    for b in range(bodies):
        apps = []
        for i in range(rows // bodies):
            received = dt.date(2026, 10, 1) + dt.timedelta(days=i % 30)
            app = Application(row=i + 6, number=i + 1, received=received,
                              topic=TOPICS[i % len(TOPICS)])
            if i % 7:
                app.decision = Decision.APPOINTED if i % 5 else Decision.REJECTED
                app.decision_date = received + dt.timedelta(days=2)
                if app.decision is Decision.REJECTED:
                    app.ground = grounds[i % 4]
                else:
                    app.appointment = dt.datetime.combine(received + dt.timedelta(days=5),
                                                          dt.time(10))
                    app.outcome = outcomes[i % 7]
            apps.append(app)
        body = Body(name=f"Орган соцзащиты № {b + 1}", sheet=f"Орган {b + 1}")
        journals.append(Journal(body, body.sheet, "bench.xlsx", apps, []))
    return journals


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--bodies", type=int, default=40)
    args = parser.parse_args()
    calendar = WorkingCalendar()
    calendar.add(dt.date(2026, 9, 1), 5)  # load the production calendar outside the timing

    frame = synthetic_frame(args.rows, args.bodies)
    in_months = int(frame["received"].notna().sum())
    baseline, _ = best(lambda: frame.groupby(
        ["body", frame["received"].dt.to_period("M")], observed=True).size())
    started = time.perf_counter()
    monthly_stats(frame, MONTH, calendar, NOW)
    first = time.perf_counter() - started
    seconds, stats = best(lambda: monthly_stats(frame, MONTH, calendar, NOW))
    assert sum(stats.total.states.values()) == stats.total.counts["received"]
    print(f"monthly_stats, {args.rows:,} rows ({in_months:,} dated), {args.bodies} bodies, "
          f"month + previous: {seconds:5.2f} s best of 3, first run {first:5.2f} s "
          f"(target ≤ 2 s)")
    print(f"  baseline: rows per body and month, one pandas groupby: {baseline:5.2f} s; "
          f"ratio {seconds / baseline:4.1f}×")
    print(f"  {stats.total.counts['received']:,} rows in {MONTH.title}, "
          f"{stats.total.previous['received']:,} in the previous month")

    journals = synthetic_journals(100_000, args.bodies)
    seconds, typed = best(lambda: frame_of(journals, calendar), runs=1)
    print(f"frame_of, {len(typed):,} typed rows: {seconds:5.2f} s "
          f"= {len(typed) / seconds:,.0f} rows/s")

    report = stats
    settings = MailSettings(sender="vks@example.ru")
    with tempfile.TemporaryDirectory() as tmp:
        total, _ = best(lambda: build_report(report, Path(tmp)), runs=1)
        xlsx, _ = best(lambda: render_xlsx(report))
        images, made = best(lambda: charts(report))
        html, _ = best(lambda: render_html(report, {c.name: "cid:x" for c in made}))
        as_json, _ = best(lambda: render_json(report))
        mail, _ = best(lambda: compose(report, settings, ["boss@example.ru"], "все органы",
                                       "<bench@example.ru>"), runs=1)
    print(f"report for {len(report.bodies)} bodies, all three files: {total:5.2f} s "
          f"(first run, includes importing matplotlib)")
    print(f"  .xlsx {xlsx:5.2f} s; charts {images:5.2f} s; HTML {html:5.3f} s; "
          f"JSON {as_json:5.3f} s")
    print(f"  the ministry's e-mail (HTML, inline charts, .xlsx attached): {mail:5.2f} s")


if __name__ == "__main__":
    main()
