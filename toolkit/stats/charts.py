"""The report's charts as PNG images (matplotlib, Agg backend: no display needed)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from toolkit.journal.russian import number
from toolkit.stats.results import MonthlyStats
from toolkit.stats.states import STATE_GROUPS

GROUP_COLORS = {
    "held": "#2e7d32", "cancelled": "#f9a825", "interrupted": "#c62828",
    "rescheduled": "#6a1b9a", "awaiting": "#90caf9", "rejected": "#757575",
    "pending": "#1565c0", "not_classified": "#ff7043",
}
ON_TIME_COLOR, LATE_COLOR = "#2e7d32", "#c62828"


@dataclass(frozen=True)
class Chart:
    """A chart as a PNG, with the name the HTML refers to it by."""

    name: str
    title: str
    png: bytes


TREND_SERIES = (  # key, label, colour, line style
    ("received", "Поступило заявок", "#1565c0", "-"),
    ("decided", "Принято решений", "#757575", "-"),
    ("held", "Проведено приемов", "#2e7d32", "-"),
    ("overdue", "Просрочено решений на конец месяца", "#c62828", "--"),
)
MONTHS_SHORT = ("янв", "фев", "мар", "апр", "май", "июн", "июл", "авг", "сен", "окт", "ноя",
                "дек")
CHART_TITLES = {
    "trend": "Динамика за 12 месяцев",
    "states": "Заявки месяца по итогам",
    "decisions": "Решения в срок и с нарушением срока",
}


def charts(stats: MonthlyStats) -> list[Chart]:
    """The 12-month trend; applications by outcome per body; decisions on time vs late per
    body (matplotlib, Agg)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    bodies = stats.bodies
    names = [_wrap(b.body) for b in bodies]
    height = 1.6 + 0.42 * max(len(bodies), 1)
    out = [trend_chart(stats)]

    fig = Figure(figsize=(7.6, height), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    left = [0] * len(bodies)
    for group, label, members in STATE_GROUPS:
        values = [sum(b.counts[m] for m in members) for b in bodies]
        ax.barh(names, values, left=left, label=label, color=GROUP_COLORS[group])
        left = [a + v for a, v in zip(left, values, strict=True)]
    _style(ax, "Заявки месяца по итогам")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12 - 0.1 / height), ncol=4,
              fontsize=8, frameon=False)
    fig.tight_layout()
    out.append(Chart("states", "Заявки месяца по итогам", _png(fig)))

    fig = Figure(figsize=(7.6, height), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    on_time = [b.counts["decided_on_time"] for b in bodies]
    late = [b.counts["decided_late"] for b in bodies]
    ax.barh(names, on_time, label="В срок", color=ON_TIME_COLOR)
    ax.barh(names, late, left=on_time, label="С нарушением срока", color=LATE_COLOR)
    _style(ax, "Решения по заявкам: в срок и с нарушением срока (п. 2.5)")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12 - 0.1 / height), ncol=2,
              fontsize=8, frameon=False)
    fig.tight_layout()
    out.append(Chart("decisions", "Решения в срок и с нарушением срока", _png(fig)))
    return out


def trend_chart(stats: MonthlyStats) -> Chart:
    """Received, decided, held and overdue per month over the 12 months up to the report's."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    points = stats.total.trend
    labels = [f"{MONTHS_SHORT[p.month.month - 1]}\n{p.month.year}" for p in points]
    fig = Figure(figsize=(7.6, 3.4), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    x = list(range(len(points)))
    for key, label, color, style in TREND_SERIES:
        ax.plot(x, [getattr(p, key) for p in points], style, color=color, label=label,
                linewidth=2, marker="o", markersize=3)
    ax.set_xticks(x, labels)
    ax.set_title(CHART_TITLES["trend"], fontsize=11, loc="left")
    ax.tick_params(labelsize=8)
    ax.set_ylim(bottom=0)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: number(v)))
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.grid(axis="y", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=2, fontsize=8,
              frameon=False)
    fig.tight_layout()
    return Chart("trend", CHART_TITLES["trend"], _png(fig))


def _wrap(name: str, width: int = 28) -> str:
    words, lines, line = name.split(), [], ""
    for word in words:
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    lines.append(line)
    if len(lines) > 2:
        lines = [lines[0], lines[1][: width - 1] + "…"]
    return "\n".join(lines)


def _style(ax: Any, title: str) -> None:
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    ax.set_title(title, fontsize=11, loc="left")
    ax.invert_yaxis()
    ax.tick_params(labelsize=8)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: number(v)))
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.grid(axis="x", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)


def _png(fig: Any) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()

