"""The notification e-mail of the widget «Онлайн-консультирование» (cl. 2.1) → a Submission.

The website mails each application as labelled lines («ФИО: …», «Дата рождения: …», …) in plain
text, in HTML (paragraphs, line breaks or a two-column table), or both. Labels are matched like
export headings (`headings.match_heading`); a value may continue on the following lines (a long
topic) until the next label.

    entry = parse_widget_mail(raw_bytes, internal_date=imap_internaldate, source="INBOX")

The submit time is the «Дата подачи» line when the widget writes one, else the message's Date
header, else the INTERNALDATE the caller gives (the moment the mailbox received it).
"""

from __future__ import annotations

import datetime as dt
import email
import re
from email import policy
from email.message import EmailMessage, Message
from email.utils import parsedate_to_datetime
from html.parser import HTMLParser

from toolkit.intake.headings import assemble, match_heading
from toolkit.intake.submission import TIMEZONE, Entry, IntakeError, validate

# Fields whose value may run over several lines of the message.
_MULTILINE = frozenset({"topic", "address", "document", "body"})
_LABEL_RE = re.compile(r"^\s*[*_]*([^:\t]{1,60}?)[*_]*\s*(?::|\t)\s*(.*)$")
# Where the application ends: a signature separator or the site's automatic footer.
_FOOTER_RE = re.compile(
    r"^\s*(?:--\s*$|_{5,}|-{5,}|письмо сформировано|это (?:письмо|сообщение) (?:сформировано|"
    r"отправлено)|не отвечайте на это письмо)",
    re.IGNORECASE,
)
MAX_MESSAGE = 5 * 2**20


class NotWidgetMail(IntakeError):
    """The message is not an application from the widget (no ФИО or no topic in it)."""


def parse_widget_mail(
    message: bytes | Message,
    *,
    internal_date: dt.datetime | None = None,
    source: str = "",
) -> Entry:
    """The application in one widget notification, with its problems (cl. 2.2)."""
    if isinstance(message, bytes):
        if len(message) > MAX_MESSAGE:
            raise IntakeError(f"{source}: письмо слишком большое для уведомления виджета")
        message = email.message_from_bytes(message, policy=policy.default)
    elif not isinstance(message, EmailMessage):  # a compat32 message: reparse with the new API
        message = email.message_from_bytes(message.as_bytes(), policy=policy.default)
    assert isinstance(message, EmailMessage)
    msg_id = str(message.get("Message-ID", "") or "").strip()
    ref = f"письмо {msg_id}" if msg_id else "письмо без Message-ID"
    values: dict[str, object] = {}
    for text in _texts(message):
        values = labelled_values(text)
        if "citizen" in values or "surname" in values:
            break
    if not ({"citizen", "surname"} & values.keys()) or "topic" not in values:
        raise NotWidgetMail(
            f"{source + ', ' if source else ''}{ref}: не похоже на заявку с виджета "
            "«Онлайн-консультирование» (нет полей ФИО и тематики вопроса)"
        )
    if not str(values.get("submitted") or "").strip():
        moment = _header_date(message) or internal_date
        if moment is not None:
            values["submitted"] = (
                moment.replace(tzinfo=TIMEZONE) if moment.tzinfo is None else moment
            ).astimezone(TIMEZONE)
    sub = assemble(values, source=source, ref=ref)
    return Entry(sub, tuple(validate(sub)))


def labelled_values(text: str) -> dict[str, object]:
    """{field: value} from «Метка: значение» lines; continuation lines join the last value."""
    values: dict[str, str] = {}
    current: str | None = None
    for line in text.splitlines():
        if _FOOTER_RE.match(line):
            break
        m = _LABEL_RE.match(line)
        found = match_heading(m[1]) if m else None
        if m and found and found[0] not in values:
            current = found[0]
            values[current] = m[2].strip()
            continue
        stripped = line.strip()
        if current is None or not stripped:
            continue
        if current in _MULTILINE or not values[current]:
            values[current] = f"{values[current]}\n{stripped}".strip()
    return dict(values)


def _texts(message: EmailMessage) -> list[str]:
    """The message's text candidates: the plain part first, then the HTML one as text."""
    out: list[str] = []
    for kind in ("plain", "html"):
        part = _part(message, kind)
        if part is None:
            continue
        try:
            content = str(part.get_content())
        except (LookupError, UnicodeDecodeError):  # an unknown or wrong charset
            payload = part.get_payload(decode=True)
            content = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else ""
        out.append(html_text(content) if kind == "html" else content)
    return out


def _part(message: EmailMessage, kind: str) -> EmailMessage | None:
    for part in message.walk():
        if (
            isinstance(part, EmailMessage)
            and part.get_content_type() == f"text/{kind}"
            and not part.is_attachment()
        ):
            return part
    return None


def _header_date(message: EmailMessage) -> dt.datetime | None:
    header = message.get("Date")
    moment = getattr(header, "datetime", None)
    if isinstance(moment, dt.datetime):
        return moment
    if header:
        try:
            return parsedate_to_datetime(str(header))
        except (TypeError, ValueError):
            return None
    return None


class _HtmlText(HTMLParser):
    """HTML → lines: block elements and <br> break lines, table cells are tab-separated."""

    _BREAKS = frozenset(
        ("br", "p", "div", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol")
    )

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("style", "script", "head", "title"):
            self._skip += 1
        elif tag in self._BREAKS:
            self.parts.append("\n")
        elif tag in ("td", "th"):
            self.parts.append("\t")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "script", "head", "title"):
            self._skip = max(0, self._skip - 1)
        elif tag in self._BREAKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(" ".join(data.split()) if "\n" in data else data)


def html_text(html: str) -> str:
    """The visible text of an HTML body, one labelled line per row or paragraph."""
    parser = _HtmlText()
    parser.feed(html)
    parser.close()
    lines = (line.strip(" \t") for line in "".join(parser.parts).splitlines())
    # A table row «\tФИО\tИванов» has its label in the first cell: the leading tab is dropped.
    return "\n".join(line for line in lines if line)
