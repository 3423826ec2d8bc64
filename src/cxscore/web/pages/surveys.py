"""Survey administration (the surveys defined, the invitations sent) and the follow-up queue (unhappy
answers waiting for someone to call the customer back), read from `cxscore.surveys`. Sending, assigning
and closing stay in the CLI (`cxscore surveys`, `cxscore followups`) for now."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from typing import Any

from fastapi import APIRouter, Query, Request, Response

from cxscore.web.pages.scorecards import FormatQuery, TableQuery
from cxscore.web.site import Page, site_of

router = APIRouter()

#: Who administers surveys (invitations name customers' contacts and the people credited).
SURVEY_ADMINS = ("admin", "executive")


@router.get("/surveys", include_in_schema=False)
@router.get("/api/surveys", tags=["surveys"], summary="Surveys defined and the invitations sent")
def surveys(
    request: Request,
    survey: str | None = Query(None, max_length=60, description="Only this survey's invitations."),
    format: str = FormatQuery,
    table: str | None = TableQuery,
) -> Response:
    from cxscore.surveys.api import invitations, list_surveys

    site = site_of(request)
    user = site.user(request)
    site.access(user).require_role(SURVEY_ADMINS, "Survey administration")
    root = site.project.root
    defined = list_surveys(root)
    listed = [
        {
            "id": s.id,
            "name": s.name,
            "kind": s.kind,
            "trigger": s.trigger,
            "questions": len(s.questions),
            "anonymous": s.anonymous,
            "languages": ", ".join(s.languages),
            "follow_up": s.follow_up is not None,
            "file": s.file,
        }
        for s in defined
    ]
    if survey and survey not in {s.id for s in defined}:
        from cxscore.errors import NotFoundError

        raise NotFoundError(
            f"survey={survey!r} is not defined. Surveys: {', '.join(s.id for s in defined) or 'none'}."
        )
    with site.lock:
        sent = [asdict(i) for i in invitations(site.app.state.store, root, survey_id=survey, limit=200)]
    data = {
        "filters": {"survey": survey, "surveys": [s["id"] for s in listed]},
        "surveys": listed,
        "invitations": sent,
    }
    page = Page("Surveys", "surveys.html", data, tables={"surveys": listed, "invitations": sent})
    return site.answer(request, user, page, format, table)


@router.get("/followups", include_in_schema=False)
@router.get(
    "/api/followups", tags=["surveys"], summary="The follow-up queue: answers that call for a call back"
)
def followups(
    request: Request,
    status: str = Query("open", pattern="^(open|closed|all)$", description="open, closed or all."),
    format: str = FormatQuery,
    table: str | None = TableQuery,
) -> Response:
    from cxscore.surveys.followups import list_followups, summary

    site = site_of(request)
    user = site.user(request)
    access = site.access(user)
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    with site.lock:
        tasks = list_followups(site.app.state.store, status=status, limit=2000)
        totals = summary(site.app.state.store, now=now) if user.role in SURVEY_ADMINS else None
    visible = [t for t in tasks if _may_see(access, t.team_id, t.assignee_id)]
    rows: list[dict[str, Any]] = [{**asdict(t), "overdue": t.overdue(now)} for t in visible[:500]]
    scope = {
        "admin": "every team's",
        "executive": "every team's",
        "manager": "your teams' and yours",
    }.get(user.role, "the ones assigned to you")
    data = {"filters": {"status": status}, "scope": scope, "summary": totals, "followups": rows}
    page = Page("Follow-up queue", "followups.html", data, tables={"followups": rows})
    return site.answer(request, user, page, format, table)


def _may_see(access: Any, team_id: str | None, assignee_id: str | None) -> bool:
    if access.user.role in SURVEY_ADMINS:
        return True
    if assignee_id is not None and assignee_id == access.user.person_id:
        return True
    return team_id is not None and team_id in access.subtree
