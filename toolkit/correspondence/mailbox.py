"""Reading citizens' replies from the body's mailbox over IMAP.

    settings = ImapSettings(host="imap.mszn42.ru", username="priem@mszn42.ru",
                            password_env="VKS_IMAP_PASSWORD", processed_folder="ВКС/Обработанные")
    with ReplyLedger(state / "replies.sqlite") as ledger:
        done = process_new(settings, ledger, handle)   # handle(FetchedMessage) -> Outcome

The client is IMAPClient rather than the standard imaplib: it parses FETCH responses (literals,
INTERNALDATE as a datetime), encodes folder names in modified UTF-7 (Russian folder names),
reports capabilities and has MOVE, UID EXPUNGE and STARTTLS with a verifying SSL context —
each of which would be hand-written over imaplib.

The connection is TLS (IMAPS, or STARTTLS); plain IMAP only to a loopback address (tests, a
local proxy). The password comes from the environment variable `password_env` names and never
appears in a message, a log line or the settings' repr. Every failure — server down, timeout,
certificate, login — is a `MailboxError` (exit code 2) with a Russian one-line reason; when one
happens nothing more is recorded as processed, so the next run picks the message up again.
Messages are fetched with BODY.PEEK: reading does not mark them seen.
"""

from __future__ import annotations

import datetime as dt
import email
import ipaddress
import logging
import os
import socket
import ssl
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import default as default_policy
from enum import Enum
from typing import Any
from zoneinfo import ZoneInfo

from toolkit.correspondence.ledger import ReplyLedger, mailbox_key
from toolkit.journal.errors import ToolkitError

log = logging.getLogger("vks.replies")

UNCLEAR_KEYWORD = "vks-unclear"
FLAGGED = "\\Flagged"
MAX_MESSAGE_BYTES = 25 * 1024 * 1024  # larger messages: headers only (a person reads them)
BATCH = 20  # messages per FETCH of bodies


class MailboxError(ToolkitError):
    """The mailbox cannot be reached or read (the reason is in the message)."""


class Security(Enum):
    """How the IMAP connection is protected."""

    SSL = "ssl"  # IMAPS, TLS from the start (port 993)
    STARTTLS = "starttls"  # plain connection upgraded with STARTTLS (port 143)
    NONE = "none"  # no encryption: loopback only

    @property
    def default_port(self) -> int:
        return 993 if self is Security.SSL else 143


def _is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class ImapSettings:
    """Where the replies arrive and how to log in (the password only by variable name)."""

    host: str
    username: str
    password_env: str
    port: int = 0  # 0: 993 for SSL, 143 otherwise
    security: Security = Security.SSL
    folder: str = "INBOX"  # subfolders written with «/», whatever the server's delimiter
    processed_folder: str = ""  # move processed messages here ("" keeps them in place)
    timeout: float = 30.0
    cafile: str | None = None
    timezone: str = "Asia/Novokuznetsk"
    since: dt.date | None = None  # ignore messages that arrived before this day

    def __post_init__(self) -> None:
        if not self.host or not self.username or not self.password_env:
            raise MailboxError("почта для ответов: укажите host, username и password_env")
        if self.security is Security.NONE and not _is_loopback(self.host):
            raise MailboxError(
                f"почта для ответов: соединение без шифрования допустимо только с этим же "
                f"компьютером (127.0.0.1), а указан {self.host}; используйте security = "
                f"\"ssl\" или \"starttls\"")
        if self.timeout <= 0:
            raise MailboxError("почта для ответов: timeout должен быть больше нуля")

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port or self.security.default_port}"

    @property
    def key(self) -> str:
        """The ledger's key of the folder read."""
        return mailbox_key(self.host, self.username, self.folder)

    def password(self, environ: Mapping[str, str] | None = None) -> str:
        env = os.environ if environ is None else environ
        value = env.get(self.password_env, "")
        if not value:
            raise MailboxError(
                f"почта для ответов: пароль не задан — задайте переменную окружения "
                f"{self.password_env}")
        return value


@dataclass(frozen=True)
class FetchedMessage:
    """One message as read from the folder."""

    uid: int
    uidvalidity: int
    received: dt.datetime  # INTERNALDATE, aware, in the settings' time zone
    message: EmailMessage
    truncated: bool = False  # too large: only the headers were fetched

    @property
    def message_id(self) -> str | None:
        value = self.message.get("Message-ID")
        return str(value).strip() if value else None


