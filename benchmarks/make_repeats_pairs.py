"""Build tests/data/repeats_pairs.tsv: labelled pairs (new application, earlier one) for repeats.

    python benchmarks/make_repeats_pairs.py      # rewrites the file; deterministic (seed 2024)

Label 1 (a repeat question of the same citizen): another wording of the same question
(«rephrase»), the same with typos («typo»), its words reordered («order»), put in other grammatical
cases («inflection»). Each time the citizen is written differently (initials, case, ё/е, spaces)
and is recognised by one of date of birth, phone, e-mail or address.
Label 0: the same citizen with another question («other_topic») or a related one sharing words
(«related_topic», benchmarks/repeats_topics.RELATED); the same question from a namesake born on
another day («namesake»), from a namesake with other contacts and no date of birth on record
(«namesake_no_evidence»), or from another citizen («other_citizen»).
Groups 0–49 were used to tune repeats.py; groups 50–59 (repeats_topics.UNSEEN) were written after
and are the held-out estimate.
All people, dates and contacts are invented.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from repeats_topics import GROUPS, RELATED, UNSEEN, UNSEEN_RELATED

from toolkit.intake.text import analyzer

OUT = Path(__file__).resolve().parent.parent / "tests" / "data" / "repeats_pairs.tsv"
COLUMNS = (
    "id", "label", "kind", "group_new", "group_old",
    "new_citizen", "new_birth", "new_phone", "new_email", "new_address", "new_topic",
    "old_citizen", "old_birth", "old_phone", "old_email", "old_address", "old_topic",
)

_ROOTS_TEXT = (
    "Берез Дуб Клен Сосн Ворон Галк Грач Щук Карас Окун Орех Греч Пшенич Овс Рябин Калин Малин "
    "Вишн Черемух Голуб Скворц Чиж Снегир Журавл Лебед Сокол Ястреб Кречет Беркут Сом Налим "
    "Ерш Судак Осетр Кедр Ельц Пихт Лиственниц Полын Ромашк Васильк Колокольц Камыш Тростник"
)
_SURNAMES_TEXT = (
    "Иванов Петров Сидоров Кузнецов Смирнов Попов Васильев Соколов Михайлов Новиков Федоров "
    "Морозов Волков Алексеев Лебедев Семёнов Егоров Павлов Козлов Степанов Николаев Орлов "
    "Андреев Макаров Никитин Захаров Зайцев Соловьёв Борисов Яковлев Григорьев Романов "
    "Воробьёв Сергеев Кузьмин Фролов Александров Дмитриев Королёв Гусев Киселёв Ильин Максимов "
    "Поляков Сорокин Виноградов Ковалёв Белов Медведев Антонов Тарасов Жуков Баранов Филиппов "
    "Комаров Давыдов Беляев Герасимов Богданов Осипов Сидорук Мамедов Гасанов Шевченко"
)
SURNAMES = (
    *(f"{r}{e}" for r in _ROOTS_TEXT.split() for e in ("ов", "ин")), *_SURNAMES_TEXT.split()
)
_MALE_TEXT = "Иван Петр Сергей Алексей Андрей Дмитрий Николай Михаил Владимир Юрий Олег Виктор"
_FEMALE_TEXT = "Анна Ольга Елена Татьяна Наталья Ирина Светлана Галина Людмила Марина Нина Вера"
_FATHERS_TEXT = "Иван Петр Сергей Алексей Андрей Николай Михаил Владимир Юрий Виктор Федор"
MALE, FEMALE, FATHERS = _MALE_TEXT.split(), _FEMALE_TEXT.split(), _FATHERS_TEXT.split()
TOWNS = ("г. Кемерово", "г. Новокузнецк", "г. Прокопьевск", "г. Белово", "г. Юрга",
         "г. Междуреченск", "г. Киселёвск", "г. Ленинск-Кузнецкий", "г. Мыски", "пгт Промышленная")
_STREETS_TEXT = "Ленина Кирова Советская Мира Гагарина Пушкина Строителей Весенняя Школьная"
STREETS = _STREETS_TEXT.split()


def feminine(surname: str) -> str:
    if surname.endswith(("ов", "ев", "ёв", "ин")):
        return surname + "а"
    return surname  # Шевченко, Сидорук


def patronymic(father: str, female: bool) -> str:
    stem = {"Петр": "Петров", "Юрий": "Юрьев", "Николай": "Николаев", "Алексей": "Алексеев",
            "Андрей": "Андреев", "Сергей": "Сергеев", "Федор": "Федоров",
            "Михаил": "Михайлов"}.get(father, father + "ов")
    return stem + ("на" if female else "ич")


class People:
    """Invented citizens (each pair is judged on its own, so names may recur across pairs)."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.serial = 0

    def person(self) -> dict[str, str]:
        rng = self.rng
        female = rng.random() < 0.55
        base = rng.choice(SURNAMES)
        surname = feminine(base) if female else base
        first = rng.choice(FEMALE if female else MALE)
        return {
            "citizen": f"{surname} {first} {patronymic(rng.choice(FATHERS), female)}",
            "birth": self.birth().isoformat(),
            "phone": self.phone(),
            "email": self.email(),
            "address": self.address(),
        }

    def birth(self) -> dt.date:
        return dt.date(1940, 1, 1) + dt.timedelta(days=self.rng.randrange(365 * 62))

    def phone(self) -> str:
        self.serial += 1
        digits = f"900{self.serial:07d}"
        forms = (f"+7 ({digits[:3]}) {digits[3:6]}-{digits[6:8]}-{digits[8:]}",
                 f"8{digits}", f"8 {digits[:3]} {digits[3:6]} {digits[6:8]} {digits[8:]}")
        return self.rng.choice(forms)

    def email(self) -> str:
        self.serial += 1
        return f"citizen{self.serial}@example.ru"

    def address(self) -> str:
        rng = self.rng
        return (f"{rng.choice(TOWNS)}, ул. {rng.choice(STREETS)}, д. {rng.randrange(1, 99)}, "
                f"кв. {rng.randrange(1, 200)}")


