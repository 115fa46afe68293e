"""What `vks check` asks of intake, answered without importing it.

    check(location, config, extra=repeat_hook(config, location))

Whether repeat-question hints are on for a journal, and the `extra` of `check_source` that adds
them (`toolkit.intake.repeat_check`, imported only when they are on). A check with no intake in
sight imports none of intake, mail or IMAP: it starts reading the journal sooner.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from toolkit.intake.paths import ledger_path
from toolkit.journal.config import Config

if TYPE_CHECKING:
    from toolkit.journal.control import Extra
    from toolkit.journal.findings import Finding
    from toolkit.journal.model import Journal

def repeats_enabled(config: Config, location: str) -> bool:
    """`[intake] repeats`, or — unset — whether applications come in through `vks intake`."""
    repeats = None
    if config.section("intake"):  # the whole section is checked, as `vks intake` reads it
        from toolkit.intake.settings import IntakeSettings

        repeats = IntakeSettings.from_config(config).repeats
    if repeats is not None:
        return repeats
    return ledger_path(config, location).is_file()


def repeat_hook(config: Config, location: str) -> Extra | None:
    """The `extra` of `check_source` that adds repeat-question hints, or None when off."""
    if not repeats_enabled(config, location):
        return None

    def extra(journals: Sequence[Journal]) -> list[Finding]:
        from toolkit.intake.repeat_check import repeat_findings

        return repeat_findings(journals, config)

    return extra
