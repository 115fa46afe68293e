"""The monthly report as an .xlsx workbook, ready to print.

Sheets: «Сводка» (bodies × every measure, a totals row, the summary sentences), «Диаграммы»
(native Excel charts over the summary: applications by outcome per body; decisions on time vs
late per body), then a sheet per body (measures against the previous month, review time, topics,
open violations, rows not classified). Every sheet prints on A4 landscape, fitted to the page
width, with its table header repeated on each page.
"""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.chart.series import SeriesLabel
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from toolkit.journal.findings import CODES
from toolkit.journal.text import formula_start
from toolkit.stats.monthly import MEASURES, STATE_GROUPS, BodyStats, MonthlyStats
from toolkit.stats.report import (
    GROUP_COLORS,
    LATE_COLOR,
    ON_TIME_COLOR,
    TITLE,
    period_text,
    summary,
)

SUMMARY_SHEET = "Сводка"
CHARTS_SHEET = "Диаграммы"
HEADER_ROW = 4
INT = "#,##0"
DECIMAL = "0.0"
CHANGE = '+#,##0;"\u2212"#,##0;0'

TITLE_FONT = Font(name="Arial", size=14, bold=True)
NOTE_FONT = Font(name="Arial", size=10, color="52606D")
HEAD_FONT = Font(name="Arial", size=9, bold=True)
CELL_FONT = Font(name="Arial", size=9)
BOLD_FONT = Font(name="Arial", size=9, bold=True)
HEAD_FILL = PatternFill("solid", fgColor="E8EEF5")
TOTAL_FILL = PatternFill("solid", fgColor="F4F5F7")
THIN = Side(style="thin", color="9FB3C8")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WRAP_HEAD = Alignment(wrap_text=True, vertical="center", horizontal="center")
FORBIDDEN = "[]:*?/\\"


def workbook_bytes(stats: MonthlyStats) -> bytes:
    buffer = io.BytesIO()
    build_workbook(stats).save(buffer)
    return buffer.getvalue()


def build_workbook(stats: MonthlyStats) -> Workbook:
    wb = Workbook()
    summary_ws = wb.active
    assert summary_ws is not None
    summary_ws.title = SUMMARY_SHEET
    rows = _summary_sheet(summary_ws, stats)
    _charts_sheet(wb.create_sheet(CHARTS_SHEET), stats, rows)
    taken = {SUMMARY_SHEET, CHARTS_SHEET}
    for body in stats.bodies:
        title = _sheet_title(body.body, taken)
        taken.add(title)
        _body_sheet(wb.create_sheet(title), stats, body)
    wb.properties.title = f"{TITLE}: {stats.month.title}"
    wb.properties.creator = "vks"
    return wb


def _put(ws: Worksheet, row: int, col: int, value: Any, font: Font = CELL_FONT,
         fmt: str | None = None, **style: Any) -> Any:
    cell = ws.cell(row, col, value)
    if isinstance(value, str):
        cell.data_type = "s"  # text from a journal is never a formula
        cell.quotePrefix = formula_start(value)  # nor becomes one when a person edits it
    cell.font = font
    if fmt:
        cell.number_format = fmt
    for name, v in style.items():
        setattr(cell, name, v)
    return cell


def _heading(ws: Worksheet, stats: MonthlyStats, scope: str) -> None:
    _put(ws, 1, 1, f"{TITLE}: {stats.month.title}", TITLE_FONT)
    _put(ws, 2, 1, f"{scope}. Сведения {period_text(stats)}.", NOTE_FONT)


def _print_setup(ws: Worksheet, title_rows: str | None) -> None:
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.5
    if title_rows:
        ws.print_title_rows = title_rows
    ws.oddFooter.center.text = "Страница &P из &N"
    ws.oddFooter.right.text = "&A"


