"""`cxscore metrics ...`: list, show, explain and validate metric definitions."""

from __future__ import annotations

import datetime as dt
import enum
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from cxscore.cli.common import ProjectOption, console, find_project, scope_names, user_errors

if TYPE_CHECKING:
    import pandas as pd

    from cxscore.metrics import Catalog, Metric

app = typer.Typer(help="CX metrics: list, compute, explain and validate them.", no_args_is_help=True)


class Output(enum.Enum):
    table = "table"
    csv = "csv"
    json = "json"


def _catalog(project: Path | None) -> Catalog:
    from cxscore.metrics import load_catalog
    from cxscore.store import open_project

    try:
        root = open_project(project).root
    except Exception:
        if project is not None:
            raise
        root = None  # outside a project: the built-ins alone
    return load_catalog(root)


@app.command("list")
def list_metrics(project: Path | None = ProjectOption) -> None:
    """List every metric: built-ins, the project's own, and which project metrics override a built-in."""
    from rich.table import Table as RichTable

    with user_errors():
        catalog = _catalog(project)
    table = RichTable("name", "kind", "source", "credited to", "better", "origin", title="Metrics")
    for metric in catalog:
        origin = "project (overrides built-in)" if metric.name in catalog.overrides else metric.origin
        credited = metric.facts.attribution.describe() if metric.facts.attribution else "company only"
        table.add_row(
            metric.name,
            metric.aggregation.value,
            metric.facts.source,
            credited,
            metric.direction.value,
            origin,
        )
    console.print(table)


@app.command()
def validate(project: Path | None = ProjectOption) -> None:
    """Check every metric definition against the data model; list every problem with file:line."""
    with user_errors():
        catalog = _catalog(project)
    console.print(f"All {len(catalog)} metric definitions are valid.")


@app.command()
def show(
    metric: str = typer.Argument(..., help="Metric name, e.g. nps."),
    by: list[str] = typer.Option([], "--by", "-b", help="team or person, and/or dimensions (repeatable)."),
    grain: str = typer.Option("month", "--grain", "-g", help="week, month, quarter or year."),
    start: str | None = typer.Option(None, help="First day, YYYY-MM-DD."),
    end: str | None = typer.Option(None, help="Last day, YYYY-MM-DD."),
    window: int = typer.Option(1, help="Rolling window in periods (1: none)."),
    level: float = typer.Option(0.95, help="Confidence level of the intervals."),
    output: Output = typer.Option(Output.table, "--format", "-f", help="table, csv or json."),
    project: Path | None = ProjectOption,
) -> None:
    """Compute a metric per scope and period, with n, interval, change and its p-value."""
    from cxscore.metrics import MetricEngine

    with user_errors():
        catalog = _catalog(project)
        definition = catalog.get(metric)
        store = find_project(project).store()
        try:
            frame = MetricEngine(store, catalog).compute(
                definition, by, grain, _day(start, "start"), _day(end, "end"), window, level
            )
            table = output is Output.table and len(frame) > 0
            names = scope_names(store, str(frame["scope"].iloc[0])) if table else {}
        finally:
            store.close()
    if output is Output.csv:
        typer.echo(frame.to_csv(index=False), nl=False)
    elif output is Output.json:
        typer.echo(frame.to_json(orient="records", date_format="iso", indent=1))
    else:
        _print_table(definition, frame, grain, names)


def _day(text: str | None, name: str) -> dt.date | None:
    from cxscore.errors import ConfigError

    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ConfigError(f"--{name} {text!r} is not a date; write it as YYYY-MM-DD.") from None


