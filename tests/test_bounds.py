"""The bound on what a journal file may cost, checked before any reader allocates for it.

Every file here is a real .xlsx (openpyxl or the journal template, or its zip rewritten part by
part); python-calamine runs in a subprocess where it may abort the whole process.
"""

from __future__ import annotations

import base64
import os
import re
import subprocess
import sys
import threading
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest

from toolkit.journal.errors import ConfigError, JournalError
from toolkit.journal.schema import WIDTH, column_letter
from toolkit.sources.xlsx.bounds import (
    Limits,
    PackageRefused,
    ensure_regular_file,
    inspect_package,
    read_regular_file,
)
from toolkit.sources.xlsx.cellscan import CellScan, FarCell, column_number
from toolkit.sources.xlsx.features import SheetFeatures
from toolkit.sources.xlsx.package import Package as XlsxPackage

SHEET = "Министерство"
SHEET_PART = "xl/worksheets/sheet1.xml"
Journal = Callable[..., Path]


def rows(count: int) -> list[dict[str, object]]:
    return [{"number": n, "citizen": "Петрова Анна Сергеевна", "topic": "Социальный контракт"}
            for n in range(1, count + 1)]


def parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {i.filename: z.read(i) for i in z.infolist()}


def rezip(source: Path, target: Path, change: Callable[[bytes], bytes],
          part: str = SHEET_PART) -> Path:
    """The same package with one part rewritten."""
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts(source).items():
            z.writestr(name, change(data) if name == part else data)
    return target


def before_end(xml: bytes, extra: bytes) -> bytes:
    return xml.replace(b"</sheetData>", extra + b"</sheetData>")


def refused(path: Path | bytes, limits: Limits | None = None) -> str:
    with pytest.raises(PackageRefused) as caught:
        inspect_package(path, limits or Limits())
    assert caught.value.exit_code == 2
    return str(caught.value)


CALAMINE = (
    "import sys, python_calamine\n"
    "book = python_calamine.CalamineWorkbook.from_path(sys.argv[1])\n"
    "rows = book.get_sheet_by_name(sys.argv[2]).to_python(skip_empty_area=False)\n"
    "print('read', len(rows))\n"
)


def calamine_in_subprocess(path: Path, sheet: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", CALAMINE, str(path), sheet],
                          check=False, capture_output=True, text=True, timeout=300)


# --- Normal journals pass ----------------------------------------------------------------------


def test_a_journal_passes_with_its_sheets_and_sizes(journal_file: Journal) -> None:
    path = journal_file({SHEET: rows(30), "ЦСВ": rows(2)})
    info = inspect_package(path)
    titles = [s.title for s in info.sheets]
    assert titles[:2] == [SHEET, "ЦСВ"]
    first = info.sheets[0]
    assert first.part == SHEET_PART and first.dimension is not None
    with zipfile.ZipFile(path) as z:
        assert first.unpacked == z.getinfo(SHEET_PART).file_size
        assert info.members == len(z.infolist())
        assert info.unpacked == sum(i.file_size for i in z.infolist())
    assert inspect_package(path.read_bytes(), sheets=["ЦСВ"]).sheets[0].title == "ЦСВ"


# --- Far cells ---------------------------------------------------------------------------------


def with_stray_cell(path: Path, folder: Path) -> Path:
    """A copy of the journal with one value at XFD1048576, the sheet's very last cell."""
    wb = openpyxl.load_workbook(path)
    wb[SHEET]["XFD1048576"] = "x"
    stray = folder / "лишняя-ячейка.xlsx"
    wb.save(stray)
    return stray


def test_a_stray_cell_at_xfd1048576_aborts_calamine_and_is_refused_first(
        journal_file: Journal, tmp_path: Path) -> None:
    path = journal_file({SHEET: rows(3)})
    stray = with_stray_cell(path, tmp_path)
    assert stray.stat().st_size < 100_000
    message = refused(stray)
    assert message == (
        f"{stray}: лист «{SHEET}»: ячейка XFD1048576 далеко за пределами журнала (не более "
        "200 000 строк и 64 столбцов). Удалите лишние ячейки или увеличьте [limits] max_rows "
        "и max_columns.")
    # What the guard prevents: the reader asks for a 17·10⁹-cell grid and the process dies.
    crashed = calamine_in_subprocess(stray, SHEET)
    assert crashed.returncode != 0 and "read" not in crashed.stdout


