"""One small demo company (seed 7) served by a real uvicorn server for the whole session, with one account
per role (and a second employee and manager, for "someone else's data"), signed in over real HTTP."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from cxscore.demo import generate
from cxscore.service.app import create_app
from cxscore.service.settings import WebSettings
from cxscore.store import Project, open_project
from cxscore.web.accounts import Accounts, create_tables

PASSWORD = "correct horse battery staple"
PLAN = Path(__file__).parents[2] / "src" / "cxscore" / "plans" / "defaults" / "meridian_sales_current.yml"


@dataclass(frozen=True)
class Account:
    username: str
    role: str
    person_id: str | None


#: Who is who in the small demo (seed 7) on 2025-12-31: P-00009 leads Support EMEA and P-00046 is an
#: agent in it; P-00003 manages Sales EMEA and P-00022 is a rep in it (paid by the sales plan); P-00001 is
#: the CEO.
ACCOUNTS = {
    "employee": Account("erin", "employee", "P-00046"),
    "other_employee": Account("sam", "employee", "P-00022"),
    "manager": Account("maya", "manager", "P-00009"),
    "sales_manager": Account("sol", "manager", "P-00003"),
    "executive": Account("eve", "executive", "P-00001"),
    "compensation_admin": Account("carl", "compensation_admin", None),
    "admin": Account("ada", "admin", None),
    "locked": Account("lou", "employee", "P-00047"),
}


@dataclass
class Served:
    url: str
    project: Project
    app: object


@pytest.fixture(scope="session")
def web_demo(tmp_path_factory: pytest.TempPathFactory) -> Project:
    root = tmp_path_factory.mktemp("web-demo") / "company"
    generate(root, "small", 7)
    if not any((root / "plans").glob("*.yml")):  # the demo ships its sales plan; older demos did not
        shutil.copy(PLAN, root / "plans" / PLAN.name)
    project = open_project(root)
    store = project.store()
    try:
        create_tables(store)
        accounts = Accounts(store)
        for account in ACCOUNTS.values():
            accounts.add(account.username, account.role, PASSWORD, person_id=account.person_id)
    finally:
        store.close()
    return project


@pytest.fixture(scope="session")
def server(web_demo: Project, app_server: Any) -> Iterator[Served]:
    sock = app_server.socket()
    settings = WebSettings(
        port=int(sock.getsockname()[1]),
        cache_seconds=1.0,
        lockout_failures=3,
        lockout_minutes=1.0,
        login_burst=200,
        warm_up=False,
    )
    app = create_app(web_demo, settings)
    with app_server.serve(app, sock) as url:
        yield Served(url, web_demo, app)


def sign_in(url: str, username: str, password: str = PASSWORD) -> httpx.Client:
    """A client signed in through the login form (CSRF token and cookies as a browser has them)."""
    client = httpx.Client(base_url=url, timeout=60.0)
    form = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert token, form.text
    answer = client.post(
        "/login", data={"username": username, "password": password, "csrf_token": token.group(1)}
    )
    assert answer.status_code in (200, 303), answer.text
    return client


@pytest.fixture(scope="session")
def accounts() -> dict[str, Account]:
    return ACCOUNTS


@pytest.fixture(scope="session")
def login() -> object:
    """`login(url, username, password=...)`: a client signed in through the form."""
    return sign_in


@pytest.fixture(scope="session")
def clients(server: Served) -> Iterator[dict[str, httpx.Client]]:
    """One signed-in client per account (except the one the lockout test locks)."""
    made = {who: sign_in(server.url, a.username) for who, a in ACCOUNTS.items() if who != "locked"}
    yield made
    for client in made.values():
        client.close()
