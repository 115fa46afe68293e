"""The monthly report in three forms: .xlsx for print, HTML for mail, JSON for other systems.

    stats = collect_stats(journals, Month.parse("2026-11"), clock, calendar)
    paths = build_report(stats, Path("отчеты"))             # .xlsx, .html and .json
    mail = render_mail_parts(stats)                         # HTML with cid: images, .xlsx bytes

Everything a reader sees is Russian: month names, plural forms, numbers as 12 345 and 3,5.
Reports hold counts, topics and cell addresses only, never a citizen's personal data.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from toolkit.journal.files import shared_dir, write_bytes_atomic
from toolkit.journal.findings import CODES
from toolkit.journal.russian import count, in_month, number, plural, short_date, short_datetime
from toolkit.stats.monthly import MEASURES, STATE_GROUPS, Month, MonthlyStats

FORMATS = ("xlsx", "html", "json")
TITLE = "Личный прием граждан посредством видеоконференцсвязи"
LIST_LIMIT = 50  # rows listed in the HTML before «и еще N»; the .xlsx and JSON list them all

# The bodies × measures table of the HTML, narrow enough for a mail client (the .xlsx summary
# has every measure for every body).
KEY_MEASURES = {
    "received": "Поступило",
    "decided_on_time": "Решений в срок",
    "decided_late": "Решений с нарушением срока",
    "appointed": "Назначено приемов",
    "held": "Проведено",
    "rejected": "Отклонено",
    "pending": "Без решения",
    "not_classified": "Не классифи\u00adцировано",
    "violations": "Нарушений",
}

GROUP_COLORS = {
    "held": "#2e7d32", "cancelled": "#f9a825", "interrupted": "#c62828",
    "rescheduled": "#6a1b9a", "awaiting": "#90caf9", "rejected": "#757575",
    "pending": "#1565c0", "not_classified": "#ff7043",
}
ON_TIME_COLOR, LATE_COLOR = "#2e7d32", "#c62828"


def report_name(month: Month) -> str:
    """«статистика-ВКС-2026-11»: the file name of the month's report, without extension."""
    return f"статистика-ВКС-{month.key}"


# Wording ----------------------------------------------------------------------------------


def _one(n: int) -> bool:
    """Whether n takes a singular verb: «поступила 21 заявка», but «поступило 11 заявок»."""
    return n % 10 == 1 and n % 100 != 11


def signed(n: int) -> str:
    """A change as readers expect it: +12, −3, 0."""
    if n > 0:
        return f"+{number(n)}"
    if n < 0:
        return f"\u2212{number(-n)}"
    return "0"


def _n(value: float | None, digits: int = 0) -> str:
    return "—" if value is None else number(value, digits)


def period_text(stats: MonthlyStats) -> str:
    """«на конец месяца (30.11.2026)» or «на 27.11.2026 10:00 (месяц не закончился)»."""
    if stats.complete:
        return f"на конец месяца ({short_date(stats.as_of.date())})"
    return f"на {short_datetime(stats.as_of)} (месяц еще не закончился)"


