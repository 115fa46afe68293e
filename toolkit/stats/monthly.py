"""Monthly statistics of video receptions per body, with totals across bodies.

    journals = read_journals(open_source("журнал.xlsx", config), config)
    stats = collect_stats(journals, Month.parse("2026-11"), Clock.at(dt.date(2026, 12, 1)),
                          calendar_for(config))
    stats.total.counts["received"], stats.total.counts["decided_late"]

The month's rows are the applications *received* in that month (graph 2). Each of them is
counted in exactly one final state (`STATES`), as the journal stood at the month's end:

    not_classified  a cell that decides the state did not parse (decision, decision date,
                    appointment, ground, outcome); listed with sheet and cell, never guessed
    pending         no decision yet (no decision, or the decision date is after the month end)
    rejected_<g>    rejected on ground g of cl. 2.8 (rejected_no_ground: ground left blank)
    held, held_unidentified (cl. 3.8), cancelled_declined, cancelled_unconfirmed,
    interrupted_no_show,
    interrupted_not_identified, interrupted_abuse, rescheduled
                    appointed, and the outcome in graph 7 had happened by the month end
    awaiting        appointed, no outcome by the month end (the session is ahead, or its
                    outcome was not recorded)

"By the month end" reads the journal's own dates: a decision counts when its date is not after
the month's last day; an outcome when its moment is not after the month's end — the session time
for held, interrupted and rescheduled receptions, and for a cancellation the citizen's answer, or
else the day after the confirmation window of cl. 2.6, or else the session time. An outcome with
no date at all counts. For the current month the journal is taken as it stands now.

Rows whose date of receipt is blank or unreadable belong to no month; they are listed as
`undated`. Violations open at the month's end are the core rules' errors run over the journal
as of that moment (rows received later left out, later facts masked the same way).

The computation is vectorised over a DataFrame of typed rows (`frame_of`), so a million rows
take well under two seconds (see benchmarks/bench_stats.py).

Modules: `period` (the month), `states` (the partition and the measures), `frame` (typed rows →
DataFrame), `figures` (the vectorised counting), `violations` (the core rules as of a moment),
`results` (the figures and their JSON); this one puts them together and reads the journals.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from toolkit.journal.calendar import WorkingCalendar
from toolkit.journal.clock import Clock
from toolkit.journal.config import Config
from toolkit.journal.model import Journal
from toolkit.journal.rules import DECISION_DAYS
from toolkit.journal.schema import BY_KEY
from toolkit.stats.figures import COUNT_KEYS, TOP_TOPICS, count_figures
from toolkit.stats.frame import frame_of, outcome_moment
from toolkit.stats.period import Month, StatsError, report_period
from toolkit.stats.repeats import find_repeats
from toolkit.stats.results import BodyStats, MonthlyStats, RowRef
from toolkit.stats.states import MEASURES, STATE_GROUPS, STATE_KEYS, STATES, Measure
from toolkit.stats.trend import count_trend, overdue_now, trend_months, trend_points
from toolkit.stats.violations import (
    FindingCounts,
    journal_as_of,
    month_findings,
    open_violations,
)
from toolkit.stats.workdays import shift

__all__ = [  # what callers import from here (the rest lives in the modules named above)
    "MEASURES",
    "STATES",
    "STATE_GROUPS",
    "STATE_KEYS",
    "BodyStats",
    "Measure",
    "Month",
    "MonthlyStats",
    "RowRef",
    "StatsError",
    "collect_stats",
    "frame_of",
    "journal_as_of",
    "month_findings",
    "monthly_stats",
    "open_violations",
    "outcome_moment",
    "read_sources",
    "stats_for",
    "top_topics_setting",
]

def monthly_stats(
    frame: pd.DataFrame,
    month: Month,
    calendar: WorkingCalendar,
    now: dt.datetime,
    findings: Mapping[str, FindingCounts] | None = None,
    previous_findings: Mapping[str, FindingCounts] | None = None,
    top_topics: int = TOP_TOPICS,
    today: dt.date | None = None,
) -> MonthlyStats:
    """The month's statistics from a frame of typed rows (see `frame_of`), vectorised.

    `findings` maps a body's name to its findings as of the month's end (`month_findings`);
    decisions overdue «right now» are counted as of `today` (default: the day of `now`).
    """
    as_of, complete = report_period(month, now)
    today = today or now.date()
    bodies = [str(b) for b in frame["body"].cat.categories]
    due = shift(frame["received"].to_numpy(), calendar, DECISION_DAYS)
    repeats = find_repeats(frame)
    current = count_figures(frame, month, calendar, as_of, complete, due, repeats, top_topics,
                            specialists=True)
    prev_month = month.previous()
    prev_end = prev_month.end
    previous = count_figures(frame, prev_month, calendar, prev_end, True, due, repeats, 0)
    trend = count_trend(frame, month, as_of, complete, due)
    months = trend_months(month)
    overdue = overdue_now(frame, due, today)
    findings = findings or {}
    previous_findings = previous_findings or {}

    def make(i: int | None, name: str, found: FindingCounts, before: FindingCounts,
             refs: list[RowRef]) -> BodyStats:
        row = current.counts.sum(axis=0) if i is None else current.counts[i]
        prev = previous.counts.sum(axis=0) if i is None else previous.counts[i]
        counts = dict(zip(COUNT_KEYS, (int(v) for v in row), strict=True))
        before_counts = dict(zip(COUNT_KEYS, (int(v) for v in prev), strict=True))
        breaches, previous_breaches = found.breaches, before.breaches
        for figures, seen, month_breaches in ((counts, found, breaches),
                                              (before_counts, before, previous_breaches)):
            figures["violations"] = sum(seen.errors.values())
            figures["breaches"] = sum(month_breaches.values())
            figures["breaches_earlier"] = sum(seen.breaches_earlier.values())
            figures["data_slips"] = sum(seen.data.values())
        at = len(bodies) if i is None else i
        median, longest = current.days[at]
        return BodyStats(
            name, counts, before_counts, median, longest, current.topics[at],
            _ordered(found.errors), refs, overdue[at],
            trend_points(months, trend.sum(axis=0) if i is None else trend[i]),
            [s for s in current.specialists if i is None or s.body == name],
            _ordered(breaches), _ordered(previous_breaches), _ordered(found.breaches_earlier),
            _ordered(found.data))

    empty = FindingCounts()
    per_body = [
        make(i, name, findings.get(name, empty), previous_findings.get(name, empty),
             [r for r in current.broken if r.body == name])
        for i, name in enumerate(bodies)
    ]
    total_found, total_before = FindingCounts(), FindingCounts()
    for name in bodies:
        for into, part in ((total_found, findings.get(name, empty)),
                           (total_before, previous_findings.get(name, empty))):
            for attr in ("errors", "breaches", "breaches_earlier", "data"):
                getattr(into, attr).update(getattr(part, attr))
    total = make(None, "Итого по всем органам", total_found, total_before, current.broken)
    undated_rows = frame.loc[frame["received"].isna(), ["body", "sheet", "row"]]
    letter = BY_KEY["received"].letter
    undated = [RowRef(str(b), str(s), int(r), f"{letter}{int(r)}")
               for b, s, r in undated_rows.itertuples(index=False)]
    return MonthlyStats(month, as_of, complete, per_body, total, undated, today)


def _ordered(found: Mapping[str, int]) -> dict[str, int]:
    """Codes by count, the most frequent first (zeros left out)."""
    return dict(sorted(((c, n) for c, n in found.items() if n), key=lambda kv: (-kv[1], kv[0])))


def collect_stats(journals: Sequence[Journal], month: Month, clock: Clock,
                  calendar: WorkingCalendar, top_topics: int = TOP_TOPICS) -> MonthlyStats:
    """The month's statistics for the bodies of `journals`, violations included."""
    as_of, complete = report_period(month, clock.now)
    frame = frame_of(journals, calendar)
    found = month_findings(journals, month, clock, calendar, as_of, complete)
    before = month.previous()
    prev_end = before.end
    previous = month_findings(journals, before, clock, calendar, prev_end, True)
    return monthly_stats(frame, month, calendar, clock.now, found, previous, top_topics,
                         clock.today)


