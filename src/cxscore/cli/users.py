"""`cxscore users add|list|reset|token`: the web app's local accounts."""

from __future__ import annotations

import secrets
from pathlib import Path

import typer

from cxscore.cli.common import ProjectOption, console, find_project, user_errors

app = typer.Typer(help="Accounts of the web app: add, list, reset a password, make an API token.")

ROLE_HELP = "employee, manager, executive, compensation_admin or admin."


def _accounts(project: Path | None):  # type: ignore[no-untyped-def]
    from cxscore.web.accounts import Accounts, create_tables

    store = find_project(project).store()
    create_tables(store)
    return store, Accounts(store)


def _password(given: str | None, generate: bool) -> tuple[str, bool]:
    if given:
        return given, False
    if generate:
        return secrets.token_urlsafe(12), True
    entered = typer.prompt("Password (at least 12 characters)", hide_input=True, confirmation_prompt=True)
    return str(entered), False


@app.command("add")
def add(
    username: str = typer.Argument(..., help="Sign-in name."),
    role: str = typer.Option(..., "--role", help=ROLE_HELP),
    person: str | None = typer.Option(None, "--person", help="The person id this account is (P-00044)."),
    name: str | None = typer.Option(None, "--name", help="Display name."),
    password: str | None = typer.Option(
        None, "--password", envvar="CXSCORE_NEW_PASSWORD", help="The password (default: asked, or generated)."
    ),
    generate: bool = typer.Option(False, "--generate", help="Generate a password and print it once."),
    project: Path | None = ProjectOption,
) -> None:
    """Add an account; the password is stored only as an argon2 hash."""
    with user_errors():
        chosen, made = _password(password, generate)
        store, accounts = _accounts(project)
        try:
            user = accounts.add(username, role, chosen, person_id=person, display_name=name)
            accounts.audit("cli", "add user", username, f"role {role}")
        finally:
            store.close()
    console.print(f"Added [bold]{user.username}[/] ({user.role}).", highlight=False)
    if made:
        console.print(f"Password (shown once): {chosen}", highlight=False)


@app.command("list")
def list_users(project: Path | None = ProjectOption) -> None:
    """List the accounts: name, role, person."""
    from rich.table import Table as RichTable

    with user_errors():
        store, accounts = _accounts(project)
        try:
            users = accounts.users()
        finally:
            store.close()
    table = RichTable("username", "role", "person", "name", title="Accounts")
    for user in users:
        table.add_row(user.username, user.role, user.person_id or "", user.display_name or "")
    console.print(table)


@app.command("reset")
def reset(
    username: str = typer.Argument(..., help="Sign-in name."),
    password: str | None = typer.Option(
        None, "--password", envvar="CXSCORE_NEW_PASSWORD", help="New password."
    ),
    generate: bool = typer.Option(False, "--generate", help="Generate a password and print it once."),
    project: Path | None = ProjectOption,
) -> None:
    """Set a new password, unlock the account and sign it out everywhere."""
    with user_errors():
        chosen, made = _password(password, generate)
        store, accounts = _accounts(project)
        try:
            accounts.reset(username, chosen)
            accounts.audit("cli", "reset password", username, "")
        finally:
            store.close()
    console.print(f"Reset the password of [bold]{username}[/]; their sessions ended.", highlight=False)
    if made:
        console.print(f"Password (shown once): {chosen}", highlight=False)


@app.command("token")
def token(
    username: str = typer.Argument(..., help="The account the token acts as."),
    name: str = typer.Argument(..., help="What the token is for, e.g. 'nightly export'."),
    days: int | None = typer.Option(
        None, "--days", help="Valid for this many days (default: until revoked)."
    ),
    project: Path | None = ProjectOption,
) -> None:
    """Make an API token for scripts (send it as `Authorization: Bearer TOKEN`); shown once."""
    with user_errors():
        store, accounts = _accounts(project)
        try:
            made = accounts.create_token(username, name, days)
            accounts.audit("cli", "create API token", username, name)
        finally:
            store.close()
    console.print(made, highlight=False)


@app.command("demo")
def demo(project: Path | None = ProjectOption) -> None:
    """Create one account per role for the demo company and print the logins (shown once).

    Earlier demo accounts are replaced; each password is generated and stored only as an argon2 hash.
    """
    from rich.table import Table as RichTable

    from cxscore.web.accounts import demo_people
    from cxscore.web.tables import ROLES

    made = []
    with user_errors():
        store, accounts = _accounts(project)
        try:
            people = demo_people(store)
            for role in ROLES:
                person, name = people[role]
                username = role.replace("_", "-")
                password = secrets.token_urlsafe(12)
                store.execute("DELETE FROM _users WHERE username = ?", [username])
                accounts.add(username, role, password, person_id=person, display_name=name)
                made.append((username, password, role, person or "", name or ""))
        finally:
            store.close()
    table = RichTable("username", "password", "role", "person", "name", title="Demo logins (shown once)")
    for row in made:
        table.add_row(*row)
    console.print(table)
