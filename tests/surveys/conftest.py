"""Fixtures of the survey tests: a small company, survey files, a real SMTP server and the real app."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import re
import socket
import threading
import time
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import httpx
import pyarrow as pa
import pytest
import uvicorn
from aiosmtpd.controller import Controller
from fastapi import FastAPI

from cxscore.store import Project, Store, init_project

#: Survey links expire by the real clock, so the company lives around today.
NOW = dt.datetime.now(dt.UTC).replace(tzinfo=None, minute=0, second=0, microsecond=0)
TODAY = NOW.date()
DAY = dt.timedelta(days=1)
HOUR = dt.timedelta(hours=1)

CASE_CSAT = """\
id: case-csat
name: Support case satisfaction
trigger: case_closed
delay_hours: 24
touchpoint: support_case
expires_days: 14
reminder_after_days: 3
languages: [en, de]
title: {en: "Your support case", de: "Ihr Support-Fall"}
questions:
  - id: csat
    kind: csat
    required: true
    text: {en: "How satisfied are you with how we handled your case?", de: "Wie zufrieden sind Sie?"}
  - id: effort
    kind: ces
    text: {en: "It was easy to get my problem solved.", de: "Es war einfach."}
  - id: topic
    kind: choice
    choices: [Billing, Product, Other]
    text: {en: "What was it about?", de: "Worum ging es?"}
comment: {en: "Anything else?", de: "Sonst noch etwas?"}
"""

QUARTERLY_NPS = """\
id: quarterly-nps
name: Quarterly NPS
trigger: relationship
layout: one_per_screen
questions:
  - {id: nps, kind: nps, required: true, text: "How likely are you to recommend us to a friend or colleague?"}
"""

TEAM_PULSE = """\
id: team-pulse
name: Team pulse (anonymous)
trigger: relationship
anonymous: true
questions:
  - {id: nps, kind: nps, required: true, text: "How likely are you to recommend us?"}
"""


def free_port() -> int:
    """A port nothing listens on now (for a server that is down). A server of the tests binds its port
    itself (port 0, or `listening_socket`): a port chosen here could be taken before the server binds it."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def listening_socket() -> socket.socket:
    """A socket bound to a free port of 127.0.0.1, handed to the server that listens on it."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    return sock


class Inbox:
    """The messages a real SMTP server (aiosmtpd) on 127.0.0.1 received."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.refuse: set[str] = set()
        self.lock = threading.Lock()

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        if address in self.refuse:
            return "550 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.messages.append(message)  # type: ignore[arg-type]
        return "250 Message accepted for delivery"

    def links(self, to: str | None = None) -> list[str]:
        """The survey links in the plain-text bodies, in order (of the messages to `to`, if given)."""
        found = []
        for message in self.messages:
            if to and to not in str(message["To"]):
                continue
            body = message.get_body(preferencelist=("plain",))
            assert body is not None
            found += re.findall(r"http://[^\s]+/s/[A-Za-z0-9_.-]+", body.get_content())
        return found

    def unsubscribe_links(self) -> list[str]:
        found = []
        for message in self.messages:
            body = message.get_body(preferencelist=("plain",))
            assert body is not None
            found += re.findall(r"http://[^\s]+/u/[A-Za-z0-9_.-]+", body.get_content())
        return found


class _Controller(Controller):
    """aiosmtpd's controller on port 0: the system picks a free port as the server binds it."""

    def _trigger_server(self) -> None:
        # Called once the server listens, before the controller first connects to it.
        self.port = int(self.server.sockets[0].getsockname()[1])
        super()._trigger_server()


@pytest.fixture
def inbox(monkeypatch: pytest.MonkeyPatch) -> Iterator[Inbox]:
    handler = Inbox()
    # Waits up to 30 s for the server (aiosmtpd's default, 5 s, is short on a loaded machine).
    controller = _Controller(handler, hostname="127.0.0.1", port=0, ready_timeout=30)
    controller.start()
    monkeypatch.setenv("CXSCORE_SMTP_URL", f"smtp://127.0.0.1:{controller.port}")
    yield handler
    controller.stop()