def test_junk_rows_past_the_row_limit_are_refused_at_the_first_one(tmp_path: Path) -> None:
    wb = openpyxl.Workbook(write_only=True)
    sheet = wb.create_sheet(SHEET)
    for _ in range(300_000):
        sheet.append(["мусор"])
    path = tmp_path / "мусор.xlsx"
    wb.save(path)
    message = refused(path)
    assert f"лист «{SHEET}»: ячейка A200001 далеко" in message
    assert message.endswith("увеличьте [limits] max_rows.")
    assert inspect_package(path, Limits(max_rows=300_000)).sheets[0].title == SHEET


def test_a_column_past_the_limit_names_max_columns(journal_file: Journal, tmp_path: Path) -> None:
    path = journal_file({SHEET: rows(3)})
    wb = openpyxl.load_workbook(path)
    wb[SHEET]["BM7"] = 1  # column 65
    wb[SHEET]["BL8"] = 1  # column 64: allowed
    wide = tmp_path / "широкий.xlsx"
    wb.save(wide)
    message = refused(wide)
    assert "ячейка BM7 далеко" in message and message.endswith("[limits] max_columns.")
    inspect_package(path, Limits(max_columns=WIDTH))  # the journal's own columns
    wb[SHEET]["BM7"] = wb[SHEET]["BL8"] = None
    beyond = f"{column_letter(WIDTH)}9"
    wb[SHEET][beyond] = "лишнее"
    wb.save(wide)
    assert f"ячейка {beyond} далеко" in refused(wide, Limits(max_columns=WIDTH))


def test_legal_far_cells_switch_to_the_exact_pattern_and_still_find_the_offender(
        journal_file: Journal, tmp_path: Path) -> None:
    # Rows ≥ 100 (three digits) and columns AA… are candidates of the fast pattern for these
    # limits, but legal: after the first of them the rest is searched by the exact pattern.
    path = journal_file({SHEET: rows(120)})
    wb = openpyxl.load_workbook(path)
    wb[SHEET]["AD130"] = "в пределах"
    wb[SHEET]["AE140"] = "за пределами"
    far = tmp_path / "далеко.xlsx"
    wb.save(far)
    limits = Limits(max_rows=150, max_columns=30)
    assert "ячейка AE140 далеко" in refused(far, limits)
    assert "не более 150 строк и 30 столбцов" in refused(far, limits)
    wb[SHEET]["AE140"] = None
    wb[SHEET]["B151"] = "строка 151"
    wb.save(far)
    assert "ячейка B151 далеко" in refused(far, limits)
    wb[SHEET]["B151"] = None
    wb.save(far)
    assert inspect_package(far, limits).sheets[0].title == SHEET


def test_a_lying_dimension_is_not_trusted_either_way(journal_file: Journal,
                                                     tmp_path: Path) -> None:
    path = journal_file({SHEET: rows(3)})
    small = rezip(path, tmp_path / "мало.xlsx", lambda xml: before_end(
        re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:B2"', xml),
        b'<row r="250000"><c r="C250000" t="inlineStr"><is><t>x</t></is></c></row>'))
    assert "ячейка C250000 далеко" in refused(small)
    big = rezip(path, tmp_path / "много.xlsx", lambda xml: re.sub(
        rb'<dimension ref="[^"]*"', b'<dimension ref="A1:XFD1048576"', xml))
    info = inspect_package(big)
    assert info.sheets[0].dimension == "A1:XFD1048576"
    assert calamine_in_subprocess(big, SHEET).stdout.startswith("read")


