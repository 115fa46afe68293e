"""What becomes of each application of a `vks intake` run: the result's lists, the ledger's
records, the journal rows (cl. 2.4), the findings (cl. 2.3), the mailbox's processed messages.

`Outcomes` is the recording half of the run (`register._Run` reads, routes and forwards); it
never logs or returns personal data — items name the source line and the journal row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from toolkit.intake import result as R
from toolkit.intake.append import NewRow, Place, append_rows
from toolkit.intake.forward import Outcome, Sent
from toolkit.intake.inbox import WidgetInbox, WidgetMessage
from toolkit.intake.ledger import IntakeLedger, Record
from toolkit.intake.repeat_check import repeat_finding
from toolkit.intake.repeats import RepeatMatch
from toolkit.intake.routing import Routing
from toolkit.intake.settings import IntakeSettings
from toolkit.intake.submission import Problem, Submission, birth_hash
from toolkit.journal.config import Config
from toolkit.journal.control import control_text
from toolkit.journal.errors import JournalBusy, JournalError
from toolkit.journal.findings import finding
from toolkit.journal.locations import journal_key
from toolkit.journal.russian import short_date, short_datetime
from toolkit.sources.dry_run import DryRunSource


@dataclass
class Candidate:
    """A valid new application on its way: routed, maybe forwarded, to be registered."""

    sub: Submission
    message: WidgetMessage | None
    routing: Routing
    due: dt.date
    place: Place | None = None
    match: RepeatMatch | None = None
    sent: Sent | None = None
    to_centre: bool = False  # the e-mail went to the centre (not placed), not to the body
    reached: dt.datetime | None = None  # when the body got it by e-mail
    problems: tuple[Problem, ...] = ()  # warnings that do not stop registration


class Outcomes:
    """Records what became of each application (see the module doc)."""

    settings: IntakeSettings
    config: Config
    ledger: IntakeLedger
    result: R.IntakeResult
    inbox: WidgetInbox | None
    now: dt.datetime
    today: dt.date
    dry_run: bool
    secret: bytes
    sleep: Callable[[float], None]
    _seq: dict[int, int]

    def _done(self, message: WidgetMessage | None, outcome: str, flag: bool = False) -> None:
        if message is None or self.inbox is None or self.dry_run:
            return
        if outcome:
            self.inbox.done(message, outcome, flag=flag)
        elif flag:
            self.inbox.flag(message)

    def _unrouted(self, c: Candidate, reason: str, rule: str = "unrouted") -> None:
        self._item(R.UNROUTED, c.sub, reason=reason, due=c.due, sent=c.sent,
                   to_centre=c.to_centre)
        self._save(c.sub, "unrouted", rule=rule, body=c.routing.body or "", due=c.due)
        if self.today >= c.due:
            centre = self.settings.centre
            self.result.findings.append(finding(
                "unrouted-due", centre.name if centre else "", "", due=c.due,
                submitted=short_datetime(c.sub.submitted), where=c.sub.where))
        self._done(c.message, "", flag=True)

    def _without_journal(self, c: Candidate) -> None:
        body = c.routing.body or ""
        if c.reached is not None:
            item = self._item(R.FORWARDED, c.sub, body=body, reason=c.routing.reason,
                              received=c.reached.date(), due=c.due, sent=c.sent)
            self._save(c.sub, "forwarded", rule=c.routing.rule, body=body, due=c.due,
                       forwarded_at=c.reached)
            self._late(item)
            self._done(c.message, "forwarded")
        elif c.sent is not None and not c.to_centre and c.sent.outcome is not Outcome.WRITTEN:
            self._item(R.PENDING, c.sub, body=body, reason="письмо органу не отправлено",
                       due=c.due, sent=c.sent)
            self._save(c.sub, "pending", rule=c.routing.rule, body=body, due=c.due)
        elif c.sent is not None and not c.to_centre:  # dry run
            self._item(R.FORWARDED, c.sub, body=body, reason=c.routing.reason, due=c.due,
                       sent=c.sent)
        else:
            self._unrouted(c, f"орган определен — «{body}» ({c.routing.reason}), но его "
                              f"журнала нет среди журналов, а адрес эл. почты органа не указан "
                              f"([[bodies]] email)", rule="no-journal")

    def _register(self, location: str, group: list[Candidate]) -> None:
        from toolkit.sources.open import open_source

        rows: dict[str, list[NewRow]] = {}
        order: dict[str, list[Candidate]] = {}
        for c in group:
            assert c.place is not None
            reached = c.reached or self.now
            hint = ""
            if c.match is not None:
                hint = control_text([repeat_finding(c.match, c.place.body, c.place.sheet, 0)])
            s = c.sub
            rows.setdefault(c.place.sheet, []).append(NewRow(
                received=reached.date(), citizen=s.citizen, topic=s.topic,
                submitted=s.submitted.astimezone(self.config.zone).date() if s.submitted
                else None, address=s.address, phone=s.phone, email=s.email,
                consent_data=s.consent_data, consent_video=s.consent_video, control=hint))
            order.setdefault(c.place.sheet, []).append(c)
        for attempt in range(self.settings.busy_retries + 1):
            source = open_source(location, self.config)
            try:
                done = append_rows(DryRunSource(source) if self.dry_run else source, self.config,
                                   rows)
                break
            except JournalBusy as exc:
                if attempt < self.settings.busy_retries:
                    self.sleep(self.settings.busy_wait)
                    continue
                self.result.busy = True
                self._pending(location, group, f"Журнал {location} не записан: {exc}",
                              "журнал занят — строка будет добавлена при следующем запуске")
                return
            except JournalError as exc:
                self._pending(location, group, f"Журнал {location} не записан: {exc}",
                              "журнал не записан (см. ниже) — строка будет добавлена при "
                              "следующем запуске")
                return
            finally:
                close = getattr(source, "close", None)
                if close is not None:
                    close()
        self.result.notes.extend(done.notes)
        for sheet, why in done.failed.items():
            self._pending(location, order[sheet], f"Журнал {location}, лист «{sheet}» не "
                          f"записан: {why}", "лист не записан — строка будет добавлена при "
                                             "следующем запуске")
        written = iter(done.written)
        for sheet, cands in order.items():
            if sheet in done.failed:
                continue
            for c in cands:
                w = next(written)
                assert w.sheet == sheet
                reached = c.reached or self.now
                item = self._item(
                    R.REGISTERED, c.sub, body=c.routing.body or "", location=location,
                    sheet=sheet, row=w.row, number=w.number, received=reached.date(),
                    due=c.due, sent=c.sent, reason=c.routing.reason,
                    problems=c.problems)
                self._save(c.sub, "registered", rule=c.routing.rule, body=c.routing.body or "",
                           due=c.due, location=location, sheet=sheet, row=w.row,
                           number=w.number, forwarded_at=reached, registered_at=self.now)
                self._late(item)
                if c.match is not None:
                    body = c.place.body if c.place else ""
                    f = repeat_finding(c.match, body, sheet, w.row)
                    item.hint = f"{f.severity.label}, п. 2.8: {f.message}"
                    self.result.findings.append(f)
                self._done(c.message, "registered")

    def _pending(self, location: str, group: list[Candidate], note: str, why: str) -> None:
        """Placed but not registered: the next run registers them (the ledger says where)."""
        self.result.notes.append(note)
        for c in group:
            self._item(R.PENDING, c.sub, body=c.routing.body or "", due=c.due, sent=c.sent,
                       reason=why)
            self._save(c.sub, "pending", rule=c.routing.rule, body=c.routing.body or "",
                       due=c.due, location=location, sheet=c.place.sheet if c.place else "",
                       forwarded_at=c.reached)

    def _late(self, item: R.Item) -> None:
        if item.late and item.submitted is not None:
            self.result.findings.append(finding(
                "forwarding-late", item.body, item.sheet, item.row,
                f"B{item.row}" if item.row else None, item.due,
                submitted=short_date(item.submitted.date()),
                received=short_date(item.received)))

    def _item(self, state: str, sub: Submission, **values: object) -> R.Item:
        item = R.Item(state, sub.source, sub.ref, key=sub.key, submitted=sub.submitted,
                      seq=self._seq.get(id(sub), 0), **values)  # type: ignore[arg-type]
        self.result.items.append(item)
        return item

    def _save(self, sub: Submission, state: str, **values: object) -> None:
        if values.get("location"):
            values["location"] = journal_key(str(values["location"]))
        birth = birth_hash(sub.birth_date, self.secret) if sub.birth_date and self.secret \
            else ""
        self.ledger.save(Record(
            sub.key, state, submitted_at=sub.submitted.astimezone(self.config.zone)
            if sub.submitted else None, birth_hash=birth, source=sub.source, ref=sub.ref,
            **values))  # type: ignore[arg-type]


def placed_before(record: Record | None) -> str:
    if record is None:
        return "выше"
    if record.state == "registered":
        return f"зарегистрирована ранее: «{record.sheet}», строка {record.row}"
    return f"переадресована ранее: {record.body}"
