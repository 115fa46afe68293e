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
