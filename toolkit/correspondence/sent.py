"""What a notify run did, in Russian for the console, the jobs' summary and the exit code."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from toolkit.correspondence.planning import KIND_TITLES, RowNote, RowRef
from toolkit.correspondence.reference import NoticeKind
from toolkit.journal.russian import count


@dataclass(frozen=True)
class SentNotice:
    """A notice this run handed over (or wrote to a file in a dry run)."""

    ref: RowRef
    kind: NoticeKind
    revision: int
    corrects: bool = False  # replaces an earlier notice
    resent: bool = False  # the same message again after a failed or doubtful attempt
    uncertain: bool = False  # handed over twice without the server's answer: taken as sent
    path: Path | None = None  # dry run: the .eml file


@dataclass
class NotifyResult:
    """The outcome of `send_notices` for one journal."""

    location: str
    dry_run: Path | None = None  # the folder the .eml files went to
    sent: list[SentNotice] = field(default_factory=list)
    already: int = 0  # notices sent by earlier runs
    failed: list[str] = field(default_factory=list)  # not sent: retried next run
    deferred: int = 0  # not tried: the server failed earlier in the run
    stopped: str = ""  # why the run stopped sending
    phone: list[RowNote] = field(default_factory=list)  # tell the citizen by phone
    problems: list[RowNote] = field(default_factory=list)  # rows lacking data for a notice
    warnings: list[str] = field(default_factory=list)
    links: int = 0  # Telemost meetings created and written
    link_failures: list[str] = field(default_factory=list)
    letters: int = 0  # rejection letters made for the notices
    written: int = 0  # journal cells written
    not_written: list[str] = field(default_factory=list)
    busy: str | None = None  # the journal could not be written (open, or changed)

    @property
    def exit_code(self) -> int:
        """0 done; 1 some notices or meetings failed (the next run tries again); 3 busy."""
        if self.busy:
            return 3
        return 1 if self.failed or self.deferred or self.link_failures else 0

    def count_of(self, kind: NoticeKind | None = None) -> int:
        return sum(1 for s in self.sent if kind is None or s.kind is kind)

    def lines(self) -> list[str]:
        """The run in Russian: what went out, what staff must do. No personal data."""
        verb = "записано в файлы" if self.dry_run is not None else "отправлено"
        head = f"{self.location}: {verb} {count(len(self.sent), 'письмо', 'письма', 'писем')}"
        kinds = [f"{KIND_TITLES[k]} {self.count_of(k)}" for k in NoticeKind if self.count_of(k)]
        if kinds:
            head += " (" + ", ".join(kinds) + ")"
        fixed = sum(1 for s in self.sent if s.corrects)
        again = sum(1 for s in self.sent if s.resent)
        extra = [f"исправленных {fixed}" if fixed else "",
                 f"повторно после сбоя {again}" if again else "",
                 f"отправлено ранее {self.already}",
                 f"не отправлено {len(self.failed) + self.deferred}" if self.failed or
                 self.deferred else ""]
        out = [head + "; " + ", ".join(e for e in extra if e) + "."]
        if self.links:
            out.append(f"Создано встреч в Телемосте: {self.links} (ссылки записаны в журнал).")
        if self.letters:
            out.append(f"Подготовлено решений об отклонении: {self.letters}.")
        if self.written:
            out.append(f"Записано в журнал ячеек: {self.written}.")
        if self.dry_run is not None:
            out.append(f"Пробный запуск: письма — в папке {self.dry_run}; ничего не отправлено, "
                       f"журнал не изменен, встречи в Телемосте не создавались.")
        sections = (
            ("Не отправлено (будет отправлено при следующем запуске):", self.failed),
            ("Встречи в Телемосте не созданы:", self.link_failures),
            ("Сообщите гражданину по телефону (письмо не отправить):", self.phone),
            ("Письмо не отправлено — не хватает данных:", self.problems),
            ("Не записано в журнал:", self.not_written),
            ("Проверьте:", self.warnings),
        )
        for title, items in sections:
            if items:
                out.append(title)
                out.extend(f"  {item}" for item in items)
        uncertain = [s for s in self.sent if s.uncertain]
        if uncertain:
            out.append("Сервер дважды не подтвердил прием письма — считается отправленным:")
            out.extend(f"  {s.ref}: {KIND_TITLES[s.kind]}" for s in uncertain)
        if self.stopped:
            out.append(f"Отправка остановлена: {self.stopped}; еще {self.deferred} — при "
                       f"следующем запуске.")
        if self.busy:
            out.append(f"Ошибка: {self.busy}")
            out.append("Письма отправлены, но отметки «Уведомление направлено» не записаны: "
                       "закройте журнал — они допишутся при следующем запуске.")
        return out