@dataclass(frozen=True)
class Outcome:
    """What the handler made of a message: a short outcome word, the journal row it concerns,
    and whether a person must look at it (the message is flagged)."""

    outcome: str
    row_key: str | None = None
    flag: bool = False


@dataclass
class Mailbox:
    """An open, logged-in IMAP connection with the folder selected."""

    settings: ImapSettings
    environ: Mapping[str, str] | None = None
    client: Any = field(default=None, repr=False)
    uidvalidity: int = 0
    keywords_allowed: bool = True
    delimiter: str = "/"

    def server_name(self, folder: str) -> str:
        """A folder path written with «/» in the server's own hierarchy delimiter."""
        return folder.replace("/", self.delimiter) if self.delimiter != "/" else folder

    def __enter__(self) -> Mailbox:
        try:
            with _errors(self.settings, "подключение"):
                self._connect()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _connect(self) -> None:
        from imapclient import IMAPClient, SocketTimeout

        s = self.settings
        context = ssl.create_default_context(cafile=s.cafile)
        timeout = SocketTimeout(connect=s.timeout, read=s.timeout)
        port = s.port or s.security.default_port
        client = IMAPClient(s.host, port=port, ssl=s.security is Security.SSL,
                            ssl_context=context, timeout=timeout)
        self.client = client
        client.normalise_times = False  # keep the server's offset: we convert ourselves
        if s.security is Security.STARTTLS:
            if not client.has_capability("STARTTLS"):
                raise MailboxError(f"почтовый сервер {s.address} не поддерживает STARTTLS; "
                                   f"используйте security = \"ssl\"")
            client.starttls(context)
        client.login(s.username, s.password(self.environ))
        listed = client.list_folders("", "")  # «LIST "" ""» gives the hierarchy delimiter
        if listed and listed[0][1]:
            delimiter = listed[0][1]
            self.delimiter = delimiter.decode() if isinstance(delimiter, bytes) else delimiter
        selected = client.select_folder(self.server_name(s.folder))
        self.uidvalidity = int(selected[b"UIDVALIDITY"])
        permanent = selected.get(b"PERMANENTFLAGS", ())
        self.keywords_allowed = not permanent or b"\\*" in permanent

    def close(self) -> None:
        from imapclient.exceptions import IMAPClientError

        client, self.client = self.client, None
        if client is None:
            return
        try:
            client.logout()
        except (OSError, IMAPClientError):  # the connection may already be gone
            with suppress(OSError):
                client.shutdown()

    def new_uids(self, after: int) -> list[int]:
        """UIDs above `after` (IMAP's «n:*» also yields the last message when none is
        above n, so the list is filtered)."""
        criteria: list[Any] = ["UID", f"{after + 1}:*"]
        if self.settings.since:
            criteria += ["SINCE", self.settings.since]
        with _errors(self.settings, "поиск новых писем"):
            found = self.client.search(criteria)
        return sorted(uid for uid in found if uid > after)

    def fetch(self, uids: list[int]) -> Iterator[FetchedMessage]:
        """The messages, in UID order, bodies fetched in batches."""
        zone = ZoneInfo(self.settings.timezone)
        for start in range(0, len(uids), BATCH):
            batch = uids[start:start + BATCH]
            with _errors(self.settings, "чтение писем"):
                sizes = self.client.fetch(batch, ["RFC822.SIZE", "INTERNALDATE"])
                small = [u for u in batch if sizes.get(u, {}).get(b"RFC822.SIZE", 0)
                         <= MAX_MESSAGE_BYTES]
                large = [u for u in batch if u in sizes and u not in small]
                bodies = self.client.fetch(small, ["BODY.PEEK[]"]) if small else {}
                heads = self.client.fetch(large, ["BODY.PEEK[HEADER]"]) if large else {}
            for uid in batch:
                if uid not in sizes:
                    continue  # expunged meanwhile
                raw = (bodies.get(uid, {}).get(b"BODY[]")
                       or heads.get(uid, {}).get(b"BODY[HEADER]") or b"")
                message = email.message_from_bytes(raw, policy=default_policy)
                assert isinstance(message, EmailMessage)
                received = sizes[uid][b"INTERNALDATE"]
                if received.tzinfo is None:  # a server without an offset: take it as UTC
                    received = received.replace(tzinfo=dt.UTC)
                yield FetchedMessage(uid, self.uidvalidity, received.astimezone(zone), message,
                                     truncated=uid in large)

    def flag(self, uid: int, keyword: str = UNCLEAR_KEYWORD) -> None:
        """Mark a message for a person: \\Flagged, and the keyword where the server allows."""
        flags = [FLAGGED] + ([keyword] if keyword and self.keywords_allowed else [])
        with _errors(self.settings, "пометка письма"):
            self.client.add_flags([uid], flags, silent=True)

    def move(self, uid: int, folder: str) -> None:
        """Move a message to `folder` (created if missing): MOVE, else COPY and EXPUNGE."""
        folder = self.server_name(folder)
        with _errors(self.settings, "перенос письма"):
            if not self.client.folder_exists(folder):
                self.client.create_folder(folder)
            if self.client.has_capability("MOVE"):
                self.client.move([uid], folder)
                return
            self.client.copy([uid], folder)
            self.client.add_flags([uid], ["\\Deleted"], silent=True)
            if self.client.has_capability("UIDPLUS"):
                self.client.uid_expunge([uid])
            else:  # expunges every \Deleted message of the folder: the only way without UIDPLUS
                self.client.expunge()


