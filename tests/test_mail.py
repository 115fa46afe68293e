"""Mail delivery against a real SMTP server on loopback (aiosmtpd): once, retried, dry run."""

from __future__ import annotations

import email
import io
import sqlite3
import stat
import subprocess
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from click.testing import CliRunner
from smtp_server import Inbox, Server, free_port, start_server
from stats_fixtures import TODAY, write_fixture

from toolkit.cli import cli
from toolkit.journal.clock import Clock
from toolkit.journal.config import Config, parse_config
from toolkit.journal.errors import ConfigError
from toolkit.mail.smtp import MailError, MailSettings, Security, new_message, send_message
from toolkit.stats.delivery import (
    LEDGER_NAME,
    OutboxBusy,
    SendResult,
    Status,
    exclusive,
    ledger_path,
    send_monthly,
    send_reports,
)
from toolkit.stats.monthly import Month, stats_for
from toolkit.stats.xlsx import FIXED_SHEETS

OCTOBER = Month(2026, 10)
XLSX = "статистика-ВКС-2026-10.xlsx"


@pytest.fixture
def server(smtp: Server) -> Server:
    return smtp


@pytest.fixture
def journal(tmp_path: Path) -> Path:
    return write_fixture(tmp_path / "журнал.xlsx")


def make_config(port: int, **mail: Any) -> Config:
    table: dict[str, Any] = {"host": "127.0.0.1", "port": port, "security": "none",
                             "sender": "ВКС-прием <vks@example.ru>",
                             "ministry_recipients": ["minister@example.ru"]}
    table.update(mail)
    return parse_config({
        "bodies": [
            {"name": "Орган А", "sheet": "Орган А", "recipients": ["a@example.ru"]},
            {"name": "Орган Б", "sheet": "Орган Б",
             "recipients": ["b1@example.ru", "b2@example.ru"]},
            {"name": "Орган В", "sheet": "Орган В"},
        ],
        "mail": table,
    })


def run(journal: Path, config: Config, **kwargs: Any) -> SendResult:
    return send_monthly([str(journal)], config, OCTOBER, Clock.at(TODAY), **kwargs)


def statuses(result: SendResult) -> dict[str, Status]:
    return {d.body: d.status for d in result.deliveries}


def html_of(msg: EmailMessage) -> str:
    body = msg.get_body(("html",))
    assert body is not None
    return str(body.get_content())


def xlsx_of(msg: EmailMessage) -> openpyxl.Workbook:
    attachments = list(msg.iter_attachments())
    assert [a.get_filename() for a in attachments] == [XLSX]
    data = attachments[0].get_content()
    assert isinstance(data, bytes)
    return openpyxl.load_workbook(io.BytesIO(data))


# Sending once -----------------------------------------------------------------------------