def period_label(first_day: object, grain: str) -> str:
    """A period as people write it, from its first day: 2025, 2025-Q4, 2025-03, 2025-W10.

    >>> period_label(dt.date(2025, 10, 1), "quarter")
    '2025-Q4'
    >>> period_label(dt.date(2025, 3, 3), "week")
    '2025-W10'
    """
    if not isinstance(first_day, dt.date):
        return str(first_day)
    if grain == "year":
        return f"{first_day.year}"
    if grain == "quarter":
        return f"{first_day.year}-Q{(first_day.month - 1) // 3 + 1}"
    if grain == "month":
        return f"{first_day:%Y-%m}"
    if grain == "week":
        year, week, _ = first_day.isocalendar()
        return f"{year}-W{week:02d}"
    return first_day.isoformat()


def _print_table(metric: Metric, frame: pd.DataFrame, grain: str, names: dict[str, str]) -> None:
    from rich.table import Table as RichTable

    from cxscore.metrics.display import format_change

    dimensions = list(frame.columns[3 : frame.columns.get_loc("period")])
    table = RichTable(title=metric.label)
    table.add_column("scope")
    if names:
        table.add_column("name")
    for dimension in dimensions:
        table.add_column(dimension)
    for name in ("period", "value", "n", "interval", "change", "p"):
        table.add_column(name, no_wrap=True, justify="left" if name in ("period", "interval") else "right")
    short = False
    for row in frame.to_dict(orient="records"):
        value = _fmt(metric, row["value"])
        interval = f"{_fmt(metric, row['lower'])} to {_fmt(metric, row['upper'])}"
        change = "" if row["change"] != row["change"] else format_change(row["change"], metric.format)
        p = _p_value(row["p_value"])
        if row["insufficient"]:
            value = f"[dim]{value}[/] *"
            short = True
        dims = [str(row[d]) for d in dimensions]
        scope_id = str(row["scope_id"])
        table.add_row(
            scope_id,
            *([names.get(scope_id, "")] if names else []),
            *dims,
            period_label(row["period"], grain),
            value,
            f"{row['n']:,}",
            interval,
            change,
            p,
        )
    console.print(table)
    if short:
        console.print(
            f"* insufficient data: n < {metric.min_n} (the metric's minimum sample); shown for reference, "
            "never ranked or compared to goals."
        )
    if frame.empty:
        console.print("No data for this metric yet.")


def _p_value(value: object) -> str:
    """A p-value as people read it: three decimals, and "<0.001" rather than a misleading 0.000."""
    if not isinstance(value, int | float) or value != value:
        return ""
    return "<0.001" if value < 0.001 else f"{value:.3f}"


def _fmt(metric: Metric, value: object, missing: str = "-", spec: str | None = None) -> str:
    if not isinstance(value, int | float) or value != value:
        return missing
    return format(value, spec or metric.format)


@app.command()
def explain(
    metric: str = typer.Argument(..., help="Metric name, e.g. nps."),
    by: list[str] = typer.Option([], "--by", "-b", help="team or person, and/or dimensions."),
    grain: str = typer.Option("month", "--grain", "-g", help="week, month, quarter or year."),
    project: Path | None = ProjectOption,
) -> None:
    """Print a metric's definition and the SQL the engine runs for it."""
    from cxscore.metrics import MetricEngine

    with user_errors():
        catalog = _catalog(project)
        definition = catalog.get(metric)
        store = find_project(project).store()
        try:
            engine = MetricEngine(store, catalog)
            sql = engine.sql(engine.compile(definition, by, grain))
        finally:
            store.close()
    console.print(f"[bold]{definition.label}[/] ({definition.name}), from {definition.location}")
    console.print(definition.description, highlight=False)
    facts = definition.facts
    console.print(f"kind: {definition.aggregation.value}; source: {facts.source}; time: {facts.time}")
    credited = facts.attribution.describe() if facts.attribution else "company only"
    console.print(f"credited to: {credited}; better: {definition.direction.value}; min_n: {definition.min_n}")
    if definition.reference:
        console.print(f"reference: {definition.reference}", highlight=False)
    console.print("\n-- SQL run by the engine (sufficient statistics per scope and period):")
    typer.echo(sql)
