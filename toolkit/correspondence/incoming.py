"""`vks replies`: the citizens' answers to the notices, read from the body's mailbox (cl. 2.6).

    result = read_replies(["журнал.xlsx"], config, Clock.local())
    print("\\n".join(result.lines()))        # with the sender and subject of what to read

Every new message of each mailbox folder ([imap] folder, or a body's `imap_folder`) is read
once (the UID ledger `replies.sqlite`). A message is matched to its application by our
Message-ID in In-Reply-To/References, else by the «ВКС-…» reference in its subject; the sender
must be the application's e-mail address. A clear «подтверждаю» or «отказываюсь» is recorded in
«Ответ гражданина» and «Дата ответа» (the moment the message arrived, local time) — only into
empty cells, compare-and-set as `check --write` writes. The rules then take it from there: a
refusal or a late answer drives the cl. 2.7 cancellation.

Nothing is guessed: a message that matches no application, comes from another address, is
unclear, an auto-reply, an answer to a rejection, or contradicts the answer already recorded
is flagged in the mailbox (\\Flagged) and listed for staff with its sender and subject — on the
console only; logs and the ledger keep outcomes and hashes. Order of a run per folder: read
and decide, write the journal, then flag, record and (optionally) move each message — so an
outage or a busy journal leaves the messages unrecorded, and the next run reads them again.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from email.utils import parseaddr

from toolkit.correspondence.ledger import ReplyLedger
from toolkit.correspondence.mailbox import (
    FetchedMessage,
    ImapSettings,
    Mailbox,
    MailboxError,
    Security,
)
from toolkit.correspondence.outbox import exclusive
from toolkit.correspondence.planning import RowRef, usable_address
from toolkit.correspondence.reference import NoticeKind, body_code, match_reply
from toolkit.correspondence.replies import Verdict, read_reply
from toolkit.correspondence.replies_result import Manual, RepliesResult
from toolkit.journal.clock import Clock
from toolkit.journal.config import Config
from toolkit.journal.errors import ConfigError
from toolkit.journal.locations import journal_key, state_dir
from toolkit.journal.model import Application, CellChange, Journal, JournalSource
from toolkit.journal.read import read_journals
from toolkit.journal.russian import short_datetime
from toolkit.journal.schema import Answer, Decision
from toolkit.sources.open import open_source

log = logging.getLogger("vks.replies")

LEDGER_NAME = "replies.sqlite"
ANSWERS = {Verdict.CONFIRMED: Answer.CONFIRMED, Verdict.DECLINED: Answer.DECLINED}


def imap_settings(config: Config) -> ImapSettings:
    """[imap] of vks.toml as `ImapSettings` (the folder is [imap] folder, INBOX by default)."""
    table = config.section("imap")
    where = f"{config.path or 'настройки'}: [imap]"
    if not table:
        raise ConfigError(f"{where} — не указан почтовый ящик для ответов граждан (host, "
                          f"username, password_env)")

    def text(key: str, default: str = "") -> str:
        value = table.get(key, default)
        if not isinstance(value, str):
            raise ConfigError(f"{where} {key} — ожидается строка в кавычках")
        return value.strip()

    try:
        security = Security(text("security", "ssl").lower())
    except ValueError:
        raise ConfigError(f"{where} security — ожидается ssl, starttls или none") from None
    port = table.get("port", 0)
    if not isinstance(port, int) or isinstance(port, bool) or not 0 <= port < 65536:
        raise ConfigError(f"{where} port — ожидается номер порта от 1 до 65535")
    timeout = table.get("timeout", 30)
    if not isinstance(timeout, int | float) or isinstance(timeout, bool) or timeout <= 0:
        raise ConfigError(f"{where} timeout — ожидается число секунд больше нуля")
    cafile = text("cafile")
    if cafile and config.path is not None and not cafile.startswith("/"):
        cafile = str(config.path.parent / cafile)
    return ImapSettings(host=text("host"), username=text("username"),
                        password_env=text("password_env"), port=port, security=security,
                        folder=text("folder", "INBOX") or "INBOX",
                        processed_folder=text("processed_folder"), timeout=float(timeout),
                        cafile=cafile or None, timezone=config.timezone)


@dataclass
class _Journal:
    """A journal read for matching: its source, parsed sheet and rows by № п/п."""

    location: str
    source: JournalSource
    journal: Journal
    by_number: dict[int, list[Application]] = field(default_factory=dict)


@dataclass
class _Decision:
    """What one message comes to: the ledger's outcome, the cells to write, what staff see."""

    item: FetchedMessage
    outcome: str
    row_key: str | None = None
    flag: bool = False
    changes: list[tuple[_Journal, CellChange]] = field(default_factory=list)
    manual: Manual | None = None
    answer: tuple[RowRef, Answer, dt.datetime] | None = None
    note: str = ""  # recorded, but staff should know something


