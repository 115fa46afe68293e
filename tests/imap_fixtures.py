"""Pytest fixtures around the real Dovecot of imap_server.py (imported by conftest.py).

- `imap_account`: a fresh mail account on one Dovecot shared by the session (fast: no new
  server per test, and no test sees another's mail);
- `dovecot`: a Dovecot of its own, for tests that stop and restart the server.

Without Dovecot the tests are skipped on a workstation, but fail under CI=true: .ci/run installs
dovecot-imapd, and the IMAP path is tested for real there.
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import EmailMessage

import pytest
from imap_server import DovecotServer, find_dovecot

_accounts = itertools.count(1)


def require_dovecot() -> None:
    if find_dovecot() is None:
        if os.environ.get("CI"):
            pytest.fail("CI must install Dovecot (.ci/run: dovecot-imapd): IMAP is tested for real")
        pytest.skip("Dovecot is not installed (apt-get install dovecot-imapd)")


@dataclass
class ImapAccount:
    """One mail account on a running Dovecot, and helpers to fill and inspect it."""

    server: DovecotServer
    user: str
    password: str

    def deliver(self, message: bytes | str | EmailMessage, *,
                internaldate: dt.datetime | None = None, folder: str = "INBOX",
                flags: str = "") -> int:
        return self.server.deliver(self.user, message, internaldate=internaldate,
                                   folder=folder, flags=flags)

    def uids(self, folder: str = "INBOX") -> list[int]:
        return self.server.uids(self.user, folder)

    def flags(self, uid: int, folder: str = "INBOX") -> set[str]:
        return self.server.flags(self.user, uid, folder)

    def uidvalidity(self, folder: str = "INBOX") -> int:
        return self.server.uidvalidity(self.user, folder)


@pytest.fixture(scope="session")
def dovecot_shared() -> Iterator[DovecotServer]:
    require_dovecot()
    server = DovecotServer.start_new(users={})
    yield server
    server.close()


@pytest.fixture
def imap_account(dovecot_shared: DovecotServer) -> ImapAccount:
    """A new, empty account on the shared Dovecot."""
    user = f"priem{next(_accounts)}"
    password = f"pw-{user}-secret"
    dovecot_shared.add_user(user, password)
    return ImapAccount(dovecot_shared, user, password)


@pytest.fixture
def dovecot() -> Iterator[DovecotServer]:
    """A Dovecot of the test's own (users «priem» and «other»), stopped and removed after it."""
    require_dovecot()
    server = DovecotServer.start_new()
    yield server
    server.close()
