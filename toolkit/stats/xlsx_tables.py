"""The workbook's wide tables: bodies × measures in three narrow sheets, specialists, the
12-month trend, and the native Excel charts over them."""

from __future__ import annotations

from dataclasses import dataclass

from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.chart.series import SeriesLabel
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from toolkit.stats.activity import SPECIALIST_HEADINGS, SPECIALIST_KEYS
from toolkit.stats.charts import (
    CHART_TITLES,
    GROUP_COLORS,
    LATE_COLOR,
    MONTHS_SHORT,
    ON_TIME_COLOR,
    TREND_SERIES,
)
from toolkit.stats.results import BodyStats, MonthlyStats
from toolkit.stats.states import MEASURES, STATE_GROUPS
from toolkit.stats.trend import TREND_KEYS
from toolkit.stats.xlsx_style import (
    BAD_FONT,
    BOLD_FONT,
    BOX,
    CELL_FONT,
    CHANGE,
    DECIMAL,
    HEADER_ROW,
    INT,
    TOTAL_FILL,
    WRAP,
    head_row,
    heading,
    print_setup,
    put,
    widths,
)

_SHORT = {m.key: m.heading for m in MEASURES}


@dataclass(frozen=True)
class Column:
    """A column of a bodies table: a measure, its change, or another figure of the body."""

    key: str  # a measure key, «overdue_now», «days_median» or «days_max»
    heading: str = ""
    change: bool = False  # the change from the previous month instead of the value
    bad: bool = False  # shown in red when not zero

    @property
    def title(self) -> str:
        return self.heading or _SHORT[self.key]

    def value(self, body: BodyStats) -> float | int | None:
        if self.change:
            return body.change(self.key)
        if self.key == "overdue_now":
            return body.overdue_now.count
        if self.key == "days_median":
            return body.days_median
        if self.key == "days_max":
            return body.days_max
        return body.counts[self.key]


# Bodies × measures, in sheets narrow enough to print at full size. Every measure of every body
# is also on the body's own sheet.
BODY_TABLES: tuple[tuple[str, str, tuple[Column, ...]], ...] = (
    ("По органам", "Главное по органам: сейчас, нарушения, поступление и работа за месяц", (
        Column("overdue_now", "Просрочено решений сейчас", bad=True),
        Column("breaches", "Нарушений порядка в месяце", bad=True),
        Column("breaches", "Δ к прошлому месяцу", change=True),
        Column("breaches_earlier", "Нарушений прошлых месяцев", bad=True),
        Column("data_slips", "Недочетов заполнения журнала"),
        Column("received"),
        Column("received", "Δ к прошлому месяцу", change=True),
        Column("decisions_month"),
        Column("decisions_month_late", "из них с нарушением срока", bad=True),
        Column("sessions_held", "Проведено приемов за месяц"),
        Column("sessions_held", "Δ к прошлому месяцу", change=True),
    )),
    ("Заявки по органам", "Заявки, поступившие в месяце, по итогам", (
        Column("received"), Column("decided_on_time"), Column("decided_late", bad=True),
        Column("appointed"), Column("held"), Column("cancelled"), Column("interrupted"),
        Column("rescheduled"), Column("awaiting"), Column("rejected"),
        Column("pending", "На рассмот-\nрении"),  # hyphenated by hand: cells do not hyphenate
        Column("not_classified", "Не классифи-\nцировано", bad=True),
    )),
    ("Работа по органам", "Работа за месяц по датам событий; повторные заявки; срок решения", (
        Column("decisions_month"), Column("decisions_month_late", "из них с нарушением срока"),
        Column("sessions_month"), Column("sessions_held", "проведено"),
        Column("sessions_cancelled", "отменено"), Column("sessions_interrupted", "прервано"),
        Column("sessions_rescheduled", "перенесено"),
        Column("sessions_no_outcome", "итог не внесен", bad=True),
        Column("confirmations_late", "Подтверж-\nдений позже срока", bad=True),
        Column("repeated"),
        Column("days_median", "Рабочих дней до решения: медиана"),
        Column("days_max", "Рабочих дней до решения: максимум"),
    )),
)
BODY_WIDTH, NUMBER_WIDTH = 32, 8.5
CHARTS_SHEET = "Диаграммы"


def bodies_sheet(ws: Worksheet, stats: MonthlyStats, title: str, columns: tuple[Column, ...]
                 ) -> dict[str, int]:
    """Bodies × `columns` with a totals row; returns measure key → column (values only)."""
    heading(ws, stats, title)
    head_row(ws, HEADER_ROW, ["Орган", *(c.title for c in columns)], height=66)
    widths(ws, [BODY_WIDTH, *([NUMBER_WIDTH] * len(columns))])
    row = HEADER_ROW
    many = len(stats.bodies) > 1
    for body in [*stats.bodies, *([stats.total] if many else [])]:
        row += 1
        total = body is stats.total
        extra = {"fill": TOTAL_FILL} if total else {}
        put(ws, row, 1, "Итого" if total else body.body, BOLD_FONT if total else CELL_FONT,
            border=BOX, alignment=WRAP, **extra)
        for col, column in enumerate(columns, start=2):
            value = column.value(body)
            font = BAD_FONT if column.bad and value else BOLD_FONT if total else CELL_FONT
            fmt = CHANGE if column.change else DECIMAL if column.key == "days_median" else INT
            put(ws, row, col, value, font, fmt, border=BOX, **extra)
    ws.freeze_panes = ws.cell(HEADER_ROW + 1, 2)
    print_setup(ws, f"{HEADER_ROW}:{HEADER_ROW}")
    return {c.key: col for col, c in enumerate(columns, start=2) if not c.change}


