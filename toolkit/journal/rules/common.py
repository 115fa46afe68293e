"""Terms of the order and small helpers the rule modules share."""

from __future__ import annotations

import datetime as dt

import numpy as np

from toolkit.journal.columns import Columns
from toolkit.journal.russian import short_date, short_datetime
from toolkit.journal.schema import Decision

SESSION = dt.timedelta(minutes=15)  # cl. 3.10
SESSION64 = np.timedelta64(15, "m")
DECISION_DAYS = 5  # cl. 2.5
FORWARDING_DAYS = 1  # cl. 2.3
CONFIRMATION_DAYS = 1  # cl. 2.6
RETENTION_YEARS = 2  # cl. 3.6


def appointed(j: Columns) -> np.ndarray:
    return j.is_("decision", Decision.APPOINTED)


def decided(j: Columns) -> np.ndarray:
    return j.is_("decision", Decision.APPOINTED, Decision.REJECTED)


def shown(j: Columns, key: str):  # type: ignore[no-untyped-def]
    """A message value: the cell's date (ДД.ММ.ГГГГ) or date and time, for flagged rows."""
    def at(i: int) -> str:
        value = j.value(key, i)
        return short_datetime(value) if isinstance(value, dt.datetime) else short_date(value)
    return at


def label(j: Columns, key: str):  # type: ignore[no-untyped-def]
    """A message value: the drop-down label in the cell, for flagged rows."""
    return lambda i: j.value(key, i).label


def has_time(moments: np.ndarray) -> np.ndarray:
    """Date-times whose time of day is not 00:00."""
    return (moments - moments.astype("datetime64[D]")) != np.timedelta64(0, "m")
