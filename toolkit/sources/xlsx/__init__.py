"""Journals kept in .xlsx files: read with calamine, patched in place, made with openpyxl."""
