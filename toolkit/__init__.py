"""vks: the journal of video receptions under order No. 77 of 24.04.2023 (Kuzbass)."""

from .calendar import WorkingCalendar
from .config import Body, Config, load_config
from .errors import ConfigError, JournalBusy, JournalError, TemplateError, ToolkitError
from .findings import CATALOGUE, Finding, Severity

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
