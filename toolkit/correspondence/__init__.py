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
from toolkit.correspondence.reference import NoticeKind, match_reply, parse_reference, reference
from toolkit.correspondence.replies import Reply, Verdict, classify, read_reply
from toolkit.correspondence.telemost import TelemostError, create_conference
from toolkit.journal.links import is_telemost_link

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
