"""Rejection decisions: real journals in, real .docx letters out, reopened and read back."""

from __future__ import annotations

import datetime as dt
import io
import os
import sqlite3
import stat
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from docx import Document
from docx.oxml.ns import qn
from docx.table import Table
from docx.text.paragraph import Paragraph

from toolkit.cli import cli
from toolkit.journal.clock import Clock
from toolkit.journal.config import Body, Config
from toolkit.journal.errors import TemplateError
from toolkit.journal.files import shared_dir_mode, shared_file_mode
from toolkit.journal.schema import Decision, Ground
from toolkit.letters.files import letter_file_name, safe_name
from toolkit.letters.ledger import LEDGER_NAME
from toolkit.letters.make import letterhead_details, make_letters
from toolkit.letters.render import LetterTemplate, safe_value
from toolkit.letters.template import FIELDS, TEMPLATE_PATH, build_template
from toolkit.sources.demo import Manifest
from toolkit.sources.xlsx import template
from toolkit.sources.xlsx.source import XlsxSource

TODAY = dt.date(2026, 11, 27)
CLOCK = Clock.at(TODAY)
BODY = Body(
    name="Министерство социальной защиты населения Кузбасса",
    sheet="Министерство",
    phone="+7 (3842) 58-00-00",
    controller="А.А. Контролёва",
    unit_head="Б.Б. Руководов",
)
CONFIG = Config(bodies=(BODY,))
SPECIALIST = "Осипова Валентина Сергеевна"
ADDRESS = "Кемеровская область – Кузбасс, г. Кемерово, ул. Весенняя, д. 5, кв. 7"
ORDER = Path(__file__).resolve().parents[2] / "shared" / "domain" / "prikaz-77-2023.txt"


def row(number: int | None, citizen: str, *, address: str | None = ADDRESS,
        ground: Ground | None = Ground.OFFENSIVE, decided: dt.date | None = dt.date(2026, 11, 20),
        specialist: str = SPECIALIST, **extra: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "number": number,
        "received": dt.date(2026, 11, 16),
        "citizen": citizen,
        "topic": "Социальный контракт",
        "decision": Decision.REJECTED.label,
        "decision_date": decided,
        "ground": ground.label if ground else None,
        "specialist": specialist,
        "address": address,
        "email": "citizen@example.ru",
        "consent_data": "Да",
        "consent_video": "Да",
        **extra,
    }
    return values


def write_journal(path: Path, rows: Sequence[dict[str, Any]], body: Body = BODY) -> Path:
    return template.write_journal(path, {body: rows})


def lines_of(source: Path | bytes) -> list[str]:
    """Every paragraph of a .docx in reading order, table cells row by row."""
    doc = Document(io.BytesIO(source) if isinstance(source, bytes) else str(source))
    lines: list[str] = []
    for child in doc.element.body.iterchildren():
        if child.tag == qn("w:p"):
            lines.append(Paragraph(child, doc).text)
        elif child.tag == qn("w:tbl"):
            for table_row in Table(child, doc).rows:
                for cell in table_row.cells:
                    lines.extend(p.text for p in cell.paragraphs)
    return lines


def expected_letter(citizen: str, residing: str, ground: Ground, date: str, *,
                    address: str = ADDRESS, specialist: str = SPECIALIST,
                    controller: str = BODY.controller, unit_head: str = BODY.unit_head,
                    phone: str = BODY.phone, body: Body = BODY) -> list[str]:
    return [
        body.name,  # the letterhead: who decides, and the body's details
        letterhead_details(body),
        "Решение об отклонении заявки",
        "Отклонить заявку на проведение личного приема посредством видеоконференцсвязи",
        f"{citizen},",
        "(Ф.И.О. гражданина)",
        f"{residing} по адресу {address}",
        f"по следующему основанию {ground.text}.",
        "(указать основание для вынесения решения об отклонении заявки)",
        "Должностное лицо органа (учреждения), осуществляющего контроль за личным приемом "
        "посредством видеоконференцсвязи", "", "(подпись)", controller, "(расшифровка подписи)",
        "Руководитель структурного подразделения специалиста, осуществляющего личный прием "
        "посредством видеоконференцсвязи", "", "(подпись)", unit_head, "(Ф.И.О.)",
        "Специалист, осуществляющий личный прием посредством видеоконференцсвязи",
        "", "(подпись)", specialist, "(Ф.И.О.)",
        f"Номер телефона {phone}",
        f"Дата {date}",
    ]


def letter_cells(journal: Path) -> dict[int, str]:
    """Service column «Решение об отклонении» by row, as the journal now holds it."""
    from toolkit.journal.read import read_journals

    source = XlsxSource(journal)
    (read,) = read_journals(source, CONFIG)
    return {a.row: a.letter for a in read.applications}


