"""The monthly report by e-mail, sent once to each recipient list: the outbox ledger.

    result = send_monthly(["журнал.xlsx"], config, Month.parse("2026-11"), clock)
    result.exit_code  # 0 all sent (or sent before), 1 some failed: they are retried next run

Messages: one per body to the body's `recipients` (its own figures), and one to the ministry's
`[mail] ministry_recipients` with every body and the totals. The HTML report is the body (charts
as inline cid: images), the .xlsx report is attached.

The ledger is the toolkit's outbox (`mail.outbox`, SQLite in the state directory), keyed by
report, body and month. A re-run sends nothing already sent. A failed send is recorded as
«failed», reported, and retried (same Message-ID) on the next run. A send whose result is
unknown — the process died while handing it over, or the server's reply came after our
timeout — is tried again at most once, with the same Message-ID: at most one duplicate,
recognisable by its ID; after that it is reported as «возможно, отправлено». Two runs at once
cannot both send: a run holds an exclusive lock beside the ledger.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import make_msgid
from enum import Enum
from pathlib import Path

from toolkit.journal.clock import Clock
from toolkit.journal.config import Config
from toolkit.journal.errors import ConfigError
from toolkit.mail.outbox import Outbox, OutboxBusy, Outcome, exclusive, send_once
from toolkit.mail.smtp import MailSettings, new_message, send_message, write_eml
from toolkit.stats.period import Month
from toolkit.stats.results import MonthlyStats

log = logging.getLogger("vks.delivery")

REPORT = "stats-monthly"
MINISTRY = "*"  # the ledger's body key of the ministry's report (all bodies and totals)
MINISTRY_LABEL = "все органы"
LEDGER_NAME = "outbox.sqlite"
XLSX_TYPE = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")

Transport = Callable[[MailSettings, EmailMessage], dict[str, str]]


class Status(Enum):
    SENT = "sent"
    ALREADY_SENT = "already-sent"
    FAILED = "failed"
    MAYBE_SENT = "maybe-sent"  # the server may have taken it twice over: not sent again
    WRITTEN = "written"  # dry run: saved as .eml
    NO_RECIPIENTS = "no-recipients"


@dataclass
class Delivery:
    """What became of one report of the month."""

    body: str  # the body's name, or MINISTRY_LABEL
    recipients: tuple[str, ...]
    status: Status
    message_id: str = ""
    attempts: int = 0
    error: str = ""
    path: Path | None = None
    resent: bool = False  # a previous run crashed while sending it: a duplicate is possible
    refused: dict[str, str] = field(default_factory=dict)

    @property
    def line(self) -> str:
        who = ", ".join(self.recipients)
        if self.status is Status.SENT:
            text = f"отправлено: {self.body} → {who}"
            if self.resent:
                text += " (повторно после сбоя прошлого запуска)"
            if self.refused:
                text += f"; сервер не принял адреса: {', '.join(self.refused)}"
            return text
        if self.status is Status.ALREADY_SENT:
            return f"уже отправлено ранее: {self.body}"
        if self.status is Status.FAILED:
            return (f"ошибка: {self.body} → {who}: {self.error}; будет повторено при следующем "
                    f"запуске (попытка {self.attempts})")
        if self.status is Status.MAYBE_SENT:
            return (f"возможно, отправлено: {self.body} → {who}: сервер не подтвердил прием "
                    f"{self.attempts} раза; повторно не отправляется, чтобы письмо не пришло "
                    f"еще раз — узнайте у получателя, пришло ли письмо ({self.message_id})")
        if self.status is Status.WRITTEN:
            return f"записано письмо: {self.body} → {who}: {self.path}"
        return f"нет получателей: {self.body}"


@dataclass
class SendResult:
    """The outcome of a run: one delivery per report."""

    month: Month
    dry_run: bool
    deliveries: list[Delivery] = field(default_factory=list)

    def with_status(self, status: Status) -> list[Delivery]:
        return [d for d in self.deliveries if d.status is status]

    @property
    def failed(self) -> list[Delivery]:
        return self.with_status(Status.FAILED)

    @property
    def exit_code(self) -> int:
        return 1 if self.failed else 0

    @property
    def maybe_sent(self) -> list[Delivery]:
        return self.with_status(Status.MAYBE_SENT)

    def lines(self) -> list[str]:
        """The run in Russian, for the console and the jobs' log."""
        head = "Проверка рассылки (письма записаны в файлы, не отправлены)" if self.dry_run \
            else "Рассылка статистики"
        out = [f"{head} за {self.month.title.lower()}:"]
        out.extend(f"  {d.line}" for d in self.deliveries)
        sent = len(self.with_status(Status.SENT))
        written = len(self.with_status(Status.WRITTEN))
        before = len(self.with_status(Status.ALREADY_SENT))
        parts = [f"записано {written}" if self.dry_run else f"отправлено {sent}",
                 f"отправлено ранее {before}", f"ошибок {len(self.failed)}"]
        if self.maybe_sent:
            parts.append(f"возможно, отправлено {len(self.maybe_sent)}")
        missing = len(self.with_status(Status.NO_RECIPIENTS))
        if missing:
            parts.append(f"без получателей {missing}")
        out.append("Итого: " + ", ".join(parts) + ".")
        return out


@dataclass(frozen=True)
class _Plan:
    key: str
    label: str
    recipients: tuple[str, ...]
    stats: MonthlyStats


