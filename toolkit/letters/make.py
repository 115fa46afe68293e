"""Rejection decisions (Appendix 2): one .docx per decision, made once, and a print batch.

    result = make_letters("журнал.xlsx", config, Path("решения"), Clock.at(dt.date(2026, 11, 27)))
    result.made        # letters made by this run
    result.batches     # per body: решения/пакет-Министерство-2026-11-27-0000.docx — a summary
                       # page, then every new letter of the body, page by page

For every row whose decision is «Заявка отклонена» the letter quotes the form of Appendix 2 with
the citizen's name in the dative case, the address, the ground verbatim from cl. 2.8, the
officials and phone of the body (config) and the specialist of graph 6, dated with the decision
date. A row missing what the letter needs is reported with its cell and gets no letter.

Made once: a ledger (SQLite, `letters.sqlite` in the journal's state directory) records each
letter by journal, body, № п/п and a hash of the journal values it was made from. A second run makes
nothing; changed values make a new letter and move the old one to `заменены/`; `force` remakes.
Each letter is written to a temporary file and renamed, and only then entered in the ledger;
at start, ledger entries whose file is gone are dropped — so a killed run leaves neither a
half-written letter nor a ledger entry without its file. The journal's service column
«Решение об отклонении» records the letter's file name and date through the source's safe
write-back.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from toolkit.journal.clock import Clock
from toolkit.journal.config import Body, Config
from toolkit.journal.errors import JournalBusy
from toolkit.journal.files import shared_dir, write_bytes_atomic
from toolkit.journal.locations import journal_key, state_dir
from toolkit.journal.model import Application, CellChange, Journal
from toolkit.journal.read import read_journals
from toolkit.journal.russian import letter_date, short_date
from toolkit.journal.schema import BY_KEY, Decision, column_title
from toolkit.letters.batches import Batch, batch_path, by_sheet, make_batch
from toolkit.letters.files import (
    body_folder,
    free_path,
    letter_file_name,
    same_bytes,
    set_aside,
    set_aside_unknown,
    sweep_output,
)
from toolkit.letters.ledger import LEDGER_NAME, Ledger, LedgerEntry
from toolkit.letters.names import dative
from toolkit.letters.render import (
    MISSING_SOFFICE,
    PDF_TIMEOUT,
    LetterError,
    LetterTemplate,
    convert_to_pdf,
    find_soffice,
)
from toolkit.sources.open import open_source

log = logging.getLogger("vks.letters")

BLANK = "_" * 20  # a line to write on by hand when the config has no phone


@dataclass(frozen=True)
class LetterProblem:
    """Something about a row's letter a person must look at; names a cell, never its value."""

    body: str
    sheet: str
    row: int
    cell: str
    code: str
    message: str

    def __str__(self) -> str:
        return f"{self.body}, лист «{self.sheet}», ячейка {self.cell}: {self.message}"


@dataclass(frozen=True)
class Letter:
    """A letter this run made."""

    body: str
    sheet: str
    row: int
    number: int
    path: Path
    version: int
    superseded: Path | None = None  # where the previous version went
    citizen: str = ""  # as the journal writes it, for the batch's summary page
    decided: dt.date | None = None


@dataclass
class LettersResult:
    """What a run did: letters made, rows left without one (and why), batches, write-back."""

    made: list[Letter] = field(default_factory=list)
    unchanged: int = 0
    skipped: list[LetterProblem] = field(default_factory=list)  # rows that got no letter
    warnings: list[LetterProblem] = field(default_factory=list)  # letters made, to check
    batches: list[Batch] = field(default_factory=list)  # one per body with new letters
    written: int = 0  # journal cells written
    busy: str | None = None  # why the journal could not be written (it is open, or changed)
    dropped: int = 0  # ledger entries whose file had disappeared
    carried: int = 0  # letters of an interrupted earlier run put into this run's batch
    adopted: int = 0  # letters found on disk (named in the journal) and taken into the ledger
    swept: int = 0  # temporary files of killed runs removed from the output folder


