"""The journal sheet printed as it is (Ctrl+P): graphs 1–7 on A4 landscape, readable at 100 %,
ruled, and without the highlight — rendered by LibreOffice and measured in the PDF."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from toolkit.journal.config import Body
from toolkit.sources.xlsx.rowheight import row_height, wrapped_lines
from toolkit.sources.xlsx.template import write_journal

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
needs_soffice = pytest.mark.skipif(SOFFICE is None, reason="нужен LibreOffice")

LONG_TOPIC = "Компенсация расходов на уплату взноса на капитальный ремонт многоквартирного дома"
ROWS = [
    {"number": n, "received": dt.date(2026, 11, 2), "citizen": "Константинопольская Анастасия "
     "Владимировна", "topic": LONG_TOPIC, "decision": "Назначен прием",
     "decision_date": dt.date(2026, 11, 5), "appointment": dt.datetime(2026, 11, 12, 10, 30),
     "specialist": "Тарасов Евгений Павлович", "outcome": "Прием проведен",
     "note": "Даны разъяснения по существу вопроса, направлен перечень документов",
     "control": ("Ошибка. Графа 5 «Решение» (E6): принять решение — срок истек 27.11.2026 "
                 "(п. 2.5).\nВнимание. Столбец «Ссылка на Телемост» (S6): внести ссылку."),
     "link": "https://telemost.yandex.ru/j/123"}
    for n in range(1, 31)
]


def soffice_pdf(source: Path, folder: Path) -> Path:
    """Convert a workbook to PDF as a person's LibreOffice would print it."""
    assert SOFFICE is not None
    profile = folder / "profile"
    subprocess.run([SOFFICE, f"-env:UserInstallation={profile.as_uri()}", "--headless",
                    "--convert-to", "pdf", "--outdir", str(folder), str(source)],
                   check=True, capture_output=True, timeout=180,
                   env={**os.environ, "HOME": str(folder)})
    return folder / f"{source.stem}.pdf"


def words(pdf: Path, page: int) -> list[tuple[str, float, float]]:
    """(word, height in points, x) of every word on a page."""
    import re

    html = subprocess.run(["pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(pdf),
                           "-"], capture_output=True, text=True, check=True).stdout
    found = []
    for m in re.finditer(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="[\d.]+" '
                         r'yMax="([\d.]+)">([^<]*)</word>', html):
        found.append((m.group(4), float(m.group(3)) - float(m.group(2)), float(m.group(1))))
    return found


def test_row_height_fits_the_wrapped_text() -> None:
    assert wrapped_lines("Прием проведен", 60) == 2
    assert wrapped_lines("один\nдва", 500) == 2
    assert row_height({"number": 1, "citizen": "Иванов Иван"}) is None
    tall = row_height(ROWS[0])
    assert tall is not None and tall >= 4 * 12.75  # the topic wraps over four lines or more


@needs_soffice
def test_printed_sheet_is_readable_ruled_and_unhighlighted(tmp_path: Path) -> None:
    from PIL import Image

    path = write_journal(tmp_path / "журнал.xlsx", {Body("Министерство", "Министерство"): ROWS})
    pdf = soffice_pdf(path, tmp_path)
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True,
                          check=True).stdout
    assert "841.89 x 595.3" in info  # A4 landscape
    first = words(pdf, 1)
    texts = [w for w, _, _ in first]
    # All seven graphs across one page: graph 7's «Примечание» and graph 1's numbers together.
    assert "Примечание" in texts and "Итог" in texts and "ЖУРНАЛ" in texts
    data = [h for w, h, _ in first if w in ("Анастасия", "Тарасов")]
    assert data and min(data) >= 9  # 10 pt text at 100 %: a word box is about 11 pt high
    heading = [h for w, h, _ in first if w == "Примечание"]
    assert min(heading) >= 8
    assert not any("Ошибка" in w or "Телемост" in w for w in texts)  # service block unprinted
    # Every data row is complete on the page: nothing of a row spills over the next one.
    assert texts.count("Анастасия") == texts.count("Владимировна") > 0
    # No highlight colour anywhere on the printed page.
    subprocess.run(["pdftoppm", "-png", "-r", "40", "-f", "1", "-l", "1", str(pdf),
                    str(tmp_path / "p")], check=True)
    image = Image.open(next(tmp_path.glob("p*.png"))).convert("RGB")
    colours = {image.getpixel((x, y)) for x in range(image.width) for y in range(image.height)}
    assert not [c for c in colours if c[0] > 200 and c[2] < 215 and c[0] - c[2] > 40]
