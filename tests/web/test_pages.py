"""What the pages show, through their JSON twins and exports: numbers with n and intervals, insufficient
data as such, drill-down rows that never name the person of an anonymous answer, clear 4xx messages."""

from __future__ import annotations

import io
from typing import Any

import pytest


def test_team_scorecard_gives_every_number_with_its_n_and_interval(clients: dict[str, Any]) -> None:
    data = clients["manager"].get("/api/teams/T-SUP-APAC?period=2025").json()
    assert data["scorecard"]["scorecard"] == "support_agent"
    for line in data["scorecard"]["metrics"]:
        assert "n" in line and "lower" in line and "upper" in line
        if line["value"] is not None and not line["insufficient"]:
            assert line["lower"] <= line["value"] <= line["upper"]
            assert line["n"] >= line["min_n"]
    improved = {m["metric"] for m in data["scorecard"]["metrics"] if m["improved"]}
    assert "csat" in improved  # the demo's planted truth: Support APAC truly improved in 2025


def test_insufficient_data_is_shown_as_such_never_as_a_number(clients: dict[str, Any]) -> None:
    data = clients["executive"].get("/api/teams/T-SUP-PREMIER?period=2025-Q4").json()
    assert data["scorecard"]["score"] is None and data["scorecard"]["score_text"] == "insufficient data"
    page = clients["executive"].get("/teams/T-SUP-PREMIER?period=2025-Q4").text
    assert "insufficient data" in page


def test_changes_in_shares_are_written_in_points(clients: dict[str, Any]) -> None:
    data = clients["executive"].get("/api/overview?period=2025").json()
    texts = [m["change_text"] for m in data["scorecard"]["metrics"] if m["change_text"] not in ("", "n/a")]
    assert texts and any(t.endswith(" pts") for t in texts)


def test_drill_down_rows_add_up_and_never_name_an_anonymous_answers_person(clients: dict[str, Any]) -> None:
    team = clients["manager"].get("/api/teams/T-SUP-EMEA?period=2025-Q4").json()
    csat = next(m for m in team["scorecard"]["metrics"] if m["metric"] == "csat")
    rows = clients["manager"].get("/api/rows?metric=csat&scope=team&id=T-SUP-EMEA&period=2025-Q4").json()
    assert rows["count"] == csat["n"]
    assert set(rows["columns"]) <= {"date", "person", "team", "role", "value", "success", "anonymous"}
    anonymous = [r for r in rows["rows"] if r["anonymous"]]
    assert all(r["person"] is None for r in anonymous)
    company = clients["executive"].get("/api/rows?metric=nps&period=2025").json()
    assert any(r["anonymous"] for r in company["rows"]) or company["count"] > len(company["rows"])
    assert all(r["person"] is None for r in company["rows"] if r["anonymous"])


@pytest.mark.parametrize(
    ("path", "status", "words"),
    [
        ("/api/teams/T-NOPE", 404, ["There is no team 'T-NOPE'", "/teams"]),
        ("/api/overview?period=soon", 400, ["period='soon'", "2025-Q4"]),
        ("/api/overview?period=2031", 404, ["period='2031' has no data", "Pick a period"]),
        ("/api/trends?metric=happiness", 404, ["There is no metric 'happiness'", "csat"]),
        ("/api/trends?metric=csat&product=unicorn", 404, ["product='unicorn'", "Use one of"]),
        ("/api/leaderboards?by=planet", 400, ["by", "pattern"]),
        ("/api/leaderboards?adjust_for=mood", 400, ["adjust_for='mood'", "priority"]),
        ("/api/teams?format=pdf", 400, ["Unknown format 'pdf'", "csv"]),
        ("/api/teams?format=csv&table=nope", 404, ["no table 'nope'", "teams"]),
        ("/api/nothing-here", 404, ["There is no page at /api/nothing-here"]),
    ],
)
def test_bad_input_gets_a_message_naming_the_value_and_the_fix(
    clients: dict[str, Any], path: str, status: int, words: list[str]
) -> None:
    answer = clients["executive"].get(path)
    assert answer.status_code == status, answer.text
    for word in words:
        assert word in answer.json()["error"]
    page = clients["executive"].get(path.replace("/api/overview", "/").replace("/api/", "/"))
    assert page.status_code == status and "text/html" in page.headers["content-type"]