@dataclass(frozen=True)
class LetterData:
    """The journal values a letter is made from; their hash decides whether to remake it."""

    number: int
    citizen: str
    address: str
    ground: int
    decision_date: dt.date
    specialist: str

    @property
    def digest(self) -> str:
        payload = json.dumps(
            [self.number, self.citizen, self.address, self.ground,
             self.decision_date.isoformat(), self.specialist],
            ensure_ascii=False,
        )
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()


# --- The run ---------------------------------------------------------------------------------


def letters_settings(config: Config) -> dict[str, object]:
    """The [letters] table: out, template, soffice, pdf_timeout (paths relative to the config)."""
    return config.section("letters")


def pdf_settings(config: Config) -> tuple[str | None, float]:
    """`[letters] soffice` (None: found on PATH) and `pdf_timeout` (seconds a conversion)."""
    settings = letters_settings(config)
    soffice, timeout = settings.get("soffice"), settings.get("pdf_timeout", PDF_TIMEOUT)
    return (soffice if isinstance(soffice, str) else None,
            float(timeout) if isinstance(timeout, int | float) else PDF_TIMEOUT)


def configured_path(config: Config, key: str) -> Path | None:
    value = letters_settings(config).get(key)
    if not isinstance(value, str) or not value.strip():
        return None
    path = Path(value.strip()).expanduser()
    if not path.is_absolute() and config.path is not None:
        path = config.path.parent / path
    return path


def make_letters(
    location: str,
    config: Config,
    out_dir: Path,
    clock: Clock,
    since: dt.date | None = None,
    only: Sequence[str] = (),
    pdf: bool = False,
    force: bool = False,
    template: Path | None = None,
) -> LettersResult:
    """Make the letters due for a journal; see the module docstring."""
    soffice, seconds = pdf_settings(config)
    if pdf and find_soffice(soffice) is None:
        raise LetterError(MISSING_SOFFICE)
    letter_template = LetterTemplate.load(template or configured_path(config, "template"))
    source = open_source(location, config)
    journals = read_journals(source, config, only)
    out_dir = shared_dir(Path(out_dir))
    result = LettersResult(swept=sweep_output(out_dir))
    ledger = Ledger(state_dir(config, location) / LEDGER_NAME)
    try:
        result.dropped = ledger.reconcile()
        if result.dropped:
            log.info("в учете решений нет файлов: %d записей удалено", result.dropped)
        changes: list[CellChange] = []
        for journal in journals:
            changes.extend(_journal_letters(journal, letter_template, ledger, out_dir, clock,
                                            since, force, result))
        if changes:
            try:
                result.written = len(source.write(changes).written)
            except JournalBusy as exc:
                result.busy = str(exc)
        _batches(result, ledger, journal_key(location), out_dir, clock)
    finally:
        ledger.close()
    if pdf:
        result.batches = [replace(b, pdf=convert_to_pdf(b.path, b.path.with_suffix(".pdf"),
                                                         soffice, seconds))
                           for b in result.batches]
    return result


def _batches(result: LettersResult, ledger: Ledger, journal: str, out_dir: Path,
             clock: Clock) -> None:
    """One print batch per body: this run's letters and any an interrupted run left out.

    The letters are marked with their batch's name before it is written and confirmed after, so
    a run killed in between leaves them to the next run's batch — never lost, never batched
    twice.
    """
    ours = {m.path.absolute() for m in result.made}
    pending = [e for e in ledger.unbatched(journal, out_dir) if e.path.absolute() not in ours]
    if pending:
        log.info("в пакеты добавлены решения прерванного запуска: %d", len(pending))
    groups = by_sheet(result.made)
    sheets = {m.body: m.sheet for m in result.made}
    for entry in reversed(pending):  # carried letters come first, in the order they were made
        sheet = sheets.get(entry.body, entry.body)
        groups.setdefault(sheet, []).insert(0, Letter(entry.body, sheet, 0, entry.number,
                                                      entry.path, entry.version))
    result.carried = len(pending)
    for sheet, letters in groups.items():
        target = batch_path(out_dir, clock, sheet)
        ledger.mark_batched([m.path for m in letters], target)
        result.batches.append(make_batch(letters, out_dir, clock, target))
        ledger.confirm_batch(target)
        log.info("пакет для печати листа «%s»: %d решений", sheet, len(letters))


