"""Letters that must be neither lost nor made twice: interrupted batches, settings changed after
a first run, lost ledgers, files the ledger does not know, temporary files of killed runs."""

from __future__ import annotations

import dataclasses
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_letters import BODY, CLOCK, CONFIG, lines_of, row, write_journal

from toolkit.cli import cli
from toolkit.journal.config import Config
from toolkit.journal.files import TEMP_SUFFIX, _host_tag
from toolkit.letters import batches as make_module  # where the batch is composed
from toolkit.letters.ledger import LEDGER_NAME, Ledger
from toolkit.letters.make import make_letters

NAMES = ["Петрова Анна Сергеевна", "Иванов Петр Сергеевич", "Сидорова Мария Ивановна"]


def _journal(tmp_path: Path) -> Path:
    return write_journal(tmp_path / "журнал.xlsx", [row(n, name) for n, name in
                                                    enumerate(NAMES, start=1)])


def _files(out: Path) -> list[str]:
    return sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file())


def _batched(tmp_path: Path) -> list[tuple[int, str | None]]:
    with sqlite3.connect(tmp_path / ".vks" / LEDGER_NAME) as conn:
        return conn.execute("SELECT number, batched FROM letters WHERE current = 1 "
                            "ORDER BY number").fetchall()


def test_letters_of_a_run_killed_before_its_batch_go_into_the_next_batch(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    journal, out = _journal(tmp_path), tmp_path / "out"

    def killed(letters: object, target: Path) -> Path:
        raise KeyboardInterrupt  # the service manager's kill arrives while the batch is made

    real = make_module.compose_batch
    monkeypatch.setattr(make_module, "compose_batch", killed)
    with pytest.raises(KeyboardInterrupt):
        make_letters(str(journal), CONFIG, out, CLOCK)
    assert not list(out.glob("пакет-*"))
    monkeypatch.setattr(make_module, "compose_batch", real)
    write_journal(journal, [row(n, name) for n, name in enumerate([*NAMES, "Ким Олег Ильич"],
                                                                   start=1)])
    result = make_letters(str(journal), CONFIG, out, CLOCK)
    assert [m.number for m in result.made] == [4]
    assert result.carried == 3 and result.batches != []
    text = " ".join(lines_of(result.batches[0].path))
    for dative in ("Петровой Анне Сергеевне", "Иванову Петру Сергеевичу",
                   "Сидоровой Марии Ивановне", "Киму Олегу Ильичу"):
        assert text.count(dative) == 1
    assert all(b == str(result.batches[0].path) for _, b in _batched(tmp_path))
    again = make_letters(str(journal), CONFIG, out, CLOCK)
    assert again.batches == [] and again.carried == 0  # batched once, never twice


def test_cli_says_that_an_interrupted_runs_letters_were_batched(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    journal, out = _journal(tmp_path), tmp_path / "out"
    monkeypatch.setattr(make_module, "compose_batch",
                        lambda letters, target: (_ for _ in ()).throw(KeyboardInterrupt()))
    with pytest.raises(KeyboardInterrupt):
        make_letters(str(journal), CONFIG, out, CLOCK)
    monkeypatch.undo()
    result = CliRunner().invoke(cli, ["letters", str(journal), "--out", str(out), "--today",
                                      "2026-11-27"])
    assert result.exit_code == 0, result.output
    assert "В пакеты добавлены решения, подготовленные прерванным запуском и еще не попавшие " \
           "ни в один пакет: 3." in result.output
    assert "Пакет для печати «" in result.output


def test_a_batch_written_but_not_confirmed_is_not_made_again(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    journal, out = _journal(tmp_path), tmp_path / "out"

    def killed(self: Ledger, batch: Path) -> None:
        raise KeyboardInterrupt  # killed right after the batch file was renamed into place

    monkeypatch.setattr(Ledger, "confirm_batch", killed)
    with pytest.raises(KeyboardInterrupt):
        make_letters(str(journal), CONFIG, out, CLOCK)
    [batch] = out.glob("пакет-*.docx")
    monkeypatch.undo()
    result = make_letters(str(journal), CONFIG, out, CLOCK)
    assert result.batches == [] and result.carried == 0
    assert [b for _, b in _batched(tmp_path)] == [str(batch)] * 3
    batch.unlink()  # printed and thrown away: the letters stay batched
    assert make_letters(str(journal), CONFIG, out, CLOCK).batches == []


def test_settings_added_after_a_first_run_remake_nothing(tmp_path: Path) -> None:
    journal, out = _journal(tmp_path), tmp_path / "out"
    first = make_letters(str(journal), Config(), out, CLOCK)  # no vks.toml: body = sheet title
    assert len(first.made) == 3
    before = _files(out)
    renamed = Config(bodies=(dataclasses.replace(BODY, phone="+7 (3842) 00-00-00",
                                                 controller="В.В. Новый"),))
    second = make_letters(str(journal), renamed, out, CLOCK)
    assert second.made == [] and second.batches == [] and second.unchanged == 3
    assert _files(out) == before


def test_a_lost_ledger_adopts_the_letters_the_journal_names(tmp_path: Path) -> None:
    journal, out = _journal(tmp_path), tmp_path / "out"
    make_letters(str(journal), CONFIG, out, CLOCK)
    before = _files(out)
    moved = Config(bodies=CONFIG.bodies, state_dir=tmp_path / "новое-место")  # ledger elsewhere
    result = make_letters(str(journal), moved, out, CLOCK)
    assert result.made == [] and result.batches == []
    assert result.adopted == 3 and result.unchanged == 3
    assert _files(out) == before


def test_a_remade_letter_never_overwrites_a_file_it_does_not_know(tmp_path: Path) -> None:
    journal, out = _journal(tmp_path), tmp_path / "out"
    make_letters(str(journal), CONFIG, out, CLOCK)
    letter = out / "Министерство" / "0001-Петрова-2026-11-20.docx"
    original = letter.read_bytes()
    (tmp_path / ".vks" / LEDGER_NAME).unlink()  # the ledger is lost …
    notes = {n: f"{p.name} от 27.11.2026" for n, p in
             enumerate(sorted((out / "Министерство").glob("*.docx")), start=1)}
    write_journal(journal, [row(1, NAMES[0], address="г. Белово, ул. Новая, д. 1"),
                            *[row(n, name, letter=notes[n])
                              for n, name in enumerate(NAMES[1:], start=2)]])
    result = make_letters(str(journal), CONFIG, out, CLOCK)  # … and the address changed
    assert [m.number for m in result.made] == [1] and result.adopted == 2
    kept = out / "Министерство" / "заменены" / "0001-Петрова-2026-11-20-прежний.docx"
    assert kept.read_bytes() == original
    assert "г. Белово, ул. Новая, д. 1" in " ".join(lines_of(letter))


def test_old_ledger_is_migrated_and_its_letters_count_as_batched(tmp_path: Path) -> None:
    state = tmp_path / ".vks"
    state.mkdir()
    with sqlite3.connect(state / LEDGER_NAME) as conn:
        conn.execute("CREATE TABLE letters (journal TEXT NOT NULL, body TEXT NOT NULL, "
                     "number INTEGER NOT NULL, version INTEGER NOT NULL, digest TEXT NOT NULL, "
                     "path TEXT NOT NULL, made_on TEXT NOT NULL, current INTEGER NOT NULL, "
                     "PRIMARY KEY (journal, body, number, version))")
        conn.execute("INSERT INTO letters VALUES ('j', 'b', 1, 1, 'd', ?, '2026-11-20', 1)",
                     (str(tmp_path / "a.docx"),))
    (tmp_path / "a.docx").write_bytes(b"x")
    ledger = Ledger(state / LEDGER_NAME)
    try:
        assert ledger.unbatched("j", tmp_path) == []
        row_ = ledger.conn.execute("SELECT batched, sheet FROM letters").fetchone()
        assert tuple(row_) == ("", None)
    finally:
        ledger.close()


def test_temporary_letters_of_a_killed_run_are_removed(tmp_path: Path) -> None:
    journal, out = _journal(tmp_path), tmp_path / "out"
    make_letters(str(journal), CONFIG, out, CLOCK)
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stale = out / "Министерство" / \
        f".0002-Иванов-2026-11-20.docx.{_host_tag()}-{dead.pid}.qwertyui{TEMP_SUFFIX}"
    stale.write_bytes(b"PK personal data")
    result = make_letters(str(journal), CONFIG, out, CLOCK)
    assert result.swept == 1 and not stale.exists()
    assert not list(out.rglob(f"*{TEMP_SUFFIX}"))
    assert os.listdir(out / "Министерство")  # the letters themselves stay


def test_letters_made_with_a_relative_folder_are_known_from_any_other(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    journal = _journal(tmp_path)
    monkeypatch.chdir(tmp_path)
    first = make_letters(str(journal), CONFIG, Path("out"), CLOCK)  # `vks letters --out out`
    assert len(first.made) == 3
    elsewhere = tmp_path / "где-то"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)  # the scheduler starts in another folder
    again = make_letters(str(journal), CONFIG, tmp_path / "out", CLOCK)
    assert (again.made, again.dropped, again.batches) == ([], 0, [])
