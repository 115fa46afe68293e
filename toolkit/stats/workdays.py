"""Working-day arithmetic over whole date columns, one calendar call per distinct date."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from toolkit.journal.calendar import WorkingCalendar

_ONE_DAY = dt.timedelta(days=1)


def per_date(values: np.ndarray, fn: Callable[[dt.date], Any], dtype: str) -> np.ndarray:
    """fn(date) for each element, computed once per distinct date (NaT stays missing)."""
    codes, uniques = pd.factorize(values)
    mapped = np.array([fn(pd.Timestamp(u).date()) for u in uniques], dtype=dtype)
    missing = np.array(["NaT"], dtype=dtype) if dtype.startswith("datetime") \
        else np.array([np.nan], dtype=dtype)
    return np.concatenate([mapped, missing])[np.where(codes < 0, len(uniques), codes)]


def shift(days: np.ndarray, calendar: WorkingCalendar, n: int) -> np.ndarray:
    """The n-th working day after each date (the deadline of cl. 2.5 for n = 5)."""
    return per_date(days, lambda d: np.datetime64(calendar.add(d, n), "s"), "datetime64[s]")


def day_of(moments: np.ndarray) -> np.ndarray:
    """The date of each moment, still as datetime64[s] (midnight)."""
    return moments.astype("datetime64[D]").astype("datetime64[s]")


def working_days_between(start: np.ndarray, end: np.ndarray, calendar: WorkingCalendar
                         ) -> np.ndarray:
    """Working days after each start up to and including each end (float; no NaT allowed)."""
    anchor = pd.Timestamp(start.min()).date() - _ONE_DAY
    index_start = per_date(start, lambda day: calendar.count_between(anchor, day), "float64")
    index_end = per_date(end, lambda day: calendar.count_between(anchor, day), "float64")
    return index_end - index_start
