"""The widget's e-mails from a real Dovecot: registered once, kept until placed, moved when done."""

from __future__ import annotations

import datetime as dt
from email.message import EmailMessage
from pathlib import Path

import openpyxl
import pytest
from imap_fixtures import ImapAccount
from imapclient import imap_utf7

from toolkit.intake.register import MAILBOX, take_in
from toolkit.journal.clock import Clock
from toolkit.journal.config import Config, load_config

PASSWORD_ENV = "VKS_TEST_INTAKE_IMAP"
ARRIVED = dt.datetime(2026, 11, 26, 5, 0, tzinfo=dt.UTC)  # 12:00 in Novokuznetsk
NOW = Clock.at(dt.datetime(2026, 11, 26, 15, 0))


def widget(n: int, *, topic: str = "Удостоверение многодетной семьи",
           address: str = "г. Кемерово, ул. Весенняя, д. 5", consent: str = "Да",
           citizen: str = "Кузнецова Анна Сергеевна") -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = "Сайт Минсоцзащиты Кузбасса <no-reply@dszn.example.ru>"
    msg["To"] = "csv-zayavki@example.ru"
    msg["Subject"] = "Новая заявка: Онлайн-консультирование"
    msg["Message-ID"] = f"<widget-{n}@dszn.example.ru>"
    msg.set_content("\n".join([
        "Поступила новая заявка на личный прием посредством видеоконференцсвязи.", "",
        "Дата подачи: 26.11.2026 12:00", f"ФИО: {citizen}", "Дата рождения: 17.04.1985",
        "Документ, удостоверяющий личность: паспорт 3209 512344",
        f"Адрес места жительства: {address}",
        f"Согласие на обработку персональных данных: {consent}",
        "Согласие на видеозапись: Да", f"Тематика вопроса: {topic}",
        "Телефон: +7 905 111-22-33", "E-mail: kuznetsova@example.ru", "",
        "Письмо сформировано автоматически, не отвечайте на него.",
    ]))
    return msg


def other() -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = "Коллега <colleague@example.ru>"
    msg["Subject"] = "График отпусков"
    msg["Message-ID"] = "<other-1@example.ru>"
    msg.set_content("Добрый день! Пришлите, пожалуйста, график отпусков.")
    return msg


@pytest.fixture
def setup(imap_account: ImapAccount, journal_file, tmp_path: Path,  # type: ignore[no-untyped-def]
          monkeypatch: pytest.MonkeyPatch) -> tuple[Config, Path]:
    monkeypatch.setenv(PASSWORD_ENV, imap_account.password)
    path = journal_file({"ОСЗН г. Кемерово": [
        {"number": 1, "received": dt.date(2026, 11, 2), "citizen": "Петрова Анна Сергеевна",
         "topic": "Пособие"}], "ЦСВ": []})
    config = tmp_path / "vks.toml"
    config.write_text("\n".join([
        f'journals = ["{path.name}"]', "", "[intake]", "forward = false", "busy_retries = 0",
        "", "[intake.mailbox]", 'host = "127.0.0.1"', f"port = {imap_account.server.imap_port}",
        'security = "none"', f'username = "{imap_account.user}"',
        f'password_env = "{PASSWORD_ENV}"', 'processed_folder = "Заявки/Обработанные"', "",
        "[[intake.routes]]", 'name = "ОСЗН г. Кемерово"', 'places = ["Кемерово"]', "",
        "[[intake.routes]]", 'name = "ЦСВ"', 'topics = ["единое пособие"]', "",
        "[[bodies]]", 'name = "ОСЗН г. Кемерово"', "", "[[bodies]]", 'name = "ЦСВ"', "",
    ]), encoding="utf-8")
    return load_config(config), path


def test_widget_mails_are_taken_in_once(setup: tuple[Config, Path],
                                        imap_account: ImapAccount) -> None:
    config, journal = setup
    good = imap_account.deliver(widget(1), internaldate=ARRIVED)
    imap_account.deliver(other(), internaldate=ARRIVED)
    imap_account.deliver(widget(3, consent="Нет", citizen="Орлова Мария Ивановна"),
                         internaldate=ARRIVED)
    unplaced = imap_account.deliver(widget(4, topic="Прошу разъяснить начисления",
                                           address="с. Михайловка, ул. Центральная, д. 4",
                                           citizen="Белова Ольга Петровна"), internaldate=ARRIVED)
    imap_account.deliver(widget(5), internaldate=ARRIVED)  # the same application mailed again
    result = take_in([MAILBOX], config, NOW)
    states = {i.ref: i.state for i in result.items}
    assert sorted(states.values()) == ["broken", "broken", "copy", "registered", "unrouted"]
    assert states["письмо <widget-1@dszn.example.ru>"] == "registered"
    assert states["письмо <widget-4@dszn.example.ru>"] == "unrouted"
    assert states["письмо <widget-5@dszn.example.ru>"] == "copy"
    lines = "\n".join(result.lines())
    assert f"письмо UID {good + 1}: не заявка с виджета" in lines
    assert "«Согласие на обработку персональных данных»: указано «Нет»" in lines
    ws = openpyxl.load_workbook(journal)["ОСЗН г. Кемерово"]
    assert [c.value for c in ws[7]][:4] == [2, dt.datetime(2026, 11, 26),
                                            "Кузнецова Анна Сергеевна",
                                            "Удостоверение многодетной семьи"]
    # Done with: moved away; the unplaced one stays, flagged for the centre; so does nothing else.
    assert imap_account.uids() == [unplaced]
    assert "\\Flagged" in imap_account.flags(unplaced)
    processed = imap_utf7.encode("Заявки.Обработанные").decode()  # Maildir++ delimiter «.»
    assert len(imap_account.uids(processed)) == 4

    again = take_in([MAILBOX], config, NOW)
    assert [(i.ref, i.state) for i in again.items] == [
        ("письмо <widget-4@dszn.example.ru>", "unrouted")]
    assert openpyxl.load_workbook(journal)["ОСЗН г. Кемерово"].max_row == 7


def test_a_busy_journal_keeps_the_message_for_the_next_run(setup: tuple[Config, Path],
                                                          imap_account: ImapAccount) -> None:
    config, journal = setup
    uid = imap_account.deliver(widget(1), internaldate=ARRIVED)
    lock = journal.with_name(f"~${journal.name}")
    lock.write_bytes(b"\x07Ivanova" + b" " * 60)
    busy = take_in([MAILBOX], config, NOW)
    assert busy.exit_code == 3 and [i.state for i in busy.items] == ["pending"]
    assert imap_account.uids() == [uid]  # not recorded, not moved
    lock.unlink()
    done = take_in([MAILBOX], config, NOW)
    assert [i.state for i in done.items] == ["registered"]
    assert imap_account.uids() == []


def test_mailbox_without_settings_is_a_config_error(tmp_path: Path) -> None:
    from toolkit.journal.errors import ConfigError

    with pytest.raises(ConfigError, match=r"добавьте раздел \[intake.mailbox\]"):
        take_in([MAILBOX], Config(state_dir=tmp_path), NOW)
