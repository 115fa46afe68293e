"""A journal kept in a Google spreadsheet, read and written through the Sheets API v4.

    source = GoogleSheetSource.from_location("gsheet:1AbC…xyz", config)
    grids = source.read(source.sheet_titles())   # 1 request, whatever the rows and sheets
    source.write(changes)                        # 2 requests: re-read the targets, write them
    source.requests                              # HTTP requests sent so far

Reading is one `spreadsheets.get` for all sheets together. Its field mask (`READ_FIELDS`) asks
for each grid sheet's properties, merged ranges and, per cell, only `effectiveValue` (the value
shown, a formula's result) and `userEnteredValue.formulaValue` (whether the cell holds a
formula) — a field mask returns grid data without `includeGridData`. `sheet_titles()` and the
`read()` that follows share that one request: its values are kept until `read()` hands them
out (once; a later `read()` asks again).

Which cells it covers depends on what the location names:

- worksheets named in the location (`gsheet:<key>!ЦСВ`): `ranges=` 'ЦСВ'!A1:Y for each, so
  the reply holds only those sheets and only the journal's columns A:X;
- no worksheets named (`gsheet:<key>`, or a URL with #gid=…): the titles are not known before
  the request, and a range needs a title, so the reply holds the whole grid of every grid
  sheet — a notes sheet or «Справочники» travels too, and columns past Y of any sheet (cut off
  here). Naming the worksheets bounds the payload to A:X of the journal sheets.

`effectiveValue` becomes exactly what values.get gives with UNFORMATTED_VALUE and dates as
SERIAL_NUMBER (`cell_value`): numbers as numbers (dates stay serial numbers, whole ones are
ints), text as typed, booleans, an error as its text such as '#REF!', an empty cell as ''.
Rows go to the core's typed-cell parser as such — gspread's numericise is never used, so
'0123', '+7 …' and '12,5' stay exactly as typed. Sheets counts dates from 30.12.1899, as
Excel's 1900 system.

People edit the sheet while a job runs, so writing is compare-and-set per cell: the target
columns, № п/п, the date received and the citizen's name are read again in one
`values.batchGet` (UNFORMATTED_VALUE, SERIAL_NUMBER); each row is found by its № п/п *and* the
name and date it had when read (rows may have been sorted or inserted meanwhile, and someone
may type the same number into another row), and a cell is written only if exactly one row
matches and the cell still holds what the job read; on any doubt it is left alone and
reported.
The written cells go in one `values.batchUpdate` with RAW input, so no text ever becomes a
formula. The Sheets API has no conditional write: the window for a lost edit is the time of
that one request.
"""

from __future__ import annotations

import dataclasses
import json
import logging
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, TypeVar

from gspread.exceptions import APIError
from gspread.urls import SPREADSHEET_URL
from gspread.utils import DateTimeOption, Dimension, ValueInputOption, ValueRenderOption

from toolkit.journal import cells
from toolkit.journal.config import Config
from toolkit.journal.errors import JournalError
from toolkit.journal.locations import SheetAddress, a1
from toolkit.journal.model import CellChange, SheetGrid, WriteResult, paused_gc
from toolkit.journal.schema import BY_KEY, FIRST_DATA_ROW, WIDTH, column_letter
from toolkit.sources.gsheets.griddata import (
    SheetInfo,
    decode_cell,
    parse_spreadsheet,
)
from toolkit.sources.gsheets.http import SheetsHTTPClient, describe_api_error
from toolkit.sources.gsheets.personal import PERSONAL_KEYS, number_key, read_personal_file
from toolkit.sources.gsheets.replies import (
    BadReply,
    check_size,
    check_spreadsheet,
    check_value_ranges,
)

log = logging.getLogger("vks.gsheets")

T = TypeVar("T")