def test_a_far_cell_without_a_value_is_skipped_as_calamine_skips_it(
        journal_file: Journal, tmp_path: Path) -> None:
    path = journal_file({SHEET: rows(3)})
    styled = rezip(path, tmp_path / "формат.xlsx", lambda xml: before_end(
        xml, b'<row r="1048576"><c r="XFD1048576" s="1"/><c r="XFD1048575" s="1"></c></row>'))
    inspect_package(styled)
    assert calamine_in_subprocess(styled, SHEET).stdout.startswith("read")


def test_cells_without_references_are_placed_as_calamine_places_them(
        journal_file: Journal, tmp_path: Path) -> None:
    path = journal_file({SHEET: rows(5)})
    bare = rezip(path, tmp_path / "без-ссылок.xlsx",
                 lambda xml: re.sub(rb'(<c) r="[A-Z]+\d+"', rb"\1", xml))
    inspect_package(bare)
    stray = rezip(bare, tmp_path / "строка.xlsx", lambda xml: before_end(
        xml, b'<row r="1048576"><c t="inlineStr"><is><t>x</t></is></c></row>'))
    assert "ячейка A1048576 далеко" in refused(stray)
    crashed = calamine_in_subprocess(stray, SHEET)  # a 10⁶-row grid: read, but at a cost
    assert crashed.stdout.strip() == "read 1048576"


def test_other_attribute_order_and_quotes_are_read_exactly(journal_file: Journal,
                                                          tmp_path: Path) -> None:
    path = journal_file({SHEET: rows(3)})
    odd = rezip(path, tmp_path / "порядок.xlsx", lambda xml: before_end(
        xml, b"<row r=\"9\"><c t='inlineStr' r = 'XFD9'><is><t>x</t></is></c></row>"))
    message = refused(odd)
    assert "ячейка XFD9 далеко" in message and message.endswith("[limits] max_columns.")


def test_a_namespace_prefix_on_the_sheet_is_followed(journal_file: Journal,
                                                     tmp_path: Path) -> None:
    path = journal_file({SHEET: rows(3)})

    def prefixed(xml: bytes) -> bytes:
        xml = re.sub(rb"<(/?)(?=[A-Za-z])(?![a-z]+:)", rb"<\1x:", xml)
        return xml.replace(b'xmlns="', b'xmlns:x="', 1)

    plain = rezip(path, tmp_path / "префикс.xlsx", prefixed)
    assert b"<x:c r=" in parts(plain)[SHEET_PART]
    inspect_package(plain)
    assert calamine_in_subprocess(plain, SHEET).stdout.startswith("read")
    far = rezip(plain, tmp_path / "префикс-далеко.xlsx", lambda xml: xml.replace(
        b"</x:sheetData>",
        b'<x:row r="300000"><x:c r="A300000"><x:v>1</x:v></x:c></x:row></x:sheetData>'))
    assert "ячейка A300000 далеко" in refused(far)


@pytest.mark.parametrize("size", [5, 13, 61, 4096])
def test_the_scan_finds_the_same_cell_whatever_the_pieces(journal_file: Journal,
                                                          size: int) -> None:
    path = journal_file({SHEET: rows(4)})
    xml = before_end(parts(path)[SHEET_PART],
                     b'<row r="1048576"><c r="XFD1048576" s="2"><v>7</v></c></row>')
    for exact in (False, True):
        scan = CellScan(200_000, 64, exact=exact)
        for at in range(0, len(xml), size):
            if scan.feed(xml[at: at + size]):
                break
        scan.finish()
        assert scan.far == FarCell("XFD1048576", 1_048_576, 16_384)
        clean = CellScan(200_000, 64, exact=exact)
        for at in range(0, len(parts(path)[SHEET_PART]), size):
            clean.feed(parts(path)[SHEET_PART][at: at + size])
        assert not clean.finish() and clean.far is None


NS_MAIN = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"
MERGE_REF = re.compile(rb'<mergeCell ref="([A-Z]+)(\d+):([A-Z]+)(\d+)"')
MERGES = (b'<mergeCells count="2"><mergeCell ref="A1:X1"/><mergeCell ref="B30:AB31"/>'
          b'</mergeCells>')


