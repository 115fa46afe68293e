"""The journal of Appendix 1 to order No. 77: graphs, sub-columns, service block, vocabularies.

This module is the one source of truth for the journal layout. The .xlsx template, the Google
Sheets formatter, the readers, the drop-downs and docs/journal.md's column reference are all
derived from it; nothing else spells a heading or a drop-down value.

Layout of a journal sheet (rows are 1-based, as in Excel):

    row 1  title «ЖУРНАЛ учета …» over graphs 1–7
    row 2  the body whose journal it is (free text, not checked)
    row 3  graph headings; compound graphs merged over their sub-columns, simple graphs merged
           down over rows 3–4; the service block heading merged over the service columns
    row 4  sub-column headings of graphs 5 and 7 and the service column headings
    row 5  the numbering row 1 … 7, each number merged over its graph's columns
    row 6… one application per row
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from functools import cache

JOURNAL_TITLE = (
    "ЖУРНАЛ учета проведения личного приема граждан посредством видеоконференцсвязи"
)
SERVICE_HEADING = "Служебные сведения (не входят в форму журнала)"
DIRECTORY_SHEET = "Справочники"

TITLE_ROW = 1
BODY_ROW = 2
GRAPH_ROW = 3
SUBCOLUMN_ROW = 4
NUMBER_ROW = 5
FIRST_DATA_ROW = 6

# The order prints graph 7 as «…видеоконференц- связи»: a hyphenated line break of the printed
# form. The heading joins it; readers accept the printed spelling too.
GRAPH7_PRINTED = "Результаты проведения личного приема посредством видеоконференц- связи"


def normalize(text: str) -> str:
    """Fold what people vary when typing a value: case, ё/е, spaces of every kind."""
    return " ".join(text.replace("\u00a0", " ").split()).casefold().replace("ё", "е")


class Kind(Enum):
    """How a column's cells are parsed."""

    NUMBER = "number"
    DATE = "date"
    DATETIME = "datetime"
    TEXT = "text"
    CHOICE = "choice"


class Choice(Enum):
    """A drop-down vocabulary: members carry the label shown in the sheet."""

    @property
    def label(self) -> str:
        return str(self.value)

    @classmethod
    def labels(cls) -> list[str]:
        return [m.label for m in cls]

    @classmethod
    def aliases(cls, member: Choice) -> tuple[str, ...]:
        return (member.label,)

    @classmethod
    def parse(cls, text: str) -> Choice | None:
        """The member typed as `text` regardless of case, ё/е and spaces; None if unknown."""
        return _lookup(cls).get(_choice_key(text))


@cache
def _lookup(cls: type[Choice]) -> dict[str, Choice]:
    table: dict[str, Choice] = {}
    for member in cls:
        for alias in cls.aliases(member):
            table[_choice_key(alias)] = member
    return table


def _choice_key(text: str) -> str:
    # A ground copied from the order keeps its «;» — the value is the same.
    return normalize(text).rstrip(" ;.")


class Decision(Choice):
    """Graph 5: the decision on the application (cl. 2.4)."""

    APPOINTED = "Назначен прием"
    REJECTED = "Заявка отклонена"


class Ground(Choice):
    """Graph 5: the ground of a rejection (cl. 2.8), as its short numbered label."""

    OUT_OF_COMPETENCE = "1. Вопрос не входит в компетенцию"
    OFFENSIVE = "2. Нецензурные или оскорбительные выражения, угрозы"
    TOPIC_UNCLEAR = "3. Невозможно определить тематику вопроса"
    REPEATED = "4. Повторный вопрос без новых доводов"

    @property
    def number(self) -> int:
        return int(self.label.split(".", 1)[0])

    @property
    def text(self) -> str:
        """The ground verbatim from cl. 2.8, as the rejection decision quotes it."""
        return GROUND_TEXTS[self]

    @classmethod
    def aliases(cls, member: Choice) -> tuple[str, ...]:
        assert isinstance(member, Ground)
        number = str(member.number)
        full = GROUND_TEXTS[member]
        return (member.label, number, full, member.label.split(". ", 1)[1])


