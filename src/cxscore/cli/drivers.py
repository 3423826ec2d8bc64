"""`cxscore drivers`: what moves a metric (key drivers), for a project's metric or a column of a CSV file."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from cxscore.cli.common import ProjectOption, console, find_project, user_errors
from cxscore.cli.diagnose import Output


def drivers(
    metric: str | None = typer.Argument(
        None, help="The metric, e.g. csat, nps, reopen_rate, churn_rate (leave out with --csv)."
    ),
    scope: str = typer.Option("company", "--scope", help="company, team:TEAM_ID or person:PERSON_ID."),
    period: str | None = typer.Option(
        None, "--period", help="A year, quarter or month: 2025, 2025-Q2, 2025-03."
    ),
    driver: list[str] = typer.Option([], "--driver", "-d", help="Only these candidate drivers (repeatable)."),
    resamples: int = typer.Option(200, "--resamples", help="Bootstrap resamples for the intervals."),
    sample: int = typer.Option(20_000, "--sample", help="At most this many facts are resampled."),
    csv: Path | None = typer.Option(
        None, "--csv", help="Analyse an outcome column of this CSV file instead of a project's metric."
    ),
    outcome: str | None = typer.Option(
        None, "--outcome", help="With --csv: the outcome column, yes/no (e.g. churn) or a number."
    ),
    categorical: list[str] = typer.Option(
        [], "--categorical", "-c", help="With --csv: a categorical driver column."
    ),
    numeric: list[str] = typer.Option([], "--numeric", "-n", help="With --csv: a numeric driver column."),
    lower_is_better: bool = typer.Option(False, "--lower-is-better", help="With --csv: e.g. for churn."),
    output: Output = typer.Option(Output.table, "--format", "-f", help="table or json."),
    project: Path | None = ProjectOption,
) -> None:
    """Which drivers move METRIC, and how much of its variation each explains (share of R2, 95% interval)."""
    from cxscore.diagnose import key_drivers, key_drivers_of_table, read_table
    from cxscore.errors import DiagnosisError

    with user_errors():
        if csv is not None:
            if outcome is None:
                raise DiagnosisError("--csv needs --outcome COLUMN: the column whose drivers to find.")
            result = key_drivers_of_table(
                read_table(csv),
                outcome,
                categorical=categorical,
                numeric=numeric,
                direction="lower" if lower_is_better else "higher",
                source=csv.name,
                resamples=resamples,
            )
        elif metric is None:
            raise DiagnosisError(
                "Name a metric (e.g. `cxscore drivers csat`) or a file "
                "(`cxscore drivers --csv FILE --outcome COLUMN`)."
            )
        else:
            result = key_drivers(
                metric,
                scope=scope,
                period=period,
                drivers=driver,
                resamples=resamples,
                sample_size=sample,
                project=find_project(project).root,
            )
    if output is Output.json:
        typer.echo(json.dumps(result.to_dict(), indent=2, default=str))
        return
    _print(result)


def _print(result: object) -> None:
    from rich.table import Table as RichTable

    from cxscore.diagnose import KeyDrivers

    assert isinstance(result, KeyDrivers)
    share = result.kind == "share"
    when = f"{result.start} to {result.end}" if result.start else "all periods"
    console.print(
        f"Key drivers of [bold]{result.metric}[/] in {result.scope}, {when}: {result.used:,} facts "
        f"(of {result.facts:,}); the drivers explain R2 = {result.r2:.3f} "
        f"({result.level:.0%} interval {result.r2_lower:.3f} to {result.r2_upper:.3f}); "
        f"method: {result.method}."
    )
    table = RichTable("rank", "driver", "share of R2", "interval", "of explained", "worst level, or effect")
    for d in result.drivers:
        worst = d.levels[0] if d.levels else None
        where = d.direction
        if d.effect == d.effect:  # a numeric driver: its effect with the others held fixed
            scale, unit = (100.0, " points") if share else (1.0, "")
            where = (
                f"on its own, {d.direction}; with the others fixed, {scale * d.effect:+.2f}{unit} per unit "
                f"({scale * d.effect_lower:+.2f} to {scale * d.effect_upper:+.2f})"
            )
        if worst is not None:
            value = f"{worst.value:.1%}" if share else f"{worst.value:.2f}"
            gap = f"{100 * worst.difference:+.1f} points" if share else f"{worst.difference:+.2f}"
            where = f"{worst.level}: {value} (n={worst.n:,}, {gap} vs the rest)"
        table.add_row(
            str(d.rank),
            d.label,
            f"{d.share:.4f}",
            f"{d.lower:.4f} to {d.upper:.4f}",
            f"{d.relative:.0%}",
            where,
        )
    console.print(table)
    if result.pseudo_r2 is not None:
        console.print(
            f"Logistic model of the yes/no outcome: McFadden pseudo-R2 {result.pseudo_r2:.3f} "
            "(odds ratios in --format json)."
        )
    console.print(
        f"Intervals: bootstrap corrected for its bias, {result.resamples} resamples of {result.sample:,} "
        "facts. Shares describe association in these facts, not proof of cause."
    )
    for note in result.notes:
        console.print(f"Note: {note}")
