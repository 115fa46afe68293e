"""The monthly report files: .xlsx, HTML and JSON, and the `vks stats` command."""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
import stat
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from stats_fixtures import OCTOBER, TODAY

from toolkit.cli import cli
from toolkit.journal.clock import Clock
from toolkit.journal.config import Config
from toolkit.journal.files import shared_file_mode
from toolkit.stats.monthly import MEASURES, BodyStats, Month, MonthlyStats, RowRef, stats_for
from toolkit.stats.report import build_report, charts, render_html, render_text, summary
from toolkit.stats.xlsx import build_workbook


def synthetic(bodies: dict[str, dict[str, int]], topics: list[tuple[str, int]] | None = None,
              undated: int = 0) -> MonthlyStats:
    """Figures made up directly, for wording and escaping checks."""
    zero = {m.key: 0 for m in MEASURES}
    made = [BodyStats(name, {**zero, **counts}, dict(zero), topics=topics or [])
            for name, counts in bodies.items()]
    total = BodyStats("Итого по всем органам",
                      {k: sum(b.counts[k] for b in made) for k in zero}, dict(zero),
                      topics=topics or [])
    refs = [RowRef(made[0].body, "Лист", 6 + i, f"B{6 + i}") for i in range(undated)]
    return MonthlyStats(Month(2026, 11), dt.datetime(2026, 11, 30, 23, 59), True, made, total,
                        refs)


# Wording ------------------------------------------------------------------------------------


def test_summary_of_the_hand_counted_month(october: MonthlyStats) -> None:
    violations = october.total.counts["violations"]
    assert summary(october) == [
        "В октябре 2026 г. поступило 19 заявок (в сентябре — 1).",
        "Принято 14 решений, из них 1 — с нарушением срока 5 рабочих дней (п. 2.5); "
        "без даты решения — 1.",
        "Назначено 9 приемов, отклонено 5 заявок.",
        "Проведено 2 приема, отменено 2, прервано 3, перенесен 1, итог еще не внесен — 1.",
        "На конец месяца без решения — 3 заявки.",
        f"На конец месяца не устранено {violations} нарушений (ошибки проверки журнала).",
        "2 строки не удалось классифицировать: неверно заполнены ячейки "
        "(перечислены в конце отчета).",
        "Без даты поступления (не учтены ни в одном месяце): 1 строка.",
    ]
    assert violations % 10 >= 5 or violations % 100 in range(11, 15)  # «нарушений» is right


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
    lines = summary(stats)
    assert lines[0] == f"В ноябре 2026 г. {received} (в октябре — 0)."
    assert lines[1] == decided
    verb = "отклонена" if n in (1, 21) else "отклонено"
    assert lines[2].lower().startswith(verb)


def test_summary_with_late_decisions_and_one_reception() -> None:
    stats = synthetic({"Орган": {"received": 134, "decided": 120, "decided_on_time": 111,
                                 "decided_late": 9, "appointed": 1, "held": 1,
                                 "rejected": 119, "pending": 14, "violations": 1}})
    lines = summary(stats)
    assert lines[1] == "Принято 120 решений, из них 9 — с нарушением срока 5 рабочих дней (п. 2.5)."
    assert lines[2] == "Назначен 1 прием, отклонено 119 заявок."
    assert lines[3] == "Проведен 1 прием."
    assert lines[4] == "На конец месяца без решения — 14 заявок."
    assert lines[5] == "На конец месяца не устранено 1 нарушение (ошибки проверки журнала)."


def test_summary_of_a_month_without_rows() -> None:
    stats = synthetic({"Орган": {}})
    assert summary(stats) == ["В ноябре 2026 г. заявок не поступало (в октябре — 0).",
                              "На конец месяца неустраненных нарушений нет."]


def test_summary_of_the_current_month(fixture_path: Path) -> None:
    now = dt.datetime(2026, 11, 10, 9, 30)
    stats = stats_for([str(fixture_path)], Config(), Month(2026, 11), Clock.at(now))
    lines = summary(stats)
    assert lines[0] == ("В ноябре 2026 г. (по состоянию на 10.11.2026 09:30) поступила "
                        "1 заявка (в октябре — 19).")
    assert "На эту дату без решения — 1 заявка." in lines


# HTML ---------------------------------------------------------------------------------------


