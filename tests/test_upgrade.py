"""`vks upgrade`: a journal of the earlier layout brought to the current one, no cell lost."""

from __future__ import annotations

import datetime as dt
import hashlib
import stat
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from openpyxl.comments import Comment
from openpyxl.styles import Font

from toolkit.cli import cli
from toolkit.journal.config import Body, Config
from toolkit.journal.errors import JournalBusy
from toolkit.journal.read import read_journals
from toolkit.journal.schema import BY_KEY, COLUMNS, SERVICE_HEADING, Outcome, column_letter
from toolkit.sources.open import check
from toolkit.sources.xlsx.source import XlsxSource
from toolkit.sources.xlsx.template import build_workbook, write_workbook
from toolkit.sources.xlsx.upgrade import UpgradeRefused, lost_values, upgrade_journal

BODY = Body("Министерство", "Министерство")
CONFIG = Config(bodies=(BODY,))
# The service block before 2026-11-29 (RULES.md): L…X, «Контроль» near the end, no «Перенесен на».
OLD_SERVICE = ("submitted", "address", "phone", "email", "consent_data", "consent_video", "link",
               "notice_sent", "answer", "answered_at", "recording", "control", "letter")
OLD = {key: 11 + i for i, key in enumerate(OLD_SERVICE)}  # 0-based column of each, L = 11
EXTRA = 11 + len(OLD_SERVICE)  # a column a person added right of the block (old Y)


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def old_layout_journal(path: Path, rows: int = 30) -> Path:
    """A journal as the earlier layout made it, filled in every column, with the things a real
    one has: a comment, a hyperlink, a formula in graph 4, merged cells in the form."""
    from openpyxl.formatting.formatting import ConditionalFormattingList
    from openpyxl.formatting.rule import FormulaRule
    from openpyxl.styles import PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = build_workbook([BODY])
    ws = wb[BODY.sheet]
    ws.protection.sheet = False
    # The older template's rules: drop-downs at the old places, the whole row pink.
    ws.conditional_formatting = ConditionalFormattingList()
    ws.conditional_formatting.add("A6:X1048576", FormulaRule(
        formula=["LEN($W6)>0"], fill=PatternFill("solid", bgColor="FFD7D7")))
    ws.data_validations.dataValidation = []
    for key in ("consent_data", "consent_video"):
        dv = DataValidation(type="list", formula1="=vks_consent", allow_blank=True)
        dv.add(f"{column_letter(OLD[key])}6:{column_letter(OLD[key])}1048576")
        ws.add_data_validation(dv)
    for merged in [m for m in ws.merged_cells.ranges if m.min_col >= 12]:
        ws.unmerge_cells(merged.coord)
    for col in range(12, 27):
        for row in range(3, 6):
            ws.cell(row, col).value = None
    ws.cell(3, 12, SERVICE_HEADING)
    ws.merge_cells(start_row=3, start_column=12, end_row=3, end_column=24)
    for key, col in OLD.items():
        ws.cell(4, col + 1, BY_KEY[key].heading)
    ws.cell(4, EXTRA + 1, "Заметки отдела")  # a person's own column, beside the block
    for n in range(1, rows + 1):
        r = 5 + n
        values = {
            "number": n, "received": dt.date(2026, 11, 2), "citizen": f"Петрова Анна {n}",
            "topic": "Социальный контракт", "decision": "Назначен прием",
            "decision_date": dt.date(2026, 11, 5), "appointment": dt.datetime(2026, 11, 12, 10),
            "specialist": "Тарасов Е.П.", "outcome": Outcome.HELD.label, "note": f"примечание {n}",
        }
        for key, value in values.items():
            ws.cell(r, BY_KEY[key].index + 1, value)
        service = {
            "submitted": dt.date(2026, 11, 1), "address": f"г. Кемерово, д. {n}",
            "phone": f"+7 913 000-00-{n:02d}", "email": f"p{n}@mail.ru", "consent_data": "Да",
            "consent_video": "Да", "link": f"https://telemost.yandex.ru/j/{n:08d}",
            "notice_sent": dt.datetime(2026, 11, 5, 12), "answer": "Подтвердил участие",
            "answered_at": dt.datetime(2026, 11, 5, 15), "recording": f"запись-{n}.mp4",
            "control": f"п. 2.5: старая отметка {n}", "letter": f"решение-{n}.docx",
        }
        for key, value in service.items():
            ws.cell(r, OLD[key] + 1, value)
        ws.cell(r, EXTRA + 1, f"заметка {n}")
    if rows >= 20:
        ws.cell(7, 4, "=C7")  # a formula in graph 4 that reads graph 3: nothing it names moves
        email = ws.cell(8, OLD["email"] + 1)
        email.comment = Comment("Адрес уточнен по телефону", "Иванова")
        email.font = Font(name="Times New Roman", size=10, bold=True)
        ws.cell(9, OLD["link"] + 1).hyperlink = "https://telemost.yandex.ru/j/00000009"
        ws.merge_cells("K20:K21")  # merged in the form stays merged (the check reports it)
        ws.cell(20, 11).value = "общее примечание"
    write_workbook(wb, path)
    return path