READ_FIELDS = (
    "sheets(properties(sheetId,title,index,sheetType),merges,"
    "data(startRow,startColumn,rowData(values("
    "userEnteredValue(formulaValue),"
    "effectiveValue(numberValue,stringValue,boolValue,errorValue(type))))))"
)
TITLE_FIELDS = "sheets(properties(sheetId,title,index,sheetType))"
LAST_COLUMN = column_letter(WIDTH - 1)
WRITABLE = frozenset({"control", "letter", "outcome"})  # what the toolkit may ever write
# Cells the toolkit fills only while empty: the cl. 2.7 cancellation, the Telemost link it
# created, when it sent the notice, the citizen's answer it read from the mailbox.
FILL_ONLY = frozenset({"outcome", "link", "notice_sent", "answer", "answered_at"})
WRITABLE = WRITABLE | FILL_ONLY
# What identifies a row besides its № п/п when a write finds it again: graphs 2 and 3.
IDENTITY = (BY_KEY["received"].index, BY_KEY["citizen"].index)

def value_params(major: Dimension = Dimension.rows) -> dict[str, Any]:
    """Query parameters of every values read: raw values, dates as serial numbers."""
    return {
        "valueRenderOption": ValueRenderOption.unformatted,
        "dateTimeRenderOption": DateTimeOption.serial_number,
        "majorDimension": major,
    }


