"""A journal sheet as typed columns: what the rules compute on.

A source delivers every cell as text (`SheetTable`, one polars String column per sheet column,
null where empty), the way the Arrow reader renders a cell: text as typed, numbers as
`44000` / `1.5`, booleans as `true` / `false`, date cells as `2026-11-27 10:30:00`. Each journal
column is parsed by its kind in one vectorised pass over the common shapes; the few cells left
(typed dates, odd numbers, drop-downs typed by hand) go through the per-value parsers of
`cells`, once per distinct value, after being turned back into the value a spreadsheet reader
gives (`typed_value`). Parsed columns are numpy arrays:

    number          int64, 0 where empty or invalid
    date kinds      datetime64[D]; datetime kinds datetime64[m]; NaT where empty or invalid
    choices         int8 code: member's position in its vocabulary + 1; 0 where empty or invalid
    text            polars String, cleaned, "" where empty

`invalid[key]` marks filled cells that did not parse (already a finding).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl

from toolkit.journal import cells
from toolkit.journal.cells import MOMENT_RE, NUMERIC_RE, typed_value
from toolkit.journal.findings import Finding, finding
from toolkit.journal.schema import (
    BY_KEY,
    COLUMNS,
    WRITTEN_KEYS,
    Choice,
    Column,
    Kind,
    column_title,
)

TEXT_LIMIT = 2000  # longer text in one journal cell is almost certainly a paste error
NAT_D = np.datetime64("NaT", "D")
NAT_M = np.datetime64("NaT", "m")
# Columns a person types in: "has a person typed anything in the row" looks at these only.
TYPED_KEYS = tuple(c.key for c in COLUMNS if not c.written_by_toolkit)

_MOMENT_PATTERN = r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}"


def choice_code(member: Choice) -> int:
    return list(type(member)).index(member) + 1


@dataclass
class Columns:
    """One journal's applications as typed columns (index i is the i-th application)."""

    rows: np.ndarray  # sheet row numbers
    values: dict[str, Any]  # key → numpy array (typed kinds) or polars String Series (text)
    invalid: dict[str, np.ndarray]
    letters: dict[str, str | None]  # key → the sheet column's letters; None when absent
    raw: dict[str, pl.Series] = field(default_factory=dict)  # written keys, as read
    stale_rows: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    stale_control: list[str] = field(default_factory=list)
    stale_raw_control: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.rows)

    def __getattr__(self, key: str) -> Any:
        # j.received, j.decision …: the parsed column (see the module docstring for types).
        values = self.__dict__.get("values")
        if values is not None and key in values:
            return values[key]
        raise AttributeError(key)

    def has(self, key: str) -> np.ndarray:
        """Cells holding a parsed value."""
        kind = BY_KEY[key].kind
        v = self.values[key]
        if kind is Kind.TEXT:
            return (v != "").to_numpy()
        if kind in (Kind.DATE, Kind.DATETIME):
            return ~np.isnat(v)
        return v != 0

    def filled(self, key: str) -> np.ndarray:
        """Cells holding anything, parsed or not."""
        return self.has(key) | self.invalid[key]

    def empty(self, key: str) -> np.ndarray:
        return ~self.filled(key)

    def no_value(self, key: str) -> np.ndarray:
        """Cells that are empty and parsed fine (the rules' "missing and not already reported")."""
        return ~self.has(key) & ~self.invalid[key]

    def is_(self, key: str, *members: Choice) -> np.ndarray:
        codes = self.values[key]
        return np.isin(codes, [choice_code(m) for m in members])

    def day(self, key: str) -> np.ndarray:
        """A date or date-time column as days."""
        return self.values[key].astype("datetime64[D]")

    def value(self, key: str, i: int) -> Any:
        """One cell as the Python value an `Application` holds."""
        column = BY_KEY[key]
        v = self.values[key]
        if column.kind is Kind.TEXT:
            return v[i]
        if column.kind in (Kind.DATE, Kind.DATETIME):
            return None if np.isnat(v[i]) else v[i].item()
        code = int(v[i])
        if column.kind is Kind.NUMBER:
            return code or None
        assert column.choices is not None
        return list(column.choices)[code - 1] if code else None

    def cell(self, key: str, i: int) -> str | None:
        letters = self.letters.get(key)
        return f"{letters}{self.rows[i]}" if letters else None

    def raw_text(self, key: str, i: int) -> str:
        """The written cell as read, as text (what compare-and-set compares against)."""
        series = self.raw.get(key)
        text = series[i] if series is not None else None
        return "" if text is None else cells.text_of(typed_value(text))


