"""Monthly statistics of video receptions per body, with totals across bodies.

    journals = read_journals(open_source("журнал.xlsx", config), config)
    stats = collect_stats(journals, Month.parse("2026-11"), Clock.at(dt.date(2026, 12, 1)),
                          calendar_for(config))
    stats.total.counts["received"], stats.total.counts["decided_late"]

The month's rows are the applications *received* in that month (graph 2). Each of them is
counted in exactly one final state (`STATES`), as the journal stood at the month's end:

    not_classified  a cell that decides the state did not parse (decision, decision date,
                    appointment, ground, outcome); listed with sheet and cell, never guessed
    pending         no decision yet (no decision, or the decision date is after the month end)
    rejected_<g>    rejected on ground g of cl. 2.8 (rejected_no_ground: ground left blank)
    held, held_unidentified (cl. 3.8), cancelled_declined, cancelled_unconfirmed,
    interrupted_no_show,
    interrupted_not_identified, interrupted_abuse, rescheduled
                    appointed, and the outcome in graph 7 had happened by the month end
    awaiting        appointed, no outcome by the month end (the session is ahead, or its
                    outcome was not recorded)

"By the month end" reads the journal's own dates: a decision counts when its date is not after
the month's last day; an outcome when its moment is not after the month's end — the session time
for held, interrupted and rescheduled receptions, and for a cancellation the citizen's answer, or
else the day after the confirmation window of cl. 2.6, or else the session time. An outcome with
no date at all counts. For the current month the journal is taken as it stands now.

Rows whose date of receipt is blank or unreadable belong to no month; they are listed as
`undated`. Violations open at the month's end are the core rules' errors run over the journal
as of that moment (rows received later left out, later facts masked the same way).

The computation is vectorised over a DataFrame of typed rows (`frame_of`), so a million rows
take well under two seconds (see benchmarks/bench_stats.py).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from toolkit.journal.calendar import WorkingCalendar
from toolkit.journal.clock import Clock
from toolkit.journal.config import Config
from toolkit.journal.errors import ToolkitError
from toolkit.journal.findings import Severity
from toolkit.journal.model import Application, Journal
from toolkit.journal.rules import CONFIRMATION_DAYS, DECISION_DAYS, Context, run_rules
from toolkit.journal.russian import MONTHS_PREPOSITIONAL, month_name
from toolkit.journal.schema import BY_KEY, Decision, Ground, Outcome, Stage, normalize

FORMAT = "vks-stats/1"
TOP_TOPICS = 5
_ONE_DAY = dt.timedelta(days=1)
_MONTH_RE = re.compile(r"^\s*(\d{4})-(\d{1,2})\s*$")

# Cells whose value decides a row's state: when one of them does not parse, the row is
# "not classified" rather than guessed.
STATE_KEYS = ("decision", "decision_date", "appointment", "ground", "outcome")

# Codes the frame stores for the choice columns (0 = empty).
DECISION_CODES = {Decision.APPOINTED: 1, Decision.REJECTED: 2}
OUTCOME_CODES = {outcome: i for i, outcome in enumerate(Outcome, start=1)}

_OUTCOME_KEYS = {
    Outcome.HELD: "held",
    Outcome.DECLINED: "cancelled_declined",
    Outcome.UNCONFIRMED: "cancelled_unconfirmed",
    Outcome.NO_SHOW: "interrupted_no_show",
    Outcome.NOT_IDENTIFIED: "interrupted_not_identified",
    Outcome.ABUSE: "interrupted_abuse",
    Outcome.RESCHEDULED: "rescheduled",
    Outcome.HELD_UNIDENTIFIED: "held_unidentified",
}
_GROUND_KEYS = {
    Ground.OUT_OF_COMPETENCE: "rejected_out_of_competence",
    Ground.OFFENSIVE: "rejected_offensive",
    Ground.TOPIC_UNCLEAR: "rejected_topic_unclear",
    Ground.REPEATED: "rejected_repeated",
}

STATES: tuple[str, ...] = (
    "pending",
    *_GROUND_KEYS.values(),
    "rejected_no_ground",
    "awaiting",
    *_OUTCOME_KEYS.values(),
    "not_classified",
)
"""The final states: every row of the month is in exactly one of them."""

_STATE = {key: i for i, key in enumerate(STATES)}


@dataclass(frozen=True)
class Measure:
    """A figure of the report: `label` in an indented list, `short` as a table column."""

    key: str
    label: str
    level: int = 0  # indentation in the reports: 1 = part of the measure above
    short: str = ""

    @property
    def heading(self) -> str:
        return self.short or self.label


def _after_colon(label: str) -> str:
    return label.split(": ", 1)[1]


MEASURES: tuple[Measure, ...] = (
    Measure("received", "Поступило заявок"),
    Measure("decided", "Принято решений"),
    Measure("decided_on_time", "в срок (не позднее 5 рабочих дней, п. 2.5)", 1,
            "Решений в срок"),
    Measure("decided_late", "с нарушением срока", 1, "Решений с нарушением срока"),
    Measure("decided_undated", "дата решения не указана", 1, "Решений без даты"),
    Measure("appointed", "Назначено приемов"),
    Measure("held", "прием проведен", 1, "Прием проведен"),
    Measure("held_unidentified", "из них без идентификации, без сведений о персональных данных "
            "(п. 3.8)", 2, "Проведено без идентификации"),
    Measure("cancelled", "отменено (п. 2.7)", 1, "Отменено"),
    Measure("cancelled_declined", _after_colon(Outcome.DECLINED.label), 2,
            "Отменено: гражданин отказался"),
    Measure("cancelled_unconfirmed", _after_colon(Outcome.UNCONFIRMED.label), 2,
            "Отменено: нет подтверждения"),
    Measure("interrupted", "прервано (п. 3.12)", 1, "Прервано"),
    Measure("interrupted_no_show", _after_colon(Outcome.NO_SHOW.label), 2,
            "Прервано: не подключился"),
    Measure("interrupted_not_identified", _after_colon(Outcome.NOT_IDENTIFIED.label), 2,
            "Прервано: не прошел идентификацию"),
    Measure("interrupted_abuse", _after_colon(Outcome.ABUSE.label), 2,
            "Прервано: нецензурные выражения, угрозы"),
    Measure("rescheduled", "перенесено: техническая неисправность (п. 3.5)", 1, "Перенесено"),
    Measure("awaiting", "итог приема еще не внесен", 1, "Итог приема не внесен"),
    Measure("rejected", "Отклонено заявок (п. 2.8)", 0, "Отклонено"),
    *(Measure(key, ground.label, 1, f"Отклонено по основанию {ground.number}")
      for ground, key in _GROUND_KEYS.items()),
    Measure("rejected_no_ground", "основание не указано", 1, "Отклонено без основания"),
    Measure("pending", "На рассмотрении на конец месяца", 0, "На рассмотрении"),
    Measure("not_classified", "Не классифицировано (неверно заполнены ячейки)", 0,
            "Не классифицировано"),
    Measure("violations", "Не устранено нарушений на конец месяца", 0,
            "Нарушений не устранено"),
)
MEASURE_LABELS = {m.key: m.label for m in MEASURES}

# How the charts group the final states: the groups partition the month's rows too.
STATE_GROUPS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("held", "Прием проведен", ("held", "held_unidentified")),
    ("cancelled", "Отменен", ("cancelled_declined", "cancelled_unconfirmed")),
    ("interrupted", "Прерван",
     ("interrupted_no_show", "interrupted_not_identified", "interrupted_abuse")),
    ("rescheduled", "Перенесен", ("rescheduled",)),
    ("awaiting", "Назначен, итога нет", ("awaiting",)),
    ("rejected", "Отклонена", (*_GROUND_KEYS.values(), "rejected_no_ground")),
    ("pending", "На рассмотрении", ("pending",)),
    ("not_classified", "Не классифицирована", ("not_classified",)),
)


class StatsError(ToolkitError):
    """Statistics asked for a month that cannot have any (e.g. one still ahead)."""


@dataclass(frozen=True, order=True)
class Month:
    """A calendar month: what a monthly report is for."""

    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> Month:
        m = _MONTH_RE.match(text)
        if not m or not 1 <= int(m.group(2)) <= 12 or int(m.group(1)) < 1900:
            raise ValueError(f"«{text}» — не месяц; укажите ГГГГ-ММ, например 2026-11")
        return cls(int(m.group(1)), int(m.group(2)))

    @classmethod
    def of(cls, day: dt.date) -> Month:
        return cls(day.year, day.month)

    @property
    def first(self) -> dt.date:
        return dt.date(self.year, self.month, 1)

    @property
    def last(self) -> dt.date:
        return self.next().first - _ONE_DAY

    def next(self) -> Month:
        return Month(self.year + self.month // 12, self.month % 12 + 1)

    def previous(self) -> Month:
        return Month(self.year - (self.month == 1), (self.month - 2) % 12 + 1)

    @property
    def key(self) -> str:
        """«2026-11»: how files, JSON and the outbox ledger name the month."""
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def title(self) -> str:
        """«Ноябрь 2026»."""
        return month_name(self.month, self.year)

    @property
    def in_text(self) -> str:
        """«в ноябре 2026 г.»."""
        return f"в {MONTHS_PREPOSITIONAL[self.month - 1]} {self.year} г."

    def __str__(self) -> str:
        return self.key


def report_period(month: Month, now: dt.datetime) -> tuple[dt.datetime, bool]:
    """The moment the month's figures are for, and whether the month is over.

    A past month is seen at its last minute; the current month as it stands `now`.
    """
    if now < dt.datetime.combine(month.first, dt.time()):
        raise StatsError(f"{month.title}: месяц еще не наступил (сегодня {now:%d.%m.%Y})")
    end = dt.datetime.combine(month.last, dt.time(23, 59))
    if now > end:
        return end, True
    return now, False


# The frame --------------------------------------------------------------------------------

FRAME_COLUMNS = (
    "body", "sheet", "row", "received", "decision", "decision_date", "ground", "outcome",
    "outcome_at", "topic", "broken", "broken_cells",
)


def outcome_moment(app: Application, calendar: WorkingCalendar) -> dt.datetime | None:
    """When the outcome in graph 7 happened, as far as the row's dates tell (None: no date).

    Held, interrupted, rescheduled: the session time. Cancelled: the citizen's answer, or the
    start of the day after the confirmation window (cl. 2.6, 2.7), or the session time.
    """
    if app.outcome is None:
        return None
    if app.outcome.stage is Stage.CANCELLED:
        if app.answered_at is not None:
            return app.answered_at
        if app.notice_sent is not None:
            try:
                due = calendar.add(app.notice_sent.date(), CONFIRMATION_DAYS)
            except (ValueError, OverflowError):  # a year the calendar cannot reach
                return app.appointment
            return dt.datetime.combine(due + _ONE_DAY, dt.time())
    return app.appointment


def frame_of(journals: Sequence[Journal], calendar: WorkingCalendar) -> pd.DataFrame:
    """The typed rows of every journal as one DataFrame (one row per application).

    `body` is categorical over every journal's body, in journal order, so that bodies without
    rows still get their (zero) statistics; choices are small integer codes (0 = empty).
    """
    bodies: list[str] = []
    for journal in journals:
        if journal.body.name not in bodies:
            bodies.append(journal.body.name)
    topics: dict[str, str] = {}
    shown: dict[str, str] = {}  # the topic as typed → as reported (one spelling per topic)
    cols: dict[str, list[Any]] = {name: [] for name in FRAME_COLUMNS}
    for journal in journals:
        for app in journal.applications:
            broken = ([app.cell(key) for key in STATE_KEYS if key in app.invalid]
                      if app.invalid else [])
            topic = shown.get(app.topic)
            if topic is None:
                topic = " ".join(app.topic.split())
                if topic:
                    topic = topics.setdefault(normalize(topic), topic)
                shown[app.topic] = topic
            cols["body"].append(journal.body.name)
            cols["sheet"].append(journal.sheet)
            cols["row"].append(app.row)
            cols["received"].append(app.received)
            cols["decision"].append(DECISION_CODES[app.decision] if app.decision else 0)
            cols["decision_date"].append(app.decision_date)
            cols["ground"].append(app.ground.number if app.ground else 0)
            cols["outcome"].append(OUTCOME_CODES[app.outcome] if app.outcome else 0)
            cols["outcome_at"].append(outcome_moment(app, calendar))
            cols["topic"].append(topic or None)
            cols["broken"].append(bool(broken))
            cols["broken_cells"].append(", ".join(broken))
    return pd.DataFrame({
        "body": pd.Categorical(cols["body"], categories=bodies),
        "sheet": pd.Categorical(cols["sheet"]),
        "row": np.asarray(cols["row"], dtype=np.int64),
        "received": _datetimes(cols["received"]),
        "decision": np.asarray(cols["decision"], dtype=np.int8),
        "decision_date": _datetimes(cols["decision_date"]),
        "ground": np.asarray(cols["ground"], dtype=np.int8),
        "outcome": np.asarray(cols["outcome"], dtype=np.int8),
        "outcome_at": _datetimes(cols["outcome_at"]),
        "topic": pd.Categorical(cols["topic"], categories=sorted(set(topics.values()))),
        "broken": np.asarray(cols["broken"], dtype=bool),
        "broken_cells": pd.array(cols["broken_cells"], dtype=object),
    })


def _datetimes(values: Iterable[dt.date | dt.datetime | None]) -> np.ndarray:
    """Dates and moments as datetime64[s] (NaT where empty); numpy converts them in C."""
    return np.array(list(values), dtype="datetime64[s]")


# The figures ------------------------------------------------------------------------------


@dataclass(frozen=True)
class RowRef:
    """A journal row named by sheet and cells only: reports never quote personal data."""

    body: str
    sheet: str
    row: int
    cells: str

    def to_dict(self) -> dict[str, Any]:
        return {"body": self.body, "sheet": self.sheet, "row": self.row, "cells": self.cells}


@dataclass
class BodyStats:
    """One body's figures for the month (or the totals across bodies)."""

    body: str
    counts: dict[str, int]
    previous: dict[str, int]
    days_median: float | None = None
    days_max: int | None = None
    topics: list[tuple[str, int]] = field(default_factory=list)
    violations: dict[str, int] = field(default_factory=dict)  # error code → open findings
    not_classified: list[RowRef] = field(default_factory=list)

    def change(self, key: str) -> int:
        return self.counts[key] - self.previous[key]

    @property
    def states(self) -> dict[str, int]:
        return {key: self.counts[key] for key in STATES}

    def to_dict(self) -> dict[str, Any]:
        from toolkit.journal.findings import CODES

        return {
            "body": self.body,
            "counts": dict(self.counts),
            "previous": dict(self.previous),
            "change": {key: self.change(key) for key in self.counts},
            "decision_days": {"median": self.days_median, "max": self.days_max},
            "topics": [{"topic": t, "count": n} for t, n in self.topics],
            "violations": [
                {"code": code, "clause": CODES[code].clause, "title": CODES[code].title,
                 "count": n}
                for code, n in self.violations.items()
            ],
            "not_classified": [r.to_dict() for r in self.not_classified],
        }


