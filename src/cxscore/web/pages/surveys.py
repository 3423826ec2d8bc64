"""Survey administration (the surveys defined, the invitations sent) and the follow-up queue (unhappy
answers waiting for someone to call the customer back), on `cxscore.surveys`. The queue notes that a
customer was reached, closes tasks, and lets a manager give a task of their teams to one of their people;
surveys are sent by the server's schedule (shown here) or by `cxscore surveys send`."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request, Response
from fastapi.responses import RedirectResponse

from cxscore.web.pages.scorecards import FormatQuery, TableQuery
from cxscore.web.site import Page, site_of

router = APIRouter()

#: Who administers surveys (invitations name customers' contacts and the people credited).
SURVEY_ADMINS = ("admin", "executive")


@router.get("/surveys", include_in_schema=False)
@router.get(
    "/api/surveys",
    tags=["surveys"],
    summary="Surveys defined as files, surveys only in imported data, and the invitations",
)
def surveys(
    request: Request,
    survey: str | None = Query(None, max_length=60, description="Only this survey's invitations."),
    format: str = FormatQuery,
    table: str | None = TableQuery,
) -> Response:
    """The surveys cxscore sends (files in the project's surveys/ folder) and the ones that only appear in
    imported rows (surveys, invitations, responses tables), each with its invitations and responses."""
    from cxscore.surveys.api import invitations, list_surveys, surveys_in_data

    site = site_of(request)
    user = site.user(request)
    site.access(user).require_role(SURVEY_ADMINS, "Survey administration")
    root = site.project.root
    defined = list_surveys(root)
    with site.lock:
        in_data = surveys_in_data(site.app.state.store)
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
            **_counts(in_data.get(s.id)),
        }
        for s in defined
    ]
    imported = [row for key, row in in_data.items() if key not in {s.id for s in defined}]
    known = [s.id for s in defined] + [row["id"] for row in imported]
    if survey and survey not in known:
        from cxscore.errors import NotFoundError

        raise NotFoundError(
            f"survey={survey!r} is neither defined in surveys/ nor in the imported data. "
            f"Surveys: {', '.join(known) or 'none'}."
        )
    with site.lock:
        sent = [asdict(i) for i in invitations(site.app.state.store, root, survey_id=survey, limit=200)]
    data = {
        "filters": {"survey": survey, "surveys": known},
        "surveys": listed,
        "imported": imported,
        "invitations": sent,
        "sending": _sending(site.app.state),
    }
    tables = {"surveys": listed, "imported": imported, "invitations": sent}
    page = Page("Surveys", "surveys.html", data, tables=tables)
    return site.answer(request, user, page, format, table)


def _counts(row: dict[str, Any] | None) -> dict[str, Any]:
    """A defined survey's invitations and responses in the data (none yet: zero)."""
    keys = ("invitations", "first_sent", "last_sent", "responses", "first_response", "last_response")
    return {k: (row or {}).get(k, 0 if k in ("invitations", "responses") else None) for k in keys}


def _sending(state: Any) -> dict[str, Any]:
    """How the server sends: its schedule, the mail server (without password) and the last rounds."""
    service = getattr(state, "surveys", None)
    if service is None:
        return {"enabled": False, "why": "the survey endpoints are not part of this server"}
    schedule, settings = service.schedule, service.settings
    why = None
    if settings.smtp is None:
        why = "no SMTP server is set (CXSCORE_SMTP_URL or surveys.smtp_url)"
    elif settings.send_every_minutes == 0:
        why = "surveys.send_every_minutes is 0"
    return {
        "enabled": schedule.enabled,
        "why": why,
        "every_minutes": settings.send_every_minutes,
        "smtp": settings.smtp.redacted() if settings.smtp else None,
        "rounds": [
            {
                "at": f"{r.at:%Y-%m-%d %H:%M}",
                "invited": r.invited,
                "reminded": r.reminded,
                "failed": len(r.failed),
                "error": r.error,
            }
            for r in reversed(schedule.rounds[-5:])
        ],
    }


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
        totals = None
        if user.role in SURVEY_ADMINS:  # with the project's metrics, as the metric pages show them
            catalog = site.snapshot().evaluator.results.engine.catalog
            totals = summary(site.app.state.store, catalog, now=now)
    visible = [t for t in tasks if _may_see(access, t.team_id, t.assignee_id)]
    names = _names(site)
    rows: list[dict[str, Any]] = [
        {
            **asdict(t),
            "assignee_name": names.get(t.assignee_id or ""),
            "overdue": t.overdue(now),
            "assignable": t.status == "open" and _may_assign(access, t.team_id),
        }
        for t in visible[:500]
    ]
    scope = {
        "admin": "every team's",
        "executive": "every team's",
        "manager": "your teams' and yours",
    }.get(user.role, "the ones assigned to you")
    from cxscore.model.surveys import FOLLOWUP_OUTCOMES

    data = {
        "filters": {"status": status},
        "scope": scope,
        "summary": totals,
        "followups": rows,
        "outcomes": list(FOLLOWUP_OUTCOMES),
        # Whom a manager may give tasks to: the people of their teams (empty for other roles).
        "assignees": sorted(
            ({"value": p, "label": names.get(p, p)} for p in _team_people(access)), key=lambda o: o["label"]
        ),
    }
    page = Page("Follow-up queue", "followups.html", data, tables={"followups": rows})
    return site.answer(request, user, page, format, table)


def _may_see(access: Any, team_id: str | None, assignee_id: str | None) -> bool:
    if access.user.role in SURVEY_ADMINS:
        return True
    if assignee_id is not None and assignee_id == access.user.person_id:
        return True
    return team_id is not None and team_id in access.subtree


def _names(site: Any) -> dict[str, str]:
    """Person id -> name, from the people table of the current data."""
    people = site.snapshot().people
    return dict(zip(people["person_id"].astype(str), people["name"].astype(str), strict=True))


def _may_assign(access: Any, team_id: str | None) -> bool:
    """Managers give tasks of their teams (their subtree) to their people."""
    return access.user.role == "manager" and team_id is not None and team_id in access.subtree


def _team_people(access: Any) -> set[str]:
    if access.user.role != "manager" or not access.subtree:
        return set()
    found: set[str] = access.org.people_in(access.subtree, access.day)
    return found


@router.post("/followups/{followup_id}/assign", include_in_schema=False)
def assign_task(
    request: Request,
    followup_id: str,
    person_id: Annotated[str, Form(min_length=1, max_length=60)],
    csrf_token: Annotated[str, Form(max_length=128)] = "",
) -> Response:
    """Give the task to a person (a manager: a task of their teams, to one of their people)."""
    from cxscore.errors import AccessDeniedError
    from cxscore.surveys.followups import assign, get_followup

    site = site_of(request)
    user = site.user(request)
    site.check_csrf(request, csrf_token)
    access = site.access(user)
    with site.lock:
        task = get_followup(site.app.state.store, followup_id)
    if not _may_assign(access, task.team_id):
        raise AccessDeniedError(
            f"Follow-up {followup_id} belongs to team {task.team_id}; your role ({user.role}) does not "
            "assign it: managers assign their teams' tasks (others with `cxscore followups assign`)."
        )
    if person_id not in _team_people(access):
        raise AccessDeniedError(
            f"{person_id} is not one of your teams' people, so your role ({user.role}) cannot give them "
            "this task. Pick someone from the list."
        )
    with site.lock:
        assign(site.app.state.store, followup_id, person_id, author=user.person_id or user.username)
    site.accounts.audit(user.username, "assign follow-up", person_id, followup_id)
    return RedirectResponse(f"{request.scope.get('root_path', '')}/followups", status_code=303)


@router.post("/followups/{followup_id}/contacted", include_in_schema=False)
def contacted(
    request: Request,
    followup_id: str,
    text: Annotated[str, Form(min_length=1, max_length=2000)],
    csrf_token: Annotated[str, Form(max_length=128)] = "",
) -> Response:
    """Note that the customer was reached (the first time sets the time to first contact)."""
    from cxscore.surveys.followups import note

    site, author = _task(request, followup_id, csrf_token)
    with site.lock:
        note(site.app.state.store, followup_id, text, author=author, contacted=True)
    return RedirectResponse(f"{request.scope.get('root_path', '')}/followups", status_code=303)


@router.post("/followups/{followup_id}/close", include_in_schema=False)
def close_task(
    request: Request,
    followup_id: str,
    outcome: Annotated[str, Form(max_length=30)],
    csrf_token: Annotated[str, Form(max_length=128)] = "",
) -> Response:
    """Close the task with its outcome."""
    from cxscore.surveys.followups import close

    site, author = _task(request, followup_id, csrf_token)
    with site.lock:
        close(site.app.state.store, followup_id, outcome, author=author)
    return RedirectResponse(f"{request.scope.get('root_path', '')}/followups", status_code=303)


def _task(request: Request, followup_id: str, csrf_token: str) -> tuple[Any, str]:
    """The site and the author to note, once the form is genuine and the user may act on the task."""
    from cxscore.errors import AccessDeniedError
    from cxscore.surveys.followups import get_followup

    site = site_of(request)
    user = site.user(request)
    site.check_csrf(request, csrf_token)
    with site.lock:
        task = get_followup(site.app.state.store, followup_id)
    if not _may_see(site.access(user), task.team_id, task.assignee_id):
        raise AccessDeniedError(
            f"Follow-up {followup_id} belongs to team {task.team_id}; your role ({user.role}) acts on your "
            "teams' tasks and the ones assigned to you."
        )
    return site, user.person_id or user.username
