"""`vks print`: a body's journal for a period as the printed form of Appendix 1."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from docx import Document

from toolkit.cli import cli
from toolkit.journal.clock import Clock
from toolkit.journal.config import Body, Config
from toolkit.journal.errors import JournalError
from toolkit.journal.model import Application
from toolkit.journal.schema import GRAPHS, Decision, Ground, Outcome
from toolkit.printing.journal import PrintError, graph_texts, print_journal
from toolkit.sources.xlsx.template import write_journal

D, DT = dt.date, dt.datetime
CLOCK = Clock.at(D(2026, 12, 1))
BODY = Body("Министерство социальной защиты населения Кузбасса", "Министерство",
            controller="Иванова И.И.")
CONFIG = Config(bodies=(BODY,))
needs_soffice = pytest.mark.skipif(shutil.which("soffice") is None, reason="нужен LibreOffice")


def record(n: int, received: dt.date, **extra: object) -> dict[str, object]:
    return {"number": n, "received": received, "citizen": f"Петрова Анна Сергеевна {n}"[:22],
            "topic": "Социальный контракт", "decision": Decision.APPOINTED.label,
            "decision_date": received + dt.timedelta(days=2),
            "appointment": DT(received.year, received.month, received.day, 10) +
            dt.timedelta(days=7), "specialist": "Тарасов Е.П.", "address": "не печатается",
            "control": "Ошибка. не печатается", **extra}


def journal(tmp_path: Path, rows: list[dict[str, object]]) -> Path:
    return write_journal(tmp_path / "журнал.xlsx", {BODY: rows, Body("ЦСВ", "ЦСВ"): rows[:1]})


def test_graphs_5_and_7_print_as_one_cell_each_as_in_the_form() -> None:
    held = Application(6, 1, D(2026, 11, 2), "Петрова Анна Сергеевна", "Тема",
                       Decision.APPOINTED, D(2026, 11, 5), DT(2026, 11, 12, 10, 30), None,
                       "Тарасов Е.П.", Outcome.HELD, "Даны разъяснения.")
    assert graph_texts(held) == [
        "1", "02.11.2026", "Петрова Анна Сергеевна", "Тема",
        "Прием 12.11.2026 в 10:30 (решение от 05.11.2026)", "Тарасов Е.П.",
        "Прием проведен. Даны разъяснения."]
    rejected = Application(7, 2, D(2026, 11, 2), decision=Decision.REJECTED,
                           decision_date=D(2026, 11, 3), ground=Ground.REPEATED)
    assert graph_texts(rejected)[4] == ("Вынесено решение об отклонении заявки 03.11.2026 "
                                        "(основание: 4. Повторный вопрос без новых доводов)")
    moved = Application(8, 3, outcome=Outcome.RESCHEDULED,
                        rescheduled_to=DT(2026, 11, 20, 9, 15))
    assert graph_texts(moved)[6] == ("Перенесен: техническая неисправность, новое время "
                                     "20.11.2026 09:15")
    assert graph_texts(Application(9))[4:] == ["", "", ""]


def test_docx_is_the_form_for_the_period_with_headers_repeated(tmp_path: Path) -> None:
    rows = [record(1, D(2026, 10, 30)), record(2, D(2026, 11, 2)),
            record(3, D(2026, 11, 30), outcome=Outcome.HELD.label, note="Даны разъяснения"),
            record(4, D(2026, 12, 1)), {"number": 5, "citizen": "Без Даты Поступления"}]
    result = print_journal(str(journal(tmp_path, rows)), CONFIG, "Министерство",
                           D(2026, 11, 1), D(2026, 11, 30), tmp_path / "печать.docx", CLOCK)
    assert (result.rows, result.undated, result.sheet) == (2, 1, "Министерство")
    doc = Document(str(result.path))
    section = doc.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (297, 210)
    lines = [p.text for p in doc.paragraphs if p.text]
    assert lines[:4] == ["ЖУРНАЛ",
                         "учета проведения личного приема граждан посредством "
                         "видеоконференцсвязи",
                         BODY.name, "за период с 01.11.2026 по 30.11.2026"]
    table = doc.tables[0]
    assert [c.text for c in table.rows[0].cells] == [g.heading for g in GRAPHS]
    assert [c.text for c in table.rows[1].cells] == [str(n) for n in range(1, 8)]
    assert [r.cells[0].text for r in table.rows[2:]] == ["2", "3"]  # the period, in order
    assert table.rows[3].cells[6].text == "Прием проведен. Даны разъяснения"
    xml = zipfile.ZipFile(result.path).read("word/document.xml").decode()
    assert xml.count("<w:tblHeader/>") == 2  # heading and numbering rows on every page
    assert "не печатается" not in xml  # the service block stays out
    sizes = {int(s) / 2 for s in re.findall(r'<w:sz w:val="(\d+)"/>', xml)}
    assert min(sizes) >= 8 and 10 in sizes
    assert "Иванова И.И." in xml and "(расшифровка подписи)" in xml


def test_refusals(tmp_path: Path) -> None:
    path = str(journal(tmp_path, [record(1, D(2026, 11, 2))]))
    with pytest.raises(PrintError, match="период задан неверно"):
        print_journal(path, CONFIG, "Министерство", D(2026, 11, 30), D(2026, 11, 1),
                      tmp_path / "x.pdf", CLOCK)
    with pytest.raises(PrintError, match=r"укажите файл \.pdf или \.docx"):
        print_journal(path, CONFIG, "Министерство", D(2026, 11, 1), D(2026, 11, 30),
                      tmp_path / "x.txt", CLOCK)
    with pytest.raises(JournalError, match="нет журнала органа «Мэрия»"):
        print_journal(path, CONFIG, "Мэрия", D(2026, 11, 1), D(2026, 11, 30),
                      tmp_path / "x.pdf", CLOCK)
    assert not list(tmp_path.glob("x.*"))


@needs_soffice
def test_pdf_is_readable_at_100_percent_on_a4_landscape(tmp_path: Path) -> None:
    rows = [record(n, D(2026, 11, 2) + dt.timedelta(days=n % 20),
                   outcome=Outcome.HELD.label, note="Даны разъяснения по существу вопроса")
            for n in range(1, 61)]
    code = CliRunner().invoke(cli, ["print", str(journal(tmp_path, rows)), "--body",
                                    "Министерство", "--from", "01.11.2026", "--to",
                                    "2026-11-30", "--out", str(tmp_path / "ж.pdf"),
                                    "--today", "2026-12-01"], catch_exceptions=False)
    assert code.exit_code == 0, code.output
    assert "60 записей" in code.output
    pdf = tmp_path / "ж.pdf"
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True,
                          check=True).stdout
    assert "841.89 x 595.2" in info or "841.89 x 595.3" in info  # A4 landscape
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))  # type: ignore[union-attr]
    assert pages >= 2
    last = subprocess.run(["pdftotext", "-layout", "-f", str(pages), "-l", str(pages),
                           str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "Тематика вопроса" in last  # the heading repeats on every page
    assert f"Страница {pages} из {pages}" in last
    html = subprocess.run(["pdftotext", "-bbox", "-f", "1", "-l", "1", str(pdf), "-"],
                          capture_output=True, text=True, check=True).stdout
    heights = [float(b) - float(a) for a, b, w in re.findall(
        r'yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">([^<]*)<', html) if w == "Тарасов"]
    assert heights and min(heights) >= 9  # 10 pt type: a word box about 11 pt high
