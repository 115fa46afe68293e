"""Addresses and contacts kept out of Google: a local .xlsx keyed by № п/п.

152-ФЗ (art. 18 p. 5) wants personal data of Russian citizens recorded and stored in databases in
Russia. With `personal_file` set in `[google]`, the Google journal keeps the service columns
«Адрес проживания», «Телефон», «Эл. почта» empty and this local file holds them instead:

    sheet per body (same title as in Google), row 1 the header, data from row 2:
    A № п/п | B Адрес проживания | C Телефон | D Эл. почта

Reading a Google journal merges the file in by № п/п, so every rule sees the full row and the
findings are the same as for an .xlsx journal. The toolkit never writes this file after creating
it, and never sends its contents anywhere.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterable, Sequence
from pathlib import Path

from toolkit.journal import cells
from toolkit.journal.errors import JournalError
from toolkit.journal.schema import BY_KEY, SERVICE_COLUMNS, normalize

log = logging.getLogger("vks.gsheets")

PERSONAL_KEYS: tuple[str, ...] = tuple(c.key for c in SERVICE_COLUMNS if c.personal)
HEADINGS: tuple[str, ...] = ("№ п/п", *(BY_KEY[k].heading for k in PERSONAL_KEYS))


def number_key(value: object) -> str:
    """A row's № п/п as a key: 7, 7.0, '7' and '7.' are the same row."""
    return cells.text_of(value).rstrip(".").strip()


def build_personal_file(path: Path, titles: Iterable[str]) -> None:
    """Write the empty local file: one sheet per body journal."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    from toolkit.journal.files import atomic_output
    from toolkit.journal.schema import column_letter

    wb = Workbook()
    wb.remove(wb.active)
    for title in titles:
        ws = wb.create_sheet(title)
        for col, heading in enumerate(HEADINGS, start=1):
            cell = ws.cell(1, col, heading)
            cell.font = Font(name="Times New Roman", size=10, bold=True)
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
            letter = column_letter(col - 1)
            width = 8 if col == 1 else BY_KEY[PERSONAL_KEYS[col - 2]].width
            ws.column_dimensions[letter].width = width
            ws.column_dimensions[letter].number_format = "0" if col == 1 else "@"
        ws.freeze_panes = "B2"
    wb.properties.creator = "vks"
    wb.properties.title = "Персональные данные к журналу ВКС (хранятся локально)"
    with atomic_output(path) as tmp:
        wb.save(tmp)


def read_personal_file(path: Path, titles: Sequence[str]) -> dict[str, dict[str, list[object]]]:
    """For each sheet title: № п/п → [address, phone, email] as typed."""
    import python_calamine

    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise JournalError(
            f"Файл персональных данных {path} ([google] personal_file) не найден. Создайте его "
            f"командой vks init gsheet:… или укажите верный путь."
        ) from None
    except OSError as exc:
        raise JournalError(f"Файл персональных данных {path}: не удалось прочитать "
                           f"({type(exc).__name__})") from None
    try:
        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as exc:  # calamine's own error types for broken files
        raise JournalError(f"{path}: это не книга .xlsx или файл поврежден "
                           f"({type(exc).__name__})") from None
    out: dict[str, dict[str, list[object]]] = {}
    for title in titles:
        if title not in book.sheet_names:
            log.warning("%s: нет листа «%s» — адреса и контакты этого органа не найдены",
                        path.name, title)
            out[title] = {}
            continue
        rows = book.get_sheet_by_name(title).to_python(skip_empty_area=False)
        header = [normalize(cells.text_of(v)) for v in (rows[0] if rows else [])]
        if header[: len(HEADINGS)] != [normalize(h) for h in HEADINGS]:
            raise JournalError(
                f"{path}, лист «{title}»: первая строка должна быть "
                + " | ".join(f"«{h}»" for h in HEADINGS)
            )
        table: dict[str, list[object]] = {}
        for r, row in enumerate(rows[1:], start=2):
            key = number_key(row[0]) if row else ""
            values: list[object] = [row[i] if i < len(row) else ""
                                    for i in range(1, len(HEADINGS))]
            if not key:
                if any(cells.text_of(v) for v in values):
                    log.warning("%s, лист «%s», строка %d: нет № п/п — строка пропущена",
                                path.name, title, r)
                continue
            if key in table:
                log.warning("%s, лист «%s», строка %d: № п/п %s повторяется — взята первая "
                            "строка", path.name, title, r, key)
                continue
            table[key] = values
        out[title] = table
    return out
