"""A small journal whose monthly statistics were counted by hand (October 2026).

Body «Орган А» — rows by number (graph 1), October 2026 has no public holidays:

     1  01.10  appointed 02.10, session 07.10 10:00, held                     held, 1 wd
     2  01.10  rejected 05.10, ground 1                                       2 wd
     3  01.10  rejected 09.10, ground 3 — due 08.10: LATE                     6 wd
     4  05.10  appointed 06.10, declined 06.10 15:00, cancelled (declined)     1 wd
     5  05.10  appointed 06.10, notice 06.10, no answer, cancelled (unconf.)  1 wd
     6  12.10  appointed 13.10, session 15.10 10:00, interrupted: no show     1 wd
     7  12.10  appointed 13.10, session 15.10 11:00, interrupted: not ident.  1 wd
     8  12.10  appointed 13.10, session 15.10 12:00, interrupted: abuse       1 wd
     9  19.10  appointed 20.10, session 22.10 10:00, rescheduled              1 wd
    10  26.10  appointed 27.10, session 03.11 10:00, held — after the month:  awaiting, 1 wd
    11  28.10  appointed 02.11 — decided after the month:                     pending
    12  29.10  no decision yet (due 06.11):                                   pending
    13  20.10  rejected 21.10, no ground:                                     rejected_no_ground
    14  14.10  decision «Может быть» (E14 does not parse):                    not classified
    15  15.10  appointed, session «завтра» (G15 does not parse):              not classified
    16  «32.10.2026» (B16 does not parse):                                    undated
    17  30.09  appointed 01.10, session 05.10, held:       September; pending at its end
    18  02.11  no decision:                                                   November
    19  22.10  appointed, no decision date, session 26.10 10:00, held:        held, undated decision
    20  01.10  no decision — overdue since 09.10:                             pending

Body «Орган Б»: two rejections of 07.10 on 08.10, grounds 2 and 4 (typed as the bare «4»).
Body «Орган В»: no rows at all.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from toolkit.journal.config import Body
from toolkit.journal.schema import Answer, Consent, Decision, Ground, Outcome
from toolkit.sources.xlsx.template import write_journal
from toolkit.stats.monthly import Month

TODAY = dt.date(2026, 11, 10)
OCTOBER = Month(2026, 10)
BODIES = (Body(name="Орган А", sheet="Орган А"), Body(name="Орган Б", sheet="Орган Б"),
          Body(name="Орган В", sheet="Орган В"))

D = dt.date
T = dt.datetime
SOCIAL, CHILD, HOUSING = "Социальный контракт", "Единое пособие на детей", "Субсидия на оплату ЖКУ"
SPA, VETERAN = "Санаторно-курортное лечение", "Ветеран труда"


def _row(number: int, received: object, topic: str, **values: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "number": number, "received": received, "citizen": "Иванов Петр Сергеевич",
        "topic": topic, "phone": "+7 900 123-45-67", "email": "ivanov@example.ru",
        "consent_data": Consent.YES.label, "consent_video": Consent.YES.label,
    }
    base.update(values)
    return base


def _appointed(decided: dt.date, session: dt.datetime, outcome: Outcome | None = None,
               **extra: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "decision": Decision.APPOINTED.label, "decision_date": decided, "appointment": session,
        "specialist": "Григорьева Марина Викторовна", "link": "https://telemost.yandex.ru/j/1",
        "notice_sent": T(decided.year, decided.month, decided.day, 11),
        "answer": Answer.CONFIRMED.label,
        "answered_at": T(decided.year, decided.month, decided.day, 15),
    }
    if outcome is not None:
        values["outcome"] = outcome.label
        if outcome is Outcome.HELD:
            values["recording"] = "\\\\srv\\video\\1.mp4"
    values.update(extra)
    return values


def _rejected(decided: dt.date, ground: str | None) -> dict[str, Any]:
    return {"decision": Decision.REJECTED.label, "decision_date": decided, "ground": ground}


BODY_A_ROWS = [
    _row(1, D(2026, 10, 1), SOCIAL, **_appointed(D(2026, 10, 2), T(2026, 10, 7, 10), Outcome.HELD)),
    _row(2, D(2026, 10, 1), SOCIAL, **_rejected(D(2026, 10, 5), Ground.OUT_OF_COMPETENCE.label)),
    _row(3, D(2026, 10, 1), SOCIAL, **_rejected(D(2026, 10, 9), Ground.TOPIC_UNCLEAR.label)),
    _row(4, D(2026, 10, 5), CHILD, **_appointed(
        D(2026, 10, 6), T(2026, 10, 8, 11), Outcome.DECLINED,
        notice_sent=T(2026, 10, 6, 12), answer=Answer.DECLINED.label,
        answered_at=T(2026, 10, 6, 15))),
    _row(5, D(2026, 10, 5), CHILD, **_appointed(
        D(2026, 10, 6), T(2026, 10, 9, 10), Outcome.UNCONFIRMED,
        notice_sent=T(2026, 10, 6, 10), answer=None, answered_at=None)),
    _row(6, D(2026, 10, 12), "  социальный   КОНТРАКТ ", **_appointed(
        D(2026, 10, 13), T(2026, 10, 15, 10), Outcome.NO_SHOW)),
    _row(7, D(2026, 10, 12), HOUSING, **_appointed(
        D(2026, 10, 13), T(2026, 10, 15, 11), Outcome.NOT_IDENTIFIED)),
    _row(8, D(2026, 10, 12), HOUSING, **_appointed(
        D(2026, 10, 13), T(2026, 10, 15, 12), Outcome.ABUSE)),
    _row(9, D(2026, 10, 19), HOUSING, **_appointed(
        D(2026, 10, 20), T(2026, 10, 22, 10), Outcome.RESCHEDULED)),
    _row(10, D(2026, 10, 26), SPA, **_appointed(
        D(2026, 10, 27), T(2026, 11, 3, 10), Outcome.HELD)),
    _row(11, D(2026, 10, 28), SPA, **_appointed(D(2026, 11, 2), T(2026, 11, 5, 10))),
    _row(12, D(2026, 10, 29), SOCIAL),
    _row(13, D(2026, 10, 20), VETERAN, **_rejected(D(2026, 10, 21), None)),
    _row(14, D(2026, 10, 14), VETERAN, decision="Может быть", decision_date=D(2026, 10, 15)),
    _row(15, D(2026, 10, 15), VETERAN, **_appointed(D(2026, 10, 16), "завтра")),
    _row(16, "32.10.2026", VETERAN),
    _row(17, D(2026, 9, 30), SOCIAL, **_appointed(
        D(2026, 10, 1), T(2026, 10, 5, 10), Outcome.HELD)),
    _row(18, D(2026, 11, 2), SOCIAL),
    _row(19, D(2026, 10, 22), CHILD, **_appointed(
        D(2026, 10, 23), T(2026, 10, 26, 10), Outcome.HELD, decision_date=None)),
    _row(20, D(2026, 10, 1), CHILD),
]

BODY_B_ROWS = [
    _row(1, D(2026, 10, 7), "Бесплатная юридическая помощь",
         **_rejected(D(2026, 10, 8), Ground.OFFENSIVE.label)),
    _row(2, D(2026, 10, 7), "Бесплатная юридическая помощь", **_rejected(D(2026, 10, 8), "4")),
]

# Hand counts for October 2026 (the partition first, then the derived measures).
EXPECTED_A = {
    "received": 17, "pending": 3, "held": 2,
    "rejected_out_of_competence": 1, "rejected_offensive": 0, "rejected_topic_unclear": 1,
    "rejected_repeated": 0, "rejected_no_ground": 1, "rejected": 3,
    "cancelled_declined": 1, "cancelled_unconfirmed": 1, "cancelled": 2,
    "interrupted_no_show": 1, "interrupted_not_identified": 1, "interrupted_abuse": 1,
    "interrupted": 3, "rescheduled": 1, "awaiting": 1, "appointed": 9, "not_classified": 2,
    "decided": 12, "decided_on_time": 10, "decided_late": 1, "decided_undated": 1,
}
EXPECTED_B = {
    "received": 2, "rejected": 2, "rejected_offensive": 1, "rejected_repeated": 1,
    "decided": 2, "decided_on_time": 2, "decided_late": 0, "pending": 0, "appointed": 0,
}
TOPICS_A = [(SOCIAL, 5), (CHILD, 4), (VETERAN, 3), (HOUSING, 3), (SPA, 2)]


def write_fixture(path: Path) -> Path:
    """The journal above as an .xlsx file by the form of Appendix 1."""
    rows = {"Орган А": BODY_A_ROWS, "Орган Б": BODY_B_ROWS}
    return write_journal(path, {body: rows.get(body.sheet, []) for body in BODIES})


# The manager's figures (issues 11 and 13) ---------------------------------------------------

# A second hand-counted journal, «Орган Г», for what a manager acts on (October 2026).
#
# Each row names its own citizen (except the repeats); the specialists are one person however
# written. October has no holidays; 04.11.2026 is one. TODAY is 10.11.2026.
#
#      1  24.09  appointed 25.09 (Тарасов Е.П.), session 01.10 10:00, held      a September
#                                                        application held in October
#      2  28.09  appointed 02.10 (Тарасов Е. П.), session 07.10 10:00, held      decided in October
#      3  21.09  rejected 06.10 (Тарасов Евгений Павлович), ground 1            due 28.09: LATE
#      4  01.10  appointed 02.10, notice 02.10 (Fri) 10:00, confirmed 06.10 — window 05.10: LATE
#                confirmation; session 08.10 10:00 (Петрова Анна Андреевна), held without
#                identification (cl. 3.8)
#      5  01.10  appointed 02.10, notice 02.10 12:00, confirmed 05.10 17:00 (on time), session
#                09.10 11:00 (Петрова А.А.), held
#      6  05.10  appointed 06.10, session 12.10 10:00 (петрова  а. а.), rescheduled to 19.10 10:00
#      7  05.10  appointed 06.10, session 13.10 10:00 (Петрова А.А.), rescheduled to 05.11 10:00
#      8  05.10  appointed 06.10, session 14.10 10:00 (Тарасов Е.П.), rescheduled, no new time
#      9  07.10  Смирнова Анна Ивановна again (row 12: 16.03.2026); no decision, due 14.10
#     10  08.10  Кузнецов Олег Петрович again, but row 13 is 372 days before; rejected 09.10,
#                ground 3, no specialist; e-mail «нет» (a data slip)
#     11  12.10  Семёнов Игорь Олегович; appointed 13.10, session 16.10 10:00 (Тарасов Е.П.),
#                no outcome (cl. 3.11)
#     12  16.03  Смирнова Анна Ивановна; rejected 17.03, ground 4
#     13  01.10.2025  Кузнецов Олег Петрович; rejected 02.10.2025, ground 1
#     14  19.10  Семенов Игорь Олегович (the same citizen as row 11); no decision, due 26.10;
#                no topic (a data slip)
#     15  20.10  appointed 21.10, declined 21.10 15:00, no outcome (cl. 2.7); session 28.10 10:00
#                (Тарасов Е.П.)
#     16  26.10  appointed 27.10, session 29.10 20:00 (Петрова А.А.) — after hours (cl. 1.2); held
#     17  02.11  no decision: due 10.11, not overdue on 10.11
#     18  13.08  no decision: due 20.08, overdue since
#     19  01.10  appointed 02.10, session 09.10 11:05 (ПЕТРОВА А.А.) — overlaps row 5
#                (cl. 3.10); held
#

TARASOV, PETROVA = "Тарасов Е.П.", "Петрова А.А."


_SURNAMES = ("Абрамов", "Белов", "Волков", "Гусев", "Дьяков", "Егоров", "Жуков", "Зайцев",
             "Ильин", "Козлов")


def _citizen(number: int, received: object, citizen: str = "", **values: Any) -> dict[str, Any]:
    """A row of «Орган Г»: its own citizen unless one is given."""
    topic = values.pop("topic", SOCIAL)
    surname = _SURNAMES[number // 2]
    name = f"{surname} Иван Ильич" if number % 2 == 0 else f"{surname}а Мария Ильинична"
    return _row(number, received, topic, **{"citizen": citizen or name, **values})


def _confirmed(decided: dt.date, session: dt.datetime, specialist: str,
               outcome: Outcome | None = None, **extra: Any) -> dict[str, Any]:
    return _appointed(decided, session, outcome, specialist=specialist, **extra)


MANAGER_ROWS = [
    _citizen(1, D(2026, 9, 24), **_confirmed(D(2026, 9, 25), T(2026, 10, 1, 10), TARASOV,
                                              Outcome.HELD)),
    _citizen(2, D(2026, 9, 28), **_confirmed(D(2026, 10, 2), T(2026, 10, 7, 10), "Тарасов Е. П.",
                                              Outcome.HELD)),
    _citizen(3, D(2026, 9, 21), **_rejected(D(2026, 10, 6), Ground.OUT_OF_COMPETENCE.label),
             specialist="Тарасов Евгений Павлович"),
    _citizen(4, D(2026, 10, 1), **_confirmed(
        D(2026, 10, 2), T(2026, 10, 8, 10), "Петрова Анна Андреевна", Outcome.HELD_UNIDENTIFIED,
        notice_sent=T(2026, 10, 2, 10), answered_at=T(2026, 10, 6, 9))),
    _citizen(5, D(2026, 10, 1), **_confirmed(
        D(2026, 10, 2), T(2026, 10, 9, 11), PETROVA, Outcome.HELD,
        notice_sent=T(2026, 10, 2, 12), answered_at=T(2026, 10, 5, 17))),
    _citizen(6, D(2026, 10, 5), **_confirmed(
        D(2026, 10, 6), T(2026, 10, 12, 10), "петрова  а. а.", Outcome.RESCHEDULED,
        rescheduled_to=T(2026, 10, 19, 10))),
    _citizen(7, D(2026, 10, 5), **_confirmed(
        D(2026, 10, 6), T(2026, 10, 13, 10), PETROVA, Outcome.RESCHEDULED,
        rescheduled_to=T(2026, 11, 5, 10))),
    _citizen(8, D(2026, 10, 5), **_confirmed(D(2026, 10, 6), T(2026, 10, 14, 10), TARASOV,
                                              Outcome.RESCHEDULED)),
    _citizen(9, D(2026, 10, 7), "смирнова  анна ивановна"),
    _citizen(10, D(2026, 10, 8), "Кузнецов Олег Петрович", email="нет",
             **_rejected(D(2026, 10, 9), Ground.TOPIC_UNCLEAR.label)),
    _citizen(11, D(2026, 10, 12), "Семёнов Игорь Олегович",
             **_confirmed(D(2026, 10, 13), T(2026, 10, 16, 10), TARASOV)),
    _citizen(12, D(2026, 3, 16), "Смирнова Анна Ивановна",
             **_rejected(D(2026, 3, 17), Ground.REPEATED.label)),
    _citizen(13, D(2025, 10, 1), "Кузнецов Олег Петрович",
             **_rejected(D(2025, 10, 2), Ground.OUT_OF_COMPETENCE.label)),
    _citizen(14, D(2026, 10, 19), "Семенов  Игорь Олегович", topic=""),
    _citizen(15, D(2026, 10, 20), **_confirmed(
        D(2026, 10, 21), T(2026, 10, 28, 10), TARASOV, notice_sent=T(2026, 10, 21, 10),
        answer=Answer.DECLINED.label, answered_at=T(2026, 10, 21, 15))),
    _citizen(16, D(2026, 10, 26), **_confirmed(D(2026, 10, 27), T(2026, 10, 29, 20), PETROVA,
                                               Outcome.HELD)),
    _citizen(17, D(2026, 11, 2)),
    _citizen(18, D(2026, 8, 13)),
    _citizen(19, D(2026, 10, 1), **_confirmed(D(2026, 10, 2), T(2026, 10, 9, 11, 5),
                                               "ПЕТРОВА А.А.", Outcome.HELD)),
]
MANAGER_BODY = Body(name="Орган Г", sheet="Орган Г")


def write_manager_fixture(path: Path) -> Path:
    """The journal of MANAGER_DOC as an .xlsx file."""
    return write_journal(path, {MANAGER_BODY: MANAGER_ROWS})
