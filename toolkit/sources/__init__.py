"""Where journals live: .xlsx files (`xlsx/`) and Google Sheets (`gsheets/`).

Each source implements the core's `JournalSource` protocol (read a grid, write cell changes
safely), so rules and reports never know which one they got. `open.py` turns a location
(`журнал.xlsx`, `gsheet:<key>`, a spreadsheet URL) into its source and runs the check;
`workbook.py` makes a new journal (`vks init`), `demo.py` the demo journal.

May import: `toolkit.journal` (the core) only.
"""
