"""`vks run` names every kind of problem with its count; errors with all their cells."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from toolkit.jobs.declarations import LettersStep
from toolkit.jobs.grouping import grouped
from toolkit.jobs.steps import StepContext, run_letters
from toolkit.journal.clock import Clock
from toolkit.journal.config import Body, Config
from toolkit.journal.schema import Decision, Ground
from toolkit.sources.xlsx import template

TODAY = dt.date(2026, 11, 27)
ADDRESS = "г. Кемерово, ул. Весенняя, д. 5, кв. 7"


def row(number: int, *, address: str | None = ADDRESS, specialist: str = "") -> dict[str, Any]:
    return {
        "number": number, "received": dt.date(2026, 11, 16), "citizen": "Петрова Анна Сергеевна",
        "topic": "Социальный контракт", "decision": Decision.REJECTED.label,
        "decision_date": dt.date(2026, 11, 20), "ground": Ground.OFFENSIVE.label,
        "specialist": specialist, "address": address, "consent_data": "Да",
        "consent_video": "Да",
    }


def test_every_kind_is_shown_with_its_count(tmp_path: Path) -> None:
    # 12 letters without a specialist, a body without officials (blank signature lines),
    # 11 rows without an address: the run used to show ten lines and count the rest.
    body = Body(name="Орган", sheet="Орган")
    rows = [row(n) for n in range(1, 13)] + [row(n, address=None) for n in range(13, 24)]
    journal = template.write_journal(tmp_path / "журнал.xlsx", {body: rows})
    config = Config(bodies=(body,))
    outcome = run_letters(LettersStep(out=str(tmp_path / "решения")),
                          StepContext(config, (str(journal),), Clock.at(TODAY)))
    assert outcome.ok
    skipped = ", ".join(f"Орган!N{r}" for r in range(18, 29))  # all eleven: they got no letter
    unnamed = ", ".join(f"Орган!I{r}" for r in range(6, 16)) + " и еще 2 (все — в выводе " \
                                                               "vks letters)"
    assert outcome.lines[1:] == [
        f"пакет для печати (Орган): {tmp_path / 'решения' / 'пакет-Орган-2026-11-27-0000.docx'}",
        f"не подготовлено (11 строк): не указан адрес проживания. Ячейки: {skipped}",
        f"проверьте (12 строк): не указан ответственный специалист: строка для Ф.И.О. "
        f"оставлена пустой. Ячейки: {unnamed}",
        "проверьте (1 строка): в настройках органа не указано: controller, unit_head, phone — "
        "эти строки решения оставлены пустыми. Ячейки: Орган!C6",
    ]


def test_grouped_keeps_the_order_and_lists_errors_whole() -> None:
    problems = [("б", f"Л!A{n}") for n in range(1, 31)] + [("а", "Л!B1"), ("б", "Л!A31")]
    assert grouped("не записано", problems) == [
        "не записано (31 строка): б. Ячейки: " + ", ".join(f"Л!A{n}" for n in range(1, 32)),
        "не записано (1 строка): а. Ячейки: Л!B1",
    ]
