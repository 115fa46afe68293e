"""The toolkit's exceptions: fatal problems only. Problems in the data are findings, not errors."""

from __future__ import annotations


class ToolkitError(Exception):
    """Base of every error a command turns into a Russian message and an exit code."""

    exit_code = 2


class ConfigError(ToolkitError):
    """The configuration file is missing a value or holds a wrong one."""


class JournalError(ToolkitError):
    """A journal cannot be opened or read, or its header is not the one of Appendix 1."""


class JournalBusy(ToolkitError):
    """The journal is open in Excel/LibreOffice or changed since it was read: nothing is written."""

    exit_code = 3


class TemplateError(ToolkitError):
    """A document template is broken or asks for a value the toolkit does not provide."""
