"""The layers above the metric engine on PostgreSQL and Spark: the small demo company (seed 7) built once
on DuckDB, copied into a database of the run's PostgreSQL server, and a second project folder whose
`cxscore.yaml` points at that database (`store: url:`), as a company running cxscore on PostgreSQL has.

Every test calls a layer's Python API on both projects and asks `assert_same` whether the answers agree:
the same rows in the same order, strings, dates, counts and money (Decimal) identical, floats within a
relative 1e-9 (PostgreSQL and DuckDB sum floats in different orders, which moves the last bits).
"""

from __future__ import annotations

import dataclasses
import math
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml

from cxscore.demo import generate
from cxscore.store import Project, Store, open_project
from cxscore.store.project import CONFIG_FILE, CONFIG_FOLDERS

SEED = 7
#: Relative tolerance on floats between engines; absolute below ABS_TOL (a value that is 0 on one).
REL_TOL = 1e-9
ABS_TOL = 1e-12

Same = Callable[[Any, Any], None]


@pytest.fixture(scope="session")
def duckdb_demo(tmp_path_factory: pytest.TempPathFactory) -> Project:
    """The small demo company on its embedded DuckDB store."""
    root = tmp_path_factory.mktemp("layers-duckdb") / "company"
    generate(root, "small", SEED)
    return open_project(root)


@pytest.fixture(scope="session")
def postgres_demo(
    duckdb_demo: Project, postgres_server: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Project]:
    """The same company in a PostgreSQL database, behind a project folder with the same configuration."""
    database = postgres_server.create_database()
    url = postgres_server.url(database)
    target = Store.postgres(url)
    try:
        copy_store(duckdb_demo, target)
    finally:
        target.close()
    root = tmp_path_factory.mktemp("layers-postgres") / "company"
    project = project_on(duckdb_demo, root, url)
    assert project.store_settings.engine == "postgres"
    yield project
    postgres_server.drop_database(database)


@pytest.fixture(scope="session")
def spark_demo(duckdb_demo: Project, spark_databases: Any) -> Iterator[Store]:
    """The same company in a Spark database of the run's session (Parquet folders), as an open store.

    Not a project folder: a store opened from a `spark://` URL gets the run's session back from
    `getOrCreate()` and, when closed, stops it.
    """
    session, database, folder = spark_databases.new()
    store = Store.spark(session, database=database, path=str(folder))
    try:
        copy_store(duckdb_demo, store)
        yield store
    finally:
        store.close()
        spark_databases.drop(database, folder)


def copy_store(source: Project, target: Store) -> dict[str, int]:
    """Every canonical table of `source`'s store appended to `target` (which gets the schema first)."""
    opened = source.store()
    try:
        target.create_schema()
        copied = target.copy_from(opened)
        assert copied == {name: opened.count(name) for name in copied}
        return copied
    finally:
        opened.close()


def project_on(source: Project, root: Path, url: str) -> Project:
    """A project folder at `root` with `source`'s configuration folders and its store at `url`."""
    root.mkdir(parents=True)
    for folder in CONFIG_FOLDERS:
        if (source.root / folder).is_dir():
            shutil.copytree(source.root / folder, root / folder)
    settings = {"name": f"{source.name} ({url.split(':', 1)[0]})", "store": {"url": url}}
    (root / CONFIG_FILE).write_text(yaml.safe_dump(settings), encoding="utf-8")
    return open_project(root)


@pytest.fixture(scope="session")
def assert_same() -> Same:
    """`assert_same(on_duckdb, on_other)`: fails naming the first place where two answers differ."""
    return same


def same(left: Any, right: Any, where: str = "answer") -> None:
    """Compare two answers of a layer, recursively: dataclasses, mappings, sequences, frames, leaves."""
    if dataclasses.is_dataclass(left) and not isinstance(left, type):
        assert type(left) is type(right), f"{where}: {type(left).__name__} vs {type(right).__name__}"
        for field in dataclasses.fields(left):
            same(getattr(left, field.name), getattr(right, field.name), f"{where}.{field.name}")
    elif isinstance(left, pd.DataFrame):
        assert isinstance(right, pd.DataFrame), f"{where}: a frame vs {type(right).__name__}"
        assert list(left.columns) == list(right.columns), f"{where}: columns differ"
        same(left.to_dict("records"), right.to_dict("records"), where)
    elif isinstance(left, dict):
        assert isinstance(right, dict) and list(left) == list(right), f"{where}: keys {list(left)} vs {right}"
        for key in left:
            same(left[key], right[key], f"{where}[{key!r}]")
    elif isinstance(left, np.ndarray):
        assert isinstance(right, np.ndarray), f"{where}: an array vs {type(right).__name__}"
        same(left.tolist(), right.tolist(), where)
    elif isinstance(left, (list, tuple)):
        assert isinstance(right, (list, tuple)), f"{where}: a sequence vs {type(right).__name__}"
        assert len(left) == len(right), f"{where}: {len(left)} items vs {len(right)}"
        for i, (a, b) in enumerate(zip(left, right, strict=True)):
            same(a, b, f"{where}[{i}]")
    else:
        _same_leaf(left, right, where)


def _same_leaf(left: Any, right: Any, where: str) -> None:
    # The same type on both engines: an int that comes back as a float, a date as a timestamp or a
    # None as a NaN shows differently in tables, CSV and JSON.
    kinds = f"{type(left).__name__} vs {type(right).__name__}"
    assert type(left) is type(right), f"{where}: {left!r} vs {right!r} ({kinds})"
    if isinstance(left, (float, np.floating)) and not (math.isnan(left) and math.isnan(right)):
        close = math.isclose(float(left), float(right), rel_tol=REL_TOL, abs_tol=ABS_TOL)
        assert close, f"{where}: {left!r} vs {right!r}"
    elif not isinstance(left, (float, np.floating)):
        # Decimal (money) is compared exactly, to the cent.
        assert left is right or left == right, f"{where}: {left!r} vs {right!r}"
