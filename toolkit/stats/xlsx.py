"""The monthly report as an .xlsx workbook, ready to print.

Sheets: «Сводка» (what to act on: decisions overdue now, breaches of the order by clause against
the previous month, breaches of earlier months, data-entry slips apart; then the month in
sentences), «Показатели» (every measure in total: the month, the previous one, the change),
«По органам», «Заявки по органам», «Работа по органам» (bodies × a dozen measures each),
«Специалисты», «Динамика» (12 months, with a chart), «Диаграммы» (native Excel charts), then a
sheet per body (its measures, breaches, slips, topics, rows not classified). Every sheet prints
on A4 landscape, one page wide at full size, its table header repeated on each page.
"""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment
from openpyxl.worksheet.worksheet import Worksheet

from toolkit.journal.findings import CODES
from toolkit.journal.russian import short_date
from toolkit.stats.kinds import clause_of, title_of
from toolkit.stats.results import BodyStats, MonthlyStats
from toolkit.stats.states import ALARMING, MEASURES, SECTIONS
from toolkit.stats.wording import TITLE, month_sentences, period_text
from toolkit.stats.xlsx_style import (
    BAD_FONT,
    BIG_BAD_FONT,
    BIG_FONT,
    BOLD_FONT,
    BOX,
    CELL_FONT,
    CHANGE,
    DECIMAL,
    HEADER_ROW,
    INT,
    NOTE_FONT,
    SECTION_FILL,
    SECTION_FONT,
    Change,
    head_row,
    heading,
    page_break,
    print_setup,
    put,
    sheet_title,
    table,
    text_rows,
    widths,
)
from toolkit.stats.xlsx_tables import (
    BODY_TABLES,
    CHARTS_SHEET,
    bodies_sheet,
    charts_sheet,
    specialists_sheet,
    trend_sheet,
)

SUMMARY_SHEET = "Сводка"
MEASURES_SHEET = "Показатели"
SPECIALISTS_SHEET = "Специалисты"
TREND_SHEET = "Динамика"
_LABEL, _NUMBER = 62, 16  # the label column and three number columns of the list sheets
FIXED_SHEETS = (SUMMARY_SHEET, MEASURES_SHEET, *(t for t, _, _ in BODY_TABLES),
                SPECIALISTS_SHEET, TREND_SHEET, CHARTS_SHEET)


def workbook_bytes(stats: MonthlyStats) -> bytes:
    buffer = io.BytesIO()
    build_workbook(stats).save(buffer)
    return buffer.getvalue()


def build_workbook(stats: MonthlyStats) -> Workbook:
    wb = Workbook()
    first = wb.active
    assert first is not None
    first.title = SUMMARY_SHEET
    scope = "Все органы" if len(stats.bodies) > 1 else stats.bodies[0].body
    _summary_sheet(first, stats, scope)
    ws = wb.create_sheet(MEASURES_SHEET)
    heading(ws, stats, f"{scope}: все показатели")
    _measures(ws, stats, stats.total, HEADER_ROW)
    print_setup(ws, f"{HEADER_ROW}:{HEADER_ROW}")
    columns: dict[str, dict[str, int]] = {}
    for title, what, table_columns in BODY_TABLES:
        columns[title] = bodies_sheet(wb.create_sheet(title), stats, what, table_columns)
    specialists_sheet(wb.create_sheet(SPECIALISTS_SHEET), stats)
    trend_sheet(wb.create_sheet(TREND_SHEET), stats)
    outcomes = BODY_TABLES[1][0]
    charts_sheet(wb, stats, wb[outcomes], columns[outcomes])
    taken = set(FIXED_SHEETS)
    for body in stats.bodies:
        title = sheet_title(body.body, taken)
        taken.add(title)
        _body_sheet(wb.create_sheet(title), stats, body)
    wb.properties.title = f"{TITLE}: {stats.month.title}"
    wb.properties.creator = "vks"
    return wb


def _summary_sheet(ws: Worksheet, stats: MonthlyStats, scope: str) -> None:
    """What to act on first; then the month in sentences."""
    heading(ws, stats, scope)
    widths(ws, [_LABEL, _NUMBER, _NUMBER, _NUMBER])
    row = _headline(ws, stats, stats.total, HEADER_ROW, many=len(stats.bodies) > 1)
    put(ws, row, 1, "Сводка за месяц", SECTION_FONT)
    row = text_rows(ws, row + 1, month_sentences(stats), 4)
    text_rows(ws, row + 1, [
        "Заявки месяца — поступившие в этом месяце (графа 2); каждая учтена ровно в одном "
        "итоговом состоянии. Работа за месяц — решения по дате решения и приемы по дате "
        "приема, в каком бы месяце ни поступила заявка. Нарушение порядка учтено в месяце, на "
        "который пришелся его срок или событие; недочеты заполнения — ошибки и пропуски в "
        f"записях заявок месяца. Сведения {period_text(stats)}."], 4, NOTE_FONT)
    print_setup(ws, None)


