"""`cxscore scorecard ...`: list scorecards, show one for a team or person, the company summary, explain."""

from __future__ import annotations

import enum
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from cxscore.cli.common import ProjectOption, console, find_project, user_errors

if TYPE_CHECKING:
    from cxscore.scorecards.evaluation import Line, ScorecardResult
    from cxscore.scorecards.summary import CompanySummary

app = typer.Typer(
    help="Role scorecards: goals, attainment decided with intervals, trends.", no_args_is_help=True
)

PeriodOption = typer.Option(
    None, "--period", help="A quarter (2025-Q4) or a year (2025); default: the latest complete quarter."
)
IndustryOption = typer.Option(
    None, "--industry", help="Which benchmarks apply, e.g. b2b_saas (default: goals/*.yml)."
)


class Output(enum.Enum):
    table = "table"
    csv = "csv"
    json = "json"


@app.command("list")
def list_scorecards(project: Path | None = ProjectOption) -> None:
    """List the scorecards: who they apply to, their metrics and weights, and the customer share."""
    from rich.table import Table as RichTable

    from cxscore.metrics import load_catalog
    from cxscore.scorecards import load_scorecards

    with user_errors():
        found = find_project(project)
        catalog = load_catalog(found.root)
        cards = load_scorecards(found.root, frozenset(m.name for m in catalog))
    table = RichTable(
        "scorecard", "applies to", "metrics (weight)", "customer share", "origin", title="Scorecards"
    )
    for card in cards:
        applies = ", ".join([*card.roles, *(f"{f} teams" for f in card.functions)])
        metrics = ", ".join(f"{i.metric} {i.weight:.0%}" for i in card.items)
        table.add_row(card.name, applies, metrics, f"{card.customer_share:.0%}", card.origin)
    console.print(table)
    for card in cards:
        for warning in card.warnings:
            console.print(f"[bold yellow]Warning:[/] {warning}")


@app.command()
def show(
    team: str | None = typer.Option(None, "--team", "-t", help="A team id, e.g. T-SUP-EMEA."),
    person: str | None = typer.Option(None, "--person", help="A person id, e.g. P-00044."),
    period: str | None = PeriodOption,
    scorecard: str | None = typer.Option(
        None, "--scorecard", help="Use this scorecard instead of the role's."
    ),
    industry: str | None = IndustryOption,
    output: Output = typer.Option(Output.table, "--format", "-f", help="table, csv or json."),
    project: Path | None = ProjectOption,
) -> None:
    """Show a team's or a person's scorecard (the company's with neither) for a quarter or a year."""
    from cxscore.scorecards.api import scorecard as evaluate
    from cxscore.scorecards.export import to_data

    with user_errors():
        result = evaluate(team, person, period, name=scorecard, industry=industry, project=project)
    if output is Output.json:
        sys.stdout.write(json.dumps(to_data(result), indent=2) + "\n")
    elif output is Output.csv:
        result.to_frame().to_csv(sys.stdout, index=False)
    else:
        print_result(result)


def print_result(result: ScorecardResult) -> None:
    """The scorecard as a table, with its score, coverage and warnings."""
    from rich.table import Table as RichTable

    title = f"{result.scorecard.label}: {result.name} ({result.scope_id}), {result.period}"
    table = RichTable(
        "metric",
        "weight",
        "value (95% CI, n)",
        "goal",
        "attainment",
        "vs a year earlier",
        "year to date",
        "past years",
        title=title,
    )
    for line in result.lines:
        table.add_row(
            line.item.label or line.metric.label,
            f"{line.item.weight:.0%}",
            _estimate(line),
            line.format(line.target),
            _attainment(line),
            _change(line),
            _ytd(line),
            "; ".join(
                f"{h.year}: {line.format(h.estimate.value)} (n={h.estimate.n})" for h in line.history[-3:]
            ),
        )
    console.print(table)
    score = "insufficient data" if result.score is None else f"{result.score:.2f}"
    console.print(
        f"Weighted score {score} (met 1, likely met 0.75, likely not met 0.25, not met 0) on "
        f"{result.coverage:.0%} of the weight with enough data; "
        f"customer share {result.scorecard.customer_share:.0%}."
    )
    for warning in result.warnings:
        console.print(f"[bold yellow]Warning:[/] {warning}")


