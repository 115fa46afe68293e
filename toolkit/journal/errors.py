"""The toolkit's exceptions: fatal problems only. Problems in the data are findings, not errors."""

from __future__ import annotations


class ToolkitError(Exception):
    """Base of every error a command turns into a Russian message and an exit code."""

    exit_code = 2


class ConfigError(ToolkitError):
    """The configuration file is missing a value or holds a wrong one."""


class JournalError(ToolkitError):
    """A journal cannot be opened or read, or its header is not the one of Appendix 1."""


class HeaderMismatch(JournalError):
    """A journal sheet's header cell differs from Appendix 1: that sheet cannot be read."""

    def __init__(self, message: str, sheet: str, cell: str, expected: str, found: str,
                 earlier_layout: bool = False) -> None:
        super().__init__(message)
        self.sheet, self.cell, self.expected, self.found = sheet, cell, expected, found
        self.earlier_layout = earlier_layout


class JournalBusy(ToolkitError):
    """The journal is open in Excel/LibreOffice or changed since it was read: nothing is written."""

    exit_code = 3


class TemplateError(ToolkitError):
    """A document template is broken or asks for a value the toolkit does not provide."""


class NotRegularFile(OSError):
    """A FIFO, a device, a socket or a folder where a file is expected (strerror in Russian)."""


# errno → what happened, in Russian; the path is added by `describe_os_error`.
_OS_CAUSES = {
    "ENOSPC": "на диске нет места",
    "EDQUOT": "превышена дисковая квота пользователя",
    "EFBIG": "файл больше допустимого размера (ограничение системы)",
    "EACCES": "нет прав доступа",
    "EPERM": "операция не разрешена (права доступа)",
    "EROFS": "файловая система доступна только для чтения",
    "ENOENT": "файл или папка не найдены",
    "EISDIR": "это папка, а не файл",
    "ENOTDIR": "часть пути — не папка",
    "EIO": "ошибка ввода-вывода (диск или сетевая папка недоступны)",
    "ENAMETOOLONG": "слишком длинное имя файла",
    "ELOOP": "символические ссылки образуют петлю",
    "EMFILE": "открыто слишком много файлов",
    "ENFILE": "открыто слишком много файлов",
    "EBUSY": "файл занят другой программой",
    "ETXTBSY": "файл занят другой программой",
    "EXDEV": "файл нельзя перенести на другой диск одним действием",
    "ENXIO": "это не обычный файл (канал или устройство)",
    "ESTALE": "сетевая папка недоступна (устаревший дескриптор)",
    "ETIMEDOUT": "истекло время ожидания сетевой папки",
    "EHOSTDOWN": "сетевая папка недоступна",
    "ENOTCONN": "сетевая папка недоступна",
}
_OS_HINTS = {
    "ENOSPC": "освободите место и запустите команду снова",
    "EDQUOT": "освободите место и запустите команду снова",
    "EFBIG": "освободите место или снимите ограничение и запустите команду снова",
    "EACCES": "дайте пользователю, от имени которого работает программа, права на этот файл "
              "и его папку",
    "EPERM": "дайте пользователю, от имени которого работает программа, права на этот файл "
             "и его папку",
    "EROFS": "укажите папку на диске, доступном для записи",
}


_WRITE_FAILURES = frozenset({"ENOSPC", "EDQUOT", "EFBIG", "EROFS", "EIO"})


def describe_os_error(exc: OSError, path: object = None) -> str:
    """«/srv/vks/.vks/runs.sqlite: на диске нет места — освободите место…» for an OSError."""
    import errno as errno_names

    name = errno_names.errorcode.get(exc.errno or 0, "")
    cause = exc.strerror if isinstance(exc, NotRegularFile) else _OS_CAUSES.get(name)
    if not cause:
        cause = f"системная ошибка {name or type(exc).__name__}"
    where = exc.filename if exc.filename is not None else path
    text = f"{where}: {cause}" if where is not None else cause[:1].upper() + cause[1:]
    hint = _OS_HINTS.get(name)
    text += f" — {hint}" if hint else ""
    if name in _WRITE_FAILURES:  # a write broke off: say that nothing half-written remains
        text += ". Недописанных файлов программа не оставляет, прежние файлы не изменены"
    return text + "."


# SQLite result codes of the ledgers (sqlite3.Error.sqlite_errorname) → what happened.
_SQLITE_CAUSES = {
    "SQLITE_FULL": "на диске нет места (база данных или диск заполнены)",
    "SQLITE_IOERR": "ошибка ввода-вывода",
    "SQLITE_READONLY": "файл доступен только для чтения",
    "SQLITE_CANTOPEN": "файл не открывается (нет папки или прав)",
    "SQLITE_PERM": "нет прав доступа",
    "SQLITE_CORRUPT": "файл учета поврежден",
    "SQLITE_NOTADB": "это не файл учета (не база SQLite)",
    "SQLITE_BUSY": "файл учета занят другим запуском дольше 30 с",
    "SQLITE_LOCKED": "файл учета занят другим запуском",
}


def describe_sqlite_error(exc: Exception, path: object = None) -> str:
    """A Russian message for an error of a SQLite ledger, naming its file."""
    name = str(getattr(exc, "sqlite_errorname", "") or "")
    base = name.split("_", 2)
    cause = _SQLITE_CAUSES.get(name) or _SQLITE_CAUSES.get("_".join(base[:2]))
    if cause is None:
        text = str(exc).lower()
        cause = ("на диске нет места (база данных или диск заполнены)" if "full" in text
                 else "только для чтения" if "readonly" in text
                 else f"ошибка SQLite ({type(exc).__name__})")
    if "нет места" not in cause and path is not None and _disk_full(path):
        cause = f"на диске нет места ({cause})"  # SQLite often says «I/O error» for ENOSPC
    where = f"файл учета {path}" if path is not None else "файл учета"
    hint = " — освободите место и запустите команду снова" if "нет места" in cause else ""
    return f"{where}: {cause}{hint}. Записанное раньше не изменено."


def _disk_full(path: object, reserve: int = 1 << 20) -> bool:
    """Whether the file system holding `path` has (almost) no space left."""
    import os

    try:
        st = os.statvfs(os.path.dirname(os.path.abspath(str(path))) or ".")
    except (OSError, AttributeError):  # no statvfs on Windows
        return False
    return st.f_bavail * st.f_frsize < reserve


def describe_error(exc: BaseException) -> str | None:
    """The Russian message for a file-system or ledger error, or None for other errors."""
    import sqlite3

    if isinstance(exc, OSError):
        return describe_os_error(exc)
    if isinstance(exc, sqlite3.Error):
        return describe_sqlite_error(exc, getattr(exc, "vks_path", None))
    return None
