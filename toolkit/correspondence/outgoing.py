"""`vks notify`: each decision e-mailed to its citizen once (cl. 2.4), and the cancellations
(cl. 2.7) and reschedulings (cl. 3.5) after it.

    result = send_notices("журнал.xlsx", config, Clock.local())
    result.exit_code        # 0 done, 1 some notices not sent (they go on the next run)
    print("\\n".join(result.lines()))

A run: read the journal; make the rejection letters still missing (`vks letters`); create the
Telemost meetings due and write their links; plan each row's notice (`planning`); build it from
the body's templates (`notices`) and hand it to the [mail] server from the body's address,
recording every step in the notices ledger (`outbox`); then write the moment each decision
was sent into «Уведомление направлено» — compare-and-set on the empty cell, as `check
--write` does. A run killed at any moment loses nothing and sends a notice at most twice (see
`outbox`); two runs at once cannot both send (a lock beside the ledger, exit code 3).

The citizen's address and name travel only in the message to that citizen; the console, logs
and ledger name bodies, sheets, rows and hashes.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import os
import re
import smtplib
import time
from collections.abc import Callable, Mapping
from email.utils import parseaddr
from pathlib import Path
from typing import Any

from toolkit.correspondence.attachments import letter_attachment, letter_of, prepare_letters
from toolkit.correspondence.meetings import create_links
from toolkit.correspondence.notices import Attachment, NoticeData, build_notice
from toolkit.correspondence.outbox import LEDGER_NAME, Outbox, exclusive
from toolkit.correspondence.planning import (
    REASONS,
    Action,
    NoticePlan,
    PlanContext,
    Plans,
    RowNote,
    addressing,
    plan_journal,
)
from toolkit.correspondence.reference import NoticeKind
from toolkit.correspondence.sent import NotifyResult, SentNotice
from toolkit.journal.calendar import WorkingCalendar
from toolkit.journal.clock import Clock
from toolkit.journal.config import Body, Config
from toolkit.journal.control import calendar_for
from toolkit.journal.errors import ConfigError, JournalBusy
from toolkit.journal.locations import journal_key, state_dir
from toolkit.journal.model import CellChange, Journal
from toolkit.journal.read import read_journals
from toolkit.journal.russian import short_datetime
from toolkit.mail.smtp import MailError, MailSettings, send_message, write_eml
from toolkit.sources.open import open_source

log = logging.getLogger("vks.notify")

Transport = Callable[..., dict[str, str]]  # send_message(settings, msg, on_data=…)
DRY_SENDER = "vks@vks.localhost"


def send_notices(location: str, config: Config, clock: Clock, dry_run: Path | None = None, *,
                 transport: Transport = send_message, environ: Mapping[str, str] | None = None,
                 session: Any = None) -> NotifyResult:
    """Send the notices due for one journal (with `dry_run`: write them as .eml files into
    that folder, create no meeting, make no letter, change nothing)."""
    env = os.environ if environ is None else environ
    settings = MailSettings.from_config(config, env)
    if dry_run is None:
        dataclasses.replace(settings, sender=settings.sender or DRY_SENDER).check()
    ledger = state_dir(config, location) / LEDGER_NAME
    result = NotifyResult(location, dry_run)
    if dry_run is not None:
        outbox = Outbox(ledger) if ledger.exists() else None
        try:
            _run(location, config, clock, result, settings, outbox, transport, env, session)
        finally:
            if outbox is not None:
                outbox.close()
        return result
    with exclusive(ledger), Outbox(ledger) as outbox:
        _run(location, config, clock, result, settings, outbox, transport, env, session)
    return result


class _Run:
    """One run over one journal: the moment, the calendar, the ledger, where mail goes."""

    def __init__(self, location: str, config: Config, clock: Clock, result: NotifyResult,
                 settings: MailSettings, outbox: Outbox | None, transport: Transport) -> None:
        self.location, self.config, self.clock, self.result = location, config, clock, result
        self.settings, self.outbox, self.transport = settings, outbox, transport
        self.calendar: WorkingCalendar = calendar_for(config)
        self.started = time.monotonic()
        self.key = journal_key(location)

    def moment(self) -> dt.datetime:
        """The local time now, on the run's clock (so --today runs repeat exactly)."""
        elapsed = dt.timedelta(seconds=int(time.monotonic() - self.started))
        return self.clock.now + elapsed

    def plan(self, journals: list[Journal]) -> list[tuple[Journal, Plans]]:
        ctx = PlanContext(self.key, self.clock.now, self.calendar, self.outbox)
        return [(j, plan_journal(j, ctx)) for j in journals]


