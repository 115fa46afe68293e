"""A journal kept in a Google spreadsheet, read and written through the Sheets API v4.

    source = GoogleSheetSource.from_location("gsheet:1AbC…xyz", config)
    grids = source.read(source.sheet_titles())   # 2 requests, whatever the rows and sheets
    source.write(changes)                        # 2 requests: re-read the targets, write them
    source.requests                              # HTTP requests sent so far

Reading takes two requests for all sheets together: `spreadsheets.get` (titles, merged ranges and
where formulas are — a field mask keeps it to that) and one `values.batchGet` of every journal
sheet with UNFORMATTED_VALUE and dates as SERIAL_NUMBER. Values go to the core's typed-cell
parser as Google returns them — gspread's numericise is never used, so '0123', '+7 …' and
'12,5' stay exactly as typed. Sheets counts dates from 30.12.1899, as Excel's 1900 system.

People edit the sheet while a job runs, so writing is compare-and-set per cell: the target
columns and № п/п are read again in one request, each row is found by its № п/п (rows may
have been sorted or inserted meanwhile), and a cell is written only if it still holds what the
job read; otherwise it is left alone and reported. The written cells go in one
`values.batchUpdate` with RAW input, so no text ever becomes a formula. The Sheets API has no
conditional write: the window for a lost edit is the time of that one request.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from gspread.exceptions import APIError
from gspread.utils import DateTimeOption, Dimension, ValueInputOption, ValueRenderOption

from .. import cells
from ..config import Config
from ..errors import JournalError
from ..journal import CellChange, SheetGrid, WriteResult
from ..schema import BY_KEY, FIRST_DATA_ROW, WIDTH, column_letter
from .address import SheetAddress, a1
from .http import SheetsHTTPClient, describe_api_error
from .personal import PERSONAL_KEYS, number_key, read_personal_file

log = logging.getLogger("vks.gsheets")

T = TypeVar("T")

READ_FIELDS = (
    "sheets(properties(sheetId,title,index,sheetType),merges,"
    "data(startRow,startColumn,rowData(values(userEnteredValue(formulaValue)))))"
)
LAST_COLUMN = column_letter(WIDTH - 1)
WRITABLE = frozenset({"control", "letter", "outcome"})  # what the toolkit may ever write


def value_params(major: Dimension = Dimension.rows) -> dict[str, Any]:
    """Query parameters of every values read: raw values, dates as serial numbers."""
    return {
        "valueRenderOption": ValueRenderOption.unformatted,
        "dateTimeRenderOption": DateTimeOption.serial_number,
        "majorDimension": major,
    }


@dataclass(frozen=True)
class SheetInfo:
    """What spreadsheets.get says about one worksheet."""

    sheet_id: int
    title: str
    merged: tuple[tuple[int, int, int, int], ...] = ()
    formulas: frozenset[tuple[int, int]] = frozenset()


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
        self._sheets: dict[str, SheetInfo] | None = None
        self._grids: dict[str, SheetGrid] = {}

    @classmethod
    def from_location(cls, location: str, config: Config) -> GoogleSheetSource:
        from .auth import GoogleSettings, connect

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
        except APIError as exc:
            raise JournalError(describe_api_error(exc, self.location, self.account)) from None
        except GoogleAuthError as exc:
            raise JournalError(
                f"{self.location}: не удалось войти в Google сервисным аккаунтом "
                f"({type(exc).__name__}). Проверьте ключ и системное время компьютера."
            ) from None

    # Reading ---------------------------------------------------------------------------

    def sheets(self) -> dict[str, SheetInfo]:
        """Every grid worksheet by title, from one spreadsheets.get (cached)."""
        if self._sheets is None:
            meta = self.call(self.http.spreadsheets_get, self.address.key,
                             params={"fields": READ_FIELDS})
            self._sheets = parse_sheets(meta)
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
            known = ", ".join(f"«{t}»" for t in sheets) or "нет листов"
            raise JournalError(f"{self.location}: нет листа «{missing[0]}»; листы: {known}")
        return list(self.address.titles) or list(sheets)

    def read(self, titles: Sequence[str]) -> list[SheetGrid]:
        sheets = self.sheets()
        for title in titles:
            if title not in sheets:
                raise JournalError(f"{self.location}: нет листа «{title}»")
        if not titles:
            return []
        ranges = [a1(t, f"A1:{LAST_COLUMN}") for t in titles]
        reply = self.call(self.http.values_batch_get, self.address.key, ranges,
                          params=value_params())
        value_ranges = reply.get("valueRanges", [])
        if len(value_ranges) != len(titles):
            raise JournalError(f"{self.location}: Google вернул {len(value_ranges)} диапазонов "
                               f"вместо {len(titles)}")
        personal = (read_personal_file(self.personal_file, titles)
                    if self.personal_file is not None else None)
        grids = []
        for title, value_range in zip(titles, value_ranges, strict=True):
            rows: list[list[Any]] = [list(r) for r in value_range.get("values", [])]
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
        sheets = self.sheets()
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
                column = current.get((change.sheet, BY_KEY[change.key].index), [])
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

    def _refusal(self, change: CellChange, info: SheetInfo) -> str:
        column = BY_KEY[change.key]
        if change.key not in WRITABLE:
            return "программа записывает только «Контроль», «Решение об отклонении» и отмену " \
                   "приема в графе 7 — ячейка не записана"
        if change.key == "outcome" and change.old.strip():
            return "графа 7 уже заполнена — отмена не записана"
        if (change.row, column.index) in info.formulas:
            return "в ячейке формула — не перезаписана"
        return ""

    def _reread(self, planned: Sequence[CellChange]) -> dict[tuple[str, int], list[Any]]:
        """№ п/п and the target columns of the changed sheets, in one values.batchGet."""
        wanted: dict[str, set[int]] = {}
        for change in planned:
            wanted.setdefault(change.sheet, {BY_KEY["number"].index}).add(
                BY_KEY[change.key].index)
        keys = [(sheet, col) for sheet, cols in wanted.items() for col in sorted(cols)]
        ranges = [a1(sheet, f"{column_letter(col)}1:{column_letter(col)}") for sheet, col in keys]
        reply = self.call(self.http.values_batch_get, self.address.key, ranges,
                          params=value_params(Dimension.cols))
        value_ranges = reply.get("valueRanges", [])
        if len(value_ranges) != len(keys):
            raise JournalError(f"{self.location}: Google вернул {len(value_ranges)} диапазонов "
                               f"вместо {len(keys)} — ничего не записано")
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
        if not key:
            at = now[change.row - 1] if change.row - 1 < len(now) else ""
            if at:
                return None, ("строки сдвинулись после чтения, а у строки не было № п/п — "
                              "ячейка не записана")
            return change.row, ""
        # The n-th row with this number (numbers should be unique; duplicates are a finding).
        nth = sum(1 for r in range(FIRST_DATA_ROW - 1, change.row - 1) if then[r] == key)
        rows = [r + 1 for r in range(FIRST_DATA_ROW - 1, len(now)) if now[r] == key]
        if len(rows) <= nth:
            return None, (f"строка с № п/п {key} удалена или ее номер изменен после чтения — "
                          f"ячейка не записана")
        return rows[nth], ""


def parse_sheets(meta: dict[str, Any]) -> dict[str, SheetInfo]:
    """Grid worksheets from a spreadsheets.get reply (fields=READ_FIELDS), in tab order."""
    out: dict[str, SheetInfo] = {}
    for sheet in meta.get("sheets", []):
        props = sheet.get("properties", {})
        if props.get("sheetType", "GRID") != "GRID":
            continue  # a chart or data-source sheet holds no cells
        merged = tuple(
            (m.get("startRowIndex", 0) + 1, m.get("startColumnIndex", 0),
             m.get("endRowIndex", 1), m.get("endColumnIndex", 1) - 1)
            for m in sheet.get("merges", [])
        )
        formulas = set()
        for grid in sheet.get("data", []):
            r0, c0 = grid.get("startRow", 0), grid.get("startColumn", 0)
            for i, row in enumerate(grid.get("rowData", [])):
                for j, cell in enumerate(row.get("values", [])):
                    if "formulaValue" in cell.get("userEnteredValue", {}):
                        formulas.add((r0 + i + 1, c0 + j))
        title = str(props.get("title", ""))
        out[title] = SheetInfo(int(props.get("sheetId", 0)), title, merged, frozenset(formulas))
    return out


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
