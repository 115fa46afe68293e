"""The report as an HTML page for mail clients (Jinja2, `templates/stats.html.j2`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from toolkit.journal.findings import CODES
from toolkit.stats.results import MonthlyStats
from toolkit.stats.states import MEASURES
from toolkit.stats.wording import TITLE, n_or_dash, period_text, signed, summary

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


def _environment() -> Any:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("toolkit.stats", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["n"] = n_or_dash
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
        "days_median": n_or_dash(total.days_median, 1),
        "days_max": n_or_dash(total.days_max),
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

