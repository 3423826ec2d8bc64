"""Spark stores: Parquet folders that outlive the session's catalogue, and managed tables."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import ibis
import pyarrow as pa
import pytest

from cxscore.model import TABLES
from cxscore.store import SCHEMA_VERSION, Store
from cxscore.store.arrow import conform
from cxscore.store.store import ALL_TABLES

pytestmark = pytest.mark.spark

ROWS = pa.table({"product_id": ["atlas", "boreas"], "name": ["Atlas", ""]})


@pytest.fixture
def spark(spark_databases: Any) -> Iterator[Any]:
    """Opens Spark stores on new sessions and databases, and drops them all afterwards."""
    opened: list[tuple[str, Any]] = []

    def open_store(path: Any = None) -> Store:
        session, database, folder = spark_databases.new()
        opened.append((database, folder))
        return Store.spark(session, database=database, path=str(path) if path else None)

    yield open_store
    for database, folder in opened:
        spark_databases.drop(database, folder)


def test_parquet_folders_are_found_again_by_a_new_session(spark: Any, tmp_path: Any) -> None:
    first = spark(tmp_path / "cx")
    first.create_schema()
    first.load("products", ROWS)
    assert (tmp_path / "cx" / "products").is_dir()
    # A new session and catalogue database know nothing of the tables: the folders are enough.
    second = spark(tmp_path / "cx")
    assert second.schema_version() == SCHEMA_VERSION
    second.ensure_schema()
    assert (
        second.table("products")
        .order_by("product_id")
        .to_pyarrow()
        .select(["product_id", "name"])
        .equals(ROWS)
    )


def test_an_older_parquet_store_is_upgraded_in_place(spark: Any, tmp_path: Any) -> None:
    first = spark(tmp_path / "cx")
    first.create_schema()
    cases = TABLES["cases"]
    older = {c.name: c.kind.ibis for c in cases.columns if c.name != "priority"}
    first.execute("DROP TABLE cases")  # an external table: its folder stays
    first.con.create_table("cases", schema=ibis.schema(older))
    first.execute(f"ALTER TABLE cases SET LOCATION '{tmp_path / 'cx' / 'cases'}'")
    first.load("cases", pa.table({"case_id": ["CS-1"]}))
    first.engine.replace_fact(ALL_TABLES["_cxscore_meta"], "schema_version", "0")
    second = spark(tmp_path / "cx")
    assert "priority" not in second.con.get_schema("cases").names
    second.ensure_schema()
    assert "priority" in second.con.get_schema("cases").names
    assert second.schema_version() == SCHEMA_VERSION
    assert second.table("cases").case_id.to_pyarrow().to_pylist() == ["CS-1"]


def test_managed_tables_without_a_path(spark: Any) -> None:
    store = spark()
    store.create_schema()
    store.load("products", ROWS)
    assert store.count("products") == 2
    assert set(ALL_TABLES) <= set(store.engine.list_tables())


def both_load_paths_rows() -> pa.Table:
    return pa.table(
        {
            "response_id": ["R-1", "R-2", "R-3"],
            "responded_at": pa.array([dt.datetime(2025, 3, 1, 10, 15, 0, 1), None, dt.datetime(1970, 1, 1)]),
            "nps": [10, None, 0],
            "comment": ["", None, 'a\nb, "c"'],
            "anonymous": [True, None, False],
        }
    )


@pytest.mark.parametrize("stage_locally", [True, False], ids=["through-parquet", "create-data-frame"])
def test_both_load_paths_store_the_same_rows(spark: Any, stage_locally: bool) -> None:
    store = spark()
    store.create_schema()
    store.engine.stage_locally = stage_locally
    rows = pa.table(
        {
            "response_id": ["R-1", "R-2", "R-3"],
            "responded_at": pa.array([dt.datetime(2025, 3, 1, 10, 15, 0, 1), None, dt.datetime(1970, 1, 1)]),
            "nps": [10, None, 0],
            "comment": ["", None, 'a\nb, "c"'],
            "anonymous": [True, None, False],
        }
    )
    store.load("responses", rows)
    back = store.table("responses").order_by("response_id").select(*rows.column_names).to_pyarrow()
    assert back.cast(rows.schema).equals(rows)


def test_the_pandas_route_for_pyspark_3_keeps_nulls_and_types(spark: Any) -> None:
    store = spark()
    store.create_schema()
    stored = store.engine.session.table("responses").schema
    rows = conform(TABLES["responses"], both_load_paths_rows())
    store.engine.pandas_frame(rows, stored).write.insertInto("responses")
    back = store.table("responses").order_by("response_id").to_pyarrow().cast(rows.schema)
    assert back.equals(rows)
