"""The vectorised parse of a column gives what the per-value parser gives, cell by cell."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from toolkit.journal import cells
from toolkit.journal.columns import parse_columns

DATES = ["27.11.2026", "02.02.24", "31.02.2026", "29.02.2024", "29.02.2023", "01.01.1999",
         "01.01.99", "01.01.2101", "1.2.2026", "27.11.02026", " 27.11.2026", "00.11.2026",
         "27.13.2026", "12.12.00", "01.01.2100", "31.12.2100", "2026-11-27 00:00:00",
         "27.11.2026 г.", "27/11/2026", "27.11.2026 10:30", "46000", "пятое"]
MOMENTS = ["27.11.2026 10:30", "27.11.2026 00:00", "27.11.2026", "27.11.2026 24:00",
           "27.11.2026 23:59", "31.02.2026 10:00", "27.11.26 10:30", "2026-11-27 10:30:00",
           "27.11.2026 10:30:15", "27.11.2026 9:30", "2026-11-27 00:00:00", "01.01.1999 10:00"]


def _parse(received: list[str], appointment: list[str]):  # type: ignore[no-untyped-def]
    n = max(len(received), len(appointment))
    data = {"received": pl.Series([*received, *[None] * (n - len(received))], dtype=pl.String),
            "appointment": pl.Series([*appointment, *[None] * (n - len(appointment))],
                                     dtype=pl.String)}
    return parse_columns(data, 6, False, "Орган", "Лист", {"received": "B", "appointment": "H"})


def test_text_dates_parse_as_the_per_value_parser_does() -> None:
    columns, findings = _parse(DATES, [])
    bad = {f.row for f in findings if f.code == "cell-invalid-date"}
    for i, text in enumerate(DATES):
        got = columns.received[i]
        try:
            want = cells.parse_date(cells.typed_value(text))
        except cells.Problem:
            assert np.isnat(got) and 6 + i in bad, text
            continue
        assert got == np.datetime64(want, "D") and 6 + i not in bad, text


def test_text_moments_parse_as_the_per_value_parser_does() -> None:
    columns, findings = _parse([], MOMENTS)
    bad = {f.row for f in findings if f.code == "cell-invalid-datetime"}
    no_time = {f.row for f in findings if f.code == "cell-time-missing"}
    for i, text in enumerate(MOMENTS):
        got = columns.appointment[i]
        try:
            moment, has_time = cells.parse_datetime(cells.typed_value(text))
        except cells.Problem:
            assert np.isnat(got) and 6 + i in bad, text
            continue
        assert got == np.datetime64(moment.replace(second=0), "m"), text
        assert (6 + i in no_time) == (not has_time), text
    assert columns.appointment[0].item() == dt.datetime(2026, 11, 27, 10, 30)