GROUND_TEXTS: dict[Ground, str] = {
    Ground.OUT_OF_COMPETENCE: (
        "обращение гражданина с тематикой вопроса, не входящего в компетенцию Министерства, "
        "органа социальной защиты, государственного юридического бюро, центра социальных выплат"
    ),
    Ground.OFFENSIVE: (
        "заявка содержит нецензурные либо оскорбительные выражения, угрозы жизни, здоровью, "
        "имуществу должностного лица, а также членов его семьи"
    ),
    Ground.TOPIC_UNCLEAR: "содержание заявки не позволяет определить тематику вопроса",
    Ground.REPEATED: (
        "в заявке содержится вопрос, на который гражданину давался ответ по существу в ходе "
        "личных приемов, в том числе посредством видеоконференцсвязи и в письменных ответах в "
        "связи с ранее направляемыми обращениями и при этом в заявке не приводятся новые доводы "
        "или обстоятельства"
    ),
}


class Stage(Enum):
    """What an outcome means for the reception's lifecycle."""

    HELD = "held"
    CANCELLED = "cancelled"
    INTERRUPTED = "interrupted"
    RESCHEDULED = "rescheduled"


class Outcome(Choice):
    """Graph 7: the outcome of the reception (cl. 2.7, 3.5, 3.11–3.13)."""

    HELD = "Прием проведен"
    DECLINED = "Отменен: гражданин отказался"
    UNCONFIRMED = "Отменен: нет подтверждения участия"
    NO_SHOW = "Прерван: гражданин не подключился в течение 10 минут"
    NOT_IDENTIFIED = "Прерван: гражданин не прошел идентификацию"
    ABUSE = "Прерван: нецензурные выражения, угрозы"
    RESCHEDULED = "Перенесен: техническая неисправность"
    HELD_UNIDENTIFIED = "Прием проведен без идентификации (п. 3.8)"

    @property
    def stage(self) -> Stage:
        return _STAGES[self]


_STAGES = {
    Outcome.HELD: Stage.HELD,
    Outcome.DECLINED: Stage.CANCELLED,
    Outcome.UNCONFIRMED: Stage.CANCELLED,
    Outcome.NO_SHOW: Stage.INTERRUPTED,
    Outcome.NOT_IDENTIFIED: Stage.INTERRUPTED,
    Outcome.ABUSE: Stage.INTERRUPTED,
    Outcome.RESCHEDULED: Stage.RESCHEDULED,
    Outcome.HELD_UNIDENTIFIED: Stage.HELD,
}


class Answer(Choice):
    """Service block: the citizen's answer to the notice (cl. 2.6)."""

    CONFIRMED = "Подтвердил участие"
    DECLINED = "Отказался от участия"


class Consent(Choice):
    """Service block: a consent given in the application (cl. 2.2)."""

    YES = "Да"
    NO = "Нет"


@dataclass(frozen=True)
class Column:
    """One sheet column: a simple graph, a sub-column of a graph, or a service column."""

    key: str
    heading: str
    kind: Kind
    width: float
    graph: int | None = None
    choices: type[Choice] | None = None
    written_by_toolkit: bool = False
    personal: bool = False
    index: int = 0  # 0-based position in the sheet, set by the module below
    letter: str = "A"  # the sheet column's letters, set with the index


@dataclass(frozen=True)
class Graph:
    """A graph of Appendix 1 with its verbatim heading and its columns."""

    number: int
    heading: str
    columns: tuple[Column, ...]

    @property
    def compound(self) -> bool:
        return len(self.columns) > 1


def _c(key: str, heading: str, kind: Kind, width: float, **extra: object) -> Column:
    return Column(key, heading, kind, width, **extra)  # type: ignore[arg-type]


