"""Customers never wait for the web app: while a web page's computation holds the web app's store lock
(blocked on an Event the test controls, as a cold company scorecard holds it for seconds or minutes), a
survey page, an answer, its follow-up, a webhook delivery and a sending round all complete, and the web
app sees them once the computation is over. The server runs its warm-up too, as `cxscore serve` does."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

import httpx
import pytest

from cxscore.store import Project

from .conftest import NOW, Inbox, Served, make_app
from .test_page import form_token, link_for, send
from .test_webhooks import SECRETS, generic, now_iso

#: Far above any survey request on a loaded 2-core machine; far below the computation, which only
#: ends when the test lets it.
PATIENCE = 60.0
HOOKS = """
surveys:
  webhooks:
    crm: {format: generic, secret_env: HOOK_GENERIC}
"""


@contextmanager
def slow_web_computation(served: Served) -> Iterator[Future[str]]:
    """A page result computed in a thread as the web pages compute theirs (`Snapshot.cached`, holding the
    web app's store lock), that goes on until the block ends."""
    started, finish = threading.Event(), threading.Event()

    def compute() -> str:
        started.set()
        finish.wait(timeout=10 * PATIENCE)
        return "computed"

    snapshot = served.app.state.site.snapshot()
    with ThreadPoolExecutor(max_workers=1) as pool:
        result = pool.submit(snapshot.cached, ("test", "slow computation"), compute)
        try:
            assert started.wait(timeout=PATIENCE)
            lock = served.app.state.store_lock
            assert not lock.acquire(blocking=False), "the computation holds the web app's store lock"
            yield result
            assert not result.done(), "the computation held the lock throughout"
        finally:
            finish.set()


def followups_opened(served: Served, count: int) -> list[str]:
    """The reasons of the follow-up tasks, once there are `count` (the writer opens them just after it
    acknowledges the answers), read on the surveys' connection."""
    deadline = time.monotonic() + PATIENCE
    while True:
        with served.app.state.surveys.locked() as store:
            reasons = [str(r[0]) for r in store.execute("SELECT reason FROM followups ORDER BY 1").fetchall()]
        if len(reasons) >= count or time.monotonic() > deadline:
            return reasons
        time.sleep(0.05)


def web_rows(served: Served, sql: str) -> list[tuple[Any, ...]]:
    """Rows as the web app reads them: its own connection, under its own lock."""
    with served.app.state.store_lock:
        return list(served.store.execute(sql).fetchall())


def test_survey_pages_answers_webhooks_and_sending_go_on_while_a_web_computation_holds_its_lock(
    company: Project, inbox: Inbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOOK_GENERIC", SECRETS["HOOK_GENERIC"])
    config = company.root / "cxscore.yaml"
    config.write_text(config.read_text(encoding="utf-8") + HOOKS, encoding="utf-8")
    with (
        Served(make_app(company, warm_up=True)) as served,
        httpx.Client(base_url=served.url, timeout=PATIENCE) as client,
    ):
        send(served, company, ["case-csat"])
        link = link_for(inbox, "maria@northwind.example")
        (before,) = web_rows(served, "SELECT count(*) FROM invitations")
        views = served.app.state.site.views
        version = views.version()
        with slow_web_computation(served) as computation, ThreadPoolExecutor(max_workers=1) as pool:
            page = client.get(link)
            assert page.status_code == 200 and "Wie zufrieden sind Sie?" in page.text
            answer = client.post(link, data={"form_token": form_token(page.text), "csat": "1"})
            assert answer.status_code == 200 and "Vielen Dank" in answer.text
            hook = {"id": "ext-1", "responded_at": now_iso(), "nps": 2, "account_id": "A-2"}
            delivered = generic(client, hook, "d-1")
            assert delivered.json() == {"status": "stored", "stored": 1, "quarantined": 0}
            schedule = served.app.state.surveys.schedule
            # In a thread: a round waiting for the web app's lock fails the test instead of hanging it.
            round_ = pool.submit(schedule.run_once, NOW).result(timeout=PATIENCE)
            assert round_.error is None and round_.invited + round_.reminded > 0
            # The unhappy answer's follow-up is opened by the answer writer, which does not wait either.
            assert followups_opened(served, 2) == ["detractor", "low_csat"]
        assert computation.result(timeout=PATIENCE) == "computed"
        # What the customers' side committed is what the web app reads, as on one connection.
        assert web_rows(served, "SELECT survey_id, csat FROM responses WHERE csat IS NOT NULL") == [
            ("case-csat", 1)
        ]
        assert web_rows(served, "SELECT response_id FROM responses WHERE nps IS NOT NULL") == [("crm:ext-1",)]
        assert web_rows(served, "SELECT count(*) FROM followups") == [(2,)]
        assert web_rows(served, "SELECT count(*) FROM invitations") == [(before[0] + round_.invited,)]
        assert (
            views.version() != version
        )  # the webhook's import is a new version of the data: pages recompute