def test_tables_export_as_csv_and_excel_and_charts_as_png(clients: dict[str, Any]) -> None:
    import openpyxl

    client = clients["executive"]
    csv = client.get("/teams/T-SUP-EMEA?period=2025&format=csv&table=metrics")
    assert csv.headers["content-type"].startswith("text/csv")
    assert csv.text.splitlines()[0].startswith("scorecard,scope,scope_id")
    assert "attachment" in csv.headers["content-disposition"]
    xlsx = client.get("/leaderboards?metric=csat&format=xlsx&table=ranking")
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None and sheet.cell(1, 1).value == "metric" and sheet.max_row > 3
    png = client.get("/?format=png&chart=trend")
    assert png.headers["content-type"] == "image/png" and png.content[:8] == b"\x89PNG\r\n\x1a\n"
    svg = client.get("/trends?metric=nps&format=svg&chart=trend")
    assert svg.text.startswith("<svg")


def test_leaderboard_has_intervals_and_tie_bands(clients: dict[str, Any]) -> None:
    data = clients["employee"].get("/api/leaderboards?metric=csat&period=2025").json()
    entries = data["entries"]
    assert len(entries) >= 4 and entries[0]["band"] == 1
    assert all(e["shrunk_lower"] <= e["shrunk"] <= e["shrunk_upper"] for e in entries)
    assert [e["rank"] for e in entries] == sorted(e["rank"] for e in entries)
    names = {x["scope_id"] for x in data["excluded"]}
    assert "T-SUP-PREMIER" in names  # too few answers to rank: left out, with the reason


def test_verbatims_are_masked_and_shown_only_to_who_may_read_them(clients: dict[str, Any]) -> None:
    executive = clients["executive"].get("/api/diagnosis?metric=csat&period=2025").json()
    assert executive["drivers"]["drivers"] and executive["verbatims"]["comments"]
    text = " ".join(c["text"] for c in executive["verbatims"]["comments"])
    assert "@" not in text
    manager = clients["manager"].get("/api/diagnosis?metric=csat&period=2025").json()
    assert manager["verbatims_scope"] == "team:T-SUP-EMEA"
    employee = clients["employee"].get("/api/diagnosis?metric=csat&period=2025").json()
    assert employee["verbatims"] is None and employee["drivers"] is not None


def test_data_quality_lists_the_quarantine_for_admins(clients: dict[str, Any]) -> None:
    data = clients["admin"].get("/api/data-quality?status=all").json()
    assert set(data) >= {"open_by_table", "rows", "imports"}


def test_the_openapi_spec_documents_every_json_twin(server: Any, clients: dict[str, Any]) -> None:
    import httpx

    spec = httpx.get(f"{server.url}/api/openapi.json").json()
    paths = set(spec["paths"])
    for twin in (
        "/api/overview",
        "/api/teams/{team_id}",
        "/api/people/{person_id}",
        "/api/rows",
        "/api/leaderboards",
    ):
        assert twin in paths
    assert all(not p.startswith("/api") or p in paths for p in paths)
    assert "Bearer" in spec["info"]["description"]
    assert clients["employee"].get("/api-docs").status_code == 200


def test_health_and_readiness(server: Any) -> None:
    import httpx

    assert httpx.get(f"{server.url}/healthz").json()["status"] == "ok"
    ready = httpx.get(f"{server.url}/readyz").json()
    assert ready == {"status": "ready", "store": "duckdb", "schema_version": ready["schema_version"]}


def test_the_warm_up_computes_the_latest_quarters_scorecards(server: Any) -> None:
    from cxscore.web.warmup import WarmUp

    views = server.app.state.site.views
    warm = WarmUp(views)
    warm.start()
    assert warm.done.wait(timeout=300)
    warm.close()
    snap = views.current()
    quarter = snap.latest_quarter.label
    assert ("scorecard", "company", "company", quarter) in snap._cache
    assert ("scorecard", "team", "T-SUP-EMEA", quarter) in snap._cache


def test_obstacles_and_integrity_findings_name_people_only_for_who_may_see_them(
    clients: dict[str, Any],
) -> None:
    path = "/api/diagnosis?metric=csat&scope=team&id=T-SUP-LATAM&period=2025"
    executive = clients["executive"].get(path).json()
    assert executive["obstacles"]["team"] == "T-SUP-LATAM" and executive["obstacles"]["verdict"]
    assert executive["integrity"]["checks"]
    manager = clients["manager"].get(path).json()
    assert manager["obstacles"] is None and "managers" in manager["obstacles_note"]
    teams = {f["team"] for c in manager["integrity"]["checks"] for f in c["findings"]}
    assert teams <= {"T-SUP-EMEA"}
    employee = clients["employee"].get(path).json()
    assert employee["obstacles"] is None and employee["integrity"] is None
    page = clients["executive"].get(path.replace("/api", ""))
    assert "Obstacles" in page.text and "Integrity checks" in page.text


