"""`cxscore surveys ...` and `cxscore followups ...`: define and send surveys; close the loop."""

from __future__ import annotations

import json
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from cxscore.cli.common import ProjectOption, console, errors, find_project, user_errors

if TYPE_CHECKING:
    from collections.abc import Iterator

    from cxscore.store import Project, Store

app = typer.Typer(help="Surveys cxscore sends itself: define, validate, send, remind.", no_args_is_help=True)
followups_app = typer.Typer(
    help="Follow-up tasks opened by detractors and low CSAT answers: list, assign, note, close.",
    no_args_is_help=True,
)


@contextmanager
def _store(project: Project) -> Iterator[Store]:
    store = project.store()
    try:
        yield store
    finally:
        store.close()


@app.command("list")
def list_command(project: Path | None = ProjectOption) -> None:
    """List the surveys defined in the project's surveys/ folder."""
    from rich.table import Table as RichTable

    from cxscore.surveys.api import list_surveys

    with user_errors():
        surveys = list_surveys(find_project(project).root)
    table = RichTable(
        "id", "name", "trigger", "credit", "questions", "languages", "anonymous", title="Surveys"
    )
    for s in surveys:
        table.add_row(
            s.id,
            s.name,
            s.trigger,
            s.credit,
            ", ".join(q.id for q in s.questions),
            ", ".join(s.languages),
            "yes" if s.anonymous else "no",
        )
    console.print(table)


@app.command("show")
def show(
    survey_id: str = typer.Argument(..., help="The survey's id."), project: Path | None = ProjectOption
) -> None:
    """Show a survey: its questions and settings, and how many invitations were sent and answered."""
    from cxscore.surveys.api import invitations, list_surveys

    with user_errors():
        found = find_project(project)
        surveys = {s.id: s for s in list_surveys(found.root)}
        if survey_id not in surveys:
            errors.print(
                f"[bold red]Error:[/] No survey '{survey_id}'. Surveys: {', '.join(surveys) or 'none'}."
            )
            raise typer.Exit(1)
        survey = surveys[survey_id]
        with _store(found) as store:
            sent = invitations(store, found.root, survey_id=survey_id, limit=1_000_000)
    console.print(
        f"[bold]{survey.name}[/] ({survey.id}), {survey.kind}, "
        f"trigger {survey.trigger}, credit {survey.credit}"
    )
    console.print(f"File: {survey.file}")
    for number, q in enumerate(survey.questions, start=1):
        scale = f" {q.scale[0]}-{q.scale[1]}" if q.scale else ""
        console.print(
            f"  {number}. ({q.kind}{scale}) {q.label(survey.languages[0])}", highlight=False, markup=False
        )
    answered = sum(1 for i in sent if i.answered)
    rate = "not shown for anonymous surveys" if survey.anonymous else f"{answered} answered"
    console.print(f"Invitations sent: {len(sent)}, {rate}.")


@app.command("validate")
def validate(project: Path | None = ProjectOption) -> None:
    """Check every survey file; print every problem with its file and line."""
    from cxscore.surveys.api import validate_surveys

    with user_errors():
        problems = validate_surveys(find_project(project).root)
    for problem in problems:
        errors.print(str(problem), highlight=False, soft_wrap=True)
    if problems:
        raise typer.Exit(1)
    console.print("All survey definitions are valid.")


