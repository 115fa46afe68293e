"""What a `vks intake` run did, application by application, in Russian and without personal data.

Each application is named by where it was read (the export's file and line, or the message's
UID) and by where it went (the body, sheet, row and № п/п): the lines can go to a console, a
job's log and the failure notice alike.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from toolkit.intake.forward import Outcome, Sent
from toolkit.intake.submission import Problem
from toolkit.journal.findings import Finding, Severity
from toolkit.journal.russian import count, short_date, short_datetime

# States of an item: what happened to the application in this run.
REGISTERED = "registered"  # a new row of the body's journal
FORWARDED = "forwarded"  # e-mailed to a body whose journal is not at hand
UNROUTED = "unrouted"  # «Не распределено»: the centre decides
PENDING = "pending"  # placed, not registered yet (journal busy, mail failed): next run
BROKEN = "broken"  # not registered: the application has errors (cl. 2.2)
COPY = "copy"  # read before (an overlapping export, the same message)
MAX_COPIES = 10  # copies named one by one; an hourly job re-reads whole exports


@dataclass
class Item:
    """One application read in this run."""

    state: str
    source: str
    ref: str
    key: str = ""
    submitted: dt.datetime | None = None
    body: str = ""
    reason: str = ""  # why this body, why not placed, why pending, where the copy went
    location: str = ""
    sheet: str = ""
    row: int | None = None
    number: int | None = None
    received: dt.date | None = None  # graph 2: when it reached the body
    due: dt.date | None = None  # the forwarding deadline (cl. 2.3)
    sent: Sent | None = None
    to_centre: bool = False  # the e-mail went to the centre (the application was not placed)
    hint: str = ""  # a possible repeat question (ground 4)
    problems: tuple[Problem, ...] = ()
    seq: int = 0  # the order it was read in

    @property
    def where(self) -> str:
        return ", ".join(p for p in (self.source, self.ref) if p)

    @property
    def late(self) -> bool:
        return bool(self.received and self.due and self.received > self.due)


@dataclass
class IntakeResult:
    """The run: every application read, the findings (cl. 2.3 deadlines, repeat questions)."""

    moment: dt.datetime
    dry_run: bool = False
    items: list[Item] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    sources: dict[str, int] = field(default_factory=dict)  # source → applications read
    eml: list[Path] = field(default_factory=list)
    busy: bool = False  # a journal was open in Excel/LibreOffice: rows left for the next run

    def with_state(self, state: str) -> list[Item]:
        return [i for i in self.items if i.state == state]

    @property
    def mail_failed(self) -> list[Item]:
        return [i for i in self.items if i.sent is not None and i.sent.outcome in (
            Outcome.FAILED, Outcome.UNSURE, Outcome.MAYBE_SENT)]

    @property
    def exit_code(self) -> int:
        """3 a journal was busy; 1 something needs a person; 0 everything placed in time."""
        if self.busy:
            return 3
        attention = (self.with_state(BROKEN) or self.with_state(UNROUTED)
                     or self.with_state(PENDING) or self.mail_failed
                     or any(f.severity is not Severity.INFO for f in self.findings))
        return 1 if attention else 0

    def counts(self) -> dict[str, int]:
        """Figures for the jobs' ledger and statistics."""
        out = {state: len(self.with_state(state))
               for state in (REGISTERED, FORWARDED, UNROUTED, PENDING, BROKEN, COPY)}
        out["late"] = sum(1 for i in self.items if i.state in (REGISTERED, FORWARDED) and i.late)
        out["mails_sent"] = sum(1 for i in self.items
                                if i.sent is not None and i.sent.outcome is Outcome.SENT)
        out["mails_failed"] = len(self.mail_failed)
        out["repeats"] = sum(1 for f in self.findings if f.code == "repeat-question")
        return out

    def summary(self) -> str:
        c = self.counts()
        verb = "было бы зарегистрировано" if self.dry_run else "зарегистрировано"
        return (f"{verb} {c[REGISTERED]}, переадресовано без регистрации {c[FORWARDED]}, "
                f"не распределено {c[UNROUTED]}, с ошибками {c[BROKEN]}, повторов выгрузки "
                f"{c[COPY]}, ожидают {c[PENDING]}; переадресовано позже срока {c['late']}")

    def lines(self) -> list[str]:
        head = "Проверка приема заявок (ничего не записано и не отправлено)" if self.dry_run \
            else "Прием заявок с сайта"
        read = "; ".join(f"{s}: {n}" for s, n in self.sources.items()) or "источников нет"
        out = [f"{head} на {short_datetime(self.moment)} — прочитано: {read}."]
        sections = (
            (REGISTERED, "Зарегистрированы в журналах (п. 2.4)", _registered),
            (FORWARDED, "Переадресованы по эл. почте; журнал органа здесь не ведется", _forwarded),
            (UNROUTED, "Не распределено — решает центр социальных выплат (п. 2.3, срок — "
                       "1 рабочий день)", _unrouted),
            (PENDING, "Ожидают регистрации (будут зарегистрированы при следующем запуске)",
             _pending),
            (BROKEN, "Не зарегистрированы: ошибки в заявке (п. 2.2)", _broken),
            (COPY, "Уже приняты ранее (повтор в выгрузке или письме)", _copy),
        )
        for state, title, render in sections:
            items = sorted(self.with_state(state), key=lambda i: i.seq)
            if not items:
                continue
            out.append("")
            out.append(f"{title}: {len(items)}")
            shown = items[:MAX_COPIES] if state == COPY else items
            for item in shown:
                out.extend(f"  {line}" for line in render(item))
            if len(shown) < len(items):
                out.append(f"  … и еще {len(items) - len(shown)}")
        notable = [f for f in self.findings if f.code != "repeat-question"]
        if notable:
            out.append("")
            out.append(f"Замечания: {count(len(notable), 'замечание', 'замечания', 'замечаний')}")
            out.extend(f"  {_finding(f)}" for f in notable)
        if self.notes:
            out.append("")
            out.extend(self.notes)
        if self.eml:
            out.append(f"Письма переадресации записаны в файлы ({len(self.eml)}): "
                       f"{self.eml[0].parent}")
        out.append("")
        out.append("Итого: " + self.summary() + ".")
        return out


