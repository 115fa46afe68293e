"""Sending mail: SMTP settings from the `[mail]` table of the config, one function to send.

    settings = MailSettings.from_config(config)
    msg = new_message(settings, ["boss@example.ru"], "Тема")
    msg.set_content("Текст")
    send_message(settings, msg)

Monthly reports (`stats.delivery`) and the scheduled jobs' failure notices use the same settings.
The password never sits in the config: `password_env` names the environment variable holding
it. A failed send raises `MailError` with a Russian one-line reason.
"""

from __future__ import annotations

import base64
import contextlib
import os
import re
import smtplib
import socket
import ssl
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from enum import Enum
from pathlib import Path
from typing import Any

from toolkit.journal.config import Config
from toolkit.journal.errors import ConfigError, ToolkitError
from toolkit.journal.files import private_dir, write_bytes_atomic

_ADDRESS_RE = re.compile(r"^[^@\s<>,;]+@[^@\s<>,;]+\.[^@\s<>,;.]{2,}$")


class MailError(ToolkitError):
    """The mail server did not take a message (the reason is in the message).

    `after_data` is true when the failure came after the whole message had been handed to the
    server (the reply to DATA never came): the message may have been delivered."""

    def __init__(self, message: str, *, after_data: bool = False) -> None:
        super().__init__(message)
        self.after_data = after_data

    @property
    def maybe_sent(self) -> bool:
        """The outbox's word for `after_data`: a second attempt may deliver it twice."""
        return self.after_data


class Security(Enum):
    """How the connection to the SMTP server is protected."""

    STARTTLS = "starttls"  # plain connection upgraded with STARTTLS (port 587)
    SSL = "ssl"  # TLS from the start (port 465)
    NONE = "none"  # no encryption: only for a relay inside the office network

    @property
    def default_port(self) -> int:
        return {Security.STARTTLS: 587, Security.SSL: 465, Security.NONE: 25}[self]


@dataclass(frozen=True)
class MailSettings:
    """Where and how to send mail; built from `[mail]` and the environment."""

    host: str = ""
    port: int = 587
    security: Security = Security.STARTTLS
    username: str = ""
    password: str = field(default="", repr=False)
    password_env: str = ""
    sender: str = ""
    timeout: float = 30.0
    cafile: str | None = None
    ministry_recipients: tuple[str, ...] = ()

    @classmethod
    def from_config(cls, config: Config,
                    environ: Mapping[str, str] | None = None) -> MailSettings:
        """Read `[mail]`; the user name may come from `username_env`, the password only from
        the variable `password_env` names."""
        env = os.environ if environ is None else environ
        table = config.section("mail")
        where = f"{config.path or 'настройки'}: [mail]"
        # Unknown keys and a password in the file were refused by parse_config (settings.py).
        text = _texts(table, where)
        try:
            security = Security(text("security", "starttls").lower())
        except ValueError:
            raise ConfigError(f"{where} security — ожидается starttls, ssl или none") from None
        port = table.get("port", security.default_port)
        if not isinstance(port, int) or isinstance(port, bool) or not 0 < port < 65536:
            raise ConfigError(f"{where} port — ожидается номер порта от 1 до 65535")
        timeout = table.get("timeout", 30)
        if not isinstance(timeout, int | float) or isinstance(timeout, bool) or timeout <= 0:
            raise ConfigError(f"{where} timeout — ожидается число секунд больше нуля")
        username = text("username", "")
        username_env = text("username_env", "")
        if username_env and not username:
            username = env.get(username_env, "").strip()
        password_env = text("password_env", "")
        sender = text("sender", "") or (username if _ADDRESS_RE.match(username) else "")
        if sender and not _ADDRESS_RE.match(parseaddr(sender)[1]):
            raise ConfigError(f"{where} sender — «{sender}» не похож на адрес эл. почты")
        recipients = addresses(table.get("ministry_recipients", []),
                               f"{where} ministry_recipients")
        return cls(
            host=text("host", ""),
            port=port,
            security=security,
            username=username,
            password=env.get(password_env, "") if password_env else "",
            password_env=password_env,
            sender=sender,
            timeout=float(timeout),
            cafile=text("cafile", "") or None,
            ministry_recipients=recipients,
        )

    @property
    def domain(self) -> str:
        """The sender's domain: Message-IDs and Content-IDs are made in it."""
        address = parseaddr(self.sender)[1]
        return address.rpartition("@")[2] or "vks.localhost"

    def check(self) -> None:
        """Raise a ConfigError when mail cannot be sent with these settings."""
        if not self.host:
            raise ConfigError("[mail] host — не указан почтовый сервер (SMTP)")
        if not self.sender:
            raise ConfigError("[mail] sender — не указан адрес отправителя")
        if self.password_env and not self.password:
            raise ConfigError(f"переменная окружения {self.password_env} с паролем почты "
                              f"не задана ([mail] password_env)")
        if self.username and not self.password_env:
            raise ConfigError("[mail] указан username, но не указан password_env — имя "
                              "переменной окружения с паролем")

    @property
    def server(self) -> str:
        return f"{self.host}:{self.port}"


