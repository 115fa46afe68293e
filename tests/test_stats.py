"""Monthly statistics: hand-counted figures, the state partition, the as-of-month-end view."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

import pytest
from stats_fixtures import EXPECTED_A, EXPECTED_B, OCTOBER, TODAY, TOPICS_A

from toolkit.journal.calendar import WorkingCalendar
from toolkit.journal.clock import Clock
from toolkit.journal.config import Config
from toolkit.journal.control import calendar_for
from toolkit.journal.model import Application
from toolkit.journal.read import read_journals
from toolkit.journal.schema import Decision, Ground, Outcome
from toolkit.sources.demo import Manifest
from toolkit.sources.open import open_source
from toolkit.stats.monthly import (
    MEASURES,
    STATE_GROUPS,
    STATE_KEYS,
    STATES,
    Month,
    MonthlyStats,
    RowRef,
    StatsError,
    collect_stats,
    frame_of,
    journal_as_of,
    monthly_stats,
    outcome_moment,
    stats_for,
)


def test_month_parsing_and_arithmetic() -> None:
    assert Month.parse("2026-11") == Month(2026, 11)
    assert Month.parse(" 2026-1 ") == Month(2026, 1)
    assert Month(2026, 1).previous() == Month(2025, 12)
    assert Month(2026, 12).next() == Month(2027, 1)
    assert Month(2024, 2).last == dt.date(2024, 2, 29)
    assert Month(2026, 11).title == "Ноябрь 2026"
    assert Month(2026, 11).in_text == "в ноябре 2026 г."
    for bad in ("2026-13", "2026-00", "11.2026", "ноябрь", ""):
        with pytest.raises(ValueError, match="ГГГГ-ММ"):
            Month.parse(bad)


def test_hand_counted_figures_per_body(october: MonthlyStats) -> None:
    a, b, _ = october.bodies
    assert [x.body for x in october.bodies] == ["Орган А", "Орган Б", "Орган В"]
    assert {k: a.counts[k] for k in EXPECTED_A} == EXPECTED_A
    assert {k: b.counts[k] for k in EXPECTED_B} == EXPECTED_B
    assert (a.days_median, a.days_max) == (1.0, 6)
    assert (b.days_median, b.days_max) == (1.0, 1)
    assert a.topics == TOPICS_A
    assert b.topics == [("Бесплатная юридическая помощь", 2)]


def test_body_without_rows_has_zero_figures(october: MonthlyStats) -> None:
    empty = october.bodies[2]
    assert empty.body == "Орган В"
    assert set(empty.counts.values()) == {0}
    assert set(empty.previous.values()) == {0}
    assert (empty.days_median, empty.days_max, empty.topics) == (None, None, [])
    assert empty.violations == {} and empty.not_classified == []


def test_totals_add_up_across_bodies(october: MonthlyStats) -> None:
    total = october.total
    for m in MEASURES:
        assert total.counts[m.key] == sum(b.counts[m.key] for b in october.bodies), m.key
        assert total.previous[m.key] == sum(b.previous[m.key] for b in october.bodies), m.key
    assert total.counts["received"] == 19
    # Median over all rows, not a median of medians: 11 values of body A and 2 of body B.
    assert (total.days_median, total.days_max) == (1.0, 6)
    assert total.topics[0] == ("Социальный контракт", 5)


def test_every_row_is_in_exactly_one_final_state(october: MonthlyStats) -> None:
    for body in [*october.bodies, october.total]:
        assert sum(body.states.values()) == body.counts["received"], body.body
        grouped = sum(sum(body.counts[m] for m in members) for _, _, members in STATE_GROUPS)
        assert grouped == body.counts["received"]
        c = body.counts
        assert c["decided"] == c["rejected"] + c["appointed"]
        assert c["decided"] == c["decided_on_time"] + c["decided_late"] + c["decided_undated"]
        assert c["received"] == (c["pending"] + c["rejected"] + c["appointed"]
                                 + c["not_classified"])


def test_broken_cells_are_not_classified_and_listed(october: MonthlyStats) -> None:
    a = october.bodies[0]
    # Rows numbered 14 and 15 sit on sheet rows 19 and 20 (data starts on row 6).
    assert a.not_classified == [RowRef("Орган А", "Орган А", 19, "E19"),
                                RowRef("Орган А", "Орган А", 20, "G20")]
    assert october.total.not_classified == a.not_classified
    # The row whose date of receipt does not parse belongs to no month: listed, not counted.
    assert october.undated == [RowRef("Орган А", "Орган А", 21, "B21")]


def test_previous_month_is_seen_at_its_end(october: MonthlyStats) -> None:
    a = october.bodies[0]
    # Row 17: received 30.09, decided 01.10 — still under review when September ended.
    assert a.previous["received"] == 1
    assert a.previous["pending"] == 1
    assert a.previous["appointed"] == 0
    assert a.change("received") == 16


def test_violations_open_at_month_end(october: MonthlyStats) -> None:
    a = october.bodies[0]
    # Row 20 was due 08.10 and had no decision at the end of October.
    assert a.violations["decision-overdue"] == 1
    assert a.violations["cell-unknown-value"] == 1
    assert a.violations["cell-invalid-datetime"] == 1
    assert a.violations["cell-invalid-date"] == 1
    # Row 10 was held on 03.11: at the end of October its outcome was not there yet, so it is
    # not a premature outcome; row 11 was decided on 02.11, so not a decision either.
    assert "outcome-premature" not in a.violations
    assert a.counts["violations"] == sum(a.violations.values())
    # Warnings are not violations: decision-late (row 3) is a warning.
    assert "decision-late" not in a.violations
    # At the end of September only the unreadable date of row 16 was open (it has no date to
    # tell when it was written); row 17 was not due yet.
    assert a.previous["violations"] == 1


def test_current_month_is_taken_as_it_stands(fixture_path: Path) -> None:
    now = dt.datetime(2026, 11, 10, 12, 0)
    stats = stats_for([str(fixture_path)], Config(), Month(2026, 11), Clock.at(now))
    assert not stats.complete
    assert stats.as_of == now
    a = stats.bodies[0]
    assert a.counts["received"] == 1  # row 18
    assert a.counts["pending"] == 1
    assert a.previous["received"] == 17  # October at its end
    # October seen from November: row 10's reception was held on 03.11.
    october_now = stats_for([str(fixture_path)], Config(), OCTOBER, Clock.at(now))
    assert october_now.complete
    assert october_now.bodies[0].counts["held"] == 2  # the month end still rules


def test_month_ahead_is_refused(fixture_path: Path) -> None:
    with pytest.raises(StatsError, match="еще не наступил"):
        stats_for([str(fixture_path)], Config(), Month(2026, 12), Clock.at(TODAY))


def test_month_without_rows(fixture_path: Path) -> None:
    stats = stats_for([str(fixture_path)], Config(), Month(2025, 3), Clock.at(TODAY))
    assert stats.complete
    for body in [*stats.bodies, stats.total]:
        assert body.counts["received"] == 0
        assert sum(body.states.values()) == 0
        assert body.topics == []
        assert body.days_median is None


def test_body_filter(fixture_path: Path) -> None:
    stats = stats_for([str(fixture_path)], Config(), OCTOBER, Clock.at(TODAY), only=["орган б"])
    assert [b.body for b in stats.bodies] == ["Орган Б"]
    assert stats.total.counts["received"] == 2


def test_for_body_narrows_the_report(october: MonthlyStats) -> None:
    one = october.for_body("Орган А")
    assert one.bodies == [october.bodies[0]]
    assert one.total is october.bodies[0]
    assert one.undated == october.undated
    assert october.for_body("Орган Б").undated == []
    with pytest.raises(KeyError):
        october.for_body("Нет такого")


def test_json_contract(october: MonthlyStats) -> None:
    data = october.to_dict()
    assert data["format"] == "vks-stats/1"
    assert data["month"] == "2026-10" and data["previous_month"] == "2026-09"
    assert data["complete"] is True and data["as_of"] == "2026-10-31T23:59"
    assert data["states"] == list(STATES)
    a = data["bodies"][0]
    assert a["counts"]["received"] == 17 and a["change"]["received"] == 16
    assert a["decision_days"] == {"median": 1.0, "max": 6}
    assert a["topics"][0] == {"topic": "Социальный контракт", "count": 5}
    overdue = next(v for v in a["violations"] if v["code"] == "decision-overdue")
    assert overdue == {"code": "decision-overdue", "clause": "2.5",
                       "title": "Просрочено решение", "count": 1}
    assert a["not_classified"][0] == {"body": "Орган А", "sheet": "Орган А", "row": 19,
                                      "cells": "E19"}


# The demo journal: a larger, independent check ---------------------------------------------


def _reference_state(app: Application, limit: dt.datetime | None,
                     calendar: WorkingCalendar) -> str:
    """The partition rule written row by row, to check the vectorised one against."""
    if any(key in app.invalid for key in STATE_KEYS):
        return "not_classified"
    decided = app.decision is not None and not (
        limit is not None and app.decision_date is not None
        and app.decision_date > limit.date())
    if not decided:
        return "pending"
    if app.decision is Decision.REJECTED:
        return {Ground.OUT_OF_COMPETENCE: "rejected_out_of_competence",
                Ground.OFFENSIVE: "rejected_offensive",
                Ground.TOPIC_UNCLEAR: "rejected_topic_unclear",
                Ground.REPEATED: "rejected_repeated", None: "rejected_no_ground"}[app.ground]
    if app.outcome is not None:
        moment = outcome_moment(app, calendar)
        if limit is None or moment is None or moment <= limit:
            return {Outcome.HELD: "held", Outcome.DECLINED: "cancelled_declined",
                    Outcome.UNCONFIRMED: "cancelled_unconfirmed",
                    Outcome.NO_SHOW: "interrupted_no_show",
                    Outcome.NOT_IDENTIFIED: "interrupted_not_identified",
                    Outcome.ABUSE: "interrupted_abuse",
                    Outcome.RESCHEDULED: "rescheduled",
                    Outcome.HELD_UNIDENTIFIED: "held_unidentified"}[app.outcome]
    return "awaiting"


def test_vectorised_partition_matches_row_by_row_rule(
        demo: tuple[Path, Manifest], config: Config) -> None:
    path, manifest = demo
    calendar = calendar_for(config)
    journals = read_journals(open_source(str(path), config), config)
    frame = frame_of(journals, calendar)
    now = dt.datetime.combine(manifest.today, dt.time(12))
    months = {Month.of(a.received) for j in journals for a in j.applications if a.received}
    assert len(months) >= 4
    counted = 0
    for month in sorted(months):
        stats = monthly_stats(frame, month, calendar, now)
        limit = stats.as_of if stats.complete else None
        for journal, body in zip(journals, stats.bodies, strict=True):
            expected = Counter(
                _reference_state(app, limit, calendar) for app in journal.applications
                if app.received and Month.of(app.received) == month)
            assert {k: v for k, v in body.states.items() if v} == dict(expected), \
                (month, body.body)
        counted += stats.total.counts["received"]
    # Every application of the demo is counted in exactly one month, or listed as undated.
    total_rows = sum(len(j.applications) for j in journals)
    assert counted + len(stats.undated) == total_rows
    assert stats.undated, "the demo spoils some dates of receipt"


def test_demo_totals_reconcile_in_every_month(demo: tuple[Path, Manifest],
                                              config: Config) -> None:
    path, manifest = demo
    journals = read_journals(open_source(str(path), config), config)
    for month in (Month(2026, 8), Month(2026, 9), Month(2026, 10), Month(2026, 11)):
        stats = collect_stats(journals, month, Clock.at(manifest.today), calendar_for(config))
        total = stats.total
        assert sum(total.states.values()) == total.counts["received"] > 0
        assert total.counts["violations"] == sum(
            b.counts["violations"] for b in stats.bodies) > 0


def test_journal_as_of_takes_back_later_facts(fixture_path: Path) -> None:
    config = Config()
    calendar = calendar_for(config)
    journal = read_journals(open_source(str(fixture_path), config), config, ["Орган А"])[0]
    seen = journal_as_of(journal, dt.datetime(2026, 10, 31, 23, 59), calendar)
    by_number = {app.number: app for app in seen.applications}
    assert 18 not in by_number  # received in November
    assert 16 in by_number  # no readable date: kept, its error is still open
    assert by_number[11].decision is None and by_number[11].appointment is None
    assert by_number[10].outcome is None and by_number[10].decision is Decision.APPOINTED
    assert by_number[1].outcome is Outcome.HELD
    original = {app.number: app for app in journal.applications}
    assert original[11].decision is Decision.APPOINTED  # the journal itself is untouched


def test_outcome_moment_for_each_kind(fixture_path: Path) -> None:
    config = Config()
    calendar = calendar_for(config)
    journal = read_journals(open_source(str(fixture_path), config), config, ["Орган А"])[0]
    by_number = {app.number: app for app in journal.applications}
    assert outcome_moment(by_number[1], calendar) == dt.datetime(2026, 10, 7, 10)
    assert outcome_moment(by_number[4], calendar) == dt.datetime(2026, 10, 6, 15)  # answer
    # No answer: notice 06.10, confirmation due 07.10, cancelled from 08.10 (cl. 2.6, 2.7).
    assert outcome_moment(by_number[5], calendar) == dt.datetime(2026, 10, 8)
    assert outcome_moment(by_number[12], calendar) is None


def test_frame_columns_and_topics(fixture_path: Path) -> None:
    config = Config()
    journals = read_journals(open_source(str(fixture_path), config), config)
    frame = frame_of(journals, calendar_for(config))
    assert list(frame["body"].cat.categories) == ["Орган А", "Орган Б", "Орган В"]
    assert len(frame) == 22
    # Topics typed differently are one topic, shown as first written.
    topics = set(frame["topic"].dropna())
    assert "Социальный контракт" in topics
    assert not any(t != " ".join(t.split()) for t in topics)
    assert frame["broken"].sum() == 2


def test_a_specialist_is_one_person_in_the_statistics_as_in_the_check() -> None:
    """The statistics group spellings as `vks check` does (surname and initials)."""
    from toolkit.journal.specialists import specialist_key
    from toolkit.stats.frame import _spellings
    from toolkit.stats.specialists import specialist_name

    typed = ["Тарасов Е.П.", "Тарасов ЕП", "тарасов  е.п.", "Е.П. Тарасов",
             "Мамедов Р.", "Мамедов Рафик оглы", "Тарасов Е.А."]
    shown = _spellings(typed, specialist_name, specialist_key)
    assert set(shown.values()) == {"Тарасов Е.П.", "Мамедов Р.", "Тарасов Е.А."}
    assert shown["Тарасов ЕП"] == "Тарасов Е.П." and shown["Мамедов Рафик оглы"] == "Мамедов Р."
