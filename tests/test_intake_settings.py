"""`[intake]` of vks.toml: every mistake named by key; the defaults of the routing table."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from toolkit.intake.demo_export import DEMO_ROUTING
from toolkit.intake.settings import IntakeSettings
from toolkit.journal.config import load_config, parse_config
from toolkit.journal.errors import ConfigError

BODIES = [{"name": "ГКУ «Центр социальных выплат»", "sheet": "ЦСВ", "email": "csv@example.ru"},
          {"name": "Управление социальной защиты населения г. Кемерово",
           "sheet": "ОСЗН г. Кемерово"}]


def settings(intake: dict[str, Any], bodies: list[dict[str, Any]] = BODIES) -> IntakeSettings:
    return IntakeSettings.from_config(parse_config({"intake": intake, "bodies": bodies},
                                                   Path("vks.toml")))


@pytest.mark.parametrize(("intake", "message"), [
    ({"routes": [{"name": "ЦСВ", "topic": ["пособие"]}]},
     "[intake] routes[1].topic — неизвестный ключ; допустимы: name, aliases, topics, places"),
    ({"routes": [{"topics": ["пособие"]}]}, "[intake] routes[1].name — не указан орган"),
    ({"routes": [{"name": "ЦСВ", "topics": [1]}]},
     "[intake] routes[1].topics — ожидается список строк"),
    ({"routes": {"name": "ЦСВ"}}, "[intake] routes — ожидается список таблиц [[intake.routes]]"),
    ({"mapping": {"fio": "ФИО заявителя"}}, "[intake] mapping.fio — неизвестное поле заявки"),
    ({"mapping": {"citizen": 1}}, "[intake] mapping.citizen — ожидается заголовок столбца"),
    ({"centre": "Центр"}, "[intake] centre — «Центр» нет среди органов [[bodies]]"),
    ({"forward": "да"}, "[intake] forward — ожидается true или false"),
    ({"busy_retries": 100}, "[intake] busy_retries — ожидается число от 0 до 20"),
    ({"earlier": [1]}, "[intake] earlier — ожидается список строк"),
    ({"mailbox": {"host": "imap.example.ru", "username": "u", "password_env": "P",
                  "security": "tls"}},
     "[intake] mailbox.security — ожидается ssl, starttls или none"),
    ({"mailbox": {"host": "imap.example.ru", "user": "u"}},
     "[intake] mailbox.user — неизвестный ключ; допустимы: host, port, security"),
    ({"mailbox": {"host": "imap.example.ru", "username": "u", "password_env": "P",
                  "security": "none"}},
     "[intake] mailbox: почта для ответов: соединение без шифрования допустимо только"),
])
def test_mistakes_are_named_by_key(intake: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError) as error:
        settings(intake)
    assert str(error.value).startswith("vks.toml: ") and message in str(error.value)


def test_two_bodies_for_one_place_are_refused() -> None:
    both = settings({"routes": [{"name": "ЦСВ", "places": ["Кемерово"]},
                                {"name": "ОСЗН г. Кемерово", "places": ["г. Кемерово"]}]})
    with pytest.raises(ConfigError, match=r"\[intake\] routes: .*указано у двух органов"):
        _ = both.table


def test_an_unknown_intake_key_is_refused_with_the_nearest(tmp_path: Path) -> None:
    path = tmp_path / "vks.toml"
    path.write_text("[intake]\nforward = true\nrotes = []\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="строка 3: неизвестный ключ «rotes» \\(\\[intake\\]\\); "
                                          "возможно, имелось в виду «routes»"):
        load_config(path)


def test_a_body_email_must_be_an_address() -> None:
    with pytest.raises(ConfigError, match=r"bodies\[1\].email — «csv at example» — ожидается один"):
        parse_config({"bodies": [{"name": "ЦСВ", "email": "csv at example"}]}, Path("vks.toml"))


def test_defaults() -> None:
    plain = settings({})
    # Without routes: the body the citizen chose, by its name or sheet.
    assert plain.routes == {"bodies": [
        {"name": "ГКУ «Центр социальных выплат»", "aliases": ["ЦСВ"]},
        {"name": "Управление социальной защиты населения г. Кемерово",
         "aliases": ["ОСЗН г. Кемерово"]}]}
    assert plain.centre is not None and plain.centre.sheet == "ЦСВ"  # found by its name
    assert plain.forward and plain.repeats is None and plain.mailbox is None
    assert plain.busy_retries == 3 and plain.secret_env == "VKS_INTAKE_SECRET"
    # Without any body (the demo), the demo's table.
    assert IntakeSettings.from_config(parse_config({})).routes == DEMO_ROUTING
    # A route named by the sheet knows the body's full name too.
    named = settings({"routes": [{"name": "ОСЗН г. Кемерово", "places": ["Кемерово"]}]})
    assert named.routes["bodies"][0]["aliases"] == [
        "Управление социальной защиты населения г. Кемерово"]
    mailbox = settings({"mailbox": {"host": "imap.example.ru", "username": "z@example.ru",
                                    "password_env": "P", "folder": "Заявки"}}).mailbox
    assert mailbox is not None and (mailbox.folder, mailbox.address) == ("Заявки",
                                                                          "imap.example.ru:993")
