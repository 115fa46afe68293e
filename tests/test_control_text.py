"""The «Контроль» column tells staff what to do: column, cell, action, deadline, clause."""

from __future__ import annotations

import datetime as dt
import string
from pathlib import Path

import openpyxl
from conftest import TODAY

from toolkit.journal.actions import ACTIONS, ERROR_MARK, WARNING_MARK, action, where
from toolkit.journal.config import Config
from toolkit.journal.control import control_text
from toolkit.journal.findings import CATALOGUE, CODES, finding
from toolkit.sources.demo import Manifest
from toolkit.sources.open import check


def test_every_code_has_an_action_filled_from_its_own_parameters() -> None:
    assert set(ACTIONS) == set(CODES)
    for code in CATALOGUE:
        used = {f for _, f, _, _ in string.Formatter().parse(ACTIONS[code.code]) if f}
        assert used <= {*code.fields, "due"}, code.code
        # The sheet colours a row's cell by the first marker it finds: never inside an action.
        assert WARNING_MARK not in ACTIONS[code.code] and ERROR_MARK not in ACTIONS[code.code]


def test_a_line_names_the_column_its_cell_what_to_do_and_by_when() -> None:
    due = finding("decision-due", "Орган", "Орган", 15, "E15", dt.date(2026, 12, 4))
    assert control_text([due]) == (
        "Внимание. Графа 5 «Решение» (E15): принять решение не позднее 04.12.2026 (п. 2.5).")
    bad = finding("cell-unknown-value", "Орган", "Орган", 15, "R15", column="x", value="Да!",
                  choices="Да, Нет")
    assert control_text([bad]) == ("Ошибка. Столбец «Согласие на видеозапись» (R15): выбрать "
                                   "значение из раскрывающегося списка (прил. 1).")
    assert "Да!" not in control_text([bad])  # a cell's value is never repeated
    assert where("K7") == "Графа 7 «Примечание» (K7)"
    assert where("C7") == "Графа 3 «Ф.И.О. гражданина» (C7)"
    assert where(None) == ""


def test_errors_come_before_warnings_whatever_the_rules_order() -> None:
    flags = [finding("link-missing", "О", "О", 6, "S6"),
             finding("recording-missing", "О", "О", 6, "X6"),
             finding("outcome-missing", "О", "О", 6, "J6", appointment="01.12.2026 10:00"),
             finding("link-missing", "О", "О", 6, "S6")]
    lines = control_text(flags).split("\n")
    assert [line.split(".")[0] for line in lines] == ["Ошибка", "Внимание", "Внимание"]
    assert lines[0] == ("Ошибка. Графа 7 «Итог» (J6): внести итог приема 01.12.2026 10:00 "
                        "(п. 3.11).")


def test_an_action_without_its_parameter_falls_back_to_the_title() -> None:
    odd = finding("slot-overlap", "О", "О", 6, "G6")  # made without other_row
    assert action(odd) == CODES["slot-overlap"].title


def test_demo_journal_control_cells_after_check_write(demo: tuple[Path, Manifest]) -> None:
    path, manifest = demo
    check(str(path), Config(), TODAY, write=True)
    ws = openpyxl.load_workbook(path)["Министерство"]
    rows = manifest.rows["Министерство"]
    overdue = rows["decision-overdue"][0]
    text = ws[f"L{overdue}"].value
    assert text.startswith(f"Ошибка. Графа 5 «Решение» (E{overdue}): принять решение — срок "
                           f"истек ")
    due = rows["decision-due"][0]
    assert f"(E{due}): принять решение не позднее " in ws[f"L{due}"].value
    for row in range(6, 66):
        value = ws[f"L{row}"].value
        if value:
            lines = value.split("\n")
            marks = [line.split(".")[0] for line in lines]
            assert marks == sorted(marks, key=lambda m: m != ERROR_MARK), row
            assert all(f"{row})" in line for line in lines), row
