"""The survey service on a real PostgreSQL server, chosen with CXSCORE_STORE as a deployment does.

Every test of a project in this folder runs on DuckDB and on PostgreSQL (the `project` fixture is
parametrised); this file adds what is about PostgreSQL itself: the whole loop through the served app in
one go, the answer writer committing many answers in one batch (its PostgreSQL UPDATE), several
servers sharing one database (each link answered and each delivery stored once, one process sending at
a time), and the same answers giving the same follow-up tasks and figures on both engines.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import re
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pyarrow as pa
import pytest

from cxscore.metrics import load_catalog
from cxscore.store import Project, Store
from cxscore.surveys import api
from cxscore.surveys.definition import load_surveys
from cxscore.surveys.followups import followup_id_for
from cxscore.surveys.sending import SENDING_ELSEWHERE, sending_alone
from cxscore.surveys.service import SurveyService
from cxscore.surveys.webhooks import Delivery, _store
from cxscore.surveys.writer import Submission, Writer

from .conftest import NOW, TEAM_PULSE, Inbox, Served, build_company, make_app, token_of

pytestmark = pytest.mark.postgres

HOOK_SECRET = "crm-secret-0123456789"
CONFIG = "\nsurveys:\n  webhooks:\n    crm: {format: generic, secret_env: HOOK_CRM}\n"


@pytest.fixture
def engine() -> str:
    """Only PostgreSQL here (the folder's other tests run on both engines)."""
    return "postgres"


@pytest.fixture
def served(company: Project, inbox: Inbox, monkeypatch: pytest.MonkeyPatch) -> Iterator[Served]:
    monkeypatch.setenv("HOOK_CRM", HOOK_SECRET)
    (company.root / "surveys" / "quarterly-nps.yml").unlink()
    (company.root / "surveys" / "team-pulse.yml").write_text(TEAM_PULSE, encoding="utf-8")
    config = company.root / "cxscore.yaml"
    config.write_text(config.read_text(encoding="utf-8") + CONFIG, encoding="utf-8")
    with Served(make_app(company)) as running:
        yield running


def rows(served: Served, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    with served.app.state.store_lock:
        return list(served.store.execute(sql, params).fetchall())


def form_token(html: str) -> str:
    match = re.search(r'name="form_token" value="([^"]+)"', html)
    assert match, html
    return match[1]


def test_the_whole_loop_runs_on_postgresql(served: Served, inbox: Inbox) -> None:
    assert served.store.backend == "postgres"
    with httpx.Client(base_url=served.url, timeout=10) as client:
        assert client.get("/readyz").json()["store"] == "postgres"
        # Sending on the schedule: the case's contact, and the relationship survey for the others.
        first = served.app.state.surveys.schedule.run_once(NOW)
        assert (first.invited, first.reminded, first.error) == (3, 0, None)
        assert rows(
            served,
            "SELECT survey_id, contact_id, case_id, credited_person_id, credited_team_id FROM invitations "
            "ORDER BY contact_id",
        ) == [
            ("case-csat", "C-1", "CS-1", "P-1", "T-SUP"),
            ("team-pulse", "C-2", None, "P-3", "T-AM"),
            ("team-pulse", "C-3", None, "P-3", "T-AM"),
        ]
        # A low CSAT on the page: stored once, a retry gets the same answer, another form is refused.
        (case,) = inbox.links("maria@northwind.example")
        case = "/s/" + token_of(case)
        form = {"form_token": form_token(client.get(case).text), "csat": "1", "topic": "Billing"}
        other = {"form_token": form_token(client.get(case).text), "csat": "5"}  # a second tab
        assert client.post(case, data=form).status_code == 200
        assert client.post(case, data=form).status_code == 200
        assert client.post(case, data=other).status_code == 409
        assert client.get(case).status_code == 409
        # An anonymous answer names nobody; the invitation says it was answered.
        (pulse,) = inbox.links("tom@northwind.example")
        pulse = "/s/" + token_of(pulse)
        assert client.post(
            pulse, data={"form_token": form_token(client.get(pulse).text), "nps": "3"}
        ).is_success
        ((invitation,),) = rows(served, "SELECT invitation_id FROM invitations WHERE contact_id = 'C-1'")
        assert rows(
            served,
            "SELECT survey_id, csat, nps, invitation_id, contact_id, account_id, person_id, team_id "
            "FROM responses ORDER BY survey_id",
        ) == [
            ("case-csat", 1, None, invitation, "C-1", "A-1", "P-1", "T-SUP"),
            ("team-pulse", None, 3, None, None, None, None, "T-AM"),
        ]
        assert rows(served, "SELECT contact_id FROM invitations WHERE answered_anonymously") == [("C-2",)]
        assert rows(served, "SELECT count(*) FROM response_answers") == [(1,)]
        # The low CSAT opens one task for the case's agent, due 48 hours later; the anonymous detractor none.
        task = _eventually_one_task(served)
        (response_id,) = rows(served, "SELECT response_id FROM responses WHERE survey_id = 'case-csat'")[0]
        assert task.followup_id == followup_id_for(str(response_id))
        assert (task.reason, task.assignee_id, task.team_id) == ("low_csat", "P-1", "T-SUP")
        assert task.due_at - task.opened_at == dt.timedelta(hours=48)
        # The queue through the Python API, as the web app and the CLI use it.
        with served.app.state.store_lock:
            store = served.store
            assert [t.followup_id for t in api.list_followups(store, assignee="P-1")] == [task.followup_id]
            assert api.list_followups(store, overdue_at=task.due_at + dt.timedelta(hours=1)) != []
            assert api.assign(store, task.followup_id, "P-2", author="lead").assignee_id == "P-2"
            noted = api.note(store, task.followup_id, "Called Maria", contacted=True)
            assert noted.first_contact_at is not None
            closed = api.close(store, task.followup_id, "resolved", text="Fixed")
            assert (closed.status, closed.outcome) == ("closed", "resolved")
            assert [n.kind for n in api.notes(store, task.followup_id)] == ["assign", "contact", "close"]
            figures = api.summary(store, load_catalog())
            assert (figures["opened"], figures["contacted"], figures["outcomes"]) == (1, 1, {"resolved": 1})
            assert figures["hours_to_first_contact_median"] is not None
            assert figures["renewed_after_followup_n"] == 1 and figures["renewed_after_followup_share"] == 1.0
        # A webhook delivery, stored once; its detractor opens a task too.
        answer = {"id": "ext-1", "responded_at": f"{NOW:%Y-%m-%dT%H:%M:%S}Z", "nps": 2, "account_id": "A-2"}
        assert _deliver(client, answer, "d-1").json() == {"status": "stored", "stored": 1, "quarantined": 0}
        assert _deliver(client, answer, "d-1").json()["status"] == "duplicate"
        assert _deliver(client, answer, "d-2").json() == {"status": "stored", "stored": 1, "quarantined": 0}
        bad = {"id": "ext-2", "responded_at": f"{NOW:%Y-%m-%dT%H:%M:%S}Z", "nps": 2, "account_id": "A-404"}
        assert _deliver(client, bad, "d-3").json() == {"status": "stored", "stored": 0, "quarantined": 1}
        assert rows(served, "SELECT count(*) FROM responses WHERE response_id LIKE 'crm:%'") == [(1,)]
        assert rows(served, "SELECT count(*) FROM _quarantine WHERE status = 'open'") == [(1,)]
        assert rows(served, "SELECT count(*) FROM _webhook_receipts") == [(3,)]
        assert rows(served, "SELECT reason, assignee_id FROM followups WHERE response_id = 'crm:ext-1'") == [
            ("detractor", "P-3")
        ]
        # Three days later: no reminder for the answered case survey (team-pulse has none), no new invitation.
        later = served.app.state.surveys.schedule.run_once(NOW + dt.timedelta(days=3))
        assert (later.invited, later.reminded, later.error) == (0, 0, None)
        # Unsubscribing from an invitation e-mail: never invited again.
        unsubscribe = "/u/" + token_of(inbox.unsubscribe_links()[-1])
        page = client.get(unsubscribe).text
        assert client.post(unsubscribe, data={"form_token": form_token(page)}).status_code == 200
        assert rows(served, "SELECT count(*) FROM unsubscribes") == [(1,)]


def _eventually_one_task(served: Served) -> api.Followup:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with served.app.state.store_lock:
            found = api.list_followups(served.store, status="all")
        if found:
            (task,) = found
            return task
        time.sleep(0.05)
    raise AssertionError("no follow-up task was opened")


def _deliver(client: httpx.Client, payload: object, delivery: str) -> httpx.Response:
    body = json.dumps(payload).encode()
    stamp = str(int(time.time()))
    signature = hmac.new(HOOK_SECRET.encode(), stamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    headers = {
        "X-Cxscore-Timestamp": stamp,
        "X-Cxscore-Signature": f"sha256={signature}",
        "X-Cxscore-Delivery": delivery,
        "Content-Type": "application/json",
    }
    return client.post("/hooks/crm", content=body, headers=headers)


def _links(store: Store, count: int) -> list[str]:
    """`count` unused links of the case survey, as sending would record them."""
    ids = [f"link{i:04d}" for i in range(count)]
    invitations = [f"I-{i}" for i in ids]
    store.load(
        "invitations",
        pa.table(
            {
                "invitation_id": invitations,
                "survey_id": ["case-csat"] * count,
                "contact_id": ["C-3"] * count,
                "account_id": ["A-2"] * count,
                "sent_at": [NOW] * count,
            }
        ),
    )
    store.load(
        "_survey_links",
        pa.table(
            {
                "invitation_id": invitations,
                "survey_id": ["case-csat"] * count,
                "language": ["en"] * count,
                "expires_at": [NOW + dt.timedelta(days=14)] * count,
                "mail_status": ["sent"] * count,
            }
        ),
    )
    return ids


def test_the_answer_writer_commits_a_batch_of_answers_in_one_go(company: Project) -> None:
    store = company.store()
    lock = threading.RLock()
    surveys = load_surveys(company.root)
    writer = Writer(store, lock, lambda: surveys)
    try:
        assert store.backend == "postgres"
        links = _links(store, 40)
        writer.start()
        with lock:  # the writer waits for the lock while the submissions queue up: one or two batches
            futures = [writer.submit(Submission(i, f"sub-{i}", {"csat": "4"})) for i in links]
        assert {f.result(timeout=30).status for f in futures} == {"stored"}
        assert writer.batches <= 2 and writer.committed == 40
        used = store.execute(
            "SELECT l.invitation_id, l.submission, r.invitation_id FROM _survey_links l "
            "JOIN responses r ON r.response_id = l.response_id ORDER BY 1"
        ).fetchall()
        assert used == [(f"I-{i}", f"sub-{i}", f"I-{i}") for i in links]
        retried = [writer.submit(Submission(i, f"sub-{i}", {"csat": "1"})) for i in links[:5]]
        reused = writer.submit(Submission(links[5], "another", {"csat": "1"}))
        assert [f.result(timeout=30).status for f in retried] == ["stored"] * 5
        assert reused.result(timeout=30).status == "used"
        assert store.count("responses") == 40
    finally:
        writer.close()
        store.close()


def test_the_same_answers_give_the_same_tasks_and_figures_on_both_engines(
    postgres_server: Any, tmp_path: Any
) -> None:
    database = postgres_server.create_database()
    stores = {
        "duckdb": Store.duckdb(tmp_path / "same.duckdb"),
        "postgres": Store.postgres(postgres_server.url(database)),
    }
    try:
        found = {}
        for name, store in stores.items():
            store.create_schema()
            build_company(store)
            answers = [
                ("R-1", "C-1", "A-1", "CS-1", 3, None),  # a detractor about a case: the agent
                ("R-2", "C-2", "A-1", None, None, 2),  # a low CSAT: A-1's owner on the day
                ("R-3", "C-3", "A-2", None, 9, 5),  # happy: no task
            ]
            for response_id, contact, account, case, nps, csat in answers:
                store.execute(
                    "INSERT INTO responses (response_id, responded_at, contact_id, account_id, case_id, "
                    "nps, csat) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [response_id, NOW - dt.timedelta(hours=50), contact, account, case, nps, csat],
                )
            assert api.open_followups(store, {}) == 2 and api.open_followups(store, {}) == 0
            store.execute(
                "UPDATE followups SET first_contact_at = opened_at + INTERVAL '90 minutes' "
                "WHERE response_id = 'R-1'"
            )
            tasks = [
                (t.followup_id, t.reason, t.assignee_id, t.team_id, t.due_at)
                for t in api.list_followups(store)
            ]
            found[name] = (tasks, api.summary(store, load_catalog(), now=NOW))
        assert found["duckdb"] == found["postgres"]
        tasks, figures = found["postgres"]
        assert [(t[1], t[2]) for t in tasks] == [("detractor", "P-1"), ("low_csat", "P-2")]  # owner then
        assert figures["hours_to_first_contact_median"] == 1.5 and figures["overdue"] == 1
    finally:
        for store in stores.values():
            store.close()
        postgres_server.drop_database(database)


def test_two_servers_answering_the_same_links_store_each_answer_once(company: Project) -> None:
    """Two processes (two connections, two writers, two locks) get a different form for every link at once."""
    stores = [company.store(), company.store()]
    surveys = load_surveys(company.root)
    writers = [Writer(store, threading.RLock(), lambda: surveys) for store in stores]
    try:
        links = _links(stores[0], 30)
        for writer in writers:
            writer.start()
        futures = [
            (link, writer.submit(Submission(link, f"{n}-{link}", {"csat": "4"})))
            for link in links
            for n, writer in enumerate(writers)
        ]
        outcomes: dict[str, list[str]] = {}
        for link, future in futures:
            outcomes.setdefault(link, []).append(future.result(timeout=60).status)
        assert {link: sorted(found) for link, found in outcomes.items()} == {
            link: ["stored", "used"] for link in links
        }
        assert stores[0].count("responses") == 30
    finally:
        for writer in writers:
            writer.close()
        for store in stores:
            store.close()


def test_one_process_sends_at_a_time(company: Project, inbox: Inbox) -> None:
    """A second server (or the command) finds the first one sending: it sends nothing, and says so."""
    first, second = company.store(), company.store()
    try:
        with sending_alone(first) as alone:
            assert alone
            busy = api.send(second, company.root, now=NOW)
            assert (busy.total, busy.failed) == (0, [SENDING_ELSEWHERE])
            assert api.remind(second, company.root, now=NOW).failed == [SENDING_ELSEWHERE]
            assert api.send(second, company.root, now=NOW, dry_run=True).total == 3  # a dry run only reads
        assert api.send(second, company.root, now=NOW).total == 3 and len(inbox.messages) == 3
    finally:
        first.close()
        second.close()


def test_two_servers_given_the_same_webhook_deliveries_store_each_response_once(
    company: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOOK_CRM", HOOK_SECRET)
    config = company.root / "cxscore.yaml"
    config.write_text(config.read_text(encoding="utf-8") + CONFIG, encoding="utf-8")
    services = [SurveyService(company.root, company.store(), threading.RLock()) for _ in range(2)]
    source = services[0].settings.webhooks["crm"]
    answer = {
        "response_id": "crm:ext-1",
        "responded_at": f"{NOW:%Y-%m-%dT%H:%M:%S}",
        "nps": "2",
        "account_id": "A-2",
    }
    # The same delivery sent to both servers four times, and the sender's retries under new delivery ids.
    jobs = [
        (services[n % 2], Delivery(delivery, [answer])) for n in range(8) for delivery in ("d-1", f"r-{n}")
    ]
    try:
        with ThreadPoolExecutor(max_workers=8) as pool:
            results = list(pool.map(lambda job: _store(job[0], source, job[1])["status"], jobs))
        assert sorted(results) == ["duplicate"] * 7 + ["stored"] * 9
        store = services[0].store
        assert store.execute("SELECT count(*) FROM responses").fetchall() == [(1,)]
        assert store.execute("SELECT count(*) FROM _webhook_receipts").fetchall() == [(9,)]
        assert store.execute("SELECT count(*) FROM followups").fetchall() == [(1,)]
    finally:
        for service in services:
            service.store.close()
