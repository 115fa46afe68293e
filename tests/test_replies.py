"""Citizens' replies (cl. 2.6): the new text of real client formats and what it says."""

from __future__ import annotations

import email
import json
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path
from typing import Any

import pytest

from toolkit.correspondence.quoting import html_to_text, new_text, strip_quotes
from toolkit.correspondence.replies import Verdict, classify, is_automatic, read_reply

DATA = Path(__file__).parent / "data" / "replies"
CASES: list[dict[str, str]] = json.loads((DATA / "cases.json").read_text(encoding="utf-8"))
EML: dict[str, dict[str, Any]] = json.loads((DATA / "eml.json").read_text(encoding="utf-8"))


def test_the_labelled_set_is_large_and_mixed() -> None:
    labels = [case["label"] for case in CASES]
    assert len(CASES) >= 80
    assert {label: labels.count(label) >= 15 for label in ("confirmed", "declined",
                                                          "unclear")} == \
        {"confirmed": True, "declined": True, "unclear": True}


@pytest.mark.parametrize("case", CASES, ids=[c["text"][:40] or "<empty>" for c in CASES])
def test_each_labelled_reply(case: dict[str, str]) -> None:
    assert classify(case["text"]).verdict == Verdict(case["label"])


@pytest.mark.parametrize("name", sorted(EML))
def test_each_mail_client_format(name: str) -> None:
    expected = EML[name]
    raw = (DATA / "eml" / name).read_bytes()
    assert new_text(raw) == expected["text"]
    reply = read_reply(raw)
    assert reply.text == expected["text"]
    assert reply.verdict == Verdict(expected["label"])
    assert reply.automatic == expected.get("automatic", False)


def test_the_quoted_notice_would_have_been_unclear() -> None:
    """The quote of our notice holds both «Подтверждаю» and «Отказываюсь»: stripping matters."""
    raw = (DATA / "eml" / "thunderbird-top.eml").read_bytes()
    whole = email.message_from_bytes(raw, policy=default_policy).get_body().get_content()
    assert classify(whole).verdict == Verdict.UNCLEAR
    assert read_reply(raw).verdict == Verdict.CONFIRMED


def test_negation_signals() -> None:
    assert classify("Не могу подтвердить").signals == ("decline:negated",)
    assert classify("Не против").signals == ("confirm:not-against",)
    assert set(classify("Подтверждаю, но не смогу").signals) == {"confirm:confirm",
                                                                "decline:negated"}


def test_html_to_text_drops_quotes_scripts_and_keeps_blocks() -> None:
    html = ("<html><head><style>p{color:red}</style><title>t</title></head><body>"
            "<p>Первая&nbsp;строка</p><div>вторая<br>третья</div><script>alert(1)</script>"
            "<blockquote>цитата<blockquote>вложенная</blockquote>хвост</blockquote>"
            "<p>после &lt;цитаты&gt;</p></body></html>")
    text = html_to_text(html)
    assert [line for line in text.splitlines() if line] == [
        "Первая строка", "вторая", "третья", "\x00QUOTE\x00", "после <цитаты>"]
    assert strip_quotes(text) == "Первая строка\n\nвторая\nтретья"


def test_a_line_with_a_date_is_not_an_attribution_without_an_address() -> None:
    text = "Подтверждаю прием 30.11.2026 в 10:00:\nбуду на связи"
    assert strip_quotes(text) == text


def test_a_bottom_posted_html_reply() -> None:
    msg = EmailMessage()
    msg["Subject"] = "Re: x"
    msg.set_content("<blockquote>Подтверждаю или Отказываюсь?</blockquote><p>Отказываюсь</p>",
                    subtype="html")
    assert read_reply(msg).verdict == Verdict.DECLINED


def test_a_delivery_report_is_automatic() -> None:
    report = EmailMessage()
    report["Subject"] = "Undelivered Mail Returned to Sender"
    report.set_content("The mail system: user unknown")
    report.make_mixed()
    report.set_type("multipart/report")
    assert is_automatic(report)
    assert read_reply(report).verdict == Verdict.UNCLEAR


def test_a_broken_charset_label_still_gives_text() -> None:
    raw = (b"Subject: Re\r\nContent-Type: text/plain; charset=\"x-unknown-1251\"\r\n"
           b"Content-Transfer-Encoding: 8bit\r\n\r\n") + "Подтверждаю".encode("cp1251")
    assert read_reply(raw).verdict == Verdict.CONFIRMED