def _texts(table: Mapping[str, Any], where: str) -> Callable[[str, str], str]:
    def text(key: str, default: str) -> str:
        value = table.get(key, default)
        if not isinstance(value, str):
            raise ConfigError(f"{where} {key} — ожидается строка в кавычках")
        return value.strip()

    return text


def addresses(value: object, name: str) -> tuple[str, ...]:
    """A list of e-mail addresses from the config (a single string is a list of one)."""
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{name} — ожидается список адресов эл. почты")
    out = []
    for item in value:
        address = parseaddr(item)[1]
        if not _ADDRESS_RE.match(address):
            raise ConfigError(f"{name} — «{item}» не похож на адрес эл. почты")
        out.append(item.strip())
    return tuple(out)


def new_message(settings: MailSettings, recipients: Sequence[str], subject: str,
                message_id: str | None = None) -> EmailMessage:
    """A message with the headers every mail of the toolkit carries."""
    msg = EmailMessage()
    msg["Subject"] = subject
    msg["From"] = settings.sender
    msg["To"] = ", ".join(recipients)
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = message_id or make_msgid(domain=settings.domain)
    msg["Auto-Submitted"] = "auto-generated"  # RFC 3834: no auto-replies, please
    return msg


class _WatchedData:
    """Calls `on_data` right before the message's final «.» line goes to the server: from
    then on the server may deliver it even if its reply is lost."""

    on_data: Callable[[], None] | None = None
    data_sent = False
    _in_data = False

    def data(self, msg: Any) -> tuple[int, bytes]:
        self._in_data = True
        try:
            return super().data(msg)  # type: ignore[misc]
        finally:
            self._in_data = False

    def send(self, s: Any) -> None:
        if self._in_data and isinstance(s, bytes) and s.endswith(b"\r\n.\r\n"):
            if self.on_data is not None:
                self.on_data()
            self.data_sent = True
        super().send(s)  # type: ignore[misc]


class _SMTP(_WatchedData, smtplib.SMTP):
    pass


class _SMTPSSL(_WatchedData, smtplib.SMTP_SSL):
    pass


def send_message(settings: MailSettings, msg: EmailMessage,
                 on_data: Callable[[], None] | None = None) -> dict[str, str]:
    """Hand `msg` to the SMTP server; return the recipients it refused (address → reason).

    Raises MailError when the server cannot be reached, refuses the login, or takes none of
    the recipients. `on_data` is called just before the end of the message is transmitted
    (an outbox records «maybe sent» there); a failure after it has `after_data` set.
    """
    settings.check()
    session: list[_SMTP | _SMTPSSL] = []  # the connection, to ask whether DATA went out
    refused: dict[str, tuple[int, bytes]] | None = None
    try:
        with _session(settings, on_data, session) as smtp:
            refused = smtp.send_message(msg)
    except (smtplib.SMTPException, OSError, UnicodeError) as exc:
        if refused is not None:  # the server took the message; only saying goodbye failed
            return {address: _decode(reply[1]) for address, reply in refused.items()}
        # The end of the message went out and no answer came back: maybe delivered. A reply
        # with an error code is a refusal, not a doubt.
        after = bool(session) and session[0].data_sent and \
            not isinstance(exc, smtplib.SMTPResponseException)
        reason = _reason(exc, settings)
        if after:
            reason += (" после передачи письма: возможно, сервер его принял — письмо будет "
                       "отправлено повторно не больше одного раза, с тем же Message-ID")
        raise MailError(f"почтовый сервер {settings.server}: {reason}",
                        after_data=after) from exc
    return {address: _decode(reply[1]) for address, reply in refused.items()}


