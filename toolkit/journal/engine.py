"""The rule engine: rules are masks over a journal's columns; findings only for flagged rows.

Writing a rule (see docs/DEVELOPING.md, «Writing a rule»):

    @rule("decision-overdue", cell="decision", group="decision_deadline")
    def decision_overdue(j: Columns, ctx: Context) -> Flags:
        due = ctx.days.add(j.received, DECISION_DAYS, where=pending)  # a column of deadlines
        return flag(pending & (due < ctx.today64), due=due)         # rows that break cl. 2.5

A rule gets the journal's typed columns (`Columns`: `j.received`, `j.has("email")`,
`j.is_("decision", Decision.APPOINTED)`, …) and the `Context` (calendar as vectorised
`WorkingDays`, today, now, the body) and returns a boolean mask of the rows that break it — or
`flag(mask, due=…, **params)` when the message needs values: a param is a constant, a numpy
array indexed by application, or a function `i → value` called only for flagged rows. A rule
needing cross-row logic (double booking, numbering) computes on sorted or grouped columns with
numpy and returns `flag(indexes)` — positions in the order the findings should come. A rule
that must look at individual rows iterates only over `np.flatnonzero(candidates)`.

Rules in one `group` report per row in declaration order, as one old row-walking rule did;
groups run in `GROUPS` order, new groups after them.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from toolkit.journal.calendar import WorkingCalendar
from toolkit.journal.columns import Columns
from toolkit.journal.config import Body
from toolkit.journal.findings import CODES, Finding, finding
from toolkit.journal.model import Journal

Mask = np.ndarray
_EPOCH_ORDINAL = dt.date(1970, 1, 1).toordinal()

GROUPS = ("required", "citizen_name", "decision", "date_order", "schedule", "outcome",
          "contacts", "consents", "forwarding", "decision_deadline", "confirmation",
          "session_outcome", "recording", "unique_numbers", "overlapping_slots")


class WorkingDays:
    """The production calendar over whole columns of days (datetime64[D])."""

    def __init__(self, calendar: WorkingCalendar) -> None:
        self.calendar = calendar
        self.unknown_years: set[int] = set()
        self._span: tuple[int, int] | None = None
        self._days = np.zeros(0, dtype="datetime64[D]")

    def _cover(self, first: int, last: int) -> np.ndarray:
        if self._span is None or first < self._span[0] or last > self._span[1]:
            if self._span is not None:
                first, last = min(first, self._span[0]), max(last, self._span[1])
            ordinals = np.array(self.calendar.ordinals(first, last), dtype=np.int64)
            self._days = (ordinals - _EPOCH_ORDINAL).astype("datetime64[D]")
            self._span = (first, last)
        return self._days

    def _years(self, days: np.ndarray) -> tuple[int, int]:
        years = days.astype("datetime64[Y]").astype(np.int64) + 1970
        return int(years.min()), int(years.max())

    def add(self, days: np.ndarray, n: int, where: Mask | None = None) -> np.ndarray:
        """The n-th working day after each day (NaT outside `where`); notes unknown years."""
        days = days.astype("datetime64[D]")
        use = ~np.isnat(days) if where is None else where & ~np.isnat(days)
        out = np.full(days.shape, np.datetime64("NaT"), dtype="datetime64[D]")
        if not use.any():
            return out
        chosen = days[use]
        first, last = self._years(chosen)
        table = self._cover(first, last + 1 + n // 200)
        due = table[np.searchsorted(table, chosen, side="right") + n - 1]
        out[use] = due
        for year in np.unique(due.astype("datetime64[Y]").astype(np.int64) + 1970).tolist():
            if not self.calendar.is_known(year):
                self.unknown_years.add(year)
        return out

    def is_working(self, days: np.ndarray) -> Mask:
        days = days.astype("datetime64[D]")
        known = ~np.isnat(days)
        out = np.zeros(days.shape, dtype=bool)
        if not known.any():
            return out
        first, last = self._years(days[known])
        table = self._cover(first, last)
        at = np.searchsorted(table, days[known])
        at_ok = at < len(table)
        hit = np.zeros(len(at), dtype=bool)
        hit[at_ok] = table[at[at_ok]] == days[known][at_ok]
        out[known] = hit
        return out


@dataclass
class Context:
    """What rules need beyond the columns: the body, the calendar, and what time it is."""

    journal: Journal
    calendar: WorkingCalendar
    today: dt.date
    now: dt.datetime
    unknown_years: set[int] = field(default_factory=set)

    @property
    def body(self) -> Body:
        return self.journal.body

    @functools.cached_property
    def j(self) -> Columns:
        return self.journal.columns

    @functools.cached_property
    def days(self) -> WorkingDays:
        days = WorkingDays(self.calendar)
        days.unknown_years = self.unknown_years
        return days

    @property
    def today64(self) -> np.datetime64:
        return np.datetime64(self.today, "D")

    @property
    def now64(self) -> np.datetime64:
        return np.datetime64(self.now.replace(tzinfo=None), "m")

    @functools.cached_property
    def act_by(self) -> np.datetime64:
        """The next working day: what falls due by then needs acting on now."""
        return np.datetime64(self.calendar.next_working_day(self.today), "D")


@dataclass
class Flags:
    """Rows a rule flags, with the due date and message values of each."""

    at: np.ndarray  # bool mask over applications, or positions in reporting order
    due: Any = None  # datetime64[D] per application, or a function i → date
    params: dict[str, Any] = field(default_factory=dict)


def flag(at: np.ndarray, due: Any = None, **params: Any) -> Flags:
    return Flags(at, due, params)


RuleFunction = Callable[[Columns, Context], "Mask | Flags"]


@dataclass(frozen=True)
class Rule:
    code: str
    cell: str  # the column key the finding points at
    group: str
    function: RuleFunction
    order: int


RULES: list[Rule] = []


def rule(code: str, *, cell: str, group: str | None = None, clause: str | None = None
         ) -> Callable[[RuleFunction], RuleFunction]:
    """Register a rule for finding `code` (from the catalogue) pointing at column `cell`."""
    if code not in CODES:
        raise KeyError(code)
    if clause is not None and CODES[code].clause != clause:
        raise ValueError(f"{code}: the catalogue gives clause {CODES[code].clause}")

    def register(fn: RuleFunction) -> RuleFunction:
        RULES.append(Rule(code, cell, group or fn.__name__, fn, len(RULES)))
        return fn

    return register


def _group_key(r: Rule) -> tuple[int, int]:
    return (GROUPS.index(r.group) if r.group in GROUPS else len(GROUPS), r.order)


def run_rules(ctx: Context, only: Collection[str] = ()) -> list[Finding]:
    """Every rule over one journal; the findings of reading it come first.

    `only` narrows to the findings of these codes, and runs only their rules."""
    found = [f for f in ctx.journal.findings if not only or f.code in only]
    groups: dict[str, list[tuple[int, int, Finding]]] = {}
    for r in sorted(RULES, key=_group_key):
        if only and r.code not in only:
            continue
        result = r.function(ctx.j, ctx)
        flags = result if isinstance(result, Flags) else Flags(result)
        groups.setdefault(r.group, []).extend(_materialise(r, flags, ctx))
    for group in groups.values():
        group.sort(key=lambda item: (item[0], item[1]))
        found.extend(f for _, _, f in group)
    for year in sorted(ctx.unknown_years) if not only or "calendar-unknown" in only else ():
        found.append(finding("calendar-unknown", ctx.body.name, ctx.journal.sheet, year=year))
    return found


def _materialise(r: Rule, flags: Flags, ctx: Context) -> list[tuple[int, int, Finding]]:
    """Findings for the flagged rows only, each with its order key within the group."""
    j, where = ctx.j, flags.at
    masked = where.dtype == bool
    positions = (np.flatnonzero(where) if masked else where).tolist()
    if not positions:
        return []
    rows = j.rows[positions].tolist()
    letters = j.letters.get(r.cell)
    cells_ = [f"{letters}{row}" for row in rows] if letters else [None] * len(rows)
    due: list[Any]
    if flags.due is None:
        due = [None] * len(rows)
    elif callable(flags.due):
        due = [flags.due(i) for i in positions]
    else:
        due = flags.due[positions].tolist()  # NaT → None
    params = {name: [str(_param(value, i)) for i in positions]
              for name, value in flags.params.items()}
    body, sheet, code, order = ctx.body.name, ctx.journal.sheet, r.code, r.order
    out = []
    for n, i in enumerate(positions):
        values = {name: column[n] for name, column in params.items()}
        out.append((i if masked else n, order,
                    Finding(code, body, sheet, rows[n], cells_[n], due[n], values,
                            r.cell if letters else None)))
    return out


def _param(value: Any, i: int) -> Any:
    if callable(value):
        return value(i)
    if isinstance(value, np.ndarray):
        return value[i]
    return value