def _run(location: str, config: Config, clock: Clock, result: NotifyResult,
         settings: MailSettings, outbox: Outbox | None, transport: Transport,
         env: Mapping[str, str], session: Any) -> None:
    run = _Run(location, config, clock, result, settings, outbox, transport)
    dry = result.dry_run is not None
    source = open_source(location, config)
    journals = read_journals(source, config)
    if not dry and not parseaddr(settings.sender)[1]:
        for journal in journals:
            if not journal.body.email:
                raise ConfigError(f"не указан адрес, с которого отправлять уведомления органа "
                                  f"«{journal.body.name}»: [[bodies]] email или [mail] sender")
    planned = run.plan(journals)
    rejections = sorted({j.body.name for j, p in planned for n in p.notices
                         if n.kind is NoticeKind.REJECTION and n.action is not Action.SETTLE
                         and letter_of(config, location, j.body.name, n.app.number or 0)
                         is None})
    if rejections and not dry:
        made = prepare_letters(location, config, clock, [j.sheet for j in journals
                                                         if j.body.name in rejections])
        if made.busy:
            raise JournalBusy(made.busy)
        result.letters = len(made.made)
        if made.made or made.written:  # the journal changed on disk: read it again
            source = open_source(location, config)
            journals = read_journals(source, config)
    if not dry:
        links = create_links(source, journals, config, clock.now, env, session)
        result.links, result.link_failures = links.created, links.failures
        result.not_written.extend(links.not_written)
    planned = run.plan(journals)
    changes: list[CellChange] = []
    stop = ""
    for journal, plans in planned:
        result.already += plans.already
        result.phone.extend(plans.phone)
        result.problems.extend(_dry_links(plans.problems, journal) if dry else plans.problems)
        changes.extend(plans.fills)
        for plan in plans.notices:
            if stop:
                result.deferred += 1
                continue
            stop = _deliver(run, journal, plan, changes)
    if stop:
        result.stopped = stop
    if changes and not dry:
        try:
            written = source.write(changes)
        except JournalBusy as exc:
            result.busy = str(exc)
        else:
            result.written += len(written.written)
            result.not_written.extend(f"лист «{c.sheet}», ячейка {c.cell}: {why}"
                                      for c, why in written.skipped)


def _dry_links(problems: list[RowNote], journal: Journal) -> list[RowNote]:
    """A dry run makes no meeting: a body with a Telemost token will have its links made."""
    if not journal.body.telemost_token_env:
        return problems
    return [RowNote(p.ref, p.kind, "ссылка на Телемост будет создана при отправке — в пробном "
                                   "запуске письмо не готовится")
            if p.kind is NoticeKind.APPOINTMENT and "нет ссылки" in p.message else p
            for p in problems]