@dataclass
class MonthlyStats:
    """The month's figures for each body and in total."""

    month: Month
    as_of: dt.datetime  # the moment the figures are for
    complete: bool  # the month is over (as_of is its last minute)
    bodies: list[BodyStats]
    total: BodyStats
    undated: list[RowRef] = field(default_factory=list)  # rows with no readable receipt date

    def for_body(self, name: str) -> MonthlyStats:
        """The same report narrowed to one body: its figures are also the total."""
        for body in self.bodies:
            if body.body == name:
                undated = [r for r in self.undated if r.body == name]
                return dataclasses.replace(self, bodies=[body], total=body, undated=undated)
        raise KeyError(name)

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "month": self.month.key,
            "as_of": self.as_of.isoformat(timespec="minutes"),
            "complete": self.complete,
            "previous_month": self.month.previous().key,
            "measures": [{"key": m.key, "label": m.label, "heading": m.heading, "level": m.level}
                         for m in MEASURES],
            "states": list(STATES),
            "bodies": [b.to_dict() for b in self.bodies],
            "total": self.total.to_dict(),
            "undated": [r.to_dict() for r in self.undated],
        }


@dataclass
class _Figures:
    counts: np.ndarray  # bodies × measures
    days: list[tuple[float | None, int | None]]  # per body, then total
    topics: list[list[tuple[str, int]]]  # per body, then total
    broken: list[RowRef]


