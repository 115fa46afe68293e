"""`[intake]` of vks.toml: the routing table, heading mapping, the centre, the mailbox.

    settings = IntakeSettings.from_config(config)
    settings.table            # RoutingTable (cl. 2.3)
    settings.centre           # the Body of the centre of social payments, if configured

    [intake]
    mapping = { citizen = "ФИО заявителя" }   # headings the site names its own way
    centre = "ЦСВ"                            # the centre: gets the applications not placed
    forward = true                            # e-mail each application to its body (cl. 2.3)
    earlier = ["журнал-2025.xlsx"]            # last years' journals, for repeat questions

    [[intake.routes]]                         # one per body, the shape routing.RoutingTable reads
    name = "ГКУ «Государственное юридическое бюро Кузбасса»"   # or the body's sheet
    aliases = ["ГЮБ"]
    topics = ["бесплатная юридическая помощь", "алименты"]
    places = []

    [intake.mailbox]                          # the widget's e-mails (IMAP)
    host = "imap.example.ru"
    username = "zayavki@example.ru"
    password_env = "VKS_INTAKE_IMAP_PASSWORD"

Without `routes` the table has one entry per configured body (its name and sheet as aliases),
so an application goes to the body the citizen chose on the form (cl. 2.2); with no bodies
configured at all — the demo — it is the demo's table (`demo_export.DEMO_ROUTING`). Every
mistake is a ConfigError naming the key.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from toolkit.correspondence.mailbox import ImapSettings, MailboxError, Security
from toolkit.intake.headings import FIELDS
from toolkit.intake.routing import RoutingTable
from toolkit.intake.submission import IntakeError
from toolkit.journal.config import Body, Config
from toolkit.journal.errors import ConfigError
from toolkit.journal.schema import normalize

ROUTE_KEYS = ("name", "aliases", "topics", "places")
MAILBOX_KEYS = ("host", "port", "security", "username", "password_env", "folder",
                "processed_folder", "cafile", "timeout", "since")
SECRET_ENV = "VKS_INTAKE_SECRET"
CENTRE_WORDS = ("центр социальных выплат", "цсв")


@dataclass(frozen=True)
class IntakeSettings:
    """What `vks intake` needs from the configuration."""

    routes: dict[str, Any]
    mapping: dict[str, str] = field(default_factory=dict)
    centre: Body | None = None
    forward: bool = True
    earlier: tuple[str, ...] = ()
    repeats: bool | None = None  # None: when an intake ledger exists
    secret_env: str = SECRET_ENV
    busy_retries: int = 3
    busy_wait: float = 20.0
    mailbox: ImapSettings | None = None
    configured: bool = False  # the config has an [intake] section

    @classmethod
    def from_config(cls, config: Config) -> IntakeSettings:
        raw = config.section("intake")
        where = f"{config.path or 'настройки'}: [intake]"
        return cls(
            routes=_routes(raw, config, where),
            mapping=_mapping(raw.get("mapping", {}), where),
            centre=_centre(raw.get("centre", ""), config, where),
            forward=_flag(raw, "forward", True, where),
            earlier=tuple(_texts(raw, "earlier", where)),
            repeats=_flag(raw, "repeats", None, where),
            secret_env=_text(raw, "secret_env", SECRET_ENV, where),
            busy_retries=int(_number(raw, "busy_retries", 3, where, 0, 20)),
            busy_wait=_number(raw, "busy_wait", 20, where, 0, 600),
            mailbox=_mailbox(raw.get("mailbox"), config.timezone, where),
            configured="intake" in config.sections,
        )

    @property
    def table(self) -> RoutingTable:
        try:
            return RoutingTable(self.routes)
        except IntakeError as exc:
            raise ConfigError(f"[intake] routes: {exc}") from None


def _key(where: str, key: str) -> str:
    """«vks.toml: [intake] forward», or a nested «… mailbox.port» when `where` ends with «.»."""
    return f"{where}{key}" if where.endswith(".") else f"{where} {key}"


def _text(raw: Mapping[str, Any], key: str, default: str, where: str) -> str:
    value = raw.get(key, default)
    if not isinstance(value, str):
        raise ConfigError(f"{_key(where, key)} — ожидается строка в кавычках")
    return value.strip()


def _flag(raw: Mapping[str, Any], key: str, default: bool | None, where: str) -> Any:
    value = raw.get(key, default)
    if value is not default and not isinstance(value, bool):
        raise ConfigError(f"{_key(where, key)} — ожидается true или false")
    return value


def _number(raw: Mapping[str, Any], key: str, default: float, where: str, lo: float,
            hi: float) -> float:
    value = raw.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or not lo <= value <= hi:
        raise ConfigError(f"{_key(where, key)} — ожидается число от {lo:g} до {hi:g}")
    return float(value)


def _texts(raw: Mapping[str, Any], key: str, where: str) -> list[str]:
    value = raw.get(key, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ConfigError(f"{_key(where, key)} — ожидается список строк, например [\"…\"]")
    return [v.strip() for v in value]


def _mapping(value: object, where: str) -> dict[str, str]:
    if not isinstance(value, dict):
        raise ConfigError(f"{where} mapping — ожидается таблица {{ citizen = \"ФИО\" }}")
    out: dict[str, str] = {}
    for key, heading in value.items():
        if key not in FIELDS:
            raise ConfigError(f"{where} mapping.{key} — неизвестное поле заявки; допустимы: "
                              f"{', '.join(FIELDS)}")
        if not isinstance(heading, str) or not heading.strip():
            raise ConfigError(f"{where} mapping.{key} — ожидается заголовок столбца в кавычках")
        out[key] = heading.strip()
    return out


def _routes(raw: Mapping[str, Any], config: Config, where: str) -> dict[str, Any]:
    routes = raw.get("routes")
    if routes is None:
        return default_routes(config)
    if not isinstance(routes, list) or not routes:
        raise ConfigError(f"{where} routes — ожидается список таблиц [[intake.routes]]")
    bodies: list[dict[str, Any]] = []
    for n, entry in enumerate(routes, start=1):
        name = f"routes[{n}]"
        if not isinstance(entry, dict):
            raise ConfigError(f"{where} {name} — ожидается таблица [[intake.routes]]")
        unknown = sorted(set(entry) - set(ROUTE_KEYS))
        if unknown:
            raise ConfigError(f"{where} {name}.{unknown[0]} — неизвестный ключ; допустимы: "
                              f"{', '.join(ROUTE_KEYS)}")
        body = _text(entry, "name", "", f"{where} {name}.")
        if not body:
            raise ConfigError(f"{where} {name}.name — не указан орган")
        item: dict[str, Any] = {"name": body}
        for key in ROUTE_KEYS[1:]:
            item[key] = _texts(entry, key, f"{where} {name}.")
        configured = config.body_named(body)
        if configured is not None:  # the sheet and the full name both name the body
            item["aliases"] = list(dict.fromkeys(
                [*item["aliases"], *(n for n in (configured.name, configured.sheet)
                                     if normalize(n) != normalize(body))]))
        bodies.append(item)
    return {"bodies": bodies}


def default_routes(config: Config) -> dict[str, Any]:
    """By the body the citizen chose (configured bodies), or the demo's table without any."""
    if not config.bodies:
        from toolkit.intake.demo_export import DEMO_ROUTING

        return dict(DEMO_ROUTING)
    return {"bodies": [{"name": b.name, "aliases": [b.sheet] if b.sheet != b.name else []}
                       for b in config.bodies]}


