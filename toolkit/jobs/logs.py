"""The jobs' logs: JSON lines in the state folder (no personal data), a console view with a
progress bar, and stopping cleanly on SIGTERM/SIGINT."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import logging.handlers
import os
import signal
import sys
import threading
import traceback
from collections.abc import Iterator
from pathlib import Path
from types import FrameType
from typing import Any

from toolkit.jobs.declarations import Step
from toolkit.journal.files import PRIVATE_FILE, private_dir

log = logging.getLogger("vks.scheduler")

LOG_NAME = "jobs.log"
LOG_BYTES = 1_000_000
LOG_BACKUPS = 5

def log_fields(**values: object) -> dict[str, object]:
    return {"fields": values}


def stack_of(exc: BaseException) -> list[str]:
    """Where an exception came from — file, line, function — without its text, which may
    quote a cell's content."""
    return [f"{Path(f.filename).name}:{f.lineno} {f.name}"
            for f in traceback.extract_tb(exc.__traceback__)]


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (local, with offset), level, logger, message, fields."""

    def __init__(self, zone: dt.tzinfo) -> None:
        super().__init__()
        self.zone = zone

    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, object] = {
            "time": dt.datetime.fromtimestamp(record.created, self.zone)
            .isoformat(timespec="seconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            "pid": record.process,
        }
        extra = getattr(record, "fields", None)
        if isinstance(extra, dict):
            data.update(extra)
        return json.dumps(data, ensure_ascii=False, default=str)


class LocalFormatter(logging.Formatter):
    """Plain lines with the time of the configured zone, not the server's."""

    def __init__(self, zone: dt.tzinfo) -> None:
        super().__init__("%(asctime)s %(levelname)s %(message)s")
        self.zone = zone

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        return dt.datetime.fromtimestamp(record.created, self.zone).strftime("%Y-%m-%d %H:%M:%S")


class _Console(logging.StreamHandler):
    """Writes to whatever sys.stderr is at the moment (click's test runner swaps it); while a
    progress bar is shown, above the bar."""

    bar_shown = False

    def emit(self, record: logging.LogRecord) -> None:
        if _Console.bar_shown:
            from tqdm import tqdm

            try:
                tqdm.write(self.format(record), file=sys.stderr)
            except Exception:
                self.handleError(record)
            return
        self.stream = sys.stderr
        super().emit(record)


def setup_logging(state: Path, zone: dt.tzinfo, console_level: int) -> Path:
    """Logs of the `vks` loggers: a rotating JSON-lines file in the state directory (private)
    and plain lines on the console. Returns the file's path."""
    logger = logging.getLogger("vks")
    teardown_logging()
    folder = private_dir(state / "logs")
    path = folder / LOG_NAME
    if not path.exists():
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, PRIVATE_FILE))
    to_file = logging.handlers.RotatingFileHandler(path, maxBytes=LOG_BYTES,
                                                   backupCount=LOG_BACKUPS, encoding="utf-8")
    to_file.setFormatter(JsonFormatter(zone))
    to_file.setLevel(logging.INFO)
    console = _Console()
    console.setLevel(console_level)
    console.setFormatter(LocalFormatter(zone))
    for handler in (to_file, console):
        setattr(handler, "vks_jobs", True)  # noqa: B010 - a mark teardown_logging looks for
        logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    return path


def teardown_logging() -> None:
    logger = logging.getLogger("vks")
    for handler in list(logger.handlers):
        if getattr(handler, "vks_jobs", False):
            logger.removeHandler(handler)
            handler.close()
    logger.propagate = True
    logger.setLevel(logging.NOTSET)


# --- Progress ----------------------------------------------------------------------------------


class Progress:
    """A progress bar on a terminal (tqdm); plain log lines when not attached to one."""

    def __init__(self, job: str, total: int, bar: bool) -> None:
        self.job = job
        self.total = total
        self._bar: Any = None
        if bar:
            from tqdm import tqdm

            self._bar = tqdm(total=total, desc=job, unit="шаг", file=sys.stderr, leave=False)
            _Console.bar_shown = True

    def begin(self, n: int, step: Step, target: str) -> None:
        if self._bar is not None:
            self._bar.set_postfix_str(f"{step.title} — {target}", refresh=True)
        else:
            log.info("задание %s: шаг %d из %d — %s (%s)", self.job, n, self.total, step.title,
                     target, extra=log_fields(event="step-start", job=self.job, step=step.kind,
                                           target=target))

    def done(self) -> None:
        if self._bar is not None:
            self._bar.update(1)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None
            _Console.bar_shown = False


# --- Signals ---------------------------------------------------------------------------------


@contextlib.contextmanager
def stop_on_signals(stop: threading.Event) -> Iterator[None]:
    """SIGTERM/SIGINT set `stop` (checked between steps); a second signal stops at once."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: FrameType | None) -> None:
        if stop.is_set():
            raise KeyboardInterrupt
        stop.set()
        log.warning("получен сигнал %s: остановка после текущего шага",
                    signal.Signals(signum).name, extra=log_fields(event="signal"))

    previous = {s: signal.signal(s, handler) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


# --- The runner ------------------------------------------------------------------------------