def _sent(item: Item) -> str:
    sent = item.sent
    if sent is None:
        return ""
    to = "центру" if item.to_centre else "органу"
    if sent.outcome is Outcome.SENT:
        return f"; письмо {to} отправлено {short_datetime(sent.at)}"
    if sent.outcome is Outcome.ALREADY_SENT:
        return f"; письмо {to} отправлено ранее"
    if sent.outcome is Outcome.WRITTEN:
        return f"; письмо {to} записано в файл"
    if sent.outcome is Outcome.MAYBE_SENT:
        return f"; письмо {to}, возможно, отправлено (ответ сервера не получен) — проверьте"
    if sent.outcome is Outcome.UNSURE:
        return (f"; письмо {to}: ответ сервера не получен, возможно, оно отправлено — при "
                f"следующем запуске будет отправлено еще раз, не больше одного раза")
    return f"; письмо {to} НЕ отправлено: {sent.error} — повторится при следующем запуске"


def _deadline(item: Item) -> str:
    if not item.late:
        return ""
    return f"; переадресация позже срока {short_date(item.due)} (п. 2.3)"


def _registered(item: Item) -> list[str]:
    lines = [f"{item.where}: «{item.sheet}», строка {item.row}, № {item.number}; поступила "
             f"{short_date(item.received)}{_deadline(item)}{_sent(item)}"]
    if item.hint:
        lines.append(f"    {item.hint}")
    lines.extend(f"    предупреждение: {p.message}" for p in item.problems)
    return lines


def _forwarded(item: Item) -> list[str]:
    return [f"{item.where}: {item.body}{_deadline(item)}{_sent(item)}"]


def _unrouted(item: Item) -> list[str]:
    when = short_datetime(item.submitted) if item.submitted else "без даты"
    due = f"срок {short_date(item.due)}" if item.due else "срок не определен"
    return [f"{item.where}: подана {when}, {due}; {item.reason}{_sent(item)}"]


def _pending(item: Item) -> list[str]:
    return [f"{item.where}: {item.body} — {item.reason}{_sent(item)}"]


def _broken(item: Item) -> list[str]:
    errors = [p for p in item.problems if p.severity == "error"] or list(item.problems)
    return [f"{item.where}: " + "; ".join(p.message for p in errors)]


def _copy(item: Item) -> list[str]:
    return [f"{item.where}: {item.reason}"]


def _finding(f: Finding) -> str:
    where = f"«{f.sheet}», строка {f.row}: " if f.sheet and f.row else ""
    return f"{f.severity.label}, п. {f.clause}: {where}{f.message}"