def _table(store: Store, name: str, rows: list[dict[str, Any]]) -> None:
    columns = sorted({k for r in rows for k in r})
    store.load(name, pa.table({c: [r.get(c) for r in rows] for c in columns}))


def build_company(store: Store) -> None:
    """Two teams, three people, three accounts (two with a running contract), contacts, closed cases."""
    long_ago = TODAY - 900 * DAY
    _table(
        store,
        "teams",
        [
            {"team_id": "T-CO", "name": "Company", "function": "executive"},
            {"team_id": "T-SUP", "name": "Support EMEA", "parent_team_id": "T-CO", "function": "support"},
            {
                "team_id": "T-AM",
                "name": "Accounts",
                "parent_team_id": "T-CO",
                "function": "account_management",
            },
        ],
    )
    _table(
        store,
        "roles",
        [
            {"role_id": "agent", "name": "Agent", "function": "support"},
            {"role_id": "am", "name": "Account manager", "function": "account_management"},
        ],
    )
    _table(
        store,
        "people",
        [
            {"person_id": "P-1", "name": "Ada Agent"},
            {"person_id": "P-2", "name": "Bob Owner"},
            {"person_id": "P-3", "name": "Cleo Owner"},
        ],
    )
    _table(
        store,
        "memberships",
        [
            {"person_id": "P-1", "team_id": "T-SUP", "role_id": "agent", "valid_from": long_ago},
            {"person_id": "P-2", "team_id": "T-AM", "role_id": "am", "valid_from": long_ago},
            {"person_id": "P-3", "team_id": "T-AM", "role_id": "am", "valid_from": long_ago},
        ],
    )
    _table(
        store,
        "accounts",
        [
            {"account_id": "A-1", "name": "Northwind"},
            {"account_id": "A-2", "name": "Acme"},
            {"account_id": "A-3", "name": "Gone Ltd"},
        ],
    )
    _table(
        store,
        "account_owners",
        [  # A-1 changed owner today: P-2 until yesterday, P-3 from today
            {"account_id": "A-1", "person_id": "P-2", "valid_from": long_ago, "valid_to": TODAY - DAY},
            {"account_id": "A-1", "person_id": "P-3", "valid_from": TODAY},
            {"account_id": "A-2", "person_id": "P-3", "valid_from": long_ago},
        ],
    )
    _table(
        store,
        "contacts",
        [
            {
                "contact_id": "C-1",
                "account_id": "A-1",
                "name": "Maria Anders",
                "email": "maria@northwind.example",
                "language": "de",
            },
            {
                "contact_id": "C-2",
                "account_id": "A-1",
                "name": "Tom Tester",
                "email": "tom@northwind.example",
            },
            {"contact_id": "C-3", "account_id": "A-2", "name": "Ann Acme", "email": "ann@acme.example"},
            {"contact_id": "C-4", "account_id": "A-2", "name": "No Mail"},
            {"contact_id": "C-5", "account_id": "A-3", "name": "Old Customer", "email": "old@gone.example"},
        ],
    )
    term = {
        "kind": "new_business",
        "booked_on": TODAY - 160 * DAY,
        "start_date": TODAY - 150 * DAY,
        "end_date": TODAY + 200 * DAY,
    }
    _table(
        store,
        "contracts",
        [
            {"contract_id": "K-1", "account_id": "A-1", "arr": 1000.0, "renewal_outcome": "renewed", **term},
            {"contract_id": "K-2", "account_id": "A-2", "arr": 500.0, **term},
            {
                "contract_id": "K-3",
                "account_id": "A-3",
                "kind": "new_business",
                "booked_on": long_ago,
                "start_date": long_ago,
                "end_date": long_ago + 365 * DAY,
                "arr": 500.0,
                "renewal_outcome": "churned",
            },
        ],
    )
    _table(
        store,
        "cases",
        [  # CS-1 closed 25 hours ago (due for its survey), CS-2 an hour ago (not yet)
            {
                "case_id": "CS-1",
                "account_id": "A-1",
                "contact_id": "C-1",
                "agent_id": "P-1",
                "team_id": "T-SUP",
                "opened_at": NOW - 72 * HOUR,
                "resolved_at": NOW - 26 * HOUR,
                "closed_at": NOW - 25 * HOUR,
            },
            {
                "case_id": "CS-2",
                "account_id": "A-2",
                "contact_id": "C-3",
                "agent_id": "P-1",
                "team_id": "T-SUP",
                "opened_at": NOW - 72 * HOUR,
                "closed_at": NOW - HOUR,
            },
        ],
    )
    _table(store, "touchpoints", [{"touchpoint_id": "support_case", "name": "Support case"}])
    _table(
        store,
        "touchpoint_teams",
        [{"touchpoint_id": "support_case", "team_id": "T-SUP", "contribution": "owner"}],
    )


