"""The result of a check: findings and what was written, as a text table or JSON.

The JSON form is a stable contract for other systems (see README, «Формат JSON»):

    {"format": "vks-check/1", "journal": …, "today": "2026-11-28", "valid": false,
     "stats": {"journals": 4, "rows": 120, "errors": 3, "warnings": 9},
     "journals": [{"body": …, "sheet": …, "rows": 40, "errors": 1, "warnings": 2}],
     "findings": [{"code", "clause", "severity", "body", "sheet", "row", "cell", "due",
                   "message"}],
     "changes": [{"sheet", "cell", "old", "new", "reason"}],
     "skipped": [{"sheet", "cell", "reason"}], "backup": null}
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, TextIO

from toolkit.journal.findings import CODES, Finding, Severity
from toolkit.journal.model import CellChange
from toolkit.journal.russian import count, short_date

FORMAT = "vks-check/1"
_HOLE = "\ue000findings\ue000"  # where the streamed findings go in the JSON text


@dataclass
class JournalSummary:
    body: str
    sheet: str
    rows: int


@dataclass
class Report:
    location: str
    today: dt.date
    journals: list[JournalSummary] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    changes: list[CellChange] = field(default_factory=list)
    skipped: list[tuple[CellChange, str]] = field(default_factory=list)
    backup: str | None = None
    written: bool = False
    requests: int | None = None  # HTTP requests a remote source (Google Sheets) sent

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.WARNING]

    @property
    def valid(self) -> bool:
        return not self.errors

    @property
    def exit_code(self) -> int:
        return 0 if self.valid else 1

    def flatten(self, fields: Sequence[str]) -> list[list[Any]]:
        """Findings as rows of the named fields: handy in tests and for quick exports."""
        rows = []
        for f in self.findings:
            d = f.to_dict()
            rows.append([d[name] for name in fields])
        return rows

    def to_dict(self, with_findings: bool = True) -> dict[str, Any]:
        per_sheet = {(j.body, j.sheet): j for j in self.journals}
        tally: dict[tuple[str, str, bool], int] = {}
        errors = warnings = 0
        for f in self.findings:
            severity = CODES[f.code].severity  # compared by identity: an Enum hashes slowly
            error = severity is Severity.ERROR
            errors += error
            warnings += severity is Severity.WARNING
            key = (f.body, f.sheet, error)
            tally[key] = tally.get(key, 0) + 1
        journals = []
        for (body, sheet), summary in per_sheet.items():
            journals.append({
                "body": summary.body, "sheet": summary.sheet, "rows": summary.rows,
                "errors": tally.get((body, sheet, True), 0),
                "warnings": tally.get((body, sheet, False), 0),
            })
        return {
            "format": FORMAT,
            "journal": self.location,
            "today": self.today.isoformat(),
            "valid": not errors,
            "stats": {
                "journals": len(self.journals),
                "rows": sum(j.rows for j in self.journals),
                "errors": errors,
                "warnings": warnings,
            },
            "journals": journals,
            "findings": [f.to_dict() for f in self.findings] if with_findings else [],
            "changes": [
                {"sheet": c.sheet, "cell": c.cell, "old": c.old, "new": c.new,
                 "reason": c.reason}
                for c in self.changes
            ],
            "skipped": [{"sheet": c.sheet, "cell": c.cell, "reason": why}
                        for c, why in self.skipped],
            "backup": self.backup,
        }

    def to_json(self) -> str:
        return "".join(self.json_chunks())

    def write_json(self, out: TextIO, lines: int = 4096) -> None:
        """The JSON form written to a stream, a few thousand findings a write."""
        batch: list[str] = []
        for chunk in self.json_chunks():
            batch.append(chunk)
            if len(batch) >= lines:
                out.write("".join(batch))
                batch.clear()
        out.write("".join(batch))

    def json_chunks(self) -> Iterator[str]:
        """The JSON form in pieces, one finding a line: 56,000 findings go out in a fraction
        of what one indented `json.dumps` takes (its indenting encoder is pure Python)."""
        data = self.to_dict(with_findings=False)
        data["findings"] = _HOLE
        head, tail = json.dumps(data, ensure_ascii=False, indent=2).split(
            json.dumps(_HOLE, ensure_ascii=False))
        yield head
        if not self.findings:
            yield "[]"
        else:
            line = FindingJSON()
            last = len(self.findings) - 1
            yield "[\n"
            for i, f in enumerate(self.findings):
                yield "    " + line(f) + (",\n" if i < last else "\n")
            yield "  ]"
        yield tail

    def to_text(self) -> str:
        lines = [f"Журнал {self.location} — проверка на {short_date(self.today)}"]
        for summary in self.journals:
            mine = [f for f in self.findings if (f.body, f.sheet) == (summary.body, summary.sheet)]
            errors = sum(f.severity is Severity.ERROR for f in mine)
            warnings = sum(f.severity is Severity.WARNING for f in mine)
            lines.append("")
            lines.append(
                f"{summary.body} (лист «{summary.sheet}»): "
                f"{count(summary.rows, 'заявка', 'заявки', 'заявок')}, "
                f"{count(errors, 'ошибка', 'ошибки', 'ошибок')}, "
                f"{count(warnings, 'предупреждение', 'предупреждения', 'предупреждений')}"
            )
            if mine:
                lines.extend(_table(mine))
        lines.append("")
        lines.append(
            f"Итого: {count(len(self.errors), 'ошибка', 'ошибки', 'ошибок')}, "
            f"{count(len(self.warnings), 'предупреждение', 'предупреждения', 'предупреждений')}."
        )
        if self.written:
            lines.append(
                f"Записано в журнал: {count(len(self.changes), 'ячейка', 'ячейки', 'ячеек')}"
                + (f"; резервная копия: {self.backup}" if self.backup else "") + "."
            )
            for change, why in self.skipped:
                lines.append(f"  Не записано {change.sheet}!{change.cell}: {why}")
        return "\n".join(lines)


class FindingJSON:
    """A finding as the JSON text of `Finding.to_dict` (`json.dumps`, non-ASCII kept), written
    without building the dict: what repeats from one finding to the next (the code's clause
    and severity, a body, a sheet, a date) is encoded once."""

    def __init__(self) -> None:
        self._heads: dict[str, str] = {}
        self._names: dict[str, str] = {}
        self._dues: dict[dt.date, tuple[str, str]] = {}

    def __call__(self, f: Finding) -> str:
        kind = CODES[f.code]
        head = self._heads.get(f.code)
        if head is None:
            head = self._heads[f.code] = (
                '{"code": ' + _string(f.code) + ', "clause": ' + _string(kind.clause)
                + ', "severity": ' + _string(kind.severity.value) + ', "body": ')
        names = self._names
        body = names.get(f.body) or names.setdefault(f.body, _string(f.body))
        sheet = names.get(f.sheet) or names.setdefault(f.sheet, _string(f.sheet))
        values = f.params
        due = "null"
        if f.due is not None:
            got = self._dues.get(f.due)
            if got is None:
                got = self._dues[f.due] = (short_date(f.due), _string(f.due.isoformat()))
            values = {"due": got[0], **values}
            due = got[1]
        return (head + body + ', "sheet": ' + sheet + ', "row": '
                + ("null" if f.row is None else str(int(f.row))) + ', "cell": '
                + ("null" if f.cell is None else _string(f.cell)) + ', "due": ' + due
                + ', "message": ' + _string(kind.template.format(**values)) + "}")


_string = json.encoder.encode_basestring  # in C; non-ASCII kept, as ensure_ascii=False


def _table(findings: Sequence[Finding]) -> list[str]:
    head = ("Ячейка", "Важность", "Пункт", "Срок", "Код", "Сообщение")
    rows = [
        (f.cell or "—", f.severity.label, f.clause, short_date(f.due) or "—", f.code, f.message)
        for f in sorted(findings, key=_order)
    ]
    widths = [max(len(r[i]) for r in (head, *rows)) for i in range(5)]
    out = []
    for r in (head, *rows):
        cells = [r[i].ljust(widths[i]) for i in range(5)]
        out.append("  " + "  ".join(cells) + "  " + r[5])
    return out


_CODE_ORDER = {code: i for i, code in enumerate(CODES)}


def _order(f: Finding) -> tuple[int, int, int]:
    return (f.row or 0, 0 if f.severity is Severity.ERROR else 1, _CODE_ORDER[f.code])
