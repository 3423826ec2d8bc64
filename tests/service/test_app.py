"""The service application: settings from the environment, health and readiness, the parts' lifespan,
and running under a reverse proxy's path prefix (served by a real uvicorn on a fresh project)."""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn
from fastapi import FastAPI

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


def _serve(app: FastAPI, sock: socket.socket) -> tuple[uvicorn.Server, threading.Thread]:
    port = int(sock.getsockname()[1])
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the server did not start in 30 s"
        time.sleep(0.05)
    return server, thread


def _socket() -> socket.socket:
    """A socket bound to a free port, handed to uvicorn: nothing else can take the port before it listens."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    return sock


@pytest.fixture
def proxied(tmp_path: Path) -> Iterator[tuple[str, Recorder]]:
    project = init_project(tmp_path / "co")
    store = project.store()
    Accounts(store).add("ada", "admin", "correct horse battery staple")
    store.close()
    sock = _socket()
    port = int(sock.getsockname()[1])
    app = create_app(project, WebSettings(port=port, root_path="/cx", warm_up=False))
    recorder = Recorder()
    app.state.parts.append(recorder)
    server, thread = _serve(app, sock)
    yield f"http://127.0.0.1:{port}", recorder
    server.should_exit = True
    thread.join(timeout=10)
    sock.close()
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


def test_readiness_fails_when_the_store_is_gone(tmp_path: Path) -> None:
    project = init_project(tmp_path / "co")
    sock = _socket()
    port = int(sock.getsockname()[1])
    app = create_app(project, WebSettings(port=port, warm_up=False))
    server, thread = _serve(app, sock)
    try:
        app.state.store.close()
        answer = httpx.get(f"http://127.0.0.1:{port}/readyz")
        assert answer.status_code == 503 and answer.json()["status"] == "unavailable"
        assert httpx.get(f"http://127.0.0.1:{port}/healthz").status_code == 200
    finally:
        app.state.store = project.store()  # the lifespan closes it at shutdown
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
