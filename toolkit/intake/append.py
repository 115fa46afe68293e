"""Registration (cl. 2.4): new rows at the end of a body's journal, with the same safety as every
other write.

    places = Places(config, journal=None, table=settings.table)
    place = places.find("ГКУ «Государственное юридическое бюро Кузбасса»")  # → Place or None
    written = append_rows(open_source(place.location, config), config, {sheet: [NewRow…]})

A row gets the next № п/п (largest in the sheet + 1) right after the last row that holds
anything. The journal is read again right before writing: an .xlsx is written through its
source (`JournalSource.write`: refused while a lock file says it is open or when it changed since
read, a backup first, every other byte kept) as cells whose old text is empty — the patcher
inserts the rows; a Google sheet gets one `values.append` per sheet (RAW input). Text is never
written as a formula: the .xlsx patcher writes inline strings, Google's RAW input is literal.

The .xlsx patcher writes text only, so № п/п and the dates go into an .xlsx as text
(«27.11.2026»), which the journal's reader parses as dates; Google gets numbers and date serials.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from toolkit.intake.routing import RoutingTable
from toolkit.journal import cells
from toolkit.journal.config import Body, Config
from toolkit.journal.errors import JournalError
from toolkit.journal.model import CellChange, Journal, JournalSource
from toolkit.journal.read import read_journal
from toolkit.journal.schema import BY_KEY, FIRST_DATA_ROW, WIDTH, Consent, normalize
from toolkit.journal.sheets import journal_sheets

PERSONAL = ("address", "phone", "email")


@dataclass(frozen=True)
class Place:
    """Where a body's applications are registered."""

    body: str  # the body's name as the routing table gives it
    location: str
    sheet: str


@dataclass
class NewRow:
    """The cells of one application to append (№ п/п is given when written)."""

    received: dt.date
    citizen: str
    topic: str
    submitted: dt.date | None
    address: str = ""
    phone: str = ""
    email: str = ""
    consent_data: Consent | None = None
    consent_video: Consent | None = None
    control: str = ""

    def values(self) -> dict[str, object]:
        return {
            "received": self.received, "citizen": self.citizen, "topic": self.topic,
            "submitted": self.submitted, "address": self.address, "phone": self.phone,
            "email": self.email,
            "consent_data": self.consent_data.label if self.consent_data else "",
            "consent_video": self.consent_video.label if self.consent_video else "",
            "control": self.control,
        }


@dataclass(frozen=True)
class Written:
    """Where one new row went."""

    sheet: str
    row: int
    number: int


@dataclass
class AppendResult:
    written: list[Written] = field(default_factory=list)
    backup: Path | None = None
    notes: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)  # sheet → why its rows were not added


class Places:
    """Which journal and sheet each body's applications go to."""

    def __init__(self, config: Config, journal: str | None, table: RoutingTable,
                 titles: Mapping[str, Sequence[str]]) -> None:
        """`titles`: location → its sheet titles, for every location `locations()` names."""
        self.config = config
        self.journal = journal
        self.table = table
        self.titles = titles

    @staticmethod
    def locations(config: Config, journal: str | None) -> list[str]:
        """The journals applications may be registered in: --journal, or the configured ones."""
        if journal:
            return [journal]
        found = [config.resolve(j) for j in config.journals]
        found += [config.resolve(b.journal) for b in config.bodies if b.journal]
        return list(dict.fromkeys(found))

    def names(self, body: str) -> list[str]:
        entry = self.table.body_named(body)
        return [body, *(entry.aliases if entry is not None else ())]

    def configured(self, body: str) -> Body | None:
        for name in self.names(body):
            found = self.config.body_named(name)
            if found is not None:
                return found
        return None

    def find(self, body: str) -> Place | None:
        """The journal sheet of a body, or None when no journal at hand has it."""
        configured = self.configured(body)
        if configured is not None:
            sheets = [configured.sheet]
            if self.journal:
                where = [self.journal]
            elif configured.journal:
                where = [self.config.resolve(configured.journal)]
            else:
                where = [self.config.resolve(j) for j in self.config.journals]
        else:
            sheets = self.names(body)
            where = list(self.titles)
        for location in where:
            known = {normalize(t): t for t in self.titles.get(location, ())}
            for sheet in sheets:
                if normalize(sheet) in known:
                    return Place(body, location, known[normalize(sheet)])
        return None


