"""Journals kept in .xlsx files: bounded before reading, read with calamine, patched in place."""
