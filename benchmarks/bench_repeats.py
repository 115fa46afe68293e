"""How fast repeat questions are found: prints figures, asserts nothing.

    PYTHONPATH=. python benchmarks/bench_repeats.py [--earlier 100000] [--new 1000]

N earlier applications (default 100,000: a few years of every body's journals) are indexed and
M new ones (default 1,000: a big day's export) looked up; half of the new ones are a citizen of
the earlier rows asking one of his questions again in other words. Topics are free text (a
wording from benchmarks/repeats_topics.py and two details), so few recur and lemmatisation is
real work. The baseline, measured in the same run on the same rows, is the
plainest pass any lookup needs: folding every ФИО and topic (case, ё/е, spaces) once. The ratio
says what indexing, name matching, lemmatisation and fuzzy scoring cost on top of reading.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from repeats_topics import GROUPS

from toolkit.intake.repeats import EarlierApplication, RepeatIndex, topic_lemmas
from toolkit.intake.submission import birth_hash
from toolkit.intake.text import lemma
from toolkit.journal.schema import normalize

_ROOTS_TEXT = (
    "Бел Чер Сух Круг Лис Мороз Берез Дуб Клен Сосн Ворон Галк Грач Щук Карас Окун Орех Греч "
    "Пшенич Овс Рябин Калин Малин Вишн Голуб Скворц Чиж Снегир Журавл Лебед Сокол Ястреб Кречет "
    "Беркут Сом Налим Ерш Судак Осетр Кедр Пихт Полын Ромашк Камыш Тростник Кузнец Плотник Бондар "
    "Гончар Рыбак Пахар Косар Мельник Пекар Ткач Швец Сапожник Кожевник Медник Столяр Токар "
    "Слесар Пастух Охотник Лесник Садов Огород Полев Лугов Речн Озер Горн Степн Болотн Ключ "
    "Родник Ручей Камен Песочн Глин Желез Медн Серебрян Золот Жемчуж Янтар Хрусталь Стекл"
)
_ROOTS = _ROOTS_TEXT.split()
_ENDINGS = ("ов", "ин", "ев", "овский", "енко", "ук", "ых", "ский")
_FIRST_TEXT = ("Иван Петр Сергей Алексей Андрей Дмитрий Николай Михаил Владимир Юрий Олег "
               "Виктор Анна Ольга Елена Татьяна Наталья Ирина Светлана Галина Людмила Марина "
               "Нина Вера")
_FATHERS_TEXT = ("Иванович Петрович Сергеевич Алексеевич Андреевич Николаевич Михайлович "
                 "Владимирович Юрьевич Викторович")
FIRST, FATHERS = _FIRST_TEXT.split(), _FATHERS_TEXT.split()
DETAILS = ("с января", "с прошлого года", "после переезда", "второй месяц", "для мамы",
           "для отца", "срочно", "по новому адресу", "после смены банка", "в этом году",
           "уже обращалась", "по телефону не ответили", "документы сданы", "в МФЦ отказали",
           "пришел отказ", "нет ответа")


def topic(group: int, rng: random.Random) -> str:
    """A free-text topic: one wording of the question and a detail, so texts rarely recur."""
    return f"{rng.choice(GROUPS[group])}, {rng.choice(DETAILS)}, {rng.choice(DETAILS)}"


def people(count: int, rng: random.Random) -> list[tuple[str, str, str]]:
    """(ФИО, phone, birth hash) with a skewed surname distribution, as in real journals."""
    surnames = [r + e for r in _ROOTS for e in _ENDINGS]
    weights = [1 / (i + 1) ** 0.8 for i in range(len(surnames))]
    chosen = rng.choices(surnames, weights, k=count)
    out = []
    for i, surname in enumerate(chosen):
        name = f"{surname} {rng.choice(FIRST)} {rng.choice(FATHERS)}"
        day = dt.date(1940, 1, 1) + dt.timedelta(days=rng.randrange(365 * 65))
        out.append((name, f"8900{i:07d}", birth_hash(day)))
    return out


def build(earlier_n: int, new_n: int, seed: int = 1) -> tuple[list[EarlierApplication],
                                                               list[dict[str, str]]]:
    rng = random.Random(seed)
    citizens = people(earlier_n // 3, rng)  # three applications per citizen on average
    earlier = []
    asked: dict[str, int] = {}
    for row in range(earlier_n):
        name, phone, birth = rng.choice(citizens)
        group = asked[name] = rng.randrange(len(GROUPS))
        earlier.append(EarlierApplication(
            citizen=name if rng.random() < 0.8 else name.split()[0] + " " + name.split()[1][0]
            + "." + name.split()[2][0] + ".",
            received=dt.date(2021, 1, 1) + dt.timedelta(days=rng.randrange(1100)),
            topic=topic(group, rng), sheet=f"Орган {row % 40}", row=row + 6,
            birth_hash=birth if rng.random() < 0.3 else "",
            phone=phone if rng.random() < 0.6 else "",
        ))
    strangers = people(new_n, random.Random(seed + 1))
    new = []
    known = [c for c in citizens if c[0] in asked]
    for i in range(new_n):
        if i % 2 == 0:  # a citizen of the journals asks his last question again
            name, phone, birth = rng.choice(known)
            question = topic(asked[name], rng)
        else:
            name, phone, birth = strangers[i]
            question = topic(rng.randrange(len(GROUPS)), rng)
        new.append({"citizen": name, "phone": phone, "birth_hash": birth, "topic": question})
    return earlier, new


def timed(label: str, func, *args):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    result = func(*args)
    elapsed = time.perf_counter() - start
    print(f"{label:58} {elapsed:8.3f} с")
    return result, elapsed


def baseline(earlier: list[EarlierApplication], new: list[dict[str, str]]) -> int:
    folded = [(normalize(e.citizen), normalize(e.topic)) for e in earlier]
    folded += [(normalize(n["citizen"]), normalize(n["topic"])) for n in new]
    return len(folded)


def query(index: RepeatIndex, new: list[dict[str, str]]) -> int:
    found = 0
    for n in new:
        found += bool(index.find_for(n["citizen"], n["topic"], birth_hash=n["birth_hash"],
                                     phone=n["phone"], on=dt.date(2024, 6, 1)))
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--earlier", type=int, default=100_000)
    parser.add_argument("--new", type=int, default=1_000)
    args = parser.parse_args()
    earlier, new = build(args.earlier, args.new)
    print(f"ранее поданных заявок: {len(earlier)}, новых: {len(new)}")
    _, base = timed("основа: свертка ФИО и тематик всех строк (normalize)", baseline, earlier, new)
    lemma("пособие")  # the analyzer's dictionaries load once per process: not a per-row cost
    index, t_index = timed("индекс ранее поданных заявок", RepeatIndex, earlier)
    found, t_cold = timed("поиск повторов, первый прогон (леммы не в кэше)", query, index, new)
    _, t_warm = timed("поиск повторов, второй прогон", query, index, new)
    lemmas = topic_lemmas.cache_info().currsize
    print(f"новых заявок с найденным повтором: {found} из {len(new)}; тематик в кэше лемм: "
          f"{lemmas}")
    total = t_index + t_cold
    print(f"индекс + поиск: {total:.3f} с = {total / base:.1f} × основы "
          f"(индекс {t_index / base:.1f} ×, поиск {t_cold / base:.1f} ×; "
          f"повторный поиск {t_warm / base:.2f} ×)")


if __name__ == "__main__":
    main()