def test_html_has_the_figures_and_escapes_journal_text(october: MonthlyStats) -> None:
    html = render_html(october, {"states": "cid:states", "decisions": "cid:decisions"})
    assert '<html lang="ru">' in html
    assert "В октябре 2026 г. поступило 19 заявок (в сентябре — 1)." in html
    assert re.search(r"Поступило заявок</td>\s*<td[^>]*>19</td>", html)
    assert re.search(r"Орган А</td>\s*<td[^>]*>17</td>", html)
    assert '<img src="cid:states"' in html and '<img src="cid:decisions"' in html
    assert "Социальный контракт" in html
    assert "Просрочено решение" in html  # the open decision-overdue of row 20
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
    assert len(sources) == 2
    assert all(base64.b64decode(s).startswith(b"\x89PNG") for s in sources)


def test_charts_are_png_for_many_and_one_body(october: MonthlyStats) -> None:
    for stats in (october, october.for_body("Орган Б"), synthetic({"Пустой": {}})):
        made = charts(stats)
        assert [c.name for c in made] == ["states", "decisions"]
        assert all(c.png.startswith(b"\x89PNG") and len(c.png) > 2000 for c in made)


def test_plain_text_part(october: MonthlyStats) -> None:
    text = render_text(october.for_body("Орган А"))
    assert "Октябрь 2026. Орган А." in text
    assert "Поступило заявок: 17 (сентябрь 2026: 1)" in text
    assert "    гражданин отказался: 1 (сентябрь 2026: 0)" in text


# .xlsx --------------------------------------------------------------------------------------


def test_xlsx_summary_body_sheets_and_charts(october: MonthlyStats, tmp_path: Path) -> None:
    path = build_report(october, tmp_path, ["xlsx"])[0]
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["Сводка", "Диаграммы", "Орган А", "Орган Б", "Орган В"]
    ws = wb["Сводка"]
    headings = [c.value for c in ws[4]]
    assert headings[0] == "Орган"
    col = {h: i for i, h in enumerate(headings)}
    rows = {r[0]: r for r in ws.iter_rows(min_row=5, max_row=8, values_only=True)}
    assert set(rows) == {"Орган А", "Орган Б", "Орган В", "Итого"}
    received = col["Поступило заявок"]
    assert [rows[n][received] for n in ("Орган А", "Орган Б", "Орган В", "Итого")] == \
        [17, 2, 0, 19]
    assert rows["Орган А"][col["Решений с нарушением срока"]] == 1
    assert rows["Итого"][col["Отклонено по основанию 2"]] == 1
    assert rows["Орган А"][col["Рабочих дней до решения: медиана"]] == 1.0
    assert ws["A10"].value == "В октябре 2026 г. поступило 19 заявок (в сентябре — 1)."
    # Print-ready: A4 landscape, one page wide, the header repeated.
    for sheet in wb.worksheets:
        assert sheet.page_setup.orientation == "landscape"
        assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_title_rows == "$4:$4"
    assert ws.freeze_panes == "B5"

    a = wb["Орган А"]
    values = {r[0]: r[1:4] for r in a.iter_rows(min_row=5, max_row=4 + len(MEASURES),
                                                values_only=True)}
    assert values["Поступило заявок"] == (17, 1, 16)
    assert values["гражданин отказался"] == (1, 0, 1)
    texts = [r[0] for r in a.iter_rows(values_only=True) if r[0]]
    assert "Социальный контракт" in texts and "Просрочено решение" in texts
    assert "Орган А" in texts  # the not-classified rows' sheet

    with zipfile.ZipFile(path) as z:
        names = z.namelist()
        charts_xml = [z.read(n).decode() for n in names if n.startswith("xl/charts/chart")]
    assert len(charts_xml) == 2
    states = next(x for x in charts_xml if "Заявки месяца по итогам" in x)
    assert states.count("<ser>") == 8 and "Прием проведен" in states
    assert "'Сводка'!$A$5:$A$7" in states  # categories: the three bodies, not the totals row
    decisions = next(x for x in charts_xml if "в срок и с нарушением" in x)
    assert decisions.count("<ser>") == 2


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
    assert wb.sheetnames[2] == "=HYPERLINK(\"x\")"
    texts = [r[0] for r in wb.worksheets[2].iter_rows(values_only=True)]
    assert "=1+1" in texts


def test_sheet_titles_are_valid_and_unique() -> None:
    long_name = "ГКУ «Центр социальных выплат и информатизации Министерства»"
    stats = synthetic({long_name: {}, long_name + " ": {}, "Сводка": {}, "a/b:c": {}})
    wb = build_workbook(stats)
    titles = wb.sheetnames[2:]
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
    assert [r[1] for r in wb["Сводка"].iter_rows(min_row=5, max_row=8, values_only=True)] == \
        [0, 0, 0, 0]


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
    assert lines[0] == "В октябре 2026 г. поступило 19 заявок (в сентябре — 1)."
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
