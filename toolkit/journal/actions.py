"""What staff must do about a finding, as the «Контроль» column says it.

    Ошибка. Графа 5 «Решение» (E25): принять решение — срок истек 27.11.2026 (п. 2.5).
    Внимание. Столбец «Ссылка на Телемост» (S25): внести ссылку на встречу в Телемосте (п. 2.4).

One line per finding: the severity marker («Ошибка» / «Внимание» — the sheet's conditional
formats colour the cell by it, so it is always the first word), the column and its cell, what to
do and by when, the clause. Errors come before warnings, so the first word of the cell is the
row's worst severity. The action templates use the finding's own parameters (see
`findings.CATALOGUE`); they never repeat a cell's value, which may be long or personal.
"""

from __future__ import annotations

from toolkit.journal.findings import CODES, Finding, Severity
from toolkit.journal.russian import short_date
from toolkit.journal.schema import COLUMNS, Column, column_title

ERROR_MARK = "Ошибка"
INFO_MARK = "Сведения"  # a hint (a possible repeat question): no colour, never a breach
WARNING_MARK = "Внимание"  # never used inside an action: the sheet's formats search for it

ACTIONS: dict[str, str] = {
    "cell-invalid-date": "исправить дату, нужно ДД.ММ.ГГГГ",
    "cell-invalid-datetime": "исправить дату и время, нужно ДД.ММ.ГГГГ ЧЧ:ММ",
    "cell-time-missing": "добавить время приема, нужно ДД.ММ.ГГГГ ЧЧ:ММ",
    "cell-invalid-number": "указать целое положительное число",
    "cell-unknown-value": "выбрать значение из раскрывающегося списка",
    "cell-formula": "заменить формулу значением",
    "cell-formula-like": "убрать знак «{char}» в начале текста",
    "cell-control-chars": "удалить невидимые управляющие символы",
    "cell-too-long": "сократить запись до {limit} символов",
    "cell-merged": "разъединить ячейки {range}",
    "number-missing": "указать № п/п",
    "number-duplicate": "исправить № п/п: {number} уже есть в строке {other_row}",
    "received-missing": "указать дату поступления заявки",
    "citizen-missing": "указать Ф.И.О. гражданина",
    "citizen-implausible": "проверить Ф.И.О.: фамилия, имя и отчество (при наличии) кириллицей",
    "topic-missing": "указать тематику вопроса",
    "decision-missing": "выбрать решение",
    "decision-date-missing": "указать дату решения",
    "appointment-missing": "указать дату и время приема",
    "appointment-unexpected": "удалить дату и время приема: заявка отклонена",
    "specialist-missing": "указать ответственного специалиста",
    "link-missing": "внести ссылку на встречу в Телемосте",
    "ground-missing": "выбрать основание отклонения",
    "ground-unknown": "выбрать одно из четырех оснований п. 2.8 из списка",
    "ground-unexpected": "удалить основание или исправить решение («{decision}»)",
    "date-order": "проверить даты: не может быть раньше, чем {earlier_column} ({earlier})",
    "appointment-off-day": "перенести прием с нерабочего дня {date} на рабочий",
    "appointment-off-hours": "перенести прием в часы работы органа ({hours})",
    "slot-overlap": "развести по времени с приемом в строке {other_row} ({other_time})",
    "outcome-without-appointment": "назначить прием или удалить итог",
    "outcome-premature": "удалить итог: прием {appointment} еще не начался",
    "email-implausible": "проверить адрес эл. почты",
    "email-missing": "указать адрес эл. почты для направления решения",
    "phone-implausible": "проверить номер телефона (10–11 цифр)",
    "consent-missing": "отметить согласие гражданина {what}; без него прием не проводится",
    "forwarding-late": "заявка переадресована позже срока {due}",
    "decision-overdue": "принять решение — срок истек {due}",
    "decision-late": "решение принято {decision_date}, позже срока {due}",
    "decision-due": "принять решение не позднее {due}",
    "notice-missing": "отметить, когда направлено уведомление",
    "confirmation-due": "внести ответ гражданина; ждем подтверждения не позднее {due}",
    "confirmation-overdue": "записать «Отменен: нет подтверждения участия» — подтверждение "
                            "не поступило в срок ({due})",
    "cancellation-not-recorded": "записать «Отменен: гражданин отказался»",
    "outcome-missing": "внести итог приема {appointment}",
    "recording-missing": "указать видеозапись (файл или ссылку)",
    "recording-expired": "уничтожить видеозапись — срок хранения истек {due}",
    "rescheduled-off-day": "перенести прием с нерабочего дня {date} на рабочий",
    "rescheduled-off-hours": "перенести прием в часы работы органа ({hours})",
    "specialist-unknown": "проверить специалиста: его нет в списке уполномоченных (п. 3.3)",
    "link-not-telemost": "внести ссылку на встречу в Яндекс Телемосте "
                         "(https://telemost.yandex.ru/j/…)",
    "phone-missing": "указать телефон гражданина для связи при неисправности",
    "confirmation-late": "подтверждение получено {answered_at}, позже срока {due}",
    "cancellation-premature": "удалить отмену: срок подтверждения истекает {due}",
    "cancellation-contradicts-confirmation": "проверить итог «{outcome}» и ответ гражданина: "
                                             "участие подтверждено",
    "held-without-confirmation": "внести подтверждение участия гражданина (ответ и дату) "
                                 "или исправить итог",
    "appointment-inside-window": "назначить прием позже срока подтверждения {due}",
    "unconfirmed-session-passed": "внести итог прошедшего приема {appointment}",
    "no-show-too-early": "проверить итог: неявку отмечают не раньше 10 минут после начала "
                         "приема {appointment}; укажите в примечании время ожидания",
    "rescheduled-time-missing": "указать новые дату и время в «Перенесен на»",
    "calendar-unknown": "уточнить производственный календарь на {year} год",
    "header-mismatch": "вернуть заголовок «{expected}» (образец — "
                       "sheets_templates/журнал-вкс.xlsx)",
    "unrouted-due": "переадресовать заявку с сайта компетентному органу до {due}",
    "repeat-question": "сверить с заявкой {reference} от {date} (решение: {decision}) — возможно, "
                       "повторный вопрос без новых доводов; решение принимает орган",
}
"""What to do, per finding code: an infinitive, filled from the finding's parameters."""


