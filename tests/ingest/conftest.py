"""Helpers for import tests: every test's project store is the embedded DuckDB file and, again, a new
PostgreSQL database (chosen with CXSCORE_STORE, as a deployment does), so each guarantee of the importer
is checked on both engines."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest

from cxscore.ingest import ImportOptions, ImportResult, import_files
from cxscore.store import Project, Store

IMPORT_ENGINES = [pytest.param(name, marks=getattr(pytest.mark, name)) for name in ("duckdb", "postgres")]


def write_csv(path: Path, header: list[str], rows: list[list[Any]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


@pytest.fixture(params=IMPORT_ENGINES)
def engine(request: pytest.FixtureRequest) -> str:
    """The engine of the test's project store."""
    return str(request.param)


@pytest.fixture
def project(project_on_engine: Project) -> Project:
    """A new, empty project on `engine` (see `project_on_engine` in tests/conftest.py)."""
    return project_on_engine


@pytest.fixture
def load(store: Store, tmp_path: Path) -> Any:
    """load(table, header, rows, **options) writes a CSV and imports it."""
    counter = iter(range(10_000))

    def run(table: str, header: list[str], rows: list[list[Any]], **options: Any) -> ImportResult:
        path = write_csv(tmp_path / f"{table}-{next(counter)}.csv", header, rows)
        return import_files(store, table, [path], ImportOptions(**options))

    return run


@pytest.fixture
def reasons(store: Store) -> Any:
    """reasons() lists the quarantine's reasons in record order."""

    def run() -> list[str]:
        rows = store.execute("SELECT reason FROM _quarantine WHERE status = 'open' ORDER BY line").fetchall()
        return [str(r[0]) for r in rows]

    return run