@pytest.mark.parametrize("size", [5, 13, 61, 4096])
def test_formulas_and_merged_ranges_are_found_whatever_the_pieces(journal_file: Journal,
                                                                  size: int) -> None:
    path = journal_file({SHEET: rows(4)})
    plain = parts(path)[SHEET_PART]
    xml = before_end(plain, b'<row r="30"><c r="C30"><f>1+1</f><v>2</v></c></row>')
    xml = xml.replace(b"</sheetData>", b"</sheetData>" + MERGES)
    for source, formula in ((xml, True), (plain, False)):
        features = SheetFeatures()
        for at in range(0, len(source), size):
            features.feed(source[at: at + size])
        assert features.formula is formula
        assert features.merged == [(int(r1), column_number(c1) - 1, int(r2),
                                    column_number(c2) - 1)
                                   for c1, r1, c2, r2 in MERGE_REF.findall(source)]
        assert ((30, 1, 31, 27) in features.merged) is formula
    prefixed = (b'<x:worksheet xmlns:x="' + NS_MAIN + b'"><x:sheetData><x:row r="1"><x:c r="A1">'
                b'<x:f>1+1</x:f></x:c></x:row></x:sheetData></x:worksheet>')
    lookalikes = (b'<worksheet xmlns="' + NS_MAIN + b'"><sheetData/><autoFilter ref="A1:B2">'
                  b'<filterColumn colId="0"/></autoFilter><dataValidations count="1">'
                  b'<dataValidation><formula1>"1,2"</formula1></dataValidation>'
                  b'</dataValidations></worksheet>')
    for source, formula in ((prefixed, True), (lookalikes, False)):
        features = SheetFeatures()
        for at in range(0, len(source), size):
            features.feed(source[at: at + size])
        assert features.formula is formula


def test_the_inspection_reports_formulas_and_merges_with_the_bounds(journal_file: Journal,
                                                                    tmp_path: Path) -> None:
    path = journal_file({SHEET: rows(4)})
    changed = before_end(parts(path)[SHEET_PART],
                         b'<row r="30"><c r="C30"><f>1+1</f><v>2</v></c></row>'
                         ).replace(b"</sheetData>", b"</sheetData>" + MERGES)
    info = inspect_package(rezip(path, tmp_path / "f.xlsx", lambda _: changed)).sheets[0]
    assert info.formula and (30, 1, 31, 27) in info.merged
    assert (30, 2) in XlsxPackage((tmp_path / "f.xlsx").read_bytes()).formula_cells(SHEET)
    assert not inspect_package(path).sheets[0].formula


# --- Zip bombs and sizes -----------------------------------------------------------------------


def padded(mib: int) -> Callable[[bytes], bytes]:
    return lambda xml: before_end(xml, b" " * (mib << 20))


def test_a_zip_bomb_is_refused_by_its_ratio(journal_file: Journal, tmp_path: Path) -> None:
    bomb = rezip(journal_file({SHEET: rows(3)}), tmp_path / "бомба.xlsx", padded(32))
    assert bomb.stat().st_size < 200_000
    message = refused(bomb)
    ratio = re.search(f"лист «{SHEET}»: данные сжаты в (\\d+) раз", message)
    assert ratio and 500 < int(ratio.group(1)) < 1033  # deflate packs blanks ~1 000 to 1
    assert message.endswith("увеличьте [limits] max_ratio.")
    total = refused(bomb, Limits(max_ratio=2000, max_total_mib=16))
    assert "книга в распакованном виде занимает 33 МиБ (не более 16 МиБ)" in total
    sheet = refused(bomb, Limits(max_ratio=2000, max_sheet_mib=8))
    assert f"лист «{SHEET}» в распакованном виде занимает 33 МиБ (не более 8 МиБ)" in sheet


