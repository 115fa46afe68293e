"""Routing an application to the competent body (cl. 2.3) and finding places in addresses."""

from __future__ import annotations

import dataclasses

import pytest

from toolkit.intake.places import Gazetteer, kuzbass
from toolkit.intake.routing import UNROUTED, RoutingTable
from toolkit.intake.submission import IntakeError, Submission

MINISTRY = "Министерство социальной защиты населения Кузбасса"
BUREAU = "ГКУ «Государственное юридическое бюро Кузбасса»"
CENTRE = ("ГКУ «Центр социальных выплат и информатизации Министерства социальной защиты "
          "населения Кузбасса»")
NOVOKUZNETSK = "Управление социальной защиты населения администрации города Новокузнецка"
NK_DISTRICT = "Управление социальной защиты населения Новокузнецкого муниципального района"
KEMEROVO = "Управление социальной защиты населения администрации города Кемерово"
LENINSK = "Управление социальной защиты населения Ленинск-Кузнецкого городского округа"

TABLE = {
    "bodies": [
        {"name": MINISTRY, "aliases": ["Министерство"],
         "topics": ["жалоба на действия органа", "обжалование решения управления"]},
        {"name": BUREAU, "aliases": ["ГЮБ"],
         "topics": ["бесплатная юридическая помощь", "исков*", "алименты", "наследство"]},
        {"name": CENTRE, "aliases": ["ЦСВ"],
         "topics": ["единое пособие", "социальный контракт"]},
        {"name": NOVOKUZNETSK, "aliases": ["УСЗН г. Новокузнецка"], "places": ["Новокузнецк"]},
        {"name": NK_DISTRICT, "places": ["novokuznetsk-district", "п. Кузедеево"]},
        {"name": KEMEROVO, "places": ["Кемерово", "Кемеровский муниципальный округ"]},
        {"name": LENINSK, "places": ["Ленинск-Кузнецкий", "Полысаево"]},
    ]
}


@pytest.fixture(scope="module")
def table() -> RoutingTable:
    return RoutingTable(TABLE)


def sub(**fields: str) -> Submission:
    return dataclasses.replace(Submission(topic="Субсидия на оплату ЖКУ"), **fields)


@pytest.mark.parametrize(
    ("address", "key"),
    [
        ("654007, Кемеровская обл. - Кузбасс, г. Новокузнецк, ул. Кирова, д. 55", "novokuznetsk"),
        ("проживаю в г. Новокузнецке", "novokuznetsk"),
        ("Новокузнецкого района, с. Сосновка", "novokuznetsk-district"),
        ("Новокузнецкий муниципальный район, п. Чистогорский", "novokuznetsk-district"),
        ("г. Кемерово, ул. Новокузнецкая, 5", "kemerovo"),
        ("Новокузнецкая ул., д. 4, г. Кемерово", "kemerovo"),
        ("г. Ленинске-Кузнецком", "leninsk-kuznetsky"),
        ("Ленинск-Кузнецкого муниципального округа, с. Шабаново", "leninsk-kuznetsky-district"),
        ("г. Анжеро-Судженска", "anzhero-sudzhensk"),
        ("г. Киселёвск", "kiselevsk"),
        ("Междуреченске", "mezhdurechensk"),
        ("г. Юрге", "yurga"),
        ("Юргинский р-н, д. Талая", "yurga-district"),
        ("г. Берёзовском", "berezovsky"),
        ("г. Осинниках", "osinniki"),
        ("в Мысках", "myski"),
        ("г Топки", "topki"),
        ("Мариинске", "mariinsk"),
        ("Таштагольский р-н, пгт Шерегеш", "tashtagol"),
        ("г. Гурьевске", "guryevsk"),
        ("г. Полысаево", "polysaevo"),
        ("Калтане", "kaltan"),
        ("г. Тайге", "tayga"),
        ("г. Белово", "belovo"),
        ("Беловского муниципального округа", "belovo-district"),
        ("Прокопьевский МО", "prokopyevsk-district"),
        ("г. Прокопьевске", "prokopyevsk"),
    ],
)
def test_municipalities_in_any_case(address: str, key: str) -> None:
    assert [m.key for m in Gazetteer().find(address)] == [key]