def summary(stats: MonthlyStats) -> list[str]:
    """A few plain Russian sentences on the month's totals, for the top of the report."""
    t, p = stats.total.counts, stats.total.previous
    when = stats.month.in_text
    when = when[0].upper() + when[1:]
    if not stats.complete:
        when += f" (по состоянию на {short_datetime(stats.as_of)})"
    before = f"{in_month(stats.month.previous().month)} — {number(p['received'])}"
    at_end = "на конец месяца" if stats.complete else "на эту дату"
    received = t["received"]
    if received == 0:
        out = [f"{when} заявок не поступало ({before})."]
    else:
        verb = "поступила" if _one(received) else "поступило"
        out = [f"{when} {verb} {_count(received, 'заявка', 'заявки', 'заявок')} ({before})."]
        out.append(_decisions_sentence(t))
        parts = []
        if t["appointed"]:
            parts.append(f"{'назначен' if _one(t['appointed']) else 'назначено'} "
                         f"{_count(t['appointed'], 'прием', 'приема', 'приемов')}")
        if t["rejected"]:
            parts.append(f"{'отклонена' if _one(t['rejected']) else 'отклонено'} "
                         f"{_count(t['rejected'], 'заявка', 'заявки', 'заявок')}")
        if parts:
            out.append(_capital(", ".join(parts)) + ".")
        if t["appointed"]:
            out.append(_outcomes_sentence(t))
        if t["pending"]:
            out.append(f"{_capital(at_end)} без решения — "
                       f"{_count(t['pending'], 'заявка', 'заявки', 'заявок')}.")
    violations = t["violations"]
    if violations:
        out.append(f"{_capital(at_end)} не устранено "
                   f"{_count(violations, 'нарушение', 'нарушения', 'нарушений')} "
                   f"(ошибки проверки журнала).")
    else:
        out.append(f"{_capital(at_end)} неустраненных нарушений нет.")
    if t["not_classified"]:
        n = t["not_classified"]
        out.append(f"{_count(n, 'строку', 'строки', 'строк')} не удалось классифицировать: "
                   f"неверно заполнены ячейки (перечислены в конце отчета).")
    if stats.undated:
        out.append(f"Без даты поступления (не учтены ни в одном месяце): "
                   f"{_count(len(stats.undated), 'строка', 'строки', 'строк')}.")
    return out


def _count(n: int, one: str, few: str, many: str) -> str:
    return f"{number(n)} {plural(n, one, few, many)}"


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _decisions_sentence(t: Mapping[str, int]) -> str:
    decided = t["decided"]
    if not decided:
        return "Решения по заявкам месяца еще не приняты."
    text = f"Принято {_count(decided, 'решение', 'решения', 'решений')}"
    late, undated = t["decided_late"], t["decided_undated"]
    if late:
        text += f", из них {number(late)} — с нарушением срока 5 рабочих дней (п. 2.5)"
    elif not undated:
        text += ", все в срок (п. 2.5)"
    if undated:
        text += f"; без даты решения — {number(undated)}"
    return text + "."


def _outcomes_sentence(t: Mapping[str, int]) -> str:
    held = t["held"]
    verb = "проведен" if _one(held) else "проведено"
    parts = [f"{verb} {_count(held, 'прием', 'приема', 'приемов')}"]
    for key, one, many in (("cancelled", "отменен", "отменено"),
                           ("interrupted", "прерван", "прервано"),
                           ("rescheduled", "перенесен", "перенесено")):
        if t[key]:
            parts.append(f"{one if _one(t[key]) else many} {number(t[key])}")
    if t["awaiting"]:
        parts.append(f"итог еще не внесен — {number(t['awaiting'])}")
    return _capital(", ".join(parts)) + "."


# Charts -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Chart:
    """A chart as a PNG, with the name the HTML refers to it by."""

    name: str
    title: str
    png: bytes


