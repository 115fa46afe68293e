"""The `vks` command: help everywhere, documented, exit codes, Russian messages, no tracebacks."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import click
import openpyxl
import pytest
from click.testing import CliRunner
from conftest import TODAY

from toolkit.cli import cli
from toolkit.journal.schema import BY_KEY
from toolkit.sources.demo import Manifest

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = (ROOT / "docs" / "commands.md").read_text(encoding="utf-8")


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), prog_name="vks", catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("name", sorted(cli.commands))
def test_every_command_has_russian_help_and_a_reference_section(name: str) -> None:
    code, out, _ = run(name, "--help")
    assert code == 0
    command = cli.commands[name]
    assert command.help and re.search("[а-яА-Я]", command.help)
    for param in command.params:
        if getattr(param, "help", None) is not None:
            assert re.search("[а-яА-Я]", param.help or ""), f"{name} {param.name}"
    assert out.startswith(f"Использование: vks {name}")
    assert "Показать эту справку и выйти." in out and "Параметры:" in out
    # docs/commands.md: the command's section names every option with its help.
    start = REFERENCE.index(f"## `vks {name}`")
    end = REFERENCE.find("\n## ", start + 1)
    section = REFERENCE[start:end if end > 0 else len(REFERENCE)]
    for param in command.params:
        if isinstance(param, click.Option) and not param.hidden:
            assert f"`{', '.join(param.opts)}" in section, (name, param.opts)
            assert " ".join((param.help or "").split()) in section, (name, param.opts)


def test_the_command_reference_is_current() -> None:
    from toolkit.cli.reference import BLOCKS
    from toolkit.journal.docs import render

    assert render(REFERENCE, BLOCKS) == REFERENCE, \
        "run: python -m toolkit.cli.reference docs/commands.md"


def test_group_help_and_module_entry_point() -> None:
    code, out, _ = run("--help")
    assert code == 0 and "видеоконференцсвязи" in out
    done = subprocess.run([sys.executable, "-m", "toolkit", "--help"], capture_output=True,
                          text=True, check=False)
    assert done.returncode == 0 and "Использование: vks" in done.stdout
    assert "Команды:" in done.stdout


def test_check_reports_errors_with_exit_1(demo: tuple[Path, Manifest]) -> None:
    path, manifest = demo
    code, out, _ = run("check", str(path), "--today", TODAY.isoformat())
    assert code == 1
    overdue = manifest.rows["Министерство"]["decision-overdue"][0]
    assert "Министерство (лист «Министерство»): 72 заявки" in out
    line = next(s for s in out.splitlines() if s.strip().startswith(f"E{overdue} "))
    assert "ошибка" in line and "2.5" in line and "decision-overdue" in line
    assert re.search(r"Итого: \d+ ошиб", out)


def test_check_json_contract(demo: tuple[Path, Manifest]) -> None:
    path, _ = demo
    code, out, _ = run("check", str(path), "--today", "27.11.2026", "--format", "json",
                       "--body", "ЦСВ")
    assert code == 1
    data = json.loads(out)
    assert data["format"] == "vks-check/1" and data["today"] == "2026-11-27"
    assert data["valid"] is False
    assert [j["sheet"] for j in data["journals"]] == ["ЦСВ"]
    first = data["findings"][0]
    assert set(first) == {"code", "clause", "severity", "body", "sheet", "row", "cell", "due",
                          "message"}
    assert data["stats"]["errors"] == sum(f["severity"] == "error" for f in data["findings"])
    assert data["changes"] == [] and data["backup"] is None


def test_check_exit_0_on_a_clean_journal(journal_file) -> None:  # type: ignore[no-untyped-def]
    import datetime as dt

    path = journal_file({"Орган": [{
        "number": 1, "received": dt.date(2026, 11, 20), "citizen": "Петрова Анна Сергеевна",
        "topic": "Пособие", "decision": "Заявка отклонена", "decision_date": dt.date(2026, 11, 23),
        "ground": "3", "email": "petrova@mail.ru", "phone": "+7 913 000-00-00",
        "consent_data": "Да", "consent_video": "Да", "address": "г. Кемерово"}]})
    code, out, _ = run("check", str(path), "--today", TODAY.isoformat())
    assert code == 0, out
    assert "Итого: 0 ошибок, 0 предупреждений." in out


def test_check_write_then_nothing_to_do(demo: tuple[Path, Manifest]) -> None:
    path, _ = demo
    code, out, _ = run("check", str(path), "--today", TODAY.isoformat(), "--write")
    assert code == 1
    assert re.search(r"Записано в журнал: \d+ яче", out)
    _, again, _ = run("check", str(path), "--today", TODAY.isoformat(), "--write")
    assert "Записано в журнал: 0 ячеек." in again


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["check", "нет-такого.xlsx"], "не найден"),
        (["check", "{path}", "--today", "вчера"], "не дата"),
        (["check", "{path}", "--body", "Марс"], "нет журнала органа «Марс»"),
        (["check"], "не указан журнал"),
    ],
)
def test_misuse_exits_2_with_a_russian_message(demo: tuple[Path, Manifest], args: list[str],
                                               message: str, monkeypatch: pytest.MonkeyPatch,
                                               tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    path, _ = demo
    code, out, err = run(*[a.replace("{path}", str(path)) for a in args])
    assert code == 2
    assert message in out + err
    assert "Traceback" not in out + err


def test_one_edited_header_stops_only_its_sheet(demo: tuple[Path, Manifest]) -> None:
    """The other bodies are checked; the broken sheet is named with its cell and the heading."""
    path, manifest = demo
    wb = openpyxl.load_workbook(path)
    wb["ЦСВ"]["H4"] = "Причина"
    wb.save(path)
    code, out, _ = run("check", str(path), "--today", TODAY.isoformat(), "--format", "json")
    assert code == 1
    data = json.loads(out)
    header = [f for f in data["findings"] if f["code"] == "header-mismatch"]
    assert [(f["sheet"], f["cell"]) for f in header] == [("ЦСВ", "H4")]
    assert "ожидается «Основание отклонения», в ячейке «Причина»" in header[0]["message"]
    overdue = manifest.rows["Министерство"]["decision-overdue"][0]
    assert any(f["sheet"] == "Министерство" and f["row"] == overdue for f in data["findings"])
    assert [j["sheet"] for j in data["journals"]] == ["Министерство", "ОСЗН г. Кемерово",
                                                      "ГЮБ Кузбасса", "ЦСВ"]
    # --write records the other sheets' flags; the broken sheet is left as it is.
    code, _, _ = run("check", str(path), "--today", TODAY.isoformat(), "--write")
    assert code == 1
    book = openpyxl.load_workbook(path)
    control = BY_KEY["control"].letter
    assert book["Министерство"][f"{control}{overdue}"].value
    assert book["ЦСВ"]["H4"].value == "Причина"


def test_busy_journal_exits_3(demo: tuple[Path, Manifest]) -> None:
    path, _ = demo
    (path.parent / f".~lock.{path.name}#").write_text("Сидорова,pc,sid,now,/x;", "utf-8")
    code, _, err = run("check", str(path), "--write", "--today", TODAY.isoformat())
    assert code == 3 and "Сидорова" in err


def test_demo_is_reproducible(tmp_path: Path) -> None:
    first, second = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    for path in (first, second):
        code, out, _ = run("demo", str(path), "--seed", "3", "--today", "2026-01-12", "--rows",
                           "50")
        assert code == 0 and "Создан демо-журнал" in out
    assert first.read_bytes() == second.read_bytes()
    code, _, err = run("demo", str(first), "--today", "2026-01-12")
    assert code == 2 and "уже существует" in err


def test_init_makes_the_named_bodies(tmp_path: Path) -> None:
    path = tmp_path / "журнал.xlsx"
    code, out, _ = run("init", str(path), "--body", "ОСЗН г. Кемерово", "--body",
                       "ГЮБ: юридическое бюро")
    assert code == 0
    assert openpyxl.load_workbook(path).sheetnames == [
        "ОСЗН г. Кемерово", "ГЮБ юридическое бюро", "Справочники"]
    assert "Создан журнал" in out


def test_help_is_fast_to_import() -> None:
    """`vks --help` must not pull in the heavy libraries."""
    probe = ("import sys, toolkit.cli; heavy = {'pandas', 'openpyxl', 'docxtpl', 'gspread', "
             "'python_calamine', 'matplotlib', 'holidays'}; "
             "print(sorted(heavy & set(sys.modules)))")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == "[]"