def ledger_rows(tmp: Path) -> list[tuple[Any, ...]]:
    with sqlite3.connect(tmp / ".vks" / LEDGER_NAME) as conn:
        return conn.execute(
            "SELECT number, version, current, path FROM letters ORDER BY number, version"
        ).fetchall()


# --- The template ----------------------------------------------------------------------------


def test_committed_template_is_what_the_builder_makes() -> None:
    assert TEMPLATE_PATH.read_bytes() == build_template()


def test_template_wording_is_the_form_of_appendix_2() -> None:
    lines = lines_of(TEMPLATE_PATH)
    assert lines == [
        "{{ орган }}",
        "{{ реквизиты_органа }}",
        "Решение об отклонении заявки",
        "Отклонить заявку на проведение личного приема посредством видеоконференцсвязи",
        "{{ гражданин }},",
        "(Ф.И.О. гражданина)",
        "{{ проживающему }} по адресу {{ адрес }}",
        "по следующему основанию {{ основание }}.",
        "(указать основание для вынесения решения об отклонении заявки)",
        "Должностное лицо органа (учреждения), осуществляющего контроль за личным приемом "
        "посредством видеоконференцсвязи", "", "(подпись)", "{{ должностное_лицо }}",
        "(расшифровка подписи)",
        "Руководитель структурного подразделения специалиста, осуществляющего личный прием "
        "посредством видеоконференцсвязи", "", "(подпись)", "{{ руководитель }}", "(Ф.И.О.)",
        "Специалист, осуществляющий личный прием посредством видеоконференцсвязи",
        "", "(подпись)", "{{ специалист }}", "(Ф.И.О.)",
        "Номер телефона {{ телефон }}",
        "Дата {{ дата }}",
    ]
    if ORDER.is_file():  # the order itself sits beside the repository, in shared/
        form = " ".join(ORDER.read_text(encoding="utf-8").split("Приложение № 2")[-1].split())
        for line in lines:
            for piece in line.replace("{{", "}}").split("}}")[::2]:
                phrase = piece.strip(" ,.")
                if phrase:
                    assert phrase in form, phrase


def test_template_layout_is_an_official_letter() -> None:
    doc = Document(str(TEMPLATE_PATH))
    section = doc.sections[0]
    sizes = (section.page_width, section.page_height, section.left_margin,
             section.right_margin, section.top_margin, section.bottom_margin)
    assert [round(s.mm) for s in sizes if s is not None] == [210, 297, 20, 10, 20, 20]
    styles = zipfile.ZipFile(TEMPLATE_PATH).read("word/styles.xml").decode()
    assert 'w:ascii="Times New Roman"' in styles and '<w:sz w:val="28"/>' in styles


def test_template_fields_are_documented_in_the_clerk_guide() -> None:
    guide = (Path(__file__).resolve().parents[1] / "docs" / "clerk.md").read_text(encoding="utf-8")
    for name in FIELDS:
        assert f"`{{{{ {name} }}}}`" in guide, name


# --- Letters ---------------------------------------------------------------------------------


def test_letters_for_men_and_women_read_as_the_decision(tmp_path: Path) -> None:
    journal = write_journal(tmp_path / "журнал.xlsx", [
        row(1, "Петрова Анна Сергеевна", ground=Ground.OFFENSIVE),
        row(2, "Римский-Корсаков Андрей Львович", ground=Ground.OUT_OF_COMPETENCE,
            decided=dt.date(2026, 1, 12)),
        row(3, "Орлова-Никитина Ирина Павловна", ground=Ground.REPEATED),
        row(4, "Ёлкин Фёдор Кузьмич", ground=Ground.TOPIC_UNCLEAR),
        row(5, "Шевчук Оксана Богдановна"),
        row(6, "Алиев Эльчин Рафик оглы"),
        row(7, "Черных Виктор Павлович", decision="заявка отклонена"),  # typed in lower case
        row(8, "Смирнова Ольга Викторовна", decision=Decision.APPOINTED.label, ground=None,
            appointment=dt.datetime(2026, 11, 25, 10)),
    ])
    result = make_letters(str(journal), CONFIG, tmp_path / "решения", CLOCK)
    assert (len(result.made), result.skipped, result.warnings) == (7, [], [])
    folder = tmp_path / "решения" / "Министерство"
    files = sorted(p.name for p in folder.iterdir())
    assert files == [
        "0001-Петрова-2026-11-20.docx", "0002-Римский-Корсаков-2026-01-12.docx",
        "0003-Орлова-Никитина-2026-11-20.docx", "0004-Ёлкин-2026-11-20.docx",
        "0005-Шевчук-2026-11-20.docx", "0006-Алиев-2026-11-20.docx",
        "0007-Черных-2026-11-20.docx",
    ]
    date = "20 ноября 2026 г."
    assert lines_of(folder / files[0]) == expected_letter(
        "Петровой Анне Сергеевне", "проживающей", Ground.OFFENSIVE, date)
    assert lines_of(folder / files[1]) == expected_letter(
        "Римскому-Корсакову Андрею Львовичу", "проживающему", Ground.OUT_OF_COMPETENCE,
        "12 января 2026 г.")
    assert lines_of(folder / files[2]) == expected_letter(
        "Орловой-Никитиной Ирине Павловне", "проживающей", Ground.REPEATED, date)
    assert lines_of(folder / files[3]) == expected_letter(
        "Ёлкину Фёдору Кузьмичу", "проживающему", Ground.TOPIC_UNCLEAR, date)
    assert lines_of(folder / files[4]) == expected_letter(
        "Шевчук Оксане Богдановне", "проживающей", Ground.OFFENSIVE, date)
    assert lines_of(folder / files[5]) == expected_letter(
        "Алиеву Эльчину Рафик оглы", "проживающему", Ground.OFFENSIVE, date)
    assert lines_of(folder / files[6]) == expected_letter(
        "Черных Виктору Павловичу", "проживающему", Ground.OFFENSIVE, date)
    # the journal's service column names each letter and the day it was made
    cells = letter_cells(journal)
    assert cells[6] == "0001-Петрова-2026-11-20.docx от 27.11.2026"
    assert cells[13] == ""  # an appointment gets no letter


