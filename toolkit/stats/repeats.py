"""Repeat applications: the same citizen applying to the same body again.

Citizens are the frame's numbers for names that differ only in case, ё/е and spaces (see
`frame_of`); blank names never repeat. The rows are sorted once by body, citizen, date of
receipt and row, so each month's figures are a pass over neighbours in that order.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

REPEAT_DAYS = 365  # «within 12 months» of an earlier application


@dataclass(frozen=True)
class Repeats:
    flags: np.ndarray  # per frame row: an earlier application at most REPEAT_DAYS before
    order: np.ndarray  # frame rows with a citizen and a date, in the sorted order
    same: np.ndarray  # in that order: the same body and citizen as the row before
    body: np.ndarray  # in that order: the row's body code

    def citizens(self, rows: np.ndarray, size: int, bodies: int) -> np.ndarray:
        """Per body: citizens with more than one application among `rows` (frame indices)."""
        chosen = np.zeros(size, dtype=bool)
        chosen[rows] = True
        inside = chosen[self.order]
        pair = np.zeros(len(inside), dtype=bool)
        pair[1:] = self.same[1:] & inside[1:] & inside[:-1]
        second = pair.copy()  # a citizen's rows are adjacent: count the second one only
        second[1:] &= ~pair[:-1]
        return np.bincount(self.body[second], minlength=bodies)


def find_repeats(frame: pd.DataFrame) -> Repeats:
    """Sort the rows once and mark each repeat (an earlier date, or the same date above)."""
    citizen = frame["citizen"].to_numpy()
    received = frame["received"].to_numpy()
    rows = np.flatnonzero((citizen >= 0) & ~np.isnat(received))
    flags = np.zeros(len(frame), dtype=bool)
    if not len(rows):
        empty = np.zeros(0, dtype=np.int64)
        return Repeats(flags, empty, np.zeros(0, dtype=bool), empty)
    body = frame["body"].cat.codes.to_numpy().astype(np.int64)[rows]
    day = received[rows].astype("datetime64[D]").astype(np.int64)
    day -= day.min()
    person = body * (int(citizen.max()) + 1) + citizen[rows]
    days = int(day.max()) + 1
    key = person * days + day  # by body and citizen, then date; ties in frame (row) order
    n = len(rows)
    if (int(key.max()) + 1) * n < 2**62:  # the position packed in: a plain sort, 10× faster
        packed = np.sort(key * n + np.arange(n))
        order, key = packed % n, packed // n
    else:
        order = np.argsort(key, kind="stable")
        key = key[order]
    p, d = key // days, key % days
    same = np.zeros(n, dtype=bool)
    same[1:] = p[1:] == p[:-1]
    repeat = same.copy()
    repeat[1:] &= d[1:] - d[:-1] <= REPEAT_DAYS
    flags[rows[order]] = repeat
    return Repeats(flags, rows[order], same, body[order])