def _journal_letters(
    journal: Journal,
    template: LetterTemplate,
    ledger: Ledger,
    out_dir: Path,
    clock: Clock,
    since: dt.date | None,
    force: bool,
    result: LettersResult,
) -> list[CellChange]:
    body, sheet = journal.body, journal.sheet
    numbers = Counter(a.number for a in journal.applications if a.number is not None)
    officials_missing = [key for key, value in (("controller", body.controller),
                                                ("unit_head", body.unit_head),
                                                ("phone", body.phone)) if not value]
    folder = out_dir / body_folder(body, sheet)
    changes: list[CellChange] = []
    warned_config = False
    for app in journal.applications:
        if app.decision is not Decision.REJECTED:
            continue
        if since is not None and app.decision_date is not None and app.decision_date < since:
            continue
        problems = _missing(app, body, sheet, numbers, clock.today)
        if problems:
            result.skipped.extend(problems)
            continue
        data = _data(app)
        assert app.number is not None
        key = (journal_key(journal.location), body.name, app.number)
        current = ledger.current(key, sheet)
        if current is None and not force:
            current = _adopt(app, data, folder, key, sheet, ledger)
            if current is not None:
                result.adopted += 1
        if current is not None and current.digest == data.digest and not force:
            result.unchanged += 1
            _note(changes, journal, app, current.path, current.made_on)
            continue
        placed = dative(data.citizen)
        if placed.problem:
            result.warnings.append(_problem(body, sheet, app, "citizen", "name-not-inflected",
                                            placed.problem))
        if not data.specialist:
            result.warnings.append(_problem(
                body, sheet, app, "specialist", "specialist-missing",
                "не указан ответственный специалист: строка для Ф.И.О. оставлена пустой"))
        if officials_missing and not warned_config:
            warned_config = True
            result.warnings.append(LetterProblem(
                body.name, sheet, app.row, app.cell("citizen"), "officials-missing",
                "в настройках органа не указано: " + ", ".join(officials_missing)
                + " — эти строки решения оставлены пустыми"))
        context = {
            "гражданин": placed.text,
            "проживающему": placed.residing,
            "адрес": data.address,
            "основание": app.ground.text if app.ground else "",
            "должностное_лицо": body.controller,
            "руководитель": body.unit_head,
            "специалист": data.specialist,
            "телефон": body.phone or BLANK,
            "дата": letter_date(data.decision_date),
            "номер": data.number,
            "орган": body.name,
            "реквизиты_органа": letterhead_details(body),
            "основание_номер": data.ground,
        }
        shared_dir(folder)
        target = free_path(folder / letter_file_name(data.number, data.citizen,
                                                      data.decision_date), key, ledger)
        moved = None
        if current is not None:
            moved = set_aside(current, folder)
            ledger.supersede(current, moved)
        document = template.render(context)
        if target.exists() and not same_bytes(target, document):
            # A file the ledger does not know (its entry was lost) with other content: kept.
            # The same bytes are a letter a killed run wrote before its ledger entry.
            moved = set_aside_unknown(target, folder)
        write_bytes_atomic(target, document)
        version = ledger.next_version(key)
        ledger.add(LedgerEntry(*key, version, data.digest, target, clock.today), sheet)
        result.made.append(Letter(body.name, sheet, app.row, data.number, target, version, moved,
                                  data.citizen, data.decision_date))
        _note(changes, journal, app, target, clock.today)
    return changes