# Parsing -------------------------------------------------------------------------------


@dataclass
class _State:
    body: str
    sheet: str
    date1904: bool
    letters: dict[str, str | None]
    rows: np.ndarray  # sheet row number of each data row
    findings: list[Finding] = field(default_factory=list)

    def report(self, code: str, column: Column, i: int, **params: object) -> None:
        row = int(self.rows[i])
        params["column"] = column_title(column)
        found = finding(code, self.body, self.sheet, row, self.ref(column, row), None, **params)
        found.key = column.key
        self.findings.append(found)

    def ref(self, column: Column, row: int) -> str | None:
        letters = self.letters.get(column.key)
        return f"{letters}{row}" if letters else None


def parse_columns(
    data: dict[str, pl.Series], first_row: int, date1904: bool, body: str, sheet: str,
    letters: dict[str, str | None],
) -> tuple[Columns, list[Finding]]:
    """Typed columns of the data rows (`data[key]` starts at sheet row `first_row`)."""
    height = max((len(s) for s in data.values()), default=0)
    rows = np.arange(first_row, first_row + height, dtype=np.int64)
    state = _State(body, sheet, date1904, letters, rows)
    values: dict[str, Any] = {}
    invalid: dict[str, np.ndarray] = {}
    frame = pl.DataFrame([_padded(data.get(c.key), c.key, height) for c in COLUMNS])
    # One query for the common shapes of every column: polars runs it across columns at once.
    fast = (frame.lazy().with_columns([e for c in COLUMNS for e in _stage1(c)])
            .select([e for c in COLUMNS for e in _expressions(c)]).collect())
    for column in COLUMNS:
        s = frame.get_column(column.key)
        bad = np.zeros(height, dtype=bool)
        if column.kind is Kind.TEXT:
            values[column.key] = _text_column(column, s, fast, state)
        else:
            values[column.key] = _typed_column(column, s, fast, state, bad)
        invalid[column.key] = bad
    del frame, fast
    kept = np.zeros(height, dtype=bool)
    for key in TYPED_KEYS:
        kept |= _has(values[key], BY_KEY[key].kind) | invalid[key]
    stale = ~kept & (_has(values["control"], Kind.TEXT) | _has(values["letter"], Kind.TEXT))
    raw = {key: data[key] for key in WRITTEN_KEYS if key in data}
    journal = Columns(rows[kept], {k: _take(v, kept) for k, v in values.items()},
                      {k: v[kept] for k, v in invalid.items()}, letters,
                      {k: _take(v, kept) for k, v in raw.items()})
    if stale.any():
        journal.stale_rows = rows[stale]
        journal.stale_control = values["control"].filter(pl.Series(stale)).to_list()
        raw_control = data.get("control")
        journal.stale_raw_control = [
            cells.text_of(typed_value(t)) if t is not None else ""
            for t in (raw_control.filter(pl.Series(stale)).to_list()
                      if raw_control is not None else [None] * int(stale.sum()))]
    return journal, state.findings


def _has(v: Any, kind: Kind) -> np.ndarray:
    if kind is Kind.TEXT:
        return (v != "").to_numpy()
    if kind in (Kind.DATE, Kind.DATETIME):
        return ~np.isnat(v)
    return np.asarray(v) != 0


def _take(v: Any, mask: np.ndarray) -> Any:
    if isinstance(v, pl.Series):
        return v.filter(pl.Series(mask))
    return v[mask]


def _padded(s: pl.Series | None, key: str, height: int) -> pl.Series:
    if s is None:
        return pl.Series(key, [None] * height, dtype=pl.String)
    s = s.rename(key)
    return s.extend_constant(None, height - len(s)) if len(s) < height else s


_FORMAT = "%Y-%m-%d %H:%M:%S"


