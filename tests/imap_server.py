"""A real Dovecot IMAP server on loopback for the tests that read mail.

    server = DovecotServer.start_new(users={"priem": "secret"})
    uid = server.deliver("priem", message_bytes, internaldate=moment)
    ... connect to 127.0.0.1:server.imap_port (plain, STARTTLS) or server.imaps_port (TLS),
        trusting server.cafile ...
    server.stop(); server.start()      # an outage and a restart on the same ports and mail
    server.close()                     # stop and remove everything

Each instance has its own throwaway configuration, maildirs, runtime and state directories and
log, so several can run at once. They live in a short directory under the system temporary
folder, not pytest's tmp_path: Dovecot's UNIX sockets must fit in 108 bytes, and when the tests
run as root the mail processes run as `nobody` (Dovecot refuses mail access as root), which
cannot traverse pytest's private tmp folders. Run as another user, everything runs as that
user (Dovecot's «rootless» setup: no chroot, internal and login users = the current user).
Dovecot 2.3 syntax (Debian 12); 2.4 changed the configuration language.
"""

from __future__ import annotations

import datetime as dt
import grp
import imaplib
import os
import pwd
import re
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path

DOVECOT = "/usr/sbin/dovecot"
START_TIMEOUT = 15.0


def find_dovecot() -> str | None:
    """The dovecot binary, or None when the package is not installed."""
    found = shutil.which("dovecot") or (DOVECOT if os.access(DOVECOT, os.X_OK) else None)
    return found


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def make_certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and localhost: (cert.pem, key.pem)."""
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    try:
        import cryptography  # noqa: F401
    except ImportError:  # the openssl command line instead
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
             "-nodes", "-days", "2", "-keyout", str(key_path), "-out", str(cert_path),
             "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
            check=True, capture_output=True)
        key_path.chmod(0o600)
        return cert_path, key_path
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=2))
        .add_extension(x509.SubjectAlternativeName([
            x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]),
            critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    key_path.chmod(0o600)
    return cert_path, key_path


def _config(root: Path, users_dir: Path, cert: Path, key: Path, imap_port: int,
            imaps_port: int) -> str:
    lines = [
        "protocols = imap",
        "listen = 127.0.0.1",
        f"base_dir = {root / 'run'}",
        f"state_dir = {root / 'state'}",
        f"instance_name = vks-test-{imap_port}",
        f"log_path = {root / 'dovecot.log'}",
        f"info_log_path = {root / 'dovecot.log'}",
        "ssl = yes",  # the plain port offers STARTTLS; the imaps listener is TLS from the start
        f"ssl_cert = <{cert}",
        f"ssl_key = <{key}",
        "disable_plaintext_auth = no",  # loopback tests log in on the plain port too
        "auth_mechanisms = plain login",
        "auth_failure_delay = 0",  # tests of a wrong password need not wait 2 s
        "first_valid_uid = 1",
        "first_valid_gid = 1",
        "mail_location = maildir:~/Maildir",
        # Dovecot announces MOVE and UIDPLUS by default; keep fsync cheap for tests.
        "mail_fsync = never",
        "passdb {",
        "  driver = passwd-file",
        # One passwd-file per user: an account added while the server runs is a new file,
        # read at its first login (a shared file is re-read at most once a second).
        f"  args = scheme=PLAIN username_format=%u {users_dir}/%u",
        "}",
        "userdb {",
        "  driver = passwd-file",
        f"  args = username_format=%u {users_dir}/%u",
        "}",
        "service imap-login {",
        f"  inet_listener imap {{\n    address = 127.0.0.1\n    port = {imap_port}\n  }}",
        f"  inet_listener imaps {{\n    address = 127.0.0.1\n    port = {imaps_port}\n"
        "    ssl = yes\n  }",
    ]
    if os.geteuid() != 0:
        me = pwd.getpwuid(os.geteuid()).pw_name
        group = grp.getgrgid(os.getegid()).gr_name
        lines += ["  chroot =", "}",
                  f"default_login_user = {me}", f"default_internal_user = {me}",
                  f"default_internal_group = {group}",
                  "service anvil {", "  chroot =", "}"]
    else:
        lines += ["}"]
    return "\n".join(lines) + "\n"


@dataclass
class DovecotServer:
    """One Dovecot instance: its ports, users, certificate and process."""

    root: Path
    users: dict[str, str]
    imap_port: int
    imaps_port: int
    cafile: Path
    config: Path
    mail_ids: tuple[int, int] = (0, 0)  # uid, gid the mail processes run as
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @classmethod
    def start_new(cls, users: dict[str, str] | None = None) -> DovecotServer:
        binary = find_dovecot()
        if binary is None:
            raise FileNotFoundError("dovecot is not installed (Debian: dovecot-imapd)")
        if users is None:
            users = {"priem": "priem-secret", "other": "other-secret"}
        root = Path(tempfile.mkdtemp(prefix="vks-dc-"))
        root.chmod(0o711)  # the mail user (nobody, when run as root) must reach mail/
        for sub in ("run", "state", "mail"):
            (root / sub).mkdir()
        cert, key = make_certificate(root)
        if os.geteuid() == 0:
            mail_user = pwd.getpwnam("nobody")
            uid, gid = mail_user.pw_uid, mail_user.pw_gid
        else:
            uid, gid = os.geteuid(), os.getegid()
        os.chown(root / "mail", uid, gid)
        users_dir = root / "users"
        users_dir.mkdir(0o755)  # read by the auth process (user dovecot); test passwords
        imap_port, imaps_port = free_port(), free_port()
        config = root / "dovecot.conf"
        config.write_text(_config(root, users_dir, cert, key, imap_port, imaps_port),
                          encoding="utf-8")
        server = cls(root, {}, imap_port, imaps_port, cert, config, (uid, gid))
        for name, password in users.items():
            server.add_user(name, password)
        try:
            server.start()
        except BaseException:
            server.close()
            raise
        return server

    def add_user(self, name: str, password: str) -> None:
        """A new mail account (its own passwd-file), usable at once."""
        if not re.fullmatch(r"[a-z0-9._-]+", name) or ":" in password or "\n" in password:
            raise ValueError("a user name of [a-z0-9._-], a password without ':' or newlines")
        uid, gid = self.mail_ids
        entry = self.root / "users" / name
        entry.write_text(f"{name}:{{PLAIN}}{password}:{uid}:{gid}::{self.root / 'mail' / name}"
                         "::\n", encoding="utf-8")
        entry.chmod(0o644)
        self.users[name] = password

    # Process -------------------------------------------------------------------------------

    def start(self) -> None:
        """Start the master in the foreground (-F) and wait until both ports greet."""
        if self.process is not None:
            raise RuntimeError("dovecot is already running")
        binary = find_dovecot() or DOVECOT
        self.process = subprocess.Popen([binary, "-F", "-c", str(self.config)],
                                        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.PIPE)
        deadline = time.monotonic() + START_TIMEOUT
        pending = [self.imap_port, self.imaps_port]
        while pending:
            if self.process.poll() is not None:
                err = self.process.stderr.read().decode(errors="replace") if \
                    self.process.stderr else ""
                self.process = None
                raise RuntimeError(f"dovecot exited at start: {err}\n{self.log()}")
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"dovecot did not greet in {START_TIMEOUT} s\n{self.log()}")
            if self._greets(pending[0]):
                pending.pop(0)
            else:
                time.sleep(0.02)

    def _greets(self, port: int) -> bool:
        """The port answers with the IMAP greeting, which waits until auth is ready (a login
        process left waiting for auth would hold up a stop by seconds)."""
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=2) as raw:
                sock = (self.ssl_context().wrap_socket(raw, server_hostname="127.0.0.1")
                        if port == self.imaps_port else raw)
                greeting = sock.recv(200)
                sock.sendall(b"a LOGOUT\r\n")
                return greeting.startswith(b"* OK")
        except OSError:
            return False

    def stop(self) -> None:
        """Stop the master (SIGTERM; it stops its children), then wait for it."""
        process, self.process = self.process, None
        if process is None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        if process.stderr:
            process.stderr.close()

    def close(self) -> None:
        """Stop and remove the instance's files."""
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def log(self) -> str:
        path = self.root / "dovecot.log"
        return path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""

    # Clients for the tests themselves ------------------------------------------------------

    def ssl_context(self) -> ssl.SSLContext:
        """A client context that trusts this server's certificate."""
        return ssl.create_default_context(cafile=str(self.cafile))

    def connect(self, user: str) -> imaplib.IMAP4:
        """A logged-in plain-port connection (loopback only), for setting up and checking."""
        client = imaplib.IMAP4("127.0.0.1", self.imap_port, timeout=10)
        client.login(user, self.users[user])
        return client

    def deliver(self, user: str, message: bytes | str | EmailMessage, *,
                internaldate: dt.datetime | None = None, folder: str = "INBOX",
                flags: str = "") -> int:
        """APPEND a message to a user's folder with a chosen INTERNALDATE; its new UID."""
        if isinstance(message, EmailMessage):
            data = message.as_bytes()
        elif isinstance(message, str):
            data = message.encode("utf-8")
        else:
            data = message
        data = re.sub(rb"\r?\n", b"\r\n", data)
        moment = internaldate or dt.datetime.now(dt.UTC)
        client = self.connect(user)
        try:
            if folder != "INBOX":
                client.create(_quote(folder))  # NO when it exists: harmless
            typ, answer = client.append(_quote(folder), f"({flags})" if flags else None,
                                        imaplib.Time2Internaldate(moment), data)
            if typ != "OK":
                raise RuntimeError(f"APPEND failed: {answer!r}")
            code = client.untagged_responses.get("APPENDUID") or []
            text = answer[0].decode() if answer and answer[0] else ""
            match = re.search(r"APPENDUID \d+ (\d+)", text)
            if match:
                return int(match.group(1))
            if code:
                return int(code[-1].split()[-1])
            raise RuntimeError(f"no APPENDUID in {answer!r}")
        finally:
            client.logout()

    def uids(self, user: str, folder: str = "INBOX") -> list[int]:
        """The UIDs now in a folder."""
        client = self.connect(user)
        try:
            typ, _ = client.select(_quote(folder), readonly=True)
            if typ != "OK":
                return []
            _, data = client.uid("SEARCH", "ALL")
            return [int(u) for u in (data[0] or b"").split()]
        finally:
            client.logout()

    def flags(self, user: str, uid: int, folder: str = "INBOX") -> set[str]:
        """The flags and keywords of one message."""
        client = self.connect(user)
        try:
            client.select(_quote(folder), readonly=True)
            _, data = client.uid("FETCH", str(uid), "(FLAGS)")
            found = re.search(rb"FLAGS \(([^)]*)\)", data[0] if isinstance(data[0], bytes)
                              else b"")
            return set(found.group(1).decode().split()) if found else set()
        finally:
            client.logout()

    def uidvalidity(self, user: str, folder: str = "INBOX") -> int:
        client = self.connect(user)
        try:
            client.select(_quote(folder), readonly=True)
            return int(client.untagged_responses["UIDVALIDITY"][0])
        finally:
            client.logout()


def _quote(folder: str) -> str:
    """An IMAP quoted folder name (imaplib leaves quoting to the caller)."""
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


if __name__ == "__main__":  # smoke check, e.g. as another user: setpriv --reuid=… python …
    running = DovecotServer.start_new()
    try:
        first = running.deliver("priem", b"Subject: test\r\n\r\nbody\r\n")
        print("delivered uid", first, "uids", running.uids("priem"))
    finally:
        print(running.log())
        running.close()
