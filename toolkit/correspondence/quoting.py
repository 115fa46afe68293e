"""The new text of a reply: the quoted notice, forwarded mail and signatures left out.

    text = new_text(message)        # EmailMessage or raw bytes

The plain-text part is preferred; an HTML-only message is turned into text with the standard
library's HTMLParser, dropping <blockquote>, Gmail's `gmail_quote` and Thunderbird's cite prefix.
The text is then cut at the first thing that starts the quoted or forwarded part — Outlook's
«-----Original Message-----» or its «От:/Отправлено:» header block, «… пишет:» / «wrote:»,
the attribution lines of Yandex («29.11.2026, 10:15, "Министерство" <…>:»), Mail.ru
(«Понедельник, 30 ноября 2026, 10:15 +07:00 от …:») and Gmail («пн, 30 нояб. 2026 г. в
10:15, …:»), «Пересылаемое сообщение» — at a signature «-- » and at mobile footers. Lines
quoted with «>» are dropped; when a reply is written below the quote (bottom posting) the text
after the quote is kept instead.
"""

from __future__ import annotations

import email
import re
from email.message import EmailMessage, Message
from email.policy import default as default_policy
from html.parser import HTMLParser

_BLOCK = {"p", "div", "br", "li", "tr", "table", "h1", "h2", "h3", "h4", "h5", "h6", "hr",
          "pre", "ul", "ol", "section", "article", "header", "footer", "blockquote", "dd", "dt"}
_SKIP = {"script", "style", "head", "title", "template"}
_VOID = {"br", "hr", "img", "meta", "link", "input", "wbr", "col", "area", "base", "source"}
_QUOTE_CLASSES = ("gmail_quote", "moz-cite-prefix", "yandex_quote", "mail-quote-collapse")
_QUOTE_IDS = ("divrplyfwdmsg", "appendonsend", "mail-app-auto-quote")

_MONTHS = (r"(?:янв|фев|мар|апр|мая|май|июн|июл|авг|сен|окт|ноя|дек|jan|feb|mar|apr|may|jun|"
           r"jul|aug|sep|oct|nov|dec)\w*\.?")
_DATE = (r"(?:\d{1,2}[./]\d{1,2}[./]\d{2,4}|\d{4}-\d{2}-\d{2}|"
         rf"\d{{1,2}}\s+{_MONTHS}\s*\d{{0,4}})")
_TIME = r"\d{1,2}:\d{2}"
# An attribution line: a date, a time and an address, ending with «:» (Yandex, Mail.ru, Gmail).
_ATTRIBUTION = re.compile(rf"(?:{_DATE}.*{_TIME}|{_TIME}.*{_DATE}).*(?:@|<).*:\s*$",
                          re.IGNORECASE)
_WROTE = re.compile(r"(?:пишет|написал|написала|написал\(а\)|wrote|schrieb)\s*:\s*$|"
                    rf"^\s*вы писали\b.*{_TIME}.*:\s*$", re.IGNORECASE)
_SEPARATOR = re.compile(
    r"^\s*(?:-{2,}|_{2,}|={2,})?\s*(?:original message|исходное сообщение|"
    r"пересылаемое сообщение|перенаправленное сообщение|forwarded message|"
    r"переадресованное сообщение)\s*(?:-{2,}|_{2,}|={2,})?\s*$|"
    r"^\s*(?:начало переадресованного сообщения|begin forwarded message)\s*:?\s*$",
    re.IGNORECASE)
_HEADER_FROM = re.compile(r"^\s*\*?(?:от|from|отправитель)\s*:\*?\s*\S", re.IGNORECASE)
_HEADER_NEXT = re.compile(
    r"^\s*\*?(?:отправлено|sent|дата|date|кому|to|тема|subject)\s*:\*?", re.IGNORECASE)
_UNDERSCORES = re.compile(r"^\s*_{8,}\s*$")
_FOOTER = re.compile(
    r"^\s*(?:отправлено (?:из|с|со)\b.*|sent from\b.*|get outlook for\b.*|"
    r"получить outlook для\b.*|с уважением,? отправлено\b.*)$", re.IGNORECASE)


