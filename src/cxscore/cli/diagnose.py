"""`cxscore diagnose ...`: what drives a metric (key drivers)."""

from __future__ import annotations

import enum
import json
from pathlib import Path

import typer

from cxscore.cli.common import ProjectOption, console, find_project, user_errors

app = typer.Typer(help="Diagnosis: what drives a metric, and what holds it back.", no_args_is_help=True)


class Output(enum.Enum):
    table = "table"
    json = "json"


@app.command("drivers")
def drivers(
    metric: str = typer.Argument(..., help="The metric, e.g. csat, nps, reopen_rate, churn_rate."),
    scope: str = typer.Option("company", "--scope", help="company, team:TEAM_ID or person:PERSON_ID."),
    period: str | None = typer.Option(
        None, "--period", help="A year, quarter or month: 2025, 2025-Q2, 2025-03."
    ),
    driver: list[str] = typer.Option([], "--driver", "-d", help="Only these candidate drivers (repeatable)."),
    resamples: int = typer.Option(200, "--resamples", help="Bootstrap resamples for the intervals."),
    sample: int = typer.Option(20_000, "--sample", help="At most this many facts are resampled."),
    output: Output = typer.Option(Output.table, "--format", "-f", help="table or json."),
    project: Path | None = ProjectOption,
) -> None:
    """Which drivers move METRIC, and how much of its variation each explains (share of R2, 95% interval)."""
    from cxscore.diagnose import key_drivers

    with user_errors():
        found = find_project(project)
        result = key_drivers(
            metric,
            scope=scope,
            period=period,
            drivers=driver,
            resamples=resamples,
            sample_size=sample,
            project=found.root,
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
        f"Intervals: percentile bootstrap, {result.resamples} resamples of {result.sample:,} facts. "
        "Shares describe association in these facts, not proof of cause."
    )
    for note in result.notes:
        console.print(f"Note: {note}")


@app.command("verbatims")
def verbatims_command(
    scope: str = typer.Option("company", "--scope", help="company, team:TEAM_ID or person:PERSON_ID."),
    period: str | None = typer.Option(
        None, "--period", help="A year, quarter or month: 2025, 2025-Q2, 2025-03."
    ),
    topics: int = typer.Option(8, "--topics", help="How many topics to look for."),
    language: str = typer.Option("en", "--language", help="The language analysed (sentiment: en only)."),
    csv: Path | None = typer.Option(
        None, "--csv", help="Analyse a CSV file instead of the project's responses."
    ),
    text_column: str = typer.Option("comment", "--text-column", help="With --csv: the comment column."),
    touchpoint_column: str | None = typer.Option(
        None, "--touchpoint-column", help="With --csv: the touchpoint."
    ),
    nps_column: str | None = typer.Option(None, "--nps-column", help="With --csv: a 0-10 score column."),
    csat_column: str | None = typer.Option(None, "--csat-column", help="With --csv: a 1-5 score column."),
    comments: bool = typer.Option(False, "--comments", help="With --format json: every comment, tagged."),
    output: Output = typer.Option(Output.table, "--format", "-f", help="table or json."),
    project: Path | None = ProjectOption,
) -> None:
    """Topics and sentiment of customers' comments, linked to touchpoints and the teams behind them.

    E-mail addresses and phone numbers are masked in every output.
    """
    from cxscore.diagnose import read_verbatims_csv, verbatims

    with user_errors():
        if csv is not None:
            report = read_verbatims_csv(
                csv, text_column, touchpoint_column, nps_column, csat_column, topics=topics, language=language
            )
        else:
            report = verbatims(
                scope=scope,
                period=period,
                topics=topics,
                language=language,
                project=find_project(project).root,
            )
    if output is Output.json:
        typer.echo(json.dumps(report.to_dict(comments=comments), indent=2, default=str))
        return
    _print_verbatims(report)


def _scores(scores: tuple[object, ...]) -> str:
    from cxscore.diagnose import Score

    parts = []
    for s in scores:
        assert isinstance(s, Score)
        value = f"{s.value:+.0f}" if s.kind == "nps" else f"{s.value:.0%}"
        parts.append(f"{s.kind.upper()} {value} (n={s.n})")
    return ", ".join(parts)


def _short(text: str, width: int = 80) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _print_verbatims(report: object) -> None:
    from rich.table import Table as RichTable

    from cxscore.diagnose import VerbatimReport

    assert isinstance(report, VerbatimReport)
    console.print(
        f"Verbatims: {report.source}: {report.total:,} comments; {report.analysed:,} in '{report.language}' "
        f"analysed; languages: {report.languages}."
    )
    table = RichTable("topic", "comments", "sentiment", "scores", "touchpoints", "teams", "example")
    for t in report.topics:
        points = ", ".join(f"{p} ({n})" for p, n in t.touchpoints[:3])
        feel = "-" if t.sentiment != t.sentiment else f"{t.sentiment:+.2f}"
        table.add_row(
            t.name,
            f"{t.comments:,} ({t.share:.0%})",
            feel,
            _scores(t.scores),
            points,
            ", ".join(t.teams),
            _short(t.examples[0]) if t.examples else "",
        )
    console.print(table)
    if report.touchpoints:
        views = RichTable("touchpoint", "comments", "sentiment", "scores", "teams", title="Touchpoints")
        for v in report.touchpoints:
            feel = "-" if v.sentiment is None else f"{v.sentiment:+.2f}"
            views.add_row(v.touchpoint, f"{v.comments:,}", feel, _scores(v.scores), ", ".join(v.teams))
        console.print(views)
    for note in report.notes:
        console.print(f"Note: {note}")


@app.command("file-drivers")
def file_drivers(
    file: Path = typer.Argument(..., help="A CSV file with one row per customer, case or answer."),
    outcome: str = typer.Option(
        ..., "--outcome", help="The outcome column: yes/no (e.g. churn) or a number."
    ),
    categorical: list[str] = typer.Option([], "--categorical", "-c", help="A categorical driver column."),
    numeric: list[str] = typer.Option([], "--numeric", "-n", help="A numeric driver column."),
    lower_is_better: bool = typer.Option(False, "--lower-is-better", help="E.g. for churn."),
    resamples: int = typer.Option(200, "--resamples", help="Bootstrap resamples for the intervals."),
    output: Output = typer.Option(Output.table, "--format", "-f", help="table or json."),
) -> None:
    """Key drivers of an outcome column of a CSV file, without importing it into a project."""
    from cxscore.diagnose import key_drivers_of_table, read_table

    with user_errors():
        result = key_drivers_of_table(
            read_table(file),
            outcome,
            categorical=categorical,
            numeric=numeric,
            direction="lower" if lower_is_better else "higher",
            source=file.name,
            resamples=resamples,
        )
    if output is Output.json:
        typer.echo(json.dumps(result.to_dict(), indent=2, default=str))
        return
    _print(result)
