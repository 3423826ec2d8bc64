"""`cxscore surveys ...` and `cxscore followups ...`, and the follow-up loop's rules and metrics."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from scipy import stats as scipy_stats
from typer.testing import CliRunner

from cxscore.errors import FollowupError
from cxscore.metrics import load_catalog
from cxscore.store import Project, Store
from cxscore.surveys import api
from cxscore.surveys.definition import load_surveys

from .conftest import NOW, Inbox

runner = CliRunner()


def run(project: Project, *args: str) -> tuple[int, str]:
    from cxscore.cli.main import app

    result = runner.invoke(app, [*args, "-p", str(project.root)], env={"COLUMNS": "200"})
    return result.exit_code, result.output


def answer(store: Store, response_id: str, **values: object) -> None:
    row = {"response_id": response_id, "responded_at": NOW, **values}
    columns = ", ".join(row)
    store.execute(
        f"INSERT INTO responses ({columns}) VALUES ({', '.join('?' for _ in row)})", list(row.values())
    )


def test_surveys_list_show_validate(company: Project) -> None:
    code, out = run(company, "surveys", "list")
    assert code == 0 and "case-csat" in out and "quarterly-nps" in out and "agent" in out
    code, out = run(company, "surveys", "show", "case-csat")
    assert code == 0 and "1. (csat 1-5) How satisfied" in out and "Invitations sent: 0" in out
    code, out = run(company, "surveys", "validate")
    assert code == 0 and "All survey definitions are valid." in out


def test_validate_reports_every_problem_with_file_and_line(company: Project) -> None:
    (company.root / "surveys" / "broken.yml").write_text(
        "id: Broken Survey\nname: x\ntrigger: birthday\nquestions:\n  - {id: q, kind: stars, text: Hi}\n"
        "  - {id: n1, kind: nps, text: A}\n  - {id: n2, kind: nps, text: B}\ncolour: red\n",
        encoding="utf-8",
    )
    code, out = run(company, "surveys", "validate")
    assert code == 1
    lines = [line for line in out.splitlines() if "broken.yml" in line]
    assert any(":1: survey id 'Broken Survey' must be lower case" in line for line in lines)
    assert any(":1: trigger 'birthday' is not one of" in line for line in lines)
    assert any(":5: question kind 'stars' is not one of" in line for line in lines)
    assert any("at most one 'nps' question" in line for line in lines)
    assert any("unknown field 'colour'" in line for line in lines)


def test_send_dry_run_and_send(company: Project, inbox: Inbox) -> None:
    code, out = run(company, "surveys", "send", "--dry-run")
    assert code == 0 and "Would send 3 invitation(s); nothing was sent or stored." in out
    code, out = run(company, "surveys", "send", "case-csat")
    assert code == 0 and "case-csat: 1 invitation(s) sent" in out and len(inbox.messages) == 1
    code, out = run(company, "surveys", "remind", "--dry-run")
    assert code == 0 and "Would send 0 reminder(s)." in out


def test_follow_up_rules_assignee_and_idempotence(company: Project) -> None:
    store = company.store()
    try:
        surveys = load_surveys(company.root)
        answer(store, "R-1", nps=6, account_id="A-1", contact_id="C-2")  # detractor: owner of A-1 today
        answer(store, "R-2", nps=7, account_id="A-1", contact_id="C-2")  # passive: nothing
        answer(store, "R-3", csat=2, case_id="CS-1", account_id="A-1", contact_id="C-1")  # the case's agent
        answer(store, "R-4", nps=0, account_id="A-2", anonymous=True)  # anonymous: nobody may call
        answer(store, "R-5", csat=1, survey_id="case-csat", account_id="A-2", contact_id="C-3")
        assert api.open_followups(store, surveys, since=NOW - dt.timedelta(days=1)) == 3
        assert api.open_followups(store, surveys, since=NOW - dt.timedelta(days=1)) == 0  # once
        tasks = {t.response_id: t for t in api.list_followups(store)}
        assert {r: (t.reason, t.assignee_id, t.team_id) for r, t in tasks.items()} == {
            "R-1": ("detractor", "P-3", "T-AM"),
            "R-3": ("low_csat", "P-1", "T-SUP"),
            "R-5": ("low_csat", "P-3", "T-AM"),
        }
        assert all(t.due_at - t.opened_at == dt.timedelta(hours=48) for t in tasks.values())
    finally:
        store.close()


def test_the_loop_from_the_command_line_and_its_metrics(company: Project) -> None:
    store = company.store()
    try:
        answer(store, "R-1", nps=2, account_id="A-1", contact_id="C-2")
        answer(store, "R-2", nps=3, account_id="A-2", contact_id="C-3")
    finally:
        store.close()
    code, out = run(company, "followups", "open", "--since", f"{NOW - dt.timedelta(days=1):%Y-%m-%d}")
    assert code == 0 and "Opened 2 follow-up task(s)." in out
    code, out = run(company, "followups", "list", "--json")
    tasks = json.loads(out)
    assert [t["reason"] for t in tasks] == ["detractor", "detractor"]
    first, second = tasks[0]["followup_id"], tasks[1]["followup_id"]
    code, out = run(company, "followups", "assign", first, "P-2", "--author", "lead")
    assert code == 0 and f"{first} is assigned to P-2." in out
    code, out = run(company, "followups", "assign", first, "P-404")
    assert code == 1 and "There is no person 'P-404'" in out
    code, out = run(company, "followups", "note", first, "Called, left a message")
    assert code == 0 and "first contact" not in out
    code, out = run(company, "followups", "note", first, "Talked to Tom; fix promised", "--contacted")
    assert code == 0 and "first contact" in out
    code, out = run(company, "followups", "close", first, "resolved", "--note", "Fixed")
    assert code == 0 and "Closed" in out
    code, out = run(company, "followups", "close", first, "resolved")
    assert code == 1 and "already closed" in out
    code, out = run(company, "followups", "close", second, "happy")
    assert code == 1 and "Outcome 'happy' is not one of resolved" in out
    code, out = run(company, "followups", "list", "--status", "all")
    assert code == 0 and "closed (resolved)" in out
    code, out = run(company, "followups", "stats")
    figures = json.loads(out)
    assert figures["opened"] == 2 and figures["contacted"] == 1 and figures["contacted_share"] == 0.5
    assert figures["outcomes"] == {"open": 1, "resolved": 1}
    assert figures["hours_to_first_contact_median"] is not None
    # A-1's term (renewed) and A-2's term (outcome unknown) end after the tasks: one term known, renewed.
    assert figures["renewed_after_followup_n"] == 1 and figures["renewed_after_followup_share"] == 1.0
    # Neither task is due yet (48 hours): none counts for "contacted in time", as in followups_contacted.
    assert figures["contacted_on_time_n"] == 0 and figures["contacted_on_time_share"] is None
    store = company.store()
    try:
        # Both due: one reached in time.
        later = api.summary(store, load_catalog(), now=NOW + dt.timedelta(days=3))
        assert (later["contacted_on_time_n"], later["contacted_on_time_share"]) == (2, 0.5)
        expected = scipy_stats.binomtest(1, 2).proportion_ci(method="wilson")
        assert later["contacted_on_time_lower"] == pytest.approx(expected.low, rel=1e-9)
        assert later["contacted_on_time_upper"] == pytest.approx(expected.high, rel=1e-9)
        notes = api.notes(store, first)
        assert [n.kind for n in notes] == ["assign", "note", "contact", "close"]
    finally:
        store.close()


def test_the_summarys_shares_are_the_built_in_metrics_as_of_its_day(company: Project) -> None:
    from cxscore.metrics import MetricEngine
    from cxscore.metrics.views import as_of

    store = company.store()
    try:
        answer(store, "R-1", nps=2, account_id="A-1", contact_id="C-2")
        answer(store, "R-2", nps=3, account_id="A-2", contact_id="C-3")
        assert api.open_followups(store, {}) == 2
        reached = api.list_followups(store)[0].followup_id
        api.note(store, reached, "Talked to Tom", contacted=True)
        for days in (0, 3):  # today neither task is due; in three days both are
            day = NOW + dt.timedelta(days=days)
            figures = api.summary(store, load_catalog(), now=day)
            with as_of(day.date()):
                engine = MetricEngine(store)
                for name, share in (
                    ("followups_contacted", "contacted_on_time"),
                    ("followup_renewal_rate", "renewed_after_followup"),
                ):
                    yearly = engine.compute(name, grain="year")
                    n = int(yearly["n"].sum()) if not yearly.empty else 0
                    successes = int(yearly["successes"].sum()) if n else 0
                    assert figures[f"{share}_n"] == n
                    assert figures[f"{share}_share"] == (successes / n if n else None)
            assert figures["contacted_on_time_n"] == (2 if days else 0)
        since = api.summary(
            store, load_catalog(), since=NOW + dt.timedelta(hours=1), now=NOW + dt.timedelta(days=3)
        )
        assert since["opened"] == since["contacted_on_time_n"] == since["renewed_after_followup_n"] == 0
    finally:
        store.close()


def test_unknown_task_is_a_clear_error(company: Project) -> None:
    store = company.store()
    try:
        with pytest.raises(FollowupError, match="There is no follow-up 'F-nope'"):
            api.note(store, "F-nope", "hello")
    finally:
        store.close()


def test_a_store_made_before_the_survey_tables_gets_them(company: Project, inbox: Inbox) -> None:
    store = company.store()
    try:
        for name in ("followup_notes", "followups", "unsubscribes", "_survey_links", "_survey_partials"):
            store.execute(f"DROP TABLE {name}")
        store.execute("UPDATE _cxscore_meta SET value = '1' WHERE key = 'schema_version'")  # as made then
    finally:
        store.close()
    code, out = run(company, "surveys", "send", "case-csat")
    assert code == 0 and "Sent 1 invitation(s)." in out
    code, out = run(company, "followups", "list")
    assert code == 0
