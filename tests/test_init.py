"""`vks init`: the journal form of Appendix 1, laid out from the schema."""

from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl
import pytest

from toolkit.journal.config import Body
from toolkit.journal.schema import (
    CHOICE_LISTS,
    COLUMNS,
    DIRECTORY_GROUNDS_HEADING,
    DIRECTORY_SHEET,
    FIRST_DATA_ROW,
    GRAPHS,
    JOURNAL_TITLE,
    SERVICE_HEADING,
    Ground,
)
from toolkit.sources.workbook import create_journal
from toolkit.sources.xlsx.template import TEMPLATE_BODIES

REPO = Path(__file__).resolve().parent.parent

# Verbatim from Appendix 1 to order No. 77 (graph 7 joined at the printed hyphen).
HEADINGS = [
    "№ п/п",
    "Дата поступления заявки",
    "Ф.И.О. гражданина",
    "Тематика вопроса",
    "Результат рассмотрения заявки (дата и время проведения личного приема посредством "
    "видеоконференцсвязи либо вынесено решение об отклонении заявки, дата решения)",
    "Ф.И.О. ответственного специалиста",
    "Результаты проведения личного приема посредством видеоконференцсвязи",
]


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> openpyxl.Workbook:
    path = tmp_path_factory.mktemp("init") / "журнал.xlsx"
    create_journal(path, [Body("Министерство социальной защиты населения Кузбасса",
                               "Министерство"), Body("ЦСВ", "ЦСВ")])
    return openpyxl.load_workbook(path)


def test_headings_verbatim_and_merged(book: openpyxl.Workbook) -> None:
    ws = book["Министерство"]
    assert ws["A1"].value == JOURNAL_TITLE
    assert ws["A2"].value == "Министерство социальной защиты населения Кузбасса"
    assert [g.heading for g in GRAPHS] == HEADINGS
    assert [ws.cell(3, c).value for c in (1, 2, 3, 4, 5, 9, 10)] == HEADINGS
    assert [ws.cell(4, c).value for c in range(5, 9)] == [
        "Решение", "Дата решения", "Дата и время приема", "Основание отклонения"]
    assert [ws.cell(4, c).value for c in (10, 11)] == ["Итог", "Примечание"]
    assert [ws.cell(5, c).value for c in (1, 2, 3, 4, 5, 9, 10)] == [str(n) for n in range(1, 8)]
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert {"A1:K1", "A2:K2", "A3:A4", "B3:B4", "C3:C4", "D3:D4", "E3:H3", "I3:I4", "J3:K3",
            "E5:H5", "J5:K5", "L3:Y3"} <= merged
    assert ws["L3"].value == SERVICE_HEADING
    service = [ws.cell(4, c).value for c in range(12, 26)]
    assert service == [c.heading for c in COLUMNS[11:]]
    # «Контроль» first, beside graph 7, so staff see what to do (RULES.md, service block).
    assert service[0] == "Контроль" and service[-1] == "Решение об отклонении"
    assert "Перенесен на" in service


def test_dropdowns_fed_from_directory_by_defined_names(book: openpyxl.Workbook) -> None:
    ws = book["Министерство"]
    lists = sorted((str(dv.sqref), dv.formula1) for dv in ws.data_validations.dataValidation
                   if dv.type == "list")
    assert lists == [
        ("E6:E1048576", "=vks_decision"), ("H6:H1048576", "=vks_ground"),
        ("J6:J1048576", "=vks_outcome"), ("Q6:Q1048576", "=vks_consent"),
        ("R6:R1048576", "=vks_consent"), ("U6:U1048576", "=vks_answer")]
    directory = book[DIRECTORY_SHEET]
    for name, choices in CHOICE_LISTS:
        defined = book.defined_names[name]
        values = [c.value for row in directory[defined.attr_text.split("!")[1].replace("$", "")]
                  for c in row]
        assert values == choices.labels()
    assert directory["F3"].value == f"2. {Ground.OFFENSIVE.text}"
    assert directory.protection.sheet


