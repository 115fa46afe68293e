"""Which slot of each job is still to run: regular runs and catch-up are one rule.

A tick runs, per job, the latest slot after max(first seen, last covered run, passed-over slot);
`vks run --due` (cron, timers) is the same for one job with a 7-day look-back instead of
«first seen». `When` (the job's declaration) alone decides which days and times are slots.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

from toolkit.jobs.declarations import Job
from toolkit.jobs.ledger import RunLedger, Trigger
from toolkit.journal.calendar import WorkingCalendar
from toolkit.journal.config import Config

GRACE = dt.timedelta(minutes=15)  # a run this late after its slot is still «по расписанию»
FIRST_LOOKBACK = dt.timedelta(days=7)  # `vks run --due` of a job never run: slots this recent

WallClock = Callable[[], dt.datetime]


def local_clock(config: Config) -> WallClock:
    """Naive local time of the configured zone, to the second."""
    zone = config.zone
    return lambda: dt.datetime.now(zone).replace(tzinfo=None, microsecond=0)


def trigger_for(now: dt.datetime, slot: dt.datetime) -> Trigger:
    """On schedule when run within the grace period after its slot, else catch-up."""
    return Trigger.SCHEDULE if now - slot <= GRACE else Trigger.CATCH_UP


class Timetable:
    """The slots still to run, from the run ledger and the slots passed over in this process."""

    def __init__(self, calendar: WorkingCalendar) -> None:
        self.calendar = calendar
        self._seen: dict[str, dt.datetime] = {}
        self._floor: dict[str, dt.datetime] = {}  # slots passed over without a ledger entry

    def since(self, job: Job, now: dt.datetime, ledger: RunLedger) -> dt.datetime:
        """The moment after which a slot of `job` is still to be run."""
        seen = self._seen.get(job.name)
        if seen is None:
            seen = self._seen[job.name] = ledger.first_seen(job.name, now)
        marks = [seen, self._floor.get(job.name), ledger.covered(job.name)]
        return max(m for m in marks if m is not None)

    def due(self, jobs: Iterable[Job], now: dt.datetime, ledger: RunLedger
            ) -> list[tuple[dt.datetime, Job]]:
        """Jobs with a slot to run at `now`: each once, for its latest slot, earliest first."""
        found = []
        for job in jobs:
            if not job.enabled:
                continue
            slot = job.when.latest_slot(now, self.since(job, now, ledger), self.calendar)
            if slot is not None:
                found.append((slot, job))
        return sorted(found, key=lambda pair: (pair[0], pair[1].name))

    def slot_if_due(self, job: Job, now: dt.datetime, ledger: RunLedger) -> dt.datetime | None:
        """`vks run --due`: the latest slot after the last run (or within a week), if any."""
        if not job.enabled:
            return None
        since = ledger.covered(job.name) or now - FIRST_LOOKBACK
        return job.when.latest_slot(now, since, self.calendar)

    def pass_over(self, job: Job, slot: dt.datetime) -> None:
        """A slot that was run, refused or found busy is not tried again in this process."""
        self._floor[job.name] = slot
