"""Repeat questions (cl. 2.8 ground 4): the same citizen, a similar topic, earlier rows found."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
from pathlib import Path

import pytest

from toolkit.intake.repeats import (
    EarlierApplication,
    NameKey,
    RepeatIndex,
    name_key,
    same_name,
    topic_lemmas,
    topic_similarity,
)
from toolkit.intake.submission import TIMEZONE, Submission, birth_hash

PAIRS = Path(__file__).parent / "data" / "repeats_pairs.tsv"
UNSEEN_FROM = 50  # groups written after tuning (benchmarks/repeats_topics.UNSEEN)
BIRTH = dt.date(1985, 4, 17)

EARLIER = [
    EarlierApplication(
        "Кузнецова Анна Сергеевна", dt.date(2024, 1, 10),
        "Перерасчет ежемесячной денежной выплаты ветерану труда",
        body="УСЗН г. Новокузнецка", sheet="ОСЗН г. Новокузнецка", row=17,
        decision="Назначен прием", outcome="Прием проведен", birth_hash=birth_hash(BIRTH),
    ),
    EarlierApplication(
        "Кузнецова А. С.", dt.date(2023, 11, 2), "Перерасчёт ЕДВ как ветерану труда",
        sheet="ОСЗН г. Новокузнецка", row=9, decision="Заявка отклонена",
        phone="8 900 000 11 22",
    ),
    EarlierApplication(  # a namesake: another date of birth
        "Кузнецова Анна Сергеевна", dt.date(2024, 2, 1),
        "Перерасчет ежемесячной денежной выплаты ветерану труда",
        sheet="ОСЗН г. Кемерово", row=30, birth_hash=birth_hash(dt.date(1990, 1, 1)),
        phone="8 900 000 11 22",
    ),
    EarlierApplication(  # the same citizen, another question
        "Кузнецова Анна Сергеевна", dt.date(2024, 2, 5), "Путевка в санаторий",
        sheet="ОСЗН г. Новокузнецка", row=40, email="anna.kuz@example.ru",
    ),
    EarlierApplication(  # after the new application: not an earlier one
        "Кузнецова Анна Сергеевна", dt.date(2024, 6, 1),
        "Перерасчет ежемесячной денежной выплаты ветерану труда",
        sheet="ОСЗН г. Новокузнецка", row=90, email="anna.kuz@example.ru",
    ),
    EarlierApplication(  # a surname mistyped in the journal, found by the phone
        "Кузнецова-Ли Анна Сергеевна", dt.date(2023, 5, 5),
        "Ежемесячная денежная выплата ветерана труда — перерасчет",
        sheet="Министерство", row=6, phone="+7 (900) 000-11-22",
    ),
    EarlierApplication(  # no date of birth, no contact: the name alone does not prove it
        "Кузнецова Анна Сергеевна", dt.date(2023, 3, 3),
        "Перерасчет ежемесячной денежной выплаты ветерану труда",
        sheet="ЦСВ", row=8,
    ),
]

NEW = Submission(
    citizen="КУЗНЕЦОВА анна сергеевна", birth_date=BIRTH,
    topic="Почему не пересчитали ежемесячную денежную выплату ветерана труда?",
    phone="+7 (900) 000-11-22", email="anna.kuz@example.ru",
    submitted=dt.datetime(2024, 3, 12, 14, 5, tzinfo=TIMEZONE),
)


def test_names_as_journals_write_them() -> None:
    assert name_key("Иванов И.И.") == NameKey("иванов", "и", "и")
    assert name_key("И. И. Иванов") == NameKey("иванов", "и", "и")
    assert name_key("  СЕМЁНОВ   Иван  ") == NameKey("семенов", "иван", "")
    assert name_key("Мамедов Эльчин Рашид оглы") == NameKey("мамедов", "эльчин", "рашид")
    assert name_key("Мамедов Эльчин Рашид-оглы") == NameKey("мамедов", "эльчин", "рашид")
    assert name_key("—") is None
    full = name_key("Иванов Иван Иванович")
    assert full is not None
    for same in ("Иванов И.И.", "иванов иван", "Иванов Иван И."):
        other = name_key(same)
        assert other is not None and same_name(full, other), same
    for different in ("Иванов П.И.", "Иванов Иван Петрович", "Иванова Иван Иванович"):
        other = name_key(different)
        assert other is not None and not same_name(full, other), different


def test_topics_lemmatised_without_filler() -> None:
    assert topic_lemmas("Прошу сделать перерасчёт ЕДВ как ветерану труда") == (
        "сделать", "перерасчет", "ежемесячный", "денежный", "выплата", "ветеран", "труд",
    )
    assert topic_similarity("Субсидия на оплату ЖКУ",
                            "субсидии на оплату жилищно-коммунальных услуг") == 100.0
    assert topic_similarity("Путевка в санаторий", "Субсидия на оплату ЖКУ") == 0.0
    # a typo the analyzer cannot undo is still the same word
    assert topic_similarity("Компенсацция за уголь", "компенсация за уголь") == 100.0


def test_repeats_of_the_same_citizen_best_first() -> None:
    index = RepeatIndex(EARLIER)
    assert len(index) == len(EARLIER)
    matches = index.find(NEW)
    # equally similar topics: the latest first
    assert [(m.earlier.sheet, m.earlier.row) for m in matches] == [
        ("ОСЗН г. Новокузнецка", 17), ("ОСЗН г. Новокузнецка", 9), ("Министерство", 6),
    ]
    first = matches[0]
    assert first.evidence == ("дата рождения",)
    assert first.answered
    assert not matches[1].answered  # rejected: cl. 2.9 allows applying again
    assert matches[2].evidence == ("телефон",)
    assert first.score >= 42
    assert first.explain() == (
        "Возможен повторный вопрос (п. 2.8, основание 4): заявка от 10.01.2024 (лист «ОСЗН г. "
        f"Новокузнецка», строка 17), сходство тематики {first.score:.0f} %, совпадают: ФИО, "
        "дата рождения; прием по ней проведен"
    )
    for m in matches:
        assert "Кузнецова" not in m.explain() and "900" not in m.explain()


def test_name_alone_only_when_asked() -> None:
    index = RepeatIndex(EARLIER, name_only=True)
    rows = [(m.earlier.sheet, m.earlier.row, m.evidence) for m in index.find(NEW)]
    assert ("ЦСВ", 8, ()) in rows
    assert ("ОСЗН г. Кемерово", 30, ("телефон",)) not in rows  # the birth dates differ


def test_the_date_of_birth_hash_is_keyed_like_the_ledger() -> None:
    keyed = [dataclasses.replace(EARLIER[0], birth_hash=birth_hash(BIRTH, b"k"))]
    assert RepeatIndex(keyed, secret=b"k").find(NEW)
    assert RepeatIndex(keyed).find(NEW) == []  # another key: the hashes differ → a namesake


def test_unknown_submit_date_looks_at_every_row() -> None:
    undated = dataclasses.replace(NEW, submitted=None)
    rows = {m.earlier.row for m in RepeatIndex(EARLIER).find(undated)}
    assert 90 in rows


def load_pairs() -> list[dict[str, str]]:
    with PAIRS.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f, delimiter="\t"))


def _hash(text: str) -> str:
    return birth_hash(dt.date.fromisoformat(text)) if text else ""


def predicted(pair: dict[str, str]) -> bool:
    earlier = EarlierApplication(
        pair["old_citizen"], dt.date(2024, 1, 15), pair["old_topic"], sheet="Журнал", row=6,
        birth_hash=_hash(pair["old_birth"]), phone=pair["old_phone"], email=pair["old_email"],
        address=pair["old_address"],
    )
    return bool(RepeatIndex([earlier]).find_for(
        pair["new_citizen"], pair["new_topic"], birth_hash=_hash(pair["new_birth"]),
        phone=pair["new_phone"], email=pair["new_email"], address=pair["new_address"],
        on=dt.date(2024, 3, 1),
    ))


def precision_recall(pairs: list[dict[str, str]]) -> tuple[float, float]:
    guesses = [(predicted(p), p["label"] == "1") for p in pairs]
    tp = sum(1 for y, label in guesses if y and label)
    fp = sum(1 for y, label in guesses if y and not label)
    fn = sum(1 for y, label in guesses if not y and label)
    return tp / (tp + fp), tp / (tp + fn)


@pytest.fixture(scope="module")
def pairs() -> list[dict[str, str]]:
    rows = load_pairs()
    assert len(rows) >= 200
    assert {r["label"] for r in rows} == {"0", "1"}
    assert {r["kind"] for r in rows} == {
        "rephrase", "typo", "order", "inflection", "other_topic", "related_topic", "namesake",
        "namesake_no_evidence", "other_citizen",
    }
    return rows


def test_accuracy_on_the_labelled_pairs(pairs: list[dict[str, str]]) -> None:
    precision, recall = precision_recall(pairs)
    assert precision >= 0.9, precision
    assert recall >= 0.85, recall


def test_accuracy_on_questions_written_after_tuning(pairs: list[dict[str, str]]) -> None:
    """The honest estimate: groups 50–59 never informed the threshold or the word lists."""
    unseen = [p for p in pairs if int(p["group_new"]) >= UNSEEN_FROM]
    assert len(unseen) >= 60
    precision, recall = precision_recall(unseen)
    assert precision >= 0.9, precision
    assert recall >= 0.75, recall  # measured 0.775: rephrasings with few shared words are missed


def test_namesakes_are_never_repeats(pairs: list[dict[str, str]]) -> None:
    namesakes = [p for p in pairs if p["kind"].startswith("namesake")]
    assert namesakes and not any(predicted(p) for p in namesakes)


def test_repeat_findings_in_a_journal(journal_file, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from toolkit.intake.repeat_check import Query, candidates, repeat_findings
    from toolkit.journal.config import Config
    from toolkit.journal.control import control_text
    from toolkit.journal.read import read_journals
    from toolkit.journal.schema import Decision, Outcome
    from toolkit.sources.xlsx.source import XlsxSource

    def row(n: int, day: int, citizen: str, topic: str, phone: str, **extra: object
            ) -> dict[str, object]:
        return {"number": n, "received": dt.date(2026, 11, day), "citizen": citizen,
                "topic": topic, "phone": phone, **extra}

    held = {"decision": Decision.APPOINTED.label, "decision_date": dt.date(2026, 11, 5),
            "appointment": dt.datetime(2026, 11, 10, 10), "specialist": "Тарасов Е.П.",
            "outcome": Outcome.HELD.label}
    path = journal_file({
        "ОСЗН г. Кемерово": [
            row(1, 2, "Иванова Анна Сергеевна", "Субсидия на оплату ЖКУ", "+7 900 111-22-33",
                **held),
            row(2, 16, "Иванова Анна Сергеевна", "Субсидия на оплату жилищно-коммунальных "
                "услуг не пришла", "8 (900) 111-22-33"),
            row(3, 16, "Иванова Анна Сергеевна", "Субсидия на оплату ЖКУ", "+7 900 999-88-77"),
        ],
        "ЦСВ": [row(1, 17, "ИВАНОВА АННА", "субсидия ЖКУ", "+79001112233")],
    })
    journals = read_journals(XlsxSource(path), Config())
    found = repeat_findings(journals, Config(state_dir=tmp_path))
    assert [(f.sheet, f.row) for f in found] == [("ОСЗН г. Кемерово", 7), ("ЦСВ", 6)]
    first, other = found
    assert first.params["reference"] == "лист «ОСЗН г. Кемерово», строка 6"
    assert first.params["decision"] == "Назначен прием, Прием проведен"
    assert first.params["evidence"] == "ФИО, телефон" and first.cell == "D7"
    assert control_text([first]) == (
        "Сведения. Графа 4 «Тематика вопроса» (D7): сверить с заявкой лист «ОСЗН г. Кемерово», "
        "строка 6 от 02.11.2026 (решение: Назначен прием, Прием проведен) — возможно, повторный "
        "вопрос без новых доводов; решение принимает орган (п. 2.8).")
    # The namesake with another phone (row 8) repeats nobody; the centre's row repeats row 6
    # or 7 of the other body (the best match).
    assert other.params["reference"].startswith("лист «ОСЗН г. Кемерово»")
    # Rows that cannot be the citizen are not even indexed; a typo in the surname with the
    # same phone still is.
    keep = candidates([Query("Иванова Анна", "+7 900 111-22-33")])
    assert keep("Иванова А.С.", "", "") and keep("Иваноова Анна", "89001112233", "")
    assert not keep("Петрова Анна", "+7 900 555-55-55", "p@example.ru")