class GoogleSheetSource:
    """A Google spreadsheet with a worksheet per body (`JournalSource`)."""

    def __init__(
        self,
        address: SheetAddress,
        http: SheetsHTTPClient,
        account: str = "",
        personal_file: Path | None = None,
    ) -> None:
        self.address = address
        self.location = address.location
        self.http = http
        self.account = account
        self.personal_file = personal_file
        self._sheets: dict[str, SheetInfo] | None = None  # grid sheets seen so far, by title
        self._every_sheet = False  # whether _sheets lists every grid sheet of the spreadsheet
        self._values: dict[str, list[list[Any]]] = {}  # fetched rows not yet handed to read()
        self._grids: dict[str, SheetGrid] = {}

    @classmethod
    def from_location(cls, location: str, config: Config) -> GoogleSheetSource:
        from toolkit.sources.gsheets.auth import GoogleSettings, connect

        settings = GoogleSettings.from_config(config)
        address = SheetAddress.parse(location)
        http, account = connect(settings)
        return cls(address, http, account, settings.personal_file)

    @property
    def requests(self) -> int:
        """HTTP requests sent to Google so far, repeats included."""
        return self.http.requests

    def call(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run one Sheets API call; its errors become JournalErrors with a Russian message."""
        from google.auth.exceptions import GoogleAuthError

        try:
            return fn(*args, **kwargs)
        except ValueError as exc:  # a body that is not JSON (gspread's response.json())
            raise BadReply(f"{self.location}: ответ Google не удалось разобрать "
                           f"({type(exc).__name__}) — ничего не прочитано и не записано. "
                           f"Повторите позже.") from None
        except APIError as exc:
            raise JournalError(describe_api_error(exc, self.location, self.account)) from None
        except GoogleAuthError as exc:
            raise JournalError(
                f"{self.location}: не удалось войти в Google сервисным аккаунтом "
                f"({type(exc).__name__}). Проверьте ключ и системное время компьютера."
            ) from None

    # Reading ---------------------------------------------------------------------------

    def _fetch(self, titles: Sequence[str] | None, keep_values: bool = True) -> None:
        """One spreadsheets.get: sheets, merges, formulas and values (A:X).

        `titles` given: only those sheets, by ranges A1:Y. None: every grid sheet, whole.
        """
        params: dict[str, Any] = {"fields": READ_FIELDS}
        if titles is not None:
            params["ranges"] = [a1(t, f"A1:{LAST_COLUMN}") for t in dict.fromkeys(titles)]

        def get() -> bytes:
            try:
                response = self.http.request("get", SPREADSHEET_URL % self.address.key,
                                             params=params)
            except APIError as exc:
                if titles and exc.code == 400:  # "Unable to parse range": a sheet is missing?
                    self._name_missing(titles)
                raise
            return response.content

        content = self.call(get)
        check_size(content, self.location)
        with paused_gc():  # millions of small objects, none in a cycle
            try:
                meta = json.loads(content, object_hook=decode_cell)
            except (ValueError, RecursionError):
                raise JournalError(f"{self.location}: Google вернул ответ, который не "
                                   f"удалось разобрать") from None
            del content
            check_spreadsheet(meta, self.location)
            infos, values = parse_spreadsheet(meta)
        if self._sheets is None or titles is None:
            self._sheets = {}
        self._sheets.update(infos)
        self._every_sheet = self._every_sheet or titles is None
        if keep_values:
            self._values.update(values)

    def _name_missing(self, titles: Sequence[str]) -> None:
        """Raise the JournalError naming a title the spreadsheet lacks, if one does."""
        meta = self.call(self.http.spreadsheets_get, self.address.key,
                         params={"fields": TITLE_FIELDS})
        check_spreadsheet(meta, self.location)
        sheets, _ = parse_spreadsheet(meta)
        missing = [t for t in titles if t not in sheets]
        if missing:
            raise JournalError(self._no_sheet(missing[0], sheets))

    def _no_sheet(self, title: str, sheets: Iterable[str]) -> str:
        known = ", ".join(f"«{t}»" for t in sheets) or "нет листов"
        return f"{self.location}: нет листа «{title}»; листы: {known}"

    def sheets(self) -> dict[str, SheetInfo]:
        """Grid worksheets by title: those named in the location, or every one (cached).

        The spreadsheets.get behind it also fetches their values for the `read()` to come.
        """
        if self._sheets is None:
            self._fetch(list(self.address.titles) or None)
        assert self._sheets is not None
        return self._sheets

    def sheet_titles(self) -> list[str]:
        sheets = self.sheets()
        if self.address.gid is not None:
            for info in sheets.values():
                if info.sheet_id == self.address.gid:
                    return [info.title]
            raise JournalError(f"{self.location}: в таблице нет листа с gid={self.address.gid}")
        missing = [t for t in self.address.titles if t not in sheets]
        if missing:
            raise JournalError(self._no_sheet(missing[0], sheets))
        return list(self.address.titles) or list(sheets)

    def read(self, titles: Sequence[str]) -> list[SheetGrid]:
        if not titles:
            return []
        if self._every_sheet:
            for title in titles:
                if title not in (self._sheets or {}):
                    raise JournalError(self._no_sheet(title, self._sheets or {}))
        wanted = [t for t in dict.fromkeys(titles) if t not in self._values]
        if wanted:  # read again, or without sheet_titles() first: one more spreadsheets.get
            self._fetch(wanted)
        sheets = self.sheets()
        personal = (read_personal_file(self.personal_file, titles)
                    if self.personal_file is not None else None)
        fetched, self._values = self._values, {}  # handed out once; unread sheets are freed
        grids = []
        for title in titles:
            if title not in sheets or title not in fetched:
                raise JournalError(f"{self.location}: Google не вернул лист «{title}»")
            rows = fetched[title]
            if personal is not None:
                merge_personal(rows, personal.get(title, {}), self.location, title)
            info = sheets[title]
            grid = SheetGrid(title=title, rows=rows, date1904=False, merged=info.merged,
                             formulas=info.formulas)
            self._grids[title] = grid
            grids.append(grid)
        log.info("%s: прочитано листов %d, запросов к Google %d",
                 self.location, len(grids), self.requests)
        return grids

    # Writing ---------------------------------------------------------------------------

    def write(self, changes: Sequence[CellChange]) -> WriteResult:
        """Compare-and-set the changed cells; the others are reported in `skipped`."""
        result = WriteResult()
        if not changes:
            return result
        before = self.requests
        sheets = self._sheets_for(change.sheet for change in changes)
        planned: list[CellChange] = []
        for change in changes:
            if change.sheet not in sheets:
                raise JournalError(f"{self.location}: нет листа «{change.sheet}»")
            refusal = self._refusal(change, sheets[change.sheet])
            if refusal:
                result.skipped.append((change, refusal))
            else:
                planned.append(change)
        if planned:
            current = self._reread(planned)
            data = []
            for change in planned:
                row, why = self._locate(change, current)
                if row is None:
                    result.skipped.append((change, why))
                    continue
                column = current.get((change.sheet, change.column), [])
                now = cells.text_of(column[row - 1]) if row - 1 < len(column) else ""
                if now != change.old:
                    result.skipped.append((change, "ячейку изменили после чтения — оставлена "
                                                   "как есть, программа запишет ее при следующей "
                                                   "проверке"))
                    continue
                target = change if row == change.row else dataclasses.replace(change, row=row)
                data.append({"range": a1(target.sheet, target.cell),
                             "majorDimension": Dimension.rows, "values": [[target.new]]})
                result.written.append(target)
            if data:
                self.call(self.http.values_batch_update, self.address.key,
                          {"valueInputOption": ValueInputOption.raw, "data": data})
        result.requests = self.requests - before
        log.info("%s: записано ячеек %d, пропущено %d, запросов к Google %d", self.location,
                 len(result.written), len(result.skipped), result.requests)
        return result

    def append(self, sheet: str, rows: Sequence[Sequence[object]]) -> int:
        """Add rows after the sheet's table: one values.append (INSERT_ROWS, RAW input, so no
        text becomes a formula); returns the first row written. For applications from the
        website (`toolkit.intake`): the only write that adds rows; numbers and dates go as
        numbers (dates as serial numbers, shown by the column's date format)."""
        if not rows:
            return 0
        params = {"valueInputOption": ValueInputOption.raw, "insertDataOption": "INSERT_ROWS",
                  "includeValuesInResponse": False}
        body = {"majorDimension": Dimension.rows, "values": [list(r) for r in rows]}
        reply = self.call(self.http.values_append, self.address.key,
                          a1(sheet, f"A{FIRST_DATA_ROW}:{LAST_COLUMN}"), params, body)
        updated = str(reply.get("updates", {}).get("updatedRange", ""))
        first = updated.rpartition("!")[2].split(":")[0].lstrip("$ABCDEFGHIJKLMNOPQRSTUVWXYZ")
        if not first.isdigit():
            raise JournalError(f"{self.location}: Google не сообщил, куда добавлены строки "
                               f"листа «{sheet}» — проверьте лист")
        log.info("%s: добавлено строк %d на лист, запросов к Google %d", self.location,
                 len(rows), self.requests)
        return int(first)

    def _sheets_for(self, titles: Iterable[str]) -> dict[str, SheetInfo]:
        """Formulas of the sheets to write; fetched (one request) if not read before."""
        unknown = [t for t in dict.fromkeys(titles) if t not in (self._sheets or {})]
        if unknown and not self._every_sheet:
            self._fetch(unknown, keep_values=False)
        assert self._sheets is not None
        return self._sheets

    def _refusal(self, change: CellChange, info: SheetInfo) -> str:
        if change.key not in WRITABLE:
            return "программа записывает только «Контроль», «Решение об отклонении», отмену " \
                   "приема в графе 7 и пустые «Ссылка на Телемост», «Уведомление направлено», " \
                   "«Ответ гражданина», «Дата ответа» — ячейка не записана"
        if change.key == "outcome" and change.old.strip():
            return "графа 7 уже заполнена — отмена не записана"
        if change.key in FILL_ONLY and change.old.strip():
            return "ячейка уже заполнена — не перезаписана"
        if (change.row, change.column) in info.formulas:
            return "в ячейке формула — не перезаписана"
        return ""

    def _reread(self, planned: Sequence[CellChange]) -> dict[tuple[str, int], list[Any]]:
        """№ п/п and the target columns of the changed sheets, in one values.batchGet."""
        wanted: dict[str, set[int]] = {}
        for change in planned:
            # A sheet read before also gets the row's identity: the date received, the name.
            identity = IDENTITY if change.sheet in self._grids else ()
            wanted.setdefault(change.sheet, {BY_KEY["number"].index, *identity}).add(
                change.column)
        keys = [(sheet, col) for sheet, cols in wanted.items() for col in sorted(cols)]
        ranges = [a1(sheet, f"{column_letter(col)}1:{column_letter(col)}") for sheet, col in keys]
        reply = self.call(self.http.values_batch_get, self.address.key, ranges,
                          params=value_params(Dimension.cols))
        value_ranges = check_value_ranges(reply, len(keys), self.location)
        current: dict[tuple[str, int], list[Any]] = {}
        for key, value_range in zip(keys, value_ranges, strict=True):
            values = value_range.get("values") or [[]]
            current[key] = list(values[0])
        return current

    def _locate(self, change: CellChange,
                current: dict[tuple[str, int], list[Any]]) -> tuple[int | None, str]:
        """The row that now holds the application the change was planned for."""
        numbers_now = current.get((change.sheet, BY_KEY["number"].index), [])
        grid = self._grids.get(change.sheet)
        if grid is None:  # written without reading first: rows are taken by position
            return change.row, ""
        then = [number_key(r[0]) if r else "" for r in grid.rows]
        key = then[change.row - 1] if change.row - 1 < len(then) else ""
        now = [number_key(v) for v in numbers_now]
        read = _identity(grid.rows[change.row - 1] if change.row - 1 < len(grid.rows) else [])
        columns = [current.get((change.sheet, i), []) for i in IDENTITY]

        def same(row: int) -> bool:  # the row holds the name and date it had when read
            return tuple(cells.text_of(c[row - 1]) if row - 1 < len(c) else ""
                         for c in columns) == read

        if not key:
            at = now[change.row - 1] if change.row - 1 < len(now) else ""
            if at or not same(change.row):
                return None, ("строки сдвинулись после чтения, а у строки не было № п/п — "
                              "ячейка не записана")
            return change.row, ""
        rows = [r + 1 for r in range(FIRST_DATA_ROW - 1, len(now)) if now[r] == key]
        if not rows:
            return None, (f"строка с № п/п {key} удалена или ее номер изменен после чтения — "
                          f"ячейка не записана")
        matching = [r for r in rows if same(r)]
        if len(matching) == 1:
            return matching[0], ""
        if not matching:
            return None, (f"в строке с № п/п {key} после чтения изменены Ф.И.О. или дата "
                          f"поступления — ячейка не записана, чтобы не попасть в чужую строку")
        shown = ", ".join(str(r) for r in matching)
        return None, (f"№ п/п {key} с теми же Ф.И.О. и датой поступления теперь в нескольких "
                      f"строках ({shown}) — ячейка не записана, чтобы не попасть в чужую строку")


def _identity(row: Sequence[Any]) -> tuple[str, ...]:
    return tuple(cells.text_of(row[i]) if i < len(row) else "" for i in IDENTITY)


def merge_personal(rows: list[list[Any]], local: dict[str, list[Any]], location: str,
                   title: str) -> None:
    """Put the locally kept address and contacts into the rows, matched by № п/п."""
    indexes = [BY_KEY[k].index for k in PERSONAL_KEYS]
    in_google: list[str] = []
    for r in range(FIRST_DATA_ROW - 1, len(rows)):
        row = rows[r]
        in_google.extend(f"{column_letter(i)}{r + 1}" for i in indexes
                         if i < len(row) and cells.text_of(row[i]))
        values = local.get(number_key(row[0])) if row else None
        if values is None:
            continue
        row.extend([""] * (WIDTH - len(row)))
        for i, value in zip(indexes, values, strict=True):
            if cells.text_of(value):
                row[i] = value
    if in_google:
        shown = ", ".join(in_google[:10]) + (" …" if len(in_google) > 10 else "")
        log.warning(
            "%s, лист «%s»: адрес или контакты записаны в Google Таблицу (%s), хотя по "
            "настройкам [google] personal_file они хранятся только в локальном файле — "
            "перенесите их туда и удалите из таблицы", location, title, shown)
