"""The cases staff get wrong (RULES.md «Cases that need care»): one small journal each."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from test_rules import awaiting, complete, findings

from toolkit.journal.calendar import WorkingCalendar
from toolkit.journal.config import Body, Config
from toolkit.journal.schema import Answer, Outcome
from toolkit.sources.open import check

D, DT = dt.date, dt.datetime


def test_confirmation_after_the_window_is_late() -> None:
    # Notice Tuesday 03.11 → confirm by Thursday 05.11 (04.11 is a holiday).
    assert findings(complete(answered_at=DT(2026, 11, 5, 17))) == []
    late = complete(answered_at=DT(2026, 11, 6, 9), appointment=DT(2026, 11, 9, 10))
    assert findings(late) == [(6, "confirmation-late")]


def test_cancellation_while_the_window_is_open() -> None:
    # Notice Wednesday 25.11 → confirm by Thursday 26.11.
    cancelled = awaiting(outcome=Outcome.UNCONFIRMED)
    assert findings(cancelled, today=D(2026, 11, 26)) == [(6, "cancellation-premature")]
    assert findings(cancelled, today=D(2026, 11, 27)) == []


def test_outcome_against_the_answer() -> None:
    confirmed = complete(outcome=Outcome.UNCONFIRMED, recording="")
    declined = complete(7, outcome=Outcome.DECLINED, recording="",
                        appointment=DT(2026, 11, 5, 11))
    assert findings(confirmed, declined) == [(6, "cancellation-contradicts-confirmation"),
                                             (7, "cancellation-contradicts-confirmation")]
    for outcome in (Outcome.HELD, Outcome.HELD_UNIDENTIFIED):
        unanswered = complete(outcome=outcome, answer=None, answered_at=None)
        assert findings(unanswered) == [(6, "held-without-confirmation")]
    really_declined = complete(outcome=Outcome.DECLINED, answer=Answer.DECLINED, recording="")
    assert findings(really_declined) == []


def test_appointment_before_the_window_closes() -> None:
    # Notice Wednesday 25.11, window Thursday 26.11: a session that day leaves no time.
    early = awaiting(appointment=DT(2026, 11, 26, 15))
    assert findings(early, today=D(2026, 11, 25)) == [
        (6, "appointment-inside-window"), (6, "confirmation-due")]
    assert findings(awaiting(appointment=DT(2026, 11, 27, 10)), today=D(2026, 11, 25)) == [
        (6, "confirmation-due")]


def test_no_cancellation_planned_for_a_session_past() -> None:
    # Unconfirmed (window closed 26.11) and the session of 27.11 10:00 has begun.
    app = awaiting(appointment=DT(2026, 11, 27, 10))
    assert findings(app, today=D(2026, 11, 27), now=DT(2026, 11, 27, 9)) == [
        (6, "confirmation-overdue")]
    assert findings(app, today=D(2026, 11, 27), now=DT(2026, 11, 27, 10)) == [
        (6, "unconfirmed-session-passed")]


def test_no_show_needs_ten_minutes() -> None:
    at = DT(2026, 12, 2, 10, 0)
    no_show = awaiting(appointment=at, outcome=Outcome.NO_SHOW, answer=Answer.CONFIRMED,
                       answered_at=DT(2026, 11, 25, 17))
    assert findings(no_show, today=at.date(), now=at + dt.timedelta(minutes=9)) == [
        (6, "no-show-too-early")]
    assert findings(no_show, today=at.date(), now=at + dt.timedelta(minutes=10)) == []
    no_show.note = "Гражданин подключился в 10:06, связь прервалась"
    assert findings(no_show, today=D(2026, 12, 3)) == [(6, "no-show-too-early")]
    no_show.note = "подключилась в 10.12, после ожидания"
    assert findings(no_show, today=D(2026, 12, 3)) == []


def test_rescheduled_reception_is_checked_like_an_appointment() -> None:
    body = Body("Орган", "Орган", lunch=(dt.time(13), dt.time(14)))
    moved = {"outcome": Outcome.RESCHEDULED, "recording": ""}
    assert findings(complete(**moved)) == [(6, "rescheduled-time-missing")]
    assert findings(complete(**moved, rescheduled_to=DT(2026, 11, 9, 10))) == []
    assert findings(complete(**moved, rescheduled_to=DT(2026, 11, 8, 10))) == [
        (6, "rescheduled-off-day")]
    assert findings(complete(**moved, rescheduled_to=DT(2026, 11, 9, 13, 10)), body=body) == [
        (6, "rescheduled-off-hours")]
    # The new time holds the specialist: another session then overlaps it.
    other = complete(7, appointment=DT(2026, 11, 9, 10, 5), specialist="Тарасов Е.П.")
    assert findings(complete(**moved, rescheduled_to=DT(2026, 11, 9, 10)), other) == [
        (7, "slot-overlap")]


def test_one_specialist_however_written() -> None:
    first = complete(6, appointment=DT(2026, 11, 5, 10, 0), specialist="Тарасов Е.П.")
    second = complete(7, appointment=DT(2026, 11, 5, 10, 10))  # Тарасов Евгений Павлович
    assert findings(first, second) == [(7, "slot-overlap")]


def test_specialist_not_on_the_roster() -> None:
    body = Body("Орган", "Орган", specialists=("Тарасов Евгений Павлович",))
    assert findings(complete(specialist="Тарасов Е. П."), body=body) == []
    assert findings(complete(specialist="Осипова В.С."), body=body) == [
        (6, "specialist-unknown")]
    assert findings(complete(specialist="Осипова В.С.")) == []  # no roster: not checked


def test_links_and_phones() -> None:
    assert findings(complete(link="https://telemost.360.yandex.ru/j/123")) == []
    assert findings(complete(link="https://zoom.us/j/123")) == [(6, "link-not-telemost")]
    assert findings(complete(phone="")) == [(6, "phone-missing")]
    assert findings(complete(phone="+7 (913) 000-00-00, 8 913 000 00 01")) == [
        (6, "phone-implausible")]
    # A Cyrillic «а» typed into a Latin domain: the contacts pattern catches it.
    assert findings(complete(email="petrova@mаil.ru")) == [(6, "email-implausible")]


def test_shortened_pre_holiday_day(journal_file) -> None:  # type: ignore[no-untyped-def]
    # 22.02.2024 (before 23 February) ends at 17:00, not 18:00 (Labour Code art. 95).
    rows = []
    for n, when in enumerate((DT(2024, 2, 22, 17, 30), DT(2024, 2, 21, 17, 30),
                              DT(2024, 3, 7, 17, 30), DT(2024, 6, 11, 16, 30)), start=1):
        rows.append({"number": n, "received": D(2024, 2, 19), "citizen": "Петрова Анна Сергеевна",
                     "topic": "Вопрос", "decision": "Назначен прием",
                     "decision_date": D(2024, 2, 19), "appointment": when,
                     "specialist": "Тарасов Е.П.",
                     "phone": "+7 913 000-00-00", "email": "a@mail.ru",
                     "consent_data": "Да", "consent_video": "Да",
                     "link": "https://telemost.yandex.ru/j/1",
                     "notice_sent": DT(2024, 2, 19, 11), "answer": "Подтвердил участие",
                     "answered_at": DT(2024, 2, 19, 15), "outcome": "Прием проведен",
                     "recording": "1.mp4"})
    path: Path = journal_file({"Орган": rows})
    report = check(str(path), Config(), D(2024, 7, 1))
    first = min(f.row for f in report.findings if f.row)  # the first data row has a finding
    found = [(f.row - first, f.code, f.params.get("hours")) for f in report.findings
             if f.code.startswith("appointment-off")]
    shortened = "09:00–17:00, предпраздничный день короче на час, перерыв 13:00–14:00"
    assert found == [(0, "appointment-off-hours", shortened),
                     (2, "appointment-off-hours", shortened)]
    assert WorkingCalendar().is_shortened(D(2024, 3, 7))
