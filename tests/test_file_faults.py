"""Faults at the file level: links, owners, left-over temporary files, FIFOs, full disks and
read-only file systems, encrypted workbooks, SQLite ledgers that cannot be written."""

from __future__ import annotations

import errno
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
import time
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from conftest import TODAY

from toolkit.cli import cli
from toolkit.journal.config import Config
from toolkit.journal.errors import JournalBusy, describe_error, describe_os_error
from toolkit.journal.files import (
    TEMP_SUFFIX,
    _host_tag,
    atomic_output,
    read_regular,
    sweep_temporary,
    write_bytes_atomic,
)
from toolkit.journal.state import connect
from toolkit.sources.demo import Manifest
from toolkit.sources.open import check

ROOT = Path(__file__).resolve().parents[1]


def _dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


# --- A journal that is a symbolic link -------------------------------------------------------


def test_write_goes_through_a_symlink_to_its_target(demo: tuple[Path, Manifest],
                                                    tmp_path: Path) -> None:
    real, _ = demo
    shared = tmp_path / "общий"
    shared.mkdir()
    target = shared / real.name
    shutil.move(real, target)
    os.chmod(target, 0o664)
    if os.geteuid() == 0:
        os.chown(target, 4321, 4321)  # a shared journal owned by someone else
    link = tmp_path / "журнал.xlsx"
    link.symlink_to(target)
    report = check(str(link), Config(), TODAY, write=True)
    assert report.changes
    assert link.is_symlink() and Path(os.readlink(link)) == target
    cell = report.changes[0]
    assert openpyxl.load_workbook(target)[cell.sheet][cell.cell].value == (cell.new or None)
    st = target.stat()
    assert stat.S_IMODE(st.st_mode) == 0o664
    if os.geteuid() == 0:
        assert (st.st_uid, st.st_gid) == (4321, 4321)
    assert not list(tmp_path.glob(f".*{TEMP_SUFFIX}")) and not list(
        shared.glob(f".*{TEMP_SUFFIX}"))
    again = check(str(link), Config(), TODAY, write=True)
    assert again.changes == []  # the target was written: nothing left to write


def test_lock_beside_the_link_target_refuses_the_write(demo: tuple[Path, Manifest],
                                                       tmp_path: Path) -> None:
    real, _ = demo
    shared = tmp_path / "общий"
    shared.mkdir()
    target = shared / real.name
    shutil.move(real, target)
    link = tmp_path / "журнал.xlsx"
    link.symlink_to(target)
    (shared / f".~lock.{target.name}#").write_text("Петров Олег,srv,petrov,x,y;")
    before = target.read_bytes()
    with pytest.raises(JournalBusy, match="Петров Олег"):
        check(str(link), Config(), TODAY, write=True)
    assert target.read_bytes() == before


def test_replaced_file_keeps_mode_and_owner(tmp_path: Path) -> None:
    path = tmp_path / "отчет.xlsx"
    path.write_bytes(b"old")
    os.chmod(path, 0o640)
    if os.geteuid() == 0:
        os.chown(path, 1234, 2345)
    write_bytes_atomic(path, b"new")
    st = path.stat()
    assert path.read_bytes() == b"new" and stat.S_IMODE(st.st_mode) == 0o640
    if os.geteuid() == 0:
        assert (st.st_uid, st.st_gid) == (1234, 2345)


# --- Temporary files left by a killed run ----------------------------------------------------


def test_temporary_files_of_dead_processes_are_swept(tmp_path: Path) -> None:
    me = _host_tag()
    dead = tmp_path / f".0017-Петрова.docx.{me}-{_dead_pid()}.k3j2h1g0{TEMP_SUFFIX}"
    alive = tmp_path / f".0018-Иванов.docx.{me}-{os.getppid()}.a1b2c3d4{TEMP_SUFFIX}"
    foreign_new = tmp_path / f".0019-Ким.docx.abcdef-12.a1b2c3d4{TEMP_SUFFIX}"
    foreign_old = tmp_path / f".0020-Ли.docx.abcdef-13.a1b2c3d4{TEMP_SUFFIX}"
    legacy = tmp_path / f".демо.xlsx.x8y7z6w5{TEMP_SUFFIX}"  # named before pids were added
    for path in (dead, alive, foreign_new, foreign_old, legacy):
        path.write_text("Петрова Анна Сергеевна, ул. Ленина, 1")
    two_days_ago = time.time() - 2 * 86400
    for path in (foreign_old, legacy):
        os.utime(path, (two_days_ago, two_days_ago))
    assert sweep_temporary(tmp_path) == 3
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([alive.name, foreign_new.name])