def _stage1(column: Column) -> list[pl.Expr]:
    """Each column parsed once in its common shape (moments, whole numbers, trimmed text)."""
    key, kind = column.key, column.kind
    c = pl.col(key)
    if kind in (Kind.DATE, Kind.DATETIME):
        # A date cell as the reader renders it, or a date typed as text the way staff type it
        # (ДД.ММ.ГГГГ, ДД.ММ.ГГ; with ЧЧ:ММ in a date-time column): the same moment the
        # per-value parser gives for exactly these shapes; any other shape is left to it.
        typed = [c.str.strptime(pl.Datetime("us"), _FORMAT, strict=False)]
        if kind is Kind.DATE:
            full = c.str.replace(r"^(\d{2})\.(\d{2})\.(\d{2})$", "$1.$2.20$3")
            typed.append(pl.when(full.str.contains(r"^\d{2}\.\d{2}\.\d{4}$"))
                         .then(full.str.strptime(pl.Datetime("us"), "%d.%m.%Y", strict=False)))
        else:
            typed.append(pl.when(c.str.contains(r"^\d{2}\.\d{2}\.\d{4} \d{2}:\d{2}$"))
                         .then(c.str.strptime(pl.Datetime("us"), "%d.%m.%Y %H:%M",
                                              strict=False)))
        return [pl.coalesce(typed).alias(f"{key}:m")]
    if kind is Kind.NUMBER:
        return [c.cast(pl.Int64, strict=False).alias(f"{key}:m")]
    if kind is Kind.TEXT:
        return [c.fill_null("").str.replace_all("\u00a0", " ", literal=True).str.strip_chars()
                .alias(f"{key}:m")]
    return []


def _expressions(column: Column) -> list[pl.Expr]:
    """What parsing needs of a column: values in the common shapes, and which cells are left."""
    key, kind = column.key, column.kind
    c, m = pl.col(key), pl.col(f"{key}:m")
    if kind in (Kind.DATE, Kind.DATETIME):
        year = m.dt.year()
        ok = m.is_not_null() & (year >= cells.MIN_YEAR) & (year <= cells.MAX_YEAR)
        if kind is Kind.DATETIME:
            ok = ok & ((m.dt.hour() > 0) | (m.dt.minute() > 0)) & (m.dt.second() == 0)
        value = m.dt.date() if kind is Kind.DATE else m
        ok = ok.fill_null(False)
        return [pl.when(ok).then(value).otherwise(None).alias(f"{key}:v"),
                (c.is_not_null() & ~ok).alias(f"{key}:slow")]
    if kind is Kind.NUMBER:
        ok = ((m >= 1) & (m.cast(pl.String) == c)).fill_null(False)
        return [pl.when(ok).then(m).otherwise(0).alias(f"{key}:v"),
                (c.is_not_null() & ~ok).alias(f"{key}:slow")]
    if kind is Kind.CHOICE:
        return []
    odd = (c.str.contains(_MOMENT_PATTERN) | c.is_in(["true", "false"])
           | c.str.contains(r"[\x00-\x1f\x7f]")).fill_null(False)
    out = [m.alias(f"{key}:v"), odd.alias(f"{key}:odd")]
    if not column.written_by_toolkit:
        out.append((m.str.contains(r"^[=@+\-]") | odd).alias(f"{key}:formula"))
        out.append(((m.str.len_chars() > TEXT_LIMIT) | odd).alias(f"{key}:long"))
    return out


def _typed_column(column: Column, s: pl.Series, fast_pass: pl.DataFrame, state: _State,
                  bad: np.ndarray) -> np.ndarray:
    kind, n, key = column.kind, len(s), column.key
    if kind in (Kind.DATE, Kind.DATETIME):
        unit = "datetime64[D]" if kind is Kind.DATE else "datetime64[m]"
        out = fast_pass.get_column(f"{key}:v").to_numpy().astype(unit)
        slow = fast_pass.get_column(f"{key}:slow").to_numpy()
    elif kind is Kind.NUMBER:
        out = fast_pass.get_column(f"{key}:v").to_numpy().astype(np.int64)
        slow = fast_pass.get_column(f"{key}:slow").to_numpy()
    else:
        assert column.choices is not None
        members = list(column.choices)
        out = np.zeros(n, dtype=np.int8)
        table = {}
        for text in s.unique().drop_nulls().to_list():
            member = column.choices.parse(text) if text.strip() else None
            if member is not None and not MOMENT_RE.match(text) and text not in ("true", "false") \
                    and not NUMERIC_RE.match(text):
                table[text] = members.index(member) + 1
        if table:
            mapped = s.replace_strict(table, default=0, return_dtype=pl.Int8).fill_null(0)
            out = mapped.to_numpy().astype(np.int8)
        slow = s.is_not_null().to_numpy() & (out == 0)
    if slow.any():
        _slow_cells(column, s, np.flatnonzero(slow), out, state, bad)
    return out


