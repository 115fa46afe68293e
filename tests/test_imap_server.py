"""The Dovecot test harness itself: real TLS, real logins, mail kept across a restart."""

from __future__ import annotations

import datetime as dt
import imaplib
import socket
import time

import pytest
from imap_fixtures import ImapAccount
from imap_server import DovecotServer

# In the past: Dovecot replaces a future INTERNALDATE by the time of arrival.
MOMENT = dt.datetime(2025, 11, 28, 10, 15, tzinfo=dt.timezone(dt.timedelta(hours=7)))


def test_deliver_keeps_the_chosen_internaldate(imap_account: ImapAccount) -> None:
    uid = imap_account.deliver(b"Subject: test\r\n\r\nbody\r\n", internaldate=MOMENT)
    assert imap_account.uids() == [uid]
    client = imap_account.server.connect(imap_account.user)
    try:
        client.select("INBOX", readonly=True)
        _, data = client.uid("FETCH", str(uid), "(INTERNALDATE)")
    finally:
        client.logout()
    # Maildir keeps the instant (file mtime), shown in the server's zone.
    parsed = imaplib.Internaldate2tuple(data[0])
    assert parsed is not None and time.mktime(parsed) == MOMENT.timestamp()


def test_accounts_do_not_share_mail(imap_account: ImapAccount,
                                    dovecot_shared: DovecotServer) -> None:
    dovecot_shared.add_user("someone-else", "pw")
    dovecot_shared.deliver("someone-else", b"Subject: a\r\n\r\nb\r\n")
    assert imap_account.uids() == []


def test_tls_ports_and_wrong_password(dovecot: DovecotServer) -> None:
    context = dovecot.ssl_context()
    with imaplib.IMAP4_SSL("127.0.0.1", dovecot.imaps_port, ssl_context=context,
                           timeout=10) as client:
        assert client.login("priem", dovecot.users["priem"])[0] == "OK"
    with imaplib.IMAP4("127.0.0.1", dovecot.imap_port, timeout=10) as client:
        client.starttls(ssl_context=context)
        with pytest.raises(imaplib.IMAP4.error, match="AUTHENTICATIONFAILED"):
            client.login("priem", "wrong")


def test_stop_refuses_connections_and_restart_keeps_mail(dovecot: DovecotServer) -> None:
    uid = dovecot.deliver("priem", b"Subject: kept\r\n\r\nbody\r\n")
    dovecot.stop()
    assert not dovecot.running
    with pytest.raises(OSError), socket.create_connection(("127.0.0.1", dovecot.imap_port),
                                                          timeout=2):
        pass
    dovecot.start()
    assert dovecot.uids("priem") == [uid]
