"""What a manager acts on: activity of the month, specialists, late confirmations, rescheduled
receptions, repeat applications, decisions overdue now, the trend, breaches kept apart from
data-entry slips. Figures counted by hand in stats_fixtures.py («Орган Г»)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from stats_fixtures import OCTOBER, TODAY, write_manager_fixture

from toolkit.journal.clock import Clock
from toolkit.journal.config import Config
from toolkit.journal.control import calendar_for
from toolkit.journal.findings import CODES
from toolkit.journal.read import read_journals
from toolkit.sources.demo import Manifest
from toolkit.sources.open import open_source
from toolkit.stats.kinds import BREACH, DATA, KINDS, kind_of
from toolkit.stats.monthly import (
    Month,
    MonthlyStats,
    collect_stats,
    open_violations,
    stats_for,
)
from toolkit.stats.specialists import specialist_name

D = dt.date


@pytest.fixture
def manager_path(tmp_path: Path) -> Path:
    return write_manager_fixture(tmp_path / "журнал-г.xlsx")


@pytest.fixture
def manager(manager_path: Path) -> MonthlyStats:
    return stats_for([str(manager_path)], Config(), OCTOBER, Clock.at(TODAY))


def test_partition_with_held_unidentified_and_rescheduled_outcomes(
        manager: MonthlyStats) -> None:
    c = manager.total.counts
    # Rows 4–11, 14–16 and 19 were received in October.
    assert c["received"] == 12
    assert (c["held"], c["held_unidentified"]) == (4, 1)  # rows 4, 5, 16, 19; row 4 (cl. 3.8)
    assert manager.total.states["held"] == 3 and manager.total.states["held_unidentified"] == 1
    assert sum(manager.total.states.values()) == 12
    assert (c["rescheduled"], c["rescheduled_passed"], c["rescheduled_ahead"],
            c["rescheduled_no_time"]) == (3, 1, 1, 1)  # rows 6 (19.10), 7 (05.11), 8
    assert (c["awaiting"], c["pending"], c["rejected"]) == (2, 2, 1)


def test_decisions_and_receptions_of_the_month_whatever_month_of_receipt(
        manager: MonthlyStats, october: MonthlyStats) -> None:
    c = manager.total.counts
    # Dated in October: rows 2, 3 (September applications), 4–8, 10, 11, 15, 16, 19.
    assert (c["decisions_month"], c["decisions_month_late"]) == (12, 1)  # row 3: due 28.09
    assert c["decided"] == 10  # only the October applications
    # Sessions in October: rows 1, 2 (September applications), 4–8, 11, 15, 16, 19.
    assert c["sessions_month"] == 11
    assert (c["sessions_held"], c["sessions_cancelled"], c["sessions_interrupted"],
            c["sessions_rescheduled"], c["sessions_no_outcome"]) == (6, 0, 0, 3, 2)
    # The first journal: row 17 (received 30.09) decided 01.10 and held 05.10 counts here.
    a = october.bodies[0].counts
    assert (a["decisions_month"], a["decisions_month_late"]) == (12, 1)
    assert (a["sessions_month"], a["sessions_held"], a["sessions_cancelled"],
            a["sessions_interrupted"], a["sessions_rescheduled"]) == (9, 3, 2, 3, 1)
    # September: only row 1 of «Орган Г» was decided then, no session yet.
    p = manager.total.previous
    assert (p["decisions_month"], p["sessions_month"]) == (1, 0)


def test_late_confirmation(manager: MonthlyStats, october: MonthlyStats) -> None:
    # Row 4: notice Friday 02.10, window Monday 05.10, confirmed 06.10. Row 5 (05.10 17:00)
    # is on time.
    assert manager.total.counts["confirmations_late"] == 1
    assert october.total.counts["confirmations_late"] == 0


def test_repeat_applications(manager: MonthlyStats, october: MonthlyStats) -> None:
    c = manager.total.counts
    # Row 9 (Смирнова, 16.03 before) and row 14 (Семенов = Семёнов of row 11); row 10
    # (Кузнецов) applied 372 days before: not within 12 months.
    assert (c["repeated"], c["repeat_citizens"]) == (2, 1)
    # The first journal has one citizen throughout: every dated October row repeats.
    assert october.bodies[0].counts["repeated"] == 17
    assert october.bodies[1].counts["repeated"] == 1  # two rows on one day: the second
    assert [b.counts["repeat_citizens"] for b in october.bodies] == [1, 1, 0]


def test_specialists_are_one_person_however_written(manager: MonthlyStats) -> None:
    table = {s.specialist: s.counts for s in manager.total.specialists}
    assert list(table) == ["Петрова А.А.", "Тарасов Е.П.", "не указан"]
    assert table["Тарасов Е.П."] == {
        "decisions_month": 5, "decisions_month_late": 1,  # rows 2, 3, 8, 11, 15
        "sessions_held": 2, "sessions_cancelled": 0, "sessions_interrupted": 0,  # rows 1, 2
        "sessions_rescheduled": 1, "sessions_no_outcome": 2}  # row 8; rows 11, 15
    assert table["Петрова А.А."] == {
        "decisions_month": 6, "decisions_month_late": 0,  # rows 4–7, 16, 19
        "sessions_held": 4, "sessions_cancelled": 0, "sessions_interrupted": 0,
        "sessions_rescheduled": 2, "sessions_no_outcome": 0}
    assert table["не указан"]["decisions_month"] == 1  # row 10
    assert manager.bodies[0].specialists == manager.total.specialists


@pytest.mark.parametrize(("typed", "shown"), [
    ("Тарасов Е.П.", "Тарасов Е.П."),
    ("Тарасов Е. П.", "Тарасов Е.П."),
    ("  тарасов  е.п. ", "Тарасов Е.П."),
    ("Тарасов Евгений Павлович", "Тарасов Е.П."),
    ("Е.П. Тарасов", "Тарасов Е.П."),
    ("Римский-Корсаков Н.А.", "Римский-Корсаков Н.А."),
    ("Тарасов", "Тарасов"),
    ("Алиев Рашад Гасан оглы", "Алиев Рашад Гасан оглы"),
    ("", ""),
])
def test_specialist_name(typed: str, shown: str) -> None:
    assert specialist_name(typed) == shown


def test_decisions_overdue_now_and_the_trend(manager: MonthlyStats,
                                             october: MonthlyStats) -> None:
    # On 10.11: rows 9 (due 14.10), 14 (26.10), 18 (20.08); row 17 is due 10.11 itself.
    assert manager.total.overdue_now.count == 3
    assert manager.total.overdue_now.oldest_due == D(2026, 8, 20)
    assert manager.today == TODAY
    # The first journal: rows 12 (due 06.11, after the 04.11 holiday) and 20 (due 08.10).
    assert october.bodies[0].overdue_now.count == 2
    assert october.bodies[0].overdue_now.oldest_due == D(2026, 10, 8)

    trend = {p.month.key: p for p in manager.total.trend}
    assert list(trend) == [f"2025-{m}" for m in ("11", "12")] + \
        [f"2026-{m:02d}" for m in range(1, 11)]
    assert (trend["2026-10"].received, trend["2026-10"].decided, trend["2026-10"].held,
            trend["2026-10"].overdue) == (12, 12, 6, 3)
    assert (trend["2026-09"].received, trend["2026-09"].decided, trend["2026-09"].overdue) == \
        (3, 1, 2)  # at 30.09: rows 3 (due 28.09, decided 06.10) and 18
    assert (trend["2026-08"].received, trend["2026-08"].overdue) == (1, 1)
    assert (trend["2026-03"].received, trend["2026-03"].decided) == (1, 1)  # row 12
    assert sum(p.received for p in manager.total.trend) == 17  # not row 13 (10.2025), 17 (11)
    # The report's month in the trend is the month's own figures.
    c = manager.total.counts
    assert (c["received"], c["decisions_month"], c["sessions_held"]) == \
        (trend["2026-10"].received, trend["2026-10"].decided, trend["2026-10"].held)
    assert trend["2026-10"].overdue == manager.total.violations["decision-overdue"]


def test_overdue_now_in_the_current_month(manager_path: Path) -> None:
    now = dt.datetime(2026, 11, 10, 9)
    stats = stats_for([str(manager_path)], Config(), Month(2026, 11), Clock.at(now))
    assert not stats.complete
    assert stats.total.trend[-1].overdue == stats.total.overdue_now.count == 3


def test_breaches_by_clause_apart_from_data_slips(manager: MonthlyStats) -> None:
    total = manager.total
    assert total.breaches == {
        "decision-overdue": 2,            # rows 9 and 14: due 14.10 and 26.10
        "appointment-off-hours": 1,       # row 16: 20:00
        "cancellation-not-recorded": 1,   # row 15
        "confirmation-late": 1,           # row 4
        "decision-late": 1,               # row 3: decided 06.10, due 28.09
        "outcome-missing": 1,             # row 11
        "slot-overlap": 1,                # row 19
    }
    assert total.counts["breaches"] == 8
    assert total.breaches_earlier == {"decision-overdue": 1}  # row 18, due 20.08
    # Rows 10, 14; row 9 rescheduled without its new time (cl. 3.5).
    assert total.data_slips == {"email-implausible": 1, "topic-missing": 1,
                                "rescheduled-time-missing": 1}
    assert total.counts["data_slips"] == 3
    # September: row 3 was overdue (due 28.09); row 18 was already an earlier one.
    assert total.previous_breaches == {"decision-overdue": 1}
    assert (total.previous["breaches"], total.previous["breaches_earlier"]) == (1, 1)
    assert [(clause, code) for clause, code in
            ((CODES[c].clause if c in CODES else "2.6", c) for c, _, _ in total.breach_rows())] \
        == [("1.2", "appointment-off-hours"), ("2.5", "decision-overdue"),
            ("2.5", "decision-late"), ("2.6", "confirmation-late"),
            ("2.7", "cancellation-not-recorded"), ("3.10", "slot-overlap"),
            ("3.11", "outcome-missing")]
    # Every open error is still counted, as the report counted them first.
    assert total.counts["violations"] == 9


def test_breaches_of_the_first_journal(october: MonthlyStats) -> None:
    a = october.bodies[0]
    # Row 3 decided late (09.10, due 08.10); row 20 overdue (due 08.10). Row 12 is due 06.11.
    assert a.breaches == {"decision-late": 1, "decision-overdue": 1}
    assert a.breaches_earlier == {}
    # Unreadable cells of rows 14 and 15, row 19's decision without a date, row 13's rejection
    # without a ground, row 8 rescheduled without its new time; row 16 has no month.
    assert a.data_slips == {"cell-invalid-datetime": 1, "cell-unknown-value": 1,
                            "decision-date-missing": 1, "ground-missing": 1,
                            "rescheduled-time-missing": 1}


def test_every_finding_code_is_classified() -> None:
    assert set(KINDS) == set(CODES)
    assert kind_of("decision-overdue") == BREACH and kind_of("cell-invalid-date") == DATA
    assert all(kind_of(code) != BREACH for code in CODES if code.startswith("cell-"))


def test_json_has_the_manager_figures(manager: MonthlyStats) -> None:
    data = json.loads(json.dumps(manager.to_dict()))
    assert data["format"] == "vks-stats/1"
    assert data["today"] == "2026-11-10"
    assert [s["key"] for s in data["sections"]] == ["applications", "activity", "order"]
    assert {m["section"] for m in data["measures"]} == {"applications", "activity", "order"}
    total = data["total"]
    assert total["overdue_now"] == {"count": 3, "oldest_due": "2026-08-20"}
    assert total["trend"][-1] == {"month": "2026-10", "received": 12, "decided": 12, "held": 6,
                                  "overdue": 3}
    assert data["trend_keys"] == ["received", "decided", "held", "overdue"]
    assert total["specialists"][1] == {
        "body": "Орган Г", "specialist": "Тарасов Е.П.",
        "counts": {"decisions_month": 5, "decisions_month_late": 1, "sessions_held": 2,
                   "sessions_cancelled": 0, "sessions_interrupted": 0,
                   "sessions_rescheduled": 1, "sessions_no_outcome": 2}}
    assert total["breaches"][1] == {"code": "decision-overdue", "clause": "2.5",
                                    "title": "Просрочено решение", "count": 2, "previous": 1}
    assert {"code": "confirmation-late", "clause": "2.6",
            "title": "Подтверждение участия позже срока", "count": 1, "previous": 0} \
        in total["breaches"]
    assert total["breaches_earlier"] == [{"code": "decision-overdue", "clause": "2.5",
                                          "title": "Просрочено решение", "count": 1}]
    assert total["partition"]["held"] == 3 and sum(total["partition"].values()) == 12
    assert total["counts"]["violations"] == 9  # kept: every open error


def test_trend_overdue_matches_the_rule_at_each_month_end(demo: tuple[Path, Manifest],
                                                          config: Config) -> None:
    """The vectorised «overdue at the month's end» against the decision-overdue rule run on
    the journal as it stood at each month's end."""
    path, manifest = demo
    journals = read_journals(open_source(str(path), config), config)
    calendar = calendar_for(config)
    stats = collect_stats(journals, Month.of(manifest.today), Clock.at(manifest.today),
                          calendar)
    checked = 0
    for point in stats.total.trend[:-1]:  # months over; the current one is taken as it stands
        end = dt.datetime.combine(point.month.last, dt.time(23, 59))
        found = open_violations(journals, Clock.at(end), calendar, end)
        assert point.overdue == sum(v.get("decision-overdue", 0) for v in found.values()), \
            point.month
        checked += point.overdue
    assert checked > 0
    today = open_violations(journals, Clock.at(manifest.today), calendar)
    assert stats.total.overdue_now.count == sum(v.get("decision-overdue", 0)
                                                for v in today.values()) > 0
