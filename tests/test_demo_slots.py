"""The demo's appointments keep to the working hours of their day, shortened days included."""

from __future__ import annotations

import datetime as dt

from toolkit.journal.calendar import WorkingCalendar
from toolkit.journal.config import Body
from toolkit.sources.demo import SLOT_LENGTH, _Generator


def test_demo_slots_fit_pre_holiday_days() -> None:
    cal = WorkingCalendar()
    generator = _Generator(seed=1, today=dt.date(2026, 5, 1), calendar=cal)
    days = set()
    for _ in range(600):  # the busiest specialist: slots spill over several days
        moment = generator.slot(dt.date(2026, 5, 4), "Тарасов Е.П.")
        hours = cal.hours(moment.date(), Body.hours)
        assert hours is not None
        assert hours[0] <= moment.time() and (moment + SLOT_LENGTH).time() <= hours[1], moment
        days.add(moment.date())
    # Friday 08.05.2026 (before Victory Day) ends at 16:00, not 17:00, and was used.
    assert dt.date(2026, 5, 8) in days
    assert cal.hours(dt.date(2026, 5, 8), Body.hours) == (dt.time(9), dt.time(16))
