"""The report's wording: Russian sentences, numbers as 12 345 and 3,5, plural forms."""

from __future__ import annotations

from collections.abc import Mapping

from toolkit.journal.russian import count, in_month, number, plural, short_date, short_datetime
from toolkit.stats.kinds import clause_of, clause_order
from toolkit.stats.results import MonthlyStats
from toolkit.stats.states import MEASURES, SECTIONS

TITLE = "Личный прием граждан посредством видеоконференцсвязи"


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


def n_or_dash(value: float | None, digits: int = 0) -> str:
    """A figure, or a dash where there is none (no decisions: no median)."""
    return "—" if value is None else number(value, digits)


def period_text(stats: MonthlyStats) -> str:
    """«на конец месяца (30.11.2026)» or «на 27.11.2026 10:00 (месяц не закончился)»."""
    if stats.complete:
        return f"на конец месяца ({short_date(stats.as_of.date())})"
    return f"на {short_datetime(stats.as_of)} (месяц еще не закончился)"


def summary(stats: MonthlyStats) -> list[str]:
    """Plain Russian sentences on the month's totals: what to act on first, then the month."""
    return [*headline(stats), *month_sentences(stats)]


def headline(stats: MonthlyStats) -> list[str]:
    """What a manager acts on: decisions overdue now, breaches of the order in the month by
    clause, breaches of earlier months still open; data-entry slips apart."""
    total = stats.total
    t, p = total.counts, total.previous
    overdue, day = total.overdue_now, short_date(stats.overdue_day)
    if overdue.count:
        out = [f"Сейчас (на {day}) просрочено решений по заявкам — {number(overdue.count)}: "
               f"срок 5 рабочих дней (п. 2.5) истек, решения нет; самый давний срок — "
               f"{short_date(overdue.oldest_due)}."]
    else:
        out = [f"Сейчас (на {day}) просроченных решений по заявкам нет."]
    before = f"{in_month(stats.month.previous().month)} — {number(p['breaches'])}"
    if t["breaches"]:
        out.append(f"{_when(stats)} нарушений порядка — {number(t['breaches'])} ({before}): "
                   f"{_clauses(breaches_by_clause(total.breaches))}.")
    else:
        out.append(f"{_when(stats)} нарушений порядка нет ({before}).")
    if t["breaches_earlier"]:
        out.append(f"Не устранено нарушений прошлых месяцев — {number(t['breaches_earlier'])}: "
                   f"{_clauses(breaches_by_clause(total.breaches_earlier))}.")
    if t["data_slips"]:
        out.append(f"Недочетов заполнения журнала в заявках месяца — {number(t['data_slips'])} "
                   f"(это не нарушения порядка; виды перечислены в отчете).")
    else:
        out.append("Недочетов заполнения журнала в заявках месяца нет.")
    return out


def breaches_by_clause(found: Mapping[str, int]) -> list[tuple[str, int]]:
    """(clause, count) in the order's order."""
    clauses: dict[str, int] = {}
    for code, n in found.items():
        clauses[clause_of(code)] = clauses.get(clause_of(code), 0) + n
    return sorted(clauses.items(), key=lambda kv: clause_order(kv[0]))


def _clauses(by_clause: list[tuple[str, int]]) -> str:
    return ", ".join(f"п. {clause} — {number(n)}" for clause, n in by_clause)


def _when(stats: MonthlyStats) -> str:
    """«В ноябре 2026 г.», with the moment for a month not over yet."""
    when = _capital(stats.month.in_text)
    if not stats.complete:
        when += f" (по состоянию на {short_datetime(stats.as_of)})"
    return when


def month_sentences(stats: MonthlyStats) -> list[str]:
    """The month's applications and work in a few sentences."""
    t, p = stats.total.counts, stats.total.previous
    when = _when(stats)
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
        if t["rescheduled"]:
            out.append(_rescheduled_sentence(t))
        if t["pending"]:
            out.append(f"{_capital(at_end)} без решения — "
                       f"{_count(t['pending'], 'заявка', 'заявки', 'заявок')}.")
        if t["repeated"]:
            out.append(f"Повторных заявок (гражданин обращался в этот орган в предыдущие 12 "
                       f"месяцев) — {number(t['repeated'])}; граждан с несколькими заявками "
                       f"в месяце — {number(t['repeat_citizens'])}.")
    if t["decisions_month"] or t["sessions_month"]:
        out.append(f"По датам событий, включая заявки прошлых месяцев: принято "
                   f"{_count(t['decisions_month'], 'решение', 'решения', 'решений')}, "
                   f"проведено {_count(t['sessions_held'], 'прием', 'приема', 'приемов')}"
                   + (f", подтверждений участия позже срока (п. 2.6) — "
                      f"{number(t['confirmations_late'])}" if t["confirmations_late"] else "")
                   + ".")
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


def _rescheduled_sentence(t: Mapping[str, int]) -> str:
    agreed = t["rescheduled_passed"] + t["rescheduled_ahead"]
    parts = []
    if agreed:
        parts.append(f"новое время согласовано — {number(agreed)} (уже наступило — "
                     f"{number(t['rescheduled_passed'])})")
    if t["rescheduled_no_time"]:
        parts.append(f"новое время не указано — {number(t['rescheduled_no_time'])}")
    return f"Перенесенные приемы (п. 3.5): {', '.join(parts)}."


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


def render_text(stats: MonthlyStats) -> str:
    """The plain-text part of the mail: the summary and the key figures."""
    lines = [f"{TITLE}", f"{stats.month.title}. "
             f"{stats.bodies[0].body if len(stats.bodies) == 1 else 'Все органы'}.",
             f"Сведения {period_text(stats)}.", ""]
    lines.extend(summary(stats))
    lines.append("")
    total = stats.total
    for key, title in SECTIONS:
        lines += ["", f"{title}:"]
        for m in MEASURES:
            if m.section == key:
                lines.append(f"{'  ' * m.level}{m.label}: {number(total.counts[m.key])} "
                             f"({stats.month.previous().title.lower()}: "
                             f"{number(total.previous[m.key])})")
    lines += ["", "Подробные таблицы — во вложенном файле .xlsx."]
    return "\n".join(lines) + "\n"


def describe(stats: MonthlyStats) -> str:
    """One line for the console: the month, the bodies and the headline figures."""
    t = stats.total.counts
    return (f"{stats.month.title}: {count(len(stats.bodies), 'орган', 'органа', 'органов')}, "
            f"просрочено решений сейчас {number(stats.total.overdue_now.count)}, нарушений "
            f"порядка {number(t['breaches'])}, поступило {number(t['received'])}, решений с "
            f"нарушением срока {number(t['decided_late'])}, на рассмотрении "
            f"{number(t['pending'])}.")

