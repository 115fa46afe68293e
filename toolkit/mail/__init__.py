"""Outgoing mail: `[mail]` settings, SMTP sending, .eml files.

May import: `toolkit.journal` only.
"""
