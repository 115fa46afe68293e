"""A realistic demo journal in which every rule is broken at least once, in known rows.

    manifest = make_demo(Path("демо.xlsx"), rows=40, seed=1, today=dt.date(2026, 11, 28))
    manifest.rows["Министерство"]["decision-overdue"]   # → [17]

Applications follow the order's lifecycle — received on working days across holidays and
transferred days, decided within 5 working days, appointments inside working hours, notices,
confirmations, outcomes, recordings — and then chosen rows are spoiled, one rule each. The same
seed and day give the same file, byte for byte.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from toolkit.journal.calendar import WorkingCalendar
from toolkit.journal.config import Body
from toolkit.journal.schema import (
    FIRST_DATA_ROW,
    Answer,
    Consent,
    Decision,
    Ground,
    Outcome,
)
from toolkit.sources.demo_care import care_spoilers, rescheduled_time
from toolkit.sources.demo_people import (
    FEMALE,
    MALE,
    SPECIALISTS,
    STREETS,
    TOPICS,
    Row,
    translit,
    typed_variants,
)

DEMO_BODIES = (
    Body(name="Министерство", sheet="Министерство"),
    Body(name="ОСЗН г. Кемерово", sheet="ОСЗН г. Кемерово"),
    Body(name="ГЮБ Кузбасса", sheet="ГЮБ Кузбасса"),
    Body(name="ЦСВ", sheet="ЦСВ"),
)

SLOTS = tuple(
    dt.time(h, m) for h in range(9, 17) for m in (0, 30) if not 13 <= h < 14
)
SLOT_LENGTH = dt.timedelta(minutes=15)  # cl. 3.10


@dataclass
class Manifest:
    """Which rows of which sheet break which rule: the demo's answer key."""

    path: Path
    today: dt.date
    rows: dict[str, dict[str, list[int]]] = field(default_factory=dict)

    def add(self, sheet: str, code: str, row: int) -> None:
        self.rows.setdefault(sheet, {}).setdefault(code, []).append(row)