_COUNT_KEYS = tuple(m.key for m in MEASURES)


def monthly_stats(
    frame: pd.DataFrame,
    month: Month,
    calendar: WorkingCalendar,
    now: dt.datetime,
    violations: Mapping[str, Mapping[str, int]] | None = None,
    previous_violations: Mapping[str, Mapping[str, int]] | None = None,
    top_topics: int = TOP_TOPICS,
) -> MonthlyStats:
    """The month's statistics from a frame of typed rows (see `frame_of`), vectorised.

    `violations` maps a body's name to its open errors by code (see `open_violations`).
    """
    as_of, complete = report_period(month, now)
    bodies = [str(b) for b in frame["body"].cat.categories]
    current = _figures(frame, month, calendar, as_of if complete else None, top_topics)
    prev_month = month.previous()
    prev_end = dt.datetime.combine(prev_month.last, dt.time(23, 59))
    previous = _figures(frame, prev_month, calendar, prev_end, 0)
    violations = violations or {}
    previous_violations = previous_violations or {}

    def make(i: int | None, name: str, found: Mapping[str, int], before: Mapping[str, int],
             refs: list[RowRef]) -> BodyStats:
        row = current.counts.sum(axis=0) if i is None else current.counts[i]
        prev = previous.counts.sum(axis=0) if i is None else previous.counts[i]
        counts = dict(zip(_COUNT_KEYS, (int(v) for v in row), strict=True))
        before_counts = dict(zip(_COUNT_KEYS, (int(v) for v in prev), strict=True))
        counts["violations"] = sum(found.values())
        before_counts["violations"] = sum(before.values())
        median, longest = current.days[len(bodies) if i is None else i]
        topics = current.topics[len(bodies) if i is None else i]
        ordered = dict(sorted(found.items(), key=lambda kv: (-kv[1], kv[0])))
        return BodyStats(name, counts, before_counts, median, longest, topics, ordered, refs)

    per_body = [
        make(i, name, violations.get(name, {}), previous_violations.get(name, {}),
             [r for r in current.broken if r.body == name])
        for i, name in enumerate(bodies)
    ]
    total_found: Counter[str] = Counter()
    total_before: Counter[str] = Counter()
    for name in bodies:
        total_found.update(violations.get(name, {}))
        total_before.update(previous_violations.get(name, {}))
    total = make(None, "Итого по всем органам", total_found, total_before, current.broken)
    undated_rows = frame.loc[frame["received"].isna(), ["body", "sheet", "row"]]
    letter = BY_KEY["received"].letter
    undated = [RowRef(str(b), str(s), int(r), f"{letter}{int(r)}")
               for b, s, r in undated_rows.itertuples(index=False)]
    return MonthlyStats(month, as_of, complete, per_body, total, undated)


