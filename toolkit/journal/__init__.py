"""The journal core: Appendix 1, the production calendar, the rules and the control run.

Owns the schema (graphs, sub-columns, service block, vocabularies), cell parsing, the working
calendar, the clock, `vks.toml`, the typed journal model and the `JournalSource` protocol,
findings, rules, the check report, and the plumbing every capability shares (errors, atomic
private files, SQLite state, Russian wording).

May import: the standard library and third-party packages only — never another `toolkit`
package. Everything else builds on this.
"""
