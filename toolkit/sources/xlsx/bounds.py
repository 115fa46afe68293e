"""A hard bound on what an .xlsx journal may cost, checked before any reader allocates for it.

    limits = Limits.from_section(config.section("limits"))
    data = read_regular_file(path, limits)              # a FIFO or a device is refused, not read
    info = inspect_package(data, limits, location=str(path))   # PackageRefused, or the facts

python-calamine allocates a dense grid from A1 to the farthest value: one stray value at
XFD1048576 in a 48 KB file asks for 17·10⁹ cells and aborts the whole process (the scheduler
with it); a zip bomb or a million junk rows cost memory without end. `inspect_package` reads the
zip's directory (the member count from the end record first, before `zipfile` lists them),
checks the declared sizes and ratios, then streams every XML part through a bounded inflater —
counting the bytes really inflated, not the declared ones — and searches each worksheet for a
cell beyond the row and column limits (`cellscan`). Nothing is extracted to disk and no DOM is
built. Every refusal is a `PackageRefused` (a `JournalError`, exit 2) with a Russian message
naming the file, the sheet and the cell or part, and the `[limits]` key that would allow it.
"""

from __future__ import annotations

import io
import os
import posixpath
import stat
import zipfile
from collections.abc import Collection, Generator, Mapping
from dataclasses import dataclass, fields
from xml.etree import ElementTree as ET

from toolkit.journal.errors import ConfigError, JournalError
from toolkit.journal.russian import plural
from toolkit.sources.xlsx.cellscan import CellScan, MalformedSheet
from toolkit.sources.xlsx.features import SheetFeatures
from toolkit.sources.xlsx.inflate import ERRORS as INFLATE_ERRORS
from toolkit.sources.xlsx.inflate import decompressobj

MIB = 1 << 20
_IN_STEP = 1 << 16  # compressed bytes per inflate call
_OUT_STEP = 1 << 22  # at most this many bytes from one inflate call
_SMALL_PART = 16 * MIB  # workbook.xml and its relationships are parsed whole: no more than this

NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"


class PackageRefused(JournalError):
    """The journal file is refused before reading: not a plain file, a zip bomb, far cells."""


@dataclass(frozen=True)
class Limits:
    """What one journal file may cost; `[limits]` in vks.toml sets any of them."""

    max_rows: int = 200_000  # rows of a sheet, as far as its farthest value
    max_columns: int = 64  # columns of a sheet (the journal has 25)
    max_file_mib: int = 256  # the .xlsx file itself
    max_sheet_mib: int = 512  # one worksheet's XML, unpacked
    max_total_mib: int = 1024  # all parts, unpacked
    max_ratio: int = 200  # unpacked ÷ packed size of a part larger than 1 MiB
    max_members: int = 10_000  # parts in the zip

    @classmethod
    def from_section(cls, section: Mapping[str, object], where: str = "[limits]") -> Limits:
        """The limits of a config section; a wrong key or value is a ConfigError."""
        known = {f.name for f in fields(cls)}
        values: dict[str, int] = {}
        for key, value in section.items():
            if key not in known:
                raise ConfigError(f"{where}: неизвестный параметр {key}; "
                                  f"допустимы: {', '.join(sorted(known))}")
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ConfigError(f"{where} {key}: нужно целое положительное число")
            values[key] = value
        return cls(**values)


@dataclass(frozen=True)
class SheetInfo:
    title: str
    part: str  # the worksheet's XML inside the zip
    unpacked: int  # bytes of that XML, counted while inflating it (0 if not scanned)
    dimension: str | None  # the declared `<dimension ref>`; a reader does not trust it, nor we
    formula: bool = False  # a formula element somewhere (located by Package.formula_cells)
    merged: tuple[tuple[int, int, int, int], ...] = ()  # (row, col0, row, col0), rows 1-based


@dataclass(frozen=True)
class PackageInfo:
    members: int
    packed: int  # bytes of all parts as stored
    unpacked: int  # bytes of all parts unpacked (as declared; XML parts checked while inflating)
    sheets: tuple[SheetInfo, ...]  # the scanned worksheets, in workbook order


def ensure_regular_file(path: str | os.PathLike[str],
                        location: str | None = None) -> os.stat_result:
    """The file's status after following symlinks; anything but a regular file is refused."""
    where = location or str(path)
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise JournalError(f"Файл журнала {where} не найден") from None
    except PermissionError:
        raise JournalError(f"Нет прав на чтение файла журнала {where}") from None
    except OSError as exc:
        raise JournalError(f"Файл журнала {where} не прочитать ({exc.strerror})") from None
    _ensure_regular(st, where)
    return st


