"""The commands a new user types first: init, import, quarantine, status."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cxscore.cli.main import app
from cxscore.store.project import STORE_ENV

runner = CliRunner()


@pytest.fixture(
    params=[pytest.param(name, marks=getattr(pytest.mark, name)) for name in ("duckdb", "postgres")]
)
def engine(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The store of the projects the commands make: their DuckDB file, or a new PostgreSQL database
    named by CXSCORE_STORE (as a deployment does)."""
    if request.param == "duckdb":
        yield "duckdb"
        return
    server = request.getfixturevalue("postgres_server")
    database = server.create_database()
    monkeypatch.setenv(STORE_ENV, server.url(database))
    yield "postgres"
    monkeypatch.delenv(STORE_ENV)
    server.drop_database(database)


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args), env={"COLUMNS": "200"})
    return result.exit_code, result.output


def test_init_import_quarantine_retry(tmp_path: Path, engine: str) -> None:
    project = tmp_path / "acme"
    code, out = run("init", str(project))
    assert code == 0 and "Created project acme" in out

    contacts = tmp_path / "contacts.csv"
    contacts.write_text(
        "contact_id,account_id,email\nC1,A1,a@x.example\nC2,A9,b@x.example\n", encoding="utf-8"
    )
    code, out = run("import", "contacts", str(contacts), "-p", str(project))
    assert code == 0
    assert "1 row(s) quarantined" not in out and "2 row(s) quarantined" in out

    code, out = run("quarantine", "-p", str(project))
    assert code == 0
    assert "account_id: 'A1' is not in accounts.account_id" in out

    accounts = tmp_path / "accounts.csv"
    accounts.write_text("account_id,name\nA1,Acme\n", encoding="utf-8")
    assert run("import", "accounts", str(accounts), "-p", str(project))[0] == 0
    code, out = run("quarantine", "retry", "-p", str(project))
    assert code == 0 and "contacts: 2 retried, 1 now stored, 1 still quarantined." in out

    code, out = run("quarantine", "drop", "--table", "contacts", "-p", str(project))
    assert code == 0 and "Dropped 1 open row(s)" in out
    code, out = run("quarantine", "--status", "all", "-p", str(project))
    assert code == 0 and "(account_id = 'A1') [resolved]" in out and "(account_id = 'A9') [dropped]" in out
    assert "No open rows left: every row listed was resolved or dropped." in out
    assert "Open rows by table: ." not in out  # what it said when none were left
    code, out = run("status", "-p", str(project))
    assert code == 0 and "contacts" in out


def test_mapping_options(tmp_path: Path, engine: str) -> None:
    project = tmp_path / "acme"
    run("init", str(project))
    source = tmp_path / "nps.csv"
    source.write_text("When,Score,Text\n11/04/2018 20:09,7,fine\n", encoding="utf-8")
    code, out = run(
        "import", "responses", str(source), "-p", str(project), "--map", "responded_at=When",
        "--map", "nps=Score", "--map", "comment=Text", "--key-from-content", "--day-first",
    )  # fmt: skip
    assert code == 0, out
    assert "│ 1    │ 1        │ 0       │ 0         │ 0          │ 0           │" in out


def test_errors_are_one_line_with_the_fix(tmp_path: Path) -> None:
    code, out = run("status", "-p", str(tmp_path))
    assert code == 1
    assert "cxscore init" in out and "Traceback" not in out
    project = tmp_path / "acme"
    run("init", str(project))
    code, out = run("import", "acounts", str(tmp_path), "-p", str(project))
    assert code == 1 and "There is no table 'acounts'" in out
    code, out = run("import", "responses", str(tmp_path / "x.csv"), "--map", "nps", "-p", str(project))
    assert code == 1 and "is not of the form COLUMN=VALUE" in out


def test_version() -> None:
    code, out = run("--version")
    assert code == 0 and out.startswith("cxscore ")
