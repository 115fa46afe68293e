"""The monthly report files: .xlsx, HTML and JSON, and the `vks stats` command."""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
import stat
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner
from openpyxl.utils import get_column_letter
from stats_fixtures import OCTOBER, TODAY

from toolkit.cli import cli
from toolkit.journal.clock import Clock
from toolkit.journal.config import Config
from toolkit.journal.files import shared_file_mode
from toolkit.stats.monthly import MEASURES, BodyStats, Month, MonthlyStats, RowRef, stats_for
from toolkit.stats.report import build_report, charts, render_html, render_text, summary
from toolkit.stats.wording import describe, headline, month_sentences
from toolkit.stats.xlsx import FIXED_SHEETS, build_workbook
from toolkit.stats.xlsx_style import PRINT_WIDTH


def synthetic(bodies: dict[str, dict[str, int]], topics: list[tuple[str, int]] | None = None,
              undated: int = 0) -> MonthlyStats:
    """Figures made up directly, for wording and escaping checks."""
    zero = {m.key: 0 for m in MEASURES} | {"violations": 0}
    made = [BodyStats(name, {**zero, **counts}, dict(zero), topics=topics or [])
            for name, counts in bodies.items()]
    total = BodyStats("Итого по всем органам",
                      {k: sum(b.counts[k] for b in made) for k in zero}, dict(zero),
                      topics=topics or [])
    refs = [RowRef(made[0].body, "Лист", 6 + i, f"B{6 + i}") for i in range(undated)]
    return MonthlyStats(Month(2026, 11), dt.datetime(2026, 11, 30, 23, 59), True, made, total,
                        refs)


# Wording ------------------------------------------------------------------------------------


def test_summary_leads_with_what_to_act_on(october: MonthlyStats) -> None:
    assert summary(october) == [
        # Rows 12 (due 06.11) and 20 (due 08.10) of «Орган А» have no decision on 10.11.
        "Сейчас (на 10.11.2026) просрочено решений по заявкам — 2: срок 5 рабочих дней "
        "(п. 2.5) истек, решения нет; самый давний срок — 08.10.2026.",
        # Row 3 decided late, row 20 overdue; nothing was due in September.
        "В октябре 2026 г. нарушений порядка — 2 (в сентябре — 0): п. 2.5 — 2.",
        # Rows 13 (no ground), 14, 15 (unreadable cells), 19 (no decision date), 8 (rescheduled
        # without its new time).
        "Недочетов заполнения журнала в заявках месяца — 5 (это не нарушения порядка; виды "
        "перечислены в отчете).",
        "В октябре 2026 г. поступило 19 заявок (в сентябре — 1).",
        "Принято 14 решений, из них 1 — с нарушением срока 5 рабочих дней (п. 2.5); "
        "без даты решения — 1.",
        "Назначено 9 приемов, отклонено 5 заявок.",
        "Проведено 2 приема, отменено 2, прервано 3, перенесен 1, итог еще не внесен — 1.",
        "Перенесенные приемы (п. 3.5): новое время не указано — 1.",
        "На конец месяца без решения — 3 заявки.",
        "Повторных заявок (гражданин обращался в этот орган в предыдущие 12 месяцев) — 18; "
        "граждан с несколькими заявками в месяце — 2.",
        "По датам событий, включая заявки прошлых месяцев: принято 14 решений, проведено "
        "3 приема.",
        "2 строки не удалось классифицировать: неверно заполнены ячейки "
        "(перечислены в конце отчета).",
        "Без даты поступления (не учтены ни в одном месяце): 1 строка.",
    ]


