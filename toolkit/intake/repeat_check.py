"""Repeat questions in the journals (cl. 2.8 ground 4, cl. 2.9): hints, never a rejection.

    findings = repeat_findings(journals, config)        # for `vks check` (severity info)
    check_source(source, config, clock, write=True, extra=repeat_hook(config, location))

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
from collections.abc import Mapping, Sequence
from pathlib import Path

from toolkit.intake.append import location_key
from toolkit.intake.ledger import LEDGER_NAME, IntakeLedger
from toolkit.intake.repeats import EarlierApplication, RepeatIndex, RepeatMatch
from toolkit.intake.settings import IntakeSettings
from toolkit.journal.config import Config
from toolkit.journal.control import Extra, state_dir
from toolkit.journal.findings import Finding, finding
from toolkit.journal.locations import is_google
from toolkit.journal.model import Journal, read_journals
from toolkit.journal.schema import BY_KEY

Hashes = Mapping[tuple[str, str, int], str]


def ledger_path(config: Config, location: str) -> Path:
    """The intake ledger beside a journal (its state directory)."""
    return state_dir(config, location) / LEDGER_NAME


def ledger_hashes(config: Config, location: str) -> dict[tuple[str, str, int], str]:
    """Birth hashes of registered applications, if an intake ledger exists (never created)."""
    path = ledger_path(config, location)
    if not path.is_file():
        return {}
    with IntakeLedger(path) as ledger:
        return ledger.birth_hashes()


def earlier_rows(journals: Sequence[Journal], hashes: Hashes = {},  # noqa: B006 - read only
                 journal_name: str = "") -> list[EarlierApplication]:
    """Every application of the journals as a row a repeat may refer to."""
    out = []
    for journal in journals:
        key = location_key(journal.location)
        for app in journal.applications:
            out.append(EarlierApplication(
                citizen=app.citizen, received=app.received, topic=app.topic,
                body=journal.body.name, sheet=journal.sheet, row=app.row,
                decision=app.decision.label if app.decision else "",
                outcome=app.outcome.label if app.outcome else "",
                birth_hash=hashes.get((key, journal.sheet, app.row), ""),
                phone=app.phone, email=app.email, address=app.address, journal=journal_name,
            ))
    return out


def earlier_journals(config: Config, settings: IntakeSettings, skip: Sequence[str] = ()
                     ) -> list[EarlierApplication]:
    """Rows of the earlier years' journals (`[intake] earlier`), named by their file."""
    from toolkit.sources.open import open_source

    skipped = {location_key(s) for s in skip}
    out: list[EarlierApplication] = []
    for raw in settings.earlier:
        location = config.resolve(raw)
        if location_key(location) in skipped:
            continue
        journals = read_journals(open_source(location, config), config)
        name = location if is_google(location) else Path(location).name
        out.extend(earlier_rows(journals, ledger_hashes(config, location), name))
    return out


def repeat_finding(match: RepeatMatch, body: str, sheet: str, row: int) -> Finding:
    """The hint for one row: where the earlier application is and what was decided."""
    old = match.earlier
    decision = ", ".join(p for p in (old.decision, old.outcome) if p) or "не принято"
    return finding(
        "repeat-question", body, sheet, row, BY_KEY["control"].letter + str(row),
        reference=old.reference,
        date=f"{old.received:%d.%m.%Y}" if old.received else "дата не указана",
        decision=decision, evidence=", ".join(("ФИО", *match.evidence)),
        score=f"{match.score:.0f}",
    )


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
    if not journals:
        return []
    settings = IntakeSettings.from_config(config)
    location = journals[0].location
    hashes = ledger_hashes(config, location)
    rows = earlier_rows(journals, hashes)
    rows += earlier_journals(config, settings, skip=[location])
    index = RepeatIndex(rows)
    out: list[Finding] = []
    key = location_key(location)
    for journal in journals:
        for app in journal.applications:
            if app.decision is not None or not app.citizen or not app.topic:
                continue
            matches = index.find_for(
                app.citizen, app.topic, birth_hash=hashes.get((key, journal.sheet, app.row), ""),
                phone=app.phone, email=app.email, address=app.address, on=app.received)
            for match in matches:
                if _before(match.earlier, app.received, journal.sheet, app.row):
                    out.append(repeat_finding(match, journal.body.name, journal.sheet, app.row))
                    break
    return out


def repeats_enabled(config: Config, location: str) -> bool:
    """`[intake] repeats`, or — unset — whether applications come in through `vks intake`."""
    settings = IntakeSettings.from_config(config)
    if settings.repeats is not None:
        return settings.repeats
    return ledger_path(config, location).is_file()


def repeat_hook(config: Config, location: str) -> Extra | None:
    """The `extra` of `check_source` that adds repeat-question hints, or None when off."""
    if not repeats_enabled(config, location):
        return None
    return lambda journals: repeat_findings(journals, config)
