"""vks: the journal of video receptions under order No. 77 of 24.04.2023 (Kuzbass)."""

from toolkit.journal.calendar import WorkingCalendar
from toolkit.journal.config import Body, Config, load_config
from toolkit.journal.errors import (
    ConfigError,
    JournalBusy,
    JournalError,
    TemplateError,
    ToolkitError,
)
from toolkit.journal.findings import CATALOGUE, Finding, Severity

__all__ = [
    "CATALOGUE",
    "Body",
    "Config",
    "ConfigError",
    "Finding",
    "JournalBusy",
    "JournalError",
    "Severity",
    "TemplateError",
    "ToolkitError",
    "WorkingCalendar",
    "load_config",
]