def _centre(value: object, config: Config, where: str) -> Body | None:
    if not isinstance(value, str):
        raise ConfigError(f"{where} centre — ожидается наименование органа или лист")
    if value.strip():
        body = config.body_named(value)
        if body is None:
            raise ConfigError(f"{where} centre — «{value}» нет среди органов [[bodies]]")
        return body
    for body in config.bodies:
        if any(w in normalize(f"{body.name} {body.sheet}") for w in CENTRE_WORDS):
            return body
    return None


def _mailbox(value: object, timezone: str, where: str) -> ImapSettings | None:
    if value is None:
        return None
    name = f"{where} mailbox"
    if not isinstance(value, dict):
        raise ConfigError(f"{name} — ожидается таблица [intake.mailbox]")
    unknown = sorted(set(value) - set(MAILBOX_KEYS))
    if unknown:
        raise ConfigError(f"{name}.{unknown[0]} — неизвестный ключ; допустимы: "
                          f"{', '.join(MAILBOX_KEYS)}")
    text = {k: _text(value, k, "", f"{name}.") for k in MAILBOX_KEYS
            if k not in ("port", "timeout", "since")}
    try:
        security = Security(text["security"].lower() or "ssl")
    except ValueError:
        raise ConfigError(f"{name}.security — ожидается ssl, starttls или none") from None
    port = value.get("port", 0)
    if isinstance(port, bool) or not isinstance(port, int) or not 0 <= port < 65536:
        raise ConfigError(f"{name}.port — ожидается номер порта от 1 до 65535")
    since = value.get("since")
    if since is not None and not (isinstance(since, dt.date)
                                  and not isinstance(since, dt.datetime)):
        raise ConfigError(f"{name}.since — ожидается дата ГГГГ-ММ-ДД без кавычек")
    try:
        return ImapSettings(
            host=text["host"], username=text["username"], password_env=text["password_env"],
            port=port, security=security, folder=text["folder"] or "INBOX",
            processed_folder=text["processed_folder"], cafile=text["cafile"] or None,
            timeout=_number(value, "timeout", 30, f"{name}.", 1, 600), timezone=timezone,
            since=since,
        )
    except MailboxError as exc:
        raise ConfigError(f"{name}: {exc}") from None
