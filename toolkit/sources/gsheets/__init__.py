"""Google Sheets as the shared journal: the same rules as for .xlsx, and no lost edits.

    vks check gsheet:1AbC…xyz                       # every journal sheet of the spreadsheet
    vks check 'gsheet:1AbC…xyz!Министерство'        # one worksheet ('!' as in 'Лист'!A1)
    vks check https://docs.google.com/spreadsheets/d/1AbC…xyz/edit#gid=0   # the tab in the URL
    vks init gsheet:1AbC…xyz                        # format an empty spreadsheet as the journal

Modules: `address` (locations, A1 ranges — no heavy imports), `http` (gspread HTTP client with
bounded retry, timeouts and a request counter), `auth` (service-account key and settings from
`[google]`), `source` (`GoogleSheetSource`, the `JournalSource`), `personal` (the local file
that keeps addresses and contacts out of Google), `format` (`vks init gsheet:…`).
"""

from __future__ import annotations

from toolkit.journal.locations import SheetAddress, is_google, same_spreadsheet

__all__ = ["SheetAddress", "is_google", "same_spreadsheet"]