def test_letters_are_shared_and_the_ledger_private(tmp_path: Path) -> None:
    # Letters go to the clerks (the umask or [files], tests/test_sharing.py); the ledger not.
    journal = write_journal(tmp_path / "журнал.xlsx", [row(1, "Петрова Анна Сергеевна")])
    out = tmp_path / "решения"
    result = make_letters(str(journal), CONFIG, out, CLOCK)
    [batch] = result.batches
    for path in (result.made[0].path, batch.path):
        assert stat.S_IMODE(path.stat().st_mode) == shared_file_mode(), path
    assert stat.S_IMODE((tmp_path / ".vks" / LEDGER_NAME).stat().st_mode) == 0o600  # state
    for folder in (out, result.made[0].path.parent):
        assert stat.S_IMODE(folder.stat().st_mode) == shared_dir_mode(), folder
    assert stat.S_IMODE((tmp_path / ".vks" / LEDGER_NAME).stat().st_mode) == 0o600


def test_name_the_inflector_cannot_place_is_warned_and_left_nominative(tmp_path: Path) -> None:
    # Саша is a man's and a woman's name, Шевченко either's surname: the gender is unknown
    journal = write_journal(tmp_path / "журнал.xlsx", [row(4, "Шевченко Саша")])
    result = make_letters(str(journal), CONFIG, tmp_path / "out", CLOCK)
    (warning,) = result.warnings
    assert (warning.cell, warning.code) == ("C6", "name-not-inflected")
    assert "Шевченко" not in str(warning)  # no personal data in messages
    # the form's own «проживающему» (Appendix 2), never «проживающему(ей)»
    assert lines_of(result.made[0].path)[4:7] == [
        "Шевченко Саша,", "(Ф.И.О. гражданина)", f"проживающему по адресу {ADDRESS}"]


def test_name_without_patronymic_or_in_capitals_is_placed(tmp_path: Path) -> None:
    journal = write_journal(tmp_path / "журнал.xlsx", [
        row(1, "Кузнецова Мария"), row(2, "ПЕТРОВ И.И."), row(3, "Сафина Гузель Ринатовна")])
    result = make_letters(str(journal), CONFIG, tmp_path / "out", CLOCK)
    assert (len(result.made), result.warnings) == (3, [])
    made = [lines_of(letter.path)[4:7] for letter in result.made]
    assert made == [
        ["Кузнецовой Марии,", "(Ф.И.О. гражданина)", f"проживающей по адресу {ADDRESS}"],
        ["Петрову И.И.,", "(Ф.И.О. гражданина)", f"проживающему по адресу {ADDRESS}"],
        ["Сафиной Гузель Ринатовне,", "(Ф.И.О. гражданина)",
         f"проживающей по адресу {ADDRESS}"],
    ]


