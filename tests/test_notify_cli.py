"""`vks notify` and `vks replies` from the command line: output, exit codes, documentation.

(Named to run after test_letters: importing docxtpl rebinds python-docx's «cp» namespace
prefix process-wide — docxcompose.utils updates docx.oxml.ns.nsmap — which changes what
`build_template()` writes; test_letters compares it with the committed template.)
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from imap_fixtures import ImapAccount
from notify_fixtures import SHEET, appointed, rejected, write
from smtp_server import Server, free_port

from toolkit.cli import cli

ROOT = Path(__file__).resolve().parent.parent
TODAY = "2026-11-27 10:00"


def vks(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), prog_name="vks", catch_exceptions=False,
                                env=env)
    return result.exit_code, result.stdout, result.stderr


def settings(tmp: Path, smtp_port: int, imap: str = "") -> Path:
    path = tmp / "vks.toml"
    path.write_text(f"""state_dir = "состояние"

[mail]
host = "127.0.0.1"
port = {smtp_port}
security = "none"
sender = "vks@mszn42.ru"
timeout = 5

[letters]
out = "решения"
soffice = "нет-libreoffice"
{imap}
[[bodies]]
name = "Министерство социальной защиты населения Кузбасса"
sheet = "{SHEET}"
email = "priem@mszn42.ru"
phone = "8 (3842) 58-00-00"
""", encoding="utf-8")
    return path


def test_notify_sends_once_lists_phone_calls_and_says_so(smtp: Server, tmp_path: Path) -> None:
    journal = write(tmp_path / "журнал.xlsx",
                    [appointed(1), rejected(2), appointed(3, email="")])
    config = settings(tmp_path, smtp.port)
    code, out, _ = vks("-c", str(config), "notify", str(journal), "--today", TODAY)
    assert code == 0, out
    assert out.startswith(f"{journal}: отправлено 2 письма (уведомление о приеме 1, решение об "
                          f"отклонении 1); отправлено ранее 0.\n")
    assert "Сообщите гражданину по телефону (письмо не отправить):\n" \
           f"  Министерство социальной защиты населения Кузбасса, лист «{SHEET}», строка 8, " \
           "№ п/п 3: уведомление о приеме — адрес эл. почты не указан" in out
    assert "citizen" not in out and "Петрова" not in out  # no personal data on the console
    assert len(smtp.inbox.messages) == 2
    code, out, _ = vks("-c", str(config), "notify", str(journal), "--today", TODAY)
    assert code == 0 and "отправлено 0 писем; отправлено ранее 2." in out
    assert len(smtp.inbox.messages) == 2


def test_notify_dry_run_and_misuse(tmp_path: Path) -> None:
    journal = write(tmp_path / "журнал.xlsx", [appointed(1)])
    config = settings(tmp_path, free_port())
    code, _, err = vks("-c", str(config), "notify", str(journal), "--out", str(tmp_path))
    assert code == 2 and "--out используется только вместе с --dry-run" in err
    folder = tmp_path / "письма"
    code, out, _ = vks("-c", str(config), "notify", str(journal), "--today", TODAY,
                       "--dry-run", "--out", str(folder))
    assert code == 0 and "записано в файлы 1 письмо" in out
    assert [p.name for p in folder.iterdir()] == [f"{SHEET}-1-appointment-1.eml"]


def test_notify_with_the_server_down_exits_1(tmp_path: Path) -> None:
    journal = write(tmp_path / "журнал.xlsx", [appointed(1)])
    code, out, _ = vks("-c", str(settings(tmp_path, free_port())), "notify", str(journal),
                       "--today", TODAY)
    assert code == 1
    assert "Не отправлено (будет отправлено при следующем запуске):" in out
    assert "соединение отклонено" in out


def test_replies_without_a_mailbox_or_with_it_down_exit_2(tmp_path: Path) -> None:
    journal = write(tmp_path / "журнал.xlsx", [appointed(1)])
    code, _, err = vks("-c", str(settings(tmp_path, free_port())), "replies", str(journal))
    assert code == 2 and "[imap] — не указан почтовый ящик" in err
    imap = (f'[imap]\nhost = "127.0.0.1"\nport = {free_port()}\nsecurity = "none"\n'
            f'username = "priem"\npassword_env = "VKS_TEST_IMAP"\ntimeout = 2\n')
    config = settings(tmp_path, free_port(), imap)
    code, _, err = vks("-c", str(config), "replies", str(journal), env={"VKS_TEST_IMAP": "x"})
    assert code == 2 and "недоступен" in err


def test_replies_prints_what_to_read_by_hand(imap_account: ImapAccount, tmp_path: Path) -> None:
    journal = write(tmp_path / "журнал.xlsx", [appointed(1)])
    imap_account.deliver(b"From: Someone <someone@example.org>\r\nSubject: Question\r\n"
                         b"Message-ID: <q1@example.org>\r\n\r\nHello\r\n")
    imap = (f'[imap]\nhost = "127.0.0.1"\nport = {imap_account.server.imap_port}\n'
            f'security = "none"\nusername = "{imap_account.user}"\n'
            f'password_env = "VKS_TEST_IMAP"\n')
    config = settings(tmp_path, free_port(), imap)
    env = {"VKS_TEST_IMAP": imap_account.password}
    code, out, _ = vks("-c", str(config), "replies", str(journal), "--today", TODAY, env=env)
    assert code == 0, out
    assert "разобрать вручную 1" in out
    assert "от someone@example.org «Question» — нет метки заявки" in out
    code, out, _ = vks("-c", str(config), "replies", str(journal), env=env)
    assert code == 0 and "прочитано 0 писем" in out


@pytest.mark.parametrize("command", ["notify", "replies"])
def test_the_notices_guide_documents_every_option(command: str) -> None:
    text = (ROOT / "docs" / "notices.md").read_text(encoding="utf-8")
    start = text.index(f"## `vks {command} ")
    end = text.find("\n## ", start + 1)
    section = text[start:end if end > 0 else None]
    for param in cli.commands[command].params:
        for opt in param.opts:
            if opt.startswith("--"):
                assert f"`{opt}" in section and f"[{opt}" in section, (command, opt)


def test_the_daily_job_reads_replies_checks_and_notifies(smtp: Server, imap_account: ImapAccount,
                                                         tmp_path: Path) -> None:
    journal = write(tmp_path / "журнал.xlsx", [appointed(1), rejected(2)])
    imap = (f'[imap]\nhost = "127.0.0.1"\nport = {imap_account.server.imap_port}\n'
            f'security = "none"\nusername = "{imap_account.user}"\n'
            f'password_env = "VKS_TEST_IMAP"\n')
    config = settings(tmp_path, smtp.port, imap)
    env = {"VKS_TEST_IMAP": imap_account.password}
    code, out, _ = vks("-c", str(config), "run", "daily", "--journal", str(journal),
                       "--today", TODAY, env=env)
    assert code == 0, out
    assert "  1. Ответы граждан на уведомления — " in out
    assert "  4. Уведомления гражданам по эл. почте — " in out and "отправлено 2 письма" in out
    assert "уведомлений гражданам 2" in out  # the run's summary of what it changed
    assert len(smtp.inbox.messages) == 2
    code, out, _ = vks("-c", str(config), "run", "daily", "--journal", str(journal),
                       "--today", TODAY, env=env)
    assert code == 0 and len(smtp.inbox.messages) == 2
