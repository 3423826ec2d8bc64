"""Diagnosis: which drivers move a metric (key drivers with intervals) and what customers say (verbatims,
masked: e-mail addresses and phone numbers never reach the page)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request, Response

from cxscore.errors import DiagnosisError
from cxscore.web.pages.common import metric_of, metric_options, period_choices, period_of, person_of, team_of
from cxscore.web.pages.scorecards import FormatQuery, PeriodQuery, TableQuery
from cxscore.web.site import Page, site_of

router = APIRouter()

#: Bootstrap resamples for the page: fewer than the CLI's 200, so the page answers in seconds; the
#: intervals are a little rougher (the page says so, and `cxscore diagnose drivers` gives the full run).
RESAMPLES = 50
#: Comments shown on the page (all are in the JSON twin and the export).
SHOWN_COMMENTS = 15


@router.get("/diagnosis", include_in_schema=False)
@router.get("/api/diagnosis", tags=["diagnosis"], summary="Key drivers of a metric, and the verbatims")
def diagnosis(
    request: Request,
    metric: str = Query("csat", max_length=60, description="The metric explained."),
    scope: str = Query("company", pattern="^(company|team|person)$", description="company, team or person."),
    id: str | None = Query(None, max_length=60, description="The team or person id."),
    period: str | None = PeriodQuery,
    format: str = FormatQuery,
    table: str | None = TableQuery,
) -> Response:
    site = site_of(request)
    user = site.user(request)
    snap = site.snapshot()
    chosen = period_of(snap, period or str(snap.latest_quarter.year))
    definition = metric_of(snap, metric)
    access = site.access(user, chosen.end)
    if scope == "company":
        name, scope_text = "the company", "company"
    elif not id:
        raise DiagnosisError(f"scope={scope} needs id=: the {scope}'s id.")
    elif scope == "team":
        name, scope_text = team_of(snap, id), f"team:{id}"
    else:
        name, scope_text = person_of(snap, id), f"person:{id}"
        access.require_person(id)
    drivers, problem = _drivers(snap, metric, scope_text, chosen.label)
    comments_scope = _verbatim_scope(access, scope, id)
    verbatims, verbatim_note = (None, "")
    if comments_scope is None:
        verbatim_note = (
            "Verbatims (customers' own words) are shown to executives, and to managers for the teams they "
            "manage."
        )
    else:
        verbatims, verbatim_note = _verbatims(snap, comments_scope, chosen.label)
    verdict, verdict_note = _obstacles(snap, access, metric, scope, id, chosen.label)
    checks, checks_note = _integrity(snap, access, chosen.label)
    data = {
        "filters": {
            "period": chosen.label,
            "periods": period_choices(snap),
            "metric": metric,
            "metrics": metric_options(snap, ("csat", "nps", "cases_satisfied", "ces")),
            "scope": scope,
            "id": id,
            "teams": [
                {"value": str(t), "label": str(n)}
                for t, n in zip(snap.teams["team_id"], snap.teams["name"], strict=True)
            ],
        },
        "name": name,
        "metric": {"name": metric, "label": definition.label},
        "drivers": drivers,
        "drivers_problem": problem,
        "resamples": RESAMPLES,
        "verbatims": verbatims,
        "verbatims_scope": comments_scope,
        "verbatims_note": verbatim_note,
        "shown_comments": SHOWN_COMMENTS,
        "obstacles": verdict,
        "obstacles_note": verdict_note,
        "integrity": checks,
        "integrity_note": checks_note,
    }
    tables: dict[str, list[dict[str, Any]]] = {}
    if drivers:
        tables["drivers"] = [{k: v for k, v in d.items() if k != "levels"} for d in drivers["drivers"]]
    if checks:
        tables["integrity"] = [f for c in checks["checks"] for f in c["findings"]]
    if verbatims:
        tables["comments"] = [{**c, "topics": ";".join(map(str, c["topics"]))} for c in verbatims["comments"]]
        tables["topics"] = [{k: v for k, v in t.items() if k not in ("scores",)} for t in verbatims["topics"]]
    title = f"Diagnosis: {definition.label}, {name}"
    return site.answer(request, user, Page(title, "diagnosis.html", data, tables=tables), format, table)


def _drivers(snap: Any, metric: str, scope: str, period: str) -> tuple[dict[str, Any] | None, str]:
    from cxscore.diagnose import key_drivers

    def compute() -> tuple[dict[str, Any] | None, str]:
        try:
            found = key_drivers(
                metric,
                scope=scope,
                period=period,
                resamples=RESAMPLES,
                store=snap.store,
                project=snap.project.root,
            )
        except DiagnosisError as error:
            return None, str(error)
        return found.to_dict(), ""

    result: tuple[dict[str, Any] | None, str] = snap.cached(("drivers", metric, scope, period), compute)
    return result


def _verbatim_scope(access: Any, scope: str, scope_id: str | None) -> str | None:
    """Whose comments the user may read here: executives any scope's; managers their own teams' (the
    company view shows a manager their own team's); None for everyone else and outside a manager's teams."""
    if not access.may_read_verbatims:
        return None
    if access.user.role == "executive":
        return "company" if scope == "company" else f"{scope}:{scope_id}"
    own = access.org.team_of(access.user.person_id or "", access.day)
    if scope == "team" and scope_id in access.subtree:
        return f"team:{scope_id}"
    if scope == "person" and scope_id and access.may_see_person(scope_id):
        return f"person:{scope_id}"
    if scope == "company" and own:
        return f"team:{own}"
    return None


def _verbatims(snap: Any, scope: str, period: str) -> tuple[dict[str, Any] | None, str]:
    from cxscore.diagnose import verbatims

    def compute() -> tuple[dict[str, Any] | None, str]:
        try:
            return verbatims(scope=scope, period=period, store=snap.store).to_dict(), ""
        except DiagnosisError as error:
            return None, str(error)

    result: tuple[dict[str, Any] | None, str] = snap.cached(("verbatims", scope, period), compute)
    return result


def _obstacles(
    snap: Any, access: Any, metric: str, scope: str, team: str | None, period: str
) -> tuple[dict[str, Any] | None, str]:
    """The obstacle verdict of a team (its parts can name people: for its managers and executives)."""
    from cxscore.diagnose.obstacles import obstacles

    if scope != "team" or not team:
        return None, "Pick a team for its obstacle verdict: people, training, product or case mix."
    if not access.may_see_team_rows(team):
        return (
            None,
            "Obstacle verdicts can name people: they are shown to the team's managers and executives.",
        )

    def compute() -> tuple[dict[str, Any] | None, str]:
        try:
            found = obstacles(metric, team=team, period=period, store=snap.store, project=snap.project.root)
        except DiagnosisError as error:
            return None, str(error)
        return found.to_dict(), ""

    result: tuple[dict[str, Any] | None, str] = snap.cached(("obstacles", metric, team, period), compute)
    return result


def _integrity(snap: Any, access: Any, period: str) -> tuple[dict[str, Any] | None, str]:
    """Integrity checks name people: executives see everyone's findings, managers their team's."""
    from cxscore.diagnose.integrity import integrity

    role = access.user.role
    if role not in ("executive", "manager"):
        return (
            None,
            "Integrity checks name people: they are shown to executives, and to managers for their team.",
        )
    team = None if role == "executive" else access.org.team_of(access.user.person_id or "", access.day)
    if role == "manager" and team is None:
        return None, "Your account is not linked to a person with a team."

    def compute() -> tuple[dict[str, Any] | None, str]:
        try:
            return integrity(
                period=period, team=team, store=snap.store, project=snap.project.root
            ).to_dict(), ""
        except DiagnosisError as error:
            return None, str(error)

    result: tuple[dict[str, Any] | None, str] = snap.cached(("integrity", team, period), compute)
    return result