def _headline(ws: Worksheet, stats: MonthlyStats, body: BodyStats, row: int,
              many: bool = False) -> int:
    """Overdue now (`many`: per body), breaches by clause, earlier breaches, data slips;
    the row after them."""
    put(ws, row, 1, "Главное", SECTION_FONT)
    overdue = body.overdue_now
    t, p = body.counts, body.previous
    previous = stats.month.previous().title.lower()
    figures: list[tuple[str, int, str]] = [
        (f"Просрочено решений сейчас (на {short_date(stats.overdue_day)}; срок п. 2.5 истек)",
         overdue.count, f"самый давний срок {short_date(overdue.oldest_due)}"
         if overdue.oldest_due else ""),
        (f"Нарушений порядка {stats.month.in_text}", t["breaches"],
         f"{previous}: {p['breaches']}"),
        ("Не устранено нарушений прошлых месяцев", t["breaches_earlier"], ""),
        ("Недочетов заполнения журнала в заявках месяца (не нарушения порядка)",
         t["data_slips"], ""),
    ]
    for i, (label, value, note) in enumerate(figures):
        row += 1
        put(ws, row, 1, label, BOLD_FONT, alignment=Alignment(vertical="center"))
        put(ws, row, 2, value, BIG_BAD_FONT if value and i < 3 else BIG_FONT, INT)
        put(ws, row, 3, note, NOTE_FONT, alignment=Alignment(vertical="center", indent=1))
        ws.row_dimensions[row].height = 19
    row += 1
    if many:
        late = sorted((b for b in stats.bodies if b.overdue_now.count),
                      key=lambda b: (-b.overdue_now.count, b.body))
        row = table(ws, row, f"Просрочены решения сейчас — по органам "
                    f"(на {short_date(stats.overdue_day)})",
                    ("Орган", "Заявок", "Самый давний срок"),
                    [(b.body, b.overdue_now.count, short_date(b.overdue_now.oldest_due))
                     for b in late], "Просроченных решений нет.", bad=(1,))
    row = table(ws, row, f"Нарушения порядка {stats.month.in_text} по пунктам приказа",
                ("Пункт и нарушение", stats.month.title, stats.month.previous().title,
                 "Изменение"),
                [(f"п. {clause_of(code)}. {title_of(code)}", n, before, Change(n - before))
                 for code, n, before in body.breach_rows()],
                "Нарушений порядка нет.", bad=(1,))
    if body.breaches_earlier:
        row = table(ws, row, "Не устранены нарушения прошлых месяцев",
                    ("Пункт и нарушение", "Количество"),
                    [(f"п. {clause_of(code)}. {title_of(code)}", n)
                     for code, n in body.breaches_earlier.items()], "")
    return table(ws, row, "Недочеты заполнения журнала в заявках месяца (не нарушения "
                 "порядка; подробно — в отчете vks check)", ("Недочет", "Количество", "Вид"),
                 [(CODES[code].title, n, CODES[code].severity.label)
                  for code, n in body.data_slips.items()], "Недочетов нет.")


def _measures(ws: Worksheet, stats: MonthlyStats, body: BodyStats, row: int) -> int:
    """Every measure by section: the month, the previous month, the change; the next row."""
    widths(ws, [_LABEL, _NUMBER, _NUMBER, _NUMBER])
    head_row(ws, row, ("Показатель", stats.month.title, stats.month.previous().title,
                       "Изменение"))
    for key, title in SECTIONS:
        row += 1
        for col in range(1, 5):
            put(ws, row, col, title if col == 1 else None, BOLD_FONT, fill=SECTION_FILL,
                border=BOX)
        for m in MEASURES:
            if m.section != key:
                continue
            row += 1
            value = body.counts[m.key]
            font = BAD_FONT if m.key in ALARMING and value else BOLD_FONT if m.level == 0 \
                else CELL_FONT
            put(ws, row, 1, m.label, BOLD_FONT if m.level == 0 else CELL_FONT, border=BOX,
                alignment=Alignment(indent=2 * m.level, wrap_text=True))
            put(ws, row, 2, value, font, INT, border=BOX)
            put(ws, row, 3, body.previous[m.key], CELL_FONT, INT, border=BOX)
            put(ws, row, 4, body.change(m.key), CELL_FONT, CHANGE, border=BOX)
        if key == SECTIONS[0][0]:
            days: tuple[tuple[str, float | None, str], ...] = (
                ("Рабочих дней от поступления до решения: медиана", body.days_median, DECIMAL),
                ("Рабочих дней от поступления до решения: максимум", body.days_max, INT))
            for label, days_value, fmt in days:
                row += 1
                put(ws, row, 1, label, BOLD_FONT, border=BOX)
                put(ws, row, 2, days_value, CELL_FONT, fmt, border=BOX)
                for col in (3, 4):
                    put(ws, row, col, None, CELL_FONT, border=BOX)
    return row + 2


def _body_sheet(ws: Worksheet, stats: MonthlyStats, body: BodyStats) -> None:
    """Page 1: the body's headline and lists; then its measures, under a repeated header."""
    heading(ws, stats, body.body)
    widths(ws, [_LABEL, _NUMBER, _NUMBER, _NUMBER])
    row = _headline(ws, stats, body, HEADER_ROW)
    row = table(ws, row, "Частые темы обращений", ("Тематика вопроса", "Заявок"),
                [(topic, n) for topic, n in body.topics], "Заявок с указанной тематикой нет.")
    undated = [r for r in stats.undated if r.body == body.body]
    row = table(ws, row, "Не классифицированные строки (неверно заполнены ячейки)",
                ("Лист", "Строка", "Ячейки"),
                [(r.sheet, r.row, r.cells) for r in body.not_classified], "Нет.")
    if undated:
        row = table(ws, row, "Строки без даты поступления (не учтены ни в одном месяце)",
                    ("Лист", "Строка", "Ячейка"), [(r.sheet, r.row, r.cells) for r in undated],
                    "")
    page_break(ws, row - 1)
    put(ws, row, 1, "Показатели", SECTION_FONT)
    _measures(ws, stats, body, row + 1)
    print_setup(ws, f"{row + 1}:{row + 1}")  # rows above it print without it (LibreOffice, Excel)