def test_rows_missing_what_the_letter_needs_are_reported_by_cell(tmp_path: Path) -> None:
    journal = write_journal(tmp_path / "журнал.xlsx", [
        row(1, "Петрова Анна Сергеевна", address=None),
        row(2, "Иванов Петр Сергеевич", ground=None),
        row(3, "Попов Дмитрий Олегович", decided=None),
        row(4, "Зайцева Юлия Олеговна", decided=dt.date(2026, 12, 1)),  # after --today
        row(None, "Попова Елена Николаевна"),
        row(6, "Лебедев Михаил Юрьевич", ground=None, address=None),
        row(7, "Соколова Наталья Андреевна"),
    ])
    result = make_letters(str(journal), CONFIG, tmp_path / "out", CLOCK)
    assert [(p.cell, p.code) for p in result.skipped] == [
        ("N6", "address-missing"),
        ("H7", "ground-missing"),
        ("F8", "decision-date-missing"),
        ("F9", "decision-date-future"),
        ("A10", "number-missing"),
        ("N11", "address-missing"), ("H11", "ground-missing"),
    ]
    assert str(result.skipped[0]) == (
        "Министерство социальной защиты населения Кузбасса, лист «Министерство», "
        "ячейка N6: не указан адрес проживания")
    assert [m.number for m in result.made] == [7]
    assert sorted(letter_cells(journal).items())[-1] == (12, "0007-Соколова-2026-11-20.docx "
                                                             "от 27.11.2026")
    assert {k: v for k, v in letter_cells(journal).items() if v} == {
        12: "0007-Соколова-2026-11-20.docx от 27.11.2026"}


HOSTILE = 'ул. «Весенняя» & <Ленина> "д. 5" \'к. 2\' {{ адрес }} {%- if 1 %}x{% endif %} ]]> </w:t>'


def test_hostile_values_render_in_full(tmp_path: Path) -> None:
    body = Body(name="ГКУ «ЦСВ» & <Ко>", sheet="ЦСВ", phone="8 (3842) 00-00-00 доб. <12>",
                controller="О'Нил & Ко", unit_head='Б.Б. "Руководов"')
    journal = write_journal(tmp_path / "журнал.xlsx", [
        row(1, "Петрова Анна Сергеевна", address=HOSTILE, specialist="Д'Артаньян <Шарль> & Ко"),
    ], body)
    result = make_letters(str(journal), Config(bodies=(body,)), tmp_path / "out", CLOCK)
    assert lines_of(result.made[0].path) == expected_letter(
        "Петровой Анне Сергеевне", "проживающей", Ground.OFFENSIVE, "20 ноября 2026 г.",
        address=HOSTILE, specialist="Д'Артаньян <Шарль> & Ко", controller="О'Нил & Ко",
        unit_head='Б.Б. "Руководов"', phone="8 (3842) 00-00-00 доб. <12>", body=body)


def test_control_characters_cannot_break_the_document() -> None:
    template = LetterTemplate.load()
    context: dict[str, object] = {key: f"{key}\x07\x0c\t\n\r\x00\ufffe конец" for key in FIELDS}
    lines = lines_of(template.render(context))
    assert len(lines) == len(lines_of(TEMPLATE_PATH))  # no paragraph or page was added
    assert lines[4] == "гражданин конец,"
    assert safe_value("a\x0b\x1fb\u2028c") == "a b c"


def test_compiled_rendering_is_docxtpls_own(tmp_path: Path) -> None:
    """The letter's XML equals what docxtpl's full render gives for the same values."""
    from docxtpl import DocxTemplate
    from jinja2.sandbox import SandboxedEnvironment
    from lxml import etree

    values = {key: f"{key} {HOSTILE}" for key in FIELDS}
    reference = DocxTemplate(str(TEMPLATE_PATH))
    reference.render(values, jinja_env=SandboxedEnvironment(autoescape=True))
    reference.save(tmp_path / "reference.docx")

    def canonical(package: Path | bytes) -> bytes:
        source = io.BytesIO(package) if isinstance(package, bytes) else package
        xml = zipfile.ZipFile(source).read("word/document.xml")
        return etree.tostring(etree.fromstring(xml), method="c14n")

    ours = LetterTemplate.load().render(values)
    assert canonical(ours) == canonical(tmp_path / "reference.docx")


def test_same_values_give_the_same_bytes() -> None:
    template = LetterTemplate.load()
    context = {key: key for key in FIELDS}
    assert template.render(context) == template.render(context)


def _template_with(tmp_path: Path, old: str, new: str) -> Path:
    source = zipfile.ZipFile(io.BytesIO(build_template()))
    path = tmp_path / "шаблон.docx"
    with zipfile.ZipFile(path, "w") as out:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "word/document.xml":
                assert old.encode() in data
                data = data.replace(old.encode(), new.encode())
            out.writestr(info, data)
    return path


def test_unknown_placeholder_is_an_error_before_rendering(tmp_path: Path) -> None:
    path = _template_with(tmp_path, "{{ адрес }}", "{{ адрес_регистрации }}")
    with pytest.raises(TemplateError, match=r"неизвестные поля \{\{ адрес_регистрации \}\}"):
        LetterTemplate.load(path)


