"""Where journals are kept: .xlsx files (`xlsx`) and Google Sheets (`gsheets`)."""