def _missing(
    app: Application, body: Body, sheet: str, numbers: Counter[int], today: dt.date
) -> list[LetterProblem]:
    """What the row lacks for a letter; each problem names its cell."""
    out = []
    needs = (
        ("number", "number-missing", "не указан № п/п — по нему решение учитывается"),
        ("citizen", "citizen-missing", "не указаны Ф.И.О. гражданина"),
        ("address", "address-missing", "не указан адрес проживания"),
        ("ground", "ground-missing", "не указано основание отклонения (п. 2.8)"),
        ("decision_date", "decision-date-missing", "не указана дата решения"),
    )
    for key, code, message in needs:
        if key in app.invalid:
            out.append(_problem(body, sheet, app, key, code,
                                f"{column_title(BY_KEY[key])}: значение не прочитано — "
                                f"исправьте ячейку"))
        elif not app.filled(key):
            out.append(_problem(body, sheet, app, key, code, message))
    if app.number is not None and numbers[app.number] > 1:
        out.append(_problem(body, sheet, app, "number", "number-duplicate",
                            f"№ п/п {app.number} повторяется в журнале — решение не "
                            f"подготовлено, пока номера не различны"))
    if app.decision_date is not None and app.decision_date > today:
        out.append(_problem(body, sheet, app, "decision_date", "decision-date-future",
                            f"дата решения {short_date(app.decision_date)} позже сегодняшней"))
    return out


def _problem(body: Body, sheet: str, app: Application, key: str, code: str,
             message: str) -> LetterProblem:
    return LetterProblem(body.name, sheet, app.row, app.cell(key), code, message)


def _data(app: Application) -> LetterData:
    from toolkit.letters.names import clean

    assert app.number is not None and app.ground is not None
    assert app.decision_date is not None
    return LetterData(app.number, clean(app.citizen), clean(app.address), app.ground.number,
                      app.decision_date, clean(app.specialist))


def letterhead_details(body: Body) -> str:
    """The body's details under its name on a decision: «адрес · тел. … · эл. почта …»."""
    parts = [body.address, f"тел. {body.phone}" if body.phone else "",
             f"эл. почта {body.email}" if body.email else ""]
    return " · ".join(p for p in parts if p)


def note_text(path: Path, made_on: dt.date) -> str:
    """What the service column says: «0017-Петрова-2026-11-20.docx от 27.11.2026»."""
    return f"{path.name} от {short_date(made_on)}"


def _note(changes: list[CellChange], journal: Journal, app: Application, path: Path,
          made_on: dt.date) -> None:
    text = note_text(path, made_on)
    col = journal.column_index("letter")
    if app.letter != text and col is not None:  # a sheet without the column gets no note
        changes.append(CellChange(journal.sheet, app.row, "letter", app.raw_text("letter"),
                                  text, "решение об отклонении", col))


_NOTE_RE = re.compile(r"^(?P<name>[^/\\]+\.docx) от (?P<day>\d{2})\.(?P<month>\d{2})\."
                      r"(?P<year>\d{4})$")


def _adopt(app: Application, data: LetterData, folder: Path, key: tuple[str, str, int],
           sheet: str, ledger: Ledger) -> LedgerEntry | None:
    """A letter an earlier run made whose ledger entry is lost (the ledger moved with
    `state_dir`, or was deleted): the journal's note names it, the file is in the body's folder,
    no other decision owns it and it was made from the row's present data. It is taken into
    the ledger as batched, so it is neither made nor printed again."""
    m = _NOTE_RE.match(app.letter.strip()) if app.letter else None
    if m is None:
        return None
    path = folder / m.group("name")
    if not path.is_file() or ledger.owner(path) is not None:
        return None
    try:
        made_on = dt.date(int(m.group("year")), int(m.group("month")), int(m.group("day")))
    except ValueError:
        return None
    if not _mentions(path, data.address, letter_date(data.decision_date)):
        return None
    entry = LedgerEntry(*key, ledger.next_version(key), data.digest, path, made_on)
    ledger.add(entry, sheet, batched="")
    log.info("решение найдено в папке и взято в учет: лист «%s», строка %d", sheet, app.row)
    return entry


def _mentions(path: Path, *needles: str) -> bool:
    """Whether a letter's text holds every one of `needles` (spaces normalised)."""
    import html
    import zipfile

    try:
        with zipfile.ZipFile(path) as package:
            xml = package.read("word/document.xml").decode("utf-8", "replace")
    except (OSError, KeyError, zipfile.BadZipFile):
        return False
    text = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", xml)).split())
    joined = "".join(text.split())
    return all("".join(n.split()) in joined for n in needles if n)


__all__ = [
    "Batch",
    "Letter",
    "LetterError",
    "LetterProblem",
    "LettersResult",
    "make_letters",
]
