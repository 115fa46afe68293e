"""Which application field a website heading or an e-mail label names, matched leniently.

Case, ё/е, spaces and punctuation do not matter («Ф.И.О.», «фио», «E-mail:», «Эл. почта»);
common synonyms are known, and a few keywords decide the rest («Контактный телефон» → phone).
A config mapping `{field: "Site heading"}` overrides the guess for the fields it names.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping

from toolkit.intake.submission import (
    IdentityDocument,
    IntakeError,
    Submission,
    parse_consent,
    parse_date,
    parse_datetime,
)
from toolkit.intake.text import fold

# Reader fields: a Submission field, or a part that readers put together (a ФИО split into three
# columns, the identity document in parts, the submit time in a separate column).
FIELDS: tuple[str, ...] = (
    "citizen", "surname", "first_name", "patronymic", "birth_date",
    "document", "doc_kind", "doc_series", "doc_number", "doc_issued_by", "doc_issued_on",
    "body", "municipality", "consent_data", "consent_video", "topic", "phone", "email",
    "address", "submitted", "submitted_time",
)

_SYNONYMS: dict[str, tuple[str, ...]] = {
    "citizen": (
        "фио", "ф и о", "фамилия имя отчество", "фамилия имя отчество при наличии",
        "фио гражданина", "ф и о гражданина", "фио заявителя", "заявитель", "гражданин",
        "full name", "fio", "name", "фамилия имя и отчество",
    ),
    "surname": ("фамилия", "surname", "last name", "lastname"),
    "first_name": ("имя", "first name", "firstname"),
    "patronymic": ("отчество", "отчество при наличии", "patronymic", "middle name"),
    "birth_date": (
        "дата рождения", "день рождения", "др", "birth date", "birthdate", "date of birth",
        "dob", "birthday",
    ),
    "document": (
        "документ", "документ удостоверяющий личность", "документ удостоверяющий личность "
        "гражданина", "паспорт", "паспортные данные", "document", "identity document",
    ),
    "doc_kind": ("вид документа", "тип документа", "document type"),
    "doc_series": ("серия", "серия документа", "серия паспорта", "document series"),
    # A bare «Номер» next to «Серия» is the document's (cl. 2.2 lists «вид, номер, серия»).
    "doc_number": ("номер документа", "номер паспорта", "номер", "document number"),
    "doc_issued_by": ("кем выдан", "кем выдан документ", "issued by", "document issued by"),
    "doc_issued_on": (
        "дата выдачи", "когда выдан", "дата выдачи документа", "issued on", "document issued on",
    ),
    "body": (
        "орган", "наименование органа", "орган социальной защиты", "выбранный орган",
        "куда", "организация", "учреждение", "body",
    ),
    "municipality": (
        "муниципальное образование", "мо", "город район", "населенный пункт", "город",
        "район", "территория", "municipality", "city",
    ),
    "consent_data": (
        "согласие на обработку персональных данных", "согласие на обработку пдн",
        "согласие пдн", "обработка персональных данных", "обработка пдн", "consent data",
        "consent",
    ),
    "consent_video": (
        "согласие на видеозапись", "согласие на ведение видеозаписи",
        "согласие на ведение видеозаписи приема", "видеозапись", "consent video",
    ),
    "topic": (
        "тема", "тема обращения", "тематика", "тематика вопроса", "вопрос", "суть вопроса",
        "суть обращения", "текст обращения", "содержание обращения", "тема вопроса",
        "topic", "subject", "question",
    ),
    "phone": (
        "телефон", "номер телефона", "контактный телефон", "номер контактного телефона",
        "тел", "phone", "tel", "mobile",
    ),
    "email": (
        "e mail", "email", "эл почта", "электронная почта", "адрес электронной почты",
        "е mail", "почта", "mail",
    ),
    "address": (
        "адрес", "адрес проживания", "адрес места жительства", "место жительства",
        "адрес места жительства пребывания", "адрес регистрации", "address",
    ),
    "submitted": (
        "дата подачи", "дата и время подачи", "дата подачи заявки", "дата заявки",
        "дата создания", "создано", "дата", "время подачи заявки", "дата поступления",
        "submitted", "submitted at", "created", "created at", "date",
    ),
    "submitted_time": ("время подачи", "время", "time"),
}


def heading_key(text: str) -> str:
    """A heading folded for matching: case, ё/е, punctuation and spaces ignored."""
    text = _CAMEL_RE.sub(" ", text)  # JSON keys: birthDate, createdAt
    return " ".join(re.findall(r"[0-9a-zа-я]+", fold(text)))


_CAMEL_RE = re.compile(r"(?<=[a-zа-яё])(?=[A-ZА-ЯЁ])")


_EXACT: dict[str, str] = {heading_key(s): f for f, syns in _SYNONYMS.items() for s in syns}

# Keyword rules for headings the synonyms miss, first match wins: (all of, none of, field).
_RULES: tuple[tuple[tuple[str, ...], tuple[str, ...], str], ...] = (
    (("соглас", "видео"), (), "consent_video"),
    (("соглас", "персональн"), (), "consent_data"),
    (("пдн",), (), "consent_data"),
    (("обработк", "персональн"), (), "consent_data"),
    (("consent", "video"), (), "consent_video"),
    (("consent", "personal"), (), "consent_data"),
    (("consent", "data"), (), "consent_data"),
    (("рожд",), (), "birth_date"),
    (("birth",), (), "birth_date"),
    (("телефон",), (), "phone"),
    (("почт",), (), "email"),
    (("mail",), (), "email"),
    (("фио",), (), "citizen"),
    (("фамилия", "имя"), (), "citizen"),
    (("подач",), ("время",), "submitted"),
    (("поступлен",), (), "submitted"),
    (("адрес",), ("почт", "mail"), "address"),
    (("тем",), (), "topic"),
    (("вопрос",), (), "topic"),
    (("муниципальн",), (), "municipality"),
    (("орган",), (), "body"),
    (("паспорт",), (), "document"),
    (("документ",), (), "document"),
)


def match_heading(text: str) -> tuple[str, bool] | None:
    """(field, exact) a heading names; exact means a known synonym, not a keyword guess."""
    key = heading_key(text)
    if not key:
        return None
    if key in _EXACT:
        return _EXACT[key], True
    tokens = key.split()
    for needed, excluded, name in _RULES:
        if all(_has(tokens, n) for n in needed) and not any(_has(tokens, x) for x in excluded):
            return name, False
    return None


def _has(tokens: list[str], stem: str) -> bool:
    return any(t.startswith(stem) for t in tokens)


def map_headings(
    headings: Iterable[str], mapping: Mapping[str, str] | None = None, *, source: str = ""
) -> dict[str, int]:
    """{field: column index} for a header row; the config mapping wins for the fields it names.

    Two columns guessed for one field keep the exact synonym; two equally good ones are an
    error that asks for a mapping. Unknown headings are ignored (ids, IP addresses …).
    """
    headings = list(headings)
    by_key = {heading_key(h): i for i, h in reversed(list(enumerate(headings))) if h}
    chosen: dict[str, int] = {}
    for name, heading in (mapping or {}).items():
        if name not in FIELDS:
            raise IntakeError(
                f"{source}: в настройке соответствия столбцов неизвестное поле «{name}»; "
                f"допустимые поля: {', '.join(FIELDS)}"
            )
        index = by_key.get(heading_key(heading))
        if index is None:
            raise IntakeError(f"{source}: нет столбца «{heading}», указанного для поля «{name}»")
        chosen[name] = index
    taken = set(chosen.values())
    guesses: dict[str, list[tuple[bool, int]]] = {}
    for i, heading in enumerate(headings):
        if i in taken or not isinstance(heading, str):
            continue
        found = match_heading(heading)
        if found is not None and found[0] not in chosen:
            guesses.setdefault(found[0], []).append((found[1], i))
    for name, candidates in guesses.items():
        exact = [i for is_exact, i in candidates if is_exact] or [i for _, i in candidates]
        if len(exact) > 1:
            names = ", ".join(f"«{headings[i]}»" for i in exact)
            raise IntakeError(
                f"{source}: поле «{name}» подходит к нескольким столбцам ({names}); укажите "
                "нужный столбец в настройке соответствия столбцов"
            )
        chosen[name] = exact[0]
    return chosen


_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
EXCEL_EPOCH = dt.datetime(1899, 12, 30)


def text_of(value: object) -> str:
    """A cell or field value as text: numbers without a trailing «.0», control characters gone.

    Text that looks like a formula («=…», «+…», «@…») stays the text it is: nothing here
    evaluates it, and writers must neutralise it before it reaches a spreadsheet.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Да" if value else "Нет"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.strftime("%d.%m.%Y %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%d.%m.%Y")
    return _CONTROL_RE.sub("", str(value)).replace("\u00a0", " ").strip()


