"""Survey settings: the `surveys:` section of cxscore.yaml, with the environment taking precedence.

```yaml
surveys:
  public_url: https://feedback.example.com   # where links point (env CXSCORE_PUBLIC_URL)
  sender: "Northwind feedback <feedback@example.com>"
  fatigue_days: 60          # no contact is invited more than once in this many days, across all surveys
  send_every_minutes: 15    # cxscore serve sends due invitations and reminders this often (0: never)
  smtp_url: smtp://mail.example.com:587?starttls=true   # the password belongs in CXSCORE_SMTP_URL only
  rate_limits: {per_link: [1, 10], per_address: [20, 60]}   # [per second, burst]
  webhooks:
    typeform: {format: typeform, secret_env: TYPEFORM_SECRET, survey: website-nps}
```

>>> smtp = parse_smtp_url("smtp://bot:hunter2@127.0.0.1:2525?starttls=false")
>>> smtp.host, smtp.port, smtp.user, smtp.redacted()
('127.0.0.1', 2525, 'bot', 'smtp://bot:***@127.0.0.1:2525')
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import yaml

from cxscore.errors import ConfigError

__all__ = ["SmtpSettings", "SurveySettings", "WebhookSource", "parse_smtp_url", "read_settings"]

SMTP_ENV = "CXSCORE_SMTP_URL"
PUBLIC_URL_ENV = "CXSCORE_PUBLIC_URL"
SENDER_ENV = "CXSCORE_SMTP_FROM"
WEBHOOK_FORMATS = ("generic", "typeform", "zendesk")


@dataclass(frozen=True)
class SmtpSettings:
    """Where to send e-mail. `repr` and `redacted()` never show the password."""

    host: str
    port: int
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    tls: bool = False
    starttls: bool = False
    timeout: float = 30.0

    def redacted(self) -> str:
        scheme = "smtps" if self.tls else "smtp"
        auth = f"{self.user}:***@" if self.user else ""
        return f"{scheme}://{auth}{self.host}:{self.port}"


@dataclass(frozen=True)
class WebhookSource:
    """One sender of webhooks: its payload format, where its secret is, and defaults for its rows."""

    name: str
    format: str
    secret_env: str
    survey: str | None = None
    tolerance_seconds: int = 300
    mapping: dict[str, str] = field(default_factory=dict)

    def secret(self) -> bytes:
        value = os.environ.get(self.secret_env, "")
        if len(value) < 16:
            raise ConfigError(
                f"Webhook source '{self.name}' takes its secret from the environment variable "
                f"{self.secret_env}, which is {'unset' if not value else 'shorter than 16 characters'}. "
                "Set it to the secret configured in the sending tool."
            )
        return value.encode()


@dataclass(frozen=True)
class SurveySettings:
    public_url: str = "http://127.0.0.1:8000"
    sender: str = "cxscore <surveys@localhost>"
    fatigue_days: int = 60
    #: How often `cxscore serve` sends what the triggers select and the reminders due (0: never; it
    #: sends only when an SMTP server is set).
    send_every_minutes: int = 15
    smtp: SmtpSettings | None = None
    per_link: tuple[float, int] = (1.0, 10)
    per_address: tuple[float, int] = (20.0, 60)
    per_source: tuple[float, int] = (50.0, 100)
    webhooks: dict[str, WebhookSource] = field(default_factory=dict)


def parse_smtp_url(url: str) -> SmtpSettings:
    """Parse ``smtp://[user:password@]host[:port][?starttls=true]`` or ``smtps://...``."""
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        shown = url.split("@")[-1]
        raise ConfigError(
            f"The SMTP URL '...{shown}' is not of the form smtp://user:password@host:port or smtps://...; "
            f"fix {SMTP_ENV} or surveys.smtp_url in cxscore.yaml."
        )
    query = {k: v[-1].lower() for k, v in parse_qs(parts.query).items()}
    tls = parts.scheme == "smtps"
    return SmtpSettings(
        host=parts.hostname,
        port=parts.port or (465 if tls else 25),
        user=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
        tls=tls,
        starttls=query.get("starttls", "false") in ("1", "true", "yes"),
        timeout=float(query.get("timeout", "30")),
    )


