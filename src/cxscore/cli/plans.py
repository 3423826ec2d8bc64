"""`cxscore payouts` and `cxscore plans`: payout statements, plans, what-if and the balance check."""

from __future__ import annotations

import enum
import json
import sys
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from cxscore.cli.common import ProjectOption, console, find_project, user_errors

if TYPE_CHECKING:
    from cxscore.plans import Statement
    from cxscore.plans.balance import RoleBalance
    from cxscore.plans.comparison import WhatIf

app = typer.Typer(
    help="Incentive plans: list, show, validate, what-if and the balance check.", no_args_is_help=True
)


class Output(enum.Enum):
    table = "table"
    csv = "csv"
    json = "json"


def payouts(
    period: str = typer.Option(
        ..., "--period", help="The payout period: a quarter (2025-Q4) or a year (2025)."
    ),
    person: str | None = typer.Option(None, "--person", help="Only this person (a person id, e.g. P-00029)."),
    plan: str | None = typer.Option(
        None, "--plan", help="A plan's name or file (default: every active plan in plans/)."
    ),
    output: Output = typer.Option(Output.table, "--format", "-f", help="table, csv or json."),
    out: Path | None = typer.Option(
        None, "--out", help="Also write each statement as JSON, and all lines as CSV, into this folder."
    ),
    summary: bool = typer.Option(False, "--summary", help="One line per person instead of every statement."),
    project: Path | None = ProjectOption,
) -> None:
    """Payout statements for a period: every line item and how it was computed, per person.

    Each statement records the plan version (git commit and sha256 of the plan file) and a sha256 of the
    input rows it used, so it can be reproduced exactly later.
    """
    from cxscore.plans import payouts as pay
    from cxscore.rewards.export import to_csv

    with user_errors():
        found = find_project(project)
        statements = pay(found.root, period, person, plan=plan)
    if out is not None:
        _write(statements, out)
    if output is Output.json:
        sys.stdout.write(json.dumps([s.to_dict() for s in statements], sort_keys=True, indent=2) + "\n")
    elif output is Output.csv:
        sys.stdout.write(to_csv([row for s in statements for row in s.csv_rows()]))
    elif summary:
        _print_summary(statements, period)
    else:
        for s in statements:
            _print_statement(s)


def _write(statements: list[Statement], folder: Path) -> None:
    from cxscore.rewards.export import to_csv

    folder.mkdir(parents=True, exist_ok=True)
    for s in statements:
        (folder / f"payout-{s.period}-{s.person_id}.json").write_text(s.to_json(), encoding="utf-8")
    if statements:
        rows = [row for s in statements for row in s.csv_rows()]
        (folder / f"payouts-{statements[0].period}.csv").write_text(to_csv(rows), encoding="utf-8")
    console.print(f"Wrote {len(statements)} statement(s) to {folder}", highlight=False)


def _print_statement(s: Statement) -> None:
    from rich.table import Table as RichTable

    title = f"{s.name} ({s.person_id}), {s.role} in {s.team}: {s.period}"
    table = RichTable("component", "kind", "amount", "how it was computed", title=title, show_lines=True)
    for line in s.lines:
        table.add_row(line.label, line.kind, f"{line.amount:,.2f}", line.how)
    table.add_row("[bold]total[/]", "", f"[bold]{s.total:,.2f} {s.currency}[/]", "")
    console.print(table)
    console.print(
        f"Plan {s.plan.name} ({s.plan.file}), {_version(s.plan.commit)}, sha256 {s.plan.sha256[:16]}; "
        f"data sha256 {s.data_sha256[:16]} over {s.rows} rows; {s.software}",
        highlight=False,
    )
    for note in s.notes:
        console.print(f"Note: {note}", highlight=False)
    console.print()