def _serial(value: object) -> object:
    # An .xlsx date typed as a plain number: the 1900 date system's serial day.
    if isinstance(value, int | float) and not isinstance(value, bool) and 1 < value < 80_000:
        return EXCEL_EPOCH + dt.timedelta(days=float(value))
    return value


def assemble(
    values: Mapping[str, object], *, source: str, ref: str, serial_dates: bool = False
) -> Submission:
    """A Submission from reader fields; a value given but unreadable is recorded in `unparsed`."""
    unparsed: list[str] = []

    def text(name: str) -> str:
        return text_of(values.get(name))

    def date_of(name: str) -> dt.date | None:
        raw = values.get(name)
        if serial_dates:
            raw = _serial(raw)
        day = parse_date(raw)
        if day is None and text(name):
            unparsed.append(name)
        return day

    citizen = text("citizen") or " ".join(
        p for p in (text("surname"), text("first_name"), text("patronymic")) if p
    )
    raw_submitted = values.get("submitted")
    if serial_dates:
        raw_submitted = _serial(raw_submitted)
    submitted = parse_datetime(raw_submitted)
    if submitted is not None and text("submitted_time"):
        clock = parse_datetime(f"{submitted:%d.%m.%Y} {text('submitted_time')}")
        submitted = clock or submitted
    if submitted is None and text("submitted"):
        unparsed.append("submitted")
    consents = {}
    for name in ("consent_data", "consent_video"):
        consents[name] = parse_consent(values.get(name))
        if consents[name] is None and text(name):
            unparsed.append(name)
    birth = date_of("birth_date")
    document = IdentityDocument(
        kind=text("doc_kind"), series=text("doc_series"), number=text("doc_number"),
        issued_by=text("doc_issued_by"), issued_on=date_of("doc_issued_on"),
        text=text("document"),
    )
    return Submission(
        citizen=" ".join(citizen.split()), birth_date=birth, document=document,
        body=text("body"), municipality=text("municipality"),
        consent_data=consents["consent_data"], consent_video=consents["consent_video"],
        topic=text("topic"), phone=text("phone"), email=text("email"), address=text("address"),
        submitted=submitted, source=source, ref=ref, unparsed=tuple(unparsed),
    )
