"""Against real Google Sheets — opt-in, never part of the ordinary run.

Runs only when both variables are set:

    VKS_LIVE_GOOGLE_KEY=/path/to/service_account.json   a service-account key (JSON)
    VKS_LIVE_SPREADSHEET=gsheet:<key>                   a scratch spreadsheet shared with that
                                                        account as «Редактор»; its sheets
                                                        «Министерство» and «Справочники» are
                                                        replaced

    python -m pytest -q -m live tests/test_gsheets_live.py
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from conftest import TODAY
from test_gsheets import FIELDS, sheets_value

from toolkit.journal.clock import Clock
from toolkit.journal.config import Body, Config
from toolkit.journal.control import check_source
from toolkit.journal.locations import SheetAddress, a1
from toolkit.journal.model import CellChange
from toolkit.journal.read import read_journals
from toolkit.journal.schema import FIRST_DATA_ROW
from toolkit.sources.gsheets.auth import GoogleSettings, connect
from toolkit.sources.gsheets.format import format_journal
from toolkit.sources.gsheets.source import GoogleSheetSource
from toolkit.sources.xlsx.source import XlsxSource

KEY_FILE = os.environ.get("VKS_LIVE_GOOGLE_KEY", "")
SPREADSHEET = os.environ.get("VKS_LIVE_SPREADSHEET", "")

pytestmark = [
    pytest.mark.live,
    pytest.mark.skipif(not (KEY_FILE and SPREADSHEET),
                       reason="нужны VKS_LIVE_GOOGLE_KEY и VKS_LIVE_SPREADSHEET"),
]


def live_source() -> GoogleSheetSource:
    settings = GoogleSettings(service_account=Path(KEY_FILE))
    http, account = connect(settings)
    return GoogleSheetSource(SheetAddress.parse(SPREADSHEET), http, account)


def test_live_round_trip(demo: tuple[Path, Any]) -> None:
    path, _ = demo
    config = Config()
    setup = live_source()
    format_journal(setup, [Body(name="Министерство", sheet="Министерство")], force=True)
    [grid] = XlsxSource(path).read(["Министерство"])
    rows = [[sheets_value(v) for v in row] for row in grid.rows[FIRST_DATA_ROW - 1:]]
    setup.call(setup.http.values_update, setup.address.key, a1("Министерство", "A6"),
               params={"valueInputOption": "RAW"}, body={"values": rows})

    clock = Clock.at(TODAY)
    expected = check_source(XlsxSource(path), config, clock, only=["Министерство"])
    source = live_source()
    got = check_source(source, config, clock, only=["Министерство"])
    assert got.flatten(FIELDS) == expected.flatten(FIELDS)
    assert got.requests == 1  # one spreadsheets.get with grid data

    # check --write: the read, the compare-and-set re-read, one write.
    written = check_source(live_source(), config, clock, write=True, only=["Министерство"])
    assert written.changes and written.requests == 3
    again = check_source(live_source(), config, clock, write=True, only=["Министерство"])
    assert again.changes == [] and again.requests == 1  # nothing left to write

    # A person edits a control cell between the job's read and its write.
    source = live_source()
    journal = read_journals(source, config, ["Министерство"])[0]
    app = journal.applications[0]
    change = CellChange(journal.sheet, app.row, "control", app.raw_text("control"), "vks", "")
    source.call(source.http.values_update, source.address.key, a1("Министерство", change.cell),
                params={"valueInputOption": "RAW"}, body={"values": [["правка человека"]]})
    result = source.write([change])
    assert result.written == [] and [c for c, _ in result.skipped] == [change]
    assert result.requests == 1  # the re-read; nothing written
