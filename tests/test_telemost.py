"""Yandex Telemost at the HTTP boundary (responses): success, refusals, retries, bad replies."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import requests
import responses

from toolkit.correspondence.telemost import (
    API_URL,
    TelemostError,
    WaitingRoom,
    create_conference,
)
from toolkit.journal.links import canonical_link, is_telemost_link

FIXTURES = Path(__file__).parent / "fixtures" / "telemost"
TOKEN = "y0_AgAAAAB-secret-token-value"


def reply(name: str) -> dict[str, object]:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


class Sleeps:
    """Records the waits instead of sleeping; a fake clock advances by them."""

    def __init__(self) -> None:
        self.waits: list[float] = []
        self.now = 0.0

    def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.now += seconds

    def clock(self) -> float:
        return self.now


@responses.activate
def test_creates_a_meeting_with_the_waiting_room() -> None:
    responses.post(API_URL, json=reply("created.json"), status=201)
    url = create_conference(TOKEN)
    assert url == "https://telemost.yandex.ru/j/78566269088286"
    [call] = responses.calls
    assert call.request.headers["Authorization"] == f"OAuth {TOKEN}"
    assert call.request.headers["Content-Type"] == "application/json"
    assert json.loads(call.request.body or b"") == {"waiting_room_level": "ORGANIZATION"}


@responses.activate
@pytest.mark.parametrize(("choice", "level"), [
    (False, "PUBLIC"), (True, "ORGANIZATION"), (WaitingRoom.ADMINS, "ADMINS")])
def test_waiting_room_levels(choice: bool | WaitingRoom, level: str) -> None:
    responses.post(API_URL, json=reply("created-360.json"), status=201)
    session = requests.Session()
    assert create_conference(TOKEN, waiting_room=choice, session=session) == \
        "https://telemost.360.yandex.ru/j/2409243815"
    assert json.loads(responses.calls[0].request.body or b"") == {"waiting_room_level": level}


@responses.activate
@pytest.mark.parametrize(("status", "fixture", "message"), [
    (401, "unauthorized.json", r"^Телемост: токен OAuth не принят \(401\): Не авторизован\.; "
                               r"получите новый токен с правом telemost-api:conferences\.create$"),
    (403, "forbidden.json", r"^Телемост: нет права создавать встречи \(403\): Доступ запрещён\."),
    (400, "unavailable.json", r"^Телемост отказал в создании встречи \(HTTP 400\)"),
    (500, "unavailable.json", r"^Телемост временно недоступен \(HTTP 500\)"),
])
def test_refusals_are_not_repeated(status: int, fixture: str, message: str) -> None:
    responses.post(API_URL, json=reply(fixture), status=status)
    sleeps = Sleeps()
    with pytest.raises(TelemostError, match=message) as caught:
        create_conference(TOKEN, sleep=sleeps.sleep, clock=sleeps.clock)
    assert len(responses.calls) == 1 and sleeps.waits == []
    assert TOKEN not in str(caught.value)
    assert caught.value.exit_code == 2


@responses.activate
def test_429_is_repeated_after_retry_after_then_succeeds() -> None:
    responses.post(API_URL, json=reply("too-many-requests.json"), status=429,
                   headers={"Retry-After": "7"})
    responses.post(API_URL, json=reply("unavailable.json"), status=503)
    responses.post(API_URL, json=reply("created.json"), status=201)
    sleeps = Sleeps()
    url = create_conference(TOKEN, sleep=sleeps.sleep, clock=sleeps.clock)
    assert url.endswith("/j/78566269088286")
    assert sleeps.waits == [7.0, 2.0]  # Retry-After, then the doubled base delay
    assert len(responses.calls) == 3


@responses.activate
def test_retries_are_bounded_in_number_and_wait() -> None:
    responses.post(API_URL, json=reply("too-many-requests.json"), status=429,
                   headers={"Retry-After": "3600"})
    sleeps = Sleeps()
    with pytest.raises(TelemostError, match=r"слишком много запросов \(429\)"):
        create_conference(TOKEN, attempts=4, max_wait=30, time_limit=1000,
                          sleep=sleeps.sleep, clock=sleeps.clock)
    assert sleeps.waits == [30.0, 30.0, 30.0]  # an hour asked: each wait capped
    assert len(responses.calls) == 4


@responses.activate
def test_the_total_time_limit_stops_repeats() -> None:
    responses.post(API_URL, json=reply("unavailable.json"), status=503)
    sleeps = Sleeps()
    with pytest.raises(TelemostError, match=r"временно недоступен \(HTTP 503\): Сервис "):
        create_conference(TOKEN, attempts=10, base_delay=4, max_wait=30, time_limit=20,
                          sleep=sleeps.sleep, clock=sleeps.clock)
    assert sleeps.waits == [4.0, 8.0]  # the next wait (16 s) would pass 20 s in all
    assert len(responses.calls) == 3


@responses.activate
def test_a_dropped_connection_is_repeated_and_then_reported() -> None:
    responses.post(API_URL, body=requests.ConnectionError("reset"))
    sleeps = Sleeps()
    with pytest.raises(TelemostError, match=r"нет соединения с cloud-api\.yandex\.net"):
        create_conference(TOKEN, attempts=2, sleep=sleeps.sleep, clock=sleeps.clock)
    assert len(responses.calls) == 2 and sleeps.waits == [1.0]


@responses.activate
def test_a_timeout_is_reported_once() -> None:
    responses.post(API_URL, body=requests.ReadTimeout("slow"))
    with pytest.raises(TelemostError, match=r"не ответил за 5 с"):
        create_conference(TOKEN, timeout=5)
    assert len(responses.calls) == 1


@responses.activate
@pytest.mark.parametrize(("body", "message"), [
    ("<html>502 Bad Gateway</html>", r"ответ не разобран \(это не JSON\)"),
    ('{"id": "1"}', r"нет ссылки на встречу \(join_url\)"),
    ('["https://telemost.yandex.ru/j/12345678"]', "нет ссылки на встречу"),
    (json.dumps(reply("not-a-telemost-link.json")), "ссылку не на встречу Телемоста"),
])
def test_malformed_replies_are_refused(body: str, message: str) -> None:
    responses.post(API_URL, body=body, status=201, content_type="application/json")
    with pytest.raises(TelemostError, match=message):
        create_conference(TOKEN)


def test_no_token() -> None:
    with pytest.raises(TelemostError, match="не задан токен"):
        create_conference("  ")


@pytest.mark.parametrize("url", [
    "https://telemost.yandex.ru/j/78566269088286",
    "https://telemost.360.yandex.ru/j/2409243815",
    "https://TELEMOST.yandex.ru/j/78566269088286/",
    "  https://telemost.yandex.ru/j/78566269088286  ",
])
def test_telemost_links(url: str) -> None:
    assert is_telemost_link(url)
    assert canonical_link(url) == url.strip().lower().rstrip("/")


@pytest.mark.parametrize("url", [
    "http://telemost.yandex.ru/j/78566269088286",
    "https://telemost.yandex.ru/78566269088286",
    "https://telemost.yandex.ru/j/",
    "https://telemost.yandex.ru/j/abc",
    "https://telemost.yandex.ru.evil.example/j/78566269088286",
    "https://evil.example/telemost.yandex.ru/j/78566269088286",
    "https://telemost.yandex.ru@evil.example/j/78566269088286",
    "https://user@telemost.yandex.ru/j/78566269088286",
    "https://telemost.yandex.ru:8443/j/78566269088286",
    "https://telemost.yandex.ru/j/78566269088286?next=https://evil.example",
    "https://telemost.yandex.ru/j/78566269088286#x",
    "https://meet.google.com/abc-defg-hij",
    "javascript:alert(1)//telemost.yandex.ru/j/123456",
    "https://[::1/j/1",
    "",
    None,
    78566269088286,
])
def test_not_telemost_links(url: object) -> None:
    """What vks sends a citizen or takes from the API: the bare meeting link, nothing after."""
    assert canonical_link(url) is None