class _Reader:
    """One run: the journals indexed by reference code, answers planned in this run."""

    def __init__(self, locations: Sequence[str], config: Config) -> None:
        self.config = config
        self.codes: dict[str, _Journal] = {}
        self.planned: dict[tuple[str, str, int], Answer] = {}  # answers decided this run
        for location in locations:
            source = open_source(location, config)
            for journal in read_journals(source, config):
                entry = _Journal(location, source, journal)
                for app in journal.applications:
                    if app.number is not None:
                        entry.by_number.setdefault(app.number, []).append(app)
                self.codes[body_code(journal_key(location), journal.body.name)] = entry

    def folders(self, base: ImapSettings) -> list[str]:
        """The folders to read: each body's own, or the shared one."""
        found = [e.journal.body.imap_folder or base.folder for e in self.codes.values()]
        return list(dict.fromkeys(found)) or [base.folder]

    def decide(self, item: FetchedMessage) -> _Decision:
        msg = item.message
        sender = parseaddr(str(msg.get("From", "") or ""))[1]
        subject = " ".join(str(msg.get("Subject", "") or "").split())

        def manual(outcome: str, why: str, ref: RowRef | None = None) -> _Decision:
            return _Decision(item, outcome, flag=True,
                             manual=Manual(sender, subject, item.received, why, ref))

        found = match_reply(msg)
        if found is None:
            return manual("unmatched", "нет метки заявки «ВКС-…» — это не ответ на уведомление")
        entry = self.codes.get(found.reference.code)
        if entry is None:
            return manual("unmatched", f"метка {found.reference} не относится ни к одному "
                                       f"журналу этого запуска")
        apps = entry.by_number.get(found.reference.number, [])
        journal = entry.journal
        if len(apps) != 1:
            why = "нет" if not apps else "несколько"
            return manual("unmatched", f"{journal.body.name}, лист «{journal.sheet}»: {why} "
                                       f"заявки с № п/п {found.reference.number}")
        app = apps[0]
        ref = RowRef(journal.body.name, journal.sheet, app.row, app.number)
        key = f"{journal_key(entry.location)}\x1f{journal.body.name}\x1f{app.number}"
        own = usable_address(app.email)
        if _address(sender) is None or own is None or \
                str(_address(sender)).lower() != own.lower():  # addresses: case-insensitive
            return manual("unmatched", "отправитель — не адрес эл. почты из заявки", ref)
        kind = found.notice.kind if found.notice is not None else None
        if kind in (NoticeKind.REJECTION, NoticeKind.CANCELLATION) or \
                app.decision is not Decision.APPOINTED:
            return _keyed(manual("other", "ответ не на уведомление о приеме — прочитайте", ref),
                          key)
        if item.truncated:
            return _keyed(manual("unclear", "письмо слишком большое — прочитайте", ref), key)
        reply = read_reply(msg)
        if reply.automatic:
            return _keyed(manual("automatic", "автоответ почтовой программы — ответа "
                                              "гражданина нет", ref), key)
        answer = ANSWERS.get(reply.verdict)
        if answer is None:
            return _keyed(manual("unclear", "ответ не однозначен — прочитайте и впишите "
                                            "«Ответ гражданина» сами", ref), key)
        slot = (entry.location, journal.sheet, app.row)
        current = self.planned.get(slot) or app.answer
        if current is answer:
            return _Decision(item, "already", key)
        if current is not None or "answer" in app.invalid:
            return _keyed(manual("conflict", f"в журнале уже другой ответ — гражданин "
                                             f"написал «{answer.label}»; проверьте", ref), key)
        when = item.received.astimezone(self.config.zone).replace(tzinfo=None)
        decided = _Decision(item, reply.verdict.value, key, answer=(ref, answer, when))
        answer_change = journal.change(app.row, "answer", "", answer.label, "ответ гражданина")
        if answer_change is not None:
            decided.changes.append((entry, answer_change))
        when_change = journal.change(app.row, "answered_at", "", short_datetime(when),
                                     "дата ответа")
        if when_change is not None and app.answered_at is None \
                and "answered_at" not in app.invalid:
            decided.changes.append((entry, when_change))
        self.planned[slot] = answer
        if app.outcome is not None:
            decided.note = (f"{ref}: ответ «{answer.label}» пришел, когда в графе 7 уже записан "
                            f"итог «{app.outcome.label}» — проверьте, сообщите гражданину")
        return decided


