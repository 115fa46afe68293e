"""vks.toml: every mistake named by file and key; the example parses."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from toolkit.journal.config import Config, load_config, parse_config
from toolkit.journal.errors import ConfigError

ROOT = Path(__file__).resolve().parent.parent


def test_example_config_parses() -> None:
    config = load_config(ROOT / "vks.example.toml")
    assert config.timezone == "Asia/Novokuznetsk"
    ministry = config.bodies[0]
    assert ministry.sheet == "Министерство"
    assert ministry.open_hours(dt.date(2026, 11, 27)) == (dt.time(9), dt.time(17))  # Friday
    assert ministry.open_hours(dt.date(2026, 11, 26)) == (dt.time(9), dt.time(18))
    assert config.body_for_sheet("ЦСВ") is config.bodies[3]


def test_no_config_means_defaults(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("VKS_CONFIG", raising=False)
    assert load_config() == Config()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"timezone": "Europe/Atlantis"}, "timezone = «Europe/Atlantis»"),
        ({"calendar": {"days_off": ["31.12.2026"]}}, "calendar.days_off — «31.12.2026»"),
        ({"bodies": [{"sheet": "x"}]}, "bodies[1].name — не указано"),
        ({"bodies": [{"name": "А", "hours": "18:00-09:00"}]}, "bodies[1].hours — «18:00-09:00»"),
        ({"bodies": [{"name": "А", "hours_by_day": {"пт": "09:00-16:00"}}]},
         "bodies[1].hours_by_day.пт"),
        ({"bodies": [{"name": "А", "sheet": "Л"}, {"name": "Б", "sheet": "Л"}]},
         "лист «Л» указан у двух органов"),
        ({"journals": "журнал.xlsx", "bodies": [{"name": "А", "recipients": [1]}]},
         "bodies[1].recipients"),
        ({"calendar": {"short_days": "2026-12-30"}}, "calendar.short_days — ожидается список"),
        ({"calendar": {"short_days": ["30.12.2026"]}}, "calendar.short_days — «30.12.2026»"),
        ({"calendar": {"hours": ["2026-12-30"]}}, "calendar.hours — ожидается таблица"),
        ({"calendar": {"hours": {"30.12.2026": "09:00-16:00"}}},
         "calendar.hours.30.12.2026 — «30.12.2026» — не дата"),
        ({"calendar": {"hours": {"2026-12-30": "16:00-09:00"}}},
         "calendar.hours.2026-12-30 — «16:00-09:00» — конец раньше начала"),
        ({"calendar": {"hours": {"2026-12-30": ""}}},
         "calendar.hours.2026-12-30 — нерабочий день указывается в calendar.days_off"),
        ({"calendar": {"days_off": ["2026-12-30"], "short_days": ["2026-12-30"]}},
         "calendar.short_days — «2026-12-30» указан и в calendar.days_off"),
        ({"calendar": {"days_off": ["2026-12-30"], "hours": {"2026-12-30": "09:00-16:00"}}},
         "calendar.hours.2026-12-30 — этот день указан и в calendar.days_off"),
        ({"calendar": {"short_day": ["2026-12-30"]}}, "calendar.short_day — неизвестный параметр"),
    ],
)
def test_mistakes_named_by_key(data: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError) as error:
        parse_config(data, Path("vks.toml"))
    assert "vks.toml" in str(error.value) and message in str(error.value)


def test_broken_toml_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "vks.toml"
    path.write_text("bodies = [", encoding="utf-8")
    with pytest.raises(ConfigError, match="ошибка синтаксиса TOML"):
        load_config(path)


def test_journal_paths_relative_to_the_config(tmp_path: Path) -> None:
    config = parse_config({"journals": ["журнал.xlsx", "gsheet:abc"]}, tmp_path / "vks.toml")
    assert config.resolve("журнал.xlsx") == str(tmp_path / "журнал.xlsx")
    assert config.resolve("gsheet:abc") == "gsheet:abc"


def test_calendar_overrides_parsed() -> None:
    config = parse_config({"calendar": {"short_days": ["2026-12-30"],
                                        "hours": {"2026-12-29": "09:00-16:00",
                                                  "2026-06-11": "09:00-18:00"}}})
    assert config.calendar.short_days == (dt.date(2026, 12, 30),)
    assert config.calendar.hours == ((dt.date(2026, 6, 11), (dt.time(9), dt.time(18))),
                                     (dt.date(2026, 12, 29), (dt.time(9), dt.time(16))))


def test_every_setting_is_documented() -> None:
    """Each [calendar] and [[bodies]] key is in vks.example.toml and in README's table."""
    from toolkit.journal.config import BODY_KEYS, CALENDAR_KEYS

    example = (ROOT / "vks.example.toml").read_text(encoding="utf-8")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for section, keys in (("[calendar]", CALENDAR_KEYS), ("[[bodies]]", BODY_KEYS)):
        for key in keys:
            assert f"| `{key}` | `{section}` |" in readme, (section, key)
            assert f"\n{key} = " in example or f"\n# {key} = " in example, (section, key)
    # And the example's [calendar] overrides parse into a calendar.
    config = load_config(ROOT / "vks.example.toml")
    assert config.calendar.short_days == () and config.calendar.hours == ()


def test_specialists_roster_parsed() -> None:
    config = parse_config({"bodies": [
        {"name": "А", "specialists": ["Тарасов  Евгений Павлович", "Гончарова Е.С."]},
        {"name": "Б"}]})
    assert config.bodies[0].specialists == ("Тарасов Евгений Павлович", "Гончарова Е.С.")
    assert config.bodies[1].specialists == ()
    example = load_config(ROOT / "vks.example.toml")
    assert example.bodies[0].specialists  # the example shows the key in use


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("Тарасов Е.П.", "ожидается список Ф.И.О."),
        ([1], "ожидается список Ф.И.О."),
        (["Тарасов Е.П.", "Тарасов"], "запись 2 — ожидаются фамилия, имя и отчество"),
        (["Е.П."], "запись 1 — ожидаются"),
        (["  "], "запись 1 — ожидаются"),
        (["=HYPERLINK(\"http://x\";\"Тарасов Е.П.\")"], "запись 1 начинается со знака формулы"),
    ],
)
def test_specialists_mistakes_named_without_the_name(value: object, message: str) -> None:
    with pytest.raises(ConfigError) as error:
        parse_config({"bodies": [{"name": "А", "specialists": value}]}, Path("vks.toml"))
    text = str(error.value)
    assert "vks.toml: bodies[1].specialists — " in text and message in text
    assert "Тарасов" not in text.split("например", maxsplit=1)[0]  # personal data stays out
