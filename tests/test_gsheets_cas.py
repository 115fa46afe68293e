"""Google Sheets compare-and-set: a row is found by its № п/п *and* the name and date it had
when read; on any doubt the cell is not written. At the HTTP boundary (FakeSheets)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from conftest import TODAY
from test_gsheets import FakeSheets, fake, google_source  # noqa: F401 - the fixture

from toolkit.journal.clock import Clock
from toolkit.journal.config import Config
from toolkit.journal.control import check_source
from toolkit.journal.model import CellChange, Journal
from toolkit.journal.read import read_journals
from toolkit.journal.schema import BY_KEY, FIRST_DATA_ROW, Outcome
from toolkit.sources.xlsx.source import XlsxSource

SHEET = "Министерство"
NUMBER, RECEIVED, CITIZEN = (BY_KEY[k].index for k in ("number", "received", "citizen"))
OUTCOME = BY_KEY["outcome"].index


def _cancellation_row(demo: tuple[Path, Any], config: Config) -> int:
    """A row of «Министерство» where check --write records «Отменен: гражданин отказался»."""
    plan = check_source(XlsxSource(demo[0]), config, Clock.at(TODAY), write=True)
    return next(c.row for c in plan.changes
                if c.sheet == SHEET and c.new == Outcome.DECLINED.label)


def _journal(source: Any, config: Config) -> Journal:
    return next(j for j in read_journals(source, config) if j.sheet == SHEET)


def test_the_number_typed_into_another_row_meanwhile_does_not_misdirect_a_cancellation(
        demo: tuple[Path, Any], fake: FakeSheets, config: Config) -> None:  # noqa: F811
    target = _cancellation_row(demo, config)
    sheet = fake.sheets[SHEET]
    number = sheet.get(target, NUMBER)
    other = FIRST_DATA_ROW  # an earlier row: the first match by number alone
    assert other < target and sheet.get(other, OUTCOME) in ("", None)
    other_before = list(sheet.rows[other - 1])

    def person_types_the_number(sheets: FakeSheets) -> None:
        sheets.sheets[SHEET].put(other, NUMBER, number)

    fake.after(1, person_types_the_number)  # between the check's read and its write
    report = check_source(google_source(), config, Clock.at(TODAY), write=True)
    assert sheet.get(target, OUTCOME) == Outcome.DECLINED.label
    assert sheet.get(other, OUTCOME) in ("", None)  # another citizen's row is untouched
    written = [(c.row, c.new) for c in report.changes
               if c.sheet == SHEET and c.key == "outcome"]
    assert (target, Outcome.DECLINED.label) in written
    assert all(row != other for row, _ in written)
    after = sheet.rows[other - 1]
    control = BY_KEY["control"].index
    assert [v for i, v in enumerate(after) if i not in (NUMBER, control)] == \
        [v for i, v in enumerate(other_before) if i not in (NUMBER, control)]


def test_a_row_whose_name_changed_meanwhile_is_not_written(
        demo: tuple[Path, Any], fake: FakeSheets, config: Config) -> None:  # noqa: F811
    target = _cancellation_row(demo, config)
    sheet = fake.sheets[SHEET]
    number = sheet.get(target, NUMBER)

    def person_reuses_the_row(sheets: FakeSheets) -> None:
        sheets.sheets[SHEET].put(target, CITIZEN, "Другой Гражданин Иванович")

    fake.after(1, person_reuses_the_row)
    report = check_source(google_source(), config, Clock.at(TODAY), write=True)
    assert sheet.get(target, OUTCOME) in ("", None)
    reasons = [why for c, why in report.skipped if c.sheet == SHEET and c.row == target]
    assert reasons and all(
        why == f"в строке с № п/п {number} после чтения изменены Ф.И.О. или дата поступления "
               f"— ячейка не записана, чтобы не попасть в чужую строку" for why in reasons)
    assert "Другой" not in report.to_text() and "Гражданин" not in report.to_text()


def test_a_copied_row_makes_the_write_refused(
        demo: tuple[Path, Any], fake: FakeSheets, config: Config) -> None:  # noqa: F811
    target = _cancellation_row(demo, config)
    sheet = fake.sheets[SHEET]
    number = sheet.get(target, NUMBER)
    copy_at = len(sheet.rows) + 1

    def person_copies_the_row(sheets: FakeSheets) -> None:
        rows = sheets.sheets[SHEET].rows
        rows.append([v for i, v in enumerate(rows[target - 1]) if i <= CITIZEN])

    fake.after(1, person_copies_the_row)
    report = check_source(google_source(), config, Clock.at(TODAY), write=True)
    assert sheet.get(target, OUTCOME) in ("", None) and sheet.get(copy_at, OUTCOME) in ("", None)
    reasons = {why for c, why in report.skipped if c.sheet == SHEET and c.row == target}
    assert reasons == {f"№ п/п {number} с теми же Ф.И.О. и датой поступления теперь в "
                       f"нескольких строках ({target}, {copy_at}) — ячейка не записана, чтобы "
                       f"не попасть в чужую строку"}


def test_identity_costs_no_extra_request(fake: FakeSheets, config: Config) -> None:  # noqa: F811
    source = google_source()
    journal = _journal(source, config)
    app = journal.applications[0]
    fake.calls.clear()
    result = source.write([CellChange(SHEET, app.row, "control", app.raw_text("control"),
                                      "п. 2.5: Просрочено решение", "")])
    assert result.requests == 2 and len(result.written) == 1
