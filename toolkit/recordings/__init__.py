"""Video recordings (cl. 3.6): which are past their two-year retention, as a list to act on.

May import: `toolkit.journal`, `toolkit.sources`.
"""
