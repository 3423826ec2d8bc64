"""What every command shares: the console, the --project option and turning errors into exit codes."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console

from cxscore.errors import CXScoreError

if TYPE_CHECKING:
    from cxscore.store import Project

console = Console()
errors = Console(stderr=True)

ProjectOption = typer.Option(
    None,
    "--project",
    "-p",
    help="Project folder (default: the nearest folder with a cxscore.yaml, from here upwards).",
)


@contextmanager
def user_errors() -> Iterator[None]:
    """Print a cxscore error as a one-line message and exit with status 1, without a traceback."""
    try:
        yield
    except CXScoreError as error:
        errors.print(f"[bold red]Error:[/] {error}", highlight=False, soft_wrap=True)
        raise typer.Exit(1) from None


def find_project(path: Path | None) -> Project:
    from cxscore.store import open_project

    return open_project(path)
