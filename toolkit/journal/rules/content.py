"""The row's content: required cells, the decision and its details, dates in order, contacts."""

from __future__ import annotations

import re

import numpy as np

from toolkit.journal.columns import Columns
from toolkit.journal.contacts import EMAIL_PATTERN, PHONE_PATTERN
from toolkit.journal.engine import Context, Flags, Mask, flag, rule
from toolkit.journal.links import TELEMOST_PATTERN
from toolkit.journal.rules.common import appointed, decided, label, shown
from toolkit.journal.schema import BY_KEY, Consent, Decision, column_title

_NAME_PART = r"[А-ЯЁа-яё][а-яё'ʼ]*(?:-[А-ЯЁа-яё][а-яё'ʼ]*)*"
CITIZEN_RE = rf"^{_NAME_PART}(?: {_NAME_PART}){{1,2}}(?: (?:оглы|кызы|улы|уулу))?$"
_citizen = re.compile(CITIZEN_RE)


def _required(key: str):  # type: ignore[no-untyped-def]
    def missing(j: Columns, ctx: Context) -> Mask:
        return j.empty(key)
    return missing


for _key, _code in (("number", "number-missing"), ("received", "received-missing"),
                    ("citizen", "citizen-missing"), ("topic", "topic-missing")):
    rule(_code, cell=_key, group="required")(_required(_key))


@rule("citizen-implausible", cell="citizen", group="citizen_name", clause="2.2")
def citizen_name(j: Columns, ctx: Context) -> Mask:
    name = j.citizen
    odd = ((name != "") & ~name.str.contains(CITIZEN_RE)).to_numpy()
    if odd.any():  # a name with a doubled space or a tab inside is still a name
        where = np.flatnonzero(odd)
        odd[where[name.gather(where).str.replace_all(r"\s+", " ").str.contains(CITIZEN_RE)
                  .to_numpy()]] = False
    return odd


# Cl. 2.4, 2.8: what a decision needs ----------------------------------------------------

_DETAILS = ("decision_date", "appointment", "ground")


@rule("decision-missing", cell="decision", group="decision")
def decision_missing(j: Columns, ctx: Context) -> Mask:
    details = np.logical_or.reduce([j.filled(k) for k in _DETAILS])
    return (j.decision == 0) & ~j.invalid["decision"] & details


@rule("decision-date-missing", cell="decision_date", group="decision")
def decision_date_missing(j: Columns, ctx: Context) -> Flags:
    return flag(decided(j) & j.no_value("decision_date"), decision=label(j, "decision"))


@rule("email-missing", cell="email", group="decision")
def email_missing(j: Columns, ctx: Context) -> Mask:
    return decided(j) & j.empty("email")


@rule("appointment-missing", cell="appointment", group="decision")
def appointment_missing(j: Columns, ctx: Context) -> Mask:
    return appointed(j) & j.no_value("appointment")


@rule("specialist-missing", cell="specialist", group="decision")
def specialist_missing(j: Columns, ctx: Context) -> Mask:
    return appointed(j) & j.empty("specialist")


@rule("link-missing", cell="link", group="decision")
def link_missing(j: Columns, ctx: Context) -> Mask:
    return appointed(j) & j.empty("link") & ~j.has("outcome")


@rule("ground-unexpected", cell="ground", group="decision")
def ground_unexpected(j: Columns, ctx: Context) -> Flags:
    return flag(appointed(j) & j.has("ground"), decision=label(j, "decision"))


@rule("ground-missing", cell="ground", group="decision")
def ground_missing(j: Columns, ctx: Context) -> Mask:
    return j.is_("decision", Decision.REJECTED) & j.no_value("ground")


@rule("appointment-unexpected", cell="appointment", group="decision")
def appointment_unexpected(j: Columns, ctx: Context) -> Mask:
    return j.is_("decision", Decision.REJECTED) & j.has("appointment")


# Cl. 2.4: dates in the order things happen ------------------------------------------------

_DATE_ORDER = (
    ("submitted", "received"),
    ("received", "decision_date"),
    ("decision_date", "appointment"),
    ("decision_date", "notice_sent"),
    ("notice_sent", "answered_at"),
)


def _date_order(earlier: str, later: str):  # type: ignore[no-untyped-def]
    def out_of_order(j: Columns, ctx: Context) -> Flags:
        broken = j.has(earlier) & j.has(later) & (j.day(later) < j.day(earlier))
        title = column_title(BY_KEY[later])
        return flag(broken, later_column=title[:1].upper() + title[1:], later=shown(j, later),
                    earlier_column=column_title(BY_KEY[earlier]), earlier=shown(j, earlier))
    return out_of_order


for _earlier, _later in _DATE_ORDER:
    rule("date-order", cell=_later, group="date_order")(_date_order(_earlier, _later))


# Cl. 2.2: contacts and consents -------------------------------------------------------------


@rule("email-implausible", cell="email", group="contacts")
def email_implausible(j: Columns, ctx: Context) -> Mask:
    return ((j.email != "") & ~j.email.str.contains(EMAIL_PATTERN)).to_numpy()


@rule("phone-implausible", cell="phone", group="contacts")
def phone_implausible(j: Columns, ctx: Context) -> Mask:
    return ((j.phone != "") & ~j.phone.str.contains(PHONE_PATTERN)).to_numpy()


@rule("phone-missing", cell="phone", group="contacts", clause="3.5")
def phone_missing(j: Columns, ctx: Context) -> Mask:
    """Cl. 2.2, 3.5: on a technical failure the specialist calls the citizen."""
    return appointed(j) & j.empty("phone")


@rule("link-not-telemost", cell="link", group="contacts", clause="1.3")
def link_not_telemost(j: Columns, ctx: Context) -> Mask:
    """Cl. 1.3: receptions go through Yandex Telemost."""
    return ((j.link != "") & ~j.link.str.contains(TELEMOST_PATTERN)).to_numpy()


def _consent(key: str, what: str):  # type: ignore[no-untyped-def]
    def missing(j: Columns, ctx: Context) -> Flags:
        given = j.is_(key, Consent.YES)
        return flag(~given & ~j.invalid[key], column=column_title(BY_KEY[key]), what=what)
    return missing


for _key, _what in (("consent_data", "на обработку персональных данных"),
                    ("consent_video", "на видеозапись приема")):
    rule("consent-missing", cell=_key, group="consents")(_consent(_key, _what))


@rule("number-duplicate", cell="number", group="unique_numbers")
def number_duplicate(j: Columns, ctx: Context) -> Flags:
    numbers = j.number
    present = np.flatnonzero(numbers != 0)
    values = numbers[present]
    _, first, inverse = np.unique(values, return_index=True, return_inverse=True)
    first_at = present[first[inverse]]  # the application where each number first appears
    repeated = present[first_at != present]
    mask = np.zeros(len(numbers), dtype=bool)
    mask[repeated] = True
    other = np.zeros(len(numbers), dtype=np.int64)
    other[present] = j.rows[first_at]
    return flag(mask, number=numbers, other_row=other)