# Widths (in characters of the workbook's default font, as spreadsheets count them) of graphs
# 1–7 add up to 140: the printed form fits A4 landscape at 100 %, text at 10 pt.
GRAPHS: tuple[Graph, ...] = (
    Graph(1, "№ п/п", (_c("number", "№ п/п", Kind.NUMBER, 5),)),
    Graph(2, "Дата поступления заявки", (_c("received", "", Kind.DATE, 11),)),
    Graph(3, "Ф.И.О. гражданина", (_c("citizen", "", Kind.TEXT, 16, personal=True),)),
    Graph(4, "Тематика вопроса", (_c("topic", "", Kind.TEXT, 17),)),
    Graph(
        5,
        "Результат рассмотрения заявки (дата и время проведения личного приема посредством "
        "видеоконференцсвязи либо вынесено решение об отклонении заявки, дата решения)",
        (
            _c("decision", "Решение", Kind.CHOICE, 11, choices=Decision),
            _c("decision_date", "Дата решения", Kind.DATE, 10),
            _c("appointment", "Дата и время приема", Kind.DATETIME, 14),
            _c("ground", "Основание отклонения", Kind.CHOICE, 15, choices=Ground),
        ),
    ),
    Graph(6, "Ф.И.О. ответственного специалиста", (_c("specialist", "", Kind.TEXT, 14),)),
    Graph(
        7,
        "Результаты проведения личного приема посредством видеоконференцсвязи",
        (
            _c("outcome", "Итог", Kind.CHOICE, 14, choices=Outcome),
            _c("note", "Примечание", Kind.TEXT, 13),
        ),
    ),
)

SERVICE_COLUMNS: tuple[Column, ...] = (
    # First, so staff see what to do beside graph 7.
    _c("control", "Контроль", Kind.TEXT, 60, written_by_toolkit=True),
    _c("submitted", "Дата подачи на сайте", Kind.DATE, 13),
    _c("address", "Адрес проживания", Kind.TEXT, 32, personal=True),
    _c("phone", "Телефон", Kind.TEXT, 17, personal=True),
    _c("email", "Эл. почта", Kind.TEXT, 24, personal=True),
    _c("consent_data", "Согласие на обработку ПДн", Kind.CHOICE, 12, choices=Consent),
    _c("consent_video", "Согласие на видеозапись", Kind.CHOICE, 12, choices=Consent),
    _c("link", "Ссылка на Телемост", Kind.TEXT, 26),
    _c("notice_sent", "Уведомление направлено", Kind.DATETIME, 17),
    _c("answer", "Ответ гражданина", Kind.CHOICE, 20, choices=Answer),
    _c("answered_at", "Дата ответа", Kind.DATETIME, 17),
    # Cl. 3.5: the new time agreed by phone after a technical failure; checked like graph 5's.
    _c("rescheduled_to", "Перенесен на", Kind.DATETIME, 17),
    _c("recording", "Видеозапись", Kind.TEXT, 22),
    _c("letter", "Решение об отклонении", Kind.TEXT, 30, written_by_toolkit=True),
)


WRITTEN_KEYS = ("outcome", "control", "letter")  # cells the toolkit may write


def _number_columns() -> tuple[Column, ...]:
    ordered: list[Column] = []
    for graph in GRAPHS:
        ordered.extend(graph.columns)
    ordered.extend(SERVICE_COLUMNS)
    numbered = []
    for i, c in enumerate(ordered):
        owner = _graph_of(c)
        heading = c.heading or (owner.heading if owner else "")
        numbered.append(
            Column(**{**c.__dict__, "index": i, "letter": column_letter(i), "heading": heading,
                      "graph": owner.number if owner else None})
        )
    return tuple(numbered)


def _graph_of(column: Column) -> Graph | None:
    for graph in GRAPHS:
        if any(c.key == column.key for c in graph.columns):
            return graph
    return None


