"""The same web app on PostgreSQL: the demo company copied into a real throwaway server, selected with
CXSCORE_STORE as a deployment does, served by uvicorn, and answering the same numbers as on DuckDB."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from cxscore.service.app import create_app
from cxscore.service.settings import WebSettings
from cxscore.store import Project, Store
from cxscore.store.project import STORE_ENV
from cxscore.web.accounts import Accounts, create_tables

pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
def postgres_app(web_demo: Project, postgres_server: Any, app_server: Any) -> Iterator[str]:
    database = postgres_server.create_database()
    url = postgres_server.url(database)
    target = Store.postgres(url)
    source = web_demo.store()
    try:
        target.create_schema()
        target.copy_from(source)
        create_tables(target)
        Accounts(target).add("pat", "executive", "correct horse battery staple", person_id="P-00001")
    finally:
        source.close()
        target.close()
    patch = pytest.MonkeyPatch()
    patch.setenv(STORE_ENV, url)
    sock = app_server.socket()
    app = create_app(web_demo, WebSettings(port=int(sock.getsockname()[1]), warm_up=False))
    patch.undo()
    assert app.state.store.backend == "postgres"
    with app_server.serve(app, sock) as served:
        yield served
    postgres_server.drop_database(database)


def test_pages_on_postgresql_answer_the_same_numbers_as_on_duckdb(
    postgres_app: str, server: Any, login: Any, clients: dict[str, Any]
) -> None:
    on_postgres = login(postgres_app, "pat")
    assert httpx.get(f"{postgres_app}/readyz").json()["store"] == "postgres"
    for path in (
        "/api/teams/T-SUP-EMEA?period=2025-Q4",
        "/api/people/P-00046?period=2025",
        "/api/overview?period=2025",
    ):
        there = on_postgres.get(path)
        here = clients["executive"].get(path)
        assert there.status_code == here.status_code == 200, there.text
        mine, theirs = there.json()["scorecard"], here.json()["scorecard"]
        assert mine["score"] == pytest.approx(theirs["score"], nan_ok=True)
        for a, b in zip(mine["metrics"], theirs["metrics"], strict=True):
            assert (a["metric"], a["n"], a["attainment"]) == (b["metric"], b["n"], b["attainment"])
            assert a["value"] == pytest.approx(b["value"], rel=1e-9, nan_ok=True)
    rows = on_postgres.get("/api/rows?metric=csat&scope=team&id=T-SUP-EMEA&period=2025-Q4").json()
    assert (
        rows["count"]
        == clients["executive"]
        .get("/api/rows?metric=csat&scope=team&id=T-SUP-EMEA&period=2025-Q4")
        .json()["count"]
    )
    assert on_postgres.get("/api/leaderboards?metric=csat&period=2025").status_code == 200
    assert on_postgres.get("/payouts?period=2025-Q4").status_code == 200
    surveys = on_postgres.get("/api/surveys")
    assert surveys.status_code == 200, surveys.text
    assert surveys.json()["imported"] == clients["executive"].get("/api/surveys").json()["imported"]
