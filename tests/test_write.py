"""`check --write`: only the written cells change, nothing a person typed is ever lost."""

from __future__ import annotations

import hashlib
import io
import os
import re
import stat
import zipfile
from pathlib import Path

import openpyxl
import pytest
from conftest import TODAY
from openpyxl.comments import Comment

from toolkit.journal.config import Config
from toolkit.journal.errors import JournalBusy
from toolkit.journal.model import CellChange
from toolkit.journal.schema import BY_KEY, Outcome
from toolkit.sources.demo import Manifest
from toolkit.sources.open import check
from toolkit.sources.xlsx import patch as patch_module
from toolkit.sources.xlsx.source import XlsxSource

X14_EXT = (
    b'<extLst><ext uri="{CCE6A557-97BC-4b89-ADB6-D9C93CAAB3DF}" '
    b'xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main">'
    b'<x14:dataValidations xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main" '
    b'count="1"><x14:dataValidation type="list" allowBlank="1"><x14:formula1>'
    b"<xm:f>'\xd0\xa1\xd0\xbf\xd1\x80\xd0\xb0\xd0\xb2\xd0\xba\xd0\xb0'!$A$1:$A$3</xm:f>"
    b"</x14:formula1><xm:sqref>K6:K20</xm:sqref></x14:dataValidation></x14:dataValidations>"
    b"</ext></extLst>"
)


def parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {i.filename: z.read(i) for i in z.infolist()}


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def sheet_part(path: Path, title: str) -> str:
    source = XlsxSource(path)
    return source.package.sheet_parts[title]


def test_write_records_cancellations_and_flags_once(demo: tuple[Path, Manifest]) -> None:
    path, manifest = demo
    report = check(str(path), Config(), TODAY, write=True)
    sheet = "Министерство"
    rows = manifest.rows[sheet]
    written = {(c.sheet, c.cell): c.new for c in report.changes}
    declined = rows["cancellation-not-recorded"][0]
    unconfirmed = rows["confirmation-overdue"][0]
    assert written[(sheet, f"J{declined}")] == Outcome.DECLINED.label
    assert written[(sheet, f"J{unconfirmed}")] == Outcome.UNCONFIRMED.label
    # Only the control column and cancellations in graph 7 are ever written.
    assert {re.match(r"[A-Z]+", c.cell).group() for c in report.changes} <= {"J", "L"}  # type: ignore[union-attr]
    # Recorded cancellations are no longer findings; the rest stays flagged.
    codes = {(f.sheet, f.row, f.code) for f in report.findings}
    assert (sheet, declined, "cancellation-not-recorded") not in codes
    assert (sheet, rows["decision-overdue"][0], "decision-overdue") in codes

    wb = openpyxl.load_workbook(path)
    ws = wb[sheet]
    assert ws[f"J{declined}"].value == Outcome.DECLINED.label
    overdue = rows["decision-overdue"][0]
    assert "принять решение — срок истек" in ws[f"L{overdue}"].value
    assert report.backup and Path(report.backup).is_file()

    # A second run has nothing to do: the file is not touched at all.
    before = sha(path)
    again = check(str(path), Config(), TODAY, write=True)
    assert again.changes == []
    assert sha(path) == before


def test_control_cleared_when_resolved(journal_file) -> None:  # type: ignore[no-untyped-def]
    import datetime as dt

    path = journal_file({"Орган": [
        {"number": 1, "received": dt.date(2026, 11, 2), "citizen": "Петрова Анна Сергеевна",
         "topic": "Социальный контракт", "consent_data": "Да", "consent_video": "Да"},
        {"control": "п. 2.5: старая отметка"},  # a row a person emptied: the flag goes too
    ]})
    first = check(str(path), Config(), TODAY, write=True)
    assert {c.cell for c in first.changes} == {"L6", "L7"}
    ws = openpyxl.load_workbook(path)["Орган"]
    assert ws["L6"].value.startswith("Ошибка. Графа 5 «Решение» (E6): принять решение")
    assert ws["L7"].value is None
    # The specialist records a rejection: the next run clears the flag.
    wb = openpyxl.load_workbook(path)
    ws = wb["Орган"]
    ws["E6"], ws["F6"], ws["H6"] = "Заявка отклонена", dt.date(2026, 11, 5), "3"
    ws["P6"] = "petrova@mail.ru"
    wb.save(path)
    second = check(str(path), Config(), TODAY, write=True)
    assert [(c.cell, c.new) for c in second.changes] == [("L6", "")]