def _figures(frame: pd.DataFrame, month: Month, calendar: WorkingCalendar,
             limit: dt.datetime | None, top_topics: int) -> _Figures:
    received = frame["received"].to_numpy()
    start = np.datetime64(month.first, "s")
    stop = np.datetime64(month.next().first, "s")
    sub = frame.loc[(received >= start) & (received < stop)]
    nb = len(frame["body"].cat.categories)
    body = sub["body"].cat.codes.to_numpy().astype(np.int64)
    received = sub["received"].to_numpy()
    decision = sub["decision"].to_numpy()
    decision_date = sub["decision_date"].to_numpy()
    outcome = sub["outcome"].to_numpy()
    broken = sub["broken"].to_numpy()
    if limit is None:
        decided = decision > 0
        happened = outcome > 0
    else:
        decided = (decision > 0) & ~(decision_date > np.datetime64(limit.date(), "s"))
        happened = (outcome > 0) & ~(sub["outcome_at"].to_numpy() > np.datetime64(limit, "s"))

    state = np.full(len(sub), _STATE["pending"], dtype=np.int64)
    rejected = decided & (decision == DECISION_CODES[Decision.REJECTED])
    ground_state = np.array([_STATE["rejected_no_ground"],
                             *(_STATE[_GROUND_KEYS[g]] for g in Ground)], dtype=np.int64)
    state[rejected] = ground_state[sub["ground"].to_numpy()[rejected]]
    appointed = decided & (decision == DECISION_CODES[Decision.APPOINTED])
    state[appointed] = _STATE["awaiting"]
    outcome_state = np.array([0, *(_STATE[_OUTCOME_KEYS[o]] for o in Outcome)], dtype=np.int64)
    done = appointed & happened
    state[done] = outcome_state[outcome[done]]
    state[broken] = _STATE["not_classified"]
    ns = len(STATES)
    states = np.bincount(body * ns + state, minlength=nb * ns).reshape(nb, ns)

    # Timeliness (cl. 2.5): the decision date against the 5th working day after receipt.
    timed = decided & ~broken
    undated = timed & np.isnat(decision_date)
    due = _shift(received, calendar, DECISION_DAYS)
    on_time = timed & ~undated & (decision_date <= due)
    late = timed & ~undated & ~(decision_date <= due)

    counts = np.zeros((nb, len(_COUNT_KEYS)), dtype=np.int64)
    col = {key: i for i, key in enumerate(_COUNT_KEYS)}
    for key in STATES:
        counts[:, col[key]] = states[:, _STATE[key]]
    counts[:, col["received"]] = states.sum(axis=1)
    for key, mask in (("decided_on_time", on_time), ("decided_late", late),
                      ("decided_undated", undated)):
        counts[:, col[key]] = np.bincount(body[mask], minlength=nb)
    counts[:, col["decided"]] = counts[:, [col["decided_on_time"], col["decided_late"],
                                           col["decided_undated"]]].sum(axis=1)
    for group, _label, members in STATE_GROUPS:  # rejected, cancelled, interrupted
        if len(members) > 1:
            counts[:, col[group]] = counts[:, [col[m] for m in members]].sum(axis=1)
    appointed_keys = ("held", "cancelled", "interrupted", "rescheduled", "awaiting")
    counts[:, col["appointed"]] = counts[:, [col[k] for k in appointed_keys]].sum(axis=1)

    days = _decision_days(body, nb, received, decision_date, timed & ~undated, calendar)
    topics = _top_topics(sub, body, nb, top_topics) if top_topics else \
        [[] for _ in range(nb + 1)]
    refs = sub.loc[broken, ["body", "sheet", "row", "broken_cells"]]
    broken_rows = [RowRef(str(b), str(s), int(r), str(c))
                   for b, s, r, c in refs.itertuples(index=False)]
    return _Figures(counts, days, topics, broken_rows)


