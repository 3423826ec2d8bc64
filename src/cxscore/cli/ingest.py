"""`cxscore import` and `cxscore quarantine`: load files, and look at or retry the rows that were rejected."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.markup import escape
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table as RichTable

from cxscore.cli.common import ProjectOption, console, find_project, user_errors

if TYPE_CHECKING:
    from cxscore.ingest import ImportResult

quarantine_app = typer.Typer(
    help="Rows rejected by imports, with the reason and the fix; retry them after fixing the cause.",
    invoke_without_command=True,
    no_args_is_help=False,
)

#: Show the progress display only for imports that take longer than this (seconds).
_PROGRESS_AFTER = 1.0


@contextmanager
def delayed_progress(label: str, steps: int | None = None) -> Iterator[Progress]:
    """A progress bar with the current step that appears only if the work takes more than a second."""
    progress = Progress(
        SpinnerColumn(),
        BarColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    )
    task = progress.add_task(label, total=steps)
    done = threading.Event()

    def show_later() -> None:
        if not done.wait(_PROGRESS_AFTER):
            progress.start()

    timer = threading.Thread(target=show_later, daemon=True)
    timer.start()
    try:
        yield progress
    finally:
        done.set()
        timer.join()
        progress.stop()
        progress.update(task, visible=False)


def advance(progress: Progress, step: str) -> None:
    """Show `step` as the current one; the bar counts the steps already finished."""
    task = progress.tasks[0]
    started = 0 if task.description.startswith("Importing") else int(task.completed) + 1
    progress.update(task.id, description=step, completed=started)


def import_command(
    table: str = typer.Argument(..., help="Canonical table to import into (see docs/data-model.md)."),
    files: list[Path] = typer.Argument(..., help="CSV, Parquet or JSON Lines files, or folders of them."),
    map_: list[str] = typer.Option(
        [], "--map", "-m", help="TABLE_COLUMN=FILE_COLUMN, when the file names a column differently."
    ),
    set_: list[str] = typer.Option([], "--set", help="COLUMN=VALUE for every row (e.g. survey_id=nps-2025)."),
    day_first: bool = typer.Option(False, "--day-first", help="Read 03/04/2025 as 3 April 2025."),
    month_first: bool = typer.Option(False, "--month-first", help="Read 03/04/2025 as 4 March 2025."),
    date_format: str | None = typer.Option(
        None, "--date-format", help="strptime format of every date, e.g. '%a %b %d %H:%M:%S %z %Y'."
    ),
    key_from_content: bool = typer.Option(
        False,
        "--key-from-content",
        help="Derive a missing key from each row's values (stable across re-imports; a corrected row is "
        "a new row: prefer --key-from).",
    ),
    key_from: list[str] = typer.Option(
        [],
        "--key-from",
        help="FILE_COLUMN[,FILE_COLUMN...]: derive a missing key from these columns, those that identify a "
        "row and stay when it is corrected (e.g. the time and the comment): a corrected file updates "
        "its rows.",
    ),
    delimiter: str = typer.Option(",", "--delimiter", help="CSV field separator."),
    encoding: str = typer.Option("utf-8", "--encoding", help="File encoding: utf-8, utf-16 or latin-1."),
    project: Path | None = ProjectOption,
) -> None:
    """Import files into a table: every row is validated; good rows are upserted by key, bad rows quarantined.

    The import is one transaction: it happens completely or not at all. Importing the same file twice
    changes nothing; a corrected file updates what changed.
    """
    from cxscore.ingest import ImportOptions, import_files, parse_assignments, parse_columns

    with user_errors():
        options = ImportOptions(
            mapping=parse_assignments(map_, "--map"),
            constants=parse_assignments(set_, "--set"),
            day_first=day_first,
            month_first=month_first,
            date_format=date_format,
            key_from_content=key_from_content,
            key_from=parse_columns(key_from),
            delimiter=delimiter,
            encoding=encoding,
        )
        store = find_project(project).store()
        try:
            # The importer reports four steps: read, validate, quarantine, store.
            with delayed_progress(f"Importing into {table}", steps=4) as progress:
                result = import_files(
                    store,
                    table,
                    files,
                    options,
                    lambda step: advance(progress, step),
                )
        finally:
            store.close()
    print_result(result)


def print_result(result: ImportResult) -> None:
    """The import summary: every row read is accounted for."""
    summary = RichTable("read", "inserted", "updated", "unchanged", "duplicates", "quarantined")
    summary.title = f"Import into {result.table} ({result.import_id})"
    summary.add_row(
        *(
            f"{n:,}"
            for n in (
                result.rows_read,
                result.inserted,
                result.updated,
                result.unchanged,
                result.duplicates,
                result.quarantined,
            )
        )
    )
    console.print(summary)
    for path, columns in result.ignored_columns.items():
        console.print(
            f"[yellow]Not imported[/] (no such column in {result.table}): {', '.join(columns)} from {path}. "
            "Map them with --map if they belong somewhere.",
            highlight=False,
        )
    if result.resolved:
        console.print(
            f"{result.resolved:,} previously quarantined row(s) are now stored and marked resolved."
        )
    if result.quarantined:
        console.print(
            f"[red]{result.quarantined:,} row(s) quarantined.[/] "
            f"See why: cxscore quarantine --table {result.table}"
        )


@quarantine_app.callback()
def quarantine_list(
    ctx: typer.Context,
    table: str | None = typer.Option(None, "--table", "-t", help="Only rows meant for this table."),
    status: str = typer.Option("open", "--status", help="open, resolved, dropped or all."),
    limit: int = typer.Option(50, "--limit", help="How many rows to show."),
    project: Path | None = ProjectOption,
) -> None:
    """List quarantined rows with file, record number, column, value and every reason."""
    if ctx.invoked_subcommand is not None:
        return
    from cxscore.ingest.quarantine import count_rows, list_rows

    with user_errors():
        store = find_project(project).store()
        rows = list_rows(store, table, status, limit)
        counts = count_rows(store, table)
        store.close()
    if not rows:
        console.print(f"No {status} rows in the quarantine" + (f" for {table}." if table else "."))
        return
    console.print(f"[bold]Quarantine[/] ({status}, newest first, at most {limit})")
    for row in rows:
        where = f"{row.table_name} <- {Path(row.file).name} record {row.line}"
        value = f" ({row.column_name} = {row.value!r})" if row.column_name else ""
        state = f" [{row.status}]" if status != "open" else ""  # listing several statuses: say whose is which
        console.print(f"[bold]{where}[/]{escape(value + state)}", highlight=False, soft_wrap=True)
        for reason in row.reason.split("; "):
            console.print(f"    {reason}", highlight=False, soft_wrap=True)
    if not counts:
        console.print("No open rows left: every row listed was resolved or dropped.", highlight=False)
        return
    console.print(
        "Open rows by table: "
        + ", ".join(f"{name} {n:,}" for name, n in counts.items())
        + ". Fix the cause (e.g. import the missing accounts), then: cxscore quarantine retry",
        highlight=False,
    )


@quarantine_app.command("retry")
def quarantine_retry(
    table: str | None = typer.Option(None, "--table", "-t", help="Only rows meant for this table."),
    project: Path | None = ProjectOption,
) -> None:
    """Validate the open quarantined rows again and store those that now pass."""
    from cxscore.ingest.importer import retry_quarantined

    with user_errors():
        store = find_project(project).store()
        try:
            started = time.monotonic()
            with delayed_progress("Retrying quarantined rows") as progress:
                results = retry_quarantined(
                    store, table, lambda s: progress.update(progress.task_ids[0], description=s)
                )
        finally:
            store.close()
    if not results:
        console.print("Nothing to retry: no open quarantined rows" + (f" for {table}." if table else "."))
        return
    for result in results:
        console.print(
            f"{result.table}: {result.rows_read:,} retried, {result.resolved:,} now stored, "
            f"{result.quarantined:,} still quarantined."
        )
    console.print(f"Done in {time.monotonic() - started:.1f} s.")


@quarantine_app.command("drop")
def quarantine_drop(
    table: str = typer.Option(..., "--table", "-t", help="Drop the open rows meant for this table."),
    project: Path | None = ProjectOption,
) -> None:
    """Mark open quarantined rows as dropped (kept for the record, never retried)."""
    from cxscore.ingest.quarantine import drop_rows

    with user_errors():
        store = find_project(project).store()
        dropped = drop_rows(store, table)
        store.close()
    console.print(f"Dropped {dropped:,} open row(s) for {table}; they stay in the quarantine as 'dropped'.")