class _Generator:
    def __init__(self, seed: int, today: dt.date, calendar: WorkingCalendar,
                 window: int = 120) -> None:
        self.window = window  # receipt dates fall within this many days before today
        self.rnd = random.Random(seed)
        self.today = today
        self.cal = calendar
        self.busy: set[tuple[str, dt.datetime]] = set()

    def working_day_before(self, days_back: int) -> dt.date:
        day = self.today - dt.timedelta(days=days_back)
        while not self.cal.is_working_day(day):
            day -= dt.timedelta(days=1)
        return day

    def slot(self, after: dt.date, specialist: str) -> dt.datetime:
        day = self.cal.add(after, self.rnd.randint(1, 4))
        while True:
            # A pre-holiday day ends an hour early (cl. 1.2, art. 95): no slot past its end.
            hours = self.cal.hours(day, Body.hours)
            last = dt.datetime.combine(day, hours[1]) - SLOT_LENGTH if hours else None
            for time in self.rnd.sample(SLOTS, len(SLOTS)):
                moment = dt.datetime.combine(day, time)
                if last is not None and moment > last:
                    continue
                if (specialist, moment) not in self.busy:
                    self.busy.add((specialist, moment))
                    return moment
            day = self.cal.next_working_day(day)

    def application(self, number: int, specialists: list[str]) -> Row:
        rnd = self.rnd
        surname, name, patronymic = rnd.choice(MALE if rnd.random() < 0.45 else FEMALE)
        received = self.working_day_before(rnd.randint(6, self.window))
        submitted = received - dt.timedelta(days=rnd.choice((0, 0, 1)))
        city, street = rnd.choice(STREETS)
        row: Row = {
            "number": number,
            "received": received,
            "citizen": f"{surname} {name} {patronymic}",
            "topic": rnd.choice(TOPICS),
            "submitted": submitted,
            "address": f"Кемеровская область – Кузбасс, {city}, {street}, "
                       f"д. {rnd.randint(1, 120)}, кв. {rnd.randint(1, 240)}",
            "phone": f"+7 9{rnd.randint(0, 99):02d} {rnd.randint(100, 999)}-"
                     f"{rnd.randint(10, 99)}-{rnd.randint(10, 99)}",
            "email": f"{translit(surname)}.{translit(name)[0]}{rnd.randint(1, 99)}@mail.ru",
            "consent_data": Consent.YES.label,
            "consent_video": Consent.YES.label,
        }
        decided = self.cal.add(received, rnd.randint(1, 5))
        if decided >= self.today:
            return row  # still under review
        row["decision_date"] = decided
        specialist = rnd.choice(specialists)
        if rnd.random() < 0.15:
            row["decision"] = Decision.REJECTED.label
            row["ground"] = rnd.choice(list(Ground)).label
            row["specialist"] = specialist  # who reviewed it signs the decision (App. 2)
            return row
        when = self.slot(decided, specialist)
        row.update({
            "decision": Decision.APPOINTED.label,
            "appointment": when,
            "specialist": specialist,
            "link": f"https://telemost.yandex.ru/j/{rnd.randint(10**13, 10**14 - 1)}",
            "notice_sent": dt.datetime.combine(decided, dt.time(rnd.randint(10, 16), 0)),
        })
        answer_day = self.cal.add(decided, 1)
        if answer_day >= self.today:
            return row  # waiting for the citizen
        roll = rnd.random()
        if roll < 0.07:
            row["answer"] = Answer.DECLINED.label
            row["answered_at"] = dt.datetime.combine(decided, dt.time(17, 40))
            row["outcome"] = Outcome.DECLINED.label
            return row
        if roll < 0.12:
            row["outcome"] = Outcome.UNCONFIRMED.label
            row["note"] = "Подтверждение не поступило, прием отменен (п. 2.7)"
            return row
        row["answer"] = Answer.CONFIRMED.label
        row["answered_at"] = dt.datetime.combine(answer_day, dt.time(9, rnd.randint(0, 59)))
        if when.date() >= self.today:
            return row  # the session is still ahead
        roll = rnd.random()
        if roll < 0.78:
            row["outcome"] = Outcome.HELD.label
            row["note"] = "Даны разъяснения по существу вопроса"
            row["recording"] = f"\\\\srv-vks\\video\\{when:%Y-%m}\\{number:05d}.mp4"
        elif roll < 0.86:
            row["outcome"] = Outcome.NO_SHOW.label
        elif roll < 0.90:
            row["outcome"] = Outcome.NOT_IDENTIFIED.label
            row["recording"] = f"\\\\srv-vks\\video\\{when:%Y-%m}\\{number:05d}.mp4"
        elif roll < 0.92:
            row["outcome"] = Outcome.ABUSE.label
            row["recording"] = f"\\\\srv-vks\\video\\{when:%Y-%m}\\{number:05d}.mp4"
        else:
            row["outcome"] = Outcome.RESCHEDULED.label
            row["note"] = "Сбой связи; по телефону согласовано новое время (п. 3.5)"
        return row