def _summary_sheet(ws: Worksheet, stats: MonthlyStats) -> tuple[int, int]:
    """Bodies × measures with a totals row; returns the first and last body rows."""
    scope = "Все органы" if len(stats.bodies) > 1 else stats.bodies[0].body
    _heading(ws, stats, scope)
    headings = ["Орган", *(m.heading for m in MEASURES),
                "Рабочих дней до решения: медиана", "Рабочих дней до решения: максимум"]
    for col, text in enumerate(headings, start=1):
        _put(ws, HEADER_ROW, col, text, HEAD_FONT, fill=HEAD_FILL, border=BOX,
             alignment=WRAP_HEAD)
    ws.row_dimensions[HEADER_ROW].height = 78
    ws.column_dimensions["A"].width = 42
    for col in range(2, len(headings) + 1):
        ws.column_dimensions[get_column_letter(col)].width = 10.5
    first = HEADER_ROW + 1
    row = first
    for body in stats.bodies:
        _measure_row(ws, row, body, CELL_FONT)
        row += 1
    last = row - 1
    if len(stats.bodies) > 1:
        _measure_row(ws, row, stats.total, BOLD_FONT, label="Итого", fill=TOTAL_FILL)
        row += 1
    ws.freeze_panes = ws.cell(first, 2)
    row += 1
    for sentence in summary(stats):
        _put(ws, row, 1, sentence, Font(name="Arial", size=10))
        row += 1
    _put(ws, row + 1, 1, "Заявки месяца — поступившие в этом месяце (графа 2); каждая учтена "
         "ровно в одном итоговом состоянии. Нарушения — ошибки проверки журнала, не устраненные "
         f"{period_text(stats)}.", NOTE_FONT)
    _print_setup(ws, f"{HEADER_ROW}:{HEADER_ROW}")
    return first, last


def _measure_row(ws: Worksheet, row: int, body: BodyStats, font: Font, label: str = "",
                 fill: PatternFill | None = None) -> None:
    extra = {"fill": fill} if fill else {}
    _put(ws, row, 1, label or body.body, font, border=BOX,
         alignment=Alignment(wrap_text=True, vertical="center"), **extra)
    for col, m in enumerate(MEASURES, start=2):
        _put(ws, row, col, body.counts[m.key], font, INT, border=BOX, **extra)
    col = len(MEASURES) + 2
    _put(ws, row, col, body.days_median, font, DECIMAL, border=BOX, **extra)
    _put(ws, row, col + 1, body.days_max, font, INT, border=BOX, **extra)


def _column_of(key: str) -> int:
    return 2 + [m.key for m in MEASURES].index(key)


def _charts_sheet(ws: Worksheet, stats: MonthlyStats, rows: tuple[int, int]) -> None:
    _heading(ws, stats, "Диаграммы по данным листа «Сводка»")
    summary_ws = ws.parent[SUMMARY_SHEET]
    first, last = rows
    categories = Reference(summary_ws, min_col=1, min_row=first, max_row=last)
    height = max(7.5, 2.5 + 0.8 * len(stats.bodies))

    states = BarChart()
    states.type = "bar"
    states.grouping = "stacked"
    states.overlap = 100
    states.title = "Заявки месяца по итогам"
    for group, label, _members in STATE_GROUPS:
        col = _column_of(group)
        data = Reference(summary_ws, min_col=col, min_row=first, max_row=last)
        states.add_data(data, titles_from_data=False)
        series = states.series[-1]
        series.tx = SeriesLabel(v=label)
        series.graphicalProperties.solidFill = GROUP_COLORS[group].lstrip("#")
        series.graphicalProperties.line.solidFill = GROUP_COLORS[group].lstrip("#")
    states.set_categories(categories)
    _chart_layout(states, height)
    ws.add_chart(states, "A4")

    decisions = BarChart()
    decisions.type = "bar"
    decisions.grouping = "stacked"
    decisions.overlap = 100
    decisions.title = "Решения: в срок и с нарушением срока (п. 2.5)"
    for key, label, color in (("decided_on_time", "В срок", ON_TIME_COLOR),
                              ("decided_late", "С нарушением срока", LATE_COLOR)):
        data = Reference(summary_ws, min_col=_column_of(key), min_row=first, max_row=last)
        decisions.add_data(data, titles_from_data=False)
        series = decisions.series[-1]
        series.tx = SeriesLabel(v=label)
        series.graphicalProperties.solidFill = color.lstrip("#")
        series.graphicalProperties.line.solidFill = color.lstrip("#")
    decisions.set_categories(categories)
    _chart_layout(decisions, height)
    anchor_row = 4 + int(height * 2) + 2
    ws.add_chart(decisions, f"A{anchor_row}")
    _print_setup(ws, None)


