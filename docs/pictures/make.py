"""Pictures of what each role sees, rendered from the real outputs of the demo.

    python docs/pictures/make.py        # from the repository root: rewrites docs/pictures/*.png

Builds the demo journal in a temporary folder with a config that names the bodies and their
officials, runs the real commands (`vks demo`, `check --write`, `letters --pdf`, `stats`,
`run recordings`), turns the results into PDF with LibreOffice and a page into PNG with pdftoppm
(poppler-utils). The same demo every time (fixed --seed and --today), so running it again after
a change to the journal, the letters or the reports re-makes the pictures; each stays under
200 KB. The demo is synthetic: no real person's data. Needs soffice, pdftoppm and pdftotext.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import openpyxl
from PIL import Image, ImageChops

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
TODAY = "2026-11-27"
MONTH = "2026-10"
LIMIT = 200 * 1024

CONFIG = """\
journals = ["демо.xlsx"]

[letters]
out = "решения"

[[bodies]]
name = "Министерство социальной защиты населения Кузбасса"
sheet = "Министерство"
phone = "+7 (3842) 00-00-01"
controller = "А.А. Контролёва"
unit_head = "Б.Б. Руководов"

[[bodies]]
name = "Отдел социальной защиты населения г. Кемерово"
sheet = "ОСЗН г. Кемерово"
phone = "+7 (3842) 00-00-02"
controller = "В.В. Проверкин"
unit_head = "Г.Г. Начальникова"

[[bodies]]
name = "Государственное юридическое бюро Кузбасса"
sheet = "ГЮБ Кузбасса"
phone = "+7 (3842) 00-00-03"
controller = "Д.Д. Надзорова"
unit_head = "Е.Е. Заведующий"

[[bodies]]
name = "Центр социальных выплат"
sheet = "ЦСВ"
phone = "+7 (3842) 00-00-04"
controller = "Ж.Ж. Смотрителев"
unit_head = "З.З. Главная"
"""


def vks(work: Path, *args: str) -> None:
    """A real `vks` command of this repository; 1 (the demo journal has errors) is fine."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-m", "toolkit", "-c", "vks.toml", *args], cwd=work,
                          env=env, capture_output=True, text=True, check=False)
    if done.returncode not in (0, 1):
        raise SystemExit(f"vks {' '.join(args)}: exit {done.returncode}\n{done.stderr}")


def to_pdf(source: Path, work: Path, infilter: str | None = None) -> Path:
    """LibreOffice's PDF of `source` (its own profile, so a running LibreOffice is no bother)."""
    out = work / "pdf" / source.stem
    out.mkdir(parents=True, exist_ok=True)
    command = ["soffice", f"-env:UserInstallation={(work / 'profile').as_uri()}", "--headless",
               "--convert-to", "pdf", "--outdir", str(out), str(source)]
    if infilter:
        command.insert(3, f"--infilter={infilter}")
    subprocess.run(command, check=True, capture_output=True, timeout=300)
    return out / f"{source.stem}.pdf"


def page_with(pdf: Path, marker: str) -> int:
    """The first page whose text holds `marker`."""
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True,
                          capture_output=True, text=True).stdout
    for number, page in enumerate(text.split("\f"), start=1):
        if marker in " ".join(page.split()):
            return number
    raise SystemExit(f"{pdf.name}: no page with «{marker}»")


def to_png(pdf: Path, page: int, name: str, dpi: int = 60, trim: bool = False) -> Path:
    """Page `page` of `pdf` as docs/pictures/<name>.png; `trim` cuts the white margins."""
    target = HERE / f"{name}.png"
    base = pdf.with_name(name)
    subprocess.run(["pdftoppm", "-png", "-r", str(dpi), "-f", str(page), "-l", str(page),
                    "-singlefile", str(pdf), str(base)], check=True)
    image = Image.open(base.with_suffix(".png")).convert("RGB")
    if trim:
        box = ImageChops.difference(image, Image.new("RGB", image.size, "white")).getbbox()
        if box:
            margin = 12
            image = image.crop((max(box[0] - margin, 0), max(box[1] - margin, 0),
                                min(box[2] + margin, image.width),
                                min(box[3] + margin, image.height)))
    image.save(target, optimize=True)
    size = target.stat().st_size
    if size > LIMIT:
        raise SystemExit(f"{target.name}: {size // 1024} KB, more than {LIMIT // 1024} KB")
    print(f"{target.relative_to(ROOT)}: {image.width}×{image.height}, {size // 1024} KB")
    return target


