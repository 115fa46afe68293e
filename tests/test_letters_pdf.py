"""The PDF of the print batch, through a real LibreOffice (CI installs it: never skipped there)."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from toolkit.cli import cli
from toolkit.journal.clock import Clock
from toolkit.journal.config import Body, Config
from toolkit.journal.files import shared_file_mode
from toolkit.journal.schema import Decision, Ground
from toolkit.letters.make import make_letters
from toolkit.letters.render import LetterError, convert_to_pdf, find_soffice
from toolkit.sources.xlsx.template import write_journal

BODY = Body(name="ЦСВ", sheet="ЦСВ", phone="+7 (3842) 58-00-03", controller="А.А. Контролёва",
            unit_head="Б.Б. Руководов")
CLOCK = Clock.at(dt.date(2026, 11, 27))


def journal(path: Path, count: int) -> Path:
    people = ("Петрова Анна Сергеевна", "Иванов Петр Сергеевич", "Шевчук Оксана Богдановна")
    rows = []
    for n in range(1, count + 1):
        values = {
            "number": n, "received": dt.date(2026, 11, 16), "citizen": people[n % 3],
            "topic": "Социальный контракт", "decision": Decision.REJECTED.label,
            "decision_date": dt.date(2026, 11, 20), "ground": Ground.REPEATED.label,
            "specialist": "Осипова Валентина Сергеевна",
            "address": f"г. Кемерово, ул. Весенняя, д. {n}",
        }
        rows.append(values)
    return write_journal(path, {BODY: rows})


@pytest.fixture
def soffice() -> str:
    found = find_soffice()
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("CI must install LibreOffice (.ci/run): the PDF path is tested for real")
        pytest.skip("LibreOffice (soffice) is not installed on this machine")
    return found


def test_batch_pdf_is_a_real_pdf_with_a_page_per_letter(tmp_path: Path, soffice: str) -> None:
    path = journal(tmp_path / "журнал.xlsx", 3)
    result = make_letters(str(path), Config(bodies=(BODY,)), tmp_path / "out", CLOCK, pdf=True)
    [batch] = result.batches
    assert batch.pdf == tmp_path / "out" / "пакет-ЦСВ-2026-11-27-0000.pdf"
    data = batch.pdf.read_bytes()
    assert data.startswith(b"%PDF-")
    assert stat.S_IMODE(batch.pdf.stat().st_mode) == shared_file_mode()
    if shutil.which("pdfinfo"):  # poppler-utils: CI installs it beside LibreOffice
        info = subprocess.run(["pdfinfo", str(batch.pdf)], capture_output=True, text=True,
                              check=True)
        pages = [ln.split() for ln in info.stdout.splitlines() if ln.startswith("Pages:")]
        assert pages == [["Pages:", "4"]]  # the summary page and a page per letter
        text = subprocess.run(["pdftotext", "-layout", str(batch.pdf), "-"],
                              capture_output=True, text=True, check=True).stdout
        assert text.count("Решение об отклонении заявки") == 3
        assert "Петровой Анне Сергеевне" in text
    assert list(tmp_path.glob("**/*.vks-tmp")) == []


def test_cli_pdf(tmp_path: Path, soffice: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    journal(tmp_path / "журнал.xlsx", 1)
    (tmp_path / "vks.toml").write_text(
        '[letters]\nout = "решения"\n\n[[bodies]]\nname = "ЦСВ"\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["-c", "vks.toml", "letters", "журнал.xlsx", "--pdf",
                                      "--today", "2026-11-27"])
    assert result.exit_code == 0, result.output
    assert "PDF для печати «ЦСВ»: " in result.output
    assert (tmp_path / "решения" / "пакет-ЦСВ-2026-11-27-0000.pdf").read_bytes()[:5] == b"%PDF-"


def test_missing_libreoffice_is_said_before_anything_is_made(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = journal(tmp_path / "журнал.xlsx", 1)
    monkeypatch.setenv("PATH", str(tmp_path / "пусто"))
    assert find_soffice() is None
    with pytest.raises(LetterError, match="не найден LibreOffice"):
        make_letters(str(path), Config(bodies=(BODY,)), tmp_path / "out", CLOCK, pdf=True)
    assert not (tmp_path / "out").exists()
    result = CliRunner().invoke(cli, ["letters", str(path), "--out", str(tmp_path / "out"),
                                      "--pdf", "--today", "2026-11-27"])
    assert result.exit_code == 2
    assert "Ошибка: не найден LibreOffice (программа soffice)" in result.output
    assert not (tmp_path / "out").exists()


def _fake_soffice(tmp_path: Path, body: str) -> str:
    script = tmp_path / "fake-soffice"
    script.write_text(f"#!{sys.executable}\nimport sys, pathlib, time\n{body}\n",
                      encoding="utf-8")
    script.chmod(0o755)
    return str(script)


@pytest.mark.skipif(os.name != "posix", reason="the fake LibreOffice is a POSIX script")
def test_a_hanging_libreoffice_is_stopped(tmp_path: Path) -> None:
    fake = _fake_soffice(tmp_path, "time.sleep(30)")
    source = tmp_path / "пакет.docx"
    source.write_bytes(b"PK")
    started = dt.datetime.now()
    with pytest.raises(LetterError, match="не сделал PDF за 1 с"):
        convert_to_pdf(source, tmp_path / "пакет.pdf", fake, timeout=1)
    assert (dt.datetime.now() - started).total_seconds() < 10
    assert not (tmp_path / "пакет.pdf").exists()


@pytest.mark.skipif(os.name != "posix", reason="the fake LibreOffice is a POSIX script")
def test_output_that_is_not_a_pdf_is_refused(tmp_path: Path) -> None:
    fake = _fake_soffice(tmp_path, (
        "out = pathlib.Path(sys.argv[sys.argv.index('--outdir') + 1])\n"
        "(out / 'batch.pdf').write_text('<html>not a pdf</html>')"))
    source = tmp_path / "пакет.docx"
    source.write_bytes(b"PK")
    with pytest.raises(LetterError, match="создал не PDF"):
        convert_to_pdf(source, tmp_path / "пакет.pdf", fake, timeout=20)
    assert not (tmp_path / "пакет.pdf").exists()