def _excel_owner_file(name: str) -> bytes:
    ansi = name.encode("cp1251")
    return (bytes([len(ansi)]) + ansi.ljust(53, b" ") + len(name).to_bytes(2, "little")
            + name.encode("utf-16-le") + b"\x00" * 54)


@pytest.mark.parametrize(
    ("lock_name", "content", "holder"),
    [
        ("~$демо.xlsx", _excel_owner_file("Иванова Е.П."), "Иванова Е.П."),
        (".~lock.демо.xlsx#", "Петров Олег,srv,petrov,28.11.2026 09:15,/home/petrov/.config;"
                              .encode(), "Петров Олег"),
    ],
)
def test_write_refused_while_open(demo: tuple[Path, Manifest], lock_name: str, content: bytes,
                                  holder: str) -> None:
    path, _ = demo
    (path.parent / lock_name).write_bytes(content)
    before = sha(path)
    with pytest.raises(JournalBusy) as busy:
        check(str(path), Config(), TODAY, write=True)
    assert busy.value.exit_code == 3
    assert holder in str(busy.value)
    assert sha(path) == before


def test_write_refused_when_changed_since_read(demo: tuple[Path, Manifest]) -> None:
    path, _ = demo
    source = XlsxSource(path)
    source.sheet_titles()  # read
    wb = openpyxl.load_workbook(path)
    wb["ЦСВ"]["K6"] = "правка специалиста"
    wb.save(path)
    edited = sha(path)
    with pytest.raises(JournalBusy, match="изменился после чтения"):
        source.write([CellChange("ЦСВ", 6, "control", "", "x")])
    assert sha(path) == edited