def column_letter(index: int) -> str:
    """Spreadsheet letters for a 0-based column index: 0 → A, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def column_index(letters: str) -> int:
    """0-based column index for spreadsheet letters: A → 0."""
    index = 0
    for ch in letters.upper():
        index = index * 26 + ord(ch) - 64
    return index - 1


_CELL_RE = re.compile(r"^([A-Za-z]{1,3})(\d+)$")


def split_cell(ref: str) -> tuple[int, int]:
    """A1-style reference → (1-based row, 0-based column)."""
    m = _CELL_RE.match(ref)
    if not m:
        raise ValueError(ref)
    return int(m.group(2)), column_index(m.group(1))


COLUMNS: tuple[Column, ...] = _number_columns()
BY_KEY: dict[str, Column] = {c.key: c for c in COLUMNS}
WIDTH = len(COLUMNS)
FORM_WIDTH = sum(len(g.columns) for g in GRAPHS)  # graphs 1–7: the print area
SERVICE_START = FORM_WIDTH  # 0-based index of the first service column


def graph_span(graph: Graph) -> tuple[int, int]:
    """0-based first and last column index of a graph."""
    first = BY_KEY[graph.columns[0].key].index
    return first, first + len(graph.columns) - 1


@dataclass(frozen=True)
class HeaderCell:
    """A header cell the reader checks: where it is and what it must say."""

    row: int
    col: int
    text: str
    accepted: tuple[str, ...] = ()

    @property
    def ref(self) -> str:
        return f"{column_letter(self.col)}{self.row}"


def header_cells() -> tuple[HeaderCell, ...]:
    """Every header cell whose text is fixed by Appendix 1 or the layout decision."""
    cells: list[HeaderCell] = []
    for graph in GRAPHS:
        first, _ = graph_span(graph)
        accepted = (GRAPH7_PRINTED,) if graph.number == 7 else ()
        cells.append(HeaderCell(GRAPH_ROW, first, graph.heading, accepted))
        if graph.compound:
            for column in graph.columns:
                cells.append(HeaderCell(SUBCOLUMN_ROW, BY_KEY[column.key].index, column.heading))
        cells.append(HeaderCell(NUMBER_ROW, first, str(graph.number)))
    cells.append(HeaderCell(GRAPH_ROW, SERVICE_START, SERVICE_HEADING))
    for column in SERVICE_COLUMNS:
        cells.append(HeaderCell(SUBCOLUMN_ROW, BY_KEY[column.key].index, column.heading))
    return tuple(cells)


def header_merges() -> list[tuple[int, int, int, int]]:
    """Merged header ranges (first row, first col, last row, last col), rows 1-based.

    The title and body rows span graphs 1–7; a compound graph's heading and number span its
    sub-columns; a simple graph's heading spans rows 3–4; the service heading spans its block.
    """
    form_end = FORM_WIDTH - 1
    merges = [(TITLE_ROW, 0, TITLE_ROW, form_end), (BODY_ROW, 0, BODY_ROW, form_end)]
    for graph in GRAPHS:
        first, last = graph_span(graph)
        if graph.compound:
            merges.append((GRAPH_ROW, first, GRAPH_ROW, last))
            merges.append((NUMBER_ROW, first, NUMBER_ROW, last))
        else:
            merges.append((GRAPH_ROW, first, SUBCOLUMN_ROW, last))
    merges.append((GRAPH_ROW, SERVICE_START, GRAPH_ROW, WIDTH - 1))
    return merges


def column_title(column: Column) -> str:
    """How messages name a column: «графа 5 „Дата решения“» or «„Телефон“»."""
    if column.graph is None:
        return f"«{column.heading}»"
    graph = GRAPHS[column.graph - 1]
    if graph.compound:
        return f"графа {graph.number} «{column.heading}»"
    return f"графа {graph.number} «{graph.heading}»"


CHOICE_LISTS: tuple[tuple[str, type[Choice]], ...] = (
    ("vks_decision", Decision),
    ("vks_ground", Ground),
    ("vks_outcome", Outcome),
    ("vks_answer", Answer),
    ("vks_consent", Consent),
)
"""Defined names of the directory lists that feed the drop-downs, in directory-sheet order."""

DIRECTORY_GROUNDS_HEADING = "Основание отклонения — полный текст (п. 2.8 Порядка)"

DIRECTORY_HEADINGS: dict[type[Choice], str] = {
    Decision: "Решение",
    Ground: "Основание отклонения",
    Outcome: "Итог",
    Answer: "Ответ гражданина",
    Consent: "Согласие",
}