def _spoilers(g: _Generator) -> list[tuple[str, Callable[[Row, list[Row]], None]]]:
    """One way to break each rule, applied to a row chosen for it."""
    cal, today = g.cal, g.today

    def appointed(row: Row) -> None:
        """Make the row an appointment already confirmed, ahead of today."""
        decided = row.get("decision_date") or cal.add(row["received"], 1)
        specialist = row.get("specialist") or SPECIALISTS[0]
        row.update(decision=Decision.APPOINTED.label, decision_date=decided,
                   appointment=g.slot(today, specialist), specialist=specialist, link="https://telemost.yandex.ru/j/12345678901234",
                   notice_sent=dt.datetime.combine(decided, dt.time(11)),
                   answer=Answer.CONFIRMED.label,
                   answered_at=dt.datetime.combine(decided, dt.time(15)))
        for key in ("ground", "outcome", "note", "recording"):
            row.pop(key, None)

    def pending(row: Row, received: dt.date) -> None:
        for key in ("decision", "decision_date", "appointment", "ground", "specialist", "link",
                    "notice_sent", "answer", "answered_at", "outcome", "note", "recording"):
            row.pop(key, None)
        row["received"] = received
        row["submitted"] = received

    def held_at(row: Row, when: dt.datetime) -> None:
        appointed(row)
        row["received"] = cal.add(when.date() - dt.timedelta(days=10), 1)
        row["submitted"] = row["received"]
        row["decision_date"] = cal.add(row["received"], 1)
        row["notice_sent"] = dt.datetime.combine(row["decision_date"], dt.time(11))
        row["answered_at"] = dt.datetime.combine(row["decision_date"], dt.time(15))
        row["appointment"] = when
        row["outcome"] = Outcome.HELD.label

    def overdue(row: Row, _: list[Row]) -> None:
        day = g.working_day_before(7)
        while cal.add(day, 5) >= today:
            day = g.working_day_before((today - day).days + 1)
        pending(row, day)

    def due_soon(row: Row, _: list[Row]) -> None:
        # received so that the 5th working day is the next working day after today
        day = today - dt.timedelta(days=1)
        while not (cal.is_working_day(day) and cal.add(day, 5) == cal.next_working_day(today)):
            day -= dt.timedelta(days=1)
        pending(row, day)

    def late(row: Row, rows: list[Row]) -> None:
        rejected_without_ground(row, rows)
        pending(row, g.working_day_before(40))
        row.update(decision=Decision.REJECTED.label, ground=Ground.OUT_OF_COMPETENCE.label,
                   decision_date=cal.add(row["received"], 7), specialist=SPECIALISTS[1])

    def unconfirmed(row: Row, _: list[Row]) -> None:
        appointed(row)
        sent = today - dt.timedelta(days=1)
        while not (cal.is_working_day(sent) and cal.add(sent, 1) < today):
            sent -= dt.timedelta(days=1)
        row["notice_sent"] = dt.datetime.combine(sent, dt.time(10))
        row["decision_date"] = row["notice_sent"].date()
        row["received"] = row["decision_date"] - dt.timedelta(days=1)
        row["submitted"] = row["received"]
        row.pop("answer", None)
        row.pop("answered_at", None)

    def awaiting(row: Row, _: list[Row]) -> None:
        unconfirmed(row, _)
        yesterday = today - dt.timedelta(days=1)
        row["notice_sent"] = dt.datetime.combine(yesterday, dt.time(16))
        row["decision_date"] = yesterday
        row["received"] = yesterday - dt.timedelta(days=2)
        row["submitted"] = row["received"]

    def declined(row: Row, _: list[Row]) -> None:
        appointed(row)
        row["answer"] = Answer.DECLINED.label

    def no_outcome(row: Row, _: list[Row]) -> None:
        held_at(row, dt.datetime.combine(g.working_day_before(12), dt.time(14, 30)))
        row.pop("outcome")

    def expired(row: Row, _: list[Row]) -> None:
        held_at(row, dt.datetime.combine(
            cal.add(today.replace(year=today.year - 2) - dt.timedelta(days=40), 1),
            dt.time(10)))
        row["recording"] = "\\\\srv-vks\\video\\архив\\00001.mp4"

    def no_recording(row: Row, _: list[Row]) -> None:
        held_at(row, dt.datetime.combine(g.working_day_before(15), dt.time(15)))
        row.pop("recording", None)

    def premature(row: Row, _: list[Row]) -> None:
        appointed(row)
        row["outcome"] = Outcome.HELD.label

    def off_day(row: Row, _: list[Row]) -> None:
        appointed(row)
        day = cal.add(today, 2)
        while cal.is_working_day(day):
            day += dt.timedelta(days=1)
        row["appointment"] = dt.datetime.combine(day, dt.time(11))

    def off_hours(row: Row, _: list[Row]) -> None:
        appointed(row)
        row["appointment"] = row["appointment"].replace(hour=19, minute=0)

    def overlap(row: Row, clean: list[Row]) -> None:
        # The partner is a clean row made into a valid confirmed appointment; this row takes
        # the same specialist five minutes later.
        partner = clean[-1]
        appointed(partner)
        appointed(row)
        row["specialist"] = partner["specialist"]
        row["appointment"] = partner["appointment"] + dt.timedelta(minutes=5)

    def rejected_without_ground(row: Row, _: list[Row]) -> None:
        row.update(decision=Decision.REJECTED.label,
                   decision_date=cal.add(row["received"], 2))
        row.setdefault("specialist", SPECIALISTS[1])
        for key in ("ground", "appointment", "link", "notice_sent", "answer",
                    "answered_at", "outcome", "note", "recording"):
            row.pop(key, None)

    def unknown_ground(row: Row, rows: list[Row]) -> None:
        rejected_without_ground(row, rows)
        row["ground"] = "5. Гражданин не прав"

    def ground_with_appointment(row: Row, _: list[Row]) -> None:
        appointed(row)
        row["ground"] = Ground.TOPIC_UNCLEAR.label

    def rejected_with_time(row: Row, rows: list[Row]) -> None:
        rejected_without_ground(row, rows)
        row["ground"] = Ground.REPEATED.label
        row["appointment"] = dt.datetime.combine(cal.add(row["decision_date"], 2),
                                                 dt.time(10))

    def drop(*keys: str) -> Callable[[Row, list[Row]], None]:
        def spoil(row: Row, _: list[Row]) -> None:
            for key in keys:
                row.pop(key, None)
        return spoil

    def put(**values: Any) -> Callable[[Row, list[Row]], None]:
        def spoil(row: Row, _: list[Row]) -> None:
            row.update(values)
        return spoil

    def appointed_then(**values: Any) -> Callable[[Row, list[Row]], None]:
        def spoil(row: Row, _: list[Row]) -> None:
            appointed(row)
            row.update(values)
            for key, value in values.items():
                if value is None:
                    row.pop(key)
        return spoil

    def duplicate(row: Row, clean: list[Row]) -> None:
        row["number"] = clean[0]["number"]

    def order(row: Row, _: list[Row]) -> None:
        row["decision_date"] = row["received"] - dt.timedelta(days=3)

    def forwarding(row: Row, _: list[Row]) -> None:
        submitted = row["received"] - dt.timedelta(days=3)
        while cal.add(submitted, 1) >= row["received"]:
            submitted -= dt.timedelta(days=1)
        row["submitted"] = submitted

    def no_decision(row: Row, _: list[Row]) -> None:
        row.pop("decision", None)
        row["decision_date"] = cal.add(row["received"], 1)

    def date_only(row: Row, _: list[Row]) -> None:
        appointed(row)
        row["appointment"] = row["appointment"].date()

    def without_appointment(row: Row, _: list[Row]) -> None:
        pending(row, row["received"])
        row["outcome"] = Outcome.HELD.label

    return [
        ("number-missing", drop("number")),
        ("number-duplicate", duplicate),
        ("received-missing", drop("received", "submitted")),
        ("citizen-missing", drop("citizen")),
        ("citizen-implausible", put(citizen="Ivanov Ivan")),
        ("topic-missing", drop("topic")),
        ("decision-missing", no_decision),
        ("decision-date-missing", appointed_then(decision_date=None, notice_sent=None,
                                                 answered_at=None, answer=None)),
        ("appointment-missing", appointed_then(appointment=None)),
        ("appointment-unexpected", rejected_with_time),
        ("specialist-missing", appointed_then(specialist=None)),
        ("link-missing", appointed_then(link=None)),
        ("ground-missing", rejected_without_ground),
        ("ground-unknown", unknown_ground),
        ("ground-unexpected", ground_with_appointment),
        ("date-order", order),
        ("appointment-off-day", off_day),
        ("appointment-off-hours", off_hours),
        ("slot-overlap", overlap),
        ("outcome-without-appointment", without_appointment),
        ("outcome-premature", premature),
        ("email-implausible", put(email="petrova@mail")),
        ("email-missing", appointed_then(email=None)),
        ("phone-implausible", put(phone="12-34")),
        ("consent-missing", put(consent_video=Consent.NO.label)),
        ("forwarding-late", forwarding),
        ("decision-overdue", overdue),
        ("decision-late", late),
        ("decision-due", due_soon),
        ("notice-missing", appointed_then(notice_sent=None, answer=None, answered_at=None)),
        ("confirmation-due", awaiting),
        ("confirmation-overdue", unconfirmed),
        ("cancellation-not-recorded", declined),
        ("outcome-missing", no_outcome),
        ("recording-missing", no_recording),
        ("recording-expired", expired),
        ("cell-invalid-date", put(received="31.02.2026")),
        ("cell-invalid-datetime", appointed_then(appointment="завтра в обед")),
        ("cell-time-missing", date_only),
        ("cell-invalid-number", put(number="пять")),
        ("cell-unknown-value", put(consent_data="Возможно")),
        ("cell-formula-like", put(topic="=HYPERLINK(\"http://example.com\";\"Вопрос\")")),
    ]