def read_regular_file(path: str | os.PathLike[str], limits: Limits = Limits(),
                      location: str | None = None) -> bytes:
    """The whole file, if it is a regular file no larger than `max_file_mib`.

    It is opened without blocking and checked on the open descriptor, so a FIFO named *.xlsx
    never hangs the reader and nothing can be swapped in between the check and the read.
    """
    where = location or str(path)
    ensure_regular_file(path, where)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except PermissionError:
        raise JournalError(f"Нет прав на чтение файла журнала {where}") from None
    except OSError as exc:
        raise JournalError(f"Файл журнала {where} не прочитать ({exc.strerror})") from None
    with os.fdopen(fd, "rb") as f:
        st = os.fstat(f.fileno())
        _ensure_regular(st, where)
        _ensure_file_size(st.st_size, limits, where)
        data = f.read(limits.max_file_mib * MIB + 1)
    _ensure_file_size(len(data), limits, where)  # grown since the check
    return data


def inspect_package(source: str | os.PathLike[str] | bytes, limits: Limits = Limits(), *,
                    sheets: Collection[str] | None = None,
                    location: str | None = None) -> PackageInfo:
    """Check an .xlsx (a path or its bytes) against `limits`; PackageRefused if it exceeds one.

    `sheets` names the worksheets a reader will read (all of them by default); the others are
    held only to the size checks.
    """
    if isinstance(source, bytes | bytearray | memoryview):
        where = location or "журнал"
        _ensure_file_size(len(source), limits, where)
        return Inspection(bytes(source), limits, where).run(sheets)
    where = location or str(source)
    return Inspection(read_regular_file(source, limits, where), limits, where).run(sheets)