def test_reports_are_delivered_once(server: Server, journal: Path) -> None:
    config = make_config(server.port)
    result = run(journal, config)
    assert statuses(result) == {"Орган А": Status.SENT, "Орган Б": Status.SENT,
                                "Орган В": Status.NO_RECIPIENTS, "все органы": Status.SENT}
    assert result.exit_code == 0
    assert len(server.inbox.messages) == 3

    envelopes = {str(m["Subject"]): rcpt for rcpt, m in server.inbox.messages}
    assert envelopes == {
        "Статистика личного приема по ВКС за октябрь 2026 — Орган А": ["a@example.ru"],
        "Статистика личного приема по ВКС за октябрь 2026 — Орган Б":
            ["b1@example.ru", "b2@example.ru"],
        "Статистика личного приема по ВКС за октябрь 2026 — все органы":
            ["minister@example.ru"],
    }
    body_a = server.inbox.by_subject("Орган А")[0]
    sent_a = next(d for d in result.deliveries if d.body == "Орган А")
    assert body_a["Message-ID"] == sent_a.message_id
    assert body_a["Message-ID"].endswith("@example.ru>")
    assert body_a["From"] == "ВКС-прием <vks@example.ru>"
    assert body_a["Auto-Submitted"] == "auto-generated"

    # The body's own figures in the HTML, its charts inline, the .xlsx attached and readable.
    html = html_of(body_a)
    assert "В октябре 2026 г. поступило 17 заявок (в сентябре — 1)." in html
    assert "Поступило заявок" in html and "Иванов" not in html
    cids = {str(part["Content-ID"]).strip("<>") for part in body_a.walk()
            if part.get_content_type() == "image/png"}
    assert len(cids) == 3  # the trend, outcomes and decisions charts
    assert all(f'src="cid:{cid}"' in html for cid in cids)
    plain = body_a.get_body(("plain",))
    assert plain is not None and "Поступило заявок: 17" in str(plain.get_content())
    wb = xlsx_of(body_a)
    assert wb.sheetnames == [*FIXED_SHEETS, "Орган А"]
    assert wb["Заявки по органам"]["B5"].value == 17

    # The ministry gets every body and the totals.
    ministry = server.inbox.by_subject("все органы")[0]
    assert "В октябре 2026 г. поступило 19 заявок" in html_of(ministry)
    assert "По органам" in html_of(ministry)
    wb = xlsx_of(ministry)
    assert wb.sheetnames == [*FIXED_SHEETS, "Орган А", "Орган Б", "Орган В"]
    assert [r[1] for r in wb["Заявки по органам"].iter_rows(min_row=5, max_row=8,
                                                            values_only=True)] == [17, 2, 0, 19]

    # A re-run sends nothing.
    again = run(journal, config)
    assert statuses(again) == {"Орган А": Status.ALREADY_SENT, "Орган Б": Status.ALREADY_SENT,
                               "Орган В": Status.NO_RECIPIENTS,
                               "все органы": Status.ALREADY_SENT}
    assert len(server.inbox.messages) == 3
    assert again.lines()[-1] == ("Итого: отправлено 0, отправлено ранее 3, ошибок 0, "
                                 "без получателей 1.")

    ledger = journal.parent / ".vks" / LEDGER_NAME
    assert ledger == ledger_path(config, [str(journal)])
    assert stat.S_IMODE(ledger.stat().st_mode) == 0o600
    with sqlite3.connect(ledger) as conn:
        rows = conn.execute("SELECT key, period, state, attempts FROM mail_outbox ORDER BY key")
        assert rows.fetchall() == [("*", "2026-10", "sent", 1), ("Орган А", "2026-10", "sent", 1),
                                   ("Орган Б", "2026-10", "sent", 1)]


def test_failed_send_is_reported_and_retried_next_run(server: Server, journal: Path) -> None:
    config = make_config(server.port)
    server.inbox.refuse = {"b1@example.ru", "b2@example.ru"}
    first = run(journal, config)
    assert statuses(first)["Орган Б"] is Status.FAILED
    assert statuses(first)["Орган А"] is Status.SENT
    assert first.exit_code == 1
    failed = first.failed[0]
    assert "все получатели отклонены" in failed.error and "550" in failed.error
    assert any(line.startswith("  ошибка: Орган Б → b1@example.ru, b2@example.ru: почтовый "
                               "сервер 127.0.0.1:") and "будет повторено" in line
               for line in first.lines())

    server.inbox.refuse = set()
    second = run(journal, config)
    assert statuses(second) == {"Орган А": Status.ALREADY_SENT, "Орган Б": Status.SENT,
                                "Орган В": Status.NO_RECIPIENTS,
                                "все органы": Status.ALREADY_SENT}
    retried = next(d for d in second.deliveries if d.body == "Орган Б")
    assert retried.message_id == failed.message_id  # the same message, tried again
    assert retried.attempts == 2
    assert len(server.inbox.by_subject("Орган Б")) == 1
    assert run(journal, config).exit_code == 0
    assert len(server.inbox.messages) == 3


def test_server_down_fails_every_report_and_sends_later(journal: Path) -> None:
    port = free_port()
    config = make_config(port)
    down = run(journal, config)
    assert down.exit_code == 1
    assert {d.body for d in down.failed} == {"Орган А", "Орган Б", "все органы"}
    assert all("соединение отклонено" in d.error for d in down.failed)

    running = start_server_on(port)
    try:
        up = run(journal, config)
        assert up.exit_code == 0
        assert len(up.with_status(Status.SENT)) == 3
        ids = {d.message_id for d in up.with_status(Status.SENT)}
        assert ids == {d.message_id for d in down.failed}
    finally:
        running.stop()


