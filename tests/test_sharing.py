"""Files people open follow the umask or `[files]`; the program's own state stays private."""

from __future__ import annotations

import grp
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from toolkit.cli import cli
from toolkit.journal.errors import ConfigError
from toolkit.journal.files import Sharing, use_sharing

TODAY = "2026-11-30"


@pytest.fixture(autouse=True)
def umask_0027() -> Iterator[None]:
    """The deploy units' UMask=0027; the process-wide sharing is reset after each test."""
    old = os.umask(0o027)
    try:
        yield
    finally:
        os.umask(old)
        use_sharing(Sharing())


def vks(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args), prog_name="vks", catch_exceptions=False)
    assert result.exit_code in (0, 1), result.output
    return result.output


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def other_group() -> grp.struct_group:
    """A group this process may give its files: any group for root, else one of its own."""
    mine = os.getegid()
    if os.geteuid() == 0:
        candidates = [g for g in grp.getgrall() if g.gr_gid != mine]
    else:
        candidates = [grp.getgrgid(g) for g in os.getgroups() if g != mine]
    return candidates[0] if candidates else grp.getgrgid(mine)


def test_by_default_new_files_follow_the_umask_and_the_state_stays_private(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    journal = tmp_path / "демо.xlsx"
    vks("demo", str(journal), "--today", TODAY)
    assert mode(journal) == 0o640
    vks("letters", str(journal), "--out", "решения", "--today", TODAY)
    letters = tmp_path / "решения"
    made = list(letters.rglob("*.docx"))
    assert made and {mode(p) for p in made} == {0o640}
    assert {mode(p) for p in [letters, *letters.iterdir()] if p.is_dir()} == {0o750}
    vks("stats", str(journal), "--month", "2026-10", "--out", "статистика", "--today", TODAY)
    reports = list((tmp_path / "статистика").iterdir())
    assert len(reports) == 3 and {mode(p) for p in reports} == {0o640}
    # The ledgers, backups and the state folder: the program's, nobody else's.
    state = tmp_path / ".vks"
    assert mode(state) == 0o700
    assert {mode(p) for p in state.rglob("*") if p.is_file()} == {0o600}


def test_files_mode_and_group_from_the_config(tmp_path: Path) -> None:
    group = other_group()
    config = tmp_path / "vks.toml"
    config.write_text(f'[files]\nmode = "0660"\ngroup = "{group.gr_name}"\n', encoding="utf-8")
    journal = tmp_path / "журнал.xlsx"
    vks("-c", str(config), "demo", str(journal), "--today", TODAY)
    vks("-c", str(config), "letters", str(journal), "--out", str(tmp_path / "решения"),
        "--today", TODAY)
    made = [journal, *(tmp_path / "решения").rglob("*")]
    assert {mode(p) for p in made if p.is_file()} == {0o660}
    assert {mode(p) for p in made if p.is_dir()} == {0o770}
    assert {p.stat().st_gid for p in made} == {group.gr_gid}


def test_a_rewritten_journal_keeps_its_mode_and_group(tmp_path: Path) -> None:
    group = other_group()
    journal = tmp_path / "журнал.xlsx"
    vks("demo", str(journal), "--today", TODAY)
    os.chmod(journal, 0o660)
    os.chown(journal, -1, group.gr_gid)
    before = journal.stat().st_ino
    vks("check", str(journal), "--write", "--today", TODAY)
    assert journal.stat().st_ino != before  # replaced by a new file …
    assert mode(journal) == 0o660 and journal.stat().st_gid == group.gr_gid  # … that kept both


@pytest.mark.parametrize(("table", "message"), [
    ({"mode": "640x"}, "[files] mode — ожидаются права восьмеричным числом в кавычках, например "
                       "\"0640\""),
    ({"mode": 640}, "[files] mode — ожидаются права восьмеричным числом в кавычках, например "
                    "\"0640\""),
    ({"mode": "0440"}, "[files] mode = \"0440\" — владелец (программа) должен читать и писать "
                       "файлы: например \"0640\" или \"0660\""),
    ({"mode": "0666"}, "[files] mode = \"0666\" — запись для всех пользователей недопустима "
                       "(журналы и решения содержат персональные данные); дайте доступ группе: "
                       "\"0660\" и group"),
    ({"group": "нет-такой-группы"}, "[files] group = \"нет-такой-группы\" — такой группы в "
                                    "системе нет (создайте ее: groupadd нет-такой-группы)"),
])
def test_mistakes_in_files_are_named(table: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError) as error:
        Sharing.from_section(table)
    assert str(error.value) == message


def test_a_mistake_in_files_stops_the_command(tmp_path: Path) -> None:
    config = tmp_path / "vks.toml"
    config.write_text('[files]\nmode = "0666"\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["-c", str(config), "check", "x.xlsx"], prog_name="vks")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"Ошибка: {config}: [files] mode = \"0666\" — запись для")
