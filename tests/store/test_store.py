from __future__ import annotations

from pathlib import Path

import pytest

from cxscore.errors import ProjectNotFoundError, SchemaError, StoreConnectionError
from cxscore.model import TABLES
from cxscore.store import SCHEMA_VERSION, Project, Store, init_project, open_project


def test_init_creates_every_table(store: Store) -> None:
    tables = set(store.con.list_tables())
    assert set(TABLES) <= tables
    assert {"_imports", "_quarantine", "_cxscore_meta"} <= tables
    assert store.schema_version() == SCHEMA_VERSION


def test_columns_match_the_model(store: Store) -> None:
    for table in TABLES.values():
        assert tuple(store.con.get_schema(table.name).names) == table.column_names


def test_init_twice_keeps_data(project: Project) -> None:
    store = project.store()
    store.execute("INSERT INTO products VALUES ('atlas', 'Atlas', NULL)")
    store.close()
    init_project(project.root)
    store = project.store()
    assert store.count("products") == 1
    store.close()


def test_open_project_searches_upwards(project: Project) -> None:
    nested = project.root / "metrics"
    assert open_project(nested).root == project.root


def test_open_project_outside_a_project_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(ProjectNotFoundError, match="cxscore init"):
        open_project(tmp_path)


def test_older_store_upgrades_itself(project: Project) -> None:
    store = project.store()
    store.execute("ALTER TABLE cases DROP COLUMN priority")
    store.execute("UPDATE _cxscore_meta SET value = '0' WHERE key = 'schema_version'")
    store.close()
    store = project.store()
    assert "priority" in store.con.get_schema("cases").names
    assert store.schema_version() == SCHEMA_VERSION
    store.close()


def test_a_version_1_store_gets_the_survey_and_web_tables(project: Project) -> None:
    store = project.store()
    for name in ("followups", "followup_notes", "unsubscribes", "_survey_links", "_users", "_audit_log"):
        store.execute(f"DROP TABLE {name}")
    store.execute("UPDATE _cxscore_meta SET value = '1' WHERE key = 'schema_version'")
    store.close()
    store = project.store()
    tables = set(store.con.list_tables())
    assert {"followups", "followup_notes", "unsubscribes", "_survey_links", "_users", "_audit_log"} <= tables
    assert store.schema_version() == SCHEMA_VERSION == 6
    store.close()


def test_newer_store_is_refused_with_the_fix(project: Project) -> None:
    store = project.store()
    store.execute(f"UPDATE _cxscore_meta SET value = '{SCHEMA_VERSION + 1}'")
    with pytest.raises(SchemaError, match="pip install --upgrade cxscore"):
        store.ensure_schema()
    store.close()


def test_store_without_schema_says_run_init(tmp_path: Path) -> None:
    store = Store.duckdb(tmp_path / "empty.duckdb")
    with pytest.raises(SchemaError, match="cxscore init"):
        store.ensure_schema()
    store.close()


def test_transaction_rolls_back_on_error(store: Store) -> None:
    with pytest.raises(RuntimeError), store.transaction():
        store.execute("INSERT INTO products VALUES ('atlas', 'Atlas', NULL)")
        raise RuntimeError("boom")
    assert store.count("products") == 0


def test_a_store_held_by_another_process_says_what_to_do(project: Project) -> None:
    import subprocess
    import sys

    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, duckdb; c = duckdb.connect(sys.argv[1]); "
            "print('ready', flush=True); sys.stdin.read()",
            str(project.database_path),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
        with pytest.raises(
            StoreConnectionError, match=rf"open in another program \(process {holder.pid}\)"
        ) as error:
            project.store()
        assert "the web app's Import page (/imports" in str(error.value)
    finally:
        holder.communicate("", timeout=30)
