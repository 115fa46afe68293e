"""What a replies run did: answers recorded, messages for staff to read (console only)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from toolkit.correspondence.planning import RowRef
from toolkit.journal.russian import count, short_datetime
from toolkit.journal.schema import Answer


@dataclass(frozen=True)
class Manual:
    """A message a person must read: who sent it, its subject, when, and why it was left.

    The sender and subject are personal data: they are shown on the console of the person who
    runs `vks replies` and never go into a log, a ledger or a job's summary."""

    sender: str
    subject: str
    received: dt.datetime
    reason: str
    ref: RowRef | None = None

    def line(self) -> str:
        where = f"{self.ref}: " if self.ref is not None else ""
        subject = self.subject if len(self.subject) <= 120 else self.subject[:119] + "…"
        return (f"{short_datetime(self.received.replace(tzinfo=None))} от {self.sender or '?'} "
                f"«{subject}» — {where}{self.reason}")


@dataclass
class RepliesResult:
    """The outcome of `read_replies`."""

    dry_run: bool = False
    recorded: list[tuple[RowRef, Answer, dt.datetime]] = field(default_factory=list)
    already: int = 0  # read before, or the answer already in the journal
    manual: list[Manual] = field(default_factory=list)  # flagged in the mailbox
    notes: list[str] = field(default_factory=list)
    processed: int = 0
    written: int = 0  # journal cells
    folders: list[str] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        return 0

    def lines(self, personal: bool = True) -> list[str]:
        """The run in Russian; `personal=False` leaves out senders and subjects (for the
        jobs' summary, which is stored)."""
        verb = "было бы записано" if self.dry_run else "записано"
        confirmed = sum(1 for _, a, _ in self.recorded if a is Answer.CONFIRMED)
        head = (f"Ответы граждан: прочитано {count(self.processed, 'письмо', 'письма', 'писем')}"
                f", {verb} ответов {len(self.recorded)} (подтверждений {confirmed}, отказов "
                f"{len(self.recorded) - confirmed}), без изменений {self.already}, разобрать "
                f"вручную {len(self.manual)}.")
        out = [head]
        if self.dry_run:
            out.append("Пробный запуск: журнал, отметки писем и учет прочитанного не изменены.")
        if self.recorded:
            out.append("Записано в журнал:" if not self.dry_run else "Будет записано:")
            out.extend(f"  {ref}: «{answer.label}», {short_datetime(when)}"
                       for ref, answer, when in self.recorded)
        if self.notes:
            out.append("Проверьте:")
            out.extend(f"  {note}" for note in self.notes)
        if self.manual:
            out.append("Разобрать вручную (письма отмечены флажком в почтовом ящике):")
            if personal:
                out.extend(f"  {m.line()}" for m in self.manual)
            else:
                out.extend(f"  {m.ref or 'заявка не найдена'}: {m.reason}" for m in self.manual)
        return out
