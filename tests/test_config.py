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
    # The letterhead of its decisions: address and e-mail beside the phone.
    assert ministry.address.startswith("650000, г. Кемерово") and "@" in ministry.email


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
        ({"calendar": {"short_day": ["2026-12-30"]}},
         "неизвестный ключ «short_day» ([calendar]); возможно, имелось в виду «short_days»"),
    ],
)
def test_mistakes_named_by_key(data: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError) as error:
        parse_config(data, Path("vks.toml"))
    assert "vks.toml" in str(error.value) and message in str(error.value)


def test_broken_toml_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "vks.toml"
    path.write_text("journals = [\"журнал.xlsx\"", encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        load_config(path)
    assert str(error.value) == f"{path}, в конце файла: не закрыт список: ожидается «]»"
    path.write_text("[mail]\nhost = smtp.example.ru\n", encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        load_config(path)
    assert str(error.value) == (
        f"{path}, строка 2, столбец 8: неверное значение: строки пишутся в кавычках: "
        "host = \"smtp.example.ru\", списки — в квадратных скобках: [\"a@example.ru\"]")


def test_journal_paths_relative_to_the_config(tmp_path: Path) -> None:
    config = parse_config({"journals": ["журнал.xlsx", "gsheet:abc"]}, tmp_path / "vks.toml")
    assert config.resolve("журнал.xlsx") == str(tmp_path / "журнал.xlsx")
    assert config.resolve("gsheet:abc") == "gsheet:abc"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[maill]\nhost = \"smtp\"\n", "строка 1: неизвестный раздел «maill» (вне разделов); "
                                       "возможно, имелось в виду «mail»"),
        ("journal = \"журнал.xlsx\"\n", "строка 1: неизвестный ключ «journal» (вне разделов); "
                                         "возможно, имелось в виду «journals»"),
        ("[letters]\nout = \"a\"\noutt = \"решения\"\n",
         "строка 3: неизвестный ключ «outt» ([letters]); возможно, имелось в виду «out»"),
        ("[[bodies]]\nname = \"А\"\n\n[[bodies]]\nname = \"Б\"\nrecipient = [\"x@y.ru\"]\n",
         "строка 6: неизвестный ключ «recipient» ([[bodies]] № 2); возможно, имелось в виду "
         "«recipients»"),
        ("[stats]\nzzz = 1\n", "строка 2: неизвестный ключ «zzz» ([stats]); допустимы: top_topics"),
    ],
)
def test_unknown_keys_are_named_with_line_and_nearest_name(
        tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "vks.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        load_config(path)
    assert str(error.value) == f"{path}, {message}"


def test_every_setting_is_in_the_example_and_the_reference() -> None:
    from toolkit.journal.settings import SETTINGS

    example = (ROOT / "vks.example.toml").read_text(encoding="utf-8")
    reference = (ROOT / "docs" / "settings.md").read_text(encoding="utf-8")
    for setting in SETTINGS:
        assert f"| `{setting.name}` |" in reference, setting.name
        assert f"{setting.key} =" in example or f"{setting.key} = " in example, setting.name


def test_calendar_overrides_parsed() -> None:
    config = parse_config({"calendar": {"short_days": ["2026-12-30"],
                                        "hours": {"2026-12-29": "09:00-16:00",
                                                  "2026-06-11": "09:00-18:00"}}})
    assert config.calendar.short_days == (dt.date(2026, 12, 30),)
    assert config.calendar.hours == ((dt.date(2026, 6, 11), (dt.time(9), dt.time(18))),
                                     (dt.date(2026, 12, 29), (dt.time(9), dt.time(16))))