def test_broken_placeholder_is_an_error(tmp_path: Path) -> None:
    path = _template_with(tmp_path, "{{ адрес }}", "{{ адрес ")
    with pytest.raises(TemplateError, match="ошибка в записи поля"):
        LetterTemplate.load(path)


def test_template_runs_sandboxed(tmp_path: Path) -> None:
    path = _template_with(tmp_path, "{{ адрес }}",
                          "{{ адрес.__class__.__mro__[1].__subclasses__() }}")
    template = LetterTemplate.load(path)
    with pytest.raises(TemplateError):
        template.render(dict.fromkeys(FIELDS, "x"))


def test_not_a_docx_template(tmp_path: Path) -> None:
    path = tmp_path / "шаблон.docx"
    path.write_text("не документ", encoding="utf-8")
    with pytest.raises(TemplateError, match="не документ Word"):
        LetterTemplate.load(path)
    with pytest.raises(TemplateError, match="не найден"):
        LetterTemplate.load(tmp_path / "нет.docx")


def test_configured_template_is_used(tmp_path: Path) -> None:
    _template_with(tmp_path, "Номер телефона", "Телефон для справок")  # шаблон.docx
    (tmp_path / "vks.toml").write_text(
        '[letters]\ntemplate = "шаблон.docx"\n\n[[bodies]]\nname = "Министерство"\n',
        encoding="utf-8")
    from toolkit.journal.config import load_config

    config = load_config(tmp_path / "vks.toml")
    journal = write_journal(tmp_path / "журнал.xlsx", [row(1, "Петрова Анна Сергеевна")],
                            Body(name="Министерство", sheet="Министерство"))
    result = make_letters(str(journal), config, tmp_path / "out", CLOCK)
    assert lines_of(result.made[0].path)[-2] == "Телефон для справок " + "_" * 20


# --- File names --------------------------------------------------------------------------------


def test_file_names_are_safe() -> None:
    assert letter_file_name(17, "Петрова Анна Сергеевна", dt.date(2026, 11, 20)) == \
        "0017-Петрова-2026-11-20.docx"
    assert letter_file_name(3, "../../etc/passwd x", dt.date(2026, 1, 2)) == \
        "0003-etc-passwd-2026-01-02.docx"
    assert letter_file_name(4, "..\\..\\Пупкин:*?<>| В", dt.date(2026, 1, 2)) == \
        "0004-Пупкин-2026-01-02.docx"
    assert letter_file_name(5, "", dt.date(2026, 1, 2)) == "0005-2026-01-02.docx"
    assert safe_name("CON") == "CON-"
    assert safe_name("Й") == "Й"  # й typed as и + combining breve is composed first


def test_cell_text_cannot_escape_the_output_folder(tmp_path: Path) -> None:
    body = Body(name="../../вне", sheet="..")
    journal = write_journal(tmp_path / "журнал.xlsx",
                            [row(1, "../../../Пупкин Иван Иванович")], body)
    out = tmp_path / "out"
    result = make_letters(str(journal), Config(bodies=(body,)), out, CLOCK)
    path = result.made[0].path
    assert path.resolve().parent.parent == out.resolve()
    assert path.name == "0001-Пупкин-2026-11-20.docx"


# --- Made once -------------------------------------------------------------------------------


def test_second_run_makes_nothing(tmp_path: Path) -> None:
    journal = write_journal(tmp_path / "журнал.xlsx", [
        row(1, "Петрова Анна Сергеевна"), row(2, "Иванов Петр Сергеевич")])
    out = tmp_path / "out"
    first = make_letters(str(journal), CONFIG, out, CLOCK)
    assert (len(first.made), first.written) == (2, 2)
    before = {p: p.stat().st_mtime_ns for p in out.rglob("*")}
    journal_bytes = journal.read_bytes()
    second = make_letters(str(journal), CONFIG, out, Clock.at(TODAY + dt.timedelta(days=3)))
    assert (second.made, second.unchanged, second.written, second.batches) == ([], 2, 0, [])
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*")} == before
    assert journal.read_bytes() == journal_bytes


