"""The rules: every rule caught in its known demo row, and the edges of each deadline."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from conftest import TODAY

from toolkit.journal.calendar import WorkingCalendar
from toolkit.journal.config import Body, Config
from toolkit.journal.control import control_text
from toolkit.journal.findings import CATALOGUE, CODES, Severity
from toolkit.journal.model import Application, Journal
from toolkit.journal.rules import Context, run_rules
from toolkit.journal.schema import Answer, Consent, Decision, Ground, Outcome
from toolkit.sources.demo import Manifest, make_demo
from toolkit.sources.open import check

D, DT = dt.date, dt.datetime
CAL = WorkingCalendar()
# Codes the demo does not plant: they need a hostile workbook (see test_reader.py), a year
# whose production calendar is not published, or applications from the website (intake's, see
# tests/test_intake_run.py).
NOT_IN_DEMO = {"cell-formula", "cell-merged", "cell-control-chars", "cell-too-long",
               "calendar-unknown", "unrouted-due", "repeat-question",
               "specialist-unknown",  # needs a roster in the config: tests/test_rules_care.py
               "header-mismatch"}  # a broken header: tests/test_cli.py, tests/test_reader.py


def test_every_rule_caught_in_its_demo_row(demo: tuple[Path, Manifest]) -> None:
    path, manifest = demo
    report = check(str(path), Config(), TODAY)
    found = {(f.sheet, f.row, f.code) for f in report.findings}
    planted = {(sheet, row, code) for sheet, codes in manifest.rows.items()
               for code, rows in codes.items() for row in rows}
    assert planted <= found, sorted(planted - found)
    assert {code for _, _, code in planted} == set(CODES) - NOT_IN_DEMO
    # Messages are complete sentences: every template filled, no personal data echoed.
    for f in report.findings:
        assert "{" not in f.message and "}" not in f.message
        assert f.clause == CODES[f.code].clause


@pytest.mark.parametrize("today", [D(2024, 1, 9), D(2025, 5, 12), D(2026, 1, 12), D(2027, 3, 1)])
def test_demo_answer_key_holds_around_holidays(tmp_path: Path, today: dt.date) -> None:
    path = tmp_path / "демо.xlsx"
    manifest = make_demo(path, rows=50, seed=11, today=today)
    found = {(f.sheet, f.row, f.code) for f in check(str(path), Config(), today).findings}
    missing = [(s, r, c) for s, codes in manifest.rows.items() for c, rows in codes.items()
               for r in rows if (s, r, c) not in found]
    assert missing == []


def test_catalogue_is_consistent() -> None:
    assert len(CODES) == len(CATALOGUE)
    for code in CATALOGUE:
        assert code.code == code.code.lower() and " " not in code.code
        assert code.title and code.template
        assert code.clause in {"—", "прил. 1"} or code.clause[0].isdigit()


def findings(*apps: Application, today: dt.date = TODAY,
             now: dt.datetime | None = None, body: Body | None = None,
             calendar: WorkingCalendar = CAL) -> list[tuple[int, str]]:
    journal = Journal(body or Body("Орган", "Орган"), "Орган", "x", list(apps), [])
    ctx = Context(journal, calendar, today, now or DT(today.year, today.month, today.day))
    return sorted((f.row or 0, f.code) for f in run_rules(ctx))


def complete(row: int = 6, **fields: object) -> Application:
    """A row with nothing wrong in it: a held reception, recorded."""
    values: dict[str, object] = {
        "number": row, "received": D(2026, 11, 2), "citizen": "Петрова Анна Сергеевна",
        "topic": "Социальный контракт", "decision": Decision.APPOINTED,
        "decision_date": D(2026, 11, 3),
        "appointment": DT(2026, 11, 5, 10, 0), "specialist": "Тарасов Евгений Павлович",
        "outcome": Outcome.HELD, "phone": "+7 (913) 000-00-00", "email": "petrova@mail.ru",
        "consent_data": Consent.YES, "consent_video": Consent.YES,
        "link": "https://telemost.yandex.ru/j/1", "notice_sent": DT(2026, 11, 3, 11),
        "answer": Answer.CONFIRMED, "answered_at": DT(2026, 11, 3, 15),
        "recording": "\\\\srv\\1.mp4"}
    values.update(fields)
    return Application(row, **values)  # type: ignore[arg-type]


def pending(row: int, received: dt.date) -> Application:
    return complete(row, received=received, decision=None, decision_date=None,
                    appointment=None, specialist="", outcome=None, link="", notice_sent=None,
                    answer=None, answered_at=None, recording="")


def test_a_complete_row_has_no_findings() -> None:
    assert findings(complete()) == []


def test_decision_deadline_edges() -> None:
    # Received Friday 20.11.2026: 5 working days → due Friday 27.11.2026.
    assert findings(pending(6, D(2026, 11, 20)), today=D(2026, 11, 26)) == [(6, "decision-due")]
    assert findings(pending(6, D(2026, 11, 20)), today=D(2026, 11, 27)) == [(6, "decision-due")]
    assert findings(pending(6, D(2026, 11, 20)), today=D(2026, 11, 28)) == [
        (6, "decision-overdue")]
    # Due Monday 30.11 is "the next working day" on Friday 27.11: warn now, not on Monday.
    assert findings(pending(6, D(2026, 11, 23)), today=D(2026, 11, 27)) == [(6, "decision-due")]
    assert findings(pending(6, D(2026, 11, 23)), today=D(2026, 11, 25)) == []
    # Received Monday 02.11, 04.11 is a holiday: due Tuesday 10.11; decided on the 11th.
    late = complete(decision_date=D(2026, 11, 11), appointment=DT(2026, 11, 12, 10),
                    notice_sent=DT(2026, 11, 11, 11), answered_at=DT(2026, 11, 11, 15))
    [(_row, code)] = findings(late)
    assert code == "decision-late" and CODES[code].severity is Severity.WARNING


def test_new_year_deadline_crosses_the_holidays() -> None:
    # 31.12.2025 and 01–11.01.2026 are days off: 5 working days from 30.12 end on 16.01.
    app = pending(6, D(2025, 12, 30))
    assert findings(app, today=D(2026, 1, 12)) == []
    assert findings(app, today=D(2026, 1, 15)) == [(6, "decision-due")]
    assert findings(app, today=D(2026, 1, 16)) == [(6, "decision-due")]
    assert findings(app, today=D(2026, 1, 17)) == [(6, "decision-overdue")]


def test_unknown_calendar_year_is_warned() -> None:
    found = findings(pending(6, D(2099, 12, 28)), today=D(2099, 12, 28))
    assert (0, "calendar-unknown") in found


def awaiting(**fields: object) -> Application:
    base: dict[str, object] = {"outcome": None, "answer": None, "answered_at": None,
                               "recording": "", "appointment": DT(2026, 12, 2, 10, 0),
                               "notice_sent": DT(2026, 11, 25, 16, 0)}
    base.update(fields)
    return complete(**base)


def test_confirmation_window_and_cancellation() -> None:
    # Notice on Wednesday 25.11 → the citizen confirms by Thursday 26.11.
    assert findings(awaiting(), today=D(2026, 11, 26)) == [(6, "confirmation-due")]
    assert findings(awaiting(), today=D(2026, 11, 27)) == [(6, "confirmation-overdue")]
    declined = awaiting(answer=Answer.DECLINED, answered_at=DT(2026, 11, 25, 18))
    assert findings(declined, today=D(2026, 11, 26)) == [(6, "cancellation-not-recorded")]
    assert findings(awaiting(answer=Answer.CONFIRMED), today=D(2026, 11, 27)) == []
    recorded = awaiting(outcome=Outcome.UNCONFIRMED)
    assert findings(recorded, today=D(2026, 12, 10)) == []


def test_control_text_lists_the_rows_flags() -> None:
    from toolkit.journal.findings import finding

    flags = [finding("decision-overdue", "Орган", "Орган", 6, "E6", D(2026, 11, 20)),
             finding("decision-late", "Орган", "Орган", 6, "F6", D(2026, 11, 20),
                     decision_date="21.11.2026"),
             finding("cell-formula-like", "Орган", "Орган", 6, "D6", column="графа 4",
                     char="="),
             finding("consent-missing", "Орган", "Орган", 6, "P6", column="x", what="y"),
             finding("consent-missing", "Орган", "Орган", 6, "Q6", column="x", what="y")]
    # A settled lapse (decision-late) is not a flag; errors come first; each cell once.
    assert control_text(flags).split("\n") == [
        "Ошибка. Графа 5 «Решение» (E6): принять решение — срок истек 20.11.2026 (п. 2.5).",
        "Ошибка. Столбец «Эл. почта» (P6): отметить согласие гражданина y; без него прием не "
        "проводится (п. 2.2).",
        "Ошибка. Столбец «Согласие на обработку ПДн» (Q6): отметить согласие гражданина y; без "
        "него прием не проводится (п. 2.2).",
        "Внимание. Графа 4 «Тематика вопроса» (D6): убрать знак «=» в начале текста.",
    ]


def test_outcome_after_the_session() -> None:
    app = awaiting(answer=Answer.CONFIRMED, answered_at=DT(2026, 11, 25, 17))
    at = DT(2026, 12, 2, 10, 14)
    assert findings(app, today=at.date(), now=at) == []
    at = DT(2026, 12, 2, 10, 15)
    assert findings(app, today=at.date(), now=at) == [(6, "outcome-missing")]
    early = complete(appointment=DT(2026, 12, 2, 10, 0))
    assert findings(early, today=D(2026, 12, 1)) == [(6, "outcome-premature")]
    rescheduled = complete(appointment=DT(2026, 12, 2, 10, 0), outcome=Outcome.RESCHEDULED,
                           recording="", rescheduled_to=DT(2026, 12, 3, 11, 0))
    assert findings(rescheduled, today=D(2026, 12, 1)) == []


def test_slots_of_one_specialist() -> None:
    first = complete(6, appointment=DT(2026, 11, 5, 10, 0))
    touching = complete(7, appointment=DT(2026, 11, 5, 10, 15))
    overlapping = complete(8, appointment=DT(2026, 11, 5, 10, 29),
                           specialist=" тарасов  Евгений павлович")
    other = complete(9, appointment=DT(2026, 11, 5, 10, 5), specialist="Осипова В.С.")
    cancelled = complete(10, appointment=DT(2026, 11, 5, 10, 5), outcome=Outcome.DECLINED,
                         recording="", answer=Answer.DECLINED)
    assert findings(first, touching, overlapping, other, cancelled) == [(8, "slot-overlap")]


def test_schedule_of_the_body() -> None:
    body = Body("Орган", "Орган", lunch=(dt.time(13), dt.time(14)))
    ok = complete(appointment=DT(2026, 11, 5, 12, 45))
    lunch = complete(7, appointment=DT(2026, 11, 5, 12, 50), specialist="Осипова В.С.")
    evening = complete(8, appointment=DT(2026, 11, 6, 16, 50))  # Friday closes at 17:00
    holiday = complete(9, appointment=DT(2026, 11, 4, 10, 0))  # Unity Day
    assert findings(ok, lunch, evening, holiday, body=body) == [
        (7, "appointment-off-hours"), (8, "appointment-off-hours"),
        (9, "appointment-off-day")]
    saturday = complete(appointment=DT(2025, 11, 1, 10, 0), received=D(2025, 10, 27),
                        decision_date=D(2025, 10, 28), notice_sent=DT(2025, 10, 28, 11),
                        answered_at=DT(2025, 10, 28, 15))
    assert findings(saturday, today=D(2025, 11, 5), body=body) == []  # a working Saturday


def test_rejection_needs_one_of_four_grounds() -> None:
    rejected = complete(decision=Decision.REJECTED, appointment=None, specialist="", link="",
                        outcome=None, notice_sent=None, answer=None, answered_at=None,
                        recording="", ground=Ground.REPEATED)
    assert findings(rejected) == []
    assert findings(complete(6, decision=Decision.REJECTED, appointment=None, outcome=None,
                             notice_sent=None, answered_at=None, recording="")) == [
        (6, "ground-missing")]


def test_recording_retention_two_years() -> None:
    app = complete(appointment=DT(2024, 2, 29, 10, 0), received=D(2024, 2, 26),
                   decision_date=D(2024, 2, 27), notice_sent=DT(2024, 2, 27, 11),
                   answered_at=DT(2024, 2, 27, 15))
    assert findings(app, today=D(2026, 2, 28)) == []
    [(_, code)] = findings(app, today=D(2026, 3, 1))
    assert code == "recording-expired"
    # Once destroyed and marked so in the cell, the row is settled.
    app.recording = "Уничтожена 02.03.2026, акт № 5"
    assert findings(app, today=D(2026, 3, 3)) == []


def test_contacts_and_names() -> None:
    bad = complete(phone="12-34", email="petrova@mail", citizen="Petrova Anna")
    assert findings(bad) == [(6, "citizen-implausible"), (6, "email-implausible"),
                             (6, "phone-implausible")]
    fine = complete(phone="8 (3842) 00-00-00 доб. 12", citizen="Мамедов Ильхам Алиевич оглы")
    assert findings(fine) == []
    hyphen = complete(citizen="Римский-Корсаков Андрей Львович")
    assert findings(hyphen) == []
    spaced = complete(citizen="Петрова  Анна\tСергеевна")  # doubled space, a tab: still a name
    assert findings(spaced) == []


def test_duplicate_numbers() -> None:
    assert findings(complete(6), complete(7, number=6,
                                          appointment=DT(2026, 11, 5, 11))) == [
        (7, "number-duplicate")]


@pytest.mark.parametrize("text", [
    "уничтожена 15.03.2027", "Уничтожена", "УНИЧТОЖЁН", "уничтоЖЕНА", "уничтожено",
    "уничтож", "  уничтожена", "уничтожа", "запись.mp4", "", "не уничтожена"])
def test_a_destroyed_recording_reads_the_same_in_a_column_as_in_one_cell(text: str) -> None:
    import polars as pl

    from toolkit.journal.rules.retention import DESTROYED_PATTERN, destroyed

    assert pl.Series([text]).str.contains(DESTROYED_PATTERN)[0] is destroyed(text)