def check_login(settings: MailSettings) -> None:
    """Connect, say EHLO, STARTTLS, log in and QUIT, sending nothing (`vks doctor`).

    Raises ConfigError when the settings are incomplete, MailError when the server says no.
    """
    settings.check()
    try:
        with _session(settings) as smtp:
            smtp.ehlo_or_helo_if_needed()
    except (smtplib.SMTPException, OSError, UnicodeError) as exc:
        raise MailError(f"почтовый сервер {settings.server}: {_reason(exc, settings)}") from exc


@contextlib.contextmanager
def _session(settings: MailSettings, on_data: Callable[[], None] | None = None,
             opened: list[_SMTP | _SMTPSSL] | None = None) -> Iterator[smtplib.SMTP]:
    """A connection that is encrypted as `security` says and logged in; QUIT on leaving.

    `on_data` is called right before the end of a message goes out; `opened` receives the
    connection, so a caller can tell afterwards whether DATA was transmitted."""
    context = ssl.create_default_context(cafile=settings.cafile)
    smtp: _SMTP | _SMTPSSL
    if settings.security is Security.SSL:
        smtp = _SMTPSSL(settings.host, settings.port, timeout=settings.timeout,
                        context=context)
    else:
        smtp = _SMTP(settings.host, settings.port, timeout=settings.timeout)
    smtp.on_data = on_data
    if opened is not None:
        opened.append(smtp)
    with smtp:
        if settings.security is Security.STARTTLS:
            smtp.starttls(context=context)
        if settings.username:
            _login(smtp, settings.username, settings.password)
        yield smtp


def _login(smtp: smtplib.SMTP, username: str, password: str) -> None:
    """Log in; a non-ASCII login or password goes as AUTH PLAIN in UTF-8 (RFC 4616), which
    smtplib's own login cannot send."""
    if (username + password).isascii():
        smtp.login(username, password)
        return
    smtp.ehlo_or_helo_if_needed()
    if "PLAIN" not in smtp.esmtp_features.get("auth", "").upper().split():
        raise smtplib.SMTPNotSupportedError("AUTH PLAIN is not offered")
    token = base64.b64encode(f"\0{username}\0{password}".encode()).decode("ascii")
    code, reply = smtp.docmd("AUTH", f"PLAIN {token}")
    if code not in (235, 503):
        raise smtplib.SMTPAuthenticationError(code, reply)


def _reason(exc: BaseException, settings: MailSettings) -> str:
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return f"неверное имя пользователя или пароль ({exc.smtp_code})"
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        shown = "; ".join(f"{a}: {r[0]} {_decode(r[1])}" for a, r in exc.recipients.items())
        return f"все получатели отклонены ({shown})"
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return "сервер не поддерживает STARTTLS или вход по паролю; проверьте [mail] security"
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"ответ {exc.smtp_code} {_decode(exc.smtp_error)}"
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        # smtplib turns a read that timed out into «Connection unexpectedly closed».
        if isinstance(exc.__context__, socket.timeout | TimeoutError):
            return f"истекло время ожидания ответа сервера ({settings.timeout:g} с)"
        return "сервер разорвал соединение"
    if isinstance(exc, ssl.SSLError | ssl.CertificateError):
        return f"ошибка TLS ({exc.__class__.__name__}); проверьте security и cafile"
    if isinstance(exc, socket.timeout | TimeoutError):
        return f"истекло время ожидания ответа сервера ({settings.timeout:g} с)"
    if isinstance(exc, ConnectionRefusedError):
        return "соединение отклонено (сервер не запущен или неверный порт)"
    if isinstance(exc, socket.gaierror):
        return "имя сервера не найдено"
    if isinstance(exc, UnicodeError):
        return "недопустимые символы в адресе (нужны латинские буквы или поддержка SMTPUTF8)"
    return f"{exc.__class__.__name__}: {exc}"


def _decode(value: bytes | str) -> str:
    text = value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
    return " ".join(text.split())[:200]


def write_eml(msg: EmailMessage, folder: Path, name: str) -> Path:
    """Save a message as an .eml file (private, atomic) instead of sending it."""
    private_dir(folder)
    safe = "".join("_" if ch in '<>:"/\\|?*' or ord(ch) < 32 else ch for ch in name).strip(". ")
    path = folder / f"{safe or 'письмо'}.eml"
    write_bytes_atomic(path, msg.as_bytes(policy=msg.policy.clone(linesep="\r\n")), 0o600)
    return path