def read_sources(locations: Sequence[str], config: Config, only: Sequence[str] = ()
                 ) -> list[Journal]:
    """Every body journal of the given locations (.xlsx paths or gsheet:…).

    With `only`, a location that holds none of the bodies asked for is passed over; it is an
    error only when no location holds them.
    """
    from toolkit.journal.errors import JournalError
    from toolkit.journal.read import read_journals
    from toolkit.journal.sheets import journal_sheets
    from toolkit.sources.open import open_source

    journals: list[Journal] = []
    missing: JournalError | None = None
    for location in locations:
        source = open_source(location, config)
        if only and len(locations) > 1:
            try:
                journal_sheets(source.sheet_titles(), config, source.location, only)
            except JournalError as exc:
                missing = exc
                continue
        journals.extend(read_journals(source, config, only))
    if not journals and missing is not None:
        raise missing
    return journals


def stats_for(locations: Sequence[str], config: Config, month: Month, clock: Clock,
              only: Sequence[str] = ()) -> MonthlyStats:
    """Read the journals and compute the month's statistics (`[stats]` settings applied)."""
    from toolkit.journal.control import calendar_for

    journals = read_sources(locations, config, only)
    return collect_stats(journals, month, clock, calendar_for(config),
                         top_topics_setting(config.section("stats")))


def top_topics_setting(config_section: Mapping[str, Any]) -> int:
    """`[stats] top_topics` from the config (default 5)."""
    from toolkit.journal.errors import ConfigError

    value = config_section.get("top_topics", TOP_TOPICS)
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 50:
        raise ConfigError("[stats] top_topics — ожидается целое число от 1 до 50")
    return value
