"""The mail-client replies of tests/data/replies/eml, aimed at another application.

The samples answer «ВКС-7K3QD-15» from their own senders. `retarget` rewrites only the From,
Subject, In-Reply-To and References headers, byte for byte elsewhere, so each client's body —
its quoting, its HTML, its charset (The Bat! in cp1251) — reaches the IMAP server as it was.
"""

from __future__ import annotations

import json
import re
from email.header import decode_header, make_header
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from pathlib import Path

SAMPLES = Path(__file__).parent / "data" / "replies"
OLD_TOKEN = "ВКС-7K3QD-15"
REPLACED = ("from", "subject", "in-reply-to", "references")


def labels() -> dict[str, str]:
    """Sample file → the verdict a person gives it (confirmed, declined, unclear)."""
    data = json.loads((SAMPLES / "eml.json").read_text(encoding="utf-8"))
    return {name: entry["label"] for name, entry in data.items()}


def sample(name: str) -> bytes:
    return (SAMPLES / "eml" / name).read_bytes()


def header(raw: bytes, name: str) -> str:
    head = re.split(rb"\r?\n\r?\n", raw, maxsplit=1)[0].decode("ascii", "replace")
    match = re.search(rf"^{name}:(.*(?:\r?\n[ \t].*)*)", head, re.I | re.M)
    if not match:
        return ""
    return str(make_header(decode_header(" ".join(match.group(1).split()))))


def retarget(raw: bytes, token: str, message_id: str | None, sender: str) -> bytes:
    """The sample as a reply to `message_id` (None: keep it threadless) about `token`, sent
    from `sender` (the sample's display name is kept)."""
    head, sep, body = re.split(rb"(\r?\n\r?\n)", raw, maxsplit=1)
    subject = header(raw, "Subject").replace(OLD_TOKEN, token)
    original_from = header(raw, "From")
    name = original_from.rsplit("<", 1)[0].strip().strip('"') if "<" in original_from else ""
    display = Address(display_name=name, addr_spec=sender)
    fresh = EmailMessage(policy=SMTP)
    fresh["From"] = display
    fresh["Subject"] = subject
    had_reply_headers = bool(header(raw, "In-Reply-To"))
    if message_id and had_reply_headers:
        fresh["In-Reply-To"] = message_id
        fresh["References"] = message_id
    new_head = fresh.as_bytes().rstrip(b"\r\n")
    kept: list[bytes] = []
    skipping = False
    for line in re.split(rb"\r?\n", head):
        if line[:1] in (b" ", b"\t"):
            if not skipping:
                kept.append(line)
            continue
        skipping = line.split(b":", 1)[0].strip().lower().decode("ascii", "replace") in REPLACED
        if not skipping:
            kept.append(line)
    return new_head + b"\r\n" + b"\r\n".join(kept) + sep + body
