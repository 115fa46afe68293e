"""An HTTP client for gspread that retries a little, waits in bounds and counts its requests.

gspread takes its HTTP layer as a parameter (`gspread.Client(auth, http_client=…)`); its own
`BackOffHTTPClient` in 6.2.x keeps retrying for minutes and repeats writes. This one:

- repeats a read (GET) after 408, 429, 500, 502, 503, 504 or no answer, with exponential
  backoff and jitter, honouring Retry-After, at most `retries` times;
- repeats a write (POST, PUT) only after 429 or a failed token refresh — Google refused it
  before running it — never after a 5xx or a timeout, when it may have been applied;
- gives every attempt a connect and read timeout and every call a total time limit, waits
  included; then raises `SheetsUnavailable` (a JournalError with a Russian message);
- counts the HTTP requests it sends (`requests`), repeats included, for `vks check --verbose`;
- says "gzip" in its User-Agent: Google compresses a reply only for a client that asks with
  Accept-Encoding (requests does) *and* names gzip in its user agent (Sheets API performance
  guide) — the grid data of a large journal shrinks several times over.

Everything else is gspread's: a non-retryable error response raises `gspread.exceptions.APIError`
with the parsed error body; `describe_api_error` turns it into a Russian message.

    client = SheetsHTTPClient(credentials, policy=RetryPolicy(time_limit=60))
    client.values_batch_get(key, ["'ЦСВ'!A1:Y"], params={...})
    client.requests  # → 1
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Mapping, MutableMapping
from dataclasses import dataclass
from typing import Any

import requests
from google.auth.exceptions import TransportError
from gspread.exceptions import APIError
from gspread.http_client import FileType, HTTPClient, ParamsType

from toolkit.journal.errors import JournalError

log = logging.getLogger("vks.gsheets")

RETRY_READ = frozenset({408, 429, 500, 502, 503, 504})
RETRY_WRITE = frozenset({429})  # refused by the quota check before it ran: nothing to repeat
IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS"})
RATE_LIMIT_REASONS = frozenset({"rateLimitExceeded", "userRateLimitExceeded"})


@dataclass(frozen=True)
class RetryPolicy:
    """How long and how often to try one call."""

    retries: int = 5  # repeats after the first attempt
    base_delay: float = 1.0  # seconds before the first repeat; doubles each time
    max_delay: float = 32.0
    time_limit: float = 120.0  # seconds for one call: attempts and waits together
    connect_timeout: float = 10.0
    read_timeout: float = 60.0


class SheetsUnavailable(JournalError):
    """Google did not answer in time, or kept refusing: nothing more is tried for this call."""


class SheetsHTTPClient(HTTPClient):
    """gspread's HTTPClient with bounded retry, timeouts and a request counter."""

    def __init__(
        self,
        auth: Any,
        session: requests.Session | None = None,
        policy: RetryPolicy | None = None,
        *,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        super().__init__(auth, session)
        agent = str(self.session.headers.get("User-Agent") or "")
        if "gzip" not in agent:
            self.session.headers["User-Agent"] = f"{agent} vks (gzip)".strip()
        self.policy = policy or RetryPolicy()
        self.timeout = (self.policy.connect_timeout, self.policy.read_timeout)
        self.requests = 0  # HTTP requests sent, repeats included
        self.repeats = 0
        self._sleep = sleep
        self._clock = clock
        self._jitter = jitter

    def request(
        self,
        method: str,
        endpoint: str,
        params: ParamsType | None = None,
        data: bytes | None = None,
        json: Mapping[str, Any] | None = None,
        files: FileType = None,
        headers: MutableMapping[str, str] | None = None,
    ) -> requests.Response:
        policy = self.policy
        idempotent = method.upper() in IDEMPOTENT
        what = describe_call(method, endpoint)
        started = self._clock()
        attempt = 0
        while True:
            remaining = policy.time_limit - (self._clock() - started)
            connect, read = _pair(self.timeout)
            timeout = (max(0.1, min(connect, remaining)), max(0.1, min(read, remaining)))
            self.requests += 1
            retry_after: float | None = None
            try:
                response = self.session.request(
                    method=method, url=endpoint, json=json, params=params, data=data,
                    files=files, headers=headers, timeout=timeout,
                )
            except TransportError:
                # The access token could not be refreshed: the call itself was never sent.
                problem = "не удалось получить токен доступа"
            except (requests.Timeout, requests.ConnectionError) as exc:
                problem = "нет ответа (истекло время ожидания)" if isinstance(
                    exc, requests.Timeout) else "нет соединения"
                if not idempotent:
                    raise SheetsUnavailable(
                        f"Google Таблицы: {problem} на запрос {what}; неизвестно, выполнен ли "
                        f"он. Запустите команду снова — записанные ячейки программа не тронет "
                        f"повторно."
                    ) from None
            else:
                if response.ok:
                    return response
                if not self._retryable(response, idempotent):
                    raise APIError(response)
                problem = f"ответ {response.status_code}"
                retry_after = _retry_after(response)
            attempt += 1
            delay = self._delay(attempt, retry_after)
            elapsed = self._clock() - started
            if attempt > policy.retries or elapsed + delay > policy.time_limit:
                raise SheetsUnavailable(
                    f"Google Таблицы: {problem} на запрос {what}; после {attempt} "
                    f"{_attempts(attempt)} за {elapsed:.0f} с программа прекратила попытки. "
                    f"Запустите команду позже."
                )
            self.repeats += 1
            log.info("Google Таблицы: %s на запрос %s, повтор %d через %.1f с",
                     problem, what, attempt, delay)
            self._sleep(delay)

    def set_timeout(self, timeout: float | tuple[float, float] | None) -> None:
        self.timeout = timeout if timeout is not None else (
            self.policy.connect_timeout, self.policy.read_timeout)

    def _retryable(self, response: requests.Response, idempotent: bool) -> bool:
        codes = RETRY_READ if idempotent else RETRY_WRITE
        if response.status_code in codes:
            return True
        # Older Google APIs say "quota" with 403 and a reason instead of 429.
        return response.status_code == 403 and _error_reason(response) in RATE_LIMIT_REASONS

    def _delay(self, attempt: int, retry_after: float | None) -> float:
        p = self.policy
        ceiling = min(p.max_delay, p.base_delay * 2 ** (attempt - 1))
        delay = ceiling / 2 + ceiling / 2 * self._jitter()  # "equal jitter"
        if retry_after is not None:
            delay = max(delay, min(retry_after, p.max_delay))
        return delay


def _pair(timeout: Any) -> tuple[float, float]:
    if isinstance(timeout, tuple):
        return float(timeout[0]), float(timeout[1])
    if timeout is None:
        return 10.0, 60.0
    return float(timeout), float(timeout)


def _attempts(n: int) -> str:
    return "попытки" if n % 10 == 1 and n % 100 != 11 else "попыток"


def _retry_after(response: requests.Response) -> float | None:
    value = response.headers.get("Retry-After", "")
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


def _error_reason(response: requests.Response) -> str:
    try:
        errors = response.json()["error"].get("errors") or [{}]
        return str(errors[0].get("reason", ""))
    except Exception:  # not JSON, or not Google's error shape
        return ""


def describe_call(method: str, endpoint: str) -> str:
    """A Sheets API call named as in the API reference: values:batchGet, spreadsheets.get…"""
    tail = endpoint.split("/spreadsheets/", 1)[-1]
    key, _, rest = tail.partition("/")
    if ":" in key:
        return "spreadsheets." + key.split(":", 1)[1]
    if rest.startswith("values:"):
        return "values." + rest.split(":", 1)[1].split("?", 1)[0]
    if rest.startswith("values/"):
        return "values." + ("get" if method.upper() == "GET" else method.lower())
    return "spreadsheets.get" if method.upper() == "GET" else f"{method.upper()} {endpoint}"


def describe_api_error(error: APIError, location: str, account: str = "") -> str:
    """A Russian message for a Sheets API error: what happened and what to do."""
    code = error.code
    status = str(error.error.get("status", ""))
    detail = str(error.error.get("message", ""))[:200]
    if code in (401,):
        return (f"{location}: Google не принял ключ сервисного аккаунта ({code} {status}). "
                f"Проверьте файл ключа в [google] service_account.")
    if code == 403:
        who = f" {account}" if account else ""
        return (f"{location}: нет доступа к таблице ({code} {status}). Откройте таблицу для "
                f"сервисного аккаунта{who} с правом «Редактор» (Настройки доступа).")
    if code == 404:
        return (f"{location}: таблица не найдена ({code}). Проверьте ключ таблицы — часть "
                f"ссылки между /d/ и /edit.")
    if code == 429:
        return (f"{location}: превышена квота запросов к Google Таблицам ({code}). "
                f"Запустите команду позже.")
    if code == 400:
        return f"{location}: Google отклонил запрос ({code} {status}): {detail}"
    return f"{location}: ошибка Google Таблиц ({code} {status})."
