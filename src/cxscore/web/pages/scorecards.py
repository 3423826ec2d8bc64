"""Scorecards: the company overview, the teams, a team's and a person's scorecard, and the rows behind
any number (drill-down)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import RedirectResponse

from cxscore.errors import NotFoundError
from cxscore.metrics import Aggregation, format_value
from cxscore.scorecards.export import to_data
from cxscore.web.charts import trend_chart
from cxscore.web.pages.common import (
    check_dimension,
    dimension_values,
    display,
    metric_of,
    number,
    period_choices,
    period_of,
    person_of,
    records,
    team_of,
)
from cxscore.web.site import Page, site_of

if TYPE_CHECKING:
    from cxscore.scorecards.evaluation import ScorecardResult
    from cxscore.scorecards.period import Period
    from cxscore.web.views import Snapshot

router = APIRouter()

PeriodQuery = Query(
    None, max_length=10, description="A quarter (2025-Q4) or a year (2025); default: latest quarter."
)
FormatQuery = Query("html", max_length=5, description="html, json, csv, xlsx, png or svg.")
TableQuery = Query(None, max_length=40, description="Which table to export (csv, xlsx).")
ChartQuery = Query(None, max_length=40, description="Which chart to draw (png, svg).")

#: Rows shown when drilling down to the facts behind a number.
DRILL_ROWS = 200
#: The columns of the credited facts a drill-down shows, and their names. Only these: the source's own
#: columns (such as the respondent's person id of an anonymous answer) are never shown.
SHOWN_COLUMNS = (
    ("_at", "date"),
    ("_person", "person"),
    ("_team", "team"),
    ("_role", "role"),
    ("_x", "value"),
    ("_s", "success"),
)


def evaluate_cached(snap: Snapshot, scope: str, scope_id: str, period: Period) -> ScorecardResult:
    """The evaluated scorecard of a scope and period, computed once per version of the data."""
    return _evaluate(snap, scope, scope_id, period)


def _evaluate(snap: Snapshot, scope: str, scope_id: str, period: Period) -> ScorecardResult:
    return snap.cached(
        ("scorecard", scope, scope_id, period.label),
        lambda: snap.evaluator.evaluate(scope, scope_id, period),
    )


def cached_card(snap: Snapshot, result: ScorecardResult, drill: bool) -> dict[str, Any]:
    """`card_view`, kept with the snapshot (pages only read it)."""
    key = ("card", result.scope, result.scope_id, result.period.label, result.scorecard.name, drill)
    return snap.cached(key, lambda: card_view(result, drill))


def card_view(result: ScorecardResult, drill: bool) -> dict[str, Any]:
    """The scorecard's JSON (as `cxscore scorecard show -f json`) with the texts the page shows."""
    data = to_data(result)
    for line, item in zip(result.lines, data["metrics"], strict=True):
        spec = line.metric.format
        item.update(display(line.metric, {**item, "change": item["change_vs_last_year"]}))
        item["goal_text"] = (
            format_value(number(item["goal"]), spec) if item["goal"] is not None else "no goal"
        )
        item["attainment_key"] = line.attainment.name.lower()
        item["description"] = line.metric.description
        item["what_moves_it"] = what_moves_it(line)
        item["rows_href"] = (
            f"/rows?metric={line.item.metric}&scope={result.scope}&id={result.scope_id}&period={result.period.label}"
            if drill
            else None
        )
        ytd = item.get("year_to_date")
        if ytd:
            ytd.update(display(line.metric, ytd))
        for year in item["history"]:
            year.update(display(line.metric, year))
    data["score_text"] = "insufficient data" if result.score is None else f"{result.score:.0%}"
    data["met"] = sum(1 for line in result.lines if (line.points or 0.0) >= 0.75)
    return data


def what_moves_it(line: Any) -> str:
    """In words: what would reach the goal, from the result's own numbers."""
    estimate, metric, target = line.estimate, line.metric, line.target
    if estimate is None or line.insufficient:
        need = metric.min_n - (estimate.n if estimate else 0)
        return f"Not enough data yet: {max(need, 1):,} more to reach the minimum sample of {metric.min_n}."
    if target is None or math.isnan(target):
        return "No goal is set for this metric."
    higher = metric.direction.value == "higher"
    gap = (target - estimate.value) if higher else (estimate.value - target)
    spec = metric.format
    if gap <= 0:
        return f"At or past the goal of {format_value(target, spec)}; keep it there."
    if metric.aggregation is Aggregation.SHARE:
        more = math.ceil(gap * estimate.n)
        return (
            f"About {more:,} more of the {estimate.n:,} would have reached the goal of "
            f"{format_value(target, spec)} "
            f"({'successes' if higher else 'fewer failures'})."
        )
    if metric.aggregation is Aggregation.NPS:
        more = math.ceil(gap / 100 * estimate.n)
        return (
            f"About {more:,} of the {estimate.n:,} answers moving from detractor or passive to promoter "
            "would "
            f"reach the goal of {format_value(target, spec)}."
        )
    direction = "up" if higher else "down"
    return f"{format_value(abs(gap), spec)} {direction} reaches the goal of {format_value(target, spec)}."


