"""The rejection decision a notice carries (Appendix 2): the letter `vks letters` made, as PDF
when LibreOffice is present, else the .docx itself.

    found = letter_of(config, location, body, number)       # Path of the current letter, or None
    attachment = letter_attachment(found, token, config, location)

The letters ledger (`letters.sqlite`) knows each row's current letter; a missing one is made
first (`prepare_letters`, the same `make_letters` as `vks letters`). The PDF is converted once
per letter file and kept in the state directory (`уведомления-pdf/`), so a notice sent again
after a failure attaches the same document without another conversion.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from toolkit.correspondence.notices import Attachment
from toolkit.correspondence.outbox import digest
from toolkit.journal.clock import Clock
from toolkit.journal.config import Config
from toolkit.journal.files import private_dir
from toolkit.journal.locations import journal_key, state_dir

log = logging.getLogger("vks.notify")

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF_TYPE = "application/pdf"
PDF_CACHE = "уведомления-pdf"


def letters_folder(config: Config) -> Path:
    """Where letters are made: [letters] out, else «решения» beside vks.toml (or here)."""
    from toolkit.letters.make import configured_path

    configured = configured_path(config, "out")
    if configured is not None:
        return configured
    base = config.path.parent if config.path is not None else Path.cwd()
    return base / "решения"


def prepare_letters(location: str, config: Config, clock: Clock, bodies: Sequence[str]) -> Any:
    """Make the letters the journal's rejections still lack (a `LettersResult`)."""
    from toolkit.letters.make import make_letters

    return make_letters(location, config, letters_folder(config), clock, only=tuple(bodies))


def letter_of(config: Config, location: str, body: str, number: int) -> Path | None:
    """The current letter of a row, if it has been made and its file is there."""
    from toolkit.letters.ledger import LEDGER_NAME, Ledger

    path = state_dir(config, location) / LEDGER_NAME
    if not path.exists():
        return None
    ledger = Ledger(path)
    try:
        entry = ledger.current((journal_key(location), body, number))
    finally:
        ledger.close()
    return entry.path if entry is not None and entry.path.is_file() else None


def letter_attachment(letter: Path, token: str, config: Config,
                      location: str) -> tuple[Attachment, str]:
    """The letter as an attachment named after the application, and a warning ("" if none):
    PDF when LibreOffice converts it, the .docx otherwise."""
    from toolkit.letters.make import pdf_settings
    from toolkit.letters.render import LetterError, convert_to_pdf, find_soffice

    name = f"Решение об отклонении заявки {token}"
    soffice, seconds = pdf_settings(config)
    if find_soffice(soffice) is not None:
        stat = letter.stat()
        cache = private_dir(state_dir(config, location) / PDF_CACHE)
        pdf = cache / f"{digest(letter.resolve(), stat.st_mtime_ns, stat.st_size)}.pdf"
        try:
            if not pdf.is_file():
                convert_to_pdf(letter, pdf, soffice, seconds)
            return Attachment(pdf.read_bytes(), f"{name}.pdf", PDF_TYPE), ""
        except LetterError as exc:
            log.warning("letter not converted to PDF: %s", type(exc).__name__)
            warning = f"PDF не сделан ({exc}) — приложен .docx"
            return Attachment(letter.read_bytes(), f"{name}.docx", DOCX_TYPE), warning
    return Attachment(letter.read_bytes(), f"{name}.docx", DOCX_TYPE), ""
