"""`vks doctor`: every check with ✓ or ✗ and what to do; it logs in to mail but sends nothing."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from smtp_server import Server, make_certificate, start_login_server

from toolkit.cli import cli
from toolkit.jobs.declarations import SHIPPED_JOBS
from toolkit.jobs.doctor import Check, diagnose, exit_code, render
from toolkit.journal.files import Sharing, use_sharing
from toolkit.letters.render import find_soffice
from toolkit.sources.demo import Manifest

PASSWORD_ENV = "VKS_TEST_DOCTOR_PASSWORD"
NOW = dt.datetime(2026, 11, 27, 10)
SHEETS = ("листы «Министерство» (72 строки), «ОСЗН г. Кемерово» (72 строки), «ГЮБ Кузбасса» "
          "(72 строки), «ЦСВ» (72 строки); шапка по форме приложения № 1")


@pytest.fixture(scope="module")
def mail_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, Path]]:
    cert, key = make_certificate(tmp_path_factory.mktemp("tls"))
    server = start_login_server(cert, key, "robot", "пароль-1")
    yield server, cert
    server.stop()


@pytest.fixture(autouse=True)
def restore_sharing() -> Iterator[None]:
    old = os.umask(0o027)
    yield
    os.umask(old)
    use_sharing(Sharing())


def write_config(folder: Path, journal: Path, port: int, cafile: Path, **extra: str) -> Path:
    path = folder / "vks.toml"
    lines = [f'journals = ["{journal.name}"]', *extra.pop("top", "").splitlines(), "",
             "[mail]", 'host = "127.0.0.1"', f"port = {port}", 'security = "starttls"',
             'username = "robot"', f'password_env = "{PASSWORD_ENV}"',
             f'cafile = "{cafile}"', 'sender = "vks@example.ru"',
             'ministry_recipients = ["minsoc@example.ru"]', *extra.pop("more", "").splitlines()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def lines(checks: list[Check]) -> list[str]:
    return render(checks).splitlines()


def test_a_ready_installation_passes_every_check_and_sends_nothing(
        tmp_path: Path, demo: tuple[Path, Manifest], mail_server: tuple[Server, Path],
        monkeypatch: pytest.MonkeyPatch) -> None:
    server, cert = mail_server
    journal, _ = demo
    config = write_config(tmp_path, journal, server.port, cert)
    monkeypatch.setenv(PASSWORD_ENV, "пароль-1")
    result = CliRunner().invoke(cli, ["-c", str(config), "doctor", "--jobs", str(SHIPPED_JOBS),
                                      "--today", "2026-11-27"], prog_name="vks")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        f"✓ Настройки: {config}",
        "✓ Права новых журналов, решений и отчетов: 0640 (umask 0027)",
        f"✓ Задания ({SHIPPED_JOBS}): daily, intake, midday, monthly, recordings, replies",
        f"✓ Журнал {journal}: {SHEETS}; запись разрешена",
        "✓ Производственный календарь 2026 года известен",
        "✓ Производственный календарь 2027 года известен",
        f"✓ Почта: 127.0.0.1:{server.port}, вход как robot выполнен; письма не отправлялись",
        f"✓ LibreOffice: {find_soffice()}",
        f"✓ Служебная папка {tmp_path / '.vks'}: запись возможна",
        "",
        "Итог: все в порядке.",
    ]
    assert server.inbox.logins[-1] == "robot" and server.inbox.messages == []


def test_mail_problems_say_what_to_do(tmp_path: Path, demo: tuple[Path, Manifest],
                                      mail_server: tuple[Server, Path],
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    server, cert = mail_server
    journal, _ = demo
    config = write_config(tmp_path, journal, server.port, cert)
    monkeypatch.delenv(PASSWORD_ENV, raising=False)
    checks = diagnose(str(config), jobs_dir=SHIPPED_JOBS, now=NOW)
    assert exit_code(checks) == 1
    fix = (f"    Что сделать: проверьте [mail] host, port, security и username; пароль — в "
           f"переменной окружения {PASSWORD_ENV} (для служб systemd — строка {PASSWORD_ENV}=… "
           f"в /etc/vks/vks.env); свой корневой сертификат — [mail] cafile")
    assert [line for line in lines(checks) if "Почта" in line or "Что сделать" in line] == [
        f"✗ Почта: переменная окружения {PASSWORD_ENV} с паролем почты не задана ([mail] "
        f"password_env)", fix]
    monkeypatch.setenv(PASSWORD_ENV, "не тот")
    checks = diagnose(str(config), jobs_dir=SHIPPED_JOBS, now=NOW)
    assert [line for line in lines(checks) if "Почта" in line] == [
        f"✗ Почта: почтовый сервер 127.0.0.1:{server.port}: неверное имя пользователя или "
        f"пароль (535)"]
    assert lines(checks)[-1] == "Итог: 1 проблема — исправьте и запустите vks doctor снова."
    assert server.inbox.messages == []


def test_mail_is_required_by_the_monthly_job(tmp_path: Path, demo: tuple[Path, Manifest]) -> None:
    journal, _ = demo
    (tmp_path / "vks.toml").write_text(f'journals = ["{journal.name}"]\n', encoding="utf-8")
    checks = diagnose(str(tmp_path / "vks.toml"), jobs_dir=SHIPPED_JOBS, now=NOW)
    assert [c for c in checks if not c.ok] == [Check(
        False, "Почта: не настроена, а нужна — рассылка статистики (задания monthly)",
        "заполните раздел [mail] (host, username, password_env, sender) — docs/admin.md, "
        "«Почта»")]
    daily_only = tmp_path / "jobs"
    daily_only.mkdir()
    (daily_only / "daily.toml").write_bytes((SHIPPED_JOBS / "daily.toml").read_bytes())
    checks = diagnose(str(tmp_path / "vks.toml"), jobs_dir=daily_only, now=NOW)
    assert exit_code(checks) == 0
    assert "✓ Почта: не настроена и не нужна (ни одно задание не отправляет писем)" in \
        lines(checks)


def test_journal_problems(tmp_path: Path, demo: tuple[Path, Manifest],
                          monkeypatch: pytest.MonkeyPatch) -> None:
    journal, _ = demo
    book = openpyxl.load_workbook(journal)
    book["ЦСВ"]["B3"] = "Дата заявки"
    broken = tmp_path / "шапка.xlsx"
    book.save(broken)
    missing = tmp_path / "нет.xlsx"
    checks = diagnose(None, [str(journal), str(broken), str(missing)], SHIPPED_JOBS, NOW)
    journal_lines = [line for line in lines(checks) if "Журнал" in line or "Шапка" in line]
    assert journal_lines == [
        f"✓ Журнал {journal}: {SHEETS}; запись разрешена",
        f"✓ Журнал {broken}: листы «Министерство» (72 строки), «ОСЗН г. Кемерово» (72 строки), "
        f"«ГЮБ Кузбасса» (72 строки); шапка по форме приложения № 1; запись разрешена",
        f"✗ Шапка: {broken}, лист «ЦСВ», ячейка B3: заголовок не совпадает с формой "
        f"приложения № 1 — ожидается «Дата поступления заявки», в ячейке «Дата заявки». "
        f"Исправьте заголовок (образец — sheets_templates/журнал-вкс.xlsx).",
        f"✗ Журнал {missing}: не прочитан — Файл журнала {missing} не найден",
    ]
    # A journal the program could read but not write back (root passes any os.access check).
    monkeypatch.setattr(os, "access", lambda path, mode: Path(path) != journal)
    checks = diagnose(None, [str(journal)], SHIPPED_JOBS, NOW)
    assert Check(False, f"Журнал {journal}: нет права на запись в файл",
                 "дайте пользователю программы право записи в файл (например, общая группа и "
                 "chmod g+w — docs/admin.md, «Доступ сотрудников»)") in checks


@pytest.mark.parametrize(("now", "expected"), [
    (dt.datetime(2027, 6, 1), ["✓ Производственный календарь 2027 года известен",
                               "✓ Производственный календарь 2028 года еще не известен — "
                               "понадобится с декабря 2027 года"]),
    (dt.datetime(2027, 12, 10), ["✓ Производственный календарь 2027 года известен",
                                 "✗ Производственный календарь 2028 года неизвестен: сроки "
                                 "могут быть посчитаны неверно"]),
    (dt.datetime(2028, 3, 1), ["✗ Производственный календарь 2028 года неизвестен: сроки могут "
                               "быть посчитаны неверно",
                               "✓ Производственный календарь 2029 года еще не известен — "
                               "понадобится с декабря 2028 года"]),
])
def test_calendar_years(demo: tuple[Path, Manifest], now: dt.datetime,
                        expected: list[str]) -> None:
    journal, _ = demo
    checks = diagnose(None, [str(journal)], SHIPPED_JOBS, now)
    assert [line for line in lines(checks) if "календарь" in line] == expected


def test_settings_jobs_state_and_libreoffice(tmp_path: Path, demo: tuple[Path, Manifest]) -> None:
    journal, _ = demo
    config = tmp_path / "vks.toml"
    config.write_text("[maill]\n", encoding="utf-8")
    checks = diagnose(str(config), [str(journal)], SHIPPED_JOBS, NOW)
    assert [c.line for c in checks] == [
        f"Настройки: {config}, строка 1: неизвестный раздел «maill» (вне разделов); возможно, "
        f"имелось в виду «mail»"]
    assert exit_code(checks) == 1
    # The state folder cannot be made (a file is in the way); LibreOffice is missing while a
    # job wants the PDF; a job declaration is broken.
    (tmp_path / "файл").write_text("", encoding="utf-8")
    config.write_text('state_dir = "файл/vks"\n[letters]\nsoffice = "/нет/soffice"\n',
                      encoding="utf-8")
    jobs = tmp_path / "jobs"
    jobs.mkdir()
    (jobs / "daily.toml").write_text(
        '[when]\ntimes = ["08:30"]\n[[steps]]\ndo = "letters"\npdf = true\n', encoding="utf-8")
    bad = [c.line for c in diagnose(str(config), [str(journal)], jobs, NOW) if not c.ok]
    assert bad == [
        "LibreOffice не найден, а задания daily делают PDF пакета для печати",
        f"Служебная папка {tmp_path / 'файл' / 'vks'}: запись невозможна — на пути файл, а не "
        f"папка",
    ]
    (jobs / "daily.toml").write_text('[when]\ntimes = ["8.30"]\n', encoding="utf-8")
    bad = [c.line for c in diagnose(str(config), [str(journal)], jobs, NOW) if not c.ok]
    assert bad[0].startswith(f"Задания: {jobs / 'daily.toml'}: ")