def make_demo(
    path: Path,
    rows: int = 40,
    seed: int = 1,
    today: dt.date | None = None,
    bodies: tuple[Body, ...] = DEMO_BODIES,
    calendar: WorkingCalendar | None = None,
) -> Manifest:
    """Write the demo journal to `path` and return which rows break which rule."""
    from toolkit.sources.xlsx.template import write_journal

    today = today or dt.date.today()
    calendar = calendar or WorkingCalendar()
    spoil_count = len(_spoilers(_Generator(seed, today, calendar)))
    if rows < spoil_count + 2:
        raise ValueError(f"в демо-журнале нужно не меньше {spoil_count + 2} строк на лист")
    manifest = Manifest(path, today)
    tables: dict[Body, list[Row]] = {}
    for b, body in enumerate(bodies):
        # A big demo spans more days and more specialists, as a busy body's journal would.
        g = _Generator(seed * 1000 + b, today, calendar, window=max(120, rows // 15))
        specialists = list(SPECIALISTS[b % 3 * 2: b % 3 * 2 + 3])
        if rows > 300:
            specialists += [" ".join(parts) for parts in (*MALE, *FEMALE)]
        table = [g.application(i + 1, specialists) for i in range(rows)]
        # Every rule is broken once per sheet, in rows spread over the sheet.
        spoilers = _spoilers(g)
        chosen = sorted(g.rnd.sample(range(1, rows), len(spoilers)))
        g.rnd.shuffle(chosen)
        spoiled = set(chosen)
        clean = [row for i, row in enumerate(table) if i not in spoiled]
        for (code, spoil), index in zip(spoilers, chosen, strict=True):
            spoil(table[index], clean)
            manifest.add(body.sheet, code, FIRST_DATA_ROW + index)
        for index, row in enumerate(table):
            rescheduled_time(g, row)
            if index not in spoiled:
                typed_variants(row, g.rnd)
        # The cases of care go in rows of their own after these, so the rows above stay as a
        # demo made before their rules was (tests/test_golden.py).
        for code, care in care_spoilers(g):
            row = g.application(len(table) + 1, specialists)
            row.setdefault("specialist", specialists[0])
            care(row)
            manifest.add(body.sheet, code, FIRST_DATA_ROW + len(table))
            table.append(row)
        tables[body] = table
    write_journal(path, tables)
    return manifest