def test_headline_with_breaches_of_earlier_months(tmp_path: Path) -> None:
    from stats_fixtures import write_manager_fixture

    path = write_manager_fixture(tmp_path / "г.xlsx")
    stats = stats_for([str(path)], Config(), OCTOBER, Clock.at(TODAY))
    assert headline(stats) == [
        "Сейчас (на 10.11.2026) просрочено решений по заявкам — 3: срок 5 рабочих дней "
        "(п. 2.5) истек, решения нет; самый давний срок — 20.08.2026.",
        "В октябре 2026 г. нарушений порядка — 8 (в сентябре — 1): п. 1.2 — 1, п. 2.5 — 3, "
        "п. 2.6 — 1, п. 2.7 — 1, п. 3.10 — 1, п. 3.11 — 1.",
        "Не устранено нарушений прошлых месяцев — 1: п. 2.5 — 1.",
        "Недочетов заполнения журнала в заявках месяца — 3 (это не нарушения порядка; виды "
        "перечислены в отчете).",
    ]
    sentences = month_sentences(stats)
    assert "Перенесенные приемы (п. 3.5): новое время согласовано — 2 (уже наступило — 1), " \
        "новое время не указано — 1." in sentences
    assert sentences[-1] == ("По датам событий, включая заявки прошлых месяцев: принято "
                             "12 решений, проведено 6 приемов, подтверждений участия позже "
                             "срока (п. 2.6) — 1.")
    assert describe(stats) == ("Октябрь 2026: 1 орган, просрочено решений сейчас 3, нарушений "
                               "порядка 8, поступило 12, решений с нарушением срока 0, на "
                               "рассмотрении 2.")


@pytest.mark.parametrize(("n", "received", "decided"), [
    (1, "поступила 1 заявка", "Принято 1 решение, все в срок (п. 2.5)."),
    (2, "поступило 2 заявки", "Принято 2 решения, все в срок (п. 2.5)."),
    (5, "поступило 5 заявок", "Принято 5 решений, все в срок (п. 2.5)."),
    (11, "поступило 11 заявок", "Принято 11 решений, все в срок (п. 2.5)."),
    (21, "поступила 21 заявка", "Принято 21 решение, все в срок (п. 2.5)."),
    (134, "поступило 134 заявки", "Принято 134 решения, все в срок (п. 2.5)."),
    (1234, "поступило 1\u00a0234 заявки", "Принято 1\u00a0234 решения, все в срок (п. 2.5)."),
])
def test_summary_plural_forms(n: int, received: str, decided: str) -> None:
    stats = synthetic({"Орган": {"received": n, "decided": n, "decided_on_time": n,
                                 "rejected": n, "rejected_repeated": n}})
    lines = month_sentences(stats)
    assert lines[0] == f"В ноябре 2026 г. {received} (в октябре — 0)."
    assert lines[1] == decided
    verb = "отклонена" if n in (1, 21) else "отклонено"
    assert lines[2].lower().startswith(verb)


def test_summary_with_late_decisions_and_one_reception() -> None:
    stats = synthetic({"Орган": {"received": 134, "decided": 120, "decided_on_time": 111,
                                 "decided_late": 9, "appointed": 1, "held": 1,
                                 "rejected": 119, "pending": 14, "violations": 1}})
    lines = month_sentences(stats)
    assert lines[1] == "Принято 120 решений, из них 9 — с нарушением срока 5 рабочих дней (п. 2.5)."
    assert lines[2] == "Назначен 1 прием, отклонено 119 заявок."
    assert lines[3] == "Проведен 1 прием."
    assert lines[4] == "На конец месяца без решения — 14 заявок."
    assert len(lines) == 5


def test_summary_of_a_month_without_rows() -> None:
    stats = synthetic({"Орган": {}})
    assert summary(stats) == ["Сейчас (на 30.11.2026) просроченных решений по заявкам нет.",
                              "В ноябре 2026 г. нарушений порядка нет (в октябре — 0).",
                              "Недочетов заполнения журнала в заявках месяца нет.",
                              "В ноябре 2026 г. заявок не поступало (в октябре — 0)."]


def test_summary_of_the_current_month(fixture_path: Path) -> None:
    now = dt.datetime(2026, 11, 10, 9, 30)
    stats = stats_for([str(fixture_path)], Config(), Month(2026, 11), Clock.at(now))
    lines = summary(stats)
    # Row 12 fell overdue on 09.11; row 11's session of 05.11 has no outcome.
    assert lines[1] == ("В ноябре 2026 г. (по состоянию на 10.11.2026 09:30) нарушений "
                        "порядка — 2 (в октябре — 2): п. 2.5 — 1, п. 3.11 — 1.")
    assert lines[2] == "Не устранено нарушений прошлых месяцев — 1: п. 2.5 — 1."  # row 20
    assert lines[4] == ("В ноябре 2026 г. (по состоянию на 10.11.2026 09:30) поступила "
                        "1 заявка (в октябре — 19).")
    assert "На эту дату без решения — 1 заявка." in lines


# HTML ---------------------------------------------------------------------------------------