def _plans(stats: MonthlyStats, config: Config, settings: MailSettings) -> list[_Plan]:
    plans = []
    for body in stats.bodies:
        configured = config.body_named(body.body)
        recipients = configured.recipients if configured else ()
        plans.append(_Plan(body.body, body.body, tuple(recipients), stats.for_body(body.body)))
    plans.append(_Plan(MINISTRY, MINISTRY_LABEL, settings.ministry_recipients, stats))
    if not any(p.recipients for p in plans):
        raise ConfigError("не указаны получатели статистики: добавьте recipients органам "
                          "([[bodies]]) и/или ministry_recipients в [mail]")
    return plans


def compose(plan_stats: MonthlyStats, settings: MailSettings, recipients: Sequence[str],
            label: str, message_id: str) -> EmailMessage:
    """The report as a message: text and HTML alternatives, charts inline, .xlsx attached."""
    from toolkit.stats.report import charts, render_html, render_text, render_xlsx, report_name

    month = plan_stats.month
    subject = f"Статистика личного приема по ВКС за {month.title.lower()} — {label}"
    msg = new_message(settings, recipients, subject, message_id)
    msg.set_content(render_text(plan_stats))
    images = charts(plan_stats)
    cids = {c.name: f"{c.name}.{month.key}@{settings.domain}" for c in images}
    msg.add_alternative(render_html(plan_stats, {n: f"cid:{cid}" for n, cid in cids.items()}),
                        subtype="html")
    html_part = msg.get_payload()[-1]  # type: ignore[index]
    assert isinstance(html_part, EmailMessage)
    for chart in images:
        html_part.add_related(chart.png, "image", "png", cid=f"<{cids[chart.name]}>",
                              disposition="inline", filename=f"{chart.name}.png")
    msg.add_attachment(render_xlsx(plan_stats), maintype=XLSX_TYPE[0], subtype=XLSX_TYPE[1],
                       filename=f"{report_name(month)}.xlsx")
    return msg


def send_reports(
    stats: MonthlyStats,
    config: Config,
    ledger: Path,
    dry_run: Path | None = None,
    settings: MailSettings | None = None,
    transport: Transport = send_message,
) -> SendResult:
    """Send the month's reports that were not sent yet (or, with `dry_run`, save them as .eml).

    Each body's report goes to its recipients, the full report to the ministry's. A dry run
    sends and records nothing; it leaves out what the ledger says was sent already.
    """
    settings = settings or MailSettings.from_config(config)
    plans = _plans(stats, config, settings)
    result = SendResult(stats.month, dry_run is not None)
    if dry_run is not None:
        if not settings.sender:
            settings = _with_sender(settings)
        outbox = Outbox(ledger) if ledger.exists() else None
        try:
            for plan in plans:
                result.deliveries.append(_dry_run(plan, stats.month, settings, outbox, dry_run))
        finally:
            if outbox is not None:
                outbox.close()
        return result
    settings.check()
    with exclusive(ledger):
        outbox = Outbox(ledger)
        try:
            for plan in plans:
                result.deliveries.append(_deliver(plan, stats.month, settings, outbox,
                                                  transport))
        finally:
            outbox.close()
    return result


def _with_sender(settings: MailSettings) -> MailSettings:
    import dataclasses

    return dataclasses.replace(settings, sender="vks@vks.localhost")


def _dry_run(plan: _Plan, month: Month, settings: MailSettings, outbox: Outbox | None,
             folder: Path) -> Delivery:
    if not plan.recipients:
        return Delivery(plan.label, (), Status.NO_RECIPIENTS)
    row = outbox.get((REPORT, plan.key, month.key)) if outbox else None
    if row is not None and row["state"] == "sent":
        return Delivery(plan.label, plan.recipients, Status.ALREADY_SENT, row["message_id"])
    message_id = row["message_id"] if row else make_msgid(domain=settings.domain)
    msg = compose(plan.stats, settings, plan.recipients, plan.label, message_id)
    path = write_eml(msg, folder, f"{month.key} {plan.label}")
    return Delivery(plan.label, plan.recipients, Status.WRITTEN, message_id, path=path)


def _deliver(plan: _Plan, month: Month, settings: MailSettings, outbox: Outbox,
             transport: Transport) -> Delivery:
    if not plan.recipients:
        return Delivery(plan.label, (), Status.NO_RECIPIENTS)
    done = send_once(
        outbox, (REPORT, plan.key, month.key),
        lambda message_id: compose(plan.stats, settings, plan.recipients, plan.label,
                                   message_id),
        plan.recipients, settings, transport)
    status = {Outcome.SENT: Status.SENT, Outcome.ALREADY_SENT: Status.ALREADY_SENT,
              Outcome.MAYBE_SENT: Status.MAYBE_SENT}.get(done.outcome, Status.FAILED)
    return Delivery(plan.label, plan.recipients, status, done.message_id, done.attempts,
                    done.error, resent=done.resent, refused=done.refused)


def ledger_path(config: Config, locations: Sequence[str]) -> Path:
    """The outbox ledger: in the state directory of the (first) journal."""
    from toolkit.journal.locations import state_dir

    return state_dir(config, locations[0] if locations else ".") / LEDGER_NAME


def send_monthly(locations: Sequence[str], config: Config, month: Month, clock: Clock,
                 dry_run: Path | None = None, transport: Transport = send_message
                 ) -> SendResult:
    """Collect the month's statistics from the journals and send the reports not sent yet."""
    from toolkit.stats.monthly import stats_for

    stats = stats_for(locations, config, month, clock)
    return send_reports(stats, config, ledger_path(config, locations), dry_run,
                        transport=transport)


__all__ = [
    "MINISTRY",
    "REPORT",
    "Delivery",
    "Outbox",
    "OutboxBusy",
    "SendResult",
    "Status",
    "compose",
    "ledger_path",
    "send_monthly",
    "send_reports",
]