def test_changed_data_remakes_the_letter_and_keeps_the_old_one(tmp_path: Path) -> None:
    path = tmp_path / "журнал.xlsx"
    write_journal(path, [row(1, "Петрова Анна Сергеевна"), row(2, "Иванов Петр Сергеевич")])
    out = tmp_path / "out"
    make_letters(str(path), CONFIG, out, CLOCK)
    write_journal(path, [row(1, "Петрова Анна Сергеевна", address="г. Белово, ул. Советская, 1"),
                         row(2, "Иванов Петр Сергеевич")])
    later = Clock.at(TODAY + dt.timedelta(days=1))
    result = make_letters(str(path), CONFIG, out, later)
    (letter,) = result.made
    assert (letter.number, letter.version, result.unchanged) == (1, 2, 1)
    assert letter.superseded == out / "Министерство" / "заменены" / \
        "0001-Петрова-2026-11-20-версия1.docx"
    assert lines_of(letter.superseded)[6] == f"проживающей по адресу {ADDRESS}"
    assert lines_of(letter.path)[6] == "проживающей по адресу г. Белово, ул. Советская, 1"
    assert letter_cells(path)[6] == "0001-Петрова-2026-11-20.docx от 28.11.2026"
    assert [r[:3] for r in ledger_rows(tmp_path)] == [(1, 1, 0), (1, 2, 1), (2, 1, 1)]
    assert all(Path(r[3]).is_file() for r in ledger_rows(tmp_path))


def test_force_remakes_everything(tmp_path: Path) -> None:
    journal = write_journal(tmp_path / "журнал.xlsx", [row(1, "Петрова Анна Сергеевна")])
    out = tmp_path / "out"
    make_letters(str(journal), CONFIG, out, CLOCK)
    result = make_letters(str(journal), CONFIG, out, CLOCK, force=True)
    assert [(m.number, m.version) for m in result.made] == [(1, 2)]
    assert result.made[0].superseded is not None and result.made[0].superseded.is_file()
    assert [b.path for b in result.batches] == [out / "пакет-Министерство-2026-11-27-0000-2.docx"]


def test_since_and_body_narrow_the_run(tmp_path: Path) -> None:
    journal = write_journal(tmp_path / "журнал.xlsx", [
        row(1, "Петрова Анна Сергеевна", decided=dt.date(2026, 10, 1)),
        row(2, "Иванов Петр Сергеевич", decided=dt.date(2026, 11, 2))])
    out = tmp_path / "out"
    result = make_letters(str(journal), CONFIG, out, CLOCK, since=dt.date(2026, 11, 1),
                          only=["министерство"])
    assert [m.number for m in result.made] == [2]


