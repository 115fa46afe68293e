"""The `[google]` settings and the service-account login, by gspread's conventions.

The key file of the service account is looked for, in this order: `service_account` in the
`[google]` table of vks.toml (relative to that file), the environment variable VKS_GOOGLE_KEY,
GOOGLE_APPLICATION_CREDENTIALS, and gspread's default place (~/.config/gspread/
service_account.json, %APPDATA%\\gspread\\service_account.json on Windows). The only scope asked
for is spreadsheets: the toolkit needs no Drive access, so the key cannot list or read other
files of the account.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from toolkit.journal.config import Config
from toolkit.journal.errors import ConfigError
from toolkit.sources.gsheets.http import RetryPolicy, SheetsHTTPClient

SCOPES = ("https://www.googleapis.com/auth/spreadsheets",)
KEY_ENV = "VKS_GOOGLE_KEY"


@dataclass(frozen=True)
class GoogleSettings:
    """The `[google]` table of vks.toml."""

    service_account: Path | None = None
    policy: RetryPolicy = field(default_factory=RetryPolicy)
    personal_file: Path | None = None  # addresses and contacts kept here, not in Google

    @classmethod
    def from_config(cls, config: Config) -> GoogleSettings:
        raw = config.section("google")
        where = f"{config.path or 'настройки'}: [google]"
        base = config.path.parent if config.path else Path.cwd()

        def path(key: str) -> Path | None:
            value = raw.get(key)
            if value is None or value == "":
                return None
            if not isinstance(value, str):
                raise ConfigError(f"{where} {key} — ожидается путь к файлу в кавычках")
            p = Path(value).expanduser()
            return p if p.is_absolute() else base / p

        def seconds(key: str, default: float) -> float:
            value = raw.get(key, default)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
                raise ConfigError(f"{where} {key} — ожидается положительное число секунд")
            return float(value)

        retries = raw.get("retries", RetryPolicy.retries)
        if isinstance(retries, bool) or not isinstance(retries, int) or not 0 <= retries <= 10:
            raise ConfigError(f"{where} retries — ожидается целое число от 0 до 10")
        policy = RetryPolicy(
            retries=retries,
            read_timeout=seconds("timeout", RetryPolicy.read_timeout),
            time_limit=seconds("time_limit", RetryPolicy.time_limit),
        )
        return cls(path("service_account"), policy, path("personal_file"))


def key_file(settings: GoogleSettings) -> Path:
    """The service-account key to use (see the module docstring for the order)."""
    if settings.service_account is not None:
        return settings.service_account
    for name in (KEY_ENV, "GOOGLE_APPLICATION_CREDENTIALS"):
        value = os.environ.get(name)
        if value:
            return Path(value).expanduser()
    from gspread.auth import DEFAULT_SERVICE_ACCOUNT_FILENAME

    return Path(DEFAULT_SERVICE_ACCOUNT_FILENAME)


def credentials(settings: GoogleSettings) -> Any:
    """Service-account credentials limited to SCOPES; ConfigError when the key is unusable."""
    from google.oauth2.service_account import Credentials

    path = key_file(settings)
    if not path.is_file():
        raise ConfigError(
            f"Нет ключа сервисного аккаунта Google: файл {path} не найден. Создайте сервисный "
            f"аккаунт в Google Cloud, скачайте ключ JSON и укажите путь в [google] "
            f"service_account файла настроек или в переменной {KEY_ENV}."
        )
    try:
        return Credentials.from_service_account_file(str(path), scopes=list(SCOPES))
    except (ValueError, KeyError) as exc:
        # The message names a missing field at most; the key itself is never shown.
        raise ConfigError(f"{path}: это не ключ сервисного аккаунта Google ({type(exc).__name__})"
                          ) from None


def connect(settings: GoogleSettings) -> tuple[SheetsHTTPClient, str]:
    """The HTTP client logged in as the service account, and the account's e-mail."""
    creds = credentials(settings)
    return SheetsHTTPClient(creds, policy=settings.policy), str(
        getattr(creds, "service_account_email", ""))