def test_streets_and_the_region_are_not_places() -> None:
    gazetteer = Gazetteer()
    assert gazetteer.find("Кемеровская обл., ул. Березовская, 5") == []
    assert gazetteer.find("с. Михайловка, ул. Центральная, 4") == []
    assert len(kuzbass()) == 34


def test_topic_keywords_win_over_the_place(table: RoutingTable) -> None:
    routing = table.route(sub(topic="Помощь в составлении искового заявления о взыскании "
                              "алиментов", address="г. Новокузнецк", body="УСЗН г. Новокузнецка"))
    assert routing.body == BUREAU
    assert routing.rule == "topic"
    assert routing.reason == ("Тематика вопроса относится к органу (ключевые слова: «исков*», "
                              "«алименты»)")
    inflected = table.route(sub(topic="Не поступает единого пособия на детей"))
    assert inflected.body == CENTRE


def test_a_topic_of_two_bodies_is_not_placed(table: RoutingTable) -> None:
    routing = table.route(sub(topic="Социальный контракт, исковое заявление о наследстве"))
    assert routing.body is None
    assert routing.reason.startswith(f"{UNROUTED}: тематика подходит нескольким органам")
    # more keyword words win: three of the bureau's against two of the centre's
    specific = table.route(sub(topic="Бесплатная юридическая помощь: единое пособие"))
    assert specific.body == BUREAU


def test_the_place_of_residence(table: RoutingTable) -> None:
    routing = table.route(sub(address="г. Новокузнецк, ул. Кирова, 55", body=KEMEROVO))
    assert routing.body == NOVOKUZNETSK
    assert routing.rule == "place"
    assert routing.reason == (
        "Место жительства — Новокузнецкий городской округ (по адресу); гражданин выбрал "
        f"другой орган — «{KEMEROVO}»"
    )
    district = table.route(sub(address="Новокузнецкого района, ул. Ленина, 1"))
    assert district.body == NK_DISTRICT
    village = table.route(sub(address="п. Кузедеево, ул. Школьная, 3"))
    assert village.body == NK_DISTRICT
    field = table.route(sub(municipality="Полысаевский городской округ"))
    assert field.body == LENINSK
    assert field.reason.endswith("(по муниципальному образованию)")


def test_places_of_two_bodies_or_of_none(table: RoutingTable) -> None:
    two = table.route(sub(address="г. Кемерово", municipality="г. Новокузнецк"))
    assert two.body is None
    assert two.reason.startswith(f"{UNROUTED}: в заявке указаны места разных органов")
    none = table.route(sub(address="г. Мыски, ул. Ленина, 5"))
    assert none.body is None
    assert none.reason == (f"{UNROUTED}: для места жительства (Мысковский городской округ) в "
                           "таблице нет органа")
    # A place no body serves leaves the choice on the form to decide.
    chosen = table.route(sub(address="г. Мыски, ул. Ленина, 5", body=KEMEROVO))
    assert (chosen.body, chosen.rule) == (KEMEROVO, "chosen")
    assert chosen.reason == ("Орган выбран гражданином в заявке; для места жительства "
                             "(Мысковский городской округ) в таблице нет органа")


def test_the_chosen_body_when_nothing_else_decides(table: RoutingTable) -> None:
    chosen = table.route(sub(body="управление социальной защиты населения администрации "
                             "города НОВОКУЗНЕЦКА"))
    assert (chosen.body, chosen.rule) == (NOVOKUZNETSK, "chosen")
    by_place_in_name = table.route(sub(body="УСЗН Ленинск-Кузнецкого ГО"))
    assert by_place_in_name.body == LENINSK
    unplaced = table.route(sub(body="Пенсионный фонд", address="с. Михайловка"))
    assert not unplaced.routed
    assert unplaced.reason == (
        f"{UNROUTED}: тематика не относится к органам по ключевым словам, адрес не указывает "
        "на муниципальное образование Кузбасса из таблицы, выбранный орган не найден в таблице"
    )


def test_a_broken_table_is_refused() -> None:
    with pytest.raises(IntakeError, match="нет списка органов"):
        RoutingTable({})
    with pytest.raises(IntakeError, match="должен быть списком"):
        RoutingTable({"bodies": [{"name": "X", "topics": "пособие"}]})
    with pytest.raises(IntakeError, match="указано у двух органов"):
        RoutingTable({"bodies": [{"name": "A", "places": ["Юрга"]},
                                 {"name": "B", "places": ["г. Юрга"]}]})
