"""`vks intake` end to end: the demo journal (.xlsx), the demo website export (cp1251, «;»), a real
SMTP server; the journal re-opened, its XML compared, the ledger read back."""

from __future__ import annotations

import datetime as dt
import io
import logging
import re
import sqlite3
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner
from conftest import TODAY
from smtp_server import Server

from toolkit.cli import cli
from toolkit.intake.demo_export import (
    BUREAU,
    CENTRE,
    DEMO_ROUTING,
    KEMEROVO,
    LENINSK,
    MINISTRY,
    NOVOKUZNETSK,
    DemoManifest,
    demo_export_for,
)
from toolkit.intake.exports import read_export
from toolkit.intake.ledger import IntakeLedger, forwarding_figures
from toolkit.intake.register import take_in
from toolkit.intake.routing import RoutingTable
from toolkit.intake.submission import Submission
from toolkit.journal.clock import Clock
from toolkit.journal.config import load_config
from toolkit.sources.demo import Manifest

NOW = "2026-11-27 10:00"
SECRET = "VKS_TEST_INTAKE_SECRET"
SHEETS = {MINISTRY: "Министерство", KEMEROVO: "ОСЗН г. Кемерово", BUREAU: "ГЮБ Кузбасса",
          CENTRE: "ЦСВ"}
EMAILS = {MINISTRY: "ministry@example.ru", KEMEROVO: "kemerovo@example.ru",
          BUREAU: "gub@example.ru", CENTRE: "csv@example.ru", NOVOKUZNETSK: "nk@example.ru"}


def write_config(folder: Path, port: int, **intake: Any) -> Path:
    lines = ["[mail]", 'host = "127.0.0.1"', f"port = {port}", 'security = "none"',
             'sender = "ЦСВ <csv@example.ru>"', "timeout = 5", "", "[intake]",
             'centre = "ЦСВ"', f'secret_env = "{SECRET}"', "busy_retries = 1", "busy_wait = 0"]
    lines += [f"{k} = {v}" for k, v in intake.items()]
    for route in DEMO_ROUTING["bodies"]:
        lines += ["", "[[intake.routes]]", f'name = "{_toml(str(route["name"]))}"']
        for key in ("topics", "places"):
            values = route.get(key, [])
            assert isinstance(values, list)
            lines.append(f"{key} = [{', '.join(chr(34) + _toml(v) + chr(34) for v in values)}]")
    for name in (MINISTRY, KEMEROVO, BUREAU, CENTRE, NOVOKUZNETSK, LENINSK):
        lines += ["", "[[bodies]]", f'name = "{_toml(name)}"',
                  f'sheet = "{SHEETS.get(name, name[-31:])}"']
        if name in EMAILS:
            lines.append(f'email = "{EMAILS[name]}"')
    path = folder / "vks.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _toml(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


@pytest.fixture
def setup(demo: tuple[Path, Manifest], tmp_path: Path, smtp: Server,
          monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path, DemoManifest]:
    journal, _ = demo
    monkeypatch.setenv(SECRET, "test-secret")
    config = write_config(tmp_path, smtp.port)
    export = demo_export_for(journal, tmp_path / "выгрузка", load_config(config), seed=5,
                             today=TODAY)
    return journal, config, export


def vks(config: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["-c", str(config), "intake", *args],
                                catch_exceptions=False)
    return result.exit_code, result.output


def expected(export: DemoManifest) -> dict[str, list[Submission]]:
    """The answer key: sheet (or body without a journal) → its valid applications, in order."""
    broken = {*export.cases["no-consent"], *export.cases["bad-date"]}
    table = RoutingTable(DEMO_ROUTING)
    out: dict[str, list[Submission]] = {}
    seen = set()
    for entry in read_export(export.csv).entries:
        sub = entry.submission
        assert sub is not None
        if sub.ref in broken or sub.key in seen:
            continue
        seen.add(sub.key)
        body = table.route(sub).body or "—"
        out.setdefault(SHEETS.get(body, body), []).append(sub)
    return out


def parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {i.filename: z.read(i) for i in z.infolist()}


def sheet_part(path: Path, title: str) -> str:
    book = openpyxl.load_workbook(path, read_only=True)
    index = book.sheetnames.index(title)
    book.close()
    return f"xl/worksheets/sheet{index + 1}.xml"


def without_rows(xml: bytes, rows: range) -> bytes:
    for row in rows:
        xml = re.sub(rb'<row r="' + str(row).encode() + rb'"[^>]*>.*?</row>', b"", xml,
                     flags=re.S)
    return re.sub(rb'<dimension ref="[^"]*"/>', b"", xml)