def start_server_on(port: int) -> Server:
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    return Server(inbox, port, controller)


def test_crash_after_handing_over_gives_at_most_one_duplicate(server: Server,
                                                               journal: Path) -> None:
    config = make_config(server.port)
    calls: list[str] = []

    def crashing(settings: MailSettings, msg: EmailMessage) -> dict[str, str]:
        send_message(settings, msg)
        calls.append(str(msg["Message-ID"]))
        raise KeyboardInterrupt  # the process dies before the ledger says «sent»

    with pytest.raises(KeyboardInterrupt):
        run(journal, config, transport=crashing)
    assert len(server.inbox.messages) == 1
    first_id = calls[0]
    with sqlite3.connect(journal.parent / ".vks" / LEDGER_NAME) as conn:
        assert conn.execute("SELECT state, message_id FROM mail_outbox").fetchall() == \
            [("sending", first_id)]

    after = run(journal, config)
    resent = [d for d in after.deliveries if d.resent]
    assert len(resent) == 1 and resent[0].message_id == first_id
    assert resent[0].status is Status.SENT
    assert "повторно после сбоя" in resent[0].line
    ids = [str(m["Message-ID"]) for _, m in server.inbox.messages]
    assert ids.count(first_id) == 2  # one duplicate, with the same Message-ID
    assert len(ids) == 4

    run(journal, config)
    assert len(server.inbox.messages) == 4  # never more


def test_a_second_run_at_the_same_time_is_refused(server: Server, journal: Path) -> None:
    config = make_config(server.port)
    stats = stats_for([str(journal)], config, OCTOBER, Clock.at(TODAY))
    ledger = ledger_path(config, [str(journal)])
    with exclusive(ledger), pytest.raises(OutboxBusy) as caught:
        send_reports(stats, config, ledger)
    assert caught.value.exit_code == 3
    assert server.inbox.messages == []
    assert send_reports(stats, config, ledger).exit_code == 0  # the lock is released


# Dry run ----------------------------------------------------------------------------------


def test_dry_run_writes_messages_and_sends_nothing(journal: Path, tmp_path: Path) -> None:
    config = make_config(free_port())  # nothing listens there: a send would fail
    out = tmp_path / "письма"
    result = run(journal, config, dry_run=out)
    assert statuses(result) == {"Орган А": Status.WRITTEN, "Орган Б": Status.WRITTEN,
                                "Орган В": Status.NO_RECIPIENTS, "все органы": Status.WRITTEN}
    assert result.exit_code == 0
    assert sorted(p.name for p in out.iterdir()) == ["2026-10 Орган А.eml", "2026-10 Орган Б.eml",
                                                     "2026-10 все органы.eml"]
    assert not (journal.parent / ".vks" / LEDGER_NAME).exists()  # nothing recorded
    path = out / "2026-10 Орган Б.eml"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    raw = path.read_bytes()
    assert b"\r\n" in raw
    msg = email.message_from_bytes(raw, policy=default_policy)
    assert isinstance(msg, EmailMessage)
    assert msg["To"] == "b1@example.ru, b2@example.ru"
    assert "поступило 2 заявки" in html_of(msg)
    assert xlsx_of(msg).sheetnames == [*FIXED_SHEETS, "Орган Б"]
    assert result.lines()[0] == ("Проверка рассылки (письма записаны в файлы, не отправлены) "
                                 "за октябрь 2026:")


def test_dry_run_leaves_out_what_was_sent(server: Server, journal: Path,
                                          tmp_path: Path) -> None:
    config = make_config(server.port)
    run(journal, config)
    result = run(journal, config, dry_run=tmp_path / "письма")
    assert set(statuses(result).values()) == {Status.ALREADY_SENT, Status.NO_RECIPIENTS}
    assert not (tmp_path / "письма").exists()


# Settings and transport ------------------------------------------------------------------