def spelling(citizen: str, rng: random.Random) -> str:
    """The same citizen written another way: initials, case, ё/е, spaces."""
    surname, first, patr = citizen.split()
    form = rng.choice(("initials", "initials_spaced", "upper", "yo", "spaces", "lower", "same"))
    if form == "initials":
        return f"{surname} {first[0]}.{patr[0]}."
    if form == "initials_spaced":
        return f"{surname} {first[0]}. {patr[0]}."
    if form == "upper":
        return f"{surname.upper()} {first} {patr}"
    if form == "yo":  # «Семёнов» typed as «Семенов»
        return citizen.replace("ё", "е")
    if form == "spaces":
        return f"  {surname}   {first}  {patr} "
    if form == "lower":
        return citizen.lower()
    return citizen


def typos(text: str, rng: random.Random, count: int = 2) -> str:
    words = text.split()
    for _ in range(count):
        long = [i for i, w in enumerate(words) if len(w) >= 6]
        if not long:
            break
        i = rng.choice(long)
        w = words[i]
        j = rng.randrange(1, len(w) - 2)
        op = rng.choice(("swap", "drop", "double", "replace"))
        if op == "swap":
            w = w[:j] + w[j + 1] + w[j] + w[j + 2:]
        elif op == "drop":
            w = w[:j] + w[j + 1:]
        elif op == "double":
            w = w[:j] + w[j] + w[j:]
        else:
            w = w[:j] + rng.choice("аеиоуыя") + w[j + 1:]
        words[i] = w
    return " ".join(words)


def reorder(text: str, rng: random.Random) -> str:
    words = text.replace(",", "").replace(":", "").split()
    shuffled = words[:]
    while len(words) > 2 and shuffled == words:
        rng.shuffle(shuffled)
    return " ".join(shuffled).capitalize()


def inflect(text: str) -> str:
    """«По вопросу …» with nominative nouns and adjectives put in the genitive."""
    morph = analyzer()
    out = []
    for word in text.replace(":", "").split():
        parses = morph.parse(word.strip(",.?«»"))
        best = parses[0]
        if best.tag.case == "nomn" and best.tag.POS in ("NOUN", "ADJF", "PRTF"):
            form = best.inflect({"gent"})
            out.append(form.word if form is not None else word)
            continue
        out.append(word)
    return "По вопросу " + " ".join(out).lower()