class Inspection:
    """`open()` checks the package and every part but the worksheets; `sheet(title)` one sheet.

    A reader may open the book after `open()` (it parses the shared strings and styles, not the
    sheets) but must not load a sheet before `sheet(title)` has returned for it.
    """

    def __init__(self, data: bytes, limits: Limits, where: str) -> None:
        self.data = data
        self.limits = limits
        self.where = where

    def refuse(self, text: str) -> PackageRefused:
        return PackageRefused(f"{self.where}: {text}")

    def broken(self, detail: str = "") -> PackageRefused:
        tail = f" ({detail})" if detail else ""
        return self.refuse(f"это не книга Excel .xlsx или файл поврежден{tail}")

    def run(self, wanted: Collection[str] | None) -> PackageInfo:
        self.open()
        scanned = [self.sheet(title) for title in self.parts
                   if wanted is None or title in wanted]
        return PackageInfo(len(self.infos), sum(i.compress_size for i in self.infos),
                           sum(i.file_size for i in self.infos), tuple(scanned))

    def open(self) -> None:
        """Check the zip, the declared sizes and the real size of every part but the sheets."""
        limits = self.limits
        count = _member_count(self.data)
        if count is None:
            raise self.broken()
        if count > limits.max_members:
            raise self.refuse(
                f"в архиве книги {_num(count)} частей (не более {_num(limits.max_members)}) — "
                f"это не журнал или файл поврежден. Если это журнал, увеличьте [limits] "
                f"max_members.")
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(self.data))
        except (zipfile.BadZipFile, ValueError, EOFError) as exc:
            raise self.broken(type(exc).__name__) from None
        self.infos = infos = self.zip.infolist()
        names = [i.filename for i in infos]
        if len(set(names)) != len(names):
            raise self.broken("части с одинаковыми именами")
        self._check_total(infos)
        self.parts = parts = self._sheet_parts()
        titles = {part: title for title, part in parts.items()}
        self._check_ratios(infos, titles)
        for info in infos:  # the other parts a reader parses: their real size, not the declared
            if info.filename not in titles and info.filename.endswith((".xml", ".rels")):
                for _ in self._inflate(info, None):
                    pass

    def sheet(self, title: str) -> SheetInfo:
        """Check one worksheet (after `open`): its real size and far cells; its formulas and
        merged ranges come from the same pass."""
        return self._scan_sheet(title, self.parts[title])

    def _check_total(self, infos: list[zipfile.ZipInfo]) -> None:
        total = sum(i.file_size for i in infos)
        if total > self.limits.max_total_mib * MIB:
            raise self.refuse(
                f"книга в распакованном виде занимает {_mib(total)} МиБ (не более "
                f"{_num(self.limits.max_total_mib)} МиБ). Удалите лишнее из книги или "
                f"увеличьте [limits] max_total_mib.")

    def _check_ratios(self, infos: list[zipfile.ZipInfo], titles: Mapping[str, str]) -> None:
        for info in infos:
            if info.file_size <= MIB:
                continue  # a small part is no bomb, and small repetitive XML packs very well
            ratio = info.file_size // max(info.compress_size, 1)
            if ratio > self.limits.max_ratio:
                title = titles.get(info.filename)
                what = f"лист «{title}»" if title else f"часть книги {info.filename}"
                times = plural(ratio, "раз", "раза", "раз")
                raise self.refuse(
                    f"{what}: данные сжаты в {_num(ratio)} {times} (не более "
                    f"{_num(self.limits.max_ratio)}) — так сжимается только «zip-бомба» или "
                    f"мусор, файл не читается. Если это журнал, увеличьте [limits] max_ratio.")

    def _sheet_parts(self) -> dict[str, str]:
        """Sheet title → its part, from xl/workbook.xml and its relationships."""
        try:
            workbook = self._parse("xl/workbook.xml")
            rels = self._parse("xl/_rels/workbook.xml.rels")
        except KeyError as exc:
            raise self.broken(f"нет части {exc.args[0]}") from None
        targets = {}
        for rel in rels.iter(f"{{{NS_PKG_REL}}}Relationship"):
            target = rel.get("Target", "")
            path = target.lstrip("/") if target.startswith("/") else \
                posixpath.normpath(posixpath.join("xl", target))
            targets[rel.get("Id")] = path
        parts = {}
        for sheet in workbook.iter(f"{{{NS_MAIN}}}sheet"):
            rid = sheet.get(f"{{{NS_REL}}}id")
            if rid in targets and targets[rid] in self.zip.NameToInfo:
                parts[sheet.get("name", "")] = targets[rid]
        return parts

    def _parse(self, name: str) -> ET.Element:
        info = self.zip.getinfo(name)
        if info.file_size > _SMALL_PART:
            raise self.broken(f"часть {name} больше {_SMALL_PART // MIB} МиБ")
        data = b"".join(self._inflate(info, None))
        if b"<!DOCTYPE" in data or b"<!ENTITY" in data:  # never in Office XML: entity bombs
            raise self.broken(f"в части {name} объявлены сущности XML")
        try:
            return ET.fromstring(data)
        except ET.ParseError:
            raise self.broken(f"часть {name} не является правильным XML") from None

    def _scan_sheet(self, title: str, part: str) -> SheetInfo:
        info = self.zip.getinfo(part)
        limit = self.limits.max_sheet_mib * MIB
        if info.file_size > limit:
            raise self._sheet_too_big(title, info.file_size)
        scan = CellScan(self.limits.max_rows, self.limits.max_columns)
        features = SheetFeatures()
        size = self._feed(scan, info, title, features)
        if scan.needs_exact:
            scan = CellScan(self.limits.max_rows, self.limits.max_columns, exact=True)
            features = SheetFeatures()
            size = self._feed(scan, info, title, features)
        if scan.far is not None:
            far, limits = scan.far, self.limits
            keys = [key for key, over in (("max_rows", far.row > limits.max_rows),
                                          ("max_columns", far.column > limits.max_columns))
                    if over]
            rows = plural(limits.max_rows, "строки", "строк", "строк")  # «не более 21 строки»
            columns = plural(limits.max_columns, "столбца", "столбцов", "столбцов")
            raise self.refuse(
                f"лист «{title}»: ячейка {far.ref} далеко за пределами журнала (не более "
                f"{_num(limits.max_rows)} {rows} и {_num(limits.max_columns)} {columns}). "
                f"Удалите лишние ячейки или увеличьте [limits] {' и '.join(keys)}.")
        return SheetInfo(title, part, size, scan.dimension, features.formula,
                         tuple(features.merged))

    def _feed(self, scan: CellScan, info: zipfile.ZipInfo, title: str,
              features: SheetFeatures) -> int:
        size = 0
        try:
            for piece in self._inflate(info, title):
                size += len(piece)
                features.feed(piece)
                if scan.feed(piece):
                    return size
            scan.finish()
        except MalformedSheet:
            raise self.refuse(f"лист «{title}» поврежден (тег длиннее 1 МиБ)") from None
        return size

    def _sheet_too_big(self, title: str, size: int) -> PackageRefused:
        return self.refuse(
            f"лист «{title}» в распакованном виде занимает {_mib(size)} МиБ (не более "
            f"{_num(self.limits.max_sheet_mib)} МиБ). Удалите лишние строки или увеличьте "
            f"[limits] max_sheet_mib.")

    def _inflate(self, info: zipfile.ZipInfo,
                 title: str | None) -> Generator[bytes, None, None]:
        """A part's content in pieces of bounded size; refused as soon as it inflates past
        its declared size (the declared one passed the checks) or the sheet limit."""
        limit = info.file_size
        if title is not None:
            limit = min(limit, self.limits.max_sheet_mib * MIB)
        total = 0
        for piece in self._pieces(info):
            total += len(piece)
            if total > limit:
                if title is not None and total > self.limits.max_sheet_mib * MIB:
                    raise self._sheet_too_big(title, total)
                raise self.broken(f"часть {info.filename} больше, чем указано в архиве")
            yield piece
        if total != info.file_size:
            raise self.broken(f"часть {info.filename} короче, чем указано в архиве")

    def _pieces(self, info: zipfile.ZipInfo) -> Generator[bytes, None, None]:
        if info.flag_bits & 0x1 or info.compress_type not in (zipfile.ZIP_STORED,
                                                              zipfile.ZIP_DEFLATED):
            # Encrypted or another method (bzip2, lzma): zipfile's reader, which stops at the
            # declared size and checks the CRC.
            try:
                with self.zip.open(info) as member:
                    while piece := member.read(_OUT_STEP):
                        yield piece
            except (zipfile.BadZipFile, RuntimeError, NotImplementedError, OSError,
                    EOFError) as exc:
                raise self.broken(type(exc).__name__) from None
            return
        offset = info.header_offset
        header = self.data[offset: offset + 30]
        if len(header) < 30 or header[:4] != b"PK\x03\x04":
            raise self.broken(f"нет заголовка части {info.filename}")
        start = offset + 30 + int.from_bytes(header[26:28], "little") \
            + int.from_bytes(header[28:30], "little")
        stored = memoryview(self.data)[start: start + info.compress_size]
        if len(stored) < info.compress_size:
            raise self.broken(f"часть {info.filename} обрезана")
        if info.compress_type == zipfile.ZIP_STORED:
            for at in range(0, len(stored), _OUT_STEP):
                yield bytes(stored[at: at + _OUT_STEP])
            return
        inflate = decompressobj()
        try:
            for at in range(0, len(stored), _IN_STEP):
                raw: bytes | memoryview = stored[at: at + _IN_STEP]
                while raw:
                    piece = inflate.decompress(raw, _OUT_STEP)
                    raw = inflate.unconsumed_tail
                    if piece:
                        yield piece
        except INFLATE_ERRORS:
            raise self.broken(f"часть {info.filename} не распаковывается") from None
        if not inflate.eof:
            raise self.broken(f"часть {info.filename} обрезана")