def test_html_has_the_figures_and_escapes_journal_text(october: MonthlyStats) -> None:
    images = {name: f"cid:{name}" for name in ("trend", "states", "decisions")}
    html = render_html(october, images)
    assert '<html lang="ru">' in html
    # What to act on comes first: overdue now, breaches by clause, data slips apart.
    order = [html.index(text) for text in (
        "Просрочено решений сейчас", "Нарушения порядка в октябре 2026 г. по пунктам приказа",
        "Сводка за месяц", "По органам", "Недочеты заполнения журнала")]
    assert order == sorted(order)
    assert re.search(r"Просрочено решений сейчас</div>\s*<div[^>]*>2</div>", html)
    assert re.search(r"п\. 2\.5</td><td[^>]*>Просрочено решение</td><td[^>]*>1</td>"
                     r"<td[^>]*>0</td>", html)  # row 20; none in September
    assert re.search(r"Неверные дата и время</td><td[^>]*>ошибка</td><td[^>]*>1</td>", html)
    assert "В октябре 2026 г. поступило 19 заявок (в сентябре — 1)." in html
    assert re.search(r"Поступило заявок</td>\s*<td[^>]*>19</td>", html)
    # The bodies table: overdue now, breaches, received, each with its change.
    assert re.search(r"Орган А</td>\s*<td[^>]*>2</td>\s*<td[^>]*>2<br><span[^>]*>\+2</span>"
                     r"</td>\s*<td[^>]*>17<br><span[^>]*>\+16</span>", html)
    assert all(f'<img src="cid:{name}"' in html for name in images)
    assert html.index('src="cid:trend"') < html.index("Показатели в целом")
    assert "Григорьева М.В." in html  # the specialists, as surname and initials
    assert "Социальный контракт" in html
    assert "E19" in html and "G20" in html and "B21" in html
    assert "Иванов" not in html and "ivanov@" not in html  # no personal data

    hostile = synthetic({"<script>alert(1)</script>": {"received": 1, "pending": 1}},
                        topics=[("<img src=x onerror=alert(1)>", 1)])
    html = render_html(hostile, {})
    assert "<script>alert" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<img src=x" not in html


def test_html_file_has_inline_images(october: MonthlyStats, tmp_path: Path) -> None:
    paths = build_report(october, tmp_path / "out", ["html"])
    html = paths[0].read_text(encoding="utf-8")
    sources = re.findall(r'<img src="data:image/png;base64,([^"]+)"', html)
    assert len(sources) == 3
    assert all(base64.b64decode(s).startswith(b"\x89PNG") for s in sources)


def test_charts_are_png_for_many_and_one_body(october: MonthlyStats) -> None:
    for stats in (october, october.for_body("Орган Б"), synthetic({"Пустой": {}})):
        made = charts(stats)
        assert [c.name for c in made] == ["trend", "states", "decisions"]
        assert all(c.png.startswith(b"\x89PNG") and len(c.png) > 2000 for c in made)


def test_plain_text_part(october: MonthlyStats) -> None:
    text = render_text(october.for_body("Орган А"))
    assert "Октябрь 2026. Орган А." in text
    assert "Поступило заявок: 17 (сентябрь 2026: 1)" in text
    assert "    гражданин отказался: 1 (сентябрь 2026: 0)" in text


# .xlsx --------------------------------------------------------------------------------------


def _rows(ws: Any, first: int = 1) -> list[tuple[Any, ...]]:
    return [r for r in ws.iter_rows(min_row=first, values_only=True) if any(r)]


