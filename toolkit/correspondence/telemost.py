"""Yandex Telemost meetings for appointments (cl. 1.3, 2.4): create one, check a link.

    url = create_conference(token)                          # "https://telemost.yandex.ru/j/…"
    is_telemost_link("https://telemost.360.yandex.ru/j/12345678901234")   # True

The API (Яндекс 360 для бизнеса; the OAuth token needs `telemost-api:conferences.create`):
`POST https://cloud-api.yandex.net/v1/telemost-api/conferences` with `Authorization: OAuth
<token>` and a JSON body `{"waiting_room_level": "PUBLIC" | "ORGANIZATION" | "ADMINS"}`;
the answer is 201 with `{"id": …, "join_url": "https://telemost.yandex.ru/j/…", …}`.

With the waiting room (the default, level ORGANIZATION) a citizen — always outside the
organisation — waits until the specialist lets them in. A 429 (Retry-After honoured) and a
502/503/504 or a dropped connection are tried again, a few times with growing waits under a
total bound; an extra meeting left by a repeat is harmless. Any other failure, or a reply
whose `join_url` is not a Telemost meeting link, is a `TelemostError` with a Russian message
that never contains the token.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from enum import Enum
from typing import Any

import requests

from toolkit.journal.errors import ToolkitError
from toolkit.journal.links import canonical_link

API_URL = "https://cloud-api.yandex.net/v1/telemost-api/conferences"
SCOPE = "telemost-api:conferences.create"
RETRY_STATUS = frozenset({429, 502, 503, 504})
TELEMOST_HOSTS = frozenset({"telemost.yandex.ru", "telemost.360.yandex.ru"})
_MEETING_PATH = re.compile(r"/j/\d{6,32}/?")


class TelemostError(ToolkitError):
    """A meeting could not be created (the reason is in the message)."""


class WaitingRoom(Enum):
    """Who waits in the waiting room before the specialist admits them."""

    PUBLIC = "PUBLIC"  # nobody: anyone with the link joins at once
    ORGANIZATION = "ORGANIZATION"  # everyone outside the organisation (every citizen)
    ADMINS = "ADMINS"  # everyone except the meeting's administrators



def _level(waiting_room: bool | WaitingRoom) -> WaitingRoom:
    if isinstance(waiting_room, WaitingRoom):
        return waiting_room
    return WaitingRoom.ORGANIZATION if waiting_room else WaitingRoom.PUBLIC


def _server_message(response: requests.Response) -> str:
    """The API's own explanation ("message"/"description"), if the body is JSON."""
    try:
        body = response.json()
    except ValueError:
        return ""
    if not isinstance(body, dict):
        return ""
    text = body.get("message") or body.get("description") or body.get("error") or ""
    return " ".join(str(text).split())[:200]


def _wait_for(response: requests.Response | None, attempt: int, base: float,
              max_wait: float) -> float:
    """Seconds before the next attempt: Retry-After when given, else doubling, capped."""
    if response is not None:
        value = response.headers.get("Retry-After", "")
        if value.strip().isdigit():
            return min(float(value), max_wait)
    return min(base * 2 ** attempt, max_wait)


def _failure(response: requests.Response) -> TelemostError:
    status = response.status_code
    said = _server_message(response)
    detail = f": {said}" if said else ""
    if status == 401:
        return TelemostError(
            f"Телемост: токен OAuth не принят (401){detail}; получите новый токен с правом "
            f"{SCOPE}")
    if status == 403:
        return TelemostError(
            f"Телемост: нет права создавать встречи (403){detail}; API Телемоста доступен "
            f"только организациям Яндекс 360 для бизнеса, токену нужно право {SCOPE}")
    if status == 429:
        return TelemostError(f"Телемост: слишком много запросов (429){detail}; повторите позже")
    if status >= 500:
        return TelemostError(f"Телемост временно недоступен (HTTP {status}){detail}; "
                             f"повторите позже")
    return TelemostError(f"Телемост отказал в создании встречи (HTTP {status}){detail}")


def join_url_of(payload: Any) -> str:
    """The meeting link of an API reply, refused unless it is a Telemost link."""
    url = payload.get("join_url") if isinstance(payload, dict) else None
    if not isinstance(url, str) or not url:
        raise TelemostError("Телемост: в ответе нет ссылки на встречу (join_url)")
    link = canonical_link(url)
    if link is None:
        shown = url if len(url) <= 80 else url[:77] + "…"
        raise TelemostError(f"Телемост вернул ссылку не на встречу Телемоста ({shown!r}): "
                            f"она не будет отправлена гражданину")
    return link


def create_conference(token: str, *, waiting_room: bool | WaitingRoom = True,
                      session: requests.Session | None = None, timeout: float = 20.0,
                      attempts: int = 4, base_delay: float = 1.0, max_wait: float = 30.0,
                      time_limit: float = 90.0,
                      sleep: Callable[[float], None] = time.sleep,
                      clock: Callable[[], float] = time.monotonic) -> str:
    """Create a meeting and return its join link.

    At most `attempts` requests; waits between them double from `base_delay` (or follow
    Retry-After), each capped at `max_wait`, and all of it stays within `time_limit`."""
    token = (token or "").strip()
    if not token:
        raise TelemostError("Телемост: не задан токен OAuth")
    http = session or requests.Session()
    body = {"waiting_room_level": _level(waiting_room).value}
    headers = {"Authorization": f"OAuth {token}", "Content-Type": "application/json",
               "Accept": "application/json"}
    started = clock()
    response: requests.Response | None = None
    for attempt in range(max(1, attempts)):
        try:
            response = http.post(API_URL, json=body, headers=headers, timeout=timeout)
        except requests.Timeout:
            raise TelemostError(f"Телемост не ответил за {timeout:g} с; повторите позже") \
                from None
        except requests.ConnectionError:
            response = None
            failure = TelemostError("Телемост недоступен: нет соединения с "
                                    "cloud-api.yandex.net; проверьте доступ в интернет")
        else:
            if response.status_code in (200, 201):
                try:
                    payload = response.json()
                except ValueError:
                    raise TelemostError("Телемост: ответ не разобран (это не JSON)") from None
                return join_url_of(payload)
            failure = _failure(response)
            if response.status_code not in RETRY_STATUS:
                raise failure
        if attempt + 1 >= attempts:
            break
        wait = _wait_for(response, attempt, base_delay, max_wait)
        if clock() - started + wait > time_limit:
            break
        sleep(wait)
    raise failure