@app.command("send")
def send(
    survey_ids: list[str] | None = typer.Argument(None, help="Surveys to send (default: all)."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Only list whom each survey would invite."),
    contact: list[str] | None = typer.Option(
        None, "--contact", help="Invite this contact instead of the trigger's (repeat; manual surveys)."
    ),
    project: Path | None = ProjectOption,
) -> None:
    """Invite whom the triggers select now (or --contact ones), minus fatigue and unsubscribes; by e-mail."""
    from cxscore.surveys import api

    with user_errors():
        found = find_project(project)
        with _store(found) as store:
            report = api.send(
                store, found.root, surveys=survey_ids or None, contacts=contact or None, dry_run=dry_run
            )
    if dry_run:
        for survey_id, candidate in report.planned:
            console.print(f"{survey_id}: {candidate.contact_id} <{candidate.email}>", highlight=False)
        console.print(f"Would send {report.total} invitation(s); nothing was sent or stored.")
        return
    for survey_id, count in sorted(report.invited.items()):
        console.print(f"{survey_id}: {count} invitation(s) sent")
    console.print(f"Sent {report.total} invitation(s).")
    for failure in report.failed:
        errors.print(f"Not sent: {failure}", highlight=False, soft_wrap=True)
    if report.failed:
        raise typer.Exit(1)


@app.command("remind")
def remind(
    dry_run: bool = typer.Option(False, "--dry-run", help="Only count the reminders due."),
    project: Path | None = ProjectOption,
) -> None:
    """Send the one reminder of every unanswered invitation whose survey has reminder_after_days."""
    from cxscore.surveys import api

    with user_errors():
        found = find_project(project)
        with _store(found) as store:
            report = api.remind(store, found.root, dry_run=dry_run)
    verb = "Would send" if dry_run else "Sent"
    console.print(f"{verb} {report.total} reminder(s).")
    for failure in report.failed:
        errors.print(f"Not sent: {failure}", highlight=False, soft_wrap=True)
    if report.failed:
        raise typer.Exit(1)


# -- follow-ups ---------------------------------------------------------------------------------------


@followups_app.command("list")
def followups_list(
    status: str = typer.Option("open", help="open, closed or all."),
    assignee: str | None = typer.Option(None, help="Only this person's tasks."),
    team: str | None = typer.Option(None, help="Only this team's tasks."),
    overdue: bool = typer.Option(False, "--overdue", help="Only tasks past due without a first contact."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    project: Path | None = ProjectOption,
) -> None:
    """List follow-up tasks, the soonest due first."""
    from rich.table import Table as RichTable

    from cxscore.surveys import api
    from cxscore.surveys.sending import utc_now

    if status not in ("open", "closed", "all"):
        errors.print(f"[bold red]Error:[/] --status {status!r} is not one of open, closed, all.")
        raise typer.Exit(1)
    with user_errors():
        found = find_project(project)
        with _store(found) as store:
            tasks = api.list_followups(
                store, status=status, assignee=assignee, team=team, overdue_at=utc_now() if overdue else None
            )
    now = utc_now()
    if as_json:
        rows = [
            {k: (v.isoformat(" ") if isinstance(v, datetime) else v) for k, v in t.__dict__.items()}
            for t in tasks
        ]
        console.print_json(json.dumps(rows))
        return
    table = RichTable(
        "id", "reason", "assignee", "account", "case", "due", "contacted", "status", title="Follow-ups"
    )
    for t in tasks:
        due = f"{t.due_at:%Y-%m-%d %H:%M}" + (" [bold red]overdue[/]" if t.overdue(now) else "")
        contacted = f"{t.first_contact_at:%Y-%m-%d %H:%M}" if t.first_contact_at else ""
        status_text = t.status + (f" ({t.outcome})" if t.outcome else "")
        table.add_row(
            t.followup_id,
            t.reason,
            t.assignee_id or "",
            t.account_id or "",
            t.case_id or "",
            due,
            contacted,
            status_text,
        )
    console.print(table)


@followups_app.command("open")
def followups_open(
    since: datetime = typer.Option(..., help="Open tasks for answers given since this day (YYYY-MM-DD)."),
    project: Path | None = ProjectOption,
) -> None:
    """Open the tasks that imported or pushed answers call for (the survey page opens its own)."""
    from cxscore.surveys import api
    from cxscore.surveys.definition import load_surveys

    with user_errors():
        found = find_project(project)
        with _store(found) as store:
            opened = api.open_followups(store, load_surveys(found.root), since=since)
    console.print(f"Opened {opened} follow-up task(s).")


@followups_app.command("assign")
def followups_assign(
    followup_id: str = typer.Argument(..., help="The task."),
    person_id: str = typer.Argument(..., help="Who takes it over (a person_id)."),
    author: str | None = typer.Option(None, help="Who made the change (kept in the notes)."),
    project: Path | None = ProjectOption,
) -> None:
    """Give a task to someone else."""
    from cxscore.surveys import api

    with user_errors():
        found = find_project(project)
        with _store(found) as store:
            task = api.assign(store, followup_id, person_id, author=author)
    console.print(f"{task.followup_id} is assigned to {task.assignee_id}.")


@followups_app.command("note")
def followups_note(
    followup_id: str = typer.Argument(..., help="The task."),
    text: str = typer.Argument(..., help="What happened."),
    contacted: bool = typer.Option(False, "--contacted", help="The customer was reached (first contact)."),
    author: str | None = typer.Option(None, help="Who writes the note."),
    project: Path | None = ProjectOption,
) -> None:
    """Add a note; --contacted records the first contact with the customer."""
    from cxscore.surveys import api

    with user_errors():
        found = find_project(project)
        with _store(found) as store:
            task = api.note(store, followup_id, text, author=author, contacted=contacted)
    contact = f", first contact {task.first_contact_at:%Y-%m-%d %H:%M}" if task.first_contact_at else ""
    console.print(f"Noted on {task.followup_id}{contact}.")


@followups_app.command("close")
def followups_close(
    followup_id: str = typer.Argument(..., help="The task."),
    outcome: str = typer.Argument(..., help="resolved, explained, not_resolved, no_reply or not_needed."),
    text: str | None = typer.Option(None, "--note", help="A closing note."),
    author: str | None = typer.Option(None, help="Who closes it."),
    project: Path | None = ProjectOption,
) -> None:
    """Close a task with its outcome."""
    from cxscore.surveys import api

    with user_errors():
        found = find_project(project)
        with _store(found) as store:
            task = api.close(store, followup_id, outcome, text=text, author=author)
    console.print(f"Closed {task.followup_id}: {task.outcome}.")


@followups_app.command("stats")
def followups_stats(
    since: datetime | None = typer.Option(None, help="Only tasks opened since this day (YYYY-MM-DD)."),
    project: Path | None = ProjectOption,
) -> None:
    """The loop's metrics: share contacted, time to first contact, outcomes, renewals afterwards."""
    from cxscore.metrics import load_catalog
    from cxscore.surveys import api

    with user_errors():
        found = find_project(project)
        catalog = load_catalog(found.root)  # the project's metrics, as `cxscore metrics show` uses
        with _store(found) as store:
            figures = api.summary(store, catalog, since=since)
    console.print_json(json.dumps(figures))