def charts(stats: MonthlyStats) -> list[Chart]:
    """Applications by outcome per body; decisions on time vs late per body (matplotlib, Agg)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    bodies = stats.bodies
    names = [_wrap(b.body) for b in bodies]
    height = 1.6 + 0.42 * max(len(bodies), 1)
    out = []

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


# HTML -------------------------------------------------------------------------------------


def _environment() -> Any:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("toolkit.stats", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["n"] = _n
    env.filters["signed"] = signed
    return env


def render_html(stats: MonthlyStats, images: Mapping[str, str]) -> str:
    """The report as an HTML page for a mail client; `images` maps chart name → img src."""
    template = _environment().get_template("stats.html.j2")
    return str(template.render(context(stats, images)))


def context(stats: MonthlyStats, images: Mapping[str, str]) -> dict[str, Any]:
    """What the HTML template shows (plain data: the template does no arithmetic)."""
    total = stats.total
    measures = [
        {"label": m.label, "level": m.level, "value": total.counts[m.key],
         "previous": total.previous[m.key], "change": total.change(m.key),
         "bad": m.key in ("decided_late", "pending", "not_classified", "violations")}
        for m in MEASURES
    ]
    rows = total.not_classified
    return {
        "title": TITLE,
        "month": stats.month.title,
        "previous_month": stats.month.previous().title,
        "scope": stats.bodies[0].body if len(stats.bodies) == 1 else
        f"Все органы ({len(stats.bodies)}), итоги и показатели по каждому органу",
        "period": period_text(stats),
        "summary": summary(stats),
        "measures": measures,
        "days_median": _n(total.days_median, 1),
        "days_max": _n(total.days_max),
        "many": len(stats.bodies) > 1,
        "key_headings": list(KEY_MEASURES.values()),
        "body_rows": [
            {"body": b.body, "values": [b.counts[k] for k in KEY_MEASURES]}
            for b in stats.bodies
        ],
        "total_values": [total.counts[k] for k in KEY_MEASURES],
        "images": [{"src": images[c], "title": title} for c, title in
                   (("states", "Заявки месяца по итогам"),
                    ("decisions", "Решения в срок и с нарушением срока")) if c in images],
        "topics": total.topics,
        "violations": [{"code": code, "clause": CODES[code].clause,
                        "title": CODES[code].title, "count": n}
                       for code, n in total.violations.items()],
        "not_classified": rows[:LIST_LIMIT],
        "not_classified_more": max(len(rows) - LIST_LIMIT, 0),
        "undated": stats.undated[:LIST_LIMIT],
        "undated_more": max(len(stats.undated) - LIST_LIMIT, 0),
    }


def render_text(stats: MonthlyStats) -> str:
    """The plain-text part of the mail: the summary and the key figures."""
    lines = [f"{TITLE}", f"{stats.month.title}. "
             f"{stats.bodies[0].body if len(stats.bodies) == 1 else 'Все органы'}.",
             f"Сведения {period_text(stats)}.", ""]
    lines.extend(summary(stats))
    lines.append("")
    total = stats.total
    for m in MEASURES:
        lines.append(f"{'  ' * m.level}{m.label}: {number(total.counts[m.key])} "
                     f"({stats.month.previous().title.lower()}: "
                     f"{number(total.previous[m.key])})")
    lines += ["", "Подробные таблицы — во вложенном файле .xlsx."]
    return "\n".join(lines) + "\n"


# JSON -------------------------------------------------------------------------------------


def render_json(stats: MonthlyStats) -> str:
    """The figures for other systems: format `vks-stats/1` (fields are only ever added)."""
    return json.dumps(stats.to_dict(), ensure_ascii=False, indent=2) + "\n"


# Files ------------------------------------------------------------------------------------


def render_xlsx(stats: MonthlyStats) -> bytes:
    from toolkit.stats.xlsx import workbook_bytes

    return workbook_bytes(stats)


def _data_uri(png: bytes) -> str:
    import base64

    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def build_report(stats: MonthlyStats, out_dir: Path, formats: Sequence[str] = FORMATS
                 ) -> list[Path]:
    """Write the report files into `out_dir` (shared, atomically); return their paths.

    The HTML file carries its charts as data: URIs, so it opens anywhere on its own.
    """
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise ValueError(f"unknown report format: {unknown}")
    shared_dir(out_dir)
    base = report_name(stats.month)
    renderers: dict[str, Callable[[], bytes]] = {
        "xlsx": lambda: render_xlsx(stats),
        "html": lambda: render_html(
            stats, {c.name: _data_uri(c.png) for c in charts(stats)}).encode("utf-8"),
        "json": lambda: render_json(stats).encode("utf-8"),
    }
    paths = []
    for fmt in FORMATS:
        if fmt in formats:
            path = out_dir / f"{base}.{fmt}"
            write_bytes_atomic(path, renderers[fmt]())
            paths.append(path)
    return paths


def describe(stats: MonthlyStats) -> str:
    """One line for the console: the month, the bodies and the headline figures."""
    t = stats.total.counts
    return (f"{stats.month.title}: {count(len(stats.bodies), 'орган', 'органа', 'органов')}, "
            f"поступило {number(t['received'])}, решений с нарушением срока "
            f"{number(t['decided_late'])}, на рассмотрении {number(t['pending'])}.")

