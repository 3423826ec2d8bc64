"""`cxscore goals ...` and `cxscore benchmarks ...`: set and explain goals; the sourced benchmark table."""

from __future__ import annotations

import enum
import json
import sys
from pathlib import Path

import typer

from cxscore.cli.common import ProjectOption, console, find_project, user_errors

app = typer.Typer(
    help="Goals: a high bar above the industry and our own past, explained.", no_args_is_help=True
)
benchmarks_app = typer.Typer(
    help="Published industry benchmarks, each with its source.", no_args_is_help=True
)


class Output(enum.Enum):
    table = "table"
    csv = "csv"
    json = "json"


def _root(project: Path | None) -> Path | None:
    try:
        return find_project(project).root
    except Exception:
        if project is not None:
            raise
        return None  # outside a project: the shipped table alone


@benchmarks_app.command("list")
def list_benchmarks(
    metric: str | None = typer.Option(None, "--metric", "-m", help="Only this metric."),
    industry: str | None = typer.Option(
        None, "--industry", help="Only this industry (and cross-industry rows)."
    ),
    project: Path | None = ProjectOption,
) -> None:
    """List the benchmarks: value, statistic, year, industry, segment, quality and source."""
    from rich.table import Table as RichTable

    from cxscore.goals import load_benchmarks

    with user_errors():
        table = load_benchmarks(_root(project))
    shown = RichTable(
        "metric", "industry", "segment", "value", "statistic", "year", "quality", "source", title="Benchmarks"
    )
    for b in table:
        if (metric and b.metric != metric) or (industry and b.industry not in (industry, "all")):
            continue
        shown.add_row(
            b.metric,
            b.industry,
            b.segment,
            f"{b.value:g}",
            b.statistic,
            str(b.year or "n.d."),
            b.quality,
            b.source,
        )
    console.print(shown)
    console.print("Every row: `cxscore benchmarks show METRIC`. Add your own in goals/benchmarks.yaml.")


@benchmarks_app.command("show")
def show_benchmarks(
    metric: str = typer.Argument(..., help="A metric name, e.g. net_revenue_retention."),
    project: Path | None = ProjectOption,
) -> None:
    """Show every benchmark of a metric in full: source, URL, population, definition and quality."""
    from cxscore.goals import load_benchmarks

    with user_errors():
        rows = load_benchmarks(_root(project)).for_metric(metric)
    if not rows:
        console.print(
            f"No published benchmark for {metric!r} in the table. Goal policies derive one from your own "
            "data and say so; add a sourced row in goals/benchmarks.yaml."
        )
        return
    for b in rows:
        console.print(
            f"[bold]{b.metric}[/] {b.industry}/{b.segment}: {b.value:g} ({b.statistic}, {b.year or 'n.d.'})"
        )
        for label, text in (
            ("source", b.source),
            ("url", b.url),
            ("population", b.population),
            ("definition", b.definition),
            ("quality", f"{b.quality}: {b.quality_reason}"),
            ("note", b.note),
            ("origin", b.origin),
        ):
            if text:
                console.print(f"  {label}: {text}", highlight=False, soft_wrap=True)


@app.command("show")
def show_goals(
    metric: str = typer.Argument(..., help="A metric name, e.g. nps."),
    scope: str = typer.Option("team", "--scope", help="team, person or company."),
    year: int = typer.Option(..., "--year", help="The year the goals are for (set from the year before)."),
    only: list[str] = typer.Option([], "--id", help="Only these team or person ids (repeatable)."),
    industry: str | None = typer.Option(
        None, "--industry", help="Which benchmarks apply (default: goals/*.yml)."
    ),
    output: Output = typer.Option(Output.table, "--format", "-f", help="table, csv or json."),
    project: Path | None = ProjectOption,
) -> None:
    """Set and explain the goals of a metric for every team (or person) for a year; flag weak goals."""
    from dataclasses import replace

    from cxscore.errors import ConfigError
    from cxscore.goals import SCOPES, Results, load_benchmarks, load_goal_settings, set_goals
    from cxscore.metrics import MetricEngine, load_catalog

    with user_errors():
        if scope not in SCOPES:
            raise ConfigError(f"--scope {scope!r} is not one of {', '.join(SCOPES)}.")
        found = find_project(project)
        settings = load_goal_settings(found.root)
        settings = replace(settings, industry=industry) if industry else settings
        store = found.store()
        try:
            results = Results(MetricEngine(store, load_catalog(found.root)))
            ids = ["company"] if scope == "company" else (only or None)
            goals = set_goals(results, metric, scope, year, settings, load_benchmarks(found.root), ids)
        finally:
            store.close()
    rows = [
        {
            "metric": g.metric,
            "scope": g.scope,
            "scope_id": g.scope_id,
            "name": g.name,
            "year": g.year,
            "goal": g.target,
            "policy": g.policy.kind.value,
            "reference": g.reference,
            "benchmark": g.benchmark.describe() if g.benchmark else None,
            "last_year": g.last_year.value if g.last_year else None,
            "last_year_n": g.last_year.n if g.last_year else 0,
            "flags": ";".join(g.flags),
            "sample_size_needed": g.sample_size,
            "explanation": g.explanation,
        }
        for g in goals
    ]
    if output is Output.json:
        sys.stdout.write(json.dumps(rows, indent=2) + "\n")
    elif output is Output.csv:
        import pandas as pd

        pd.DataFrame(rows).to_csv(sys.stdout, index=False)
    else:
        for g in goals:
            flagged = any(f in g.flags for f in ("below_industry", "below_last_year"))
            console.print(("[bold yellow]FLAGGED[/] " if flagged else "") + g.explanation, highlight=False)
            console.print()


@app.command("check")
def check_goals(
    year: int = typer.Option(..., "--year", help="The year the goals are for."),
    industry: str | None = typer.Option(
        None, "--industry", help="Which benchmarks apply (default: goals/*.yml)."
    ),
    project: Path | None = ProjectOption,
) -> None:
    """Check every goal of every team's scorecard for a year; list those below the industry or last year.

    Exits with status 1 when a goal is flagged, so it can guard a goals change in CI.
    """
    from cxscore.goals.checks import check

    with user_errors():
        flagged, checked = check(find_project(project), year, industry)
    for goal in flagged:
        console.print(f"[bold yellow]FLAGGED[/] {goal.explanation}", highlight=False)
        console.print()
    console.print(
        f"{len(flagged)} of {checked} goals for {year} flagged (below the industry or below last year)."
    )
    if flagged:
        raise typer.Exit(1)
