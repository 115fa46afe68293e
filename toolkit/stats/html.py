"""The report as an HTML page for mail clients (Jinja2, `templates/stats.html.j2`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from toolkit.journal.findings import CODES, Severity
from toolkit.journal.russian import in_month, short_date
from toolkit.stats.activity import SPECIALIST_HEADINGS, SPECIALIST_KEYS
from toolkit.stats.charts import CHART_TITLES
from toolkit.stats.kinds import clause_of, title_of
from toolkit.stats.results import BodyStats, MonthlyStats
from toolkit.stats.states import ALARMING, MEASURES, SECTIONS
from toolkit.stats.wording import (
    TITLE,
    month_sentences,
    n_or_dash,
    period_text,
    signed,
)

LIST_LIMIT = 50  # rows listed in the HTML before «и еще N»; the .xlsx and JSON list them all

# The bodies table of the HTML, narrow enough for a mail client; each value with its change
# from the previous month (the .xlsx has the other measures per body).
BODY_COLUMNS = (
    ("overdue_now", "Просрочено решений сейчас"),
    ("breaches", "Нарушений порядка"),
    ("received", "Поступило заявок"),
    ("decisions_month", "Решений за месяц"),
    ("decisions_month_late", "из них с нарушением срока"),
    ("sessions_held", "Проведено приемов"),
    ("data_slips", "Недочетов заполнения"),
)


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
    t, p = total.counts, total.previous
    overdue = total.overdue_now
    previous_in = in_month(stats.month.previous().month)
    rows = total.not_classified
    return {
        "title": TITLE,
        "month": stats.month.title,
        "month_in": stats.month.in_text,
        "previous_month": stats.month.previous().title,
        "scope": stats.bodies[0].body if len(stats.bodies) == 1 else
        f"Все органы ({len(stats.bodies)}), итоги и показатели по каждому органу",
        "period": period_text(stats),
        "tiles": [
            {"label": "Просрочено решений сейчас", "value": overdue.count,
             "bad": overdue.count > 0,
             "note": f"на {short_date(stats.overdue_day)}" + (
                 f"; самый давний срок — {short_date(overdue.oldest_due)}"
                 if overdue.oldest_due else "")},
            {"label": f"Нарушений порядка {stats.month.in_text}", "value": t["breaches"],
             "bad": t["breaches"] > 0,
             "note": f"{previous_in} — {n_or_dash(p['breaches'])}"},
            {"label": "Недочетов заполнения журнала", "value": t["data_slips"], "bad": False,
             "note": "в заявках месяца; не нарушения порядка"},
        ],
        "breaches": [{"clause": clause_of(code), "title": title_of(code), "count": n,
                      "previous": before} for code, n, before in total.breach_rows()],
        "breaches_earlier": [{"clause": clause_of(code), "title": title_of(code), "count": n}
                             for code, n in total.breaches_earlier.items()],
        "overdue_bodies": sorted(
            ({"body": b.body, "count": b.overdue_now.count,
              "oldest": short_date(b.overdue_now.oldest_due)}
             for b in stats.bodies if b.overdue_now.count),
            key=lambda r: (-r["count"], r["body"])) if len(stats.bodies) > 1 else [],
        "data_slips": [{"clause": CODES[code].clause, "title": CODES[code].title, "count": n,
                        "warning": CODES[code].severity is Severity.WARNING}
                       for code, n in total.data_slips.items()],
        "summary": month_sentences(stats),
        "sections": [
            {"title": title, "measures": [
                {"label": m.label, "level": m.level, "value": t[m.key], "previous": p[m.key],
                 "change": total.change(m.key), "bad": m.key in ALARMING}
                for m in MEASURES if m.section == key]}
            for key, title in SECTIONS],
        "days_median": n_or_dash(total.days_median, 1),
        "days_max": n_or_dash(total.days_max),
        "many": len(stats.bodies) > 1,
        "body_headings": [heading for _, heading in BODY_COLUMNS],
        "body_rows": [{"body": b.body, "cells": _body_cells(b)} for b in stats.bodies],
        "total_cells": _body_cells(total),
        "images": [{"src": images[name], "title": CHART_TITLES[name]}
                   for name in ("trend", "states", "decisions") if name in images],
        "specialists": [
            {"body": s.body, "specialist": s.specialist,
             "values": [s.counts[k] for k in SPECIALIST_KEYS]} for s in total.specialists],
        "specialist_headings": SPECIALIST_HEADINGS,
        "specialists_more": len(total.specialists) if len(total.specialists) > LIST_LIMIT else 0,
        "topics": total.topics,
        "not_classified": rows[:LIST_LIMIT],
        "not_classified_more": max(len(rows) - LIST_LIMIT, 0),
        "undated": stats.undated[:LIST_LIMIT],
        "undated_more": max(len(stats.undated) - LIST_LIMIT, 0),
    }


def _body_cells(body: BodyStats) -> list[dict[str, Any]]:
    """A body's row of the bodies table: each value, and its change where one applies."""
    cells = []
    for key, _ in BODY_COLUMNS:
        if key == "overdue_now":
            cells.append({"value": body.overdue_now.count, "change": None})
        else:
            cells.append({"value": body.counts[key], "change": body.change(key)})
    return cells
