"""Scheduled jobs: declarations (`jobs/*.toml`), the timetable by the production calendar,
step executors, the run ledger and locks, the runner, failure notices, logs, `vks status`.

The one layer that orchestrates the others. May import: every capability package
(`journal`, `sources`, `mail`, `letters`, `stats`, `recordings`), never `toolkit.cli`.
"""
