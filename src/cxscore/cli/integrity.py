"""`cxscore integrity`: survey and case patterns worth a look (evidence, never an accusation)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from cxscore.cli.common import ProjectOption, console, find_project, user_errors
from cxscore.cli.diagnose import Output

if TYPE_CHECKING:
    from cxscore.diagnose import IntegrityReport


def integrity(
    period: str | None = typer.Option(
        None, "--period", help="A year, quarter or month: 2025, 2025-Q2, 2025-03 (all periods if left out)."
    ),
    team: str | None = typer.Option(None, "--team", "-t", help="Only the people of this team (and below)."),
    fdr: float = typer.Option(0.05, "--fdr", help="False-discovery level over every person and check."),
    threshold: float | None = typer.Option(
        None, "--threshold", help="A goal or pay threshold of --metric (e.g. 0.8), for the bunching check."
    ),
    metric: str = typer.Option("csat", "--metric", "-m", help="The share metric the threshold is about."),
    output: Output = typer.Option(Output.table, "--format", "-f", help="table or json."),
    project: Path | None = ProjectOption,
) -> None:
    """Integrity checks: invitations that skip unhappy customers, response rates and scores far from peers,
    late reassignments, reopened cases, bunching above a threshold, promoters who churn.

    Listed people are worth a look with their manager; each pattern has innocent explanations.
    """
    from cxscore.diagnose import integrity as run_checks

    with user_errors():
        report = run_checks(
            period=period,
            team=team,
            fdr=fdr,
            threshold=threshold,
            metric=metric,
            project=find_project(project).root,
        )
    if output is Output.json:
        typer.echo(json.dumps(report.to_dict(), indent=2, default=str))
        return
    _print(report)


def _print(report: IntegrityReport) -> None:
    from rich.table import Table as RichTable

    when = f"{report.start} to {report.end}" if report.start else "all periods"
    console.print(f"Integrity checks, {when}: {report.tests:,} tests.")
    checks = RichTable("check", "looks for", "people tested", "worth a look", title="Checks")
    for c in report.checks:
        checks.add_row(
            c.label, c.looks_for, str(c.tested) if not c.skipped else c.skipped, str(len(c.findings))
        )
    console.print(checks)
    if report.findings:
        found = RichTable("check", "person", "team", "n", "evidence", "adjusted p", title="Worth a look")
        for f in report.findings:
            found.add_row(
                f.check, f"{f.name} ({f.person})", f.team, f"{f.n:,}", f.evidence, f"{f.adjusted:.2g}"
            )
        console.print(found)
    else:
        console.print("Nothing stands out from noise.")
    for note in report.notes:
        console.print(f"Note: {note}")
