"""A demo website export with planted cases, and its answer key.

    manifest = make_demo_export(Path("демо"), seed=1, earlier=rows_from_journals)
    manifest.csv, manifest.json            # the same applications in both formats
    manifest.cases["unroutable"]           # → ["строка 9"] (CSV) — JSON: manifest.json_refs(…)

Planted (kind → what `vks intake` must do):
- "unroutable": a topic without keywords and a village no body serves → «Не распределено»;
- "duplicate": one submission exported twice (equal keys) → registered once;
- "no-consent": the personal-data consent missing → not registered, a problem;
- "bad-date": an impossible date of birth (31.02) → not registered, a problem;
- "repeat": a citizen of `earlier` asking an earlier question again → a repeat match.
Every other row is a valid application that `DEMO_ROUTING` places. Deterministic by seed. The CSV
is cp1251 with «;», as the website's «Выгрузить в Excel» gives it; the JSON is UTF-8
{"applications": [...]}. No value looks like a spreadsheet formula.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import random
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from toolkit.intake.repeats import EarlierApplication, RepeatIndex
from toolkit.intake.submission import TIMEZONE, birth_hash
from toolkit.journal.config import Config

MINISTRY = "Министерство социальной защиты населения Кузбасса"
BUREAU = "ГКУ «Государственное юридическое бюро Кузбасса»"
CENTRE = ("ГКУ «Центр социальных выплат и информатизации Министерства социальной защиты "
          "населения Кузбасса»")
KEMEROVO = "Управление социальной защиты населения администрации города Кемерово"
NOVOKUZNETSK = "Управление социальной защиты населения администрации города Новокузнецка"
LENINSK = "Управление социальной защиты населения Ленинск-Кузнецкого городского округа"

DEMO_ROUTING: dict[str, list[dict[str, object]]] = {
    "bodies": [
        {"name": MINISTRY, "aliases": ["Министерство"],
         "topics": ["жалоба", "обжалование решения"]},
        {"name": BUREAU, "aliases": ["ГЮБ Кузбасса"],
         "topics": ["бесплатная юридическая помощь", "исков*", "алименты", "наследство"]},
        {"name": CENTRE, "aliases": ["ЦСВ"], "topics": ["единое пособие", "социальный контракт"]},
        {"name": KEMEROVO, "aliases": ["ОСЗН г. Кемерово"],
         "places": ["Кемерово", "Кемеровский муниципальный округ"]},
        {"name": NOVOKUZNETSK, "aliases": ["ОСЗН г. Новокузнецка"], "places": ["Новокузнецк"]},
        {"name": LENINSK, "aliases": ["ОСЗН г. Ленинска-Кузнецкого"],
         "places": ["Ленинск-Кузнецкий", "Полысаево"]},
    ]
}
"""The routing table the demo export is made for (see routing.RoutingTable)."""

HEADINGS = (
    "№ заявки", "Дата и время подачи", "Фамилия, имя, отчество", "Дата рождения",
    "Документ, удостоверяющий личность", "Орган", "Адрес места жительства",
    "Согласие на обработку персональных данных", "Согласие на видеозапись",
    "Тематика вопроса", "Телефон", "E-mail",
)
JSON_KEYS = ("id", "createdAt", "fio", "birthDate", "document", "body", "address",
             "consentPersonalData", "consentVideo", "topic", "phone", "email")

_SURNAMES = ("Соколов Морозов Волков Лебедев Козлов Новиков Егоров Павлов Орлов Макаров "
             "Захаров Зайцев Борисов Романов Гусев Титов Кузьмин Белов Медведев Антонов")
_MALE = "Андрей Сергей Николай Олег Юрий Михаил Виктор Павел"
_FEMALE = "Ольга Елена Татьяна Ирина Светлана Галина Марина Наталья"
_FATHERS = "Иван Петр Андрей Николай Михаил Виктор Юрий"
_PLACES = (  # an address and the body a citizen living there picks on the form
    ("г. Кемерово, ул. Весенняя, д. {n}, кв. {m}", KEMEROVO),
    ("Кемеровская обл., г. Новокузнецк, пр. Металлургов, д. {n}, кв. {m}", NOVOKUZNETSK),
    ("г. Ленинск-Кузнецкий, ул. Пушкина, д. {n}", LENINSK),
    ("г. Полысаево, ул. Космонавтов, д. {n}, кв. {m}", LENINSK),
    ("Кемеровский муниципальный округ, д. Сухово, ул. Новая, д. {n}", KEMEROVO),
)
_TOPICS = (
    "Субсидия на оплату жилого помещения и коммунальных услуг",
    "Компенсация расходов на оплату ЖКУ пенсионеру",
    "Присвоение звания «Ветеран труда»",
    "Удостоверение многодетной семьи",
    "Путевка в санаторий для ветерана труда",
    "Единое пособие на детей не поступает",
    "Социальный контракт на открытие ИП",
    "Бесплатная юридическая помощь по вопросу наследства",
    "Жалоба на действия специалиста управления",
    "Материальная помощь в трудной жизненной ситуации",
)
KINDS = ("unroutable", "duplicate", "no-consent", "bad-date", "repeat")
_FORMULA_LIKE = re.compile(r"^[=@\t\r]|^[+\-](?![\d\s(])")


class _Citizen(NamedTuple):
    fio: str
    birth: dt.date
    document: str
    phone: str
    email: str


@dataclass
class DemoManifest:
    """Where the planted cases are: CSV line refs per kind; JSON records are the same order."""

    csv: Path
    json: Path
    rows: int
    earlier: list[EarlierApplication]
    cases: dict[str, list[str]] = field(default_factory=dict)  # kind → ["строка 7", …]
    repeated: list[str] = field(default_factory=list)  # references of the earlier rows repeated

    def json_refs(self, kind: str) -> list[str]:
        """The planted rows of a kind as the JSON reader names them («запись N»)."""
        return [f"запись {int(ref.split()[1]) - 1}" for ref in self.cases[kind]]


def demo_earlier(seed: int = 1) -> list[EarlierApplication]:
    """A small list of earlier applications, as read from last year's journals."""
    rng = random.Random(seed * 7919)
    out = []
    for row in range(12):
        person = _person(rng)
        out.append(EarlierApplication(
            citizen=person.fio, received=dt.date(2025, 1, 9) + dt.timedelta(days=17 * row),
            topic=rng.choice(_TOPICS), body=KEMEROVO, sheet="ОСЗН г. Кемерово", row=row + 6,
            decision="Назначен прием", outcome="Прием проведен", phone=person.phone,
            email=person.email if row % 2 else "",
        ))
    return out