def _per_date(values: np.ndarray, fn: Any, dtype: str) -> np.ndarray:
    """fn(date) for each element, computed once per distinct date (NaT stays missing)."""
    codes, uniques = pd.factorize(values)
    mapped = np.array([fn(pd.Timestamp(u).date()) for u in uniques], dtype=dtype)
    missing = np.array(["NaT"], dtype=dtype) if dtype.startswith("datetime") \
        else np.array([np.nan], dtype=dtype)
    return np.concatenate([mapped, missing])[np.where(codes < 0, len(uniques), codes)]


def _shift(days: np.ndarray, calendar: WorkingCalendar, n: int) -> np.ndarray:
    """The n-th working day after each date (the deadline of cl. 2.5 for n = 5)."""
    return _per_date(days, lambda d: np.datetime64(calendar.add(d, n), "s"), "datetime64[s]")


_MAX_DECISION_SPAN = np.timedelta64(400, "D")  # longer is a typo in a date, not a review time


def _decision_days(body: np.ndarray, nb: int, received: np.ndarray, decided: np.ndarray,
                   mask: np.ndarray, calendar: WorkingCalendar
                   ) -> list[tuple[float | None, int | None]]:
    """Median and maximum working days from receipt to decision, per body and in total.

    Rows whose decision date is before the receipt (a date-order error) or more than 400 days
    after it are left out: they measure a typo, not the review.
    """
    span = decided - received
    mask = mask & (span >= np.timedelta64(0, "s")) & (span <= _MAX_DECISION_SPAN)
    out: list[tuple[float | None, int | None]] = [(None, None)] * (nb + 1)
    if not mask.any():
        return out
    r, d, b = received[mask], decided[mask], body[mask]
    anchor = pd.Timestamp(r.min()).date() - _ONE_DAY
    index_r = _per_date(r, lambda day: calendar.count_between(anchor, day), "float64")
    index_d = _per_date(d, lambda day: calendar.count_between(anchor, day), "float64")
    days = pd.Series(index_d - index_r)
    grouped = days.groupby(b).agg(["median", "max"])
    for i, (median, longest) in zip(grouped.index, grouped.itertuples(index=False),
                                    strict=True):
        out[int(i)] = (float(median), int(longest))
    out[nb] = (float(days.median()), int(days.max()))
    return out


