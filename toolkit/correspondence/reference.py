"""Which application a citizen's reply is about: the reference token and our Message-IDs.

    token = reference(journal_key, "Министерство", 15)      # «ВКС-7K3QD-15»
    parse_reference("RE: Fwd: Ответ: [ВКС-7K3QD-15] Уведомление …")  # Reference("7K3QD", 15)
    mid = make_message_id(token, NoticeKind.APPOINTMENT, revision=1, domain="mszn42.ru")
    match_reply(message)                                     # by In-Reply-To, References, Subject

The short code is five Crockford base-32 characters of a hash of (journal, body): no personal
data, stable across runs, and 32⁵ codes make a clash between bodies unlikely. Mail clients and
people mangle subjects (case, «–» for «-», spaces, Cyrillic look-alikes of Latin letters, a
folded header), so the parser normalises all of that. Our Message-IDs are deterministic per
notice (the same notice sent twice has the same ID) and carry the token, so a reply that
quotes one in In-Reply-To or References is matched without a lookup table. The caller must
still check that the sender is the application's e-mail address.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from email.message import Message
from enum import Enum

PREFIX = "ВКС"
CODE_LENGTH = 5
_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
# What a code character may have become: Cyrillic look-alikes and Crockford's aliases.
_LOOKALIKES = str.maketrans({
    "А": "A", "В": "B", "С": "C", "Е": "E", "Н": "H", "К": "K", "М": "M", "О": "0",
    "Р": "P", "Т": "T", "Х": "X", "У": "Y", "З": "3", "O": "0", "I": "1", "L": "1",
    "Ѕ": "S", "Ј": "J",
})
_DASHES = "\\-\u2010\u2011\u2012\u2013\u2014\u2015\u2212_"
_SEP = rf"[\s{_DASHES}.:#№]*"
# «ВКС» itself, as typed or transliterated (VKS, BKC: Latin look-alikes).
_TOKEN = re.compile(
    rf"(?<![0-9A-ZА-ЯЁ])[ВBV][КK][СCS][\s{_DASHES}]*"
    rf"([0-9A-ZА-ЯЁ](?:[\s{_DASHES}]?[0-9A-ZА-ЯЁ]){{{CODE_LENGTH - 1}}})"
    rf"{_SEP}(\d{{1,7}})(?!\d)",
    re.IGNORECASE,
)
_MESSAGE_ID = re.compile(
    r"<?vks\.([0-9a-z]{5})\.(\d{1,7})\.([a-z-]+)\.(\d{1,4})@[^>\s]+>?", re.IGNORECASE)


class NoticeKind(Enum):
    """What an outgoing message is (its Message-ID says it, in ASCII)."""

    APPOINTMENT = "appointment"  # уведомление о назначении приема (cl. 2.4)
    CANCELLATION = "cancellation"  # прием отменен (cl. 2.7)
    RESCHEDULE = "reschedule"  # прием перенесен (cl. 3.5)
    REJECTION = "rejection"  # решение об отклонении заявки (Appendix 2)


@dataclass(frozen=True)
class Reference:
    """A short code of (journal, body) and the application's № п/п."""

    code: str
    number: int

    def __str__(self) -> str:
        return f"{PREFIX}-{self.code}-{self.number}"


@dataclass(frozen=True)
class NoticeId:
    """What one of our Message-IDs says: the application, the kind of notice, its revision."""

    reference: Reference
    kind: NoticeKind
    revision: int


@dataclass(frozen=True)
class ReplyMatch:
    """The notice a reply answers, and how it was found."""

    reference: Reference
    how: str  # "in-reply-to", "references" or "subject"
    notice: NoticeId | None = None  # known when found by a Message-ID


def body_code(journal_key: str, body: str) -> str:
    """Five Crockford base-32 characters for a body's journal (ambiguous letters left out)."""
    digest = hashlib.sha256(f"{journal_key}\x1f{body}".encode()).digest()
    value = int.from_bytes(digest[:4], "big")
    chars = []
    for _ in range(CODE_LENGTH):
        value, index = divmod(value, 32)
        chars.append(_CROCKFORD[index])
    return "".join(chars)


def reference(journal_key: str, body: str, number: int) -> str:
    """«ВКС-<code>-<№>»: the token a notice's Subject carries."""
    if number < 1:
        raise ValueError("an application's № п/п is a positive number")
    return str(Reference(body_code(journal_key, body), number))


def _normal_code(raw: str) -> str | None:
    code = re.sub(rf"[\s{_DASHES}]", "", raw).upper().translate(_LOOKALIKES)
    return code if len(code) == CODE_LENGTH and all(c in _CROCKFORD for c in code) else None


def parse_reference(text: str | None) -> Reference | None:
    """The first reference token in a subject (or any text), however a mail client mangled it."""
    if not text:
        return None
    unfolded = " ".join(str(text).split())
    for match in _TOKEN.finditer(unfolded):
        code = _normal_code(match.group(1))
        if code is not None:
            return Reference(code, int(match.group(2)))
    return None


def parse_token(token: str) -> Reference:
    """A token the toolkit made (strict): ValueError when it is not one."""
    found = parse_reference(token)
    if found is None:
        raise ValueError("not a reference token")
    return found


def make_message_id(token: str | Reference, kind: NoticeKind, *, revision: int = 1,
                    domain: str) -> str:
    """`<vks.<code>.<№>.<kind>.<revision>@<domain>>`: the same notice always gets the same ID.

    `revision` grows with each corrected or repeated notice of the same kind for the
    application, so a correction is a new message that replies to the earlier one."""
    ref = token if isinstance(token, Reference) else parse_token(token)
    domain = domain.strip().lower()
    if not re.fullmatch(r"[a-z0-9.-]+", domain) or not 1 <= revision <= 9999:
        raise ValueError("a domain of letters, digits, dots and hyphens; revision 1…9999")
    return f"<vks.{ref.code.lower()}.{ref.number}.{kind.value}.{revision}@{domain}>"


def parse_message_id(value: str | None) -> NoticeId | None:
    """A Message-ID we generated, read back; None for anyone else's."""
    if not value:
        return None
    match = _MESSAGE_ID.search(value)
    if not match:
        return None
    code = _normal_code(match.group(1))
    try:
        kind = NoticeKind(match.group(3).lower())
    except ValueError:
        return None
    if code is None:
        return None
    return NoticeId(Reference(code, int(match.group(2))), kind, int(match.group(4)))


def match_reply(message: Message) -> ReplyMatch | None:
    """The notice a reply is about: In-Reply-To first, then References (newest first), then
    the reference token in the Subject."""
    in_reply_to = parse_message_id(str(message.get("In-Reply-To", "") or ""))
    if in_reply_to:
        return ReplyMatch(in_reply_to.reference, "in-reply-to", in_reply_to)
    references = str(message.get("References", "") or "").split()
    for item in reversed(references):
        found = parse_message_id(item)
        if found:
            return ReplyMatch(found.reference, "references", found)
    subject = parse_reference(str(message.get("Subject", "") or ""))
    if subject:
        return ReplyMatch(subject, "subject")
    return None