def test_atomic_output_sweeps_its_folder_and_names_the_file_on_failure(tmp_path: Path) -> None:
    stale = tmp_path / f".a.docx.{_host_tag()}-{_dead_pid()}.zzzzzzzz{TEMP_SUFFIX}"
    stale.write_text("x")
    target = tmp_path / "b.docx"
    with pytest.raises(OSError) as failed, atomic_output(target) as tmp:
        tmp.write_bytes(b"1")
        raise OSError(errno.ENOSPC, "No space left on device")
    assert failed.value.errno == errno.ENOSPC and failed.value.filename == str(target)
    assert not stale.exists() and not target.exists()
    assert list(tmp_path.iterdir()) == []


# --- Not a regular file ------------------------------------------------------------------------


def test_read_regular_refuses_a_fifo_at_once(tmp_path: Path) -> None:
    fifo = tmp_path / "vks.toml"
    os.mkfifo(fifo)
    with pytest.raises(OSError, match="именованный канал"):
        read_regular(fifo)
    with pytest.raises(OSError, match="папка"):
        read_regular(tmp_path)


def _vks(*args: str, cwd: Path, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    environ = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "toolkit", *args], cwd=cwd, env=environ,
                          capture_output=True, text=True, timeout=timeout, check=False)


def test_fifo_as_config_or_lock_file_does_not_hang(demo: tuple[Path, Manifest],
                                                   tmp_path: Path) -> None:
    path, _ = demo
    fifo = tmp_path / "vks.toml"
    os.mkfifo(fifo)
    done = _vks("-c", str(fifo), "check", str(path), "--today", TODAY.isoformat(),
                cwd=tmp_path, timeout=30)
    assert done.returncode == 2
    assert "vks.toml: это именованный канал (FIFO), а не файл" in done.stderr
    fifo.unlink()
    os.mkfifo(tmp_path / f".~lock.{path.name}#")
    busy = _vks("check", str(path), "--write", "--today", TODAY.isoformat(), cwd=tmp_path,
                timeout=60)
    assert busy.returncode == 3 and "открыт в LibreOffice" in busy.stderr


# --- Full disk, read-only file system, no rights: the path and the cause in Russian ----------


def test_full_disk_names_the_file_and_exits_2(demo: tuple[Path, Manifest],
                                              tmp_path: Path) -> None:
    """RLIMIT_FSIZE makes every write past a few kilobytes fail with EFBIG, as a full disk."""
    path, _ = demo
    before = path.read_bytes()
    code = ("import resource, signal, runpy, sys; signal.signal(signal.SIGXFSZ, signal.SIG_IGN);"
            "resource.setrlimit(resource.RLIMIT_FSIZE, (20000, 20000));"
            "sys.argv = ['vks'] + sys.argv[1:]; runpy.run_module('toolkit', run_name='__main__')")
    done = subprocess.run(
        [sys.executable, "-c", code, "check", str(path), "--write", "--today",
         TODAY.isoformat()], cwd=tmp_path, capture_output=True, text=True, timeout=120,
        env={**os.environ, "PYTHONPATH": str(ROOT)}, check=False)
    assert done.returncode == 2, done.stderr
    assert "Внутренняя ошибка" not in done.stderr
    assert "файл больше допустимого размера" in done.stderr and ".xlsx" in done.stderr
    assert path.read_bytes() == before
    assert not list(tmp_path.rglob(f"*{TEMP_SUFFIX}"))


