"""The authorisation matrix: every route x every role x own/other's data, page and JSON twin, with the
expected answer. Signed-out requests are sent to the sign-in page (pages) or refused with 401 (API)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

ROLES = ("employee", "other_employee", "manager", "sales_manager", "executive", "compensation_admin", "admin")
ALL = dict.fromkeys(ROLES, 200)


def only(*allowed: str) -> dict[str, int]:
    return {role: 200 if role in allowed else 403 for role in ROLES}


SUPPORT_AGENT, SALES_REP = "P-00046", "P-00022"  # erin's and sam's own; maya manages erin, sol manages sam
SEES_SUPPORT_AGENT = only("employee", "manager", "executive", "compensation_admin")
SEES_SALES_REP = only("other_employee", "sales_manager", "executive", "compensation_admin")

#: (route, expected status per role). Each route is asked as a page and as its JSON twin under /api.
MATRIX: list[tuple[str, dict[str, int]]] = [
    ("/", ALL),
    ("/teams", ALL),
    ("/teams/T-SUP-EMEA", ALL),
    ("/teams/T-SALES-EMEA", ALL),
    (f"/people/{SUPPORT_AGENT}", SEES_SUPPORT_AGENT),
    (f"/people/{SALES_REP}", SEES_SALES_REP),
    (f"/rows?metric=csat&scope=person&id={SUPPORT_AGENT}", SEES_SUPPORT_AGENT),
    (f"/rows?metric=new_business_arr&scope=person&id={SALES_REP}", SEES_SALES_REP),
    ("/rows?metric=csat&scope=team&id=T-SUP-EMEA", only("manager", "executive", "compensation_admin")),
    ("/rows?metric=nps&scope=team&id=T-SALES-EMEA", only("sales_manager", "executive", "compensation_admin")),
    ("/rows?metric=csat", only("executive", "compensation_admin")),
    ("/leaderboards?metric=csat", ALL),
    (
        "/leaderboards?metric=csat&by=person",
        only("manager", "sales_manager", "executive", "compensation_admin"),
    ),
    ("/trends?metric=csat", ALL),
    ("/trends?metric=csat&scope=team&id=T-SUP-EMEA", ALL),
    (f"/trends?metric=csat&scope=person&id={SUPPORT_AGENT}", SEES_SUPPORT_AGENT),
    (f"/trends?metric=nps&scope=person&id={SALES_REP}", SEES_SALES_REP),
    ("/goals", ALL),
    (f"/goals?scope=person&id={SUPPORT_AGENT}", SEES_SUPPORT_AGENT),
    (f"/goals?scope=person&id={SALES_REP}", SEES_SALES_REP),
    ("/awards?period=2025", ALL),
    ("/diagnosis?metric=csat&period=2025", ALL),
    (f"/payouts?person={SALES_REP}", only("other_employee", "sales_manager", "compensation_admin")),
    (f"/payouts?person={SUPPORT_AGENT}", only("employee", "manager", "compensation_admin")),
    ("/payouts", {**ALL, "admin": 403}),
    ("/surveys", only("executive", "admin")),
    ("/followups?status=all", ALL),
    ("/data-quality", only("admin")),
    ("/imports", only("admin")),
    ("/admin/users", only("admin")),
    ("/admin/audit", only("admin", "compensation_admin")),
    ("/account", ALL),
]


def _twin(route: str) -> str:
    path, _, query = route.partition("?")
    twin = "/api/overview" if path == "/" else f"/api{path}"
    return twin + (f"?{query}" if query else "")


CASES = [
    pytest.param(route, role, expected[role], id=f"{role}:{route}")
    for route, expected in MATRIX
    for role in ROLES
]


@pytest.mark.parametrize(("route", "role", "status"), CASES)
def test_page_and_json_twin_answer_as_the_matrix_says(
    clients: dict[str, httpx.Client], accounts: dict[str, Any], route: str, role: str, status: int
) -> None:
    client = clients[role]
    page = client.get(route)
    assert page.status_code == status, (
        f"{accounts[role].username} {route}: {client.get(_twin(route)).text[:500]}"
    )
    twin = client.get(_twin(route))
    assert twin.status_code == status, f"{accounts[role].username} {_twin(route)}: {twin.text[:300]}"
    assert twin.headers["content-type"].startswith("application/json")
    if status == 403:
        assert "role" in twin.json()["error"]  # the refusal says why
        assert "text/html" in page.headers["content-type"]


@pytest.mark.parametrize("route", [route for route, _ in MATRIX])
def test_signed_out_requests_go_to_sign_in_or_get_401(server: object, route: str) -> None:
    url = server.url  # type: ignore[attr-defined]
    with httpx.Client(base_url=url) as anonymous:
        page = anonymous.get(route)
        assert page.status_code == 303
        assert page.headers["location"].startswith("/login?next=")
        twin = anonymous.get(_twin(route))
        assert twin.status_code == 401
        assert "Sign in" in twin.json()["error"]


def test_payouts_list_only_what_each_role_may_see(clients: dict[str, httpx.Client]) -> None:
    def people(role: str) -> set[str]:
        answer = clients[role].get("/api/payouts?period=2025-Q4")
        assert answer.status_code == 200, answer.text
        return {s["person_id"] for s in answer.json()["statements"]}

    everyone = people("compensation_admin")
    assert SALES_REP in everyone and len(everyone) > 3
    assert people("other_employee") == {SALES_REP}
    assert SALES_REP in people("sales_manager") and people("sales_manager") < everyone
    assert people("manager") == set()  # the support team is not paid by the sales plan
    assert people("executive") == set()  # executives see all scorecards, but only their own payouts
    assert people("employee") == set()


def test_only_a_manager_gives_a_task_of_their_team_to_one_of_their_people(
    server: Any, clients: dict[str, httpx.Client], accounts: dict[str, Any]
) -> None:
    import datetime as dt
    import re

    store, lock = server.app.state.store, server.app.state.store_lock
    opened = dt.datetime(2025, 12, 2, 9, 0)
    with lock:
        response = store.execute("SELECT response_id FROM responses LIMIT 1 OFFSET 1").fetchone()[0]
        store.execute(
            "INSERT INTO followups (followup_id, response_id, reason, team_id, opened_at, due_at, status) "
            "VALUES ('F-assign-test', ?, 'CSAT 1', 'T-SUP-EMEA', ?, ?, 'open')",
            [response, opened, opened + dt.timedelta(hours=48)],
        )

    def assign(role: str, person: str, csrf: bool = True) -> int:
        page = clients[role].get("/account")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
        form = {"person_id": person, **({"csrf_token": token} if csrf else {})}
        return clients[role].post("/followups/F-assign-test/assign", data=form).status_code

    expected = {role: 303 if role == "manager" else 403 for role in ROLES}
    assert {role: assign(role, SUPPORT_AGENT) for role in ROLES} == expected
    assert assign("manager", SALES_REP) == 403  # not one of maya's people
    assert assign("manager", SUPPORT_AGENT, csrf=False) == 403
    task = next(
        f
        for f in clients["manager"].get("/api/followups").json()["followups"]
        if f["followup_id"] == "F-assign-test"
    )
    assert task["assignee_id"] == SUPPORT_AGENT and task["assignee_name"] == "Daniel Sato"
    page = clients["manager"].get("/followups").text
    assert "Daniel Sato" in page and 'action="/followups/F-assign-test/assign"' in page
    assert 'action="/followups/F-assign-test/assign"' not in clients["executive"].get("/followups").text
    audit = clients["admin"].get("/api/admin/audit").json()["entries"]
    assert any(e["action"] == "assign follow-up" and e["detail"] == "F-assign-test" for e in audit)
