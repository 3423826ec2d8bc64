"""The one FastAPI application `cxscore serve` runs: the web app, the survey pages and their shared parts.

`create_app(project)` opens the project's store for the process (two connections) and keeps, on
`app.state`:

- `project`: the cxscore `Project`;
- `store`: the open `Store` of the web app (pages, API, accounts, health checks);
- `store_lock`: a `threading.RLock` that every use of `store` holds (a DuckDB connection is not safe for
  concurrent use, and FastAPI runs plain `def` endpoints on a thread pool);
- `survey_store` and `survey_lock`: a second connection to the same database, with its own lock, for
  the customers' side (survey pages, answers, webhooks, the sender; see `cxscore.surveys.http`). A page
  computing for seconds or minutes holds `store_lock` only, so a customer answering a survey never waits
  for it. Each connection sees what the other commits (DuckDB: two connections of one database in this
  process, with MVCC between them; PostgreSQL: two sessions). The survey side never takes `store_lock`;
  web code that needs both (an import, which may change the rows the survey side writes) takes
  `store_lock` first, so the two never wait for each other in opposite orders;
- `parts`: objects with `start()` and `close()` (e.g. the surveys' sender) that the lifespan starts at
  start-up and closes at shutdown, in reverse order;
- `settings`: the `WebSettings` read from the environment.

Health: `/healthz` answers while the process runs; `/readyz` checks that the store answers a query.
"""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any, Protocol

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from cxscore import __version__
from cxscore.service.settings import WebSettings

if TYPE_CHECKING:
    from cxscore.store import Project, Store

__all__ = ["SECURITY_HEADERS", "Part", "RootPath", "SecurityHeaders", "create_app", "store_of"]

#: Sent with every answer. The pages use no inline scripts or styles and load nothing from elsewhere.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
        "base-uri 'none'; object-src 'none'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}


#: How long /readyz waits for the store while another request computes with it.
READY_WAIT_SECONDS = 5.0


class Part(Protocol):
    """Something the app starts with itself and closes at shutdown."""

    def start(self) -> None: ...

    def close(self) -> None: ...


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    started: list[Part] = []
    try:
        for part in app.state.parts:
            part.start()
            started.append(part)
        yield
    finally:
        for part in reversed(started):
            part.close()
        # The surveys' connection first: on DuckDB it is a connection of the web store's database.
        app.state.survey_store.close()
        app.state.store.close()


def create_app(project: Project, settings: WebSettings | None = None) -> FastAPI:
    """The application for `project`: web pages and API, survey pages when installed, health checks."""
    from cxscore.web.accounts import create_tables

    chosen = settings or WebSettings.from_env()
    store = project.store()
    try:
        create_tables(store)
        survey_store = store.another_connection()  # after the schema is current: it checks nothing
    except BaseException:
        store.close()
        raise
    app = FastAPI(
        title="cxscore",
        version=__version__,
        description="Customer-experience scorecards, goals, fair leaderboards and diagnosis. Every page "
        "has a JSON twin under /api; scripts authenticate with `Authorization: Bearer <API token>`.",
        lifespan=_lifespan,
        docs_url=None,  # FastAPI's docs pages load their scripts from a CDN; /api/docs is served locally
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    app.state.project = project
    app.state.store = store
    app.state.store_lock = threading.RLock()
    app.state.survey_store = survey_store
    app.state.survey_lock = threading.RLock()
    app.state.parts = []
    app.state.settings = chosen
    app.add_middleware(SecurityHeaders, hsts=chosen.secure_cookies)
    if chosen.root_path:
        app.add_middleware(RootPath, prefix=chosen.root_path)
    _install_health(app)
    _install_parts(app)
    return app


class RootPath:
    """Serve under a reverse proxy's path prefix (`CXSCORE_ROOT_PATH`, e.g. /cx), whether the proxy strips
    the prefix (`/cx/teams` arrives as `/teams`) or passes it on: pages link with the prefix either way."""

    def __init__(self, app: ASGIApp, prefix: str) -> None:
        self.app = app
        self.prefix = prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            scope = dict(scope)
            path = scope["path"]
            if not (path == self.prefix or path.startswith(self.prefix + "/")):
                # Starlette routes on the full path minus the root path: put back what the proxy stripped.
                scope["path"] = self.prefix + path
                scope["raw_path"] = scope["path"].encode()
            scope["root_path"] = self.prefix
        await self.app(scope, receive, send)


def store_of(app: FastAPI) -> tuple[Store, threading.RLock]:
    """The web app's store and the lock to hold while using it (the survey endpoints have their own)."""
    return app.state.store, app.state.store_lock


class SecurityHeaders:
    """Adds `SECURITY_HEADERS` (and HSTS with secure cookies) to every answer; plain ASGI, so it costs
    next to nothing per request."""

    def __init__(self, app: ASGIApp, hsts: bool = False) -> None:
        self.app = app
        extra = {"Strict-Transport-Security": "max-age=31536000"} if hsts else {}
        self.headers = [(k.lower().encode(), v.encode()) for k, v in {**SECURITY_HEADERS, **extra}.items()]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                added = [(k, v) for k, v in self.headers if k not in present]
                message = {**message, "headers": [*message.get("headers", []), *added]}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _install_health(app: FastAPI) -> None:
    @app.get("/healthz", tags=["health"], summary="The process is up")
    def healthz() -> dict[str, Any]:
        return {"status": "ok", "version": __version__}

    @app.get("/readyz", tags=["health"], summary="The store answers queries")
    def readyz() -> JSONResponse:
        store, lock = store_of(app)
        if not lock.acquire(timeout=READY_WAIT_SECONDS):
            # The store is in use (a long computation holds it): the process works, answers are slow.
            return JSONResponse({"status": "ready", "store": store.backend, "busy": True})
        try:
            version = store.schema_version()
        except Exception as error:  # any failure of the store means: not ready
            return JSONResponse(
                {"status": "unavailable", "store": store.backend, "error": " ".join(str(error).split())},
                status_code=503,
            )
        finally:
            lock.release()
        return JSONResponse({"status": "ready", "store": store.backend, "schema_version": version})


def _install_parts(app: FastAPI) -> None:
    """The survey pages, webhooks and their sender (`cxscore.surveys.http`), then the web app's pages and
    API (its error pages answer for every route)."""
    from cxscore.surveys.http import install as install_surveys
    from cxscore.web.pages import install as install_web

    install_surveys(app)
    install_web(app)