@pytest.mark.parametrize(("code", "cause"), [
    (errno.EROFS, "файловая система доступна только для чтения"),
    (errno.EACCES, "нет прав доступа"),
    (errno.ENOSPC, "на диске нет места"),
])
def test_os_errors_of_a_write_are_russian_with_the_path(demo: tuple[Path, Manifest],
                                                        monkeypatch: pytest.MonkeyPatch,
                                                        code: int, cause: str) -> None:
    path, _ = demo
    before = path.read_bytes()

    def refuse(*args: object, **kwargs: object) -> None:
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr("toolkit.journal.files.os.replace", refuse)
    result = CliRunner().invoke(cli, ["check", str(path), "--write", "--today",
                                      TODAY.isoformat()])
    assert result.exit_code == 2
    # The first file written is the backup beside the journal: its path is named.
    assert f"Ошибка: {path.parent}/.vks/backups/демо." in result.output
    assert f".xlsx: {cause}" in result.output
    assert "Внутренняя ошибка" not in result.output
    assert path.read_bytes() == before


def test_full_sqlite_ledger_names_its_file(tmp_path: Path) -> None:
    ledger = tmp_path / ".vks" / "letters.sqlite"
    conn = connect(ledger, "CREATE TABLE IF NOT EXISTS t (x TEXT);")
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.execute(f"PRAGMA max_page_count = {pages}")
    with pytest.raises(sqlite3.Error) as full, conn:
        conn.executemany("INSERT INTO t VALUES (?)", [("x" * 4000,)] * 50)
    message = describe_error(full.value)
    assert message is not None
    assert message.startswith(f"файл учета {ledger}: на диске нет места")
    conn.close()


def test_describe_os_error_without_a_path() -> None:
    text = describe_os_error(OSError(errno.ENOSPC, "No space left on device"))
    assert text.startswith("На диске нет места") and "No space" not in text


# --- Encrypted or old-format workbooks -------------------------------------------------------


def test_encrypted_workbook_is_named_as_such(tmp_path: Path) -> None:
    path = tmp_path / "журнал.xlsx"
    shutil.copyfile(ROOT / "tests" / "fixtures" / "encrypted.xlsx", path)
    result = CliRunner().invoke(cli, ["check", str(path)])
    assert result.exit_code == 2
    assert "защищена паролем на открытие" in result.output


def test_a_fifo_as_letter_template_is_refused(tmp_path: Path) -> None:
    from toolkit.journal.errors import TemplateError
    from toolkit.letters.render import LetterTemplate

    fifo = tmp_path / "шаблон.docx"
    os.mkfifo(fifo)
    with pytest.raises(TemplateError, match="именованный канал"):
        LetterTemplate.load(fifo)


@pytest.mark.parametrize("moment", ["during the backup", "while the new file is written"])
def test_a_save_during_the_last_steps_of_a_write_is_not_lost(
        demo: tuple[Path, Manifest], monkeypatch: pytest.MonkeyPatch, moment: str) -> None:
    """A person saves (Excel: a temporary file renamed over the journal) after the last check
    before the backup: the write is refused right before its rename, the edit stays."""
    import toolkit.sources.xlsx.source as xlsx_source

    path, _ = demo

    def person_saves() -> None:
        book = openpyxl.load_workbook(path)
        book["ЦСВ"]["K6"] = "правка специалиста"
        book.save(path.with_name("~tmp.xlsx"))
        os.replace(path.with_name("~tmp.xlsx"), path)

    if moment == "during the backup":
        real_backup = xlsx_source.backup

        def backup(*args: object, **kwargs: object) -> Path:
            made = real_backup(*args, **kwargs)  # type: ignore[arg-type]
            person_saves()
            return made

        monkeypatch.setattr(xlsx_source, "backup", backup)
    else:
        real_fsync = os.fsync
        saved: list[bool] = []

        def fsync(fd: int) -> None:  # the new journal's data reaches the disk …
            real_fsync(fd)
            name = os.path.basename(os.readlink(f"/proc/self/fd/{fd}"))
            if name.startswith(f".{path.name}.") and not saved:
                saved.append(True)
                person_saves()  # … and just then the person's program saves

        monkeypatch.setattr("toolkit.journal.files.os.fsync", fsync)
    with pytest.raises(JournalBusy, match="изменился после чтения"):
        check(str(path), Config(), TODAY, write=True)
    assert openpyxl.load_workbook(path)["ЦСВ"]["K6"].value == "правка специалиста"
    assert not list(path.parent.glob(f".*{TEMP_SUFFIX}"))
