"""The steps a job may declare (`[[steps]] do = …`), as typed values the executors take."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CheckStep:
    """Check the journals; with `write`, record the control column and cl. 2.7 cancellations."""

    write: bool = False
    bodies: tuple[str, ...] = ()
    kind: str = "check"

    @property
    def title(self) -> str:
        return "Проверка и запись в журнал" if self.write else "Проверка журнала"


@dataclass(frozen=True)
class LettersStep:
    """Make the rejection decisions due (Appendix 2) and note them in the journal."""

    out: str | None = None  # default: [letters] out, else «решения»
    pdf: bool = False
    bodies: tuple[str, ...] = ()
    kind: str = "letters"
    title: str = "Решения об отклонении заявок"


@dataclass(frozen=True)
class StatsStep:
    """The monthly statistics report files (.xlsx, HTML, JSON)."""

    out: str | None = None  # default: «статистика»
    month: str = "previous"  # or "current"
    formats: tuple[str, ...] = ("xlsx", "html", "json")
    bodies: tuple[str, ...] = ()
    kind: str = "stats"
    title: str = "Ежемесячная статистика"


@dataclass(frozen=True)
class SendStep:
    """Mail the monthly statistics (each message once, per the outbox ledger)."""

    month: str = "previous"
    kind: str = "send"
    title: str = "Рассылка статистики"


@dataclass(frozen=True)
class RecordingsStep:
    """The list of video recordings whose 2-year retention has ended (cl. 3.6)."""

    out: str | None = None  # default: «видеозаписи»
    format: str = "xlsx"  # or "csv"
    bodies: tuple[str, ...] = ()
    kind: str = "recordings"
    title: str = "Видеозаписи к уничтожению (п. 3.6)"


@dataclass(frozen=True)
class NotifyStep:
    """E-mail the decisions, cancellations and reschedulings due to citizens (cl. 2.4)."""

    kind: str = "notify"
    title: str = "Уведомления гражданам по эл. почте"


@dataclass(frozen=True)
class RepliesStep:
    """Read the citizens' answers from the mailbox into the journal (cl. 2.6)."""

    kind: str = "replies"
    title: str = "Ответы граждан на уведомления"


@dataclass(frozen=True)
class IntakeStep:
    """Take in applications from the website (cl. 2.3, 2.4): export files and/or the mailbox."""

    sources: tuple[str, ...] = ()  # export files; a «*» pattern takes every matching file
    mailbox: bool = False  # the widget's e-mails of [intake.mailbox]
    kind: str = "intake"
    title: str = "Прием заявок с сайта (п. 2.3, 2.4)"


Step = (CheckStep | LettersStep | StatsStep | SendStep | RecordingsStep | NotifyStep
        | RepliesStep | IntakeStep)
STEP_KINDS = ("check", "write-back", "letters", "stats", "send", "recordings", "notify",
              "replies", "intake")
# Run once per journal; the others once per job.
PER_JOURNAL = frozenset({"check", "letters", "notify"})