class _TextOfHtml(HTMLParser):
    """Text of an HTML body: blocks become lines; quotes, scripts and styles are dropped."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._dropping: list[str] = []  # the tag being dropped, once per nesting level

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._dropping:
            if tag == self._dropping[0] and tag not in _VOID:
                self._dropping.append(tag)
            return
        found = dict(attrs)
        classes = (found.get("class") or "").lower()
        ident = (found.get("id") or "").lower()
        quoted = (tag == "blockquote" or any(c in classes for c in _QUOTE_CLASSES)
                  or any(i in ident for i in _QUOTE_IDS))
        if (tag in _SKIP or quoted) and tag not in _VOID:
            self._dropping.append(tag)
            if quoted:
                self.parts.append("\n\x00QUOTE\x00\n")  # where the quote was: a cut point
            return
        if tag in _BLOCK:
            self.parts.append("\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if not self._dropping and tag in _BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if self._dropping:
            if tag == self._dropping[0]:
                self._dropping.pop()
            return
        if tag in _BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._dropping:
            self.parts.append(" ".join(data.split()) if data.strip() else
                              (" " if data else ""))


def html_to_text(html: str) -> str:
    """Plain text of an HTML body, quotes dropped (a NUL-marked line shows where they were)."""
    parser = _TextOfHtml()
    parser.feed(html)
    parser.close()
    lines = [" ".join(line.split()) for line in "".join(parser.parts).splitlines()]
    return "\n".join(lines)


def _part_text(part: Message) -> str:
    """A text part's content, decoded however its charset is labelled."""
    try:
        content = part.get_content() if isinstance(part, EmailMessage) else None
        if isinstance(content, str):
            return content
    except (LookupError, UnicodeError, ValueError):
        pass
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return ""
    for charset in (part.get_content_charset(), "utf-8", "cp1251"):
        if not charset:
            continue
        try:
            return payload.decode(charset)
        except (LookupError, UnicodeDecodeError):
            continue
    return payload.decode("utf-8", errors="replace")


def body_text(message: Message) -> str:
    """The reply's whole text: its plain-text part, or its HTML converted, quotes marked."""
    part: Message | None
    if isinstance(message, EmailMessage):
        part = message.get_body(preferencelist=("plain", "html"))
    else:
        part = next((p for p in message.walk() if p.get_content_type() in
                     ("text/plain", "text/html")), None)
    if part is None:
        return ""
    text = _part_text(part)
    if part.get_content_type() == "text/html":
        return html_to_text(text)
    return text


def _is_quote_start(lines: list[str], i: int) -> int:
    """How many lines from `i` start the quoted part (0: none) — a two-line attribution
    counts as two."""
    line = lines[i].strip()
    if not line:
        return 0
    if line == "\x00QUOTE\x00" or _SEPARATOR.match(line):
        return 1
    if _WROTE.search(line) or _ATTRIBUTION.search(line):
        return 1
    following = lines[i + 1].strip() if i + 1 < len(lines) else ""
    # An attribution folded over two lines: «On Mon, 30 Nov 2026 at 10:15, X <\nx@y> wrote:»
    if following and (_WROTE.search(following) or _ATTRIBUTION.search(f"{line} {following}")) \
            and re.search(_TIME, line + following) and not line.endswith((".", "!", "?")):
        return 2
    if _UNDERSCORES.match(line) and following and _HEADER_FROM.match(following):
        return 1
    if _HEADER_FROM.match(line):
        window = [s.strip() for s in lines[i + 1:i + 5]]
        if any(_HEADER_NEXT.match(s) for s in window):
            return 1
    return 0


def strip_quotes(text: str) -> str:
    """The new text of a reply's body."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ").split("\n")
    kept: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        if stripped in ("--", "-- ") or line == "-- " or _FOOTER.match(stripped):
            break
        starts = _is_quote_start(lines, i)
        if starts:
            if any(s.strip() for s in kept):
                break
            # Bottom posting: nothing new above the quote; skip it, keep what follows.
            i += starts
            while i < len(lines) and (lines[i].lstrip().startswith(">") or
                                      not lines[i].strip()):
                i += 1
            continue
        if not stripped.startswith(">"):
            kept.append(line.rstrip())
        i += 1
    return "\n".join(kept).strip("\n").strip()


def new_text(message: Message | bytes) -> str:
    """The text a citizen wrote in this message, without the quoted notice or signature."""
    if isinstance(message, bytes | bytearray):
        message = email.message_from_bytes(bytes(message), policy=default_policy)
    return strip_quotes(body_text(message))