def test_demo_export_into_the_demo_journal(setup: tuple[Path, Path, DemoManifest], smtp: Server,
                                           caplog: pytest.LogCaptureFixture) -> None:
    journal, config, export = setup
    before = parts(journal)
    old = openpyxl.load_workbook(journal)
    last = {t: old[t].max_row for t in SHEETS.values()}
    top = {t: max(c.value for c in old[t]["A"][5:] if isinstance(c.value, int))
           for t in SHEETS.values()}
    caplog.set_level(logging.DEBUG)
    code, out = vks(config, str(export.csv), "--journal", str(journal), "--today", NOW)
    assert code == 1, out  # broken, unrouted and late applications need a person

    key = expected(export)
    # Registered: each sheet got its applications as new rows with the next numbers.
    book = openpyxl.load_workbook(journal)
    for sheet in SHEETS.values():
        subs = key.get(sheet, [])
        ws = book[sheet]
        assert ws.max_row == last[sheet] + len(subs)
        for i, sub in enumerate(subs):
            row = last[sheet] + 1 + i
            values = [c.value for c in ws[row]]
            # № п/п a number, graph 2 (forwarded today) and the submit date real dates.
            assert values[0] == top[sheet] + 1 + i
            assert values[1] == dt.datetime(2026, 11, 27)
            assert ws.cell(row, 2).is_date
            assert values[2:4] == [sub.citizen, sub.topic]
            assert sub.submitted is not None
            assert values[12] == dt.datetime.combine(sub.submitted.date(), dt.time())
            assert values[13:18] == [sub.address, sub.phone, sub.email, "Да", "Да"]
            assert f"«{sheet}», строка {row}, № {top[sheet] + 1 + i}" in out
    # Every other byte of the workbook is as it was.
    after = parts(journal)
    assert list(after) == list(before)
    for name in before:
        title = next((t for t in SHEETS.values() if sheet_part(journal, t) == name), None)
        if title is None:
            assert after[name] == before[name], name
        else:
            new = range(last[title] + 1, last[title] + 1 + len(key.get(title, [])))
            assert without_rows(after[name], new) == without_rows(before[name], range(0)), name

    # Broken rows are listed with their line and reason; the copy once; the unroutable one.
    assert f"{export.cases['no-consent'][0]}: «Согласие на обработку персональных данных»: " \
           f"не дано" in out
    assert f"{export.cases['bad-date'][0]}: «Дата рождения»: не является датой" in out
    first, copy = export.cases["duplicate"]
    assert f"{copy}: та же заявка, что заявки-с-сайта.csv, {first}" in out
    unrouted = out.split("Не распределено")[1].split("\n\n")[0]
    assert f"{export.cases['unroutable'][0]}: подана" in unrouted
    # Forwarding: one e-mail per application to its body; Leninsk has no address and no journal:
    # the centre gets it, as it gets the unroutable one.
    to = [rcpt[0] for rcpt, _ in smtp.inbox.messages]
    for body, address in EMAILS.items():
        wanted = len(key.get(SHEETS.get(body, body), [])) if body != CENTRE else 0
        if body == CENTRE:
            wanted = len(key.get(LENINSK, [])) + len(key.get("—", []))
        assert to.count(address) == wanted, body
    message = smtp.inbox.messages[0][1]
    assert "Переадресуется органу" in message.get_content()
    assert "(п. 2.3)" in str(message["Subject"])
    # The repeat question: the hint is in the control column of its new row.
    repeated = next(s for subs in key.values() for s in subs
                    if s.ref == export.cases["repeat"][0])
    hint = f"сверить с заявкой {export.repeated[0]}"
    assert any(c.value and str(c.value).startswith("Сведения. ") and hint in str(c.value)
               for ws in book.worksheets for c in ws["L"] if ws.title in SHEETS.values()), out
    assert repeated.citizen not in out  # the output names lines and rows, never a citizen

    # Nothing personal in the logs or the ledger.
    ledger_bytes = b"".join(p.read_bytes() for p in (journal.parent / ".vks").glob("intake*"))
    logged = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("vks"))
    for subs in key.values():
        for sub in subs:
            for value in (sub.citizen, sub.phone, sub.email, sub.address):
                assert value not in logged
                assert value.encode() not in ledger_bytes
    # Late forwarding is a finding and a figure.
    with IntakeLedger(journal.parent / ".vks" / "intake.sqlite") as ledger:
        figures = forwarding_figures(ledger, "2026-11")
    total = figures["*"]
    assert total["late"] == out.count("переадресация позже срока") > 0
    assert total["broken"] == 2 and total["received"] == export.rows - 1
    assert figures["Управление социальной защиты населения администрации города Кемерово"][
        "reached"] == len(key["ОСЗН г. Кемерово"])

    # A second run registers and sends nothing.
    sent = len(smtp.inbox.messages)
    again = parts(journal)
    code, out = vks(config, str(export.csv), "--journal", str(journal), "--today", NOW)
    assert parts(journal) == again and len(smtp.inbox.messages) == sent
    assert "Итого: зарегистрировано 0, переадресовано без регистрации 0" in out


