"""`cxscore verbatims`: topics and sentiment of customers' comments, with touchpoints and teams."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from cxscore.cli.common import ProjectOption, console, find_project, scope_names, user_errors
from cxscore.cli.diagnose import Output


def verbatims(
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
    names: list[str] = typer.Option(
        [],
        "--name",
        help="A name customers write whatever they say (a product, the company), left out of the topics; "
        "repeat it for more. The project's product names always are.",
    ),
    comments: bool = typer.Option(False, "--comments", help="With --format json: every comment, tagged."),
    output: Output = typer.Option(Output.table, "--format", "-f", help="table or json."),
    project: Path | None = ProjectOption,
) -> None:
    """Topics and sentiment of customers' comments, linked to touchpoints and the teams behind them.

    E-mail addresses and phone numbers are masked in every output.
    """
    from cxscore.diagnose import read_verbatims_csv
    from cxscore.diagnose import verbatims as analyse

    teams: dict[str, str] = {}
    with user_errors():
        if csv is not None:
            columns = (text_column, touchpoint_column, nps_column, csat_column)
            report = read_verbatims_csv(csv, *columns, topics=topics, language=language, names=names)
        else:
            found = find_project(project)
            report = analyse(
                scope=scope, period=period, topics=topics, language=language, names=names, project=found.root
            )
            if output is Output.table:
                store = found.store()
                try:
                    teams = scope_names(store, "team")
                finally:
                    store.close()
    if output is Output.json:
        typer.echo(json.dumps(report.to_dict(comments=comments), indent=2, default=str))
        return
    _print_verbatims(report, teams)


def _teams(ids: tuple[str, ...], names: dict[str, str]) -> str:
    """Teams by name with their id, which --scope team:ID takes; an id without a name stays as it is.

    >>> _teams(("T-SUP", "T-X"), {"T-SUP": "Customer Support"})
    'Customer Support (T-SUP), T-X'
    """
    return ", ".join(f"{names[t]} ({t})" if t in names else t for t in ids)


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


def _print_verbatims(report: object, names: dict[str, str]) -> None:
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
        example = _short(t.examples[0]) if t.examples else ""
        if t.mixed:
            feel += f"\nmixed: {t.negative:.0%} negative, {t.positive:.0%} positive"
            example += f"\nother side: {_short(t.other_examples[0])}" if t.other_examples else ""
        table.add_row(
            t.name,
            f"{t.comments:,} ({t.share:.0%})",
            feel,
            _scores(t.scores),
            points,
            _teams(t.teams, names),
            example,
        )
    console.print(table)
    if report.touchpoints:
        views = RichTable("touchpoint", "comments", "sentiment", "scores", "teams", title="Touchpoints")
        for v in report.touchpoints:
            feel = "-" if v.sentiment is None else f"{v.sentiment:+.2f}"
            views.add_row(v.touchpoint, f"{v.comments:,}", feel, _scores(v.scores), _teams(v.teams, names))
        console.print(views)
    for note in report.notes:
        console.print(f"Note: {note}")