def test_formats_freeze_print_and_highlight(book: openpyxl.Workbook) -> None:
    ws = book["Министерство"]
    assert ws.column_dimensions["B"].number_format == "DD.MM.YYYY"
    assert ws.column_dimensions["G"].number_format == "DD.MM.YYYY HH:MM"
    assert ws.column_dimensions["O"].number_format == "@"  # phones stay text: +7…, 0…
    assert ws.freeze_panes == f"B{FIRST_DATA_ROW}"
    assert ws.print_area == "'Министерство'!$A$1:$K$1048576"
    assert ws.print_title_rows == "$3:$5"
    assert ws.page_setup.orientation == "landscape"
    assert ws.page_setup.paperSize == 9  # A4
    # Highlights only in the service block (never printed): «Контроль» by severity, then the
    # service cells its text names.
    ranges = [(str(cf.sqref), [r.formula[0] for r in cf.rules])
              for cf in ws.conditional_formatting]
    assert ranges == [
        ("L6:L1048576", ['LEFT($L6,6)="Ошибка"', 'LEFT($L6,8)="Внимание"']),
        ("M6:Y1048576", ['IFERROR(FIND("("&ADDRESS(ROW(),COLUMN(),4)&")",$L6)<'
                         'IFERROR(FIND("Внимание",$L6),100000),FALSE)',
                         'ISNUMBER(FIND("("&ADDRESS(ROW(),COLUMN(),4)&")",$L6))'])]
    fills = [r.dxf.fill.bgColor.rgb for cf in ws.conditional_formatting for r in cf.rules]
    assert fills == ["00FFC7CE", "00FFEB9C", "00FFC7CE", "00FFEB9C"]


def test_graphs_1_to_7_print_on_a4_landscape_at_100_percent(book: openpyxl.Workbook) -> None:
    ws = book["Министерство"]
    assert ws.page_setup.scale == 100 and not ws.sheet_properties.pageSetUpPr.fitToPage
    # Column widths count characters of the default font's digit, 7 px at 96 dpi (0.75 pt).
    assert book._fonts[0].name == "Times New Roman" and book._fonts[0].sz == 11
    points = sum(ws.column_dimensions[c.letter].width * 7 * 0.75 for c in COLUMNS[:11])
    page = 297 / 25.4 * 72 - 72 * (ws.page_margins.left + ws.page_margins.right)
    assert points <= page, (points, page)
    for column in COLUMNS[:11]:
        dim = ws.column_dimensions[column.letter]
        assert dim.font.sz >= 9 and dim.alignment.wrap_text
        assert dim.border.left.style == dim.border.bottom.style == "thin"  # ruled rows
    for row in (3, 4, 5):
        assert all(ws.cell(row, c).font.sz >= 9 for c in range(1, 12))


def test_header_rows_protected_data_cells_editable(book: openpyxl.Workbook) -> None:
    ws = book["Министерство"]
    p = ws.protection
    assert p.sheet and p.password is None  # guards against slips; lifted without a password
    assert p.insertColumns and p.deleteColumns  # the form's columns cannot be moved
    assert not (p.insertRows or p.deleteRows or p.formatColumns or p.formatRows or p.sort)
    assert all(ws.cell(r, c).protection.locked for r in (1, 3, 4, 5) for c in (1, 5, 12))
    assert not ws["A2"].protection.locked  # the body's name in the blank form is typed over
    for column in COLUMNS:
        assert not ws.column_dimensions[column.letter].protection.locked, column.key


def test_refuses_to_overwrite(tmp_path: Path) -> None:
    from toolkit.journal.errors import ToolkitError

    path = tmp_path / "журнал.xlsx"
    create_journal(path, TEMPLATE_BODIES)
    with pytest.raises(ToolkitError, match="уже существует"):
        create_journal(path, TEMPLATE_BODIES)
    create_journal(path, TEMPLATE_BODIES, force=True)


def test_committed_template_is_what_the_schema_makes(tmp_path: Path) -> None:
    committed = REPO / "sheets_templates" / "журнал-вкс.xlsx"
    fresh = tmp_path / "журнал-вкс.xlsx"
    create_journal(fresh, TEMPLATE_BODIES)
    with zipfile.ZipFile(committed) as a, zipfile.ZipFile(fresh) as b:
        assert a.namelist() == b.namelist()
        for name in a.namelist():
            assert a.read(name) == b.read(name), f"{name}: run vks init sheets_templates/… --force"