def test_xlsx_sheets_and_their_figures(october: MonthlyStats, tmp_path: Path) -> None:
    path = build_report(october, tmp_path, ["xlsx"])[0]
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["Сводка", "Показатели", "По органам", "Заявки по органам",
                             "Работа по органам", "Специалисты", "Динамика", "Диаграммы",
                             "Орган А", "Орган Б", "Орган В"]
    # «Сводка»: overdue now, breaches by clause against September, data slips apart.
    rows = {r[0]: r[1:] for r in _rows(wb["Сводка"], 4)}
    assert rows["Просрочено решений сейчас (на 10.11.2026; срок п. 2.5 истек)"][:2] == \
        (2, "самый давний срок 08.10.2026")
    assert rows["Нарушений порядка в октябре 2026 г."][:2] == (2, "сентябрь 2026: 0")
    assert rows["п. 2.5. Просрочено решение"][:3] == (1, 0, 1)
    assert rows["п. 2.5. Решение позже срока"][:3] == (1, 0, 1)
    assert rows["Неверные дата и время"][:2] == (1, "ошибка")
    assert rows["Орган А"][:2] == (2, "08.10.2026")  # overdue now, per body
    assert "В октябре 2026 г. поступило 19 заявок (в сентябре — 1)." in rows

    # «Показатели»: every measure of the total, the previous month and the change.
    measures = {r[0]: r[1:4] for r in _rows(wb["Показатели"], 5)}
    assert measures["Поступило заявок"] == (19, 1, 18)
    assert measures["Принято решений (по дате решения)"] == (14, 0, 14)
    assert measures["Рабочих дней от поступления до решения: медиана"][0] == 1.0

    # Bodies × measures in narrow tables, with a totals row and the change.
    def table(title: str) -> dict[str, dict[str, Any]]:
        ws = wb[title]
        heads = [c.value for c in ws[4]]
        return {r[0]: dict(zip(heads, r, strict=True)) for r in _rows(ws, 5)}

    main = table("По органам")
    assert main["Орган А"]["Просрочено решений сейчас"] == 2
    assert main["Итого"]["Поступило заявок"] == 19
    # Overdue now, breaches (Δ), earlier, slips, received (Δ), decisions, late, held (Δ).
    assert _rows(wb["По органам"], 5)[0] == ("Орган А", 2, 2, 2, 0, 5, 17, 16, 12, 1, 3, 3)
    outcomes = table("Заявки по органам")
    assert [outcomes[n]["Поступило заявок"] for n in ("Орган А", "Орган Б", "Орган В",
                                                       "Итого")] == [17, 2, 0, 19]
    assert outcomes["Орган А"]["Решений с нарушением срока"] == 1
    assert outcomes["Орган А"]["Не классифи-\nцировано"] == 2
    work = table("Работа по органам")
    assert work["Орган А"]["Решений за месяц"] == 12  # row 17 of September decided in October
    assert work["Орган А"]["Рабочих дней до решения: медиана"] == 1.0
    specialists = _rows(wb["Специалисты"], 5)
    assert specialists[0] == ("Орган А", "Григорьева М.В.", 9, 0, 3, 2, 3, 1, 0)
    trend = _rows(wb["Динамика"], 5)
    assert len(trend) == 12 and trend[-1] == ("окт 2026", 19, 14, 3, 1)

    body_rows = _rows(wb["Орган А"], 4)
    a = {r[0]: r[1:4] for r in body_rows}
    assert a["Поступило заявок"] == (17, 1, 16)
    assert a["гражданин отказался"] == (1, 0, 1)
    assert "Социальный контракт" in a and "п. 2.5. Просрочено решение" in a
    assert [r[:3] for r in body_rows if r[0] == "Орган А"] == [  # not classified, undated
        ("Орган А", 19, "E19"), ("Орган А", 20, "G20"), ("Орган А", 21, "B21")]

    with zipfile.ZipFile(path) as z:
        names = z.namelist()
        charts_xml = [z.read(n).decode() for n in names if n.startswith("xl/charts/chart")]
    assert len(charts_xml) == 3
    states = next(x for x in charts_xml if "Заявки месяца по итогам" in x)
    assert states.count("<ser>") == 8 and "Прием проведен" in states
    # Categories: the three bodies, not the totals row.
    assert "'Заявки по органам'!$A$5:$A$7" in states
    decisions = next(x for x in charts_xml if "в срок и с нарушением" in x)
    assert decisions.count("<ser>") == 2
    line = next(x for x in charts_xml if "Динамика за 12 месяцев" in x)
    assert line.count("<ser>") == 4 and "'Динамика'!$A$5:$A$16" in line


