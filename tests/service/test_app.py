"""The service application: settings from the environment, health and readiness, the parts' lifespan,
and running under a reverse proxy's path prefix (served by a real uvicorn on a fresh project)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from cxscore.errors import ConfigError
from cxscore.service.app import SECURITY_HEADERS, create_app
from cxscore.service.settings import WebSettings
from cxscore.store import init_project
from cxscore.web.accounts import Accounts


def test_settings_come_from_the_environment() -> None:
    settings = WebSettings.from_env(
        {"CXSCORE_HOST": "0.0.0.0", "CXSCORE_ROOT_PATH": "/cx/", "CXSCORE_SECURE_COOKIES": "yes"}
    )
    assert (settings.host, settings.port, settings.root_path, settings.secure_cookies) == (
        "0.0.0.0",
        8000,
        "/cx",
        True,
    )
    with pytest.raises(ConfigError, match="CXSCORE_PORT='eighty' is not a number"):
        WebSettings.from_env({"CXSCORE_PORT": "eighty"})
    with pytest.raises(ConfigError, match="Set it to 1 or 0"):
        WebSettings.from_env({"CXSCORE_SECURE_COOKIES": "perhaps"})


class Recorder:
    """A part that notes when the app starts and closes it."""

    def __init__(self) -> None:
        self.events: list[str] = []

    def start(self) -> None:
        self.events.append("start")

    def close(self) -> None:
        self.events.append("close")


@pytest.fixture
def proxied(tmp_path: Path, app_server: Any) -> Iterator[tuple[str, Recorder]]:
    project = init_project(tmp_path / "co")
    store = project.store()
    Accounts(store).add("ada", "admin", "correct horse battery staple")
    store.close()
    sock = app_server.socket()
    app = create_app(project, WebSettings(port=int(sock.getsockname()[1]), root_path="/cx", warm_up=False))
    recorder = Recorder()
    app.state.parts.append(recorder)
    with app_server.serve(app, sock) as url:
        yield url, recorder
    assert recorder.events == ["start", "close"]


def test_health_readiness_and_headers(proxied: tuple[str, Recorder]) -> None:
    url, recorder = proxied
    assert recorder.events == ["start"]
    health = httpx.get(f"{url}/cx/healthz")
    assert health.json()["status"] == "ok"
    for name, value in SECURITY_HEADERS.items():
        assert health.headers[name] == value
    assert httpx.get(f"{url}/cx/readyz").json()["status"] == "ready"


def test_behind_a_proxy_links_and_redirects_keep_the_prefix(proxied: tuple[str, Recorder]) -> None:
    url, _ = proxied
    with httpx.Client(base_url=url) as client:
        first = client.get("/cx/data-quality")
        assert first.status_code == 303 and first.headers["location"] == "/cx/login?next=/data-quality"
        form = client.get("/cx/login")
        assert 'href="/cx/static/app.css"' in form.text and 'action="/cx/login"' in form.text
        token = re.search(r'name="csrf_token" value="([^"]+)"', form.text).group(1)  # type: ignore[union-attr]
        signed = client.post(
            "/cx/login",
            data={
                "username": "ada",
                "password": "correct horse battery staple",
                "csrf_token": token,
                "next": "/data-quality",
            },
        )
        assert signed.status_code == 303 and signed.headers["location"] == "/cx/data-quality"
        page = client.get("/cx/data-quality")
        assert page.status_code == 200 and "Data quality" in page.text
        assert client.get("/cx/static/app.css").status_code == 200
        stripped = client.get("/data-quality")  # a proxy that strips the prefix
        assert stripped.status_code == 200 and 'href="/cx/static/app.css"' in stripped.text


def test_readiness_fails_when_the_store_is_gone(tmp_path: Path, app_server: Any) -> None:
    project = init_project(tmp_path / "co")
    sock = app_server.socket()
    app = create_app(project, WebSettings(port=int(sock.getsockname()[1]), warm_up=False))
    with app_server.serve(app, sock) as url:
        try:
            app.state.store.close()
            answer = httpx.get(f"{url}/readyz")
            assert answer.status_code == 503 and answer.json()["status"] == "unavailable"
            assert httpx.get(f"{url}/healthz").status_code == 200
        finally:
            app.state.store = project.store()  # the lifespan closes it at shutdown
