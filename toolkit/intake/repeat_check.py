"""Repeat questions in the journals (cl. 2.8 ground 4, cl. 2.9): hints, never a rejection.

    findings = repeat_findings(journals, config)        # for `vks check` (severity info)
    check_source(source, config, clock, write=True, extra=repeat_hook(config, location))
                                                        # repeat_hook: toolkit.intake.hook

For each application not decided yet, the earlier applications of the same citizen (normalised
ФИО confirmed by the date of birth — kept by the intake ledger only as a keyed hash — or the
address, e-mail or phone) with a similar topic, across the bodies of the journal and the earlier
years' journals of `[intake] earlier`. The best one becomes a `repeat-question` finding whose
control text is «возможно повторный вопрос: лист, строка, дата, решение»: the body judges
whether the citizen brings new arguments (ground 4 needs an answer on the merits and nothing
new).

It runs in `vks check` when `[intake] repeats = true`, or — without that key — when this
journal has an intake ledger (applications come in through `vks intake`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import NamedTuple

from toolkit.intake.ledger import IntakeLedger
from toolkit.intake.paths import ledger_path
from toolkit.intake.repeats import EarlierApplication, RepeatIndex, RepeatMatch, name_key
from toolkit.intake.settings import IntakeSettings
from toolkit.intake.submission import phone_digits
from toolkit.intake.text import fold
from toolkit.journal.config import Config
from toolkit.journal.findings import Finding, finding
from toolkit.journal.locations import is_google, journal_key
from toolkit.journal.model import Journal
from toolkit.journal.read import read_journals
from toolkit.journal.schema import BY_KEY

Hashes = Mapping[tuple[str, str, int], str]


def ledger_hashes(config: Config, location: str) -> dict[tuple[str, str, int], str]:
    """Birth hashes of registered applications, if an intake ledger exists (never created)."""
    path = ledger_path(config, location)
    if not path.is_file():
        return {}
    with IntakeLedger(path) as ledger:
        return ledger.birth_hashes()


class Query(NamedTuple):
    """What a repeat is looked up by: the citizen's name and contacts."""

    citizen: str
    phone: str = ""
    email: str = ""


def candidates(queries: Iterable[Query]) -> Callable[[str, str, str], bool]:
    """A cheap test (citizen, phone, e-mail) → whether a row may be one of these citizens.

    An index of every row of every journal costs seconds on 100,000 rows; the rows that can
    match a handful of lookups share a surname with one (the index also finds a surname typed
    with a typo, but only by the same phone or e-mail) — so only those are indexed.
    """
    surnames: set[str] = set()
    phones: set[str] = set()
    emails: set[str] = set()
    for q in queries:
        key = name_key(q.citizen)
        if key is not None:
            surnames.add(key.surname)
        digits = phone_digits(q.phone)
        if len(digits) >= 10:
            phones.add(digits)
        if q.email.strip():
            emails.add(fold(q.email))
    pattern = re.compile("|".join(sorted(map(re.escape, surnames)))) if surnames else None

    def keep(citizen: str, phone: str, email: str) -> bool:
        if pattern is not None and pattern.search(citizen.casefold().replace("ё", "е")):
            return True
        if emails and email and fold(email) in emails:
            return True
        return bool(phones and phone and phone_digits(phone) in phones)

    return keep


def earlier_rows(journals: Sequence[Journal], hashes: Hashes = {},  # noqa: B006 - read only
                 journal_name: str = "",
                 keep: Callable[[str, str, str], bool] | None = None,
                 ) -> list[EarlierApplication]:
    """The applications of the journals as rows a repeat may refer to (those `keep` admits)."""
    out = []
    for journal in journals:
        key = journal_key(journal.location)
        for app in journal.applications:
            if keep is not None and not keep(app.citizen, app.phone, app.email):
                continue
            out.append(EarlierApplication(
                citizen=app.citizen, received=app.received, topic=app.topic,
                body=journal.body.name, sheet=journal.sheet, row=app.row,
                decision=app.decision.label if app.decision else "",
                outcome=app.outcome.label if app.outcome else "",
                birth_hash=hashes.get((key, journal.sheet, app.row), ""),
                phone=app.phone, email=app.email, address=app.address, journal=journal_name,
            ))
    return out


def earlier_journals(config: Config, settings: IntakeSettings, skip: Sequence[str] = (),
                     keep: Callable[[str, str, str], bool] | None = None,
                     ) -> list[EarlierApplication]:
    """Rows of the earlier years' journals (`[intake] earlier`), named by their file."""
    from toolkit.sources.open import open_source

    skipped = {journal_key(s) for s in skip}
    out: list[EarlierApplication] = []
    for raw in settings.earlier:
        location = config.resolve(raw)
        if journal_key(location) in skipped:
            continue
        journals = read_journals(open_source(location, config), config)
        name = location if is_google(location) else Path(location).name
        out.extend(earlier_rows(journals, ledger_hashes(config, location), name, keep))
    return out


def repeat_finding(match: RepeatMatch, body: str, sheet: str, row: int) -> Finding:
    """The hint for one row: where the earlier application is and what was decided."""
    old = match.earlier
    decision = ", ".join(p for p in (old.decision, old.outcome) if p) or "не принято"
    # Graph 4 is what repeats (ground 4 of cl. 2.8: «вопрос, на который … давался ответ»).
    found = finding(
        "repeat-question", body, sheet, row or None,
        BY_KEY["topic"].letter + str(row) if row else None,  # row 0: not registered yet
        reference=old.reference,
        date=f"{old.received:%d.%m.%Y}" if old.received else "дата не указана",
        decision=decision, evidence=", ".join(("ФИО", *match.evidence)),
        score=f"{match.score:.0f}",
    )
    found.key = "topic"
    return found


def _before(old: EarlierApplication, received: dt.date | None, sheet: str, row: int) -> bool:
    """Whether `old` came before the application at (sheet, row) of the same journal."""
    if old.journal:
        return True  # an earlier year's journal
    if old.sheet == sheet and old.row == row:
        return False
    if old.received is None or received is None:
        return False
    return (old.received, old.sheet != sheet, old.row) < (received, False, row)


def repeat_findings(journals: Sequence[Journal], config: Config) -> list[Finding]:
    """Repeat-question hints for the undecided applications of the journals (one per row)."""
    asked = [(journal, app) for journal in journals for app in journal.applications
             if app.decision is None and app.citizen and app.topic]
    if not asked:
        return []
    settings = IntakeSettings.from_config(config)
    location = journals[0].location
    hashes = ledger_hashes(config, location)
    keep = candidates(Query(app.citizen, app.phone, app.email) for _, app in asked)
    rows = earlier_rows(journals, hashes, keep=keep)
    rows += earlier_journals(config, settings, skip=[location], keep=keep)
    index = RepeatIndex(rows)
    out: list[Finding] = []
    key = journal_key(location)
    for journal, app in asked:
        matches = index.find_for(
            app.citizen, app.topic, birth_hash=hashes.get((key, journal.sheet, app.row), ""),
            phone=app.phone, email=app.email, address=app.address, on=app.received)
        for match in matches:
            if _before(match.earlier, app.received, journal.sheet, app.row):
                out.append(repeat_finding(match, journal.body.name, journal.sheet, app.row))
                break
    return out


