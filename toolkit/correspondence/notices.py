"""The e-mails a body sends a citizen (cl. 2.4, 2.7, 3.5): built, not sent.

    data = NoticeData(kind=NoticeKind.APPOINTMENT, body_name="Министерство …",
                      body_contacts="тел. 8 (3842) 58-00-00", citizen_name="Анна Сергеевна",
                      citizen_gender=Gender.FEMALE, reference="ВКС-7K3QD-15",
                      appointment=dt.datetime(2026, 11, 30, 10, 0), specialist="Тарасов Е.П.",
                      link="https://telemost.yandex.ru/j/…", deadline=dt.date(2026, 12, 1))
    message = build_notice(data, sender="priem@mszn42.ru", recipient="anna@example.ru")

Texts come from Jinja2 templates in `doc_templates/` that a body may edit — one plain-text and
one HTML template per kind (`уведомление-о-приеме`, `отмена-приема`, `перенос-приема`,
`решение-об-отклонении-письмо`, each `.txt.j2` and `.html.j2`). They are rendered in a
sandboxed environment with strict undefined values; the HTML one autoescapes. A template that
asks for a field the toolkit does not provide is a `NoticeTemplateError` before anything is
built. Every value is text: control and bidirectional-override characters are removed, runs of
spaces collapsed and length capped, so a name cannot break a line, a header or the layout.
Headers are built only from the toolkit's own words, the checked reference token and checked
addresses. Times are shown in Asia/Novokuznetsk: «30 ноября 2026 г. в 10:00 (время
новокузнецкое, МСК+4)».
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from enum import Enum
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from toolkit.correspondence.reference import (
    NoticeKind,
    make_message_id,
    parse_message_id,
    parse_reference,
)
from toolkit.journal.errors import ToolkitError
from toolkit.journal.links import canonical_link
from toolkit.journal.shipped import shipped

TEMPLATE_DIR = shipped("doc_templates")
ZONE = ZoneInfo("Asia/Novokuznetsk")
ZONE_NOTE = "время новокузнецкое, МСК+4"
MAX_VALUE = 1000  # characters of one value; longer text is cut with «…»
MAX_HEADER_VALUE = 150  # the sender's display name, the attachment's file name
MONTHS = ("января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа",
          "сентября", "октября", "ноября", "декабря")
TEMPLATE_NAMES = {
    NoticeKind.APPOINTMENT: "уведомление-о-приеме",
    NoticeKind.CANCELLATION: "отмена-приема",
    NoticeKind.RESCHEDULE: "перенос-приема",
    NoticeKind.REJECTION: "решение-об-отклонении-письмо",
}
# Why a reception is cancelled (cl. 2.7), for NoticeData.reason.
REASON_DECLINED = "в связи с поступлением от Вас отказа от участия в личном приеме"
REASON_NO_CONFIRMATION = ("в связи с непоступлением от Вас подтверждения участия в личном "
                          "приеме")
SUBJECTS = {
    NoticeKind.APPOINTMENT: "Уведомление о назначении личного приема посредством "
                            "видеоконференцсвязи",
    NoticeKind.CANCELLATION: "Личный прием посредством видеоконференцсвязи отменен",
    NoticeKind.RESCHEDULE: "Личный прием посредством видеоконференцсвязи перенесен",
    NoticeKind.REJECTION: "Решение об отклонении заявки на личный прием посредством "
                          "видеоконференцсвязи",
}
# What a template may use (all values are text, empty when not given), for bodies editing them.
FIELDS: dict[str, str] = {
    "обращение": "«Уважаемая Анна Сергеевна!», «Уважаемый …!» или «Здравствуйте, …!»",
    "гражданин": "имя и отчество (или Ф.И.О.) гражданина, как к нему обращаются",
    "орган": "наименование органа",
    "контакты": "контакты органа для вопросов (телефон, адрес эл. почты)",
    "дата_и_время": "дата и время приема: «30 ноября 2026 г. в 10:00 (время новокузнецкое, "
                    "МСК+4)»",
    "прежние_дата_и_время": "при переносе — прежние дата и время приема",
    "специалист": "должностное лицо, уполномоченное на проведение приема",
    "ссылка": "ссылка для подключения в Яндекс.Телемосте",
    "ответить_до": "срок ответа гражданина: «1 декабря 2026 г.» (п. 2.6)",
    "метка": "метка заявки для темы ответа: «ВКС-7K3QD-15»",
    "основание": "основание отклонения заявки дословно из п. 2.8 Порядка",
    "причина": "причина отмены приема (п. 2.7)",
    "дата_заявки": "дата поступления заявки: «20 ноября 2026 г.»",
    "исправление": "«да», если письмо заменяет направленное ранее, иначе пусто",
    "вложение": "имя приложенного файла (решение об отклонении), иначе пусто",
}
# Controls (C0, C1), bidirectional embeddings/overrides/isolates, line and paragraph separators.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2028\u2029\u2066-\u2069"
                     "\ufeff\ufffe\uffff\ud800-\udfff]")


class NoticeTemplateError(ToolkitError):
    """A notice template is missing, broken or asks for a field the toolkit does not fill."""


class Gender(Enum):
    MALE = "male"
    FEMALE = "female"


@dataclass(frozen=True)
class Attachment:
    """A file sent with the notice (e.g. the rejection decision, .docx or .pdf)."""

    data: bytes
    filename: str
    mime_type: str = "application/octet-stream"


@dataclass(frozen=True)
class NoticeData:
    """What a notice says. Times without a zone are local (Asia/Novokuznetsk)."""

    kind: NoticeKind
    body_name: str
    body_contacts: str
    citizen_name: str  # as addressed: «Анна Сергеевна» (or the full name)
    reference: str  # «ВКС-7K3QD-15», as `reference.reference()` made it
    citizen_gender: Gender | None = None  # None: «Здравствуйте, …!»
    appointment: dt.datetime | None = None
    previous_appointment: dt.datetime | None = None  # reschedule: the time it replaces
    specialist: str = ""
    link: str = ""
    deadline: dt.date | dt.datetime | None = None  # reply by (cl. 2.6)
    ground: str = ""  # rejection: the ground's full text (cl. 2.8)
    reason: str = ""  # cancellation: why (cl. 2.7)
    received: dt.date | None = None  # the day the application was received
    corrects: bool = False  # this notice replaces an earlier one
    earlier_message_id: str | None = None  # the notice it replaces (In-Reply-To)
    revision: int | None = None  # of this kind for the application; None: 1, or the
    # earlier notice's revision + 1 when it was of the same kind


def clean(value: object, limit: int = MAX_VALUE) -> str:
    """A value as it may enter a notice: text, no controls, single spaces, capped."""
    text = "" if value is None else str(value)
    text = " ".join(_UNSAFE.sub(" ", text).split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


def local(moment: dt.datetime) -> dt.datetime:
    return moment.replace(tzinfo=ZONE) if moment.tzinfo is None else moment.astimezone(ZONE)


def day_text(day: dt.date) -> str:
    """«1 декабря 2026 г.»"""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year} г."


def moment_text(moment: dt.datetime) -> str:
    """«30 ноября 2026 г. в 10:00 (время новокузнецкое, МСК+4)»"""
    moment = local(moment)
    return f"{day_text(moment.date())} в {moment:%H:%M} ({ZONE_NOTE})"


def deadline_text(deadline: dt.date | dt.datetime) -> str:
    """«1 декабря 2026 г.» or «1 декабря 2026 г. до 18:00 (время новокузнецкое, МСК+4)»"""
    if isinstance(deadline, dt.datetime):
        moment = local(deadline)
        return f"{day_text(moment.date())} до {moment:%H:%M} ({ZONE_NOTE})"
    return day_text(deadline)


def greeting(name: str, gender: Gender | None) -> str:
    """«Уважаемая Анна Сергеевна!», «Уважаемый …!», or «Здравствуйте, …!» when unknown."""
    if gender is Gender.FEMALE:
        return f"Уважаемая {name}!"
    if gender is Gender.MALE:
        return f"Уважаемый {name}!"
    return f"Здравствуйте, {name}!" if name else "Здравствуйте!"


def context_of(data: NoticeData, attachment: Attachment | None = None) -> dict[str, Any]:
    """The template fields for a notice, every one cleaned text."""
    name = clean(data.citizen_name)
    values: dict[str, object] = {
        "обращение": greeting(name, data.citizen_gender),
        "гражданин": name,
        "орган": data.body_name,
        "контакты": data.body_contacts,
        "дата_и_время": moment_text(data.appointment) if data.appointment else "",
        "прежние_дата_и_время": (moment_text(data.previous_appointment)
                                 if data.previous_appointment else ""),
        "специалист": data.specialist,
        "ссылка": data.link,
        "ответить_до": deadline_text(data.deadline) if data.deadline else "",
        "метка": data.reference,
        "основание": data.ground.strip().rstrip(";.").rstrip(),  # the template ends the sentence
        "причина": data.reason,
        "дата_заявки": day_text(data.received) if data.received else "",
        "исправление": "да" if data.corrects else "",
        "вложение": clean(attachment.filename, MAX_HEADER_VALUE) if attachment else "",
    }
    return {key: clean(value) for key, value in values.items()}


class NoticeTemplates:
    """The text and HTML templates of every kind, checked once, rendered per notice."""

    def __init__(self, folder: Path | None = None) -> None:
        from jinja2 import FileSystemLoader, StrictUndefined, TemplateError, meta
        from jinja2.sandbox import SandboxedEnvironment

        self.folder = folder or TEMPLATE_DIR
        loader = FileSystemLoader(str(self.folder), encoding="utf-8")
        common: dict[str, Any] = {"loader": loader, "undefined": StrictUndefined,
                                  "keep_trailing_newline": True, "trim_blocks": True,
                                  "lstrip_blocks": True}
        self.text_env = SandboxedEnvironment(autoescape=False, **common)
        self.html_env = SandboxedEnvironment(autoescape=True, **common)
        self.templates: dict[tuple[NoticeKind, str], Any] = {}
        for kind, stem in TEMPLATE_NAMES.items():
            for part, env in (("txt", self.text_env), ("html", self.html_env)):
                name = f"{stem}.{part}.j2"
                try:
                    source = (self.folder / name).read_text(encoding="utf-8")
                    used = meta.find_undeclared_variables(env.parse(source))
                    self.templates[kind, part] = env.get_template(name)
                except FileNotFoundError:
                    raise NoticeTemplateError(
                        f"нет шаблона письма {name} в папке {self.folder}") from None
                except TemplateError as exc:
                    raise NoticeTemplateError(
                        f"шаблон {name}: ошибка в записи поля ({exc.message}); поля пишутся "
                        f"как {{{{ гражданин }}}}") from None
                unknown = sorted(set(used) - set(FIELDS))
                if unknown:
                    raise NoticeTemplateError(
                        f"шаблон {name}: неизвестные поля {', '.join(unknown)}; программа "
                        f"заполняет только: {', '.join(FIELDS)}")

    @classmethod
    def load(cls, folder: Path | None = None) -> NoticeTemplates:
        """The templates of a folder, compiled once while their files stay unchanged."""
        folder = folder or TEMPLATE_DIR
        stamps = []
        for stem in TEMPLATE_NAMES.values():
            for part in ("txt", "html"):
                try:
                    stamps.append((folder / f"{stem}.{part}.j2").stat().st_mtime_ns)
                except OSError:
                    stamps.append(-1)
        return _cached(folder, tuple(stamps))

    def render(self, kind: NoticeKind, context: dict[str, Any]) -> tuple[str, str]:
        """(plain text, HTML) of one notice."""
        from jinja2 import TemplateError

        try:
            text = self.templates[kind, "txt"].render(context)
            html = self.templates[kind, "html"].render(context)
        except TemplateError as exc:
            raise NoticeTemplateError(
                f"шаблон письма «{TEMPLATE_NAMES[kind]}»: {exc.message}") from None
        return text, html


@lru_cache(maxsize=8)
def _cached(folder: Path, stamps: tuple[int, ...]) -> NoticeTemplates:
    return NoticeTemplates(folder)


def _address(value: str, what: str) -> Address:
    """A single checked addr-spec (no display name, no lists, no line breaks)."""
    value = value.strip()
    if not re.fullmatch(r"[^@\s<>,;:\"()\[\]\\]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}", value):
        raise ValueError(f"{what}: not a single e-mail address")
    username, domain = value.rsplit("@", 1)
    return Address(username=username, domain=domain.lower())


def build_notice(data: NoticeData, *, sender: str, recipient: str,
                 templates: NoticeTemplates | None = None, attachment: Attachment | None = None,
                 now: dt.datetime | None = None) -> EmailMessage:
    """The notice as an e-mail: plain text with an HTML alternative, and the attachment."""
    ref = parse_reference(data.reference)
    if ref is None or str(ref) != data.reference.strip():
        raise ValueError("the reference must be a token made by reference()")
    if data.kind in (NoticeKind.APPOINTMENT, NoticeKind.RESCHEDULE) and not data.appointment:
        raise ValueError("an appointment notice needs the appointment's date and time")
    sender_address = _address(sender, "sender")
    recipient_address = _address(recipient, "recipient")
    earlier = parse_message_id(data.earlier_message_id) if data.earlier_message_id else None
    if data.earlier_message_id and not re.fullmatch(r"<[^<>\s@]+@[^<>\s@]+>",
                                                    data.earlier_message_id.strip()):
        raise ValueError("earlier_message_id must be one <id@domain>")
    revision = data.revision or (earlier.revision + 1 if earlier and earlier.kind is data.kind
                                 else 1)
    if data.kind in (NoticeKind.APPOINTMENT, NoticeKind.RESCHEDULE) and \
            canonical_link(data.link) is None:
        raise ValueError("an appointment notice needs a Telemost meeting link (cl. 1.3)")
    text, html = (templates or NoticeTemplates.load()).render(data.kind,
                                                         context_of(data, attachment))

    message = EmailMessage()
    message["From"] = Address(display_name=clean(data.body_name, MAX_HEADER_VALUE),
                              username=sender_address.username, domain=sender_address.domain)
    message["To"] = recipient_address
    prefix = "Исправлено: " if data.corrects else ""
    message["Subject"] = f"{prefix}[{ref}] {SUBJECTS[data.kind]}"
    message["Date"] = format_datetime(local(now or dt.datetime.now(dt.UTC)))
    message["Message-ID"] = make_message_id(ref, data.kind, revision=revision,
                                            domain=sender_address.domain)
    if data.earlier_message_id:
        message["In-Reply-To"] = data.earlier_message_id.strip()
        message["References"] = data.earlier_message_id.strip()
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    if attachment is not None:
        maintype, _, subtype = attachment.mime_type.partition("/")
        message.add_attachment(attachment.data, maintype=maintype or "application",
                               subtype=subtype or "octet-stream",
                               filename=clean(attachment.filename, MAX_HEADER_VALUE) or
                               "документ")
    return message