def where(cell: str | None, key: str | None = None) -> str:
    """«Графа 5 «Дата решения» (F15)» or «Столбец «Телефон» (O15)»; "" without a cell.

    The column is named by its schema key when the finding knows it: a sheet of an earlier
    layout keeps a service column at another letter than the current form.
    """
    if not cell:
        return ""
    named = _BY_KEY_NAMES.get(key) if key else _NAMES.get(cell.rstrip("0123456789"))
    return f"{named} ({cell})" if named else cell


def _name(column: Column) -> str:
    title = column_title(column)
    return title[:1].upper() + title[1:] if column.graph else f"Столбец {title}"


_NAMES = {c.letter: _name(c) for c in COLUMNS}  # a check names thousands of cells: once each
_BY_KEY_NAMES = {c.key: _name(c) for c in COLUMNS}


def action(f: Finding) -> str:
    """What to do about one finding, with its deadline filled in."""
    template = ACTIONS[f.code]
    if "{" not in template:
        return template
    values = dict(f.params)
    if f.due is not None:
        values.setdefault("due", short_date(f.due))
    try:
        return template.format(**values)
    except (KeyError, IndexError):  # a finding made without a parameter its action names
        return f.kind.title


def _frame(code: str) -> tuple[str, str]:
    """The marker and the clause of a code's lines: «Ошибка. » … « (п. 2.5).»"""
    kind = CODES[code]
    mark = {Severity.ERROR: ERROR_MARK, Severity.WARNING: WARNING_MARK,
            Severity.INFO: INFO_MARK}[kind.severity]
    clause = kind.clause
    suffix = "." if clause == "—" else (
        f" ({clause})." if clause.startswith("прил.") else f" (п. {clause}).")
    return f"{mark}. ", suffix


_FRAMES = {code: _frame(code) for code in CODES}


def control_line(f: Finding) -> str:
    """One line of the control column for one finding."""
    head, tail = _FRAMES[f.code]
    place = where(f.cell, f.key)
    return f"{head}{place + ': ' if place else ''}{action(f)}{tail}"
