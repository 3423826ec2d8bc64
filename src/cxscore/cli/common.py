"""What every command shares: the console, the --project option and turning errors into exit codes."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console, ConsoleDimensions

from cxscore.errors import CXScoreError

if TYPE_CHECKING:
    from cxscore.store import Project, Store


class _Console(Console):
    """Rich's console, 120 columns wide (not 80) when writing to a pipe, a file or a CI log.

    At 80 columns the result tables fold into unreadable strips; COLUMNS still decides when set.
    """

    @property
    def size(self) -> ConsoleDimensions:
        size = Console.size.fget(self)  # type: ignore[attr-defined]
        if self.is_terminal or "COLUMNS" in os.environ:
            return size  # type: ignore[no-any-return]
        return ConsoleDimensions(max(size.width, 120), size.height)

    @size.setter
    def size(self, new_size: tuple[int, int]) -> None:
        Console.size.fset(self, new_size)  # type: ignore[attr-defined]


console = _Console()
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


def scope_names(store: Store, scope: str) -> dict[str, str]:
    """Team or person id -> name from the store, for the tables people read (results keep the ids);
    empty for any other scope. Ids without a name are left out."""
    if scope not in ("team", "person"):
        return {}
    table, key = ("teams", "team_id") if scope == "team" else ("people", "person_id")
    rows = store.table(table).select(key, "name").execute()
    return {str(i): str(n) for i, n in zip(rows[key], rows["name"], strict=True) if n is not None}
