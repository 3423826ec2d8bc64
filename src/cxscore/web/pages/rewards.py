"""Fair leaderboards (shrunk estimates, intervals, tie bands) and the recognition programs' awards."""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Query, Request, Response

from cxscore.errors import AccessDeniedError, ConfigError
from cxscore.metrics import format_value
from cxscore.web.charts import bar_chart
from cxscore.web.pages.common import metric_of, metric_options, period_choices, period_of, team_of
from cxscore.web.pages.scorecards import ChartQuery, FormatQuery, PeriodQuery, TableQuery
from cxscore.web.site import Page, site_of

if TYPE_CHECKING:
    from cxscore.rewards import Ranking
    from cxscore.web.access import Access

router = APIRouter()

#: Metrics offered first in the leaderboard's metric filter.
FEATURED = (
    "csat",
    "nps",
    "cases_satisfied",
    "reopen_rate",
    "first_contact_resolution",
    "ces",
    "renewal_rate",
)
#: Dimensions a leaderboard can adjust for (case mix).
ADJUST = ("priority", "product", "channel", "segment")


@router.get("/leaderboards", include_in_schema=False)
@router.get(
    "/api/leaderboards", tags=["rewards"], summary="A fair leaderboard: shrunk values, intervals, tie bands"
)
def leaderboards(
    request: Request,
    metric: str = Query("csat", max_length=60, description="The metric ranked."),
    by: str = Query("team", pattern="^(team|person)$", description="team or person."),
    period: str | None = PeriodQuery,
    within: str | None = Query(None, max_length=60, description="Teams under this team, or its people."),
    adjust_for: str | None = Query(
        None, max_length=30, description="Case-mix dimension: " + ", ".join(ADJUST)
    ),
    format: str = FormatQuery,
    table: str | None = TableQuery,
    chart: str | None = ChartQuery,
) -> Response:
    site = site_of(request)
    user = site.user(request)
    snap = site.snapshot()
    chosen = period_of(snap, period)
    definition = metric_of(snap, metric)
    access = site.access(user, chosen.end)
    within = _scope_within(access, by, within or None)
    if within:
        team_of(snap, within)
    if adjust_for and adjust_for not in ADJUST:
        raise ConfigError(
            f"adjust_for={adjust_for!r} is not a case-mix dimension. Use one of: {', '.join(ADJUST)}."
        )
    board: Ranking = snap.cached(
        ("rank", metric, by, chosen.label, within, adjust_for),
        lambda: snap.boards.rank(metric, by, chosen, within=within, adjust_for=adjust_for or None),
    )
    spec = board.value_format
    entries = []
    previous_band = None
    for e in board.entries:
        row = asdict(e)
        row.update(
            value_text=format_value(e.value, spec),
            interval_text=f"{format_value(e.lower, spec)} to {format_value(e.upper, spec)}",
            shrunk_text=format_value(e.shrunk, spec),
            shrunk_interval_text=(
                f"{format_value(e.shrunk_lower, spec)} to {format_value(e.shrunk_upper, spec)}"
            ),
            band_start=e.band != previous_band,
            href=f"/{'teams' if by == 'team' else 'people'}/{e.scope_id}?period={chosen.label}",
        )
        previous_band = e.band
        entries.append(row)
    excluded = [{**asdict(x), "value_text": format_value(x.value, spec)} for x in board.excluded]
    chart_rows = [
        {
            "name": e["name"],
            "value": e["shrunk"],
            "lower": e["shrunk_lower"],
            "upper": e["shrunk_upper"],
            "n": e["n"],
            "href": (request.scope.get("root_path", "") + e["href"]),
        }
        for e in entries
    ]
    data = {
        "filters": {
            "period": chosen.label,
            "periods": period_choices(snap),
            "metric": metric,
            "metrics": metric_options(snap, FEATURED),
            "by": by,
            "within": within,
            "adjust_for": adjust_for,
            "adjust": list(ADJUST),
        },
        "metric": {"name": metric, "label": definition.label, "direction": board.direction},
        "ranking": {k: v for k, v in board.to_dict().items() if k not in ("entries", "excluded")},
        "entries": entries,
        "excluded": excluded,
    }
    page = Page(
        f"{definition.label} leaderboard",
        "leaderboard.html",
        data,
        tables={"ranking": board.rows()},
        charts={"ranking": bar_chart(chart_rows, f"{definition.label} (shrunk)", spec)},
    )
    return site.answer(request, user, page, format, table or chart)


def _scope_within(access: Access, by: str, within: str | None) -> str | None:
    """People are ranked only among those the user may see: a manager's own subtree, or everyone for
    executives and compensation admins; employees and admins see team leaderboards only."""
    if by == "team":
        return within
    if not access.may_rank_people:
        raise AccessDeniedError(
            f"Leaderboards of people are for managers and executives; your role is {access.user.role}. "
            "Team leaderboards (by=team) are open to everyone, and your own scorecard is at /me."
        )
    if access.user.role != "manager":
        return within
    own = access.org.team_of(access.user.person_id or "", access.day)
    if own is None:
        raise AccessDeniedError(
            "Your account is not linked to a person with a team; ask an admin to link it."
        )
    if within is not None and within not in access.subtree:
        raise AccessDeniedError(
            f"within={within!r} is outside the teams you manage; managers rank the people of their own teams "
            f"(under {own})."
        )
    return within or own


@router.get("/awards", include_in_schema=False)
@router.get("/api/awards", tags=["rewards"], summary="The recognition programs' awards for a period")
def awards(
    request: Request,
    period: str | None = PeriodQuery,
    format: str = FormatQuery,
    table: str | None = TableQuery,
) -> Response:
    from cxscore.rewards.awards import evaluate_program
    from cxscore.rewards.programs import load_programs

    site = site_of(request)
    user = site.user(request)
    snap = site.snapshot()
    chosen = period_of(snap, period or str(snap.latest_quarter.year))

    def compute() -> list[dict[str, Any]]:
        programs = load_programs(snap.project.root)
        return [asdict(evaluate_program(snap.boards, p, chosen)) for p in programs]

    results = snap.cached(("awards", chosen.label), compute)
    rows = []
    for r in results:
        for w in r["winners"] or [{"scope_id": "", "name": "", "reason": ""}]:
            rows.append(
                {k: v for k, v in r.items() if k != "winners"}
                | {k: w[k] for k in ("scope_id", "name", "reason")}
            )
    data = {"filters": {"period": chosen.label, "periods": period_choices(snap)}, "programs": results}
    return site.answer(
        request, user, Page("Awards", "awards.html", data, tables={"awards": rows}), format, table
    )