def _top_topics(sub: pd.DataFrame, body: np.ndarray, nb: int, top: int
                ) -> list[list[tuple[str, int]]]:
    """The most frequent topics per body and in total (ties in alphabetical order)."""
    names = sub["topic"].cat.categories
    topic = sub["topic"].cat.codes.to_numpy().astype(np.int64)
    keep = topic >= 0
    nt = max(len(names), 1)
    out: list[list[tuple[str, int]]] = []
    pairs, sizes = np.unique(body[keep] * nt + topic[keep], return_counts=True)
    pair_body, pair_topic = pairs // nt, pairs % nt
    order = np.lexsort((pair_topic, -sizes, pair_body))  # by body, then count desc, then name
    for i in range(nb):
        chosen = order[pair_body[order] == i][:top]
        out.append([(str(names[pair_topic[j]]), int(sizes[j])) for j in chosen])
    totals = np.bincount(topic[keep], minlength=nt)
    ranked = np.lexsort((np.arange(nt), -totals))
    out.append([(str(names[j]), int(totals[j])) for j in ranked[:top] if totals[j] > 0])
    return out


# Violations open at the month's end -----------------------------------------------------


def journal_as_of(journal: Journal, moment: dt.datetime, calendar: WorkingCalendar) -> Journal:
    """The journal as it stood at `moment`, as far as its own dates tell.

    Rows received later are left out; a decision dated later is taken back (the row was still
    under review then), and so are a notice, an answer or an outcome dated later.
    """
    day = moment.date()
    kept: list[Application] = []
    for app in journal.applications:
        if app.received is not None and app.received > day:
            continue
        kept.append(_app_as_of(app, moment, calendar))
    rows = {app.row for app in kept}
    findings = [f for f in journal.findings if f.row is None or f.row in rows]
    return Journal(journal.body, journal.sheet, journal.location, kept, findings,
                   journal.date1904)


