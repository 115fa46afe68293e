"""Where the files shipped with the program are: the job declarations and document templates.

The repository keeps them at the top (`jobs/`, `doc_templates/`), where an administrator looks
for them; `toolkit/data/` links to both, so `pip install .` puts them inside the package and
`vks run daily` finds its jobs outside the source folder too.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1]


def shipped(name: str) -> Path:
    """`toolkit/data/<name>` of the installed package, or the repository's `<name>/` when the
    link is not there (a checkout without symbolic links, as on Windows)."""
    inside = PACKAGE / "data" / name
    if inside.is_dir():
        return inside.resolve()
    return PACKAGE.parent / name


__all__ = ["shipped"]