def _chart_layout(chart: BarChart, height: float) -> None:
    chart.width = 26
    chart.height = height
    chart.legend.position = "b"
    chart.y_axis.title = "Заявок"
    chart.y_axis.majorGridlines = None
    chart.y_axis.number_format = "0"
    chart.x_axis.scaling.orientation = "maxMin"  # bodies top-down, in the summary's order
    chart.x_axis.delete = False
    chart.y_axis.delete = False


def _body_sheet(ws: Worksheet, stats: MonthlyStats, body: BodyStats) -> None:
    _heading(ws, stats, body.body)
    ws.column_dimensions["A"].width = 58
    for letter in "BCD":
        ws.column_dimensions[letter].width = 16
    row = HEADER_ROW
    heads = ("Показатель", stats.month.title, stats.month.previous().title, "Изменение")
    for col, text in enumerate(heads, start=1):
        _put(ws, row, col, text, HEAD_FONT, fill=HEAD_FILL, border=BOX, alignment=WRAP_HEAD)
    for m in MEASURES:
        row += 1
        font = BOLD_FONT if m.level == 0 else CELL_FONT
        _put(ws, row, 1, m.label, font, border=BOX, alignment=Alignment(indent=2 * m.level))
        _put(ws, row, 2, body.counts[m.key], font, INT, border=BOX)
        _put(ws, row, 3, body.previous[m.key], CELL_FONT, INT, border=BOX)
        _put(ws, row, 4, body.change(m.key), CELL_FONT, CHANGE, border=BOX)
    row += 2
    _put(ws, row, 1, "Рабочих дней от поступления до решения", BOLD_FONT)
    row += 1
    _put(ws, row, 1, "медиана", CELL_FONT, alignment=Alignment(indent=2))
    _put(ws, row, 2, body.days_median, CELL_FONT, DECIMAL)
    row += 1
    _put(ws, row, 1, "максимум", CELL_FONT, alignment=Alignment(indent=2))
    _put(ws, row, 2, body.days_max, CELL_FONT, INT)

    row += 2
    row = _table(ws, row, "Частые темы обращений", ("Тематика вопроса", "Заявок"),
                 [(topic, n) for topic, n in body.topics],
                 "Заявок с указанной тематикой нет.")
    row = _table(ws, row, f"Не устраненные нарушения {period_text(stats)}",
                 ("Нарушение", "Количество", "Пункт", "Код"),
                 [(CODES[c].title, n, CODES[c].clause, c) for c, n in body.violations.items()],
                 "Нарушений нет.")
    refs = body.not_classified
    undated = [r for r in stats.undated if r.body == body.body]
    row = _table(ws, row, "Не классифицированные строки (неверно заполнены ячейки)",
                 ("Лист", "Строка", "Ячейки"),
                 [(r.sheet, r.row, r.cells) for r in refs], "Нет.")
    if undated:
        _table(ws, row, "Строки без даты поступления (не учтены ни в одном месяце)",
               ("Лист", "Строка", "Ячейка"), [(r.sheet, r.row, r.cells) for r in undated], "")
    _print_setup(ws, f"{HEADER_ROW}:{HEADER_ROW}")


def _table(ws: Worksheet, row: int, title: str, heads: tuple[str, ...],
           rows: list[tuple[Any, ...]], empty: str) -> int:
    _put(ws, row, 1, title, BOLD_FONT)
    row += 1
    if not rows:
        _put(ws, row, 1, empty, CELL_FONT)
        return row + 2
    for col, text in enumerate(heads, start=1):
        _put(ws, row, col, text, HEAD_FONT, fill=HEAD_FILL, border=BOX, alignment=WRAP_HEAD)
    for values in rows:
        row += 1
        for col, value in enumerate(values, start=1):
            fmt = INT if isinstance(value, int) else None
            _put(ws, row, col, value, CELL_FONT, fmt, border=BOX,
                 alignment=Alignment(wrap_text=True, vertical="top"))
    return row + 2


def _sheet_title(name: str, taken: set[str]) -> str:
    """A valid, unique worksheet title for a body: ≤ 31 characters, none of []:*?/\\."""
    clean = "".join(" " if ch in FORBIDDEN else ch for ch in name)
    clean = " ".join(clean.split()).strip("'") or "Орган"
    title = clean[:31]
    n = 2
    while title.casefold() in {t.casefold() for t in taken}:
        suffix = f" ({n})"
        title = clean[: 31 - len(suffix)] + suffix
        n += 1
    return title

