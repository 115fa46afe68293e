"""Monthly statistics per body: the state partition, the report (Russian summary, charts,
HTML, .xlsx, JSON) and its delivery to managers through the outbox.

May import: `toolkit.journal`, `toolkit.sources`, `toolkit.mail`.
"""