def specialists_sheet(ws: Worksheet, stats: MonthlyStats) -> None:
    heading(ws, stats, "Специалисты (графа 6): решения по дате решения, приемы по дате приема")
    heads = ["Орган", "Специалист", *SPECIALIST_HEADINGS]
    head_row(ws, HEADER_ROW, heads, height=40)
    widths(ws, [BODY_WIDTH, 24, *([10] * len(SPECIALIST_KEYS))])
    row = HEADER_ROW
    for s in stats.total.specialists:
        row += 1
        put(ws, row, 1, s.body, CELL_FONT, border=BOX, alignment=WRAP)
        put(ws, row, 2, s.specialist, CELL_FONT, border=BOX, alignment=WRAP)
        for col, key in enumerate(SPECIALIST_KEYS, start=3):
            bad = key in ("decisions_month_late", "sessions_no_outcome") and s.counts[key]
            put(ws, row, col, s.counts[key], BAD_FONT if bad else CELL_FONT, INT, border=BOX)
    if row == HEADER_ROW:
        put(ws, row + 1, 1, "Решений и приемов в этом месяце нет.", CELL_FONT)
    ws.freeze_panes = ws.cell(HEADER_ROW + 1, 3)
    print_setup(ws, f"{HEADER_ROW}:{HEADER_ROW}")


def trend_sheet(ws: Worksheet, stats: MonthlyStats) -> None:
    """The 12 months as a table and a native line chart under it."""
    heading(ws, stats, "Динамика за 12 месяцев" + (
        "" if len(stats.bodies) == 1 else ", все органы"))
    labels = {key: label for key, label, _, _ in TREND_SERIES}
    head_row(ws, HEADER_ROW, ["Месяц", *(labels[k] for k in TREND_KEYS)], height=40)
    widths(ws, [18, 18, 18, 18, 22])
    row = HEADER_ROW
    for point in stats.total.trend:
        row += 1
        put(ws, row, 1, f"{MONTHS_SHORT[point.month.month - 1]} {point.month.year}",
            BOLD_FONT if point.month == stats.month else CELL_FONT, border=BOX)
        for col, key in enumerate(TREND_KEYS, start=2):
            put(ws, row, col, getattr(point, key), CELL_FONT, INT, border=BOX)
    chart = LineChart()
    chart.title = CHART_TITLES["trend"]
    for col, (_key, label, color, style) in enumerate(TREND_SERIES, start=2):
        chart.add_data(Reference(ws, min_col=col, min_row=HEADER_ROW + 1, max_row=row),
                       titles_from_data=False)
        series = chart.series[-1]
        series.tx = SeriesLabel(v=label)
        series.graphicalProperties.line.solidFill = color.lstrip("#")
        series.graphicalProperties.line.width = 28000
        if style == "--":
            series.graphicalProperties.line.dashStyle = "dash"
        series.smooth = False
    chart.set_categories(Reference(ws, min_col=1, min_row=HEADER_ROW + 1, max_row=row))
    chart.width, chart.height = 24, 7.5  # under the table, on the same page
    chart.legend.position = "b"
    chart.y_axis.number_format = "0"
    chart.y_axis.majorGridlines = None
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    ws.add_chart(chart, f"A{row + 3}")
    print_setup(ws, None)


def charts_sheet(wb: Workbook, stats: MonthlyStats, source: Worksheet,
                 columns: dict[str, int]) -> None:
    """Native bar charts over the bodies table of `source`: outcomes; decisions on time."""
    ws = wb.create_sheet(CHARTS_SHEET)
    heading(ws, stats, f"Диаграммы по данным листа «{source.title}»")
    first, last = HEADER_ROW + 1, HEADER_ROW + len(stats.bodies)
    categories = Reference(source, min_col=1, min_row=first, max_row=last)
    height = max(7.5, 2.5 + 0.8 * len(stats.bodies))
    groups = [(group, label, GROUP_COLORS[group]) for group, label, _ in STATE_GROUPS]
    decisions = [("decided_on_time", "В срок", ON_TIME_COLOR),
                 ("decided_late", "С нарушением срока", LATE_COLOR)]
    anchor = 4
    for title, series in (("Заявки месяца по итогам", groups),
                          ("Решения: в срок и с нарушением срока (п. 2.5)", decisions)):
        chart = BarChart()
        chart.type = "bar"
        chart.grouping = "stacked"
        chart.overlap = 100
        chart.title = title
        for key, label, color in series:
            data = Reference(source, min_col=columns[key], min_row=first, max_row=last)
            chart.add_data(data, titles_from_data=False)
            chart.series[-1].tx = SeriesLabel(v=label)
            chart.series[-1].graphicalProperties.solidFill = color.lstrip("#")
            chart.series[-1].graphicalProperties.line.solidFill = color.lstrip("#")
        chart.set_categories(categories)
        chart.width, chart.height = 24, height
        chart.legend.position = "b"
        chart.y_axis.title = "Заявок"
        chart.y_axis.majorGridlines = None
        chart.y_axis.number_format = "0"
        chart.x_axis.scaling.orientation = "maxMin"  # bodies top-down, in the table's order
        chart.x_axis.delete = False
        chart.y_axis.delete = False
        ws.add_chart(chart, f"A{anchor}")
        anchor += int(height * 2) + 2
    print_setup(ws, None)