def _print_summary(statements: list[Statement], period: str) -> None:
    from rich.table import Table as RichTable

    parts = list(dict.fromkeys(line.label for s in statements for line in s.lines if line.kind != "clawback"))
    table = RichTable("person", "team", *parts, "clawbacks", "total", title=f"Payouts, {period}")
    totals: dict[str, Decimal] = {}
    for s in statements:
        cells = [
            sum((x.amount for x in s.lines if x.label == p and x.kind != "clawback"), Decimal(0))
            for p in parts
        ]
        clawed = sum((x.amount for x in s.lines if x.kind == "clawback"), Decimal(0))
        table.add_row(
            f"{s.name} ({s.person_id})",
            s.team,
            *(f"{c:,.2f}" for c in cells),
            f"{clawed:,.2f}",
            f"{s.total:,.2f}",
        )
        for p, c in zip([*parts, "clawbacks", "total"], [*cells, clawed, s.total], strict=True):
            totals[p] = totals.get(p, Decimal(0)) + c
    table.add_row(
        "[bold]all[/]",
        "",
        *(f"[bold]{totals.get(p, Decimal(0)):,.2f}[/]" for p in [*parts, "clawbacks", "total"]),
    )
    console.print(table)
    plans = sorted({f"{s.plan.name} ({s.plan.file}, {_version(s.plan.commit)})" for s in statements})
    currency = statements[0].currency if statements else "USD"
    console.print(
        f"{len(statements)} statement(s) under {', '.join(plans) or 'no plan'}; amounts in {currency}. "
        f"Every line: cxscore payouts --period {period}.",
        highlight=False,
    )


@app.command("list")
def list_plans(project: Path | None = ProjectOption) -> None:
    """List the project's plans (plans/*.yml): status, roles, period and components."""
    from rich.table import Table as RichTable

    from cxscore.metrics import load_catalog
    from cxscore.plans import load_plans

    with user_errors():
        found = find_project(project)
        plans = load_plans(found.root, load_catalog(found.root))
    table = RichTable("plan", "file", "status", "roles", "period", "components", title="Incentive plans")
    for p in plans:
        parts = ", ".join(f"{c.name} ({c.kind})" for c in p.components)
        table.add_row(p.name, p.file, p.status, ", ".join(p.roles), p.period, parts)
    console.print(table)
    if not plans:
        console.print("No plans in plans/. See docs/incentive-plans.md to write one.")


@app.command("show")
def show(
    plan: str = typer.Argument(..., help="A plan's name or file."),
    project: Path | None = ProjectOption,
) -> None:
    """Print a plan file as written, with its version (git commit and sha256)."""
    from cxscore.plans import find_plan
    from cxscore.plans.statement import plan_version

    with user_errors():
        found = find_project(project)
        chosen = find_plan(found, plan)
    path = found.root / chosen.file
    version = plan_version(chosen.name, path if path.is_file() else None, chosen.text, chosen.file)
    console.print(f"# {chosen.file}: {_version(version.commit)}, sha256 {version.sha256}", highlight=False)
    sys.stdout.write(chosen.text)


@app.command("validate")
def validate(project: Path | None = ProjectOption) -> None:
    """Check every plan of plans/ and report every problem with its file:line (exit 1 if any)."""
    from cxscore.metrics import load_catalog
    from cxscore.plans import load_plans

    with user_errors():
        found = find_project(project)
        plans = load_plans(found.root, load_catalog(found.root))
    console.print(
        f"{len(plans)} plan(s) valid: {', '.join(p.name for p in plans) or 'none'}.", highlight=False
    )


