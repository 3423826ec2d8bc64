"""The `cxscore` command: find, measure, share and reward customer experience."""

from __future__ import annotations

from pathlib import Path

import typer

from cxscore import __version__
from cxscore.cli import (
    demo,
    diagnose,
    drivers,
    goals,
    ingest,
    integrity,
    metrics,
    rewards,
    scorecard,
    serve,
    surveys,
    users,
    verbatims,
)
from cxscore.cli import plans as plans_cli
from cxscore.cli.common import ProjectOption, console, find_project, user_errors

app = typer.Typer(
    name="cxscore",
    help="Measure customer experience honestly and tie every role's performance to it.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
)


def _version(value: bool) -> None:
    if value:
        console.print(f"cxscore {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """Measure customer experience honestly and tie every role's performance to it."""


@app.command()
def init(
    directory: Path = typer.Argument(Path(), help="Folder to create the project in."),
    name: str | None = typer.Option(None, help="Project name (default: the folder's name)."),
) -> None:
    """Create a project folder: cxscore.yaml, configuration folders and an embedded DuckDB store."""
    from cxscore.store import init_project

    with user_errors():
        project = init_project(directory, name)
    console.print(f"Created project [bold]{project.name}[/] in {project.root}")
    console.print(f"Store: {project.store_settings.redacted()} with every table of the data model.")
    console.print(f"Next: cd {directory} && cxscore import TABLE FILE")


@app.command()
def status(project: Path | None = ProjectOption) -> None:
    """Show the project, its store and how many rows each table holds."""
    from rich.table import Table as RichTable

    from cxscore.model import TABLES

    with user_errors():
        found = find_project(project)
        store = found.store()
        counts = {name: store.count(name) for name in TABLES}
        quarantined = store.count("_quarantine")
        store.close()
    console.print(f"Project [bold]{found.name}[/] at {found.root}")
    console.print(f"Store: {found.store_settings.redacted()}")
    table = RichTable("table", "rows", title="Canonical tables")
    for name, count in counts.items():
        table.add_row(name, f"{count:,}")
    console.print(table)
    console.print(f"Quarantined rows (all statuses): {quarantined:,}")


app.command("import")(ingest.import_command)
app.add_typer(ingest.quarantine_app, name="quarantine")
app.add_typer(metrics.app, name="metrics")
app.command("demo")(demo.demo)
app.add_typer(scorecard.app, name="scorecard")
app.add_typer(goals.app, name="goals")
app.add_typer(goals.benchmarks_app, name="benchmarks")
app.command("diagnose")(diagnose.diagnose)
app.command("drivers")(drivers.drivers)
app.command("verbatims")(verbatims.verbatims)
app.command("integrity")(integrity.integrity)
app.command("rank")(rewards.rank)
app.command("awards")(rewards.awards)
app.command("payouts")(plans_cli.payouts)
app.add_typer(plans_cli.app, name="plans")
app.command("serve")(serve.serve)
app.add_typer(users.app, name="users")
app.add_typer(surveys.app, name="surveys")
app.add_typer(surveys.followups_app, name="followups")


if __name__ == "__main__":  # pragma: no cover
    app()