def set_declared_size(path: Path, part: str, size: int) -> None:
    """Rewrite the uncompressed size the zip declares for `part` (local and central headers)."""
    data = bytearray(path.read_bytes())
    name = part.encode()
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        at = data.find(signature)
        while at >= 0:
            name_at = at + (30 if signature == b"PK\x03\x04" else 46)
            if data[name_at: name_at + len(name)] == name:
                data[at + offset: at + offset + 4] = size.to_bytes(4, "little")
            at = data.find(signature, at + 4)
    path.write_bytes(bytes(data))


def noisy(xml: bytes) -> bytes:
    """The XML with 2 MiB of incompressible text in a comment at its end."""
    return xml + b"<!-- " + base64.b64encode(os.urandom(1_600_000)) + b" -->"


def test_a_part_larger_than_declared_is_refused(journal_file: Journal, tmp_path: Path) -> None:
    path = journal_file({SHEET: rows(3)})
    strings = rezip(path, tmp_path / "строки.xlsx", noisy, part="xl/sharedStrings.xml")
    inspect_package(strings)
    set_declared_size(strings, "xl/sharedStrings.xml", 100)
    assert refused(strings) == (f"{strings}: это не книга Excel .xlsx или файл поврежден "
                                "(часть xl/sharedStrings.xml больше, чем указано в архиве)")
    sheet = rezip(path, tmp_path / "лист.xlsx", noisy)
    with zipfile.ZipFile(sheet) as z:
        declared = z.getinfo(SHEET_PART).file_size
    set_declared_size(sheet, SHEET_PART, declared - 1000)
    assert "(часть xl/worksheets/sheet1.xml больше, чем указано в архиве)" in refused(sheet)
    set_declared_size(sheet, SHEET_PART, declared + 1000)
    assert "(часть xl/worksheets/sheet1.xml короче, чем указано в архиве)" in refused(sheet)


def test_too_many_members_are_refused_before_they_are_listed(tmp_path: Path) -> None:
    path = tmp_path / "части.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        for n in range(10_001):
            z.writestr(f"x/{n}", b"")
    assert "в архиве книги 10 001 частей (не более 10 000)" in refused(path)


def test_a_file_over_the_size_limit_is_not_read(journal_file: Journal, tmp_path: Path) -> None:
    big = rezip(journal_file({SHEET: rows(3)}), tmp_path / "большой.xlsx", noisy)
    assert "файл больше 1 МиБ" in refused(big, Limits(max_file_mib=1))
    with pytest.raises(PackageRefused, match="файл больше 1 МиБ"):
        read_regular_file(big, Limits(max_file_mib=1))
    assert inspect_package(big).sheets[0].unpacked > 2_000_000


def test_a_corrupt_sheet_is_refused_and_a_far_cell_stops_the_scan(
        journal_file: Journal, tmp_path: Path) -> None:
    big = rezip(journal_file({SHEET: rows(3)}), tmp_path / "большой.xlsx", noisy)
    with zipfile.ZipFile(big) as z:
        info = z.getinfo(SHEET_PART)
    data = bytearray(big.read_bytes())
    middle = info.header_offset + 30 + len(SHEET_PART) + info.compress_size // 2
    data[middle: middle + 64] = b"\xff" * 64
    message = refused(bytes(data))
    assert message.startswith("журнал: это не книга Excel .xlsx или файл поврежден")
    far = rezip(big, tmp_path / "далеко.xlsx", lambda xml: before_end(
        xml, b'<row r="900000"><c r="A900000"><v>1</v></c></row>'))
    assert "ячейка A900000 далеко" in refused(far)


def test_not_a_zip_and_entity_declarations_are_refused(journal_file: Journal,
                                                       tmp_path: Path) -> None:
    text = tmp_path / "текст.xlsx"
    text.write_text("не книга", encoding="utf-8")
    assert refused(text).endswith("это не книга Excel .xlsx или файл поврежден")
    path = journal_file({SHEET: rows(1)})
    laughs = rezip(path, tmp_path / "сущности.xlsx",
                   lambda xml: b'<!DOCTYPE w [<!ENTITY a "aaaaaaaa">]>' + xml,
                   part="xl/workbook.xml")
    assert "в части xl/workbook.xml объявлены сущности XML" in refused(laughs)


