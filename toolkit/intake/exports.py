"""Reading the website's export of applications: CSV, .xlsx or JSON, into submissions.

    read = read_export(Path("заявки.csv"), mapping={"topic": "Суть вопроса"})
    for entry in read.entries:          # one entry per non-blank row, never dropped silently
        entry.submission, entry.problems

CSV comes in any of the encodings Russian sites and Excel produce (UTF-8 with or without BOM,
UTF-16 with BOM, cp1251, KOI8-R, cp866 — detected with charset-normalizer) and with `,`, `;` or
tab between values. JSON is a list of objects or {"applications": [...]}. Headings are matched
by `headings.map_headings`. A file too big or too long for an export is refused whole.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import zipfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from toolkit.intake.headings import (
    FIELDS,
    assemble,
    heading_key,
    map_headings,
    match_heading,
    text_of,
)
from toolkit.intake.submission import Entry, IntakeError, Problem, Submission, validate
from toolkit.journal.errors import describe_os_error

MAX_BYTES = 50 * 2**20  # an export of a year of applications is a few MB
MAX_ROWS = 100_000
MAX_COLUMNS = 200
MAX_UNPACKED = 400 * 2**20  # .xlsx: the zip's parts unpacked, against zip bombs
HEADER_SEARCH = 10  # title lines an export may have above its header row
DELIMITERS = (";", ",", "\t")
LEGACY_ENCODINGS = ["cp1251", "koi8_r", "cp866"]


@dataclass(frozen=True)
class ExportRead:
    """What a website export held, row by row, and how it was read."""

    source: str
    kind: str  # "csv", "xlsx" or "json"
    columns: dict[str, str]  # field → the heading it was read from
    entries: list[Entry] = field(default_factory=list)
    encoding: str | None = None
    delimiter: str | None = None

    @property
    def submissions(self) -> list[Submission]:
        """The applications that can be registered."""
        return [e.submission for e in self.entries if e.ok and e.submission is not None]

    @property
    def problems(self) -> list[Problem]:
        return [p for e in self.entries for p in e.problems]


def read_export(
    path: Path,
    mapping: Mapping[str, str] | None = None,
    *,
    source: str | None = None,
    max_bytes: int = MAX_BYTES,
    max_rows: int = MAX_ROWS,
) -> ExportRead:
    """Read one export file; `mapping` {field: "Site heading"} overrides the heading guess."""
    name = source or path.name
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise IntakeError(
                f"{name}: файл слишком большой для выгрузки заявок ({size // 2**20} МБ, "
                f"допускается до {max_bytes // 2**20} МБ)"
            )
        data = path.read_bytes()
    except OSError as exc:
        raise IntakeError(describe_os_error(exc, name)) from None  # in Russian, with the cause
    suffix = path.suffix.casefold()
    if suffix in (".xlsx", ".xlsm") or data[:4] == b"PK\x03\x04":
        return _read_xlsx(data, name, mapping, max_rows)
    text, encoding = decode(data, name)
    if suffix == ".json" or text.lstrip()[:1] in ("[", "{"):
        return _read_json(text, name, mapping, max_rows, encoding)
    return _read_csv(text, name, mapping, max_rows, encoding)


def decode(data: bytes, source: str) -> tuple[str, str]:
    """The text of a file and its encoding: a BOM, strict UTF-8, or the likeliest Cyrillic one."""
    for bom, encoding in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                          (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            return data.decode(encoding), encoding
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    import charset_normalizer

    best = charset_normalizer.from_bytes(data, cp_isolation=LEGACY_ENCODINGS).best()
    if best is None or best.encoding is None:
        raise IntakeError(f"{source}: не удалось определить кодировку файла")
    try:
        return data.decode(best.encoding), best.encoding
    except UnicodeDecodeError:
        raise IntakeError(f"{source}: не удалось определить кодировку файла") from None


# --- the three formats ---------------------------------------------------------------------------


def _read_csv(
    text: str, source: str, mapping: Mapping[str, str] | None, max_rows: int, encoding: str
) -> ExportRead:
    delimiter = sniff_delimiter(text)
    csv.field_size_limit(MAX_BYTES)
    records = _csv_records(text, delimiter, source)
    return _read_rows(records, source, mapping, max_rows, "csv", "строка",
                      encoding=encoding, delimiter=delimiter)


def _csv_records(
    text: str, delimiter: str, source: str
) -> Iterator[tuple[int, list[object]]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    line = 1
    try:
        for record in reader:
            yield line, list(record)
            line = reader.line_num + 1  # the next record starts after this one's last line
    except csv.Error as exc:
        raise IntakeError(f"{source}, строка {line}: не удается разобрать CSV ({exc})") from None


def sniff_delimiter(text: str) -> str:
    """The delimiter that splits the first lines into the most columns most consistently."""
    sample = text[:64 * 1024]
    best, best_score = DELIMITERS[0], (-1.0, 0)
    for delimiter in DELIMITERS:
        rows = [r for r in _first_records(sample, delimiter) if any(c.strip() for c in r)]
        if not rows:
            continue
        width = max(len(r) for r in rows[:HEADER_SEARCH])
        if width < 2:
            continue
        consistent = sum(len(r) == width for r in rows) / len(rows)
        score = (consistent, width)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _first_records(sample: str, delimiter: str, limit: int = 30) -> list[list[str]]:
    reader = csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter)
    out: list[list[str]] = []
    try:
        for record in reader:
            out.append(record)
            if len(out) >= limit:
                break
    except csv.Error:
        pass  # a sample cut inside a quoted value: the rows before it are enough
    return out


def _read_xlsx(
    data: bytes, source: str, mapping: Mapping[str, str] | None, max_rows: int
) -> ExportRead:
    import openpyxl

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(i.file_size for i in archive.infolist())
    except zipfile.BadZipFile:
        raise IntakeError(f"{source}: файл не является книгой .xlsx") from None
    if unpacked > MAX_UNPACKED:
        raise IntakeError(f"{source}: книга слишком велика для выгрузки заявок")
    try:
        # data_only=False: a formula cell gives its formula as text, never a computed value.
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many types for a broken package
        raise IntakeError(f"{source}: не удалось открыть книгу .xlsx ({type(exc).__name__})") \
            from None
    try:
        sheet = book.worksheets[0]
        records = (
            (i, list(row)) for i, row in enumerate(sheet.iter_rows(values_only=True), start=1)
        )
        return _read_rows(records, source, mapping, max_rows, "xlsx", "строка",
                          serial_dates=True)
    finally:
        book.close()


def _read_json(
    text: str, source: str, mapping: Mapping[str, str] | None, max_rows: int, encoding: str
) -> ExportRead:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise IntakeError(f"{source}: ошибка JSON в строке {exc.lineno}") from None
    if isinstance(document, dict):
        for key in ("applications", "заявки", "items", "data"):
            if isinstance(document.get(key), list):
                document = document[key]
                break
    if not isinstance(document, list):
        raise IntakeError(
            f"{source}: ожидается список заявок или объект с ключом «applications»"
        )
    if len(document) > max_rows:
        raise IntakeError(_too_long(source, max_rows))
    flat = [_flatten(item) if isinstance(item, dict) else None for item in document]
    headings: dict[str, None] = {}
    for item in flat:
        headings.update(dict.fromkeys(item or ()))
    header = list(headings)
    records: list[tuple[int, list[object]]] = [(0, list(header))]
    for number, item in enumerate(flat, start=1):
        # A non-object in the list becomes a row of one value: reported, not dropped.
        if item is None:  # not an object: a row too long, so it is reported rather than dropped
            records.append((number, [None] * len(header) + ["не объект"]))
        else:
            records.append((number, [item.get(h) for h in header]))
    return _read_rows(iter(records), source, mapping, max_rows, "json", "запись",
                      encoding=encoding, json_objects=True)


def _flatten(item: dict[str, object], prefix: str = "") -> dict[str, object]:
    # {"document": {"series": …}} → "document series", matched like a heading.
    out: dict[str, object] = {}
    for key, value in item.items():
        name = f"{prefix} {key}".strip()
        if isinstance(value, dict):
            out.update(_flatten(value, name))
        else:
            out[name] = value
    return out


# --- rows → entries ------------------------------------------------------------------------------


def _read_rows(
    records: Iterator[tuple[int, list[object]]],
    source: str,
    mapping: Mapping[str, str] | None,
    max_rows: int,
    kind: str,
    unit: str,
    *,
    encoding: str | None = None,
    delimiter: str | None = None,
    serial_dates: bool = False,
    json_objects: bool = False,
) -> ExportRead:
    header: list[str] | None = None
    columns: dict[str, int] = {}
    entries: list[Entry] = []
    for seen, (number, cells) in enumerate(records):
        if seen > max_rows:
            raise IntakeError(_too_long(source, max_rows))
        if len(cells) > MAX_COLUMNS:
            raise IntakeError(f"{source}: слишком много столбцов ({len(cells)})")
        if header is None:
            if json_objects or _looks_like_header(cells, mapping):
                header = [text_of(c) for c in cells]
                columns = map_headings(header, mapping, source=source)
                _require(columns, header, source)
            elif seen >= HEADER_SEARCH:
                raise IntakeError(
                    f"{source}: не найдена строка заголовков (ФИО, тематика, дата подачи …) "
                    f"в первых {HEADER_SEARCH} строках"
                )
            continue
        if all(text_of(c) == "" for c in cells):
            continue
        ref = f"{unit} {number}"
        if len(cells) > len(header) and any(text_of(c) for c in cells[len(header):]):
            message = (
                f"значений в строке больше, чем столбцов ({len(cells)} из {len(header)}) — "
                "вероятно, разделитель внутри значения без кавычек"
            ) if unit == "строка" else "запись не является объектом"
            entries.append(Entry(None, (Problem("row-shape", "", message, source, ref),)))
            continue
        values = {f: cells[i] for f, i in columns.items() if i < len(cells)}
        sub = assemble(values, source=source, ref=ref, serial_dates=serial_dates)
        entries.append(Entry(sub, tuple(validate(sub))))
    if header is None:
        raise IntakeError(f"{source}: в файле нет заявок (не найдена строка заголовков)")
    used = {f: header[i] for f, i in sorted(columns.items(), key=lambda kv: kv[1])}
    return ExportRead(source, kind, used, entries, encoding, delimiter)


def _looks_like_header(cells: list[object], mapping: Mapping[str, str] | None) -> bool:
    if mapping:
        present = {heading_key(text_of(c)) for c in cells}
        if all(heading_key(h) in present for h in mapping.values()):
            return True
    found = {m[0] for c in cells if isinstance(c, str) and (m := match_heading(c)) is not None}
    return len(found) >= 2


def _require(columns: dict[str, int], header: list[str], source: str) -> None:
    missing = []
    if "citizen" not in columns and not {"surname", "first_name"} <= columns.keys():
        missing.append("ФИО")
    if "topic" not in columns:
        missing.append("тематика вопроса")
    if missing:
        known = ", ".join(f"«{h}»" for h in header if h) or "нет"
        raise IntakeError(
            f"{source}: не найдены столбцы: {', '.join(missing)} (заголовки файла: {known}); "
            "укажите их в настройке соответствия столбцов"
        )


def _too_long(source: str, max_rows: int) -> str:
    return f"{source}: слишком много строк для выгрузки заявок (больше {max_rows})"


__all__ = ["FIELDS", "Entry", "ExportRead", "decode", "read_export", "sniff_delimiter"]