def _filters(snap: Snapshot, period: Period, **extra: Any) -> dict[str, Any]:
    return {"period": period.label, "periods": period_choices(snap), **extra}


# -- the company overview ------------------------------------------------------------------------------


@router.get("/", include_in_schema=False)
@router.get(
    "/api/overview", tags=["scorecards"], summary="The company: every customer metric vs goal and industry"
)
def overview(
    request: Request,
    period: str | None = PeriodQuery,
    metric: str | None = Query(None, max_length=60, description="The metric of the trend chart."),
    product: str | None = Query(None, max_length=60, description="Trend for one product."),
    segment: str | None = Query(None, max_length=60, description="Trend for one customer segment."),
    format: str = FormatQuery,
    table: str | None = TableQuery,
    chart: str | None = ChartQuery,
) -> Response:
    site = site_of(request)
    user = site.user(request)
    snap = site.snapshot()
    chosen = period_of(snap, period)
    product, segment = check_dimension(snap, "product", product), check_dimension(snap, "segment", segment)
    result = _evaluate(snap, "company", "company", chosen)
    card = cached_card(snap, result, drill=user.role in ("executive", "compensation_admin"))
    names = [m["metric"] for m in card["metrics"]]
    focus = metric or names[0]
    metric_of(snap, focus)
    trend = company_trend(snap, focus, product, segment)
    definition = metric_of(snap, focus)
    goal = next((m["goal_year"] for m in card["metrics"] if m["metric"] == focus), None)
    title = (
        f"{definition.label} by quarter"
        + (f", product {product}" if product else "")
        + (f", segment {segment}" if segment else "")
    )
    data = {
        "filters": _filters(
            snap,
            chosen,
            metric=focus,
            metrics=[{"value": m["metric"], "label": m["label"]} for m in card["metrics"]],
            product=product,
            products=dimension_values(snap, "product"),
            segment=segment,
            segments=dimension_values(snap, "segment"),
        ),
        "company": _company_name(snap),
        "scorecard": card,
        "trend": {"metric": focus, "title": title, "rows": trend},
    }
    page = Page(
        "Company overview",
        "overview.html",
        data,
        tables={**_metrics_table(snap, result, format), "trend": trend},
        charts={"trend": trend_chart(trend, definition.label, definition.format, goal=goal)},
    )
    return site.answer(request, user, page, format, table or chart)


def _company_name(snap: Snapshot) -> str:
    """The top team's name, or the project's (cxscore.yaml `name`) before any team is imported."""
    teams = snap.teams
    roots = teams.loc[teams["parent_team_id"].isna(), "team_id"]
    if roots.empty:
        return snap.project.name
    return snap.evaluator.results.name("team", str(roots.iloc[0]))


def company_trend(
    snap: Snapshot, metric: str, product: str | None, segment: str | None
) -> list[dict[str, Any]]:
    """The company's quarters of a metric, optionally for one product or segment, with intervals."""

    def compute() -> list[dict[str, Any]]:
        engine = snap.evaluator.results.engine
        by = tuple(d for d, v in (("product", product), ("segment", segment)) if v)
        frame = engine.compute(metric, by, "quarter")
        if product:
            frame = frame[frame["product"] == product]
        if segment:
            frame = frame[frame["segment"] == segment]
        frame = frame[frame["period"].astype(str) <= str(snap.latest_quarter.end)]
        definition = engine.catalog.get(metric)
        rows = []
        for row in records(frame.sort_values("period")):
            day = str(row["period"])[:10]
            label = f"{day[:4]}-Q{(int(day[5:7]) - 1) // 3 + 1}"
            insufficient = bool(row.get("insufficient"))
            rows.append(
                {
                    "period": label,
                    "value": None if insufficient else number(row["value"]),
                    "lower": None if insufficient else number(row["lower"]),
                    "upper": None if insufficient else number(row["upper"]),
                    "n": int(row["n"]),
                    "insufficient": insufficient,
                    **display(definition, row),
                }
            )
        return rows

    return snap.cached(("company_trend", metric, product, segment), compute)


