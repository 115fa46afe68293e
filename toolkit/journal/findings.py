"""Findings: problems in the journal, as data.

Each finding has a stable code from the catalogue below (its clause of order No. 77, its
severity, a short title for the control column and one message template), the body, sheet, row
and cell it concerns, and the due date where a deadline applies. The catalogue is the JSON
contract: codes are never renamed, only added.
"""

from __future__ import annotations

import datetime as dt
import string
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from toolkit.journal.russian import short_date


class Severity(Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"  # a hint for the body, never a breach (a possible repeat question)

    @property
    def label(self) -> str:
        return {"error": "ошибка", "warning": "предупреждение", "info": "сведения"}[self.value]


@dataclass(frozen=True)
class Code:
    """One kind of finding."""

    code: str
    clause: str
    severity: Severity
    title: str
    template: str
    flags_row: bool = True  # shown in the row's control column (not for past, settled lapses)

    @property
    def fields(self) -> tuple[str, ...]:
        return tuple(f for _, f, _, _ in string.Formatter().parse(self.template) if f)


E, W, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO
_APP1 = "прил. 1"

CATALOGUE: tuple[Code, ...] = (
    # Cells that cannot be read as their column's type. A message names the cell and what is
    # expected, never what was typed: a mistyped cell may hold a name, a phone or an e-mail.
    Code("cell-invalid-date", _APP1, E, "Неверная дата",
         "{column}: значение не дата; введите ДД.ММ.ГГГГ"),
    Code("cell-invalid-datetime", _APP1, E, "Неверные дата и время",
         "{column}: значение не дата и время; введите ДД.ММ.ГГГГ ЧЧ:ММ"),
    Code("cell-time-missing", _APP1, E, "Не указано время приема",
         "{column}: указана только дата; введите ДД.ММ.ГГГГ ЧЧ:ММ"),
    Code("cell-invalid-number", _APP1, E, "Неверный номер",
         "{column}: значение не целое положительное число"),
    Code("cell-unknown-value", _APP1, E, "Значение не из списка",
         "{column}: значения нет в списке; выберите одно из: {choices}"),
    Code("cell-formula", "—", W, "Формула в ячейке",
         "{column}: в ячейке формула; журнал заполняется значениями, формулы не вычисляются"),
    Code("cell-formula-like", "—", W, "Текст похож на формулу",
         "{column}: текст начинается с «{char}» и может быть выполнен как формула "
         "в другой программе; уберите этот знак в начале"),
    Code("cell-control-chars", "—", W, "Управляющие символы",
         "{column}: текст содержит невидимые управляющие символы; они не учитываются"),
    Code("cell-too-long", "—", W, "Слишком длинный текст",
         "{column}: {length} символов — больше {limit}; сократите запись"),
    Code("cell-merged", _APP1, E, "Объединенные ячейки",
         "ячейки {range} объединены: в строках журнала ячейки не объединяют, "
         "значения скрытых ячеек теряются"),
    # The row's content (cl. 2.2–2.8, 3.10, 3.11).
    Code("number-missing", _APP1, E, "Нет № п/п", "графа 1: не указан № п/п"),
    Code("number-duplicate", _APP1, E, "Повтор № п/п",
         "№ п/п {number} уже указан в строке {other_row}"),
    Code("received-missing", "2.4", E, "Нет даты поступления",
         "графа 2: не указана дата поступления заявки"),
    Code("citizen-missing", "2.2", E, "Нет Ф.И.О. гражданина",
         "графа 3: не указаны Ф.И.О. гражданина"),
    Code("citizen-implausible", "2.2", W, "Ф.И.О. гражданина под вопросом",
         "графа 3: ожидаются фамилия, имя и отчество (при наличии) кириллицей"),
    Code("topic-missing", "2.2", E, "Нет тематики вопроса",
         "графа 4: не указана тематика вопроса"),
    Code("decision-missing", "2.4", E, "Не выбрано решение",
         "графа 5: заполнены сведения о решении, но не выбрано «Решение»"),
    Code("decision-date-missing", "2.4", E, "Нет даты решения",
         "графа 5: решение «{decision}» без даты решения"),
    Code("appointment-missing", "2.4", E, "Нет даты и времени приема",
         "графа 5: назначен прием, но не указаны дата и время приема"),
    Code("appointment-unexpected", "2.4", W, "Дата приема при отклонении",
         "графа 5: заявка отклонена, а дата и время приема указаны"),
    Code("specialist-missing", "2.4", E, "Нет ответственного специалиста",
         "графа 6: назначен прием, но не указан ответственный специалист"),
    Code("link-missing", "2.4", W, "Нет ссылки на Телемост",
         "назначен прием, но не указана ссылка на Телемост для гражданина"),
    Code("ground-missing", "2.8", E, "Нет основания отклонения",
         "графа 5: заявка отклонена, но не указано основание отклонения"),
    Code("ground-unknown", "2.8", E, "Неизвестное основание",
         "графа 5: основание отклонения не одно из четырех оснований п. 2.8; выберите "
         "из списка или укажите номер 1–4"),
    Code("ground-unexpected", "2.8", E, "Основание без отклонения",
         "графа 5: указано основание отклонения, но решение — «{decision}»"),
    Code("date-order", "2.4", E, "Нарушен порядок дат",
         "{later_column} ({later}) раньше, чем {earlier_column} ({earlier})"),
    Code("appointment-off-day", "1.2", E, "Прием в нерабочий день",
         "графа 5: прием назначен на нерабочий день {date}"),
    Code("appointment-off-hours", "1.2", E, "Прием вне графика",
         "графа 5: прием в {time} вне графика работы органа ({hours})"),
    Code("slot-overlap", "3.10", E, "Пересечение приемов",
         "прием в {time} пересекается с приемом того же специалиста в строке {other_row} "
         "({other_time}); прием длится до 15 минут"),
    Code("rescheduled-off-day", "1.2", E, "Перенос на нерабочий день",
         "«Перенесен на»: прием перенесен на нерабочий день {date}"),
    Code("rescheduled-off-hours", "1.2", E, "Перенос вне графика",
         "«Перенесен на»: прием в {time} вне графика работы органа ({hours})"),
    Code("specialist-unknown", "3.3", W, "Специалист не из списка",
         "графа 6: специалист не найден в списке уполномоченных специалистов органа"),
    Code("link-not-telemost", "1.3", E, "Ссылка не на Телемост",
         "«Ссылка на Телемост»: ссылка не на встречу в Яндекс Телемосте "
         "(https://telemost.yandex.ru/j/…)"),
    Code("outcome-without-appointment", "3.11", E, "Итог без назначенного приема",
         "графа 7: итог «{outcome}» указан, но прием не назначен"),
    Code("outcome-premature", "3.11", E, "Итог до времени приема",
         "графа 7: итог «{outcome}» указан до начала приема {appointment}"),
    Code("email-implausible", "2.2", W, "Неверный адрес эл. почты",
         "«Эл. почта»: адрес не похож на адрес электронной почты"),
    Code("email-missing", "2.4", W, "Нет адреса эл. почты",
         "«Эл. почта»: не указан адрес, на который направляется решение"),
    Code("phone-implausible", "2.2", W, "Неверный телефон",
         "«Телефон»: номер не похож на телефонный (нужно 10–11 цифр)"),
    Code("phone-missing", "3.5", W, "Нет телефона",
         "«Телефон»: не указан номер для связи при технической неисправности"),
    Code("consent-missing", "2.2", E, "Нет согласия",
         "{column}: нет согласия гражданина {what}"),
    # Deadlines (cl. 2.3, 2.5–2.7, 3.6, 3.11).
    Code("forwarding-late", "2.3", W, "Переадресация позже срока",
         "заявка с сайта от {submitted} поступила {received}, позже срока {due}",
         flags_row=False),
    Code("unrouted-due", "2.3", W, "Заявка с сайта не распределена",
         "заявка с сайта от {submitted} ({where}) не распределена ни одному органу: "
         "переадресуйте ее не позднее {due}", flags_row=False),
    Code("decision-overdue", "2.5", E, "Просрочено решение",
         "решение по заявке не принято, срок истек {due}"),
    Code("decision-late", "2.5", W, "Решение позже срока",
         "решение принято {decision_date}, позже срока {due}", flags_row=False),
    Code("decision-due", "2.5", W, "Срок решения",
         "решение по заявке нужно принять не позднее {due}"),
    Code("notice-missing", "2.4", W, "Нет отметки об уведомлении",
         "прием назначен, но не отмечено, когда гражданину направлено уведомление"),
    Code("confirmation-due", "2.6", W, "Ожидается подтверждение",
         "ожидается подтверждение участия гражданина не позднее {due}"),
    Code("confirmation-overdue", "2.7", E, "Нет подтверждения участия",
         "подтверждение участия не поступило в срок ({due}): прием отменяется — "
         "запишите в графу 7 «Отменен: нет подтверждения участия»"),
    Code("cancellation-not-recorded", "2.7", E, "Отмена не записана",
         "гражданин отказался от участия: запишите в графу 7 «Отменен: гражданин отказался»"),
    Code("confirmation-late", "2.6", W, "Подтверждение участия позже срока",
         "подтверждение участия получено {answered_at}, позже срока {due}", flags_row=False),
    Code("cancellation-premature", "2.7", E, "Отмена до истечения срока",
         "графа 7: «Отменен: нет подтверждения участия» до истечения срока подтверждения {due}"),
    Code("cancellation-contradicts-confirmation", "2.7", E, "Отмена при подтверждении",
         "графа 7: «{outcome}», а гражданин подтвердил участие"),
    Code("held-without-confirmation", "2.7", E, "Прием без подтверждения",
         "графа 7: «{outcome}», но подтверждение участия гражданина не отмечено"),
    Code("appointment-inside-window", "2.6", W, "Прием до конца срока подтверждения",
         "прием {appointment} назначен не позже срока подтверждения участия {due}: "
         "гражданин не успевает подтвердить участие"),
    Code("unconfirmed-session-passed", "2.7", E, "Прием прошел без подтверждения",
         "прием {appointment} уже прошел, а подтверждения участия нет: внесите итог в графу 7"),
    Code("no-show-too-early", "3.12", E, "Неявка раньше 10 минут",
         "графа 7: «гражданин не подключился» отмечено раньше 10 минут после начала "
         "приема {appointment}"),
    Code("rescheduled-time-missing", "3.5", E, "Нет времени переноса",
         "графа 7: прием перенесен, но не указано «Перенесен на»"),
    Code("outcome-missing", "3.11", E, "Не внесен итог приема",
         "прием {appointment} прошел, а итог в графе 7 не внесен"),
    Code("recording-missing", "3.6", W, "Нет сведений о видеозаписи",
         "прием проведен, но не указана видеозапись"),
    Code("recording-expired", "3.6", E, "Истек срок хранения видеозаписи",
         "срок хранения видеозаписи (2 года) истек {due}: она подлежит уничтожению"),
    # Hints (cl. 2.8 ground 4, cl. 2.9): the body decides; never a reason by itself.
    Code("repeat-question", "2.8", INFO, "Возможно повторный вопрос",
         "возможно повторный вопрос: {reference}, заявка от {date}, решение: {decision}; "
         "совпадают: {evidence}; сходство тематики {score} %"),
    Code("header-mismatch", "прил. 1", E, "Шапка листа не по форме",
         "заголовок не совпадает с формой приложения № 1 — ожидается «{expected}», в ячейке "
         "{found}; лист не проверен, остальные листы проверены", flags_row=False),
    Code("calendar-unknown", "—", W, "Календарь не известен",
         "производственный календарь на {year} год еще не известен: сроки в {year} году "
         "посчитаны без переносов выходных и могут быть неточны", flags_row=False),
)

CODES: dict[str, Code] = {c.code: c for c in CATALOGUE}
# What each message shows: a finding keeps only these parameters (a raw cell value passed by a
# caller is dropped here, so it never travels with the finding).
_SHOWN: dict[str, frozenset[str]] = {c.code: frozenset(c.fields) for c in CATALOGUE}

@dataclass(slots=True)
class Finding:
    """One problem found in one journal, row and cell (treat as read-only)."""

    code: str
    body: str
    sheet: str
    row: int | None = None
    cell: str | None = None
    due: dt.date | None = None
    params: dict[str, str] = field(default_factory=dict)
    key: str | None = None  # the schema column of `cell`, however the sheet places it

    @property
    def kind(self) -> Code:
        return CODES[self.code]

    @property
    def severity(self) -> Severity:
        return CODES[self.code].severity

    @property
    def clause(self) -> str:
        return CODES[self.code].clause

    @property
    def message(self) -> str:
        return CODES[self.code].template.format(**self._values())

    def _values(self) -> dict[str, str]:
        values = dict(self.params)
        if self.due is not None:
            values.setdefault("due", short_date(self.due))
        return values

    def to_dict(self) -> dict[str, Any]:
        kind = CODES[self.code]
        values = self.params
        if self.due is not None:
            values = {"due": short_date(self.due), **values}
        return {
            "code": self.code,
            "clause": kind.clause,
            "severity": kind.severity.value,
            "body": self.body,
            "sheet": self.sheet,
            "row": self.row,
            "cell": self.cell,
            "due": self.due.isoformat() if self.due else None,
            "message": kind.template.format(**values),
        }


def finding(
    code: str,
    body: str,
    sheet: str,
    row: int | None = None,
    cell: str | None = None,
    due: dt.date | None = None,
    **params: object,
) -> Finding:
    """Make a finding; parameters become the strings its message template fills in."""
    if code not in CODES:
        raise KeyError(code)
    shown = _SHOWN[code]
    kept = {key: value if type(value) is str else str(value)
            for key, value in params.items() if key in shown}
    return Finding(code, body, sheet, row, cell, due, kept)