# --- Files that are not files ------------------------------------------------------------------


def test_a_fifo_named_xlsx_is_refused_without_hanging(tmp_path: Path) -> None:
    fifo = tmp_path / "журнал.xlsx"
    os.mkfifo(fifo)
    outcome: list[BaseException] = []

    def inspect() -> None:
        try:
            inspect_package(fifo)
        except BaseException as exc:
            outcome.append(exc)

    worker = threading.Thread(target=inspect, daemon=True)
    worker.start()
    worker.join(10)
    assert not worker.is_alive(), "reading a FIFO must not block"
    assert isinstance(outcome[0], PackageRefused)
    assert str(outcome[0]) == (f"{fifo} — не обычный файл (канал, устройство или сокет); "
                               "журнал читается только из файла .xlsx")


def test_symlinks_are_followed_to_a_regular_file_only(journal_file: Journal,
                                                     tmp_path: Path) -> None:
    device = tmp_path / "устройство.xlsx"
    device.symlink_to("/dev/zero")
    with pytest.raises(PackageRefused, match="не обычный файл"):
        ensure_regular_file(device)
    assert "не обычный файл" in refused(device)
    link = tmp_path / "ссылка.xlsx"
    link.symlink_to(journal_file({SHEET: rows(1)}))
    assert ensure_regular_file(link).st_size > 0
    assert inspect_package(link).sheets[0].title == SHEET


def test_missing_files_and_folders_are_journal_errors(tmp_path: Path) -> None:
    with pytest.raises(JournalError, match="не найден"):
        inspect_package(tmp_path / "нет.xlsx")
    with pytest.raises(JournalError, match="это папка"):
        inspect_package(tmp_path)


# --- [limits] ----------------------------------------------------------------------------------


def test_limits_from_the_config_section() -> None:
    assert Limits.from_section({}) == Limits()
    assert Limits.from_section({"max_rows": 500_000, "max_ratio": 400}) == \
        Limits(max_rows=500_000, max_ratio=400)
    with pytest.raises(ConfigError, match="неизвестный параметр max_cols"):
        Limits.from_section({"max_cols": 10})
    for wrong in (0, -1, "100", 1.5, True):
        with pytest.raises(ConfigError, match=r"\[limits\] max_rows: нужно целое"):
            Limits.from_section({"max_rows": wrong})


def test_vks_check_refuses_the_stray_cell_with_exit_2_in_a_process_of_its_own(
        journal_file: Journal, tmp_path: Path) -> None:
    """The whole command, in a real process: a refusal naming sheet and cell, not a SIGABRT."""
    path = journal_file({SHEET: rows(3)})
    stray = with_stray_cell(path, tmp_path)
    done = subprocess.run([sys.executable, "-m", "toolkit", "check", str(stray)],
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 2, done.stderr
    assert f"лист «{SHEET}»: ячейка XFD1048576 далеко за пределами журнала" in done.stderr
    # The limits come from [limits]: a tight one refuses even the small journal, at its row 6.
    done = subprocess.run([sys.executable, "-m", "toolkit", "check", str(path)],
                          capture_output=True, text=True, timeout=120, check=False,
                          env={**os.environ, "VKS_CONFIG": str(_limits_config(tmp_path))})
    assert done.returncode == 2 and "[limits] max_rows" in done.stderr, done.stderr


def _limits_config(folder: Path) -> Path:
    config = folder / "vks.toml"
    config.write_text("[limits]\nmax_rows = 5\n", encoding="utf-8")
    return config


def test_a_fifo_named_xlsx_is_refused_by_vks_check_without_hanging(tmp_path: Path) -> None:
    fifo = tmp_path / "журнал.xlsx"
    os.mkfifo(fifo)
    done = subprocess.run([sys.executable, "-m", "toolkit", "check", str(fifo)],
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 2 and str(fifo) in done.stderr
