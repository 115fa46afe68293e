"""The citizen's side of the order (cl. 2.4–2.7): notices out, replies in, Telemost links.

- `reference`: the «ВКС-<code>-<№>» token in subjects, our Message-IDs, `match_reply`;
- `notices`: the notices (appointment, cancellation, reschedule, rejection) as e-mails;
- `telemost`: creating a Yandex Telemost meeting, `is_telemost_link`;
- `quoting`, `replies`: the new text of a reply and its verdict (confirmed/declined/unclear);
- `mailbox`, `ledger`: reading replies over IMAP exactly once;
- `outgoing` (`send_notices`, `vks notify`) with `planning`, `outbox`, `meetings`,
  `attachments`, `sent`: each row's notice sent once, its time written back;
- `incoming` (`read_replies`, `vks replies`) with `replies_result`: answers read into the journal.

May import: `toolkit.journal`, `toolkit.sources`, `toolkit.mail`, `toolkit.letters`.
"""

from typing import TYPE_CHECKING

# Eager: a lazy `reference` would be shadowed by the submodule of that name once it is imported.
from toolkit.correspondence.reference import reference

if TYPE_CHECKING:
    from toolkit.correspondence.ledger import ReplyLedger
    from toolkit.correspondence.mailbox import (
        FetchedMessage,
        ImapSettings,
        Mailbox,
        MailboxError,
        Outcome,
        process_new,
    )
    from toolkit.correspondence.notices import (
        Attachment,
        Gender,
        NoticeData,
        NoticeTemplateError,
        build_notice,
    )
    from toolkit.correspondence.reference import NoticeKind, match_reply, parse_reference
    from toolkit.correspondence.replies import Reply, Verdict, classify, read_reply
    from toolkit.correspondence.telemost import TelemostError, create_conference
    from toolkit.journal.links import is_telemost_link

# Imported on first use: `vks check` loads `mailbox` (via the intake settings) and must not pay
# for requests, the notice templates and the reply classifier it never uses.
_LAZY = {
    "ReplyLedger": "toolkit.correspondence.ledger",
    "FetchedMessage": "toolkit.correspondence.mailbox",
    "ImapSettings": "toolkit.correspondence.mailbox",
    "Mailbox": "toolkit.correspondence.mailbox",
    "MailboxError": "toolkit.correspondence.mailbox",
    "Outcome": "toolkit.correspondence.mailbox",
    "process_new": "toolkit.correspondence.mailbox",
    "Attachment": "toolkit.correspondence.notices",
    "Gender": "toolkit.correspondence.notices",
    "NoticeData": "toolkit.correspondence.notices",
    "NoticeTemplateError": "toolkit.correspondence.notices",
    "build_notice": "toolkit.correspondence.notices",
    "NoticeKind": "toolkit.correspondence.reference",
    "match_reply": "toolkit.correspondence.reference",
    "parse_reference": "toolkit.correspondence.reference",
    "Reply": "toolkit.correspondence.replies",
    "Verdict": "toolkit.correspondence.replies",
    "classify": "toolkit.correspondence.replies",
    "read_reply": "toolkit.correspondence.replies",
    "TelemostError": "toolkit.correspondence.telemost",
    "create_conference": "toolkit.correspondence.telemost",
    "is_telemost_link": "toolkit.journal.links",
}


def __getattr__(name: str) -> object:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "Attachment",
    "FetchedMessage",
    "Gender",
    "ImapSettings",
    "Mailbox",
    "MailboxError",
    "NoticeData",
    "NoticeKind",
    "NoticeTemplateError",
    "Outcome",
    "Reply",
    "ReplyLedger",
    "TelemostError",
    "Verdict",
    "build_notice",
    "classify",
    "create_conference",
    "is_telemost_link",
    "match_reply",
    "parse_reference",
    "process_new",
    "read_reply",
    "reference",
]
