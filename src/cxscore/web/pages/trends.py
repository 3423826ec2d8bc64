"""Trends with confidence bands, for the company, a team or a person; and the goals with their
explanations."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Query, Request, Response

from cxscore.errors import ConfigError
from cxscore.scorecards.period import Period
from cxscore.web.charts import trend_chart
from cxscore.web.pages.common import (
    check_dimension,
    dimension_values,
    display,
    metric_of,
    metric_options,
    number,
    period_choices,
    period_of,
    person_of,
    records,
    team_of,
)
from cxscore.web.pages.scorecards import (
    ChartQuery,
    FormatQuery,
    TableQuery,
    _evaluate,
    card_view,
)
from cxscore.web.site import Page, site_of

if TYPE_CHECKING:
    from cxscore.web.access import Access
    from cxscore.web.views import Snapshot

router = APIRouter()

GRAINS = ("quarter", "year", "month")
ScopeQuery = Query("company", pattern="^(company|team|person)$", description="company, team or person.")
IdQuery = Query(None, max_length=60, description="The team or person id (not for the company).")


def _subject(snap: Snapshot, access: Access, scope: str, scope_id: str | None) -> tuple[str, str]:
    """The scope id and its name, checked: it exists and the user may see it."""
    if scope == "company":
        return "company", "the company"
    if not scope_id:
        raise ConfigError(
            f"scope={scope} needs id=: the {scope}'s id, "
            f"e.g. {'T-SUP-EMEA' if scope == 'team' else 'P-00044'}."
        )
    if scope == "team":
        return scope_id, team_of(snap, scope_id)
    name = person_of(snap, scope_id)
    access.require_person(scope_id)
    return scope_id, name


@router.get("/trends", include_in_schema=False)
@router.get("/api/trends", tags=["trends"], summary="A metric over time with its confidence band")
def trends(
    request: Request,
    metric: str = Query("csat", max_length=60, description="The metric."),
    scope: str = ScopeQuery,
    id: str | None = IdQuery,
    grain: str = Query("quarter", pattern="^(quarter|year|month)$", description="quarter, year or month."),
    product: str | None = Query(None, max_length=60, description="Only this product."),
    segment: str | None = Query(None, max_length=60, description="Only this customer segment."),
    format: str = FormatQuery,
    table: str | None = TableQuery,
    chart: str | None = ChartQuery,
) -> Response:
    site = site_of(request)
    user = site.user(request)
    snap = site.snapshot()
    definition = metric_of(snap, metric)
    access = site.access(user)
    scope_id, name = _subject(snap, access, scope, id)
    product, segment = check_dimension(snap, "product", product), check_dimension(snap, "segment", segment)
    rows = snap.cached(
        ("trend", metric, scope, scope_id, grain, product, segment),
        lambda: _series(snap, metric, scope, scope_id, grain, product, segment),
    )
    root = request.scope.get("root_path", "")
    drill = scope == "person" or (scope == "team" and access.may_see_team_rows(scope_id))
    drill = drill or access.user.role in ("executive", "compensation_admin")
    for row in rows:
        row["href"] = (
            f"{root}/rows?metric={metric}&scope={scope}&id={scope_id}&period={row['period']}"
            if drill and grain != "month" and not product and not segment
            else None
        )
    where = ", ".join(f"{k} {v}" for k, v in (("product", product), ("segment", segment)) if v)
    title = f"{definition.label} of {name} by {grain}" + (f" ({where})" if where else "")
    data = {
        "filters": {
            "metric": metric,
            "metrics": metric_options(snap, ("csat", "nps", "cases_satisfied", "ces")),
            "scope": scope,
            "id": None if scope == "company" else scope_id,
            "grain": grain,
            "grains": list(GRAINS),
            "product": product,
            "products": dimension_values(snap, "product"),
            "segment": segment,
            "segments": dimension_values(snap, "segment"),
            "teams": [
                {"value": str(t), "label": str(n)}
                for t, n in zip(snap.teams["team_id"], snap.teams["name"], strict=True)
            ],
        },
        "title": title,
        "metric": {"name": metric, "label": definition.label, "description": definition.description},
        "rows": rows,
    }
    spec = trend_chart(rows, definition.label, definition.format)
    page = Page(title, "trends.html", data, tables={"trend": rows}, charts={"trend": spec})
    return site.answer(request, user, page, format, table or chart)


def _series(
    snap: Snapshot,
    metric: str,
    scope: str,
    scope_id: str,
    grain: str,
    product: str | None,
    segment: str | None,
) -> list[dict[str, Any]]:
    engine = snap.evaluator.results.engine
    by = tuple(b for b, on in ((scope, scope != "company"), ("product", product), ("segment", segment)) if on)
    frame = engine.compute(metric, by, grain)
    if scope != "company":
        frame = frame[frame["scope_id"] == scope_id]
    if product:
        frame = frame[frame["product"] == product]
    if segment:
        frame = frame[frame["segment"] == segment]
    frame = frame[frame["period"].astype(str).str[:10] <= str(snap.latest_quarter.end)]
    definition = engine.catalog.get(metric)
    found = []
    for row in records(frame.sort_values("period")):
        day = dt.date.fromisoformat(str(row["period"])[:10])
        insufficient = bool(row.get("insufficient"))
        found.append(
            {
                "period": _label(day, grain),
                "value": None if insufficient else number(row["value"]),
                "lower": None if insufficient else number(row["lower"]),
                "upper": None if insufficient else number(row["upper"]),
                "n": int(row["n"]),
                "insufficient": insufficient,
                **display(definition, row),
            }
        )
    return found


def _label(day: dt.date, grain: str) -> str:
    if grain == "year":
        return str(day.year)
    if grain == "quarter":
        return f"{day.year}-Q{(day.month - 1) // 3 + 1}"
    return f"{day.year}-{day.month:02d}"


@router.get("/goals", include_in_schema=False)
@router.get(
    "/api/goals", tags=["goals"], summary="The year's goals of a scorecard, each with its explanation"
)
def goals(
    request: Request,
    scope: str = ScopeQuery,
    id: str | None = IdQuery,
    year: int | None = Query(None, ge=2000, le=2100, description="The goals' year (default: the latest)."),
    format: str = FormatQuery,
    table: str | None = TableQuery,
) -> Response:
    site = site_of(request)
    user = site.user(request)
    snap = site.snapshot()
    chosen = period_of(snap, str(year or snap.latest_quarter.year))
    access = site.access(user, chosen.end)
    scope_id, name = _subject(snap, access, scope, id)
    card = card_view(_evaluate(snap, scope, scope_id, Period(chosen.year)), drill=False)
    rows = [
        {
            "metric": m["metric"],
            "label": m["label"],
            "goal": m["goal_year"],
            "goal_text": m["goal_text"],
            "policy": m["goal_policy"],
            "benchmark": m["benchmark"],
            "flags": m["goal_flags"],
            "explanation": m["goal_explanation"],
            "value_text": m["value_text"],
            "attainment": m["attainment"],
            "attainment_key": m["attainment_key"],
        }
        for m in card["metrics"]
    ]
    years = sorted({int(p[:4]) for p in period_choices(snap)}, reverse=True)
    data = {
        "filters": {
            "scope": scope,
            "id": None if scope == "company" else scope_id,
            "year": chosen.year,
            "years": years,
        },
        "name": name,
        "scorecard": card["scorecard"],
        "goals": rows,
    }
    title = f"Goals {chosen.year}: {name}"
    return site.answer(request, user, Page(title, "goals.html", data, tables={"goals": rows}), format, table)