def _estimate(line: Line) -> str:
    e = line.estimate
    if e is None:
        return "no data"
    text = f"{line.format(e.value)} ({line.format(e.lower)} to {line.format(e.upper)}, n={e.n})"
    return f"[dim]{text} insufficient, n < {line.metric.min_n}[/]" if line.insufficient else text


def _attainment(line: Line) -> str:
    colours = {"met": "green", "likely met": "green", "likely not met": "yellow", "not met": "red"}
    colour = colours.get(line.attainment.value, "dim")
    return f"[{colour}]{line.attainment.value}[/]"


def _change(line: Line) -> str:
    if line.change is None:
        return "n/a"
    from cxscore.metrics.display import format_change

    p = "no p-value" if line.adjusted_p_value is None else f"Holm p={line.adjusted_p_value:.3f}"
    verdict = {True: " significant improvement", False: " significant decline", None: ""}[line.improved]
    return f"{format_change(line.change, line.metric.format)} ({p}){verdict}"


def _ytd(line: Line) -> str:
    ytd = line.year_to_date
    if ytd is None:
        return "n/a"
    return f"{line.format(ytd.estimate.value)} (n={ytd.estimate.n})"


@app.command()
def summary(
    period: str | None = PeriodOption,
    out: Path | None = typer.Option(
        None,
        "--out",
        help="Folder for scorecard-summary-PERIOD.json and .csv (default: the project's reports/).",
    ),
    industry: str | None = IndustryOption,
    project: Path | None = ProjectOption,
) -> None:
    """The company's scorecard summary: every team's score, goals met or not, and the largest gaps."""
    from cxscore.scorecards.summary import company_summary

    with user_errors():
        found = find_project(project)
        result = company_summary(found, period, industry)
        paths = result.write(out if out is not None else found.root / "reports")
    print_summary(result)
    console.print(f"Wrote {paths[0]} and {paths[1]}")


def print_summary(result: CompanySummary) -> None:
    """The teams' scores and attainment counts, then the largest gaps."""
    from rich.table import Table as RichTable

    from cxscore.scorecards.attainment import Attainment

    teams = RichTable(
        "team",
        "scorecard",
        "score",
        "weight with data",
        "met",
        "likely met",
        "likely not met",
        "not met",
        "insufficient data",
        title=f"Scorecard summary, {result.period}",
    )
    for card in result.results:
        counts = {a: sum(line.attainment is a for line in card.lines) for a in Attainment}
        teams.add_row(
            f"{card.name} ({card.scope_id})",
            card.scorecard.name,
            "insufficient data" if card.score is None else f"{card.score:.2f}",
            f"{card.coverage:.0%}",
            *(str(counts[a]) for a in list(Attainment)[:5]),
        )
    console.print(teams)
    gaps = RichTable(
        "team", "metric", "value (95% CI, n)", "goal", "short by", "attainment", title="Largest gaps"
    )
    for gap in result.gaps:
        line = gap.line
        gaps.add_row(
            gap.team,
            line.item.label or line.metric.label,
            _estimate(line),
            line.format(line.target),
            line.format(gap.shortfall),
            _attainment(line),
        )
    console.print(gaps)


@app.command()
def explain(
    metric: str = typer.Argument(..., help="A metric of the scorecard, e.g. csat."),
    team: str | None = typer.Option(None, "--team", "-t", help="A team id."),
    person: str | None = typer.Option(None, "--person", help="A person id."),
    period: str | None = PeriodOption,
    rows: int = typer.Option(10, "--rows", help="How many of the credited facts to show."),
    industry: str | None = IndustryOption,
    project: Path | None = ProjectOption,
) -> None:
    """Trace one number of a scorecard: the metric, the rows behind it, the goal policy and the benchmark."""
    from cxscore.errors import ConfigError
    from cxscore.scorecards.api import open_evaluator
    from cxscore.scorecards.explain import explain as explain_line
    from cxscore.scorecards.period import Period, latest_complete_quarter

    with user_errors():
        if team and person:
            raise ConfigError("Give a team or a person, not both.")
        found = find_project(project)
        store = found.store()
        try:
            evaluator = open_evaluator(found, store, industry)
            chosen = Period.parse(period) if period else latest_complete_quarter(store)
            scope, scope_id = (
                ("team", team) if team else ("person", person) if person else ("company", "company")
            )
            text = explain_line(evaluator, metric, scope, str(scope_id), chosen, rows).to_text()
        finally:
            store.close()
    typer.echo(text)
