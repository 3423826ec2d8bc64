"""`cxscore demo`: build the demo company (a B2B software company over three years) into a project."""

from __future__ import annotations

import enum
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from cxscore.cli.common import console, user_errors

if TYPE_CHECKING:
    from cxscore.demo import DemoSummary


class DemoSize(enum.Enum):
    small = "small"
    medium = "medium"
    large = "large"


def demo(
    size: DemoSize = typer.Option(
        DemoSize.small, "--size", help="small: seconds; medium: ~10x; large: ~10M responses, minutes."
    ),
    seed: int = typer.Option(7, "--seed", help="Random seed; the same seed builds the same company."),
    project: Path = typer.Option(Path("demo-company"), "--project", "-p", help="Folder to build it in."),
    force: bool = typer.Option(False, "--force", help="Replace the store of an existing project or folder."),
    truths: bool = typer.Option(
        True, "--truths/--no-truths", help="--no-truths: a clean company without the planted truths' effects."
    ),
) -> None:
    """Build the demo company, with its planted truths, into a new project (or replace one with --force)."""
    from cxscore.demo import generate

    with user_errors():
        clean = "" if truths else ", without planted truths"
        console.print(
            f"Building the [bold]{size.value}[/] demo company (seed {seed}{clean}) in {project} ..."
        )
        summary = generate(project, size.value, seed, force=force, truths=truths)
    print_summary(summary)
    console.print(f"Next: cxscore status --project {project}")


def print_summary(summary: DemoSummary) -> None:
    """Rows per table and the planted truths as measured, as rich tables."""
    from rich.table import Table as RichTable

    seconds = f" in {summary.seconds:.1f} s" if summary.seconds is not None else ""
    rows = RichTable(
        "table", "rows", title=f"Demo company, {summary.first_day} to {summary.last_day}{seconds}"
    )
    for name, count in summary.rows.items():
        rows.add_row(name, f"{count:,}")
    rows.add_row("[bold]total", f"[bold]{summary.total_rows:,}")
    console.print(rows)
    truths = RichTable("#", "planted truth", "where", "measured", title="Planted truths", show_lines=True)
    for item in summary.truths:
        truths.add_row(str(item.truth.number), item.truth.title, item.truth.ids, item.measured)
    console.print(truths)
    console.print("What each truth is and how big it was planted: docs/demo-company.md")
