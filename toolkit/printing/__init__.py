"""Printouts of a journal: one body's journal for a period as the form of Appendix 1, in .docx
and PDF (LibreOffice), for the file, signature and inspection (`print_journal`).

May import: `toolkit.journal`, `toolkit.sources`, `toolkit.letters` (its LibreOffice
conversion).
"""