def evidence(old: dict[str, str], rng: random.Random) -> None:
    """Keep on the earlier row only some of what identifies the citizen (journals are sparse)."""
    keep = rng.choice(("birth", "phone", "email", "address", "birth_phone"))
    for field in ("birth", "phone", "email", "address"):
        if field not in keep:
            old[field] = ""


def row(kind: str, label: int, g_new: int, g_old: int, new: dict[str, str], old: dict[str, str],
        new_topic: str, old_topic: str) -> dict[str, str]:
    out = {"label": str(label), "kind": kind, "group_new": str(g_new), "group_old": str(g_old)}
    for prefix, person, topic in (("new", new, new_topic), ("old", old, old_topic)):
        for field in ("citizen", "birth", "phone", "email", "address"):
            out[f"{prefix}_{field}"] = person[field]
        out[f"{prefix}_topic"] = topic
    return out


def build(seed: int = 2024) -> list[dict[str, str]]:
    rng = random.Random(seed)
    people = People(rng)
    rows: list[dict[str, str]] = []

    def same_citizen() -> tuple[dict[str, str], dict[str, str]]:
        person = people.person()
        new, old = dict(person), dict(person)
        new["citizen"] = spelling(person["citizen"], rng)
        if rng.random() < 0.3:  # a new phone or e-mail since
            new[rng.choice(("phone", "email"))] = people.phone()
        evidence(old, rng)
        # whatever identifies the citizen on the earlier row is still the same in the new one
        for field in ("phone", "email"):
            if old[field]:
                new[field] = person[field]
        return new, old

    groups = GROUPS + UNSEEN
    for g, group in enumerate(groups):
        a, b = rng.sample(range(len(group)), 2)
        new, old = same_citizen()
        rows.append(row("rephrase", 1, g, g, new, old, group[a], group[b]))
        c, d = rng.sample(range(len(group)), 2)
        new, old = same_citizen()
        rows.append(row("typo", 1, g, g, new, old, typos(group[c], rng), group[d]))
        new, old = same_citizen()
        e = rng.randrange(len(group))
        rows.append(row("order", 1, g, g, new, old, reorder(group[e], rng), group[e]))
        new, old = same_citizen()
        f, h = rng.sample(range(len(group)), 2)
        rows.append(row("inflection", 1, g, g, new, old, inflect(group[f]), group[h]))

        new, old = same_citizen()
        other = rng.choice([i for i in range(len(groups)) if i != g])
        rows.append(row("other_topic", 0, g, other, new, old, rng.choice(group),
                        rng.choice(groups[other])))
        namesake = people.person()
        twin = dict(namesake, birth=people.birth().isoformat(), phone=people.phone(),
                    email=people.email())
        twin["citizen"] = spelling(namesake["citizen"], rng)
        p, q = rng.sample(range(len(group)), 2)
        rows.append(row("namesake", 0, g, g, twin, namesake, group[p], group[q]))
        if g % 2 == 0:
            quiet = dict(namesake, birth="", address="")
            rows.append(row("namesake_no_evidence", 0, g, g, twin, quiet, group[q], group[p]))
        else:
            stranger = people.person()
            rows.append(row("other_citizen", 0, g, g, people.person(), stranger, group[p],
                            group[q]))
    for g1, g2 in RELATED + UNSEEN_RELATED:
        new, old = same_citizen()
        rows.append(row("related_topic", 0, g1, g2, new, old, rng.choice(groups[g1]),
                        rng.choice(groups[g2])))
    for i, r in enumerate(rows, start=1):
        r["id"] = str(i)
    return rows


def main() -> None:
    rows = build()
    with OUT.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, COLUMNS, delimiter="\t", lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    labels = [r["label"] for r in rows]
    print(f"{OUT}: {len(rows)} pairs, {labels.count('1')} repeats, {labels.count('0')} not")


if __name__ == "__main__":
    main()
