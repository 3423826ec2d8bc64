"""The service's settings, read from environment variables so a deployment needs no file edits.

| variable | default | meaning |
|---|---|---|
| `CXSCORE_HOST` | `127.0.0.1` | address `cxscore serve` listens on |
| `CXSCORE_PORT` | `8000` | port it listens on |
| `CXSCORE_ROOT_PATH` | (empty) | the path prefix a reverse proxy serves the app under, e.g. `/cx` |
| `CXSCORE_FORWARDED_ALLOW_IPS` | `127.0.0.1` | proxies whose `X-Forwarded-*` headers are trusted |
| `CXSCORE_SECURE_COOKIES` | `0` | `1` behind HTTPS: cookies are sent over HTTPS only |
| `CXSCORE_SESSION_HOURS` | `12` | how long a sign-in lasts |
| `CXSCORE_LOCKOUT_FAILURES` | `5` | failed sign-ins in a row that lock an account |
| `CXSCORE_LOCKOUT_MINUTES` | `15` | how long a locked account waits |
| `CXSCORE_LOGIN_BURST` | `30` | sign-in attempts per address at once (then one every 2 s) |
| `CXSCORE_CACHE_SECONDS` | `5` | how often the app checks whether the store's data changed |
| `CXSCORE_WARM_UP` | `1` | compute the latest quarter's scorecards in the background at start-up |
| `CXSCORE_MAX_UPLOAD_MB` | `50` | the largest file the Import page accepts, in megabytes |
| `CXSCORE_PUBLIC_URL` | (empty) | the address people use, e.g. `https://cx.example.com/cx` (SSO redirect) |
| `CXSCORE_OIDC_ISSUER` | (empty) | OpenID Connect issuer URL (single sign-on; docs/how-to/production.md) |
| `CXSCORE_OIDC_CLIENT_ID` | (empty) | the client id registered at the issuer |
| `CXSCORE_OIDC_CLIENT_SECRET` | (empty) | its secret (empty for a public client, which PKCE still protects) |

The store comes from `CXSCORE_STORE` and the secret key from `CXSCORE_SECRET_KEY` (see
`cxscore.store.project` and `cxscore.service.secrets`).

>>> WebSettings.from_env({"CXSCORE_PORT": "9000", "CXSCORE_SECURE_COOKIES": "1"}).port
9000
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TypeVar

from cxscore.errors import ConfigError

__all__ = ["WebSettings"]

T = TypeVar("T", int, float)


@dataclass(frozen=True)
class WebSettings:
    """Settings of one `cxscore serve` process."""

    host: str = "127.0.0.1"
    port: int = 8000
    root_path: str = ""
    forwarded_allow_ips: str = "127.0.0.1"
    secure_cookies: bool = False
    session_hours: float = 12.0
    lockout_failures: int = 5
    lockout_minutes: float = 15.0
    login_burst: int = 30
    cache_seconds: float = 5.0
    warm_up: bool = True
    max_upload_mb: float = 50.0
    public_url: str = ""
    oidc_issuer: str = ""
    oidc_client_id: str = ""
    oidc_client_secret: str = ""

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> WebSettings:
        """The settings from `env` (default: the process environment); unset variables keep the default."""
        source = os.environ if env is None else env
        return cls(
            host=source.get("CXSCORE_HOST", cls.host),
            port=_number(source, "CXSCORE_PORT", cls.port, int),
            root_path=source.get("CXSCORE_ROOT_PATH", cls.root_path).rstrip("/"),
            forwarded_allow_ips=source.get("CXSCORE_FORWARDED_ALLOW_IPS", cls.forwarded_allow_ips),
            secure_cookies=_flag(source, "CXSCORE_SECURE_COOKIES", cls.secure_cookies),
            session_hours=_number(source, "CXSCORE_SESSION_HOURS", cls.session_hours, float),
            lockout_failures=_number(source, "CXSCORE_LOCKOUT_FAILURES", cls.lockout_failures, int),
            lockout_minutes=_number(source, "CXSCORE_LOCKOUT_MINUTES", cls.lockout_minutes, float),
            login_burst=_number(source, "CXSCORE_LOGIN_BURST", cls.login_burst, int),
            cache_seconds=_number(source, "CXSCORE_CACHE_SECONDS", cls.cache_seconds, float),
            warm_up=_flag(source, "CXSCORE_WARM_UP", cls.warm_up),
            max_upload_mb=_number(source, "CXSCORE_MAX_UPLOAD_MB", cls.max_upload_mb, float),
            public_url=source.get("CXSCORE_PUBLIC_URL", "").rstrip("/"),
            oidc_issuer=source.get("CXSCORE_OIDC_ISSUER", ""),
            oidc_client_id=source.get("CXSCORE_OIDC_CLIENT_ID", ""),
            oidc_client_secret=source.get("CXSCORE_OIDC_CLIENT_SECRET", ""),
        )

    @property
    def oidc_enabled(self) -> bool:
        return bool(self.oidc_issuer and self.oidc_client_id)

    @property
    def max_upload_bytes(self) -> int:
        """The Import page's limit in bytes (a megabyte is 1,048,576 bytes)."""
        return int(self.max_upload_mb * 1024 * 1024)


def _number(source: Mapping[str, str], name: str, default: T, kind: type[T]) -> T:
    raw = source.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = kind(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r} is not a number. Set it to e.g. {default}.") from None
    if value <= 0:
        raise ConfigError(f"{name}={raw!r} must be positive. Set it to e.g. {default}.")
    return value


def _flag(source: Mapping[str, str], name: str, default: bool) -> bool:
    raw = source.get(name)
    if raw is None or raw == "":
        return default
    if raw.lower() in ("1", "true", "yes", "on"):
        return True
    if raw.lower() in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"{name}={raw!r} is not a yes/no value. Set it to 1 or 0.")
