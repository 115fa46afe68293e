"""Website exports: CSV in every encoding and delimiter, .xlsx and JSON, read into submissions."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import openpyxl
import pytest

from toolkit.intake.exports import read_export
from toolkit.intake.submission import TIMEZONE, IntakeError
from toolkit.journal.schema import Consent

HEADER = [
    "Дата подачи", "Ф.И.О.", "Дата рождения", "Паспорт", "Орган", "Адрес проживания",
    "Согласие на обработку персональных данных", "Согласие на видеозапись",
    "Тема обращения", "Телефон", "E-mail", "ID заявки",
]
ROWS = [
    ["12.03.2024 14:05", "Кузнецова Анна Сергеевна", "17.04.1985", "3209 512344",
     "УСЗН г. Новокузнецка", "г. Новокузнецк, ул. Кирова, 55-12", "Да", "Да",
     "Перерасчет ежемесячной денежной выплаты", "+7 (900) 000-11-22", "anna.kuz@example.ru",
     "1187"],
    ["13.03.2024 09:12", "Мамедов Эльчин Рашид оглы", "03.11.1979", "3215 004411",
     "УСЗН Прокопьевского округа", "с. Михайловка; ул. Центральная, 4", "Да", "Да",
     "Социальный контракт:\nоткрытие ИП", "8 900 000 33 44", "", "1190"],
    ["14.03.2024 18:47", "Сидоров Петр Алексеевич", "31.02.1990", "3210 654321",
     "ГЮБ", "г. Кемерово, ул. Терешковой, 20-5", "Да", "Нет",
     '=HYPERLINK("http://example.com";"Алименты")', "8 (900) 000-99-00", "", "1207"],
]


def write_csv(path: Path, encoding: str, delimiter: str, rows: list[list[str]] = ROWS,
              header: list[str] = HEADER, title: str | None = None) -> Path:
    def cell(value: str) -> str:
        if any(ch in value for ch in (delimiter, '"', "\n")):
            return '"' + value.replace('"', '""') + '"'
        return value

    lines = [title] if title else []
    lines += [delimiter.join(cell(v) for v in r) for r in [header, *rows]]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return path


@pytest.mark.parametrize(
    ("encoding", "delimiter"),
    [("cp1251", ";"), ("koi8_r", ","), ("utf-8-sig", "\t"), ("utf-8", ";"), ("utf-16", "\t")],
)
def test_csv_in_any_encoding_and_delimiter(tmp_path: Path, encoding: str, delimiter: str) -> None:
    path = write_csv(tmp_path / "заявки.csv", encoding, delimiter)
    read = read_export(path)
    assert read.kind == "csv"
    assert read.delimiter == delimiter
    assert read.encoding is not None
    expected = encoding.removesuffix("-sig").replace("_", "-")
    assert read.encoding.replace("_", "-").startswith(expected)
    assert [e.submission.ref for e in read.entries if e.submission] == [
        "строка 2", "строка 3", "строка 5",  # the second row's topic runs over two lines
    ]
    first = read.entries[0].submission
    assert first is not None
    assert first.citizen == "Кузнецова Анна Сергеевна"
    assert first.birth_date == dt.date(1985, 4, 17)
    assert first.submitted == dt.datetime(2024, 3, 12, 14, 5, tzinfo=TIMEZONE)
    assert first.consent_data is Consent.YES
    assert first.document.text == "3209 512344"
    assert read.entries[1].submission is not None
    assert read.entries[1].submission.topic == "Социальный контракт:\nоткрытие ИП"
    assert read.entries[1].submission.address == "с. Михайловка; ул. Центральная, 4"
    assert read.columns["topic"] == "Тема обращения"
    assert "ID заявки" not in read.columns.values()


def test_the_same_rows_in_any_encoding_have_the_same_keys(tmp_path: Path) -> None:
    a = read_export(write_csv(tmp_path / "a.csv", "cp1251", ";"))
    b = read_export(write_csv(tmp_path / "b.csv", "koi8_r", ","))
    assert [s.key for s in a.submissions] == [s.key for s in b.submissions]
    assert len(a.submissions) == 2


def test_broken_rows_are_reported_with_file_and_line(tmp_path: Path) -> None:
    read = read_export(write_csv(tmp_path / "заявки.csv", "cp1251", ";"))
    third = read.entries[2]
    assert not third.ok
    assert [(p.code, p.where) for p in third.problems] == [
        ("birth-date-invalid", "заявки.csv, строка 5"),
        ("consent-video-refused", "заявки.csv, строка 5"),
    ]
    # Formula-like text is kept as the text it is, never evaluated or dropped.
    assert third.submission is not None
    assert third.submission.topic == '=HYPERLINK("http://example.com";"Алименты")'


def test_a_title_line_blank_rows_and_a_shifted_row(tmp_path: Path) -> None:
    rows = [ROWS[0], [""] * len(HEADER), [*ROWS[1][:5], "г. Белово", *ROWS[1][5:]]]
    path = write_csv(tmp_path / "март.csv", "utf-8", ";", rows,
                     title="Выгрузка заявок за март 2024")
    read = read_export(path)
    assert len(read.entries) == 2  # the blank row is no application
    shifted = read.entries[1]
    assert shifted.submission is None
    assert [(p.code, p.ref) for p in shifted.problems] == [("row-shape", "строка 5")]
    assert "разделитель" in shifted.problems[0].message


def test_a_mapping_overrides_the_guess(tmp_path: Path) -> None:
    header = ["Когда", "Заявитель", "Д.р.", "Суть", "Контакт", "Почта", "Обработка ПДн",
              "Видео"]
    row = ["12.03.2024 14:05", "Кузнецова Анна Сергеевна", "17.04.1985", "Пенсия",
           "89000001122", "a@example.ru", "Да", "Да"]
    path = write_csv(tmp_path / "x.csv", "utf-8", ",", [row], header)
    with pytest.raises(IntakeError, match="не найдены столбцы: тематика вопроса"):
        read_export(path)
    mapping = {"topic": "Суть", "submitted": "когда", "birth_date": "Д. р.", "phone": "Контакт",
               "consent_video": "Видео"}
    read = read_export(path, mapping)
    sub = read.entries[0].submission
    assert sub is not None
    assert (sub.topic, sub.phone, sub.birth_date) == ("Пенсия", "89000001122",
                                                      dt.date(1985, 4, 17))
    assert read.entries[0].problems[0].code == "document-missing"
    assert read.entries[0].ok
    with pytest.raises(IntakeError, match="неизвестное поле «тема»"):
        read_export(path, {"тема": "Суть"})
    with pytest.raises(IntakeError, match="нет столбца «Вопрос»"):
        read_export(path, {"topic": "Вопрос"})


def test_two_columns_for_one_field_need_a_mapping(tmp_path: Path) -> None:
    header = ["ФИО", "Тема", "Телефон", "Телефон для связи"]
    path = write_csv(tmp_path / "x.csv", "utf-8", ";", [["А Б", "т", "1", "2"]], header)
    read = read_export(path)  # the exact synonym wins over a keyword guess
    assert read.columns["phone"] == "Телефон"
    header = ["ФИО", "Тема", "Телефон", "Тел."]
    path = write_csv(tmp_path / "y.csv", "utf-8", ";", [["А Б", "т", "1", "2"]], header)
    with pytest.raises(IntakeError, match=r"«Телефон», «Тел\.»"):
        read_export(path)


def test_xlsx_with_real_dates_numbers_and_a_formula(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Фамилия", "Имя", "Отчество", "Дата рождения", "Тематика вопроса",
                  "Номер телефона", "Электронная почта", "Согласие ПДн",
                  "Согласие на ведение видеозаписи", "Дата", "Время", "Муниципальное образование"])
    sheet.append(["Петрова", "Ольга", "Викторовна", dt.datetime(1990, 2, 2), "=1+2",
                  79000005566, "olga@example.ru", True, True, dt.datetime(2024, 3, 14),
                  dt.time(18, 47), "Междуреченск"])
    sheet.append(["Орлов", "Павел", None, 33000, "Субсидия на ЖКУ", None, "pavel@example.ru",
                  "да", "да", 45366.5, None, "г. Юрга"])
    path = tmp_path / "выгрузка.xlsx"
    book.save(path)
    read = read_export(path)
    assert read.kind == "xlsx"
    first, second = (e.submission for e in read.entries)
    assert first is not None and second is not None
    assert first.citizen == "Петрова Ольга Викторовна"
    assert first.birth_date == dt.date(1990, 2, 2)
    assert first.topic == "=1+2"  # the formula's text, not 3
    assert first.phone == "79000005566"
    assert first.consent_data is Consent.YES
    assert first.submitted == dt.datetime(2024, 3, 14, 18, 47, tzinfo=TIMEZONE)
    assert first.municipality == "Междуреченск"
    assert first.ref == "строка 2"
    assert second.birth_date == dt.date(1990, 5, 7)  # serial 33000, as Excel shows it
    assert second.submitted == dt.datetime(2024, 3, 15, 12, 0, tzinfo=TIMEZONE)


def test_json_list_and_applications_object(tmp_path: Path) -> None:
    items = [
        {"fio": "Кузнецова Анна Сергеевна", "birthDate": "1985-04-17",
         "document": {"type": "паспорт", "series": "3209", "number": "512344"},
         "consents": {"personalData": True, "video": True},
         "topic": "Перерасчет выплаты", "phone": "+79000001122", "email": "a@example.ru",
         "address": "г. Новокузнецк", "createdAt": "2024-03-12T07:05:41Z"},
        "не заявка",
        {"fio": "Орлов Павел", "topic": "Субсидия", "createdAt": "2024-03-12T08:00:00+07:00",
         "consents": {"personalData": False}},
    ]
    for name, document in (("a.json", items), ("b.json", {"applications": items})):
        path = tmp_path / name
        path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
        read = read_export(path)
        assert read.kind == "json"
        first = read.entries[0].submission
        assert first is not None
        assert first.document.kind == "паспорт" and first.document.number == "512344"
        assert first.consent_video is Consent.YES
        assert first.submitted == dt.datetime(2024, 3, 12, 14, 5, 41, tzinfo=TIMEZONE)
        assert read.entries[0].ok
        assert [p.code for p in read.entries[1].problems] == ["row-shape"]
        assert read.entries[1].problems[0].ref == "запись 2"
        assert "consent-data-refused" in [p.code for p in read.entries[2].problems]
    with pytest.raises(IntakeError, match="ожидается список заявок"):
        (tmp_path / "c.json").write_text('{"x": 1}', encoding="utf-8")
        read_export(tmp_path / "c.json")


def test_absurd_files_are_refused(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "заявки.csv", "utf-8", ";")
    with pytest.raises(IntakeError, match="слишком большой"):
        read_export(path, max_bytes=100)
    with pytest.raises(IntakeError, match="слишком много строк"):
        read_export(path, max_rows=2)
    other = tmp_path / "письмо.txt"
    other.write_text("Здравствуйте!\nПрошу записать меня на прием.\n", encoding="utf-8")
    with pytest.raises(IntakeError, match="не найдена строка заголовков"):
        read_export(other)
    fake = tmp_path / "fake.xlsx"
    fake.write_bytes(b"PK\x03\x04 not a zip")
    with pytest.raises(IntakeError, match="не является книгой"):
        read_export(fake)