#: The engines the survey service runs on: every test of a project runs on each (select with -m).
SURVEY_ENGINES = [pytest.param(name, marks=getattr(pytest.mark, name)) for name in ("duckdb", "postgres")]


@pytest.fixture(params=SURVEY_ENGINES)
def engine(request: pytest.FixtureRequest) -> str:
    """The engine of the test's project store: the embedded DuckDB file, or a new PostgreSQL database."""
    return str(request.param)


@pytest.fixture
def project(project_on_engine: Project) -> Project:
    """A new, empty project on `engine` (see `project_on_engine` in tests/conftest.py)."""
    return project_on_engine


@pytest.fixture
def company(project: Project) -> Project:
    """A project with a small company in its store and three survey definitions."""
    store = project.store()
    try:
        build_company(store)
    finally:
        store.close()
    folder = project.root / "surveys"
    folder.mkdir()
    (folder / "case-csat.yml").write_text(CASE_CSAT, encoding="utf-8")
    (folder / "quarterly-nps.yml").write_text(QUARTERLY_NPS, encoding="utf-8")
    return project


def make_app(project: Project, warm_up: bool = False) -> FastAPI:
    """The service's app for `project`, with the survey endpoints installed.

    Without the web pages' warm-up unless asked: the survey endpoints do not wait for it (they have their
    own store connection and lock; test_beside_the_web_app.py), but the tests' own reads and writes go
    through the web app's connection and wait for its scorecards, which made the survey tests take twice as
    long (measured on the shared 2-core machine: 148 s without, 298 s with)."""
    import dataclasses

    from cxscore.service.app import create_app
    from cxscore.service.settings import WebSettings
    from cxscore.surveys.http import install

    app = create_app(project, dataclasses.replace(WebSettings.from_env(), warm_up=warm_up))
    if not hasattr(app.state, "surveys"):
        install(app)
    return app


class Served:
    """The real app served by uvicorn on 127.0.0.1 in a thread, for the length of a test."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app
        self.socket = listening_socket()
        self.port = int(self.socket.getsockname()[1])
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="on")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.socket]}, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Served:
        self.thread.start()
        # Starting runs the app's start-up (store, writer, schedule): 30 s for a loaded CI machine.
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.server.started:
                return self
            if not self.thread.is_alive():
                raise RuntimeError("the server did not start")
            time.sleep(0.01)
        raise RuntimeError("the server did not start within 30 s")

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.socket.close()

    @property
    def store(self) -> Store:
        store: Store = self.app.state.store
        return store


@pytest.fixture
def served(company: Project) -> Iterator[Served]:
    with Served(make_app(company)) as running:
        yield running


@pytest.fixture
def client(served: Served) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=served.url, timeout=10, follow_redirects=False) as http:
        yield http


def token_of(link: str) -> str:
    return link.rsplit("/", 1)[1]


__all__ = ["NOW", "Inbox", "Path", "build_company", "free_port", "init_project", "make_app", "token_of"]