@app.command("whatif")
def whatif(
    proposed: str = typer.Argument(..., help="The changed plan: a file (plans/new.yml) or a plan's name."),
    against: str = typer.Option(..., "--against", help="The plan to compare with (file or name)."),
    year: int = typer.Option(..., "--year", help="The year to pay again, e.g. 2025."),
    output: Output = typer.Option(Output.table, "--format", "-f", help="table, csv or json."),
    project: Path | None = ProjectOption,
) -> None:
    """Pay a past year again under a changed plan: cost and payouts by role, component and person."""
    from cxscore.plans.comparison import whatif as compare
    from cxscore.rewards.export import to_csv

    with user_errors():
        found = find_project(project)
        result = compare(proposed, against, year, found.root)
    if output is Output.json:
        sys.stdout.write(json.dumps(result.to_dict(), indent=2) + "\n")
    elif output is Output.csv:
        sys.stdout.write(to_csv([{"group": "person", **p.to_dict()} for p in result.people]
                                + [{"group": "role", **r.to_dict()} for r in result.roles]))  # fmt: skip
    else:
        _print_whatif(result)


def _print_whatif(result: WhatIf) -> None:
    from rich.table import Table as RichTable

    head = f"{result.year}: {result.proposed.name} against {result.current.name}"
    for title, rows in (
        ("by role", result.roles),
        ("by component", result.components),
        ("by person", result.people),
    ):
        table = RichTable("", "current", "proposed", "change", title=f"{head}, {title}")
        for r in rows:
            name = r.label if r.label == r.key else f"{r.label} ({r.key})"
            table.add_row(name, f"{r.current:,.2f}", f"{r.proposed:,.2f}", f"{r.change:+,.2f}")
        console.print(table)
    change = result.total_proposed - result.total_current
    console.print(
        f"Total cost {result.year}: {result.total_current:,.2f} under {result.current.name} (commit "
        f"{result.current.commit[:12]}), {result.total_proposed:,.2f} under {result.proposed.name} (commit "
        f"{result.proposed.commit[:12]}): {change:+,.2f}.",
        highlight=False,
    )


@app.command("check")
def check(
    plan: str | None = typer.Option(
        None, "--plan", help="Only this plan (name or file); default: every plan."
    ),
    year: int | None = typer.Option(
        None, "--year", help="The year to measure on (default: the last full year)."
    ),
    output: Output = typer.Option(Output.table, "--format", "-f", help="table or json."),
    project: Path | None = ProjectOption,
) -> None:
    """The balance check: marginal payout per dollar of each lever each role controls, and what is flagged.

    Exit status 1 when anything is flagged.
    """
    from cxscore.plans.balance import check as run

    with user_errors():
        found = find_project(project)
        results = run(found.root, plan, year)
    if output is Output.json:
        sys.stdout.write(json.dumps([r.to_dict() for r in results], indent=2) + "\n")
    else:
        for r in results:
            _print_balance(r)
        if not results:
            console.print("Nothing to check: nobody held a role of the plans in that year.", highlight=False)
    if any(r.findings for r in results):
        raise typer.Exit(1)


def _print_balance(r: RoleBalance) -> None:
    from rich.table import Table as RichTable

    title = f"{r.plan} ({r.file}), {r.role}: {r.year}, {r.people} people, {r.periods} person-periods"
    table = RichTable("lever", "pays per unit", "per dollar of value", "how", title=title)
    for lever in r.levers:
        unit = (
            f"{lever.per_unit:.2%}"
            if lever.unit == "USD"
            else f"{lever.per_unit:,.2f} {r.currency} per {lever.unit}"
        )
        dollar = "" if lever.per_dollar is None else f"{lever.per_dollar:.2%}"
        table.add_row(lever.name, unit, dollar, lever.how)
    console.print(table)
    for f in r.findings:
        console.print(f"  [bold red]FLAG[/] {f.kind}: {f.message}", highlight=False)
    if not r.findings:
        console.print("  Nothing flagged: a dollar kept pays about what a dollar won pays.", highlight=False)
    if r.suggestion is not None:
        console.print(f"  [bold]Suggestion[/]: {r.suggestion.message}", highlight=False)
    console.print()


def _version(commit: str) -> str:
    """Where the plan's text is kept: a git commit, or a warning that it is not committed."""
    if commit == "uncommitted":
        return "not committed to git (commit it to make statements reproducible from history)"
    return f"git commit {commit[:12]}"
