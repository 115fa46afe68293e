"""`vks intake`: applications from the website into the bodies' journals (cl. 2.1–2.4, 2.9).

    result = take_in([Path("заявки.csv"), MAILBOX], config, Clock.local(), journal="журнал.xlsx")
    print("\\n".join(result.lines())); sys.exit(result.exit_code)

For every application read (a website export, the widget's e-mails):

1. validation at the door (cl. 2.2): one with errors is not registered but listed with its line
   and reasons; one whose key the ledger holds as registered or forwarded is a copy;
2. routing (cl. 2.3) by the table of `[intake]`: the competent body, or «Не распределено» for
   the centre with the 1-working-day deadline (a finding once it is due);
3. a repeat question (ground 4, cl. 2.9): earlier applications of the same citizen with a
   similar topic, across bodies and the earlier years' journals — a hint in the row's control
   column, never a rejection;
4. forwarding by e-mail to the body (`[[bodies]] email`), once (the ledger's outbox); the time
   it reached the body is graph 2 «Дата поступления заявки» — later than 1 working day after
   submission is a `forwarding-late` finding;
5. registration (cl. 2.4): a new row of the body's journal (`append`), retried while the
   journal is open in Excel/LibreOffice, otherwise left pending for the next run.

One run at a time (the ledger's lock). A dry run writes, records and sends nothing (forwarding
e-mails go to .eml files when a folder is given).
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from toolkit.intake import result as R
from toolkit.intake.append import Places, read_sheets
from toolkit.intake.exports import read_export
from toolkit.intake.forward import Outcome, Sent, Transport, compose, forward_once
from toolkit.intake.inbox import LEDGER_NAME as MAIL_LEDGER
from toolkit.intake.inbox import NOT_APPLICATION, WidgetInbox, WidgetMessage
from toolkit.intake.ledger import CENTRE, IntakeLedger
from toolkit.intake.outcomes import Candidate, Outcomes, placed_before
from toolkit.intake.paths import LEDGER_NAME
from toolkit.intake.repeat_check import (
    Query,
    candidates,
    earlier_journals,
    earlier_rows,
)
from toolkit.intake.repeats import RepeatIndex
from toolkit.intake.settings import IntakeSettings
from toolkit.intake.submission import Entry
from toolkit.journal.clock import Clock
from toolkit.journal.config import Config
from toolkit.journal.control import calendar_for
from toolkit.journal.errors import ConfigError
from toolkit.journal.locations import state_dir
from toolkit.journal.model import JournalSource
from toolkit.journal.rules import FORWARDING_DAYS
from toolkit.mail.smtp import MailSettings, send_message, write_eml

MAILBOX = "imap:"  # a source: the intake mailbox of `[intake.mailbox]`


def take_in(
    sources: Sequence[str | Path],
    config: Config,
    clock: Clock,
    journal: str | None = None,
    dry_run: bool = False,
    *,
    eml_dir: Path | None = None,
    transport: Transport = send_message,
    environ: Mapping[str, str] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> R.IntakeResult:
    """Take in the applications of `sources` (export files, `MAILBOX`); see the module doc."""
    env = os.environ if environ is None else environ
    settings = IntakeSettings.from_config(config)
    run = _Run(settings, config, clock, journal, dry_run, eml_dir, transport, env, sleep)
    ledger_at = run.ledger_path()
    with contextlib.ExitStack() as stack:
        if dry_run:
            ledger = stack.enter_context(_scratch_copy(ledger_at))
        else:
            ledger = stack.enter_context(IntakeLedger.open(ledger_at))
        run.ledger = ledger
        entries: list[tuple[Entry, WidgetMessage | None]] = []
        for source in sources:
            if str(source) == MAILBOX:
                entries.extend(run.read_mailbox(stack, ledger_at.parent / MAIL_LEDGER))
            else:
                read = read_export(Path(source), settings.mapping)
                run.result.sources[read.source] = len(read.entries)
                entries.extend((e, None) for e in read.entries)
        run.process(entries)
    return run.result


@contextlib.contextmanager
def _scratch_copy(path: Path):  # type: ignore[no-untyped-def]
    """A throwaway copy of the ledger for a dry run."""
    with tempfile.TemporaryDirectory(prefix="vks-intake-") as folder:
        copy = Path(folder) / LEDGER_NAME
        if path.is_file():
            with contextlib.closing(sqlite3.connect(path)) as src, \
                    contextlib.closing(sqlite3.connect(copy)) as dst:
                src.backup(dst)
        with IntakeLedger(copy) as ledger:
            yield ledger


class _Run(Outcomes):
    """One run: reads, validates, routes, looks up repeats and forwards; `Outcomes` records."""

    def __init__(self, settings: IntakeSettings, config: Config, clock: Clock,
                 journal: str | None, dry_run: bool, eml_dir: Path | None,
                 transport: Transport, env: Mapping[str, str],
                 sleep: Callable[[float], None]) -> None:
        self.settings, self.config, self.journal = settings, config, journal
        self.dry_run, self.eml_dir, self.transport, self.sleep = dry_run, eml_dir, transport, sleep
        self.env = env
        self.now = clock.now.replace(tzinfo=config.zone)
        self.today = clock.today
        self.calendar = calendar_for(config)
        self.table = settings.table
        self.locations = Places.locations(config, journal)
        self.secret = env.get(settings.secret_env, "").encode()
        self.result = R.IntakeResult(self.now.replace(tzinfo=None), dry_run)
        if not self.secret:
            self.result.notes.append(
                f"Переменная окружения {settings.secret_env} не задана: дата рождения в учет "
                f"заявок не записывается, повторные вопросы сверяются по ФИО и контактам.")
        self.ledger: IntakeLedger
        self.inbox: WidgetInbox | None = None
        self._mail: MailSettings | None = None
        self._seq: dict[int, int] = {}  # the reading order of the submissions (by identity)

    def ledger_path(self) -> Path:
        if self.locations:
            return state_dir(self.config, self.locations[0]) / LEDGER_NAME
        return (self.config.state_dir or Path.cwd() / ".vks") / LEDGER_NAME

    # reading ------------------------------------------------------------------------------

    def read_mailbox(self, stack: contextlib.ExitStack, ledger: Path
                     ) -> list[tuple[Entry, WidgetMessage | None]]:
        if self.settings.mailbox is None:
            raise ConfigError("почтовый ящик заявок не настроен: добавьте раздел "
                              "[intake.mailbox] в файл настроек")
        self.inbox = stack.enter_context(WidgetInbox(self.settings.mailbox, ledger, self.env))
        out: list[tuple[Entry, WidgetMessage | None]] = []
        for message in self.inbox.messages():
            if message.entry is None:
                assert message.problem is not None
                self.result.items.append(R.Item(R.BROKEN, message.problem.source,
                                                message.problem.ref,
                                                problems=(message.problem,)))
                self._done(message, NOT_APPLICATION, flag=True)
                continue
            out.append((message.entry, message))
        self.result.sources[self.inbox.source] = len(out)
        return out

    # the run ------------------------------------------------------------------------------

    def process(self, entries: Sequence[tuple[Entry, WidgetMessage | None]]) -> None:
        self._seq = {id(e.submission): n for n, (e, _) in enumerate(entries)}
        candidates = self._triage(entries)
        if not candidates:
            return
        sources = self._sources()
        places = Places(self.config, self.journal, self.table,
                        {loc: src.sheet_titles() for loc, src in sources.items()})
        for c in candidates:
            if c.routing.routed:
                assert c.routing.body is not None
                c.place = places.find(c.routing.body)
        if self.settings.repeats is not False:
            self._repeats(candidates, sources)
        for c in candidates:
            self._forward(c, places)
        by_location: dict[str, list[Candidate]] = {}
        for c in candidates:
            if not c.routing.routed:
                self._unrouted(c, c.routing.reason)
            elif c.place is None:
                self._without_journal(c)
            else:
                by_location.setdefault(c.place.location, []).append(c)
        for location, group in by_location.items():
            self._register(location, group)

    def _triage(self, entries: Sequence[tuple[Entry, WidgetMessage | None]]
                ) -> list[Candidate]:
        seen: dict[str, str] = {}
        out: list[Candidate] = []
        for entry, message in entries:
            sub = entry.submission
            if sub is None:
                problem = entry.problems[0]
                self.result.items.append(R.Item(R.BROKEN, problem.source, problem.ref,
                                                problems=entry.problems))
                self._done(message, "broken", flag=True)
                continue
            key = sub.key
            record = self.ledger.get(key)
            if key in seen or (record is not None and record.final):
                where = seen.get(key) or placed_before(record)
                self._item(R.COPY, sub, reason=f"та же заявка, что {where}")
                self._done(message, "duplicate")
                continue
            seen[key] = sub.where
            if not entry.ok:
                self._item(R.BROKEN, sub, problems=entry.problems)
                self._save(sub, "broken", problems=",".join(p.code for p in entry.problems))
                self._done(message, "broken", flag=True)
                continue
            assert sub.submitted is not None
            due = self.calendar.add(sub.submitted.astimezone(self.config.zone).date(),
                                    FORWARDING_DAYS)
            out.append(Candidate(sub, message, self.table.route(sub), due,
                                  problems=entry.problems))
        return out

    def _sources(self) -> dict[str, JournalSource]:
        from toolkit.sources.open import open_source

        return {loc: open_source(loc, self.config) for loc in self.locations}

    def _repeats(self, candidates_: list[Candidate], sources: Mapping[str, JournalSource]
                 ) -> None:
        hashes = self.ledger.birth_hashes()
        keep = candidates(Query(c.sub.citizen, c.sub.phone, c.sub.email) for c in candidates_)
        rows = []
        for location, source in sources.items():
            journals, _ = read_sheets(source, self.config)
            name = Path(location).name if len(sources) > 1 else ""
            rows += earlier_rows(journals, hashes, name, keep)
        rows += earlier_journals(self.config, self.settings, skip=list(sources), keep=keep)
        index = RepeatIndex(rows, secret=self.secret)
        for c in candidates_:
            found = index.find(c.sub)
            c.match = found[0] if found else None

    def _forward(self, c: Candidate, places: Places) -> None:
        """E-mail the application to its body (or the centre, when not placed), once."""
        if not self.settings.forward:
            return
        centre = self.settings.centre
        body = places.configured(c.routing.body) if c.routing.body else None
        if body is not None and body.email and body != centre:
            target, to, label = body.name, body.email, body.name
        elif body is not None and body == centre and c.place is not None:
            return  # the centre's own applications: registered in its journal
        elif c.place is None and centre is not None and centre.email:
            # not placed, or placed to a body out of reach: the centre forwards it by hand
            target, to, label = CENTRE, centre.email, centre.name
            c.to_centre = True
        else:
            return  # the body's journal is at hand: registration is how it reaches the body
        hint = c.match.explain() if c.match else ""
        settings = self._mail_settings()

        def make(message_id: str):  # type: ignore[no-untyped-def]
            return compose(c.sub, settings, [to], message_id, body=label,
                           reason=c.routing.reason, hint=hint, centre=target == CENTRE)

        if self.dry_run:
            row = self.ledger.forward(c.sub.key, target)
            if row is not None and row["state"] == "sent":
                c.sent = Sent(Outcome.ALREADY_SENT, row["message_id"])
            else:
                from email.utils import make_msgid

                msg = make(make_msgid(domain=settings.domain))
                if self.eml_dir is not None:
                    self.result.eml.append(write_eml(msg, self.eml_dir, _eml_name(c, label)))
                c.sent = Sent(Outcome.WRITTEN, str(msg["Message-ID"]))
        else:
            c.sent = forward_once(self.ledger, c.sub, target, make, settings, self.transport,
                                  self.now)
        if c.sent.delivered and not c.to_centre:
            c.reached = c.sent.at or self.now

    def _mail_settings(self) -> MailSettings:
        if self._mail is None:
            self._mail = MailSettings.from_config(self.config, self.env)
            if self.dry_run and not self._mail.sender:
                import dataclasses

                self._mail = dataclasses.replace(self._mail, sender="vks@vks.localhost")
            elif not self.dry_run:
                self._mail.check()
        return self._mail

def _eml_name(c: Candidate, label: str) -> str:
    when = f"{c.sub.submitted:%Y-%m-%d %H-%M}" if c.sub.submitted else "без даты"
    return f"{when} {c.sub.key[:10]} {label[:40]}"


def intake_files(config: Config, patterns: Sequence[str]) -> list[Path]:
    """Export files named in a job (relative to vks.toml); «*» and «?» take every match."""
    out: list[Path] = []
    for pattern in patterns:
        path = Path(pattern).expanduser()
        if not path.is_absolute() and config.path is not None:
            path = config.path.parent / path
        if any(ch in path.name for ch in "*?["):
            out.extend(sorted(p for p in path.parent.glob(path.name) if p.is_file()))
        else:
            out.append(path)
    return list(dict.fromkeys(out))
