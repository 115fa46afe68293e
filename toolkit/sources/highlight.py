"""What a journal sheet highlights, for the .xlsx template and Google Sheets alike.

The «Контроль» cell is coloured by the marker its text starts with — red for «Ошибка», yellow
for «Внимание» (errors come first, so the first word is the row's worst severity). A service
cell whose address the control text names, e.g. «(S25)», gets the colour of the line naming it:
an error line when the address appears before the first «Внимание», else a warning line.

Nothing inside graphs 1–7 is highlighted: Excel, LibreOffice and Google Sheets all print
conditional formatting, and graphs 1–7 are the printed form of Appendix 1. The control text
names such a cell by its graph and address instead.
"""

from __future__ import annotations

from dataclasses import dataclass

from toolkit.journal.actions import ERROR_MARK, WARNING_MARK
from toolkit.journal.schema import BY_KEY, FIRST_DATA_ROW, SERVICE_START, WIDTH

CONTROL_CAP = 100000  # a position past any control text


@dataclass(frozen=True)
class Highlight:
    """One conditional format: columns (0-based, inclusive) from the first data row down."""

    first_col: int
    last_col: int
    formula: str  # as written for the top-left cell, without «=»
    severity: str  # "error" or "warning"


COLOURS = {  # fill, text: Excel's own «light red / dark red» and «yellow / dark yellow»
    "error": ("FFC7CE", "9C0006"),
    "warning": ("FFEB9C", "9C5700"),
}


def highlights() -> list[Highlight]:
    """The rules in the order they apply: the first that holds colours the cell."""
    control_col = BY_KEY["control"].index
    control = f"${BY_KEY['control'].letter}{FIRST_DATA_ROW}"
    named = f'FIND("("&ADDRESS(ROW(),COLUMN(),4)&")",{control})'
    warned = f'IFERROR(FIND("{WARNING_MARK}",{control}),{CONTROL_CAP})'
    service = (SERVICE_START + 1, WIDTH - 1)
    return [
        Highlight(control_col, control_col,
                  f'LEFT({control},{len(ERROR_MARK)})="{ERROR_MARK}"', "error"),
        Highlight(control_col, control_col,
                  f'LEFT({control},{len(WARNING_MARK)})="{WARNING_MARK}"', "warning"),
        Highlight(*service, f"IFERROR({named}<{warned},FALSE)", "error"),
        Highlight(*service, f"ISNUMBER({named})", "warning"),
    ]