def test_the_follow_up_queue_shows_each_role_its_tasks_and_closes_them(
    server: Any, clients: dict[str, Any]
) -> None:
    import datetime as dt
    import re

    store, lock = server.app.state.store, server.app.state.store_lock
    opened = dt.datetime(2025, 12, 1, 9, 0)
    with lock:
        response = store.execute("SELECT response_id FROM responses LIMIT 1").fetchone()[0]
        store.execute(
            "INSERT INTO followups (followup_id, response_id, reason, team_id, opened_at, due_at, status) "
            "VALUES ('F-web-test', ?, 'NPS 2', 'T-SUP-EMEA', ?, ?, 'open')",
            [response, opened, opened + dt.timedelta(hours=48)],
        )
    assert "F-web-test" in {
        f["followup_id"] for f in clients["manager"].get("/api/followups").json()["followups"]
    }
    assert "F-web-test" not in {
        f["followup_id"] for f in clients["sales_manager"].get("/api/followups").json()["followups"]
    }
    page = clients["sales_manager"].get("/followups")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    refused = clients["sales_manager"].post(
        "/followups/F-web-test/close", data={"outcome": "resolved", "csrf_token": token}
    )
    assert refused.status_code == 403
    page = clients["manager"].get("/followups")
    assert "F-web-test" in page.text and "overdue" in page.text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    reached = clients["manager"].post(
        "/followups/F-web-test/contacted", data={"text": "Called; fixed", "csrf_token": token}
    )
    closed = clients["manager"].post(
        "/followups/F-web-test/close", data={"outcome": "resolved", "csrf_token": token}
    )
    assert reached.status_code == closed.status_code == 303
    task = next(
        f
        for f in clients["manager"].get("/api/followups?status=all").json()["followups"]
        if f["followup_id"] == "F-web-test"
    )
    assert task["status"] == "closed" and task["outcome"] == "resolved" and task["first_contact_at"]


def test_the_survey_page_says_whether_and_how_this_server_sends(clients: dict[str, Any]) -> None:
    sending = clients["admin"].get("/api/surveys").json()["sending"]
    # The test server has no SMTP server: it sends nothing, and says why and how to change it.
    assert sending["enabled"] is False and "CXSCORE_SMTP_URL" in sending["why"]
    assert "does not send surveys" in clients["admin"].get("/surveys").text


def test_the_survey_page_tells_surveys_defined_as_files_from_those_only_in_imported_data(
    server: Any, clients: dict[str, Any]
) -> None:
    store, lock = server.app.state.store, server.app.state.store_lock
    with lock:
        counted = store.execute(
            "SELECT survey_id, count(*) FROM invitations GROUP BY survey_id ORDER BY survey_id"
        ).fetchall()
        answered = dict(
            store.execute("SELECT survey_id, count(*) FROM responses GROUP BY survey_id").fetchall()
        )
    admin = clients["admin"]
    data = admin.get("/api/surveys").json()
    assert data["surveys"] == []  # the demo's surveys are imported rows, no file in surveys/
    imported = {s["id"]: s for s in data["imported"]}
    assert [(k, imported[k]["invitations"]) for k, _ in counted] == counted
    assert all(imported[k]["responses"] == answered.get(k, 0) for k, _ in counted)
    assert imported["case-csat"]["name"] == "Support case satisfaction"
    page = admin.get("/surveys").text
    assert "No survey is defined yet" not in page
    assert "No survey is defined as a file in <code>surveys/</code>, so cxscore sends none" in page
    assert "Support case satisfaction" in page and f"{imported['case-csat']['invitations']:,}" in page
    assert "<code>cxscore surveys validate</code>" in page  # how to define one
    only = admin.get("/api/surveys?survey=case-csat").json()["invitations"]
    assert only and {i["survey_id"] for i in only} == {"case-csat"}

    folder = server.project.root / "surveys"
    folder.mkdir(exist_ok=True)
    (folder / "web-pulse.yml").write_text(
        "id: web-pulse\nname: Web pulse\ntrigger: manual\nfollow_up: false\n"
        "questions: [{id: ces, kind: ces, text: 'Getting started was easy.'}]\n",
        encoding="utf-8",
    )
    try:
        data = admin.get("/api/surveys").json()
        page = admin.get("/surveys").text
    finally:
        (folder / "web-pulse.yml").unlink()
    defined = data["surveys"]
    assert [(s["id"], s["invitations"], s["responses"]) for s in defined] == [("web-pulse", 0, 0)]
    assert "web-pulse" not in {s["id"] for s in data["imported"]} and len(data["imported"]) == len(counted)
    assert "Web pulse" in page and "Only in imported data" in page and "sends none" not in page
