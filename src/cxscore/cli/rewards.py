"""`cxscore rank` and `cxscore awards`: fair leaderboards and recognition programs."""

from __future__ import annotations

import enum
import sys
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from cxscore.cli.common import ProjectOption, console, find_project, user_errors

if TYPE_CHECKING:
    from cxscore.rewards import Ranking


class Output(enum.Enum):
    table = "table"
    csv = "csv"
    json = "json"


def rank(
    metric: str = typer.Argument(..., help="A metric name, e.g. csat or nps."),
    by: str = typer.Option("team", "--by", help="team or person."),
    period: str = typer.Option(..., "--period", help="A quarter (2025-Q4) or a year (2025)."),
    within: str | None = typer.Option(
        None,
        "--within",
        help="Teams directly under this team, or people in it (default: leaf teams, everyone).",
    ),
    min_n: int | None = typer.Option(None, "--min-n", help="Minimum sample (default: the metric's min_n)."),
    confidence: float = typer.Option(
        0.95, "--confidence", help="How sure a band's top must be to put an entry in a lower band."
    ),
    adjust_for: str | None = typer.Option(
        None,
        "--adjust-for",
        help="Adjust for case mix by this dimension (priority, product, channel, segment, ...).",
    ),
    output: Output = typer.Option(Output.table, "--format", "-f", help="table, csv or json."),
    project: Path | None = ProjectOption,
) -> None:
    """Rank teams or people fairly: shrunk estimates, P(beats the next), tie bands and exclusions.

    The naive ranking (and for NPS the NPS - 160/sqrt(n) rule) is shown beside it for comparison.
    """
    from cxscore.rewards import rank as rank_scopes
    from cxscore.rewards.export import to_csv, to_json

    with user_errors():
        found = find_project(project)
        board = rank_scopes(
            metric,
            by,
            period,
            within=within,
            min_n=min_n,
            confidence=confidence,
            adjust_for=adjust_for,
            project=found.root,
        )
    if output is Output.json:
        sys.stdout.write(to_json(board.to_dict()))
    elif output is Output.csv:
        sys.stdout.write(to_csv(board.rows()))
    else:
        _print_ranking(board)


def _print_ranking(board: Ranking) -> None:
    from rich.table import Table as RichTable

    spec = board.value_format
    nps = board.metric == "nps" or any(e.industry_score is not None for e in board.entries)
    columns = ["rank", "band", "name", "raw (interval)", "n", "shrunk (interval)", "P(beats next)", "P(best)"]
    columns += ["naive rank"] + (["NPS-160/√n", "its rank"] if nps else [])
    columns += ["case-mix adjustment"] if board.adjusted_for else []
    title = f"{board.metric} by {board.scope}, {board.period} ({board.direction} is better)"
    title += f", adjusted for case mix by {board.adjusted_for}" if board.adjusted_for else ""
    table = RichTable(*columns, title=title)
    for e in board.entries:
        cells = [
            str(e.rank),
            str(e.band),
            e.name if e.name == e.scope_id else f"{e.name} ({e.scope_id})",
            f"{e.value:{spec}} ({e.lower:{spec}} to {e.upper:{spec}})",
            f"{e.n:,}",
            f"{e.shrunk:{spec}} ({e.shrunk_lower:{spec}} to {e.shrunk_upper:{spec}})",
            "" if e.beats_next is None else f"{e.beats_next:.0%}",
            f"{e.chance_best:.0%}",
            str(e.naive_rank),
        ]
        if nps:
            cells += [f"{e.industry_score:.1f}", str(e.industry_rank)]
        if board.adjusted_for:
            cells += [f"{e.case_mix_adjustment or 0.0:+{spec}}"]
        table.add_row(*cells)
    console.print(table)
    console.print(
        f"Prior ({board.model.replace('_', '-')}), learned from every {board.scope} with data: {board.prior}."
    )
    console.print(
        f"Bands: an entry starts a new band when the band's first entry beats it with {board.confidence:.0%} "
        "probability; entries in one band cannot be told apart.",
        highlight=False,
    )
    for x in board.excluded:
        console.print(f"Left out: {x.name} ({x.scope_id}), {x.value:{spec}}: {x.reason}.", highlight=False)


def awards(
    period: str = typer.Option(..., "--period", help="A quarter (2025-Q4) or a year (2025)."),
    program: list[str] = typer.Option([], "--program", help="Only these programs (repeatable)."),
    output: Output = typer.Option(Output.table, "--format", "-f", help="table, csv or json."),
    project: Path | None = ProjectOption,
) -> None:
    """Evaluate the recognition programs for a period: every award with its reason and numbers.

    The programs are the project's programs/*.yml and the shipped ones; a program that gives no award
    says why.
    """
    from cxscore.errors import ProgramDefinitionError
    from cxscore.rewards.awards import evaluate_programs
    from cxscore.rewards.export import to_csv, to_json
    from cxscore.rewards.programs import load_programs

    with user_errors():
        found = find_project(project)
        programs = load_programs(found.root)
        unknown = sorted(set(program) - {p.name for p in programs})
        if unknown:
            names = ", ".join(p.name for p in programs)
            raise ProgramDefinitionError(f"No program called {', '.join(unknown)} (programs: {names}).")
        chosen = [p for p in programs if not program or p.name in program]
        results = evaluate_programs(period, programs=chosen, project=found.root)
    if output is Output.json:
        sys.stdout.write(to_json([asdict(r) for r in results]))
    elif output is Output.csv:
        sys.stdout.write(to_csv([row for r in results for row in r.rows()]))
    else:
        for r in results:
            prize = f" - {r.prize}" if r.prize else ""
            console.print(f"[bold]{r.label}[/] ({r.program}, {r.period}){prize}", highlight=False)
            for w in r.winners:
                console.print(f"  [green]AWARDED[/] {w.name} ({w.scope_id}): {w.reason}", highlight=False)
            console.print(f"  {r.summary}", highlight=False)
            console.print()
