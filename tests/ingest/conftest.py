"""Helpers for import tests: write small source files and read the store back."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest

from cxscore.ingest import ImportOptions, ImportResult, import_files
from cxscore.store import Store


def write_csv(path: Path, header: list[str], rows: list[list[Any]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


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
