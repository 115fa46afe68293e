"""A real SMTP server on loopback (aiosmtpd) for the tests that send mail."""

from __future__ import annotations

import asyncio
import email
import socket
import ssl
import subprocess
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Inbox:
    """An aiosmtpd handler that keeps what it receives and can refuse chosen recipients."""

    messages: list[tuple[list[str], EmailMessage]] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)
    logins: list[str] = field(default_factory=list)

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,
                          rcpt_options: list[str]) -> str:
        if address in self.refuse:
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        msg = email.message_from_bytes(envelope.original_content, policy=default_policy)
        assert isinstance(msg, EmailMessage)
        self.messages.append((list(envelope.rcpt_tos), msg))
        return "250 Message accepted"

    def by_subject(self, part: str) -> list[EmailMessage]:
        return [m for _, m in self.messages if part in str(m["Subject"])]


class SlowInbox(Inbox):
    """Takes the message, then answers DATA only after `delay` seconds (or refuses it)."""

    def __init__(self, delay: float = 0.0, refuse_data: bool = False) -> None:
        super().__init__()
        self.delay = delay
        self.refuse_data = refuse_data

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.refuse_data:
            return "554 5.6.0 Message refused"
        answer = await super().handle_DATA(server, session, envelope)
        await asyncio.sleep(self.delay)
        return answer


@dataclass
class Server:
    inbox: Inbox
    port: int
    controller: Controller

    def stop(self) -> None:
        self.controller.stop()


def start_server(**smtp: Any) -> Server:
    inbox = Inbox()
    port = free_port()
    ssl_context = smtp.pop("ssl_context", None)
    controller = Controller(inbox, hostname="127.0.0.1", port=port, ssl_context=ssl_context,
                            **smtp)
    controller.start()
    return Server(inbox, port, controller)


# --- A server that wants STARTTLS and a password (vks doctor logs in, sending nothing) -------


def make_certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (openssl): the client trusts it via cafile."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True)
    return cert, key


def start_login_server(cert: Path, key: Path, login: str, password: str) -> Server:
    """STARTTLS required, AUTH required; a wrong password gets 535."""
    inbox = Inbox()

    def check(server: Any, session: Any, envelope: Any, mechanism: str,
              auth_data: Any) -> AuthResult:
        ok = isinstance(auth_data, LoginPassword) and \
            (auth_data.login, auth_data.password) == (login.encode(), password.encode())
        if ok:
            inbox.logins.append(auth_data.login.decode())
        return AuthResult(success=ok, handled=False)

    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(str(cert), str(key))
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port, tls_context=context,
                            require_starttls=True, authenticator=check, auth_required=True)
    controller.start()
    return Server(inbox, port, controller)