def _member_count(data: bytes) -> int | None:
    """Entries in the zip's central directory, from its end record (zip64 too); None: no zip."""
    tail_start = max(0, len(data) - 22 - 0xFFFF)
    at = data.rfind(b"PK\x05\x06", tail_start)
    if at < 0 or len(data) - at < 22:
        return None
    count = int.from_bytes(data[at + 10: at + 12], "little")
    if count != 0xFFFF:
        return count
    locator = data[at - 20: at] if at >= 20 else b""
    if locator[:4] != b"PK\x06\x07":
        return count
    offset = int.from_bytes(locator[8:16], "little")
    record = data[offset: offset + 56]
    if record[:4] != b"PK\x06\x06":
        return None
    return int.from_bytes(record[32:40], "little")


def _ensure_regular(st: os.stat_result, where: str) -> None:
    if stat.S_ISDIR(st.st_mode):
        raise JournalError(f"{where} — это папка, а не файл журнала")
    if not stat.S_ISREG(st.st_mode):
        raise PackageRefused(
            f"{where} — не обычный файл (канал, устройство или сокет); журнал читается только "
            f"из файла .xlsx")


def _ensure_file_size(size: int, limits: Limits, where: str) -> None:
    if size > limits.max_file_mib * MIB:
        raise PackageRefused(
            f"{where}: файл больше {_num(limits.max_file_mib)} МиБ — для журнала это слишком "
            f"много. Удалите лишнее из книги или увеличьте [limits] max_file_mib.")


def _num(n: int) -> str:
    """200000 → «200 000», as numbers are written in Russian."""
    return f"{n:,}".replace(",", " ")


def _mib(size: int) -> str:
    return _num(-(-size // MIB))
