"""The widget's e-mails in the intake mailbox (IMAP), each taken in exactly once.

    with WidgetInbox(settings, state / "intake-mail.sqlite") as inbox:
        for message in inbox.messages():          # not processed yet, oldest first
            message.entry                          # the application read from it (or None)
        ...                                        # register what can be registered
        inbox.done(message, "registered")          # recorded, moved to the processed folder

The same client and ledger as citizens' replies (`correspondence.mailbox`): IMAPClient over TLS,
messages fetched with BODY.PEEK, the processed-messages ledger keyed by the folder, UIDVALIDITY
and UID (no addresses, no text). Unlike replies, a message is recorded only once its application
reached a final place — registered, forwarded, or refused with a reason — so one the journal
could not take (open in Excel) or the routing table could not place is read again next run; the
intake ledger's keys keep it from being registered twice. Every message of the folder not in the
ledger is looked at, so a message left for later is never skipped over.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from toolkit.correspondence.ledger import ReplyLedger
from toolkit.correspondence.mailbox import FetchedMessage, ImapSettings, Mailbox
from toolkit.intake.submission import Entry, IntakeError, Problem
from toolkit.intake.widget_mail import NotWidgetMail, parse_widget_mail

log = logging.getLogger("vks.intake")

LEDGER_NAME = "intake-mail.sqlite"
NOT_APPLICATION = "not-application"


@dataclass(frozen=True)
class WidgetMessage:
    """One message of the folder and the application read from it."""

    item: FetchedMessage
    entry: Entry | None  # None: not an application from the widget (left flagged for a person)
    problem: Problem | None = None

    @property
    def ref(self) -> str:
        return f"письмо UID {self.item.uid}"


class WidgetInbox:
    """An open intake mailbox with its processed-messages ledger."""

    def __init__(self, settings: ImapSettings, ledger: Path,
                 environ: Mapping[str, str] | None = None) -> None:
        self.settings = settings
        self.ledger_path = ledger
        self.environ = environ
        self.box: Mailbox | None = None
        self.ledger: ReplyLedger | None = None

    def __enter__(self) -> WidgetInbox:
        self.ledger = ReplyLedger(self.ledger_path)
        try:
            self.box = Mailbox(self.settings, self.environ).__enter__()
        except BaseException:
            self.ledger.close()
            raise
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 traceback: TracebackType | None) -> None:
        try:
            if self.box is not None:
                self.box.close()
        finally:
            if self.ledger is not None:
                self.ledger.close()

    @property
    def source(self) -> str:
        return f"почта {self.settings.username}/{self.settings.folder}"

    def messages(self) -> Iterator[WidgetMessage]:
        """Messages of the folder not processed yet, each with its application."""
        assert self.box is not None and self.ledger is not None
        key = self.settings.key
        uids = [u for u in self.box.new_uids(0)
                if not self.ledger.is_processed(key, self.box.uidvalidity, u)]
        for item in self.box.fetch(uids):
            if self.ledger.seen_message(key, item.message_id):
                self.done_item(item, "duplicate")  # the same message under a new UIDVALIDITY
                continue
            yield self._read(item)

    def _read(self, item: FetchedMessage) -> WidgetMessage:
        ref = f"письмо UID {item.uid}"
        if item.truncated:
            problem = Problem("message-too-large", "", "письмо слишком большое для уведомления "
                              "виджета — прочитайте его вручную", self.source, ref)
            return WidgetMessage(item, None, problem)
        try:
            entry = parse_widget_mail(item.message, internal_date=item.received,
                                      source=self.source)
        except NotWidgetMail:
            problem = Problem("not-application", "", "не заявка с виджета «Онлайн-"
                              "консультирование» (нет полей ФИО и тематики вопроса) — письмо "
                              "помечено для просмотра", self.source, ref)
            return WidgetMessage(item, None, problem)
        except IntakeError as exc:
            problem = Problem("message-unreadable", "", str(exc), self.source, ref)
            return WidgetMessage(item, None, problem)
        return WidgetMessage(item, entry)

    def done(self, message: WidgetMessage, outcome: str, *, flag: bool = False) -> None:
        """Record a message as processed (and flag it for a person), then move it away."""
        assert self.box is not None
        if flag:
            self.box.flag(message.item.uid)
        self.done_item(message.item, outcome)

    def done_item(self, item: FetchedMessage, outcome: str) -> None:
        assert self.box is not None and self.ledger is not None
        self.ledger.record(self.settings.key, item.uidvalidity, item.uid, outcome,
                           message_id=item.message_id)
        log.info("intake mail uid=%s outcome=%s", item.uid, outcome)
        if self.settings.processed_folder:
            self.box.move(item.uid, self.settings.processed_folder)

    def flag(self, message: WidgetMessage) -> None:
        """Mark a message a person must look at (left in the folder, read again next run)."""
        assert self.box is not None
        self.box.flag(message.item.uid)
