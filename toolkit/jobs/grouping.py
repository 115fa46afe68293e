"""Many problems of one kind as one line: what, how many, where — so no kind is ever hidden.

    grouped("проверьте", [("не указан ответственный специалист", "ЦСВ!I12"), …], limit=10)
    → ["проверьте (12 строк): не указан ответственный специалист. Ячейки: ЦСВ!I12, ЦСВ!I15, …
        и еще 2"]

A run's summary used to name the first ten problems and count the rest; the kind that mattered
(letters with blank signature lines) was among the counted. Now every kind gets its line with
its count; `limit` only shortens the list of places of a warning, never of an error.
"""

from __future__ import annotations

from collections.abc import Iterable

from toolkit.journal.russian import count


def grouped(prefix: str, problems: Iterable[tuple[str, str]], limit: int | None = None,
            more: str = "") -> list[str]:
    """One line per distinct message, in order of first appearance; `problems` are
    (message, place) pairs; `limit` places at most per line (None: all), then «и еще N»."""
    places: dict[str, list[str]] = {}
    for message, place in problems:
        places.setdefault(message, []).append(place)
    lines = []
    for message, where in places.items():
        shown = where if limit is None else where[:limit]
        listed = ", ".join(shown)
        if len(where) > len(shown):
            listed += f" и еще {len(where) - len(shown)}{more}"
        lines.append(f"{prefix} ({count(len(where), 'строка', 'строки', 'строк')}): "
                     f"{message}. Ячейки: {listed}")
    return lines


__all__ = ["grouped"]