def mapping() -> dict[int, int]:
    moved = {old: BY_KEY[key].index for key, old in OLD.items()}
    moved[EXTRA] = EXTRA + 1
    return moved


def test_every_cell_of_the_old_journal_is_found_at_its_new_place(tmp_path: Path) -> None:
    path = old_layout_journal(tmp_path / "журнал.xlsx")
    original = tmp_path / "до.xlsx"
    original.write_bytes(path.read_bytes())
    result = upgrade_journal(str(path), CONFIG)
    [sheet] = result.sheets
    assert result.written and sheet.sheet == "Министерство"
    assert sheet.added == ["Перенесен на"] and sheet.shifted == 1
    assert ("Контроль", "W", "L") in sheet.moves and ("Дата подачи на сайте", "L", "M") in \
        sheet.moves
    assert sheet.cells == 30 * 14  # 13 service columns and the extra one, 30 rows
    # The proof: every non-empty cell of the old file, at its new address.
    assert lost_values(original, path, {"Министерство": mapping()}) == []
    old = openpyxl.load_workbook(original)["Министерство"]
    new = openpyxl.load_workbook(path)["Министерство"]
    filled = 0
    for row in old.iter_rows(min_row=6):
        for cell in row:
            if cell.value is None:
                continue
            place = mapping().get(cell.column - 1, cell.column - 1)
            assert new.cell(cell.row, place + 1).value == cell.value, cell.coordinate
            filled += 1
    assert filled == 30 * 24 - 1  # 10 graph and 14 service values a row, less K21 (merged)
    # Headings in the current order, the service heading over the whole block.
    assert [new.cell(4, c.index + 1).value for c in COLUMNS[11:]] == \
        [c.heading for c in COLUMNS[11:]]
    assert new.cell(4, EXTRA + 2).value == "Заметки отдела"
    assert "L3:Y3" in {str(m) for m in new.merged_cells.ranges}
    assert "K20:K21" in {str(m) for m in new.merged_cells.ranges}
    # Comments, styles, hyperlinks and formulas travel with their cells.
    moved_email = new.cell(8, BY_KEY["email"].index + 1)
    assert moved_email.comment.text == "Адрес уточнен по телефону"
    assert moved_email.comment.author == "Иванова" and moved_email.font.b
    assert new.cell(9, BY_KEY["link"].index + 1).hyperlink.target == \
        "https://telemost.yandex.ru/j/00000009"
    assert new["D7"].value == "=C7"
    # The template's layout: drop-downs where the current columns are, print area, highlight.
    lists = {str(dv.sqref) for dv in new.data_validations.dataValidation if dv.type == "list"}
    assert "U6:U1048576" in lists and "Q6:Q1048576" in lists
    assert new.print_area == "'Министерство'!$A$1:$K$1048576"
    assert [str(cf.sqref) for cf in new.conditional_formatting] == ["L6:L1048576", "M6:Y1048576"]
    # The journal reads as the current layout, the values where they mean the same.
    [journal] = read_journals(XlsxSource(path), CONFIG)
    app = journal.applications[2]
    assert (app.email, app.control, app.letter) == ("p3@mail.ru", "п. 2.5: старая отметка 3",
                                                    "решение-3.docx")
    assert app.rescheduled_to is None and app.recording == "запись-3.mp4"
    report = check(str(path), CONFIG, dt.date(2026, 11, 27))
    assert report.journals[0].rows == 30
    # A private copy of the file as it was.
    assert result.backup is not None and result.backup.read_bytes() == original.read_bytes()
    assert stat.S_IMODE(result.backup.stat().st_mode) == 0o600