# -- teams ---------------------------------------------------------------------------------------------


@router.get("/teams", include_in_schema=False)
@router.get("/api/teams", tags=["scorecards"], summary="Every team with its scorecard's score")
def teams(
    request: Request,
    period: str | None = PeriodQuery,
    format: str = FormatQuery,
    table: str | None = TableQuery,
) -> Response:
    site = site_of(request)
    user = site.user(request)
    snap = site.snapshot()
    chosen = period_of(snap, period)

    def compute() -> list[dict[str, Any]]:
        from cxscore.scorecards.summary import summarize

        summary = summarize(snap.evaluator, chosen)
        by_id = {r.scope_id: r for r in summary.results}
        rows = []
        for team in _tree(snap):
            result = by_id.get(team["team_id"])
            rows.append(
                {
                    **team,
                    "scorecard": result.scorecard.name if result else None,
                    "score": result.score if result else None,
                    "score_text": "insufficient data"
                    if result is not None and result.score is None
                    else (f"{result.score:.0%}" if result is not None and result.score is not None else "-"),
                    "coverage": result.coverage if result else None,
                    "met": sum(line.attainment.name in ("MET", "LIKELY_MET") for line in result.lines)
                    if result
                    else 0,
                    "metrics": len(result.lines) if result else 0,
                }
            )
        return rows

    rows = snap.cached(("teams", chosen.label), compute)
    data = {"filters": _filters(snap, chosen), "teams": rows}
    return site.answer(
        request, user, Page("Teams", "teams.html", data, tables={"teams": rows}), format, table
    )


def _tree(snap: Snapshot) -> list[dict[str, Any]]:
    """Teams in tree order with their depth."""
    teams = snap.teams
    children: dict[str | None, list[dict[str, Any]]] = {}
    for row in records(teams):
        parent = row["parent_team_id"] if isinstance(row["parent_team_id"], str) else None
        children.setdefault(parent, []).append(row)
    found: list[dict[str, Any]] = []

    def walk(parent: str | None, depth: int) -> None:
        for row in sorted(children.get(parent, []), key=lambda r: str(r["name"])):
            found.append(
                {
                    "team_id": row["team_id"],
                    "name": row["name"],
                    "function": row["function"],
                    "parent_team_id": parent,
                    "depth": depth,
                }
            )
            walk(str(row["team_id"]), depth + 1)

    walk(None, 0)
    return found


@router.get("/teams/{team_id}", include_in_schema=False)
@router.get("/api/teams/{team_id}", tags=["scorecards"], summary="A team's scorecard and its people")
def team(
    request: Request,
    team_id: str,
    period: str | None = PeriodQuery,
    format: str = FormatQuery,
    table: str | None = TableQuery,
) -> Response:
    site = site_of(request)
    user = site.user(request)
    snap = site.snapshot()
    chosen = period_of(snap, period)
    name = team_of(snap, team_id)
    access = site.access(user, chosen.end)
    result = _evaluate(snap, "team", team_id, chosen)
    card = cached_card(snap, result, drill=access.may_see_team_rows(team_id))
    parent = snap.evaluator.results.parent(team_id)
    members = sorted(access.org.people_in({team_id}, chosen.end))
    people = snap.people.set_index("person_id")["name"]
    visible = [p for p in members if access.may_see_person(p)]
    data = {
        "filters": _filters(snap, chosen),
        "team": {
            "team_id": team_id,
            "name": name,
            "parent_team_id": parent,
            "parent": team_of(snap, parent) if parent else None,
        },
        "scorecard": card,
        "people": [{"person_id": p, "name": str(people.get(p, p))} for p in visible],
        "people_total": len(members),
    }
    page = Page(name, "scorecard.html", data, tables=_metrics_table(snap, result, format))
    return site.answer(request, user, page, format, table)


def _metrics_table(snap: Snapshot, result: ScorecardResult, fmt: str) -> dict[str, list[dict[str, Any]]]:
    """The scorecard's CSV rows; built only for exports (pages and JSON do not need them)."""
    if fmt not in ("csv", "xlsx"):
        return {"metrics": []}
    key = ("metrics_table", result.scope, result.scope_id, result.period.label)
    return {"metrics": snap.cached(key, lambda: records(result.to_frame()))}


# -- people --------------------------------------------------------------------------------------------


