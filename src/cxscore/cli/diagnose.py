"""`cxscore diagnose`: the obstacle verdict, what holds a team's metric back (people, training, product)."""

from __future__ import annotations

import enum
import json
import math
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from cxscore.cli.common import ProjectOption, console, find_project, user_errors

if TYPE_CHECKING:
    from cxscore.diagnose import ObstacleVerdict


class Output(enum.Enum):
    """How a diagnosis command prints its result."""

    table = "table"
    json = "json"


def diagnose(
    metric: str = typer.Option("csat", "--metric", "-m", help="The metric, e.g. csat, nps, reopen_rate."),
    team: str = typer.Option(..., "--team", "-t", help="The team whose metric does not improve (a team id)."),
    period: str | None = typer.Option(
        None, "--period", help="A year, quarter or month: 2025, 2025-Q2, 2025-03 (all periods if left out)."
    ),
    goal: float | None = typer.Option(
        None, "--goal", help="Compare with this goal (e.g. 0.85 for CSAT 85%) instead of the team's peers."
    ),
    within: str | None = typer.Option(
        None, "--within", help="The team whose facts the model uses (default: the team's parent)."
    ),
    output: Output = typer.Option(Output.table, "--format", "-f", help="table or json."),
    project: Path | None = ProjectOption,
) -> None:
    """Why TEAM's metric falls short of its peers (or a goal): people, training, product or case mix.

    A mixed model (agents and product versions as random effects, training and case mix as fixed ones)
    splits the gap, each part with a 95% interval. With too little data it says what is missing.
    """
    from cxscore.diagnose import obstacles

    with user_errors():
        verdict = obstacles(
            metric, team=team, period=period, goal=goal, within=within, project=find_project(project).root
        )
    if output is Output.json:
        typer.echo(json.dumps(verdict.to_dict(), indent=2, default=str))
        return
    _print(verdict)


def _print(verdict: ObstacleVerdict) -> None:
    from rich.table import Table as RichTable

    from cxscore.diagnose.wording import Units

    when = f"{verdict.start} to {verdict.end}" if verdict.start else "all periods"
    console.print(
        f"[bold]{verdict.team_name}[/] ({verdict.team}), {verdict.metric}, {when}: n = {verdict.n:,}; "
        f"model of {verdict.within}: {verdict.facts:,} facts in {verdict.cells:,} cells."
    )
    if verdict.trend:
        console.print(f"Trend: {verdict.trend}")
    console.print(f"Verdict ({verdict.confidence}): {verdict.verdict}", soft_wrap=True)
    if not verdict.decided:
        return
    units = Units(verdict.kind, verdict.format)
    table = RichTable(
        "part", "holds back", "95% interval", "share of the gap", "evidence", title="The gap, split"
    )
    for c in verdict.components:
        interval = "" if math.isnan(c.lower) else f"{units.change(c.lower)} to {units.change(c.upper)}"
        share = "" if math.isnan(c.share) else f"{c.share:.0%}"
        table.add_row(c.name, units.change(c.drag), interval, share, c.evidence)
    console.print(table)
    sources = RichTable("source", "variance", "share", "p (is it zero?)", title="Variation between facts")
    for v in verdict.variances:
        p = "" if math.isnan(v.p_value) else f"{v.p_value:.3g}"
        sources.add_row(v.name, f"{v.variance:.4g}", f"{v.share:.0%}", p)
    console.print(sources)
    for note in verdict.notes:
        console.print(f"Note: {note}")
    console.print("Method and limits: docs/concepts/obstacles.md. Parts are associations in these facts.")