_DECISION_FACTS = {"decision": None, "decision_date": None, "appointment": None, "ground": None,
                   "specialist": "", "link": "", "outcome": None, "note": "",
                   "notice_sent": None, "answer": None, "answered_at": None, "recording": ""}


def _app_as_of(app: Application, moment: dt.datetime, calendar: WorkingCalendar
               ) -> Application:
    changes: dict[str, Any] = {}
    if app.decision_date is not None and app.decision_date > moment.date():
        changes = dict(_DECISION_FACTS)
    else:
        if app.notice_sent is not None and app.notice_sent > moment:
            changes.update(notice_sent=None, answer=None, answered_at=None)
        elif app.answered_at is not None and app.answered_at > moment:
            changes.update(answer=None, answered_at=None)
        happened = outcome_moment(app, calendar)
        if happened is not None and happened > moment:
            changes.update(outcome=None, recording="")
    if not changes:
        return app
    return dataclasses.replace(app, invalid=app.invalid.difference(changes), **changes)


def open_violations(journals: Sequence[Journal], clock: Clock, calendar: WorkingCalendar,
                    as_of: dt.datetime | None = None) -> dict[str, dict[str, int]]:
    """Errors of the core rules per body and code, for the journal as of `as_of`.

    With `as_of` (a past month's end) the rules see the journal as it stood then and run with a
    clock at that moment; without it they run on the journal as it is, at `clock`.
    """
    found: dict[str, Counter[str]] = {}
    for journal in journals:
        seen = journal if as_of is None else journal_as_of(journal, as_of, calendar)
        when = clock if as_of is None else Clock.at(as_of)
        ctx = Context(seen, calendar, when.today, when.now)
        counter = found.setdefault(journal.body.name, Counter())
        counter.update(f.code for f in run_rules(ctx) if f.severity is Severity.ERROR)
    return {body: dict(c) for body, c in found.items()}