def test_xlsx_prints_on_a4_at_full_size(october: MonthlyStats) -> None:
    wb = build_workbook(october)
    for ws in wb.worksheets:
        assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9
        assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1
        # The columns fit the page between the margins: fitting to width keeps full size.
        used = [ws.column_dimensions[get_column_letter(c)].width or 0
                for c in range(1, ws.max_column + 1)]
        assert sum(used) <= PRINT_WIDTH, ws.title
        sizes = {cell.font.sz for row in ws.iter_rows() for cell in row if cell.value}
        assert min(sizes) >= 9, ws.title
    for title in ("Показатели", "По органам", "Заявки по органам", "Работа по органам",
                  "Специалисты"):
        assert wb[title].print_title_rows == "$4:$4"  # the table header on every page
        assert len([c for c in wb[title][4] if c.value]) <= 13
    body = wb["Орган А"]
    header = int(body.print_title_rows.split(":")[0].strip("$"))
    assert body.cell(header, 1).value == "Показатель"
    assert [b.id for b in body.row_breaks.brk] == [header - 2]  # the measures on a new page


def test_xlsx_never_writes_journal_text_as_a_formula(tmp_path: Path) -> None:
    stats = synthetic({"=HYPERLINK(\"x\")": {"received": 1, "pending": 1}},
                      topics=[("=1+1", 1)])
    path = tmp_path / "r.xlsx"
    build_workbook(stats).save(path)
    with zipfile.ZipFile(path) as z:
        sheets = "".join(z.read(n).decode() for n in z.namelist()
                         if n.startswith("xl/worksheets/sheet"))
    assert "<f>" not in sheets
    wb = openpyxl.load_workbook(path)
    body = len(FIXED_SHEETS)
    assert wb.sheetnames[body] == "=HYPERLINK(\"x\")"
    texts = [r[0] for r in wb.worksheets[body].iter_rows(values_only=True)]
    assert "=1+1" in texts


def test_sheet_titles_are_valid_and_unique() -> None:
    long_name = "ГКУ «Центр социальных выплат и информатизации Министерства»"
    stats = synthetic({long_name: {}, long_name + " ": {}, "Сводка": {}, "a/b:c": {}})
    wb = build_workbook(stats)
    titles = wb.sheetnames[len(FIXED_SHEETS):]
    assert all(len(t) <= 31 for t in titles)
    assert len({t.casefold() for t in wb.sheetnames}) == len(wb.sheetnames)
    assert titles[2] == "Сводка (2)" and titles[3] == "a b c"


# Files --------------------------------------------------------------------------------------


def test_report_files_are_shared_and_complete(october: MonthlyStats, tmp_path: Path) -> None:
    out = tmp_path / "отчеты"
    paths = build_report(october, out)
    assert [p.name for p in paths] == ["статистика-ВКС-2026-10.xlsx",
                                       "статистика-ВКС-2026-10.html",
                                       "статистика-ВКС-2026-10.json"]
    for path in paths:
        assert stat.S_IMODE(path.stat().st_mode) == shared_file_mode()
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in paths)  # no temp
    data = json.loads(paths[2].read_text(encoding="utf-8"))
    assert data == json.loads(json.dumps(october.to_dict()))
    with pytest.raises(ValueError):
        build_report(october, out, ["pdf"])


def test_report_for_a_month_without_rows(fixture_path: Path, tmp_path: Path) -> None:
    stats = stats_for([str(fixture_path)], Config(), Month(2025, 3), Clock.at(TODAY))
    paths = build_report(stats, tmp_path)
    html = paths[1].read_text(encoding="utf-8")
    assert "В марте 2025 г. заявок не поступало (в феврале — 0)." in html
    assert "Заявок с указанной тематикой в этом месяце нет." in html
    wb = openpyxl.load_workbook(paths[0])
    assert [r[1] for r in wb["Заявки по органам"].iter_rows(min_row=5, max_row=8,
                                                            values_only=True)] == [0, 0, 0, 0]


# vks stats ----------------------------------------------------------------------------------


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("VKS_CONFIG", raising=False)
    return CliRunner()