@contextmanager
def _errors(settings: ImapSettings, action: str) -> Iterator[None]:
    """Turn the network's and the server's exceptions into a Russian MailboxError."""
    from imapclient.exceptions import IMAPClientAbortError, IMAPClientError, LoginError

    where = f"почтовый сервер {settings.address}"
    try:
        yield
    except MailboxError:
        raise
    except LoginError:
        raise MailboxError(
            f"{where}: вход не выполнен — неверное имя пользователя или пароль (пароль берется "
            f"из переменной окружения {settings.password_env})") from None
    except ssl.SSLCertVerificationError as exc:
        raise MailboxError(f"{where}: сертификат сервера не прошел проверку "
                           f"({exc.verify_message}); укажите cafile") from None
    except ssl.SSLError as exc:
        raise MailboxError(f"{where}: ошибка TLS ({exc.reason or type(exc).__name__})") \
            from None
    except TimeoutError:
        raise MailboxError(f"{where} не ответил за {settings.timeout:g} с ({action})") from None
    except ConnectionRefusedError:
        raise MailboxError(f"{where} недоступен: соединение отклонено ({action})") from None
    except socket.gaierror:
        raise MailboxError(f"{where}: адрес не найден (проверьте host)") from None
    except IMAPClientAbortError:
        raise MailboxError(f"{where}: соединение прервано ({action})") from None
    except OSError as exc:
        raise MailboxError(f"{where} недоступен ({action}: "
                           f"{exc.strerror or type(exc).__name__})") from None
    except IMAPClientError as exc:
        text = str(exc).replace(settings.password_env, "…")[:200]
        raise MailboxError(f"{where}: сервер отказал ({action}): {text}") from None


def process_new(settings: ImapSettings, ledger: ReplyLedger,
                handle: Callable[[FetchedMessage], Outcome], *,
                environ: Mapping[str, str] | None = None,
                now: Callable[[], dt.datetime] | None = None) -> list[tuple[FetchedMessage,
                                                                             Outcome]]:
    """Handle each message not yet in the ledger, oldest first, exactly once.

    Per message: `handle` → flag (if asked) → record in the ledger → move to the processed
    folder. A failure stops the run before the message is recorded, so it comes again next
    time (the handler must be idempotent: write the same journal value twice harmlessly). A
    message already processed under another UIDVALIDITY (same Message-ID) is recorded as
    «duplicate» without calling the handler."""
    clock = now or (lambda: dt.datetime.now(dt.UTC))
    done: list[tuple[FetchedMessage, Outcome]] = []
    key = settings.key
    with Mailbox(settings, environ) as box:
        uids = box.new_uids(ledger.last_uid(key, box.uidvalidity))
        for item in box.fetch(uids):
            if ledger.is_processed(key, item.uidvalidity, item.uid):
                continue
            if ledger.seen_message(key, item.message_id):
                outcome = Outcome("duplicate")
            else:
                outcome = handle(item)
                if outcome.flag:
                    box.flag(item.uid)
            ledger.record(key, item.uidvalidity, item.uid, outcome.outcome,
                          row_key=outcome.row_key, message_id=item.message_id, at=clock())
            log.info("reply uid=%s outcome=%s", item.uid, outcome.outcome)
            if settings.processed_folder:
                box.move(item.uid, settings.processed_folder)
            done.append((item, outcome))
    return done
