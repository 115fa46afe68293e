"""Drop-downs of a body's authorised specialists for graph 6 (cl. 3.3), fed from «Справочники».

Both journal builders — the .xlsx template and the Google Sheets formatter — lay the lists out
from here, so they agree: after the directory's fixed lists and the grounds column, one column
per body that has `specialists` in its config, headed «Специалисты: <sheet>». In the .xlsx the
list is reached through the defined name `vks_specialists_<n>` (n counts the bodies with a
roster, from 1), as the other drop-downs are; Google Sheets refers to the cells. The validation
only warns: a name not in the list can still be entered (a substitute specialist, a new
employee), and the check reports it anyway.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from toolkit.journal.config import Body
from toolkit.journal.schema import CHOICE_LISTS, DIRECTORY_SHEET, column_letter

FIRST_COLUMN = len(CHOICE_LISTS) + 1  # after the fixed lists and the grounds in full
HEADING = "Специалисты: {sheet}"
WARNING_TITLE = "Специалист не из списка"
WARNING = ("Такого специалиста нет в списке ответственных специалистов органа (лист "
           "«Справочники»). Оставить значение?")
PROMPT = "Выберите специалиста из списка органа"


@dataclass(frozen=True)
class SpecialistList:
    """Where one body's roster sits in the directory sheet."""

    sheet: str  # the body's journal sheet
    name: str  # the .xlsx defined name
    column: int  # 0-based column of the directory sheet
    names: tuple[str, ...]

    @property
    def heading(self) -> str:
        return HEADING.format(sheet=self.sheet)

    @property
    def letter(self) -> str:
        return column_letter(self.column)

    def cells(self) -> str:
        """The list's cells without the sheet: $G$2:$G$4."""
        return f"${self.letter}$2:${self.letter}${len(self.names) + 1}"

    def reference(self) -> str:
        """The list's cells with the sheet, as a formula: ='Справочники'!$G$2:$G$4."""
        return f"='{DIRECTORY_SHEET}'!{self.cells()}"


def specialist_lists(bodies: Iterable[Body]) -> list[SpecialistList]:
    """The rosters to lay out, one per body that has one, in the bodies' order."""
    lists: list[SpecialistList] = []
    for body in bodies:
        if body.specialists:
            lists.append(SpecialistList(body.sheet, f"vks_specialists_{len(lists) + 1}",
                                        FIRST_COLUMN + len(lists), tuple(body.specialists)))
    return lists