def read_settings(root: Path) -> SurveySettings:
    """The survey settings of the project at `root`."""
    path = root / "cxscore.yaml"
    try:
        config: Any = yaml.safe_load(path.read_text(encoding="utf-8")) if path.is_file() else {}
    except yaml.YAMLError as error:
        raise ConfigError(f"{path} is not valid YAML ({error}). Fix the file.") from None
    section = (config or {}).get("surveys") or {}
    if not isinstance(section, dict):
        raise ConfigError(f"{path}: 'surveys' must be a mapping, not {section!r}. Fix the file.")
    smtp_url = os.environ.get(SMTP_ENV) or section.get("smtp_url")
    limits = section.get("rate_limits") or {}
    defaults = SurveySettings()
    return SurveySettings(
        public_url=str(
            os.environ.get(PUBLIC_URL_ENV) or section.get("public_url") or defaults.public_url
        ).rstrip("/"),
        sender=str(os.environ.get(SENDER_ENV) or section.get("sender") or defaults.sender),
        fatigue_days=_whole(section.get("fatigue_days", defaults.fatigue_days), "surveys.fatigue_days", path),
        send_every_minutes=_whole(
            section.get("send_every_minutes", defaults.send_every_minutes),
            "surveys.send_every_minutes",
            path,
            "minutes",
        ),
        smtp=parse_smtp_url(str(smtp_url)) if smtp_url else None,
        per_link=_limit(limits.get("per_link"), defaults.per_link, "per_link", path),
        per_address=_limit(limits.get("per_address"), defaults.per_address, "per_address", path),
        per_source=_limit(limits.get("per_source"), defaults.per_source, "per_source", path),
        webhooks=_webhooks(section.get("webhooks") or {}, path),
    )


def _whole(value: Any, name: str, path: Path, unit: str = "days") -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ConfigError(f"{path}: {name} must be a whole number of {unit} (0 or more), not {value!r}.")
    return value


def _limit(value: Any, default: tuple[float, int], name: str, path: Path) -> tuple[float, int]:
    if value is None:
        return default
    ok = (
        isinstance(value, list)
        and len(value) == 2
        and all(isinstance(v, int | float) and v > 0 for v in value)
    )
    if not ok:
        raise ConfigError(
            f"{path}: surveys.rate_limits.{name} must be [per second, burst] such as [1, 10], not {value!r}."
        )
    return float(value[0]), int(value[1])


def _webhooks(section: Any, path: Path) -> dict[str, WebhookSource]:
    if not isinstance(section, dict):
        raise ConfigError(f"{path}: surveys.webhooks must map a source name to its settings.")
    sources = {}
    for name, spec in section.items():
        spec = spec or {}
        fmt = str(spec.get("format", "generic"))
        if fmt not in WEBHOOK_FORMATS:
            raise ConfigError(
                f"{path}: webhook source '{name}' has format '{fmt}'; "
                f"use one of {', '.join(WEBHOOK_FORMATS)}."
            )
        if not spec.get("secret_env"):
            raise ConfigError(
                f"{path}: webhook source '{name}' needs secret_env: the environment variable holding its "
                "secret (secrets never go in cxscore.yaml)."
            )
        sources[str(name)] = WebhookSource(
            name=str(name),
            format=fmt,
            secret_env=str(spec["secret_env"]),
            survey=str(spec["survey"]) if spec.get("survey") else None,
            tolerance_seconds=int(spec.get("tolerance_seconds", 300)),
            mapping={str(k): str(v) for k, v in (spec.get("map") or {}).items()},
        )
    return sources