@pytest.mark.filterwarnings("ignore:Data Validation extension")
def test_every_untouched_byte_survives(journal_file, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """init → fill → check → write → reopen, on a workbook with what openpyxl would drop."""
    import datetime as dt

    from PIL import Image

    path = journal_file({"Орган": [
        {"number": n, "received": dt.date(2026, 11, 2), "citizen": "Петрова Анна Сергеевна",
         "topic": "Пособие", "decision": "Назначен прием", "decision_date": dt.date(2026, 11, 3),
         "appointment": dt.datetime(2026, 11, 5, 10, 0 + 15 * n), "specialist": "Тарасов Е.П.",
         "answer": "Отказался от участия", "notice_sent": dt.datetime(2026, 11, 3, 12),
         "consent_data": "Да", "consent_video": "Да", "email": "a@b.ru",
         "phone": "+7 913 000-00-00", "link": "https://telemost.yandex.ru/j/1"}
        for n in (1, 2)
    ] + [{"number": 3, "received": dt.date(2026, 11, 2), "citizen": "Орлов Олег Олегович",
          "topic": "Пособие", "consent_data": "Да", "consent_video": "Да"}]})
    wb = openpyxl.load_workbook(path)
    ws = wb["Орган"]
    ws["K6"].comment = Comment("Гражданин просил перезвонить", "Иванова")
    ws["D7"].value = "Пособие"
    other = wb.create_sheet("Итоги")
    other["A1"] = "=COUNTA('Орган'!A6:A1000)"
    image = tmp_path / "герб.png"
    Image.new("RGB", (40, 40), (200, 30, 30)).save(image)
    ws.add_image(openpyxl.drawing.image.Image(str(image)), "M10")
    wb.save(path)
    # What openpyxl cannot keep: an x14 extension list, as Excel writes for some validations.
    original = parts(path)
    name = sheet_part(path, "Орган")
    original[name] = original[name].replace(b"</worksheet>", X14_EXT + b"</worksheet>")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for part, data in original.items():
            z.writestr(part, data)

    report = check(str(path), Config(), TODAY, write=True)
    assert {c.cell for c in report.changes} == {"J6", "J7", "L8"}
    after = parts(path)
    assert list(after) == list(original)  # same parts, same order
    for part, data in original.items():
        if part != name:
            assert after[part] == data, part  # every other part byte for byte
    # In the sheet itself, only the written <c> elements differ — and the height of a row
    # whose note needs more than one line (spreadsheets do not fit rows on opening).
    cell_re = re.compile(rb'<c r="(?:J6|J7|L8)"[^>]*?(?:/>|>.*?</c>)', re.DOTALL)
    height_re = re.compile(rb'(<row r="(?:6|7|8)"[^>]*?) ht="[0-9.]+" customHeight="1"')

    def bare(xml: bytes) -> bytes:
        return height_re.sub(rb"\1", cell_re.sub(b"", xml))

    assert bare(after[name]) == bare(original[name])
    assert X14_EXT in after[name]
    # And the result is a workbook every reader opens, with the values in place.
    reopened = openpyxl.load_workbook(io.BytesIO(path.read_bytes()))
    assert reopened["Орган"]["J6"].value == Outcome.DECLINED.label
    assert reopened["Орган"]["K6"].comment.text == "Гражданин просил перезвонить"
    assert reopened["Итоги"]["A1"].value == "=COUNTA('Орган'!A6:A1000)"


def test_formula_cell_is_never_overwritten(journal_file) -> None:  # type: ignore[no-untyped-def]
    import datetime as dt

    path = journal_file({"Орган": [
        {"number": 1, "received": dt.date(2026, 11, 2), "citizen": "Петрова Анна Сергеевна",
         "topic": "т", "consent_data": "Да", "consent_video": "Да"},
    ]})
    wb = openpyxl.load_workbook(path)
    wb["Орган"]["L6"] = '=IF(A6>0,"","")'
    wb.save(path)
    report = check(str(path), Config(), TODAY, write=True)
    assert [(c.cell, why) for c, why in report.skipped] == [
        ("L6", "в ячейке формула — не перезаписана")]
    assert openpyxl.load_workbook(path)["Орган"]["L6"].value == '=IF(A6>0,"","")'


def test_written_text_is_never_a_formula(demo: tuple[Path, Manifest]) -> None:
    path, _ = demo
    source = XlsxSource(path)
    source.sheet_titles()
    hostile = '=HYPERLINK("http://evil","x") & <b>"«»</b>'
    result = source.write([CellChange("ЦСВ", 6, "control", "", hostile)])
    assert len(result.written) == 1
    cell = openpyxl.load_workbook(path)["ЦСВ"]["L6"]
    assert cell.value == hostile and cell.data_type == "s"


def test_backup_private_atomic_and_mode_kept(demo: tuple[Path, Manifest]) -> None:
    path, _ = demo
    os.chmod(path, 0o664)
    report = check(str(path), Config(), TODAY, write=True)
    backup = Path(report.backup or "")
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600
    assert stat.S_IMODE(backup.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(path.stat().st_mode) == 0o664  # the shared journal keeps its rights
    assert not list(path.parent.glob("*.vks-tmp"))


def test_crash_during_write_leaves_the_journal(demo: tuple[Path, Manifest],
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    path, _ = demo
    before = sha(path)

    def crash(*args: object, **kwargs: object) -> bytes:
        raise KeyboardInterrupt

    monkeypatch.setattr("toolkit.sources.xlsx.source.rewrite_package", crash)
    with pytest.raises(KeyboardInterrupt):
        check(str(path), Config(), TODAY, write=True)
    assert sha(path) == before
    assert not list(path.parent.glob("*.vks-tmp"))


def test_patch_inserts_missing_cells_and_rows_in_order() -> None:
    xml = (b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
           b'<dimension ref="A1:C7"/><cols><col min="23" max="23" width="40" style="7"/></cols>'
           b'<sheetData><row r="6"><c r="A6" t="n"><v>1</v></c><c r="X6" s="2"/></row>'
           b'<row r="8" spans="1:3"><c r="A8"><v>2</v></c></row></sheetData></worksheet>')
    out, refused = patch_module.patch_sheet(xml, {(6, 22): "да", (7, 22): "нет",
                                                  (8, 22): "", (6, 23): "x<y"})
    assert refused == []
    assert (b'<row r="6"><c r="A6" t="n"><v>1</v></c><c r="W6" s="7" t="inlineStr"><is>'
            b'<t xml:space="preserve">\xd0\xb4\xd0\xb0</t></is></c><c r="X6" s="2" '
            b't="inlineStr"><is><t xml:space="preserve">x&lt;y</t></is></c></row>') in out
    assert b'<row r="7"><c r="W7" s="7" t="inlineStr">' in out
    assert b'<row r="8" spans="1:3"><c r="A8"><v>2</v></c><c r="W8" s="7"/></row>' in out
    assert b'<dimension ref="A1:X8"/>' in out


@pytest.mark.parametrize("size", [1, 7, 61, 4096])
def test_the_streamed_patch_is_the_same_whatever_the_pieces(size: int) -> None:
    """The sheet goes through the patch in pieces (never inflated whole): any cut gives the
    same bytes and the same refusals as one piece."""
    rows = b"".join(b'<row r="%d" spans="1:3"><c r="A%d"><v>%d</v></c>%s</row>'
                    % (n, n, n, b'<c r="W%d"><f>1+1</f><v>2</v></c>' % n if n == 9 else b"")
                    for n in (6, 8, 9, 12))
    xml = (b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
           b'<dimension ref="A1:C12"/><cols><col min="23" max="23" style="7"/></cols>'
           b'<sheetData>' + rows + b'</sheetData><mergeCells count="1">'
           b'<mergeCell ref="A1:C1"/></mergeCells></worksheet>')
    values = {(6, 22): "да", (7, 22): "нет", (9, 22): "x", (12, 0): "", (14, 2): "конец"}
    whole, refused = patch_module.patch_sheet(xml, values)
    assert refused == [patch_module.Refused(9, 22, "в ячейке формула — не перезаписана")]
    assert b'<row r="7"><c r="W7" s="7" t="inlineStr">' in whole
    assert whole.endswith(b'<row r="14"><c r="C14" t="inlineStr"><is><t xml:space="preserve">'
                          + "конец".encode() + b'</t></is></c></row></sheetData><mergeCells '
                          b'count="1"><mergeCell ref="A1:C1"/></mergeCells></worksheet>')
    patch = patch_module.SheetPatch(values)
    pieces = [xml[at: at + size] for at in range(0, len(xml), size)]
    assert b"".join(patch.stream(pieces)) == whole
    assert patch.refused == refused


def test_a_written_control_note_of_several_lines_gets_a_row_tall_enough(journal_file) -> None:  # type: ignore[no-untyped-def]
    """Spreadsheets do not fit rows on opening: the write-back sets the height of the row it
    writes a long note into, and keeps a taller height a person set."""
    import datetime as dt

    path = journal_file({"Орган": [
        {"number": 1, "received": dt.date(2026, 11, 2), "citizen": "Петрова Анна Сергеевна"},
        {"number": 2, "received": dt.date(2026, 11, 2), "citizen": "Иванов Петр Сергеевич"},
    ]})
    wb = openpyxl.load_workbook(path)
    wb["Орган"].row_dimensions[7].height = 200  # a person made row 7 taller
    wb.save(path)
    check(str(path), Config(), TODAY, write=True)
    ws = openpyxl.load_workbook(path)["Орган"]
    control = ws[f"{BY_KEY['control'].letter}6"].value
    assert control.count("\n") >= 1  # several findings: several lines
    assert ws.row_dimensions[6].height is not None and ws.row_dimensions[6].height >= 2 * 12.75
    assert ws.row_dimensions[7].height == 200