def test_a_locked_journal_is_left_alone_and_taken_next_run(
        setup: tuple[Path, Path, DemoManifest], smtp: Server) -> None:
    journal, config, export = setup
    lock = journal.with_name(f".~lock.{journal.name}#")
    lock.write_text("Иванова,host,ivanova,27.11.2026 09:58,/home/ivanova;", encoding="utf-8")
    before = journal.read_bytes()
    code, out = vks(config, str(export.csv), "--journal", str(journal), "--today", NOW)
    assert code == 3, out
    assert journal.read_bytes() == before
    assert "открыт пользователем Иванова в LibreOffice" in out
    waiting = out.split("Ожидают регистрации")[1].split("\n\n")[0]
    registered = sum(len(v) for k, v in expected(export).items() if k in SHEETS.values())
    assert waiting.count("журнал занят") == registered
    with IntakeLedger(journal.parent / ".vks" / "intake.sqlite") as ledger:
        assert len(ledger.records("pending")) == registered
    sent = len(smtp.inbox.messages)

    lock.unlink()
    code, out = vks(config, str(export.csv), "--journal", str(journal), "--today",
                    "2026-11-27 11:00")
    assert code == 1 and f"зарегистрировано {registered}," in out
    assert len(smtp.inbox.messages) == sent  # forwarded in the first run, not again
    with IntakeLedger(journal.parent / ".vks" / "intake.sqlite") as ledger:
        assert ledger.records("pending") == []
        # It reached a body when the e-mail went, in the first run; the centre's own when
        # registered in its journal.
        reached = {(r.sheet == "ЦСВ", r.forwarded_at.isoformat() if r.forwarded_at else "")
                   for r in ledger.records("registered")}
        assert reached == {(False, "2026-11-27T10:00:00+07:00"),
                           (True, "2026-11-27T11:00:00+07:00")}


def test_dry_run_writes_records_and_sends_nothing(setup: tuple[Path, Path, DemoManifest],
                                                  smtp: Server, tmp_path: Path) -> None:
    journal, config, export = setup
    before = journal.read_bytes()
    code, out = vks(config, str(export.csv), "--journal", str(journal), "--today", NOW,
                    "--dry-run", "--out", str(tmp_path / "письма"))
    assert code == 1
    assert journal.read_bytes() == before and smtp.inbox.messages == []
    assert not (journal.parent / ".vks" / "intake.sqlite").exists()
    assert "Проверка приема заявок (ничего не записано и не отправлено)" in out
    assert len(list((tmp_path / "письма").glob("*.eml"))) > 0


