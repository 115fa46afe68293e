"""The report's .xlsx printed by a real LibreOffice: A4 landscape, text at its own size.

CI installs LibreOffice and poppler-utils (see test_letters_pdf.py): never skipped there.
"""

from __future__ import annotations

import os
import re
import shutil
import statistics
import subprocess
from pathlib import Path

import pytest

from toolkit.letters.render import find_soffice
from toolkit.stats.monthly import MonthlyStats
from toolkit.stats.report import build_report

A4_LANDSCAPE = (841.89, 595.28)  # points
_WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">'
                   r"([^<]*)</word>")


@pytest.fixture
def tools() -> tuple[str, str]:
    soffice, pdftotext = find_soffice(), shutil.which("pdftotext")
    if soffice is None or pdftotext is None:
        if os.environ.get("CI"):
            pytest.fail("CI must install LibreOffice and poppler-utils (.ci/run)")
        pytest.skip("LibreOffice or pdftotext is not installed on this machine")
    return soffice, pdftotext


def _pdf(xlsx: Path, soffice: str, work: Path) -> Path:
    profile = work / "profile"
    subprocess.run([soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless",
                    "--norestore", "--convert-to", "pdf", "--outdir", str(work), str(xlsx)],
                   check=True, capture_output=True, timeout=180,
                   env={**os.environ, "HOME": str(work)})
    pdf = work / f"{xlsx.stem}.pdf"
    if not pdf.is_file() and not os.environ.get("CI"):
        pytest.skip("LibreOffice has no Calc here (libreoffice-calc-nogui): no PDF of a workbook")
    return pdf


def _pages(pdf: Path, pdftotext: str) -> list[tuple[tuple[float, float], list[tuple[float, str]]]]:
    """Each page's size and its words as (height in points, text)."""
    html = subprocess.run([pdftotext, "-bbox", str(pdf), "-"], check=True, capture_output=True,
                          text=True).stdout
    pages = []
    for page in html.split("<page ")[1:]:
        size = re.match(r'width="([\d.]+)" height="([\d.]+)"', page)
        assert size is not None
        words = [(float(m[4]) - float(m[2]), m[5]) for m in _WORD.finditer(page)]
        pages.append(((float(size[1]), float(size[2])), words))
    return pages


def test_every_page_is_a4_landscape_with_text_at_full_size(
        october: MonthlyStats, tmp_path: Path, tools: tuple[str, str]) -> None:
    soffice, pdftotext = tools
    xlsx = build_report(october, tmp_path, ["xlsx"])[0]
    pages = _pages(_pdf(xlsx, soffice, tmp_path), pdftotext)
    assert len(pages) >= 11  # a sheet starts a page
    for number, (size, words) in enumerate(pages, start=1):
        assert size == pytest.approx(A4_LANDSCAPE, abs=1), number
        if len(words) < 5:
            continue  # a chart's page, or a table's last lines
        # 9 pt Arial (Liberation Sans) spans about 10 pt from its top to its bottom; the old
        # 28-column summary, fitted to the page width, printed at about 3 pt.
        assert statistics.median(h for h, _ in words) >= 9, number
        assert min(h for h, _ in words) >= 8, number
    first = " ".join(text for _, text in pages[0][1])
    assert "Главное" in first and "Просрочено решений сейчас" in first
    # «Заявки по органам» keeps all its columns on one page: the last heading is there.
    outcomes = next(" ".join(t for _, t in words) for _, words in pages
                    if "Заявки, поступившие в месяце, по итогам" in " ".join(t for _, t in words))
    assert "Поступило" in outcomes and "цировано" in outcomes and "Итого" in outcomes