def journal_view(journal: Path, work: Path) -> Path:
    """The first rows of one sheet with the control column, as a specialist sees them on screen
    (the printed form stops at graph 7)."""
    book = openpyxl.load_workbook(journal)
    for sheet in book.worksheets[1:]:
        sheet.sheet_state = "hidden"
    first = book.worksheets[0]
    first.print_area = "A1:L24"
    first.print_title_rows = None
    view = work / "журнал-экран.xlsx"
    book.save(view)
    return view


def landscape(document: Path) -> Path:
    """An .odt turned to A4 landscape: the e-mail's tables are wider than a portrait page."""
    with zipfile.ZipFile(document) as z:
        parts = [(info, z.read(info)) for info in z.infolist()]
    target = document.with_name(f"{document.stem}-альбомная.odt")

    def turn(m: re.Match[str]) -> str:
        props = m.group(0)
        width = re.search(r'fo:page-width="([^"]+)"', props)
        height = re.search(r'fo:page-height="([^"]+)"', props)
        if not width or not height:
            return props
        props = props.replace(width.group(0), "\0W").replace(height.group(0), "\0H")
        props = props.replace("\0W", f'fo:page-width="{height.group(1)}"')
        props = props.replace("\0H", f'fo:page-height="{width.group(1)}"')
        return props.replace('print-orientation="portrait"', 'print-orientation="landscape"')

    with zipfile.ZipFile(target, "w") as z:
        for info, data in parts:
            if info.filename == "styles.xml":
                z.writestr(info, re.sub(r"<style:page-layout-properties[^>]*>", turn,
                                        data.decode("utf-8")).encode("utf-8"))
            else:
                z.writestr(info, data)
    return target


def to_odt(source: Path, work: Path) -> Path:
    out = work / "odt"
    subprocess.run(["soffice", f"-env:UserInstallation={(work / 'profile').as_uri()}",
                    "--headless", "--infilter=HTML (StarWriter)", "--convert-to", "odt",
                    "--outdir", str(out), str(source)], check=True, capture_output=True,
                   timeout=300)
    return out / f"{source.stem}.odt"


def main() -> None:
    for tool in ("soffice", "pdftoppm", "pdftotext"):
        if shutil.which(tool) is None:
            raise SystemExit(f"{tool} is needed (LibreOffice, poppler-utils)")
    with tempfile.TemporaryDirectory(prefix="vks-pictures-") as folder:
        work = Path(folder)
        (work / "vks.toml").write_text(CONFIG, encoding="utf-8")
        journal = work / "демо.xlsx"
        vks(work, "demo", journal.name, "--seed", "7", "--today", TODAY)
        vks(work, "check", journal.name, "--write", "--today", TODAY)
        vks(work, "letters", journal.name, "--pdf", "--today", TODAY)
        vks(work, "stats", journal.name, "--month", MONTH, "--out", "статистика",
            "--today", TODAY)
        vks(work, "run", "recordings", "--journal", journal.name, "--jobs",
            str(ROOT / "jobs"), "--today", TODAY)

        # Specialist: the journal on screen, rows with findings highlighted.
        view = to_pdf(journal_view(journal, work), work)
        to_png(view, 1, "journal", dpi=110, trim=True)
        # Clerk: a body's print batch — its summary page, then the first decision.
        (batch,) = (work / "решения").glob("пакет-Министерство-*.pdf")
        to_png(batch, 1, "batch-summary")
        to_png(batch, 2, "letter")
        # Clerk: the journal of a body for a period, printed as the Appendix 1 form.
        vks(work, "print", journal.name, "--body", "Министерство", "--from", "2026-10-01",
            "--to", "2026-11-30", "--out", "журнал-печать.pdf", "--today", TODAY)
        to_png(work / "журнал-печать.pdf", 1, "print")
        # Manager: the monthly e-mail (HTML), the charts and a body's page of the .xlsx.
        report = work / "статистика" / f"статистика-ВКС-{MONTH}"
        mail = to_pdf(landscape(to_odt(report.with_suffix(".html"), work)), work)
        to_png(mail, 1, "stats-mail", trim=True)
        book = to_pdf(report.with_suffix(".xlsx"), work)
        to_png(book, page_with(book, "Диаграммы по данным"), "stats-charts", trim=True)
        first_body = "Министерство социальной защиты населения Кузбасса. Сведения"
        to_png(book, page_with(book, first_body), "stats-body", trim=True)
        # Manager: the list of recordings to destroy (cl. 3.6).
        (listing,) = (work / "видеозаписи").glob("*.xlsx")
        to_png(to_pdf(listing, work), 1, "recordings", dpi=110, trim=True)


if __name__ == "__main__":
    main()