@router.get("/me", include_in_schema=False)
def me(request: Request) -> Response:
    site = site_of(request)
    user = site.user(request)
    root = request.scope.get("root_path", "")
    if not user.person_id:
        return RedirectResponse(f"{root}/", status_code=303)
    return RedirectResponse(f"{root}/people/{user.person_id}", status_code=303)


@router.get("/people/{person_id}", include_in_schema=False)
@router.get(
    "/api/people/{person_id}",
    tags=["scorecards"],
    summary="A person's scorecard, how each number is computed",
)
def person(
    request: Request,
    person_id: str,
    period: str | None = PeriodQuery,
    format: str = FormatQuery,
    table: str | None = TableQuery,
) -> Response:
    site = site_of(request)
    user = site.user(request)
    snap = site.snapshot()
    chosen = period_of(snap, period)
    name = person_of(snap, person_id)
    access = site.access(user, chosen.end)
    access.require_person(person_id)
    result = _evaluate(snap, "person", person_id, chosen)
    card = cached_card(snap, result, drill=True)
    team_id = access.org.team_of(person_id, chosen.end)
    data = {
        "filters": _filters(snap, chosen),
        "person": {
            "person_id": person_id,
            "name": name,
            "team_id": team_id,
            "team": team_of(snap, team_id) if team_id else None,
            "role": snap.evaluator.results.role(person_id, chosen.end),
            "own": person_id == user.person_id,
        },
        "scorecard": card,
    }
    page = Page(name, "scorecard.html", data, tables=_metrics_table(snap, result, format))
    return site.answer(request, user, page, format, table)


# -- drill-down ----------------------------------------------------------------------------------------


@router.get("/rows", include_in_schema=False)
@router.get("/api/rows", tags=["scorecards"], summary="The credited rows behind one number")
def rows(
    request: Request,
    metric: str = Query(..., max_length=60, description="The metric, e.g. csat."),
    scope: str = Query("company", pattern="^(company|team|person)$", description="company, team or person."),
    id: str = Query("company", max_length=60, description="The team or person id."),
    period: str | None = PeriodQuery,
    format: str = FormatQuery,
    table: str | None = TableQuery,
) -> Response:
    site = site_of(request)
    user = site.user(request)
    snap = site.snapshot()
    chosen = period_of(snap, period)
    definition = metric_of(snap, metric)
    access = site.access(user, chosen.end)
    if scope == "team":
        name = team_of(snap, id)
        access.require_team_rows(id)
    elif scope == "person":
        name = person_of(snap, id)
        access.require_person(id)
    else:
        name = "the company"
        access.require_role(("executive", "compensation_admin"), "The rows behind the company's numbers")
    found = snap.cached(
        ("rows", metric, scope, id, chosen.label), lambda: _facts(snap, metric, scope, id, chosen)
    )
    if found is None:
        raise NotFoundError(
            f"{definition.label} compares two sides (e.g. revenue kept of revenue due), so it has no single "
            "list "
            "of rows; its scorecard line explains the numbers."
        )
    rows_found, count = found
    data = {
        "filters": _filters(snap, chosen),
        "metric": {"name": metric, "label": definition.label, "description": definition.description},
        "scope": scope,
        "id": id,
        "name": name,
        "count": count,
        "shown": len(rows_found),
        "columns": list(rows_found[0]) if rows_found else [],
        "rows": rows_found,
        "anonymous_note": "Anonymous answers are credited to teams; their person is never shown.",
    }
    page = Page(f"{definition.label}: rows for {name}", "rows.html", data, tables={"rows": rows_found})
    return site.answer(request, user, page, format, table)


def _facts(
    snap: Snapshot, metric: str, scope: str, scope_id: str, period: Period
) -> tuple[list[dict[str, Any]], int] | None:
    from cxscore.web.site import clean

    engine = snap.evaluator.results.engine
    by = () if scope == "company" else (scope,)
    compiled = engine.compile(metric, by, period.grain)
    if compiled.facts is None:
        return None
    facts = compiled.facts
    mine = facts.filter((facts.scope_id == scope_id) & (facts.period == period.start))
    count = int(mine.count().execute())
    frame = mine.limit(DRILL_ROWS).execute()
    found = []
    for row in records(frame):
        anonymous = bool(row.get("anonymous")) if row.get("anonymous") is not None else False
        shown = {label: row[column] for column, label in SHOWN_COLUMNS if column in row}
        if anonymous or "person" not in shown:
            shown["person"] = None  # anonymous answers never name a person
        shown["anonymous"] = anonymous
        found.append(clean(shown))
    return found, count
