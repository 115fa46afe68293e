"""Telemost meetings for appointed rows that have no link yet (cl. 1.3, 2.4), written into
«Ссылка на Телемост» before any notice is built from them.

    made = create_links(source, journals, config, now, environ)

A body takes part when it has `telemost_token_env` in its [[bodies]] table and that variable
holds a Yandex 360 for business OAuth token. A row gets a meeting (waiting room on) when its
decision is «Назначен прием», graph 7 is empty, the appointment is still ahead and the link
cell is empty. The links go into the journal in one write, compare-and-set on the empty cell;
a cell somebody filled meanwhile keeps what they typed (the meeting made is left unused,
which is harmless). A body whose token fails stops at the first failure: its rows are listed
with the reason, and the next run tries again.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from toolkit.correspondence.planning import RowRef
from toolkit.correspondence.telemost import TelemostError, create_conference
from toolkit.journal.config import Config
from toolkit.journal.model import CellChange, Journal, JournalSource
from toolkit.journal.schema import Decision

log = logging.getLogger("vks.notify")


@dataclass
class LinksResult:
    created: int = 0  # meetings made and written into the journal
    failures: list[str] = field(default_factory=list)  # per body: why no meeting was made
    not_written: list[str] = field(default_factory=list)  # cells the write left alone


def needs_link(app: Any, now: dt.datetime) -> bool:
    """An appointment ahead, not yet held or cancelled, whose link cell is empty."""
    return (app.decision is Decision.APPOINTED and app.appointment is not None
            and app.appointment > now and app.outcome is None and "outcome" not in app.invalid
            and not app.link.strip() and "link" not in app.invalid)


def create_links(source: JournalSource, journals: Sequence[Journal], config: Config,
                 now: dt.datetime, environ: Mapping[str, str],
                 session: Any = None) -> LinksResult:
    """Make the meetings due and write their links; rows in memory get the links written."""
    result = LinksResult()
    changes: list[CellChange] = []
    rows: dict[str, Any] = {}  # by link: a Google write may find the row moved
    for journal in journals:
        body = journal.body
        due = [app for app in journal.applications if needs_link(app, now)]
        if not due or not body.telemost_token_env:
            continue
        token = environ.get(body.telemost_token_env, "").strip()
        if not token:
            result.failures.append(
                f"{body.name}: переменная окружения {body.telemost_token_env} с токеном "
                f"Телемоста не задана — ссылки не созданы ({len(due)})")
            continue
        for app in due:
            try:
                url = create_conference(token, session=session)
            except TelemostError as exc:
                ref = RowRef(body.name, journal.sheet, app.row, app.number)
                result.failures.append(f"{ref}: {exc} — ссылка не создана, повтор при "
                                       f"следующем запуске")
                log.warning("telemost meeting not created for a row of %s: %s", body.name,
                            type(exc).__name__)
                break
            change = journal.change(app.row, "link", "", url, "ссылка на Телемост")
            if change is not None:
                changes.append(change)
            rows[url] = app
    if not changes:
        return result
    written = source.write(changes)
    for change in written.written:
        rows[change.new].link = change.new
        result.created += 1
    for change, why in written.skipped:
        result.not_written.append(f"лист «{change.sheet}», ячейка {change.cell}: {why}")
    log.info("telemost links written: %d", result.created)
    return result