def test_settings_from_config() -> None:
    config = make_config(465, security="SSL", username_env="SMTP_USER",
                         password_env="SMTP_PASS", cafile="/etc/ca.pem", timeout=5)
    env = {"SMTP_USER": "robot@example.ru", "SMTP_PASS": "секрет"}
    settings = MailSettings.from_config(config, env)
    assert settings.security is Security.SSL and settings.port == 465
    assert settings.username == "robot@example.ru" and settings.password == "секрет"
    assert settings.cafile == "/etc/ca.pem" and settings.timeout == 5.0
    assert settings.ministry_recipients == ("minister@example.ru",)
    assert "секрет" not in repr(settings)
    settings.check()

    defaults = MailSettings.from_config(parse_config({"mail": {"security": "starttls"}}), {})
    assert defaults.port == 587
    assert MailSettings.from_config(parse_config({"mail": {"security": "none"}}), {}).port == 25
    sender = MailSettings.from_config(parse_config({"mail": {"username": "me@example.ru"}}), {})
    assert sender.sender == "me@example.ru"  # the login is the sender unless told otherwise


@pytest.mark.parametrize(("mail", "message"), [
    ({"password": "x"}, "пароль в файле настроек не хранится"),
    ({"security": "tls13"}, "security — ожидается starttls, ssl или none"),
    ({"port": "25"}, "port — ожидается номер порта"),
    ({"hots": "x"}, "неизвестный ключ «hots» \\(\\[mail\\]\\); возможно, имелось в виду «host»"),
    ({"ministry_recipients": ["не адрес"]}, "«не адрес» не похож на адрес эл. почты"),
    ({"sender": "vks"}, "sender — «vks» не похож на адрес"),
])
def test_settings_errors(mail: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        MailSettings.from_config(parse_config({"mail": mail}), {})


@pytest.mark.parametrize(("mail", "env", "message"), [
    ({"sender": "v@example.ru"}, {}, "host — не указан почтовый сервер"),
    ({"host": "smtp.example.ru"}, {}, "sender — не указан адрес отправителя"),
    ({"host": "h", "sender": "v@example.ru", "password_env": "P"}, {},
     "переменная окружения P с паролем почты не задана"),
    ({"host": "h", "sender": "v@example.ru", "username": "u"}, {},
     "не указан password_env"),
])
def test_settings_that_cannot_send(mail: dict[str, Any], env: dict[str, str],
                                   message: str) -> None:
    settings = MailSettings.from_config(parse_config({"mail": mail}), env)
    with pytest.raises(ConfigError, match=message):
        settings.check()


def test_no_recipients_anywhere_is_a_config_error(journal: Path) -> None:
    config = parse_config({"mail": {"host": "127.0.0.1", "sender": "v@example.ru"}})
    with pytest.raises(ConfigError, match="не указаны получатели статистики"):
        run(journal, config)


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    try:
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
             "-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1",
             "-addext", "subjectAltName=IP:127.0.0.1"],
            check=True, capture_output=True)
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("openssl is needed to make a test certificate")
    return cert, key


def _server_context(certificate: tuple[Path, Path]) -> Any:
    import ssl

    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(str(certificate[0]), str(certificate[1]))
    return context


def _authenticator(inbox: Inbox) -> Any:
    def check(server: Any, session: Any, envelope: Any, mechanism: str,
              auth_data: Any) -> AuthResult:
        ok = isinstance(auth_data, LoginPassword) and \
            (auth_data.login, auth_data.password) == (b"robot", "пароль-1".encode())
        if ok:
            inbox.logins.append(auth_data.login.decode())
        return AuthResult(success=ok, handled=False)  # not handled: the server says 535

    return check


def _plain_message(settings: MailSettings) -> EmailMessage:
    msg = new_message(settings, ["boss@example.ru"], "Сбой задания vks")
    msg.set_content("Задание не выполнено.")
    return msg