def test_workbook_reads_back_as_an_empty_journal(tmp_path: Path) -> None:
    from toolkit.journal.config import Config
    from toolkit.journal.read import read_journals
    from toolkit.sources.xlsx.source import XlsxSource

    path = tmp_path / "журнал.xlsx"
    create_journal(path, TEMPLATE_BODIES)
    [journal] = read_journals(XlsxSource(path), Config())
    assert journal.applications == [] and journal.findings == []


ROSTER_CONFIG = """
[[bodies]]
name = "Министерство социальной защиты населения Кузбасса"
sheet = "Министерство"
specialists = ["Тарасов Евгений Павлович", "Гончарова Е.С."]

[[bodies]]
name = "ЦСВ"
sheet = "ЦСВ"

[[bodies]]
name = "ГЮБ Кузбасса"
sheet = "ГЮБ"
specialists = ["Власова Ирина Олеговна"]
"""


def test_vks_init_offers_each_body_its_specialists(tmp_path: Path) -> None:
    """cl. 3.3: graph 6 gets a drop-down of the body's roster that warns, not forbids."""
    from click.testing import CliRunner

    from toolkit.cli import cli

    config = tmp_path / "vks.toml"
    config.write_text(ROSTER_CONFIG, encoding="utf-8")
    path = tmp_path / "журнал.xlsx"
    result = CliRunner().invoke(cli, ["-c", str(config), "init", str(path)], prog_name="vks",
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(path)
    directory = book[DIRECTORY_SHEET]
    expected = {"Министерство": ("vks_specialists_1", "G", ["Тарасов Евгений Павлович",
                                                           "Гончарова Е.С."]),
                "ГЮБ": ("vks_specialists_2", "H", ["Власова Ирина Олеговна"])}
    for sheet, (name, letter, names) in expected.items():
        [dv] = [dv for dv in book[sheet].data_validations.dataValidation
                if str(dv.sqref) == "I6:I1048576"]
        assert dv.type == "list" and dv.formula1 == f"={name}"
        assert dv.errorStyle == "warning" and dv.showErrorMessage and dv.allow_blank
        assert dv.errorTitle == "Специалист не из списка"
        defined = book.defined_names[name]
        assert defined.attr_text == f"'{DIRECTORY_SHEET}'!${letter}$2:${letter}${len(names) + 1}"
        cells = defined.attr_text.split("!")[1].replace("$", "")
        assert [c.value for row in directory[cells] for c in row] == names
        assert directory[f"{letter}1"].value == f"Специалисты: {sheet}"
    # A body without a roster gets no list in graph 6; the other drop-downs are unchanged.
    assert not [dv for dv in book["ЦСВ"].data_validations.dataValidation
                if "I6" in str(dv.sqref)]
    assert directory["F1"].value == DIRECTORY_GROUNDS_HEADING
    assert directory.protection.sheet


def test_roster_names_stay_text(tmp_path: Path) -> None:
    from toolkit.sources.xlsx.template import build_workbook, write_workbook

    body = Body("Орган", "Орган", specialists=("=1+2", "Тарасов Е.П."))
    path = tmp_path / "журнал.xlsx"
    write_workbook(build_workbook([body]), path)
    directory = openpyxl.load_workbook(path)[DIRECTORY_SHEET]
    assert directory["G2"].value == "=1+2" and directory["G2"].data_type == "s"


def test_journal_with_rosters_reads_back_empty(tmp_path: Path) -> None:
    import tomllib

    from toolkit.journal.config import parse_config
    from toolkit.journal.read import read_journals
    from toolkit.sources.xlsx.source import XlsxSource

    config = parse_config(tomllib.loads(ROSTER_CONFIG))
    path = tmp_path / "журнал.xlsx"
    create_journal(path, config.bodies)
    journals = read_journals(XlsxSource(path), config)
    assert [(j.sheet, j.applications, j.findings) for j in journals] == [
        ("Министерство", [], []), ("ЦСВ", [], []), ("ГЮБ", [], [])]