def last_row(rows: Sequence[Sequence[object]], formulas: Sequence[tuple[int, int]] = ()) -> int:
    """The last row (1-based) holding anything in the journal's columns — a formula too, even
    one that shows nothing; the header's when there is none."""
    last = max((r for r, c in formulas if c < WIDTH), default=FIRST_DATA_ROW - 1)
    for index in range(len(rows) - 1, max(last, FIRST_DATA_ROW - 1) - 1, -1):
        if any(cells.text_of(v) for v in list(rows[index])[:WIDTH]):
            return index + 1
    return max(last, FIRST_DATA_ROW - 1)


def read_sheets(source: JournalSource, config: Config, sheets: Sequence[str] = ()
                ) -> tuple[list[Journal], dict[str, int]]:
    """The body journals of a source (all, or the `sheets` named) and each sheet's last row."""
    titles = source.sheet_titles()
    chosen = journal_sheets(titles, config, source.location, sheets)
    grids = source.read([t for t, _ in chosen])
    bodies = dict(chosen)
    journals = []
    last: dict[str, int] = {}
    for grid in grids:
        journals.append(read_journal(grid, bodies[grid.title], source.location))
        last[grid.title] = last_row(grid.rows, list(grid.formulas))
    return journals, last


def append_rows(source: JournalSource, config: Config, rows: Mapping[str, Sequence[NewRow]]
                ) -> AppendResult:
    """Append the rows to their sheets (read again first).

    An .xlsx is written at once or not at all (JournalBusy, JournalError); a Google sheet's
    failure after others were appended is reported in `failed` with those others written."""
    result = AppendResult()
    if not rows:
        return result
    journals, last = read_sheets(source, config, list(rows))
    numbers = {j.sheet: max((a.number or 0 for a in j.applications), default=0)
               for j in journals}
    google = hasattr(source, "append")
    personal_kept_local = google and getattr(source, "personal_file", None) is not None
    changes: list[CellChange] = []
    for sheet, new in rows.items():
        if sheet not in last:
            raise JournalError(f"{source.location}: нет листа «{sheet}»")
        first_row = last[sheet] + 1
        first_number = numbers[sheet] + 1
        if google:
            values = [_google_row(r, first_number + i, personal_kept_local)
                      for i, r in enumerate(new)]
            try:
                first_row = source.append(sheet, values)  # type: ignore[attr-defined]
            except JournalError as exc:
                if not result.written:
                    raise  # nothing written yet: the whole location waits
                # Sheets appended before stay appended: the caller must record them.
                result.failed.update({t: str(exc) for t in rows if t not in
                                      {w.sheet for w in result.written}})
                break
        else:
            for i, item in enumerate(new):
                changes.extend(_cell_changes(sheet, first_row + i, first_number + i, item))
        result.written.extend(Written(sheet, first_row + i, first_number + i)
                              for i in range(len(new)))
    if personal_kept_local:
        result.notes.append("адрес и контакты не записаны в Google Таблицу: по настройкам "
                            "[google] personal_file они ведутся в локальном файле — внесите их "
                            "туда из письма переадресации")
    if changes:
        written = source.write(changes)
        result.notes.extend(f"ячейка {c.sheet}!{c.cell} не записана: {why}"
                            for c, why in written.skipped)
        result.backup = written.backup
    return result


def _cell_changes(sheet: str, row: int, number: int, item: NewRow) -> list[CellChange]:
    out = [CellChange(sheet, row, "number", "", str(number), "заявка с сайта")]
    for key, value in item.values().items():
        text = cells.text_of(value)
        if text:
            out.append(CellChange(sheet, row, key, "", text, "заявка с сайта"))
    return out


def _google_row(item: NewRow, number: int, personal_local: bool) -> list[Any]:
    line: list[Any] = [""] * WIDTH
    line[BY_KEY["number"].index] = number
    for key, value in item.values().items():
        if personal_local and key in PERSONAL:
            continue
        cell = int(cells.to_serial(value)) if isinstance(value, dt.date) else value
        line[BY_KEY[key].index] = "" if cell is None else cell
    while line and line[-1] == "":
        line.pop()
    return line