def test_starttls_with_login_from_the_environment(certificate: tuple[Path, Path]) -> None:
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port,
                            tls_context=_server_context(certificate), require_starttls=True,
                            authenticator=_authenticator(inbox), auth_required=True)
    controller.start()
    try:
        config = make_config(port, security="starttls", username="robot",
                             password_env="VKS_TEST_SMTP_PASSWORD",
                             cafile=str(certificate[0]))
        settings = MailSettings.from_config(config, {"VKS_TEST_SMTP_PASSWORD": "пароль-1"})
        assert send_message(settings, _plain_message(settings)) == {}
        assert inbox.logins == ["robot"]
        assert str(inbox.messages[0][1]["Subject"]) == "Сбой задания vks"

        wrong = MailSettings.from_config(config, {"VKS_TEST_SMTP_PASSWORD": "не тот"})
        with pytest.raises(MailError, match="неверное имя пользователя или пароль"):
            send_message(wrong, _plain_message(wrong))
        untrusted = MailSettings.from_config(make_config(port, security="starttls"), {})
        with pytest.raises(MailError, match="ошибка TLS"):
            send_message(untrusted, _plain_message(untrusted))
    finally:
        controller.stop()
    assert len(inbox.messages) == 1


def test_ssl_from_the_start(certificate: tuple[Path, Path]) -> None:
    running = start_server(ssl_context=_server_context(certificate))
    try:
        config = make_config(running.port, security="ssl", cafile=str(certificate[0]))
        settings = MailSettings.from_config(config, {})
        send_message(settings, _plain_message(settings))
        assert [rcpt for rcpt, _ in running.inbox.messages] == [["boss@example.ru"]]
    finally:
        running.stop()


# vks send ---------------------------------------------------------------------------------


def write_config(folder: Path, journal: Path, port: int) -> Path:
    path = folder / "vks.toml"
    path.write_text(
        f'journals = ["{journal.name}"]\n\n'
        f'[mail]\nhost = "127.0.0.1"\nport = {port}\nsecurity = "none"\n'
        f'sender = "vks@example.ru"\nministry_recipients = ["minister@example.ru"]\n\n'
        '[[bodies]]\nname = "Орган А"\nsheet = "Орган А"\nrecipients = ["a@example.ru"]\n',
        encoding="utf-8")
    return path


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("VKS_CONFIG", raising=False)
    return CliRunner()


def test_cli_send_once(runner: CliRunner, server: Server, journal: Path,
                       tmp_path: Path) -> None:
    config = write_config(tmp_path, journal, server.port)
    result = runner.invoke(cli, ["-c", str(config), "send", "--today", "2026-11-10"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "Рассылка статистики за октябрь 2026:",
        "  отправлено: Орган А → a@example.ru",
        "  нет получателей: Орган Б",
        "  нет получателей: Орган В",
        "  отправлено: все органы → minister@example.ru",
        "Итого: отправлено 2, отправлено ранее 0, ошибок 0, без получателей 2.",
    ]
    again = runner.invoke(cli, ["-c", str(config), "send", "--today", "2026-11-10"])
    assert again.exit_code == 0
    assert "  уже отправлено ранее: Орган А" in again.output.splitlines()
    assert len(server.inbox.messages) == 2


def test_cli_send_failure_exits_1(runner: CliRunner, journal: Path, tmp_path: Path) -> None:
    config = write_config(tmp_path, journal, free_port())
    result = runner.invoke(cli, ["-c", str(config), "send", "--month", "2026-10",
                                 "--today", "2026-11-10"])
    assert result.exit_code == 1
    assert "ошибок 2" in result.output.splitlines()[-1]
    assert "будет повторено при следующем запуске" in result.output


def test_cli_send_dry_run(runner: CliRunner, journal: Path, tmp_path: Path) -> None:
    config = write_config(tmp_path, journal, free_port())
    result = runner.invoke(cli, ["-c", str(config), "send", "--today", "2026-11-10",
                                 "--dry-run"])
    assert result.exit_code == 0, result.output
    folder = tmp_path / "рассылка-2026-10"
    assert sorted(p.name for p in folder.iterdir()) == ["2026-10 Орган А.eml",
                                                        "2026-10 все органы.eml"]
    assert "  записано письмо: Орган А → a@example.ru: рассылка-2026-10/2026-10 Орган А.eml" \
        in result.output.splitlines()


def test_cli_send_out_needs_dry_run(runner: CliRunner, journal: Path, tmp_path: Path) -> None:
    config = write_config(tmp_path, journal, free_port())
    result = runner.invoke(cli, ["-c", str(config), "send", "--out", "x"])
    assert result.exit_code == 2
    assert "--out используется только вместе с --dry-run" in result.output
