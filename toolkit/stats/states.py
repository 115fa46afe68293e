"""The final states a month's application can be in, and the measures the reports show.

Every application received in the month is counted in exactly one state (`STATES`); the
measures (`MEASURES`) are the states and the sums and figures derived from them.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from toolkit.journal.schema import Decision, Ground, Outcome

# Cells whose value decides a row's state: when one of them does not parse, the row is
# "not classified" rather than guessed.
STATE_KEYS = ("decision", "decision_date", "appointment", "ground", "outcome")

# Codes the frame stores for the choice columns (0 = empty).
DECISION_CODES = {Decision.APPOINTED: 1, Decision.REJECTED: 2}
OUTCOME_CODES = {outcome: i for i, outcome in enumerate(Outcome, start=1)}

OUTCOME_KEYS = {
    Outcome.HELD: "held",
    Outcome.DECLINED: "cancelled_declined",
    Outcome.UNCONFIRMED: "cancelled_unconfirmed",
    Outcome.NO_SHOW: "interrupted_no_show",
    Outcome.NOT_IDENTIFIED: "interrupted_not_identified",
    Outcome.ABUSE: "interrupted_abuse",
    Outcome.RESCHEDULED: "rescheduled",
    Outcome.HELD_UNIDENTIFIED: "held_unidentified",
}
GROUND_KEYS = {
    Ground.OUT_OF_COMPETENCE: "rejected_out_of_competence",
    Ground.OFFENSIVE: "rejected_offensive",
    Ground.TOPIC_UNCLEAR: "rejected_topic_unclear",
    Ground.REPEATED: "rejected_repeated",
}

STATES: tuple[str, ...] = (
    "pending",
    *GROUND_KEYS.values(),
    "rejected_no_ground",
    "awaiting",
    *OUTCOME_KEYS.values(),
    "not_classified",
)
"""The final states: every row of the month is in exactly one of them."""

STATE_INDEX = {key: i for i, key in enumerate(STATES)}


@dataclass(frozen=True)
class Measure:
    """A figure of the report: `label` in an indented list, `short` as a table column."""

    key: str
    label: str
    level: int = 0  # indentation in the reports: 1 = part of the measure above
    short: str = ""
    section: str = "applications"  # a key of SECTIONS

    @property
    def heading(self) -> str:
        return self.short or self.label


def _after_colon(label: str) -> str:
    return label.split(": ", 1)[1]


MEASURES: tuple[Measure, ...] = (
    Measure("received", "Поступило заявок"),
    Measure("decided", "Принято решений"),
    Measure("decided_on_time", "в срок (не позднее 5 рабочих дней, п. 2.5)", 1,
            "Решений в срок"),
    Measure("decided_late", "с нарушением срока", 1, "Решений с нарушением срока"),
    Measure("decided_undated", "дата решения не указана", 1, "Решений без даты"),
    Measure("appointed", "Назначено приемов"),
    Measure("held", "прием проведен", 1, "Прием проведен"),
    Measure("held_unidentified", "из них без идентификации, без сведений о персональных данных "
            "(п. 3.8)", 2, "Проведено без идентификации"),
    Measure("cancelled", "отменено (п. 2.7)", 1, "Отменено"),
    Measure("cancelled_declined", _after_colon(Outcome.DECLINED.label), 2,
            "Отменено: гражданин отказался"),
    Measure("cancelled_unconfirmed", _after_colon(Outcome.UNCONFIRMED.label), 2,
            "Отменено: нет подтверждения"),
    Measure("interrupted", "прервано (п. 3.12)", 1, "Прервано"),
    Measure("interrupted_no_show", _after_colon(Outcome.NO_SHOW.label), 2,
            "Прервано: не подключился"),
    Measure("interrupted_not_identified", _after_colon(Outcome.NOT_IDENTIFIED.label), 2,
            "Прервано: не прошел идентификацию"),
    Measure("interrupted_abuse", _after_colon(Outcome.ABUSE.label), 2,
            "Прервано: нецензурные выражения, угрозы"),
    Measure("rescheduled", "перенесено: техническая неисправность (п. 3.5)", 1, "Перенесено"),
    Measure("rescheduled_passed", "новое время согласовано («Перенесен на») и уже наступило",
            2, "Перенесено: новое время наступило"),
    Measure("rescheduled_ahead", "новое время согласовано, еще не наступило", 2,
            "Перенесено: новое время впереди"),
    Measure("rescheduled_no_time", "новое время не указано", 2,
            "Перенесено: новое время не указано"),
    Measure("awaiting", "итог приема еще не внесен", 1, "Итог приема не внесен"),
    Measure("rejected", "Отклонено заявок (п. 2.8)", 0, "Отклонено"),
    *(Measure(key, ground.label, 1, f"Отклонено по основанию {ground.number}")
      for ground, key in GROUND_KEYS.items()),
    Measure("rejected_no_ground", "основание не указано", 1, "Отклонено без основания"),
    Measure("pending", "На рассмотрении на конец месяца", 0, "На рассмотрении"),
    Measure("not_classified", "Не классифицировано (неверно заполнены ячейки)", 0,
            "Не классифицировано"),
    Measure("repeated", "Повторных заявок (гражданин уже обращался в этот орган "
            "в предыдущие 12 месяцев)", 0, "Повторных заявок"),
    Measure("repeat_citizens", "Граждан, подавших в месяце больше одной заявки", 0,
            "Граждан с несколькими заявками"),
    *(dataclasses.replace(m, section="activity") for m in (
        Measure("decisions_month", "Принято решений (по дате решения)", 0, "Решений за месяц"),
        Measure("decisions_month_late", "из них с нарушением срока 5 рабочих дней (п. 2.5)", 1,
                "Решений за месяц с нарушением срока"),
        Measure("sessions_month", "Приемов по графику (дата и время приема в месяце)", 0,
                "Приемов по графику"),
        Measure("sessions_held", "проведено", 1, "Приемов проведено"),
        Measure("sessions_cancelled", "отменено", 1, "Приемов отменено"),
        Measure("sessions_interrupted", "прервано", 1, "Приемов прервано"),
        Measure("sessions_rescheduled", "перенесено", 1, "Приемов перенесено"),
        Measure("sessions_no_outcome", "итог не внесен", 1, "Приемов без итога"),
        Measure("confirmations_late", "Подтверждений участия позже срока (п. 2.6)", 0,
                "Подтверждений позже срока"),
    )),
    Measure("breaches", "Нарушений порядка в месяце (по пунктам — в начале отчета)", 0,
            "Нарушений порядка", "order"),
    Measure("breaches_earlier", "Не устранено нарушений прошлых месяцев", 0,
            "Нарушений прошлых месяцев", "order"),
    Measure("data_slips", "Недочетов заполнения журнала в заявках месяца (не нарушения "
            "порядка)", 0, "Недочетов заполнения", "order"),
)
"""The report's figures in order. `counts` also holds «violations»: every error of the journal
check open at the month's end (the first form of the report, kept for the JSON contract)."""

