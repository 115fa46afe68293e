"""Appendix 2 rejection decisions: the .docx template, names in the dative, rendering, the
print batch and PDF, and the made-once ledger (`make_letters`).

May import: `toolkit.journal`, `toolkit.sources`, `toolkit.mail`.
"""