def test_a_current_journal_and_a_dry_run_change_nothing(tmp_path: Path) -> None:
    path = old_layout_journal(tmp_path / "журнал.xlsx", rows=3)
    before = sha(path)
    dry = upgrade_journal(str(path), CONFIG, dry_run=True)
    assert dry.needed and not dry.written and dry.backup is None and sha(path) == before
    assert dry.sheets[0].cells == 3 * 14
    assert not (tmp_path / ".vks").exists()
    upgrade_journal(str(path), CONFIG)
    after = sha(path)
    again = upgrade_journal(str(path), CONFIG)
    assert not again.needed and not again.written and sha(path) == after


def test_refusals_leave_the_file_as_it_was(tmp_path: Path) -> None:
    path = old_layout_journal(tmp_path / "журнал.xlsx", rows=3)
    before = sha(path)
    lock = tmp_path / ".~lock.журнал.xlsx#"
    lock.write_text("Иванова,host,ivanova,27.11.2026 10:00,url;", encoding="utf-8")
    with pytest.raises(JournalBusy, match="открыт пользователем Иванова"):
        upgrade_journal(str(path), CONFIG)
    lock.unlink()
    wb = openpyxl.load_workbook(path)
    wb["Министерство"]["D8"] = f"=COUNTA({column_letter(OLD['email'])}6:" \
                               f"{column_letter(OLD['email'])}8)"
    wb.save(path)
    before = sha(path)
    with pytest.raises(UpgradeRefused, match="ячейка D8: формула ссылается на столбцы"):
        upgrade_journal(str(path), CONFIG)
    assert sha(path) == before
    with pytest.raises(UpgradeRefused, match="не поддерживается для Google Таблиц"):
        upgrade_journal("gsheet:1AbCdEfGhIjKlMnOpQrStUvWxYz0123456789abcd", CONFIG)


def test_what_openpyxl_would_drop_is_refused(tmp_path: Path) -> None:
    from openpyxl.chart import BarChart, Reference

    path = old_layout_journal(tmp_path / "журнал.xlsx", rows=3)
    wb = openpyxl.load_workbook(path)
    chart = BarChart()
    chart.add_data(Reference(wb["Министерство"], min_col=1, min_row=6, max_row=8))
    wb["Министерство"].add_chart(chart, "AC2")
    wb.save(path)
    before = sha(path)
    with pytest.raises(UpgradeRefused, match="в книге есть диаграммы"):
        upgrade_journal(str(path), CONFIG)
    assert sha(path) == before


def test_unknown_heading_in_the_block_is_refused(tmp_path: Path) -> None:
    path = old_layout_journal(tmp_path / "журнал.xlsx", rows=3)
    wb = openpyxl.load_workbook(path)
    wb["Министерство"]["N4"] = "Мое поле"
    wb.save(path)
    with pytest.raises(UpgradeRefused, match="ячейка N4: столбец «Мое поле» в служебном блоке"):
        upgrade_journal(str(path), CONFIG)


def test_cli_upgrade(tmp_path: Path) -> None:
    path = old_layout_journal(tmp_path / "журнал.xlsx", rows=2)
    runner = CliRunner()
    dry = runner.invoke(cli, ["upgrade", str(path), "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "Лист «Министерство»: будет перенесено 28 ячеек" in dry.output
    assert "«Контроль» W → L" in dry.output and "добавлены: «Перенесен на»" in dry.output
    assert "Пробный запуск: журнал не изменен." in dry.output
    done = runner.invoke(cli, ["upgrade", str(path)])
    assert done.exit_code == 0, done.output
    assert "Резервная копия: " in done.output
    again = runner.invoke(cli, ["upgrade", str(path)])
    assert again.output.strip().endswith("журнал уже в текущем виде — ничего не изменено.")
    (tmp_path / "~$журнал.xlsx").write_bytes(b"\x05Clerk" + b"\x00" * 60)
    busy = runner.invoke(cli, ["upgrade", str(path)])
    assert busy.exit_code == 3