def _keyed(decision: _Decision, key: str) -> _Decision:
    decision.row_key = key
    return decision


def _address(text: str) -> str | None:
    return usable_address(text) if text else None


def read_replies(locations: Sequence[str], config: Config, clock: Clock, dry_run: bool = False,
                 *, environ: Mapping[str, str] | None = None,
                 settings: ImapSettings | None = None) -> RepliesResult:
    """Read the new replies of every mailbox folder of the journals' bodies (see the module
    docstring); with `dry_run`, change nothing — no journal cell, flag, ledger entry or move."""
    base = settings or imap_settings(config)
    ledger_path = state_dir(config, locations[0] if locations else ".") / LEDGER_NAME
    result = RepliesResult(dry_run)
    reader = _Reader(locations, config)
    if dry_run:
        ledger = ReplyLedger(ledger_path) if ledger_path.exists() else None
        try:
            for folder in reader.folders(base):
                _folder(reader, dataclasses.replace(base, folder=folder), ledger, result,
                        environ, clock, dry_run=True)
        finally:
            if ledger is not None:
                ledger.close()
        return result
    with exclusive(ledger_path, "ответы граждан уже читаются другим запуском; повторите "
                                "позже"), ReplyLedger(ledger_path) as ledger:
        for folder in reader.folders(base):
            _folder(reader, dataclasses.replace(base, folder=folder), ledger, result, environ,
                    clock)
    return result


def _folder(reader: _Reader, settings: ImapSettings, ledger: ReplyLedger | None,
            result: RepliesResult, environ: Mapping[str, str] | None, clock: Clock,
            dry_run: bool = False) -> None:
    key = settings.key
    with Mailbox(settings, environ) as box:
        after = ledger.last_uid(key, box.uidvalidity) if ledger is not None else 0
        decided: list[_Decision] = []
        for item in box.fetch(box.new_uids(after)):
            if ledger is not None and ledger.is_processed(key, item.uidvalidity, item.uid):
                continue
            if ledger is not None and ledger.seen_message(key, item.message_id):
                decided.append(_Decision(item, "duplicate"))
                continue
            decided.append(reader.decide(item))
        if not dry_run:
            _write(decided, result)
        for decision in decided:
            _report(decision, result)
            if dry_run or ledger is None:
                continue
            if decision.flag:
                box.flag(decision.item.uid)
            ledger.record(key, decision.item.uidvalidity, decision.item.uid, decision.outcome,
                          row_key=decision.row_key, message_id=decision.item.message_id,
                          at=clock.now.replace(tzinfo=reader.config.zone))
            log.info("reply uid=%s outcome=%s", decision.item.uid, decision.outcome)
            if settings.processed_folder and not decision.flag:
                box.move(decision.item.uid, settings.processed_folder)
    result.folders.append(settings.folder)


def _write(decided: list[_Decision], result: RepliesResult) -> None:
    """Write the answers, one write per journal; a cell left alone sends its message to staff.
    A busy journal (JournalBusy) stops the run before anything is recorded."""
    by_source: dict[int, tuple[_Journal, list[tuple[_Decision, CellChange]]]] = {}
    for decision in decided:
        for entry, change in decision.changes:
            by_source.setdefault(id(entry.source), (entry, []))[1].append((decision, change))
    for entry, pairs in by_source.values():
        written = entry.source.write([change for _, change in pairs])
        result.written += len(written.written)
        refused = {id(change): why for change, why in written.skipped}
        for decision, change in pairs:
            why = refused.get(id(change))
            if why is None or decision.manual is not None:
                continue
            decision.flag, decision.outcome = True, "not-written"
            assert decision.answer is not None
            ref = decision.answer[0]
            sender = parseaddr(str(decision.item.message.get("From", "") or ""))[1]
            subject = " ".join(str(decision.item.message.get("Subject", "") or "").split())
            decision.manual = Manual(sender, subject, decision.item.received,
                                     f"ответ не записан в журнал ({why})", ref)
            decision.answer = None


def _report(decision: _Decision, result: RepliesResult) -> None:
    result.processed += 1
    if decision.manual is not None:
        result.manual.append(decision.manual)
    elif decision.answer is not None:
        result.recorded.append(decision.answer)
        if decision.note:
            result.notes.append(decision.note)
    elif decision.outcome in ("already", "duplicate"):
        result.already += 1


__all__ = ["LEDGER_NAME", "MailboxError", "RepliesResult", "imap_settings", "read_replies"]
