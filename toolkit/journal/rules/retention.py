"""Cl. 3.6: a held reception's recording is kept 2 years, then destroyed."""

from __future__ import annotations

import datetime as dt

import numpy as np

from toolkit.journal.columns import Columns
from toolkit.journal.engine import Context, Flags, Mask, flag, rule
from toolkit.journal.rules.common import RETENTION_YEARS
from toolkit.journal.schema import Consent, Outcome


def retention_end(session: dt.date) -> dt.date:
    """Cl. 3.6: 2 years from the session date (29 February → 28 February)."""
    try:
        return session.replace(year=session.year + RETENTION_YEARS)
    except ValueError:
        return session.replace(year=session.year + RETENTION_YEARS, day=28)


DESTROYED_PATTERN = r"(?i)^уничтож[её]"


def destroyed(recording: str) -> bool:
    """The recording cell says the file was destroyed («уничтожена 15.03.2027»)."""
    return recording[:8].casefold().replace("ё", "е") == "уничтоже"


def retention_horizon(today: dt.date) -> dt.date:
    """Recordings of sessions before this day are past their 2 years today."""
    day = today - dt.timedelta(days=800)
    while retention_end(day) < today:
        day += dt.timedelta(days=1)
    return day


def _kept(j: Columns) -> Mask:
    """Sessions with an outcome whose recording is not marked destroyed."""
    gone = j.recording.str.contains(DESTROYED_PATTERN)  # what `destroyed` says, in one pass
    return j.has("appointment") & j.has("outcome") & ~gone.to_numpy()


@rule("recording-expired", cell="recording", group="recording", clause="3.6")
def expired(j: Columns, ctx: Context) -> Flags:
    horizon = np.datetime64(retention_horizon(ctx.today), "D")
    sessions = j.day("appointment")
    return flag(_kept(j) & (j.recording != "").to_numpy() & (sessions < horizon),
                due=_retention_ends(sessions))


def _retention_ends(sessions: np.ndarray) -> np.ndarray:
    """`retention_end` of each day (NaT stays NaT), computed once per distinct day."""
    days, inverse = np.unique(sessions, return_inverse=True)
    ends = [day if np.isnat(day) else np.datetime64(retention_end(day.item()), "D")
            for day in days]
    return np.array(ends, dtype="datetime64[D]").reshape(len(days))[inverse.reshape(-1)]


@rule("recording-missing", cell="recording", group="recording", clause="3.6")
def missing(j: Columns, ctx: Context) -> Mask:
    return (_kept(j) & (j.recording == "").to_numpy() & j.is_("outcome", Outcome.HELD)
            & j.is_("consent_video", Consent.YES))