def test_a_run_killed_before_the_ledger_leaves_a_whole_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from toolkit.letters import ledger as letters

    journal = write_journal(tmp_path / "журнал.xlsx", [
        row(1, "Петрова Анна Сергеевна"), row(2, "Иванов Петр Сергеевич")])
    out = tmp_path / "out"
    real_add = letters.Ledger.add
    calls = []

    def killed(self: letters.Ledger, entry: letters.LedgerEntry, *args: object) -> None:
        calls.append(entry)
        if len(calls) == 2:
            raise KeyboardInterrupt
        real_add(self, entry, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(letters.Ledger, "add", killed)
    with pytest.raises(KeyboardInterrupt):
        make_letters(str(journal), CONFIG, out, CLOCK)
    files = sorted(p.name for p in out.rglob("*") if p.is_file())
    assert files == ["0001-Петрова-2026-11-20.docx", "0002-Иванов-2026-11-20.docx"]
    assert [r[0] for r in ledger_rows(tmp_path)] == [1]  # the second file has no entry yet
    monkeypatch.setattr(letters.Ledger, "add", real_add)
    result = make_letters(str(journal), CONFIG, out, CLOCK)
    assert [m.number for m in result.made] == [2]
    assert lines_of(result.made[0].path)[4] == "Иванову Петру Сергеевичу,"
    assert [r[:3] for r in ledger_rows(tmp_path)] == [(1, 1, 1), (2, 1, 1)]


def test_a_run_killed_while_writing_leaves_no_half_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    journal = write_journal(tmp_path / "журнал.xlsx", [row(1, "Петрова Анна Сергеевна")])
    out = tmp_path / "out"

    def interrupted(self: Path, data: bytes) -> int:
        with open(self, "wb") as f:
            f.write(data[: len(data) // 2])
        raise KeyboardInterrupt

    monkeypatch.setattr(Path, "write_bytes", interrupted)
    with pytest.raises(KeyboardInterrupt):
        make_letters(str(journal), CONFIG, out, CLOCK)
    monkeypatch.undo()
    assert [p for p in out.rglob("*") if p.is_file()] == []
    assert ledger_rows(tmp_path) == []


def test_two_journals_of_one_body_keep_their_own_letters(tmp_path: Path) -> None:
    """A journal a year, numbered from 1 each time: the same № п/п is another decision."""
    older = write_journal(tmp_path / "журнал-2025.xlsx", [row(1, "Петрова Анна Сергеевна")])
    newer = write_journal(tmp_path / "журнал-2026.xlsx", [row(1, "Петрова Анна Сергеевна")])
    out = tmp_path / "out"
    first = make_letters(str(older), CONFIG, out, CLOCK)
    second = make_letters(str(newer), CONFIG, out, CLOCK)
    assert [m.path.name for m in (*first.made, *second.made)] == [
        "0001-Петрова-2026-11-20.docx", "0001-Петрова-2026-11-20-2.docx"]
    assert second.made[0].superseded is None and first.made[0].path.is_file()
    again = [make_letters(str(j), CONFIG, out, CLOCK) for j in (older, newer)]
    assert [(r.made, r.unchanged) for r in again] == [([], 1), ([], 1)]
    assert letter_cells(newer)[6] == "0001-Петрова-2026-11-20-2.docx от 27.11.2026"


def test_letter_deleted_by_hand_is_made_again(tmp_path: Path) -> None:
    journal = write_journal(tmp_path / "журнал.xlsx", [row(1, "Петрова Анна Сергеевна")])
    out = tmp_path / "out"
    first = make_letters(str(journal), CONFIG, out, CLOCK)
    first.made[0].path.unlink()
    again = make_letters(str(journal), CONFIG, out, CLOCK)
    assert (again.dropped, [m.version for m in again.made]) == (1, [1])
    assert again.made[0].path.is_file()


def test_journal_open_elsewhere_keeps_letters_and_says_so(tmp_path: Path) -> None:
    journal = write_journal(tmp_path / "журнал.xlsx", [row(1, "Петрова Анна Сергеевна")])
    lock = tmp_path / ".~lock.журнал.xlsx#"
    lock.write_text("Клерк,host,clerk,27.11.2026 09:00,file:///x;", encoding="utf-8")
    out = tmp_path / "out"
    result = make_letters(str(journal), CONFIG, out, CLOCK)
    assert result.busy is not None and "открыт" in result.busy
    assert (len(result.made), result.written) == (1, 0)
    lock.unlink()
    retry = make_letters(str(journal), CONFIG, out, CLOCK)
    assert (retry.made, retry.unchanged, retry.written) == ([], 1, 1)
    assert letter_cells(journal)[6] == "0001-Петрова-2026-11-20.docx от 27.11.2026"


# --- The print batch ---------------------------------------------------------------------------


def test_batch_holds_every_new_letter_on_its_own_page(tmp_path: Path) -> None:
    journal = write_journal(tmp_path / "журнал.xlsx", [
        row(1, "Петрова Анна Сергеевна"), row(2, "Иванов Петр Сергеевич"),
        row(3, "Шевчук Оксана Богдановна")])
    result = make_letters(str(journal), CONFIG, tmp_path / "out", CLOCK)
    [batch] = result.batches
    assert batch.path == tmp_path / "out" / "пакет-Министерство-2026-11-27-0000.docx"
    assert (batch.body, batch.sheet, batch.letters) == (BODY.name, "Министерство", 3)
    lines = lines_of(batch.path)
    letters = [line for m in result.made for line in lines_of(m.path)]
    assert lines[-len(letters):] == letters  # the letters, unchanged, after the summary page
    summary = lines[:-len(letters)]
    assert summary[:3] == ["Пакет решений об отклонении заявок для печати", BODY.name,
                           "Лист журнала «Министерство»"]
    assert summary[3] == ("Подготовлен 27.11.2026. В пакете 3 решения, каждое — с новой "
                          "страницы.")
    doc = Document(str(batch.path))
    table = doc.tables[0]
    assert [[c.text for c in r.cells] for r in table.rows] == [
        ["№", "№ п/п в журнале", "Ф.И.О. гражданина", "Дата решения", "Строка журнала",
         "Примечание"],
        ["1", "1", "Петрова Анна Сергеевна", "20.11.2026", "6", ""],
        ["2", "2", "Иванов Петр Сергеевич", "20.11.2026", "7", ""],
        ["3", "3", "Шевчук Оксана Богдановна", "20.11.2026", "8", ""]]
    breaks = [p.text for p in doc.paragraphs if p.paragraph_format.page_break_before]
    assert breaks == [BODY.name] * 3  # every letter starts a page with its letterhead
    section = doc.sections[0]  # the letters' page set-up, not the summary's
    assert [round(m.mm) for m in (section.left_margin, section.right_margin)] == [20, 10]
    styles = zipfile.ZipFile(batch.path).read("word/styles.xml").decode()
    assert 'w:ascii="Times New Roman"' in styles and '<w:sz w:val="28"/>' in styles
    assert not list((tmp_path / "out").glob("vks-batch-*"))  # the summary's own file is gone


def test_one_batch_per_body_in_the_order_of_the_journal(tmp_path: Path) -> None:
    other = Body("ГКУ «Государственное юридическое бюро Кузбасса»", "ГЮБ Кузбасса",
                 phone="+7 (3842) 11-11-11")
    path = tmp_path / "журнал.xlsx"
    from toolkit.sources.xlsx.template import write_journal as write_sheets

    write_sheets(path, {BODY: [row(1, "Петрова Анна Сергеевна")],
                        other: [row(1, "Иванов Петр Сергеевич"),
                                row(2, "Шевчук Оксана Богдановна")]})
    result = make_letters(str(path), Config(bodies=(BODY, other)), tmp_path / "out", CLOCK)
    assert [(b.sheet, b.letters, b.path.name) for b in result.batches] == [
        ("Министерство", 1, "пакет-Министерство-2026-11-27-0000.docx"),
        ("ГЮБ Кузбасса", 2, "пакет-ГЮБ-Кузбасса-2026-11-27-0000.docx")]
    gub = lines_of(result.batches[1].path)
    assert gub[1] == other.name and "Петровой" not in " ".join(gub)
    assert gub.count(other.name) == 3  # the summary and each letter's letterhead


# --- The demo journal --------------------------------------------------------------------------


def test_demo_journal_every_rejection_gets_a_letter_or_a_reason(
    demo: tuple[Path, Manifest], config: Config
) -> None:
    path, manifest = demo
    from toolkit.journal.read import read_journals

    rejected = {
        (j.sheet, a.row)
        for j in read_journals(XlsxSource(path), config)
        for a in j.applications if a.decision is Decision.REJECTED
    }
    result = make_letters(str(path), config, path.parent / "out", Clock.at(manifest.today))
    made = {(m.sheet, m.row) for m in result.made}
    skipped = {(p.sheet, p.row) for p in result.skipped}
    assert made | skipped == rejected and not made & skipped
    for sheet, codes in manifest.rows.items():
        for code in ("ground-missing", "ground-unknown"):
            for r in codes.get(code, []):
                assert (sheet, r) in skipped
    assert result.written == len(made)


# --- The command -----------------------------------------------------------------------------


def _config_file(tmp: Path) -> Path:
    path = tmp / "vks.toml"
    path.write_text(
        f'[[bodies]]\nname = "{BODY.name}"\nsheet = "{BODY.sheet}"\nphone = "{BODY.phone}"\n'
        f'controller = "{BODY.controller}"\nunit_head = "{BODY.unit_head}"\n',
        encoding="utf-8")
    return path


def test_cli_letters(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write_journal(tmp_path / "журнал.xlsx", [
        row(1, "Петрова Анна Сергеевна"), row(2, "Иванов Петр Сергеевич", address=None)])
    args = ["-c", str(_config_file(tmp_path)), "letters", "журнал.xlsx", "--out", "решения",
            "--today", "2026-11-27"]
    runner = CliRunner()
    first = runner.invoke(cli, args)
    assert first.exit_code == 0, first.output
    assert first.output == (
        "журнал.xlsx: подготовлено 1 решение, без изменений 0, не подготовлено 1.\n"
        "Пакет для печати «Министерство» (1 решение, первая страница — опись): "
        "решения/пакет-Министерство-2026-11-27-0000.docx\n"
        "В журнал записано отметок: 1.\n"
        "Не подготовлено (не хватает данных):\n"
        "  Министерство социальной защиты населения Кузбасса, лист «Министерство», "
        "ячейка N7: не указан адрес проживания\n"
    )
    second = runner.invoke(cli, args)
    assert (second.exit_code, second.output.splitlines()[:2]) == (0, [
        "журнал.xlsx: подготовлено 0 решений, без изменений 1, не подготовлено 1.",
        "Новых решений нет — пакет для печати не создан."])


def test_cli_needs_an_output_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write_journal(tmp_path / "журнал.xlsx", [row(1, "Петрова Анна Сергеевна")])
    result = CliRunner().invoke(cli, ["letters", "журнал.xlsx", "--today", "2026-11-27"])
    assert result.exit_code == 2
    assert "не указана папка для решений" in result.output


def test_cli_exits_3_when_the_journal_is_open(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write_journal(tmp_path / "журнал.xlsx", [row(1, "Петрова Анна Сергеевна")])
    (tmp_path / "~$журнал.xlsx").write_bytes(b"\x05Clerk" + b"\x00" * 60)
    result = CliRunner().invoke(cli, ["-c", str(_config_file(tmp_path)), "letters",
                                      "журнал.xlsx", "--out", "out", "--today", "2026-11-27"])
    assert result.exit_code == 3
    assert "подготовлено 1 решение" in result.output
    assert "отметки в журнал не записаны" in result.output
    assert os.listdir(tmp_path / "out" / "Министерство") == ["0001-Петрова-2026-11-20.docx"]