def _deliver(run: _Run, journal: Journal, plan: NoticePlan, changes: list[CellChange]) -> str:
    """Send (or settle) one notice; "" to go on, or why the rest must wait for the next run."""
    result, outbox, body = run.result, run.outbox, journal.body
    # A body without a sender stopped a real run before anything was planned (`_run`).
    sender = body.email or parseaddr(run.settings.sender)[1] or DRY_SENDER
    attachment: Attachment | None = None
    if plan.kind is NoticeKind.REJECTION and plan.action is not Action.SETTLE:
        letter = letter_of(run.config, run.location, body.name, plan.app.number or 0)
        if letter is None:
            result.problems.append(RowNote(plan.ref, plan.kind, (
                "решение об отклонении (приложение № 2) не подготовлено — см. vks letters; "
                "письмо не отправлено")))
            return ""
        attachment, warning = letter_attachment(letter, plan.token, run.config, run.location)
        if warning:
            result.warnings.append(f"{plan.ref}: {warning}")
    at = run.moment()
    if plan.action is Action.SETTLE:
        if outbox is not None and result.dry_run is None:
            outbox.settle(plan.row_hash, plan.kind, plan.revision, at)
            _note_sent(result, plan, at, changes, uncertain=True)
        return ""
    message = build_notice(_data(run, body, plan, at, sender), sender=sender,
                           recipient=plan.recipient, attachment=attachment,
                           now=at.replace(tzinfo=run.config.zone))
    if result.dry_run is not None:
        name = f"{journal.sheet}-{plan.app.number}-{plan.kind.value}-{plan.revision}"
        path = write_eml(message, result.dry_run, name)
        result.sent.append(SentNotice(plan.ref, plan.kind, plan.revision, plan.corrects,
                                      plan.action is Action.RETRY, path=path))
        return ""
    assert outbox is not None
    if plan.supersede is not None:
        outbox.supersede(plan.row_hash, plan.kind, plan.supersede.revision)
    outbox.begin(plan.row_hash, plan.kind, plan.revision, plan.digest, plan.recipient_hash,
                 str(message["Message-ID"]))
    mail = dataclasses.replace(run.settings, sender=sender)
    try:
        run.transport(mail, message,
                      on_data=lambda: outbox.maybe(plan.row_hash, plan.kind, plan.revision))
    except MailError as exc:
        cause = exc.__cause__
        log.warning("notice not sent: row %s, %s (after data: %s)", plan.row_hash,
                    plan.kind.value, exc.after_data)
        if isinstance(cause, smtplib.SMTPRecipientsRefused) and \
                all(code >= 500 for code, _ in cause.recipients.values()):
            outbox.refused(plan.row_hash, plan.kind, plan.revision)  # for good: by phone
            result.phone.append(RowNote(plan.ref, plan.kind, (
                "почтовый сервер отклонил адрес эл. почты — сообщите гражданину по телефону "
                "или исправьте адрес")))
            return ""
        outbox.failed(plan.row_hash, plan.kind, plan.revision)
        # The server's words may quote the citizen's address: it is blanked out.
        text = re.sub(re.escape(plan.recipient), "<адрес гражданина>", str(exc), flags=re.I)
        result.failed.append(f"{plan.ref}: {_title(plan)} не отправлено: {text}")
        return "" if isinstance(cause, smtplib.SMTPRecipientsRefused) else text
    sent_at = run.moment()
    outbox.sent(plan.row_hash, plan.kind, plan.revision, sent_at)
    log.info("notice sent: row %s, %s, revision %d", plan.row_hash, plan.kind.value,
             plan.revision)
    _note_sent(result, plan, sent_at, changes)
    return ""


def _note_sent(result: NotifyResult, plan: NoticePlan, at: dt.datetime,
               changes: list[CellChange], uncertain: bool = False) -> None:
    result.sent.append(SentNotice(plan.ref, plan.kind, plan.revision, plan.corrects,
                                  plan.action is Action.RETRY, uncertain=uncertain))
    if plan.fill_notice:
        changes.append(CellChange(plan.ref.sheet, plan.app.row, "notice_sent", "",
                                  short_datetime(at), "уведомление направлено", plan.notice_col))


def _title(plan: NoticePlan) -> str:
    from toolkit.correspondence.planning import KIND_TITLES

    return KIND_TITLES[plan.kind].capitalize()


def _data(run: _Run, body: Body, plan: NoticePlan, at: dt.datetime, sender: str) -> NoticeData:
    app = plan.app
    name, gender = addressing(app.citizen)
    contacts = "; ".join(part for part in (f"тел. {body.phone}" if body.phone else "",
                                           f"эл. почта {sender}" if body.email else "") if part)
    appointment, previous, deadline = app.appointment, None, None
    if plan.kind is NoticeKind.APPOINTMENT:
        start = app.notice_sent.date() if app.notice_sent is not None else at.date()
        due = run.calendar.add(start, 1)  # cl. 2.6: the next working day after the notice
        deadline = due if due >= at.date() else None
    elif plan.kind is NoticeKind.RESCHEDULE:
        appointment, previous = app.rescheduled_to, app.appointment
    return NoticeData(
        kind=plan.kind, body_name=body.name, body_contacts=contacts, citizen_name=name,
        citizen_gender=gender, reference=plan.token, appointment=appointment,
        previous_appointment=previous, specialist=app.specialist, link=app.link,
        deadline=deadline, ground=app.ground.text if app.ground else "",
        reason=REASONS.get(app.outcome, "") if app.outcome else "", received=app.received,
        corrects=plan.corrects,
        earlier_message_id=plan.earlier.message_id if plan.earlier is not None else None,
        revision=plan.revision)


__all__ = ["NotifyResult", "Transport", "send_notices"]