def test_cli_stats_writes_all_three_files(runner: CliRunner, fixture_path: Path,
                                         tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = runner.invoke(cli, ["stats", str(fixture_path), "--month", "2026-10",
                                 "--today", "2026-11-10", "--out", str(out)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("Сейчас (на 10.11.2026) просрочено решений по заявкам — 2:")
    assert "В октябре 2026 г. поступило 19 заявок (в сентябре — 1)." in lines
    assert lines[-4] == "Файлы отчета:"
    assert lines[-3:] == [f"  {out}/статистика-ВКС-2026-10.{ext}"
                          for ext in ("xlsx", "html", "json")]


def test_cli_stats_one_format_one_body_default_month(runner: CliRunner, fixture_path: Path,
                                                     tmp_path: Path) -> None:
    result = runner.invoke(cli, ["stats", str(fixture_path), "--today", "2026-11-10",
                                 "--format", "json", "--body", "Орган Б", "--out", "o"])
    assert result.exit_code == 0, result.output
    assert [p.name for p in (tmp_path / "o").iterdir()] == ["статистика-ВКС-2026-10.json"]
    data = json.loads((tmp_path / "o" / "статистика-ВКС-2026-10.json").read_text("utf-8"))
    assert [b["body"] for b in data["bodies"]] == ["Орган Б"]
    assert data["total"]["counts"]["received"] == 2


@pytest.mark.parametrize(("args", "message"), [
    (["--month", "2026-13"], "2026-13» — не месяц; укажите ГГГГ-ММ"),
    (["--month", "2026-12"], "Декабрь 2026: месяц еще не наступил"),
    (["--body", "Орган Я"], "нет журнала органа «Орган Я»"),
])
def test_cli_stats_errors(runner: CliRunner, fixture_path: Path, args: list[str],
                          message: str) -> None:
    result = runner.invoke(cli, ["stats", str(fixture_path), "--today", "2026-11-10", *args])
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output


def test_cli_stats_without_journal_or_config(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["stats", "--month", "2026-10"])
    assert result.exit_code == 2
    assert "не указан журнал" in result.output


# Docs ---------------------------------------------------------------------------------------

DOCS = Path(__file__).resolve().parents[1] / "docs"


def _section(name: str, heading: str) -> str:
    """A `## heading` of docs/<name> up to the next `## `."""
    text = (DOCS / name).read_text(encoding="utf-8")
    start = text.index(f"## {heading}")
    end = text.find("\n## ", start + 1)
    return text[start:end if end > 0 else len(text)]


@pytest.mark.parametrize("command", ["stats", "send"])
def test_reference_documents_every_option(command: str) -> None:
    section = _section("commands.md", f"`vks {command}`")
    params = cli.commands[command].params
    for param in params:
        for opt in param.opts:
            if opt.startswith("--"):
                assert f"`{opt}" in section or f"[{opt}" in section, (command, opt)
    assert cli.commands[command].help


def test_the_formats_reference_documents_the_json_contract(october: MonthlyStats) -> None:
    text = (Path(__file__).resolve().parents[1] / "docs" / "formats.md").read_text(
        encoding="utf-8")
    start = text.index("## `vks-stats/1`")
    end = text.find("\n## ", start + 1)
    contract = text[start:end if end > 0 else None]
    data = october.to_dict()
    keys = set(data) | set(data["total"]) | set(data["total"]["breaches"][0]) \
        | set(data["total"]["trend"][0]) | set(data["total"]["overdue_now"]) \
        | set(data["total"]["specialists"][0]) | set(data["measures"][0])
    missing = sorted(k for k in keys if f"`{k}`" not in contract)
    assert missing == []


def test_the_mail_example_of_the_admin_guide_is_valid() -> None:
    import tomllib

    from toolkit.journal.config import parse_config
    from toolkit.mail.smtp import MailSettings

    section = _section("admin.md", "Почта")
    start = section.index("```toml\n") + 8
    example = section[start:section.index("```", start)]
    config = parse_config(tomllib.loads(example))
    settings = MailSettings.from_config(config, {"VKS_SMTP_PASSWORD": "x"})
    settings.check()
    assert settings.ministry_recipients == ("minsoc@example.ru",)
    assert config.bodies[0].recipients == ("priemnaya@example.ru",)
    assert config.section("stats") == {"top_topics": 5}


def test_report_on_a_journal_without_any_row(tmp_path: Path) -> None:
    from toolkit.journal.config import Body
    from toolkit.sources.xlsx.template import build_workbook as journal_workbook
    from toolkit.sources.xlsx.template import write_workbook

    path = tmp_path / "пустой.xlsx"
    write_workbook(journal_workbook([Body(name="Орган 1", sheet="Орган 1")]), path)
    stats = stats_for([str(path)], Config(), OCTOBER, Clock.at(TODAY))
    assert [b.body for b in stats.bodies] == ["Орган 1"]
    assert stats.total.counts["received"] == 0 and stats.undated == []
    paths = build_report(stats, tmp_path / "out")
    assert json.loads(paths[2].read_text("utf-8"))["total"]["counts"]["violations"] == 0