def test_formula_like_text_is_written_as_text(journal_file, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = journal_file({"ЦСВ": [{"number": 1, "received": dt.date(2026, 11, 2),
                                  "citizen": "Петрова Анна Сергеевна", "topic": "Пособие"}]})
    export = tmp_path / "заявки.csv"
    export.write_bytes((
        "Дата и время подачи;ФИО;Дата рождения;Документ;Орган;Согласие на обработку ПДн;"
        "Согласие на видеозапись;Тематика вопроса;Телефон;E-mail\r\n"
        "26.11.2026 12:00;Смирнова Ольга Викторовна;01.02.1960;паспорт 3200 123456;ЦСВ;Да;Да;"
        "\"=HYPERLINK(\"\"http://example.ru\"\";\"\"Пособие\"\")\";+7 900 123-45-67;"
        "o@example.ru\r\n").encode("cp1251"))
    config = tmp_path / "vks.toml"
    config.write_text('[[bodies]]\nname = "ЦСВ"\n', encoding="utf-8")
    result = take_in([export], load_config(config), Clock.at(dt.datetime(2026, 11, 26, 15)),
                     str(path), environ={})
    assert [i.row for i in result.items] == [7], result.lines()
    cell = openpyxl.load_workbook(path)["ЦСВ"]["D7"]
    assert cell.data_type == "s" and cell.value.startswith("=HYPERLINK(")
    xml = parts(path)[sheet_part(path, "ЦСВ")]
    row = re.search(rb'<row r="7".*?</row>', xml, re.S)
    assert row is not None and b"<f>" not in row.group(0) and b't="inlineStr"' in row.group(0)
    # The check then warns about the text, as it does for anything typed.
    code = CliRunner().invoke(cli, ["-c", str(config), "check", str(path), "--today",
                                    "2026-11-26"]).output
    assert "cell-formula-like" in code


def test_the_ledger_keeps_keys_and_row_references_only(setup: tuple[Path, Path, DemoManifest],
                                                       smtp: Server) -> None:
    journal, config, export = setup
    vks(config, str(export.csv), "--journal", str(journal), "--today", NOW)
    db = sqlite3.connect(journal.parent / ".vks" / "intake.sqlite")
    columns = [r[1] for r in db.execute("PRAGMA table_info(submissions)")]
    assert columns == ["key", "state", "body", "rule", "location", "sheet", "row", "number",
                       "submitted_at", "due", "forwarded_at", "registered_at", "birth_hash",
                       "source", "ref", "problems", "first_seen", "updated_at"]
    states = dict(db.execute("SELECT state, COUNT(*) FROM submissions GROUP BY state"))
    assert states["broken"] == 2 and states["unrouted"] >= 1 and states["registered"] > 0
    hashes = [h for (h,) in db.execute("SELECT birth_hash FROM submissions WHERE state = "
                                       "'registered'")]
    assert all(re.fullmatch("[0-9a-f]{64}", h) for h in hashes)
    db.close()


def test_vks_check_keeps_the_repeat_hint(setup: tuple[Path, Path, DemoManifest],
                                         smtp: Server) -> None:
    journal, config, export = setup
    vks(config, str(export.csv), "--journal", str(journal), "--today", NOW)
    result = CliRunner().invoke(cli, ["-c", str(config), "check", str(journal), "--today", NOW,
                                      "--write", "--format", "json"])
    import json

    data = json.loads(result.output)
    hints = [f for f in data["findings"] if f["code"] == "repeat-question"]
    assert hints and all(f["severity"] == "info" for f in hints)
    assert any(export.repeated[0] in f["message"] for f in hints)
    book = openpyxl.load_workbook(journal)
    controls = [str(c.value) for ws in book.worksheets if ws.title in SHEETS.values()
                for c in ws["L"] if c.value]
    assert any(c.startswith("Сведения. Графа 4 «Тематика вопроса»")
               and f"сверить с заявкой {export.repeated[0]}" in c for c in controls)


def test_check_without_intake_finds_no_repeats(demo: tuple[Path, Manifest]) -> None:
    path, _ = demo
    out = CliRunner().invoke(cli, ["check", str(path), "--today", TODAY.isoformat()]).output
    assert "repeat-question" not in out


def test_the_intake_job_step(setup: tuple[Path, Path, DemoManifest], smtp: Server,
                             tmp_path: Path) -> None:
    journal, config, export = setup
    jobs = tmp_path / "jobs"
    jobs.mkdir()
    (jobs / "intake.toml").write_text(
        'title = "Прием заявок"\n[when]\ntimes = ["09:00"]\nworking_days = true\n'
        '[[steps]]\ndo = "intake"\nsources = ["выгрузка/*.csv"]\n', encoding="utf-8")
    run = ["-c", str(config), "run", "intake", "--journal", str(journal), "--jobs", str(jobs),
           "--today", NOW]
    before = journal.read_bytes()
    dry = CliRunner().invoke(cli, [*run, "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert journal.read_bytes() == before and smtp.inbox.messages == []
    result = CliRunner().invoke(cli, run)
    assert result.exit_code == 0, result.output  # applications needing a person are not a failure
    registered = sum(len(v) for k, v in expected(export).items() if k in SHEETS.values())
    assert f"зарегистрировано {registered}," in result.output
    book = openpyxl.load_workbook(journal)
    assert book["ЦСВ"].max_row > openpyxl.load_workbook(io.BytesIO(before))["ЦСВ"].max_row
    for subs in expected(export).values():
        for sub in subs:
            assert sub.citizen not in result.output


def test_two_runs_at_once_are_refused(setup: tuple[Path, Path, DemoManifest]) -> None:
    journal, config, export = setup
    with IntakeLedger.open(journal.parent / ".vks" / "intake.sqlite"):
        code, out = vks(config, str(export.csv), "--journal", str(journal), "--today", NOW)
    assert code == 3 and "прием заявок уже выполняется другим запуском" in out


def test_the_json_export_registers_the_same(setup: tuple[Path, Path, DemoManifest],
                                            smtp: Server) -> None:
    journal, config, export = setup
    code, out = vks(config, str(export.json), "--journal", str(journal), "--today", NOW)
    registered = sum(len(v) for k, v in expected(export).items() if k in SHEETS.values())
    assert code == 1 and f"зарегистрировано {registered}," in out
    assert f"{export.json_refs('no-consent')[0]}: «Согласие на обработку" in out
    # The CSV of the same applications afterwards: every one a copy or a known problem.
    code, out = vks(config, str(export.csv), "--journal", str(journal), "--today", NOW)
    assert "Итого: зарегистрировано 0, переадресовано без регистрации 0" in out