SECTIONS: tuple[tuple[str, str], ...] = (
    ("applications", "Заявки, поступившие в месяце"),
    ("activity", "Работа за месяц — по датам событий, в каком бы месяце ни поступила заявка"),
    ("order", "Нарушения порядка и заполнение журнала"),
)
"""The parts of the measures list, in order: (key, heading)."""

# Measures a reader should notice when they are not zero (shown in red).
ALARMING = frozenset({"decided_late", "pending", "not_classified", "breaches", "breaches_earlier",
                      "decisions_month_late", "sessions_no_outcome", "confirmations_late",
                      "rescheduled_no_time"})

SESSION_PARTS = ("sessions_held", "sessions_cancelled", "sessions_interrupted",
                 "sessions_rescheduled", "sessions_no_outcome")

# How the charts group the final states: the groups partition the month's rows too.
STATE_GROUPS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("held", "Прием проведен", ("held", "held_unidentified")),
    ("cancelled", "Отменен", ("cancelled_declined", "cancelled_unconfirmed")),
    ("interrupted", "Прерван",
     ("interrupted_no_show", "interrupted_not_identified", "interrupted_abuse")),
    ("rescheduled", "Перенесен", ("rescheduled",)),
    ("awaiting", "Назначен, итога нет", ("awaiting",)),
    ("rejected", "Отклонена", (*GROUND_KEYS.values(), "rejected_no_ground")),
    ("pending", "На рассмотрении", ("pending",)),
    ("not_classified", "Не классифицирована", ("not_classified",)),
)
