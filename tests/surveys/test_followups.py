"""The follow-up summary computes its shares with the project's own metric definitions."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from cxscore.errors import ConfigError
from cxscore.metrics import Catalog, MetricEngine, load_catalog
from cxscore.metrics.views import as_of
from cxscore.store import Project, Store
from cxscore.surveys import api

from .conftest import NOW, Served, make_app

#: A project's own rule: contacted within 24 hours, not by the task's due time (48 hours).
CONTACTED_IN_A_DAY = """\
name: followups_contacted
label: Unhappy customers contacted within a day
description: Share of due follow-up tasks in which the customer was contacted within 24 hours.
kind: share
source: followup_tasks
filters:
  - {column: due_passed, eq: true}
  - {not: {column: outcome, eq: not_needed}}
success: {column: hours_to_contact, le: 24}
time: opened_at
attribution: {person: assignee_id, team: team_id}
"""

#: A project's own filter: renewals after a detractor's task only.
RENEWAL_AFTER_DETRACTORS = """\
name: followup_renewal_rate
label: Renewal after a detractor's follow-up
description: Share of detractors' follow-up tasks whose account renewed at the end of the term.
kind: share
source: followup_tasks
filters:
  - {column: renewal_outcome, not_in: [pending]}
  - {column: reason, eq: detractor}
success: {column: renewal_outcome, in: [renewed, expanded, contracted]}
time: opened_at
attribution: {person: assignee_id, team: team_id}
"""

SHARES = {"followups_contacted": "contacted_on_time", "followup_renewal_rate": "renewed_after_followup"}
AGO = dt.timedelta(days=10)
LATER = NOW + dt.timedelta(days=3)


def answer(store: Store, response_id: str, **values: object) -> None:
    row = {"response_id": response_id, "responded_at": NOW - AGO, **values}
    columns = ", ".join(row)
    store.execute(
        f"INSERT INTO responses ({columns}) VALUES ({', '.join('?' for _ in row)})", list(row.values())
    )


def contact(store: Store, response_id: str, hours: float) -> None:
    store.execute(
        "UPDATE followups SET first_contact_at = opened_at + CAST(? AS BIGINT) * INTERVAL '1 minute' "
        "WHERE response_id = ?",
        [int(hours * 60), response_id],
    )


def build_loop(store: Store) -> None:
    """Four tasks opened ten days ago, all due: reached in 1 hour, in 30 hours (by the due time but not
    within a day), never, and in 1 hour but closed as not needed. A-1 renewed, A-2's outcome is unknown."""
    answer(store, "R-1", nps=2, account_id="A-1", contact_id="C-2")
    answer(store, "R-2", csat=1, account_id="A-1", contact_id="C-1")
    answer(store, "R-3", nps=0, account_id="A-2", contact_id="C-3")
    answer(store, "R-4", nps=1, account_id="A-1", contact_id="C-2")
    assert api.open_followups(store, {}) == 4
    contact(store, "R-1", 1)
    contact(store, "R-2", 30)
    contact(store, "R-4", 1)
    store.execute("UPDATE followups SET status = 'closed', outcome = 'not_needed' WHERE response_id = 'R-4'")


def engine_counts(store: Store, catalog: Catalog, name: str, day: dt.date) -> tuple[int, int]:
    """(successes, n) of metric `name` for the whole company over all years, from the metric engine."""
    with as_of(day):
        yearly = MetricEngine(store, catalog).compute(name, grain="year")
    if yearly.empty:
        return 0, 0
    return int(yearly["successes"].sum()), int(yearly["n"].sum())


def summary_counts(figures: dict[str, Any], name: str) -> tuple[int, int]:
    share, n = figures[f"{SHARES[name]}_share"], figures[f"{SHARES[name]}_n"]
    return (round(share * n) if n else 0), n


def override(project: Project) -> None:
    folder = project.root / "metrics"
    (folder / "followups_contacted.yml").write_text(CONTACTED_IN_A_DAY, encoding="utf-8")
    (folder / "followup_renewal_rate.yml").write_text(RENEWAL_AFTER_DETRACTORS, encoding="utf-8")