def collect_stats(journals: Sequence[Journal], month: Month, clock: Clock,
                  calendar: WorkingCalendar, top_topics: int = TOP_TOPICS) -> MonthlyStats:
    """The month's statistics for the bodies of `journals`, violations included."""
    as_of, complete = report_period(month, clock.now)
    frame = frame_of(journals, calendar)
    violations = open_violations(journals, clock, calendar, as_of if complete else None)
    prev_end = dt.datetime.combine(month.previous().last, dt.time(23, 59))
    previous = open_violations(journals, clock, calendar, prev_end)
    return monthly_stats(frame, month, calendar, clock.now, violations, previous, top_topics)


def read_sources(locations: Sequence[str], config: Config, only: Sequence[str] = ()
                 ) -> list[Journal]:
    """Every body journal of the given locations (.xlsx paths or gsheet:…).

    With `only`, a location that holds none of the bodies asked for is passed over; it is an
    error only when no location holds them.
    """
    from toolkit.journal.errors import JournalError
    from toolkit.journal.read import journal_sheets, read_journals
    from toolkit.sources.open import open_source

    journals: list[Journal] = []
    missing: JournalError | None = None
    for location in locations:
        source = open_source(location, config)
        if only and len(locations) > 1:
            try:
                journal_sheets(source.sheet_titles(), config, source.location, only)
            except JournalError as exc:
                missing = exc
                continue
        journals.extend(read_journals(source, config, only))
    if not journals and missing is not None:
        raise missing
    return journals


def stats_for(locations: Sequence[str], config: Config, month: Month, clock: Clock,
              only: Sequence[str] = ()) -> MonthlyStats:
    """Read the journals and compute the month's statistics (`[stats]` settings applied)."""
    from toolkit.journal.control import calendar_for

    journals = read_sources(locations, config, only)
    return collect_stats(journals, month, clock, calendar_for(config),
                         top_topics_setting(config.section("stats")))


def top_topics_setting(config_section: Mapping[str, Any]) -> int:
    """`[stats] top_topics` from the config (default 5)."""
    from toolkit.journal.errors import ConfigError

    value = config_section.get("top_topics", TOP_TOPICS)
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 50:
        raise ConfigError("[stats] top_topics — ожидается целое число от 1 до 50")
    return value
