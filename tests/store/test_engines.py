"""One suite, three engines: the same rows in, the same rows out, on DuckDB, PostgreSQL and Spark."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import ibis
import pyarrow as pa
import pytest

from cxscore.errors import LoadError, ModelError, SchemaError
from cxscore.model import TABLES
from cxscore.store import SCHEMA_VERSION, Store
from cxscore.store.arrow import arrow_schema
from cxscore.store.store import ALL_TABLES

RESPONSES = TABLES["responses"]


def sample_responses() -> pa.Table:
    """Rows that probe every type: nulls, empty strings, quotes, commas, newlines, far-away dates."""
    rows = pa.table(
        {
            "response_id": ["R-1", "R-2", "R-3", "R-4"],
            "survey_id": ["S-1", "S-1", None, 'S-"quoted", with comma'],
            "nps": pa.array([10, 0, None, 7], pa.int64()),
            "anonymous": [True, False, None, True],
            "comment": ["Great, thanks", "", None, "line one\nline two ünïcode ✓"],
            "responded_at": pa.array(
                [
                    dt.datetime(2025, 3, 1, 10, 15, 0, 123456),
                    dt.datetime(1999, 12, 31, 23, 59, 59),
                    None,
                    dt.datetime(2030, 1, 1),
                ],
                pa.timestamp("us"),
            ),
        }
    )
    return rows.select([n for n in rows.column_names if RESPONSES.has_column(n)])


def sample_contracts() -> pa.Table:
    """Floats that must survive to the last bit, and dates from the far past to the far future."""
    return pa.table(
        {
            "contract_id": ["K-1", "K-2", "K-3"],
            "account_id": ["A-1", "A-1", "A-2"],
            "kind": ["new_business", "renewal", "expansion"],
            "booked_on": pa.array([dt.date(1970, 1, 1), dt.date(2024, 2, 29), None]),
            "start_date": pa.array([dt.date(1900, 1, 1), dt.date(2025, 1, 1), dt.date(2099, 12, 31)]),
            "arr": [0.1 + 0.2, 1e-300, 48000.0],
        }
    )


SAMPLES = {"responses": (sample_responses, "response_id"), "contracts": (sample_contracts, "contract_id")}


def read_back(store: Store, name: str, order_by: str) -> pa.Table:
    table = store.table(name)
    return table.order_by(order_by).to_pyarrow().cast(arrow_schema(ALL_TABLES[name]))


def test_fresh_store_has_every_table_and_the_version(any_store: Store) -> None:
    assert set(ALL_TABLES) <= set(any_store.engine.list_tables())
    assert any_store.schema_version() == SCHEMA_VERSION
    for table in TABLES.values():
        assert tuple(any_store.con.get_schema(table.name).names) == table.column_names
    assert any_store.count("responses") == 0


def test_column_types_are_the_model_types(any_store: Store) -> None:
    for table in TABLES.values():
        schema = any_store.con.get_schema(table.name)
        for column in table.columns:
            stored, wanted = schema[column.name], ibis.dtype(column.kind.ibis)
            # The engines differ only in timestamp precision (microseconds or unstated), never in kind.
            assert (type(stored), getattr(stored, "timezone", None)) == (type(wanted), None), column.name


@pytest.mark.parametrize("name", SAMPLES)
def test_load_reads_back_identical(any_store: Store, name: str) -> None:
    sample, key = SAMPLES[name]
    rows = sample()
    table = TABLES[name]
    assert any_store.load(name, rows) == rows.num_rows
    expected = pa.table(
        {c: rows.column(c) if c in rows.column_names else pa.nulls(rows.num_rows) for c in table.column_names}
    ).cast(arrow_schema(table))
    assert read_back(any_store, name, key).equals(expected)


def test_load_appends_and_takes_record_batches(any_store: Store) -> None:
    rows = sample_responses()
    any_store.load("responses", rows.slice(0, 2))
    any_store.load("responses", rows.slice(2).to_batches()[0])
    assert any_store.count("responses") == 4


def test_load_casts_to_the_model_types(any_store: Store) -> None:
    rows = pa.table({"response_id": ["R-9"], "nps": pa.array([9], pa.int8()), "responded_at": ["2025-01-02"]})
    any_store.load("responses", rows)
    back = read_back(any_store, "responses", "response_id")
    assert back.column("nps").to_pylist() == [9]
    assert back.column("responded_at").to_pylist() == [dt.datetime(2025, 1, 2)]


def test_load_refuses_unknown_columns_and_bad_values(any_store: Store) -> None:
    with pytest.raises(LoadError, match=r"colour that table 'responses' does not have"):
        any_store.load("responses", pa.table({"response_id": ["R-1"], "colour": ["red"]}))
    with pytest.raises(LoadError, match=r"'nps' of 'responses': its string values do not convert to int64"):
        any_store.load("responses", pa.table({"response_id": ["R-1"], "nps": ["ten"]}))
    with pytest.raises(ModelError, match="no table 'answers'"):
        any_store.load("answers", sample_responses())
    assert any_store.count("responses") == 0


def test_schema_upgrade_adds_missing_columns(any_store: Store) -> None:
    cases = TABLES["cases"]
    older = [c for c in cases.columns if c.name != "priority"]
    any_store.con.drop_table("cases")
    any_store.con.create_table("cases", schema=ibis.schema({c.name: c.kind.ibis for c in older}))
    any_store.engine.replace_fact(ALL_TABLES["_cxscore_meta"], "schema_version", "0")
    assert any_store.schema_version() == 0
    any_store.ensure_schema()
    assert "priority" in any_store.con.get_schema("cases").names
    assert any_store.schema_version() == SCHEMA_VERSION


def test_newer_schema_is_refused(any_store: Store) -> None:
    any_store.engine.replace_fact(ALL_TABLES["_cxscore_meta"], "schema_version", str(SCHEMA_VERSION + 1))
    with pytest.raises(SchemaError, match="pip install --upgrade cxscore"):
        any_store.ensure_schema()


def test_execute_takes_question_mark_parameters(any_store: Store) -> None:
    any_store.load("products", pa.table({"product_id": ["atlas", "boreas"], "name": ["Atlas 100%", "?"]}))
    rows = any_store.execute(
        "SELECT name FROM products WHERE product_id = ? AND name LIKE 'Atlas%'", ["atlas"]
    )
    assert [tuple(r) for r in rows.fetchall()] == [("Atlas 100%",)]


def test_copy_from_duckdb(any_store: Store, tmp_path: Path) -> None:
    source = Store.duckdb(tmp_path / "source.duckdb")
    source.create_schema()
    source.load("responses", sample_responses())
    source.load("products", pa.table({"product_id": ["atlas"], "name": ["Atlas"]}))
    copied = any_store.copy_from(source, tables=["responses", "products", "cases"])
    assert copied == {"responses": 4, "products": 1, "cases": 0}
    assert read_back(any_store, "responses", "response_id").equals(
        read_back(source, "responses", "response_id")
    )
    source.close()


#: The engines with transactions; Spark has none (see test_spark_transaction_is_a_documented_no_op).
TRANSACTIONAL = [pytest.param(e, marks=getattr(pytest.mark, e)) for e in ("duckdb", "postgres")]


@pytest.mark.parametrize("any_store", TRANSACTIONAL, indirect=True)
def test_transaction_rolls_back_everything(any_store: Store) -> None:
    assert any_store.engine.transactional
    with pytest.raises(RuntimeError, match="boom"), any_store.transaction():
        any_store.load("products", pa.table({"product_id": ["atlas"]}))
        with any_store.transaction():
            any_store.execute("INSERT INTO products (product_id) VALUES (?)", ["boreas"])
        raise RuntimeError("boom")
    assert any_store.count("products") == 0
    with any_store.transaction():
        any_store.load("products", pa.table({"product_id": ["atlas"]}))
    assert any_store.count("products") == 1


@pytest.mark.parametrize("any_store", [pytest.param("spark", marks=pytest.mark.spark)], indirect=True)
def test_spark_transaction_is_a_documented_no_op(any_store: Store) -> None:
    assert not any_store.engine.transactional
    with pytest.raises(RuntimeError, match="boom"), any_store.transaction():
        any_store.load("products", pa.table({"product_id": ["atlas"]}))
        raise RuntimeError("boom")
    assert any_store.count("products") == 1  # kept: there was nothing to roll back


def test_create_schema_on_an_empty_store(empty_store: Store) -> None:
    assert empty_store.schema_version() is None
    with pytest.raises(SchemaError, match="cxscore init"):
        empty_store.ensure_schema()
    empty_store.create_schema()
    empty_store.create_schema()  # a second time adds nothing and breaks nothing
    assert empty_store.schema_version() == SCHEMA_VERSION