def _slow_cells(column: Column, s: pl.Series, where: np.ndarray, out: np.ndarray,
                state: _State, bad: np.ndarray) -> None:
    """The per-value parsers, once per distinct value, for cells the fast pass left."""
    kind = column.kind
    parse = cells.parser_for(kind, column.choices)
    texts = s.gather(where).to_list()
    memo: dict[str, Any] = {}
    result: Any
    members = list(column.choices) if column.choices else []
    for i, raw in zip(where.tolist(), texts, strict=True):
        if raw in memo:
            result = memo[raw]
        else:
            value = typed_value(raw, state.date1904)
            text = value
            if type(text) is str:
                text = cells.CONTROL_RE.sub("", cells.clean_text(text))
            if text == "":
                result = None
            else:
                try:
                    result = parse(text, state.date1904)
                except cells.Problem as problem:
                    # A fresh copy, never raised: the caught one's traceback and context
                    # reach every frame of the read and would pin the sheet in memory while
                    # the collector is paused.
                    result = cells.Problem(problem.code, problem.value)
            memo[raw] = result
        if result is None:
            continue
        if type(result) is cells.Problem:
            bad[i] = True
            state.findings.append(_problem_finding(result, column, state, i))
            continue
        if kind is Kind.DATETIME:
            moment, has_time = result
            if not has_time and column.key == "appointment":
                state.report("cell-time-missing", column, i)
            out[i] = np.datetime64(moment, "m")
        elif kind is Kind.DATE:
            out[i] = np.datetime64(result, "D")
        elif kind is Kind.NUMBER:
            out[i] = result
        else:
            out[i] = members.index(result) + 1


def _problem_finding(problem: cells.Problem, column: Column, state: _State, i: int) -> Finding:
    found = _problem_finding_at(problem, column, state, i)
    found.key = column.key
    return found


def _problem_finding_at(problem: cells.Problem, column: Column, state: _State, i: int
                        ) -> Finding:
    row = int(state.rows[i])
    ref = state.ref(column, row)
    # Personal data is never echoed in a message: name the cell only.
    value = "…" if column.personal else str(problem.value)[:60]
    body, sheet = state.body, state.sheet
    if problem.code == "cell-unknown-value":
        if column.key == "ground":
            return finding("ground-unknown", body, sheet, row, ref, value=value)
        assert column.choices is not None
        choices = "; ".join(f"«{label}»" for label in column.choices.labels())
        return finding(problem.code, body, sheet, row, ref, column=column_title(column),
                       value=value, choices=choices)
    return finding(problem.code, body, sheet, row, ref, column=column_title(column), value=value)


def _text_column(column: Column, s: pl.Series, fast_pass: pl.DataFrame, state: _State
                 ) -> pl.Series:
    """Cleaned text: trimmed, non-breaking spaces as spaces, control characters reported."""
    key = column.key
    out = fast_pass.get_column(f"{key}:v")
    odd = fast_pass.get_column(f"{key}:odd").to_numpy()
    if odd.any():
        where = np.flatnonzero(odd)
        fixed: list[str] = []
        reported: list[int] = []
        for i, raw in zip(where.tolist(), s.gather(where).to_list(), strict=True):
            text = cells.text_of(typed_value(raw, state.date1904))
            if cells.CONTROL_RE.search(text):
                text = cells.CONTROL_RE.sub("", text).strip()
                reported.append(i)
            fixed.append(text)
        out = out.scatter(where, fixed)
        for i in reported:
            state.report("cell-control-chars", column, i)
    if column.written_by_toolkit:
        return out
    if key != "phone":
        for i in np.flatnonzero(fast_pass.get_column(f"{key}:formula").to_numpy()).tolist():
            char = cells.formula_like(out[i])
            if char:
                state.report("cell-formula-like", column, i, char=char)
    for i in np.flatnonzero(fast_pass.get_column(f"{key}:long").to_numpy()).tolist():
        length = len(out[i])
        if length > TEXT_LIMIT:
            state.report("cell-too-long", column, i, length=length, limit=TEXT_LIMIT)
    return out