def test_a_project_that_redefines_the_loops_metrics_gets_its_own_figures(company: Project) -> None:
    override(company)
    own, builtin = load_catalog(company.root), load_catalog()
    assert own.overrides == {"followups_contacted", "followup_renewal_rate"}
    store = company.store()
    try:
        build_loop(store)
        figures = api.summary(store, own, now=LATER)
        for name in SHARES:
            assert summary_counts(figures, name) == engine_counts(store, own, name, LATER.date())
        # The project's rules give other numbers than the built-ins: 1 of 3 within a day (2 of 3 by the
        # due time); A-1 renewed after its 2 detractors' tasks (and after its 3 tasks of any reason).
        assert engine_counts(store, own, "followups_contacted", LATER.date()) == (1, 3)
        assert engine_counts(store, builtin, "followups_contacted", LATER.date()) == (2, 3)
        assert engine_counts(store, own, "followup_renewal_rate", LATER.date()) == (2, 2)
        assert engine_counts(store, builtin, "followup_renewal_rate", LATER.date()) == (3, 3)
        assert figures["contacted_on_time_share"] == pytest.approx(1 / 3)
        assert figures["renewed_after_followup_n"] == 2
        by_builtin = api.summary(store, builtin, now=LATER)
        assert (by_builtin["contacted_on_time_share"], by_builtin["renewed_after_followup_n"]) == (2 / 3, 3)
    finally:
        store.close()


def test_followups_stats_prints_what_metrics_show_prints(company: Project) -> None:
    from cxscore.cli.main import app

    override(company)
    store = company.store()
    try:
        build_loop(store)
    finally:
        store.close()
    runner = CliRunner()
    stats = runner.invoke(app, ["followups", "stats", "-p", str(company.root)])
    assert stats.exit_code == 0, stats.output
    figures = json.loads(stats.output)
    for name in SHARES:
        shown = runner.invoke(
            app, ["metrics", "show", name, "--grain", "year", "-f", "json", "-p", str(company.root)]
        )
        assert shown.exit_code == 0, shown.output
        rows = json.loads(shown.output)
        counts = (sum(r["successes"] for r in rows), sum(r["n"] for r in rows))
        assert summary_counts(figures, name) == counts
    assert summary_counts(figures, "followups_contacted") == (1, 3)


def test_the_queue_page_shows_the_projects_figures(company: Project) -> None:
    from cxscore.web.accounts import Accounts

    override(company)
    store = company.store()
    try:
        build_loop(store)
        Accounts(store).add("ada", "admin", "correct horse battery staple")
    finally:
        store.close()
    with Served(make_app(company)) as served, httpx.Client(base_url=served.url, timeout=60) as client:
        form = client.get("/login").text
        token = form.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
        signed = client.post(
            "/login",
            data={"username": "ada", "password": "correct horse battery staple", "csrf_token": token},
        )
        assert signed.status_code in (200, 303)
        totals = client.get("/api/followups").json()["summary"]
    assert (totals["contacted_on_time_n"], totals["contacted_on_time_share"]) == (3, pytest.approx(1 / 3))
    assert totals["renewed_after_followup_n"] == 2


def test_new_notes_show_in_the_next_summary_of_the_same_day(company: Project) -> None:
    catalog = load_catalog(company.root)
    store = company.store()
    try:
        build_loop(store)
        before = api.summary(store, catalog, now=LATER)
        contact(store, "R-3", 2)  # the task nobody had reached
        after = api.summary(store, catalog, now=LATER)
        assert summary_counts(before, "followups_contacted") == (2, 3)
        assert summary_counts(after, "followups_contacted") == (3, 3)
        since = api.summary(store, catalog, since=NOW, now=LATER)  # none opened since: the filter holds
        assert since["opened"] == since["contacted_on_time_n"] == since["renewed_after_followup_n"] == 0
    finally:
        store.close()


def test_a_redefinition_that_is_not_a_share_is_refused_with_the_fix(company: Project) -> None:
    (company.root / "metrics" / "followups_contacted.yml").write_text(
        CONTACTED_IN_A_DAY.replace("kind: share", "kind: mean").replace(
            "success: {column: hours_to_contact, le: 24}", "column: hours_to_contact"
        ),
        encoding="utf-8",
    )
    catalog = load_catalog(company.root)  # a valid metric, but not one the summary can show as a share
    store = company.store()
    try:
        with pytest.raises(ConfigError, match=r"followups_contacted.yml:1\) is a mean.*`kind: share`"):
            api.summary(store, catalog)
    finally:
        store.close()