def make_demo_export(
    folder: Path,
    *,
    seed: int = 1,
    count: int = 30,
    earlier: Sequence[EarlierApplication] | None = None,
    today: dt.date = dt.date(2026, 11, 27),
) -> DemoManifest:
    """Write «заявки-с-сайта.csv» and «заявки-с-сайта.json» into `folder`; return the key."""
    if count < len(KINDS) + 3:
        raise ValueError("count too small for the planted cases")
    rng = random.Random(seed)
    earlier = list(earlier) if earlier is not None else demo_earlier(seed)
    start = dt.datetime.combine(today - dt.timedelta(days=3), dt.time(8), TIMEZONE)
    records: list[dict[str, str]] = []
    for i in range(count):
        person = _person(rng)
        moment = start + dt.timedelta(minutes=rng.randrange(3 * 24 * 60 // count) + i * 3 * 24
                                      * 60 // count)
        address, body = rng.choice(_PLACES)
        if rng.random() < 0.15:  # some pick the ministry or another body by mistake
            body = rng.choice((MINISTRY, KEMEROVO, NOVOKUZNETSK))
        records.append({
            "id": str(1000 + i), "createdAt": f"{moment:%d.%m.%Y %H:%M}", "fio": person.fio,
            "birthDate": f"{person.birth:%d.%m.%Y}", "document": person.document,
            "body": body, "address": address.format(n=rng.randrange(1, 120),
                                                    m=rng.randrange(1, 300)),
            "consentPersonalData": "Да", "consentVideo": "Да",
            "topic": rng.choice(_TOPICS), "phone": person.phone, "email": person.email,
        })
    slots = rng.sample(range(1, count - 1), len(KINDS))
    cases: dict[str, list[int]] = {}
    plant = dict(zip(KINDS, slots, strict=True))
    unroutable = records[plant["unroutable"]]
    unroutable.update(address="с. Михайловка, ул. Центральная, д. 4", body="",
                      topic="Прошу разъяснить порядок начисления выплат")
    records[plant["no-consent"]]["consentPersonalData"] = ""
    records[plant["bad-date"]]["birthDate"] = "31.02.1990"
    repeated = _plant_repeat(records[plant["repeat"]], earlier, rng)
    # a later export overlaps the earlier one: the same row again, under another site id
    copy = dict(records[plant["duplicate"]], id=str(1000 + count))
    records.append(copy)
    for kind, index in plant.items():
        cases[kind] = [index]
    cases["duplicate"].append(len(records) - 1)

    folder.mkdir(parents=True, exist_ok=True)
    for record in records:
        for value in record.values():
            assert not _FORMULA_LIKE.match(value), "demo values never look like formulas"
    csv_path = folder / "заявки-с-сайта.csv"
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(HEADINGS)
    writer.writerows([[r[k] for k in JSON_KEYS] for r in records])
    csv_path.write_bytes(buffer.getvalue().encode("cp1251"))
    json_path = folder / "заявки-с-сайта.json"
    json_path.write_text(
        json.dumps({"applications": [_typed(r) for r in records]}, ensure_ascii=False, indent=1),
        encoding="utf-8",
    )
    return DemoManifest(
        csv_path, json_path, len(records), earlier,
        {k: [f"строка {i + 2}" for i in v] for k, v in cases.items()}, repeated,
    )


def _person(rng: random.Random) -> _Citizen:
    female = rng.random() < 0.55
    surname = rng.choice(_SURNAMES.split()) + ("а" if female else "")
    first = rng.choice((_FEMALE if female else _MALE).split())
    father = rng.choice(_FATHERS.split())
    stem = {"Петр": "Петров", "Юрий": "Юрьев", "Николай": "Николаев", "Андрей": "Андреев",
            "Михаил": "Михайлов"}.get(father, father + "ов")
    patronymic = stem + ("на" if female else "ич")
    serial = rng.randrange(10**6, 10**7)
    return _Citizen(
        fio=f"{surname} {first} {patronymic}",
        birth=dt.date(1945, 1, 1) + dt.timedelta(days=rng.randrange(365 * 60)),
        document=f"паспорт {rng.randrange(3200, 3299)} {rng.randrange(10**5, 10**6)}",
        phone=f"+7 (900) {serial // 10**4:03d}-{serial // 100 % 100:02d}-{serial % 100:02d}",
        email=f"demo{serial}@example.ru",
    )


def _plant_repeat(
    record: dict[str, str], earlier: Sequence[EarlierApplication], rng: random.Random
) -> list[str]:
    """Make a record the earlier question of a citizen of `earlier`, asked again."""
    usable = [e for e in earlier if e.phone or e.email]
    if not usable:
        raise ValueError("earlier applications need a phone or an e-mail to plant a repeat")
    old = rng.choice(usable)
    # A Kemerovo address: the demo journal has that body's sheet, so `vks intake` registers the
    # repeat there and writes the hint (the demo table places every other body too).
    record.update(address=f"г. Кемерово, ул. Весенняя, д. {len(old.citizen)}", body=KEMEROVO)
    record.update(fio=old.citizen, phone=old.phone, email=old.email,
                  topic=f"Повторно: {old.topic}, ответа по существу не получил")
    moment = dt.datetime.strptime(record["createdAt"], "%d.%m.%Y %H:%M")
    matches = RepeatIndex(earlier).find_for(
        record["fio"], record["topic"], phone=record["phone"], email=record["email"],
        birth_hash=birth_hash(dt.datetime.strptime(record["birthDate"], "%d.%m.%Y").date()),
        on=moment.date(),
    )
    return [m.earlier.reference for m in matches]


def _typed(record: dict[str, str]) -> dict[str, object]:
    """A JSON record as the site's API gives it: ISO dates, consents as booleans."""
    out: dict[str, object] = dict(record)
    moment = dt.datetime.strptime(record["createdAt"], "%d.%m.%Y %H:%M").replace(tzinfo=TIMEZONE)
    out["createdAt"] = moment.isoformat()
    day = record["birthDate"]
    try:
        out["birthDate"] = dt.datetime.strptime(day, "%d.%m.%Y").date().isoformat()
    except ValueError:
        out["birthDate"] = day  # the planted impossible date stays as typed
    for key in ("consentPersonalData", "consentVideo"):
        out[key] = record[key] == "Да" if record[key] else None
    return out


def demo_export_for(journal: Path, folder: Path, config: Config, *, seed: int = 1,
                    today: dt.date = dt.date(2026, 11, 27)) -> DemoManifest:
    """The demo export for a demo journal: its repeat question repeats a row of that journal,
    so `vks intake` finds it there."""
    from toolkit.journal.read import read_journals
    from toolkit.sources.open import open_source

    earlier = [
        EarlierApplication(citizen=app.citizen, received=app.received, topic=app.topic,
                           body=j.body.name, sheet=j.sheet, row=app.row, phone=app.phone,
                           email=app.email, address=app.address,
                           decision=app.decision.label if app.decision else "",
                           outcome=app.outcome.label if app.outcome else "")
        for j in read_journals(open_source(str(journal), config), config)
        for app in j.applications if app.citizen and (app.phone or app.email)
    ]
    return make_demo_export(folder, seed=seed, earlier=earlier or None, today=today)
