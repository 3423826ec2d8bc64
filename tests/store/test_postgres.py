"""PostgreSQL specifics: a schema of its own, and transactions that other connections cannot see into."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import psycopg
import pyarrow as pa
import pytest

from cxscore.errors import StoreConnectionError
from cxscore.store import SCHEMA_VERSION, Store

pytestmark = pytest.mark.postgres


@pytest.fixture
def database(postgres_server: Any) -> Iterator[str]:
    """The URL of a new, empty database on the run's server."""
    name = postgres_server.create_database()
    yield postgres_server.url(name)
    postgres_server.drop_database(name)


def test_tables_go_to_the_schema_the_url_names(database: str) -> None:
    store = Store.postgres(database + "?schema=analytics")
    try:
        store.create_schema()
        store.load("products", pa.table({"product_id": ["atlas"]}))
        assert store.schema_version() == SCHEMA_VERSION
        with psycopg.connect(database) as other:
            found = other.execute(
                "SELECT table_schema FROM information_schema.tables WHERE table_name = 'products'"
            ).fetchall()
            assert found == [("analytics",)]
            assert other.execute("SELECT product_id FROM analytics.products").fetchall() == [("atlas",)]
    finally:
        store.close()


def test_a_transaction_is_invisible_to_others_until_it_commits(database: str) -> None:
    store = Store.postgres(database)
    store.create_schema()
    try:
        with psycopg.connect(database, autocommit=True) as other, store.transaction():
            store.load("products", pa.table({"product_id": ["atlas"]}))
            assert store.count("products") == 1  # Ibis reads inside the same transaction
            assert other.execute("SELECT count(*) FROM products").fetchone() == (0,)
        assert other_count(database) == 1
    finally:
        store.close()


def other_count(database: str) -> int:
    with psycopg.connect(database) as other:
        row = other.execute("SELECT count(*) FROM products").fetchone()
        assert row is not None
        return int(row[0])


def test_an_unreachable_server_is_reported_with_the_url_and_the_fix() -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(
        StoreConnectionError, match=rf"postgresql://cx@127.0.0.1:{port}/cx: .*CXSCORE_STORE"
    ) as raised:
        Store.open(f"postgresql://cx:hunter2@127.0.0.1:{port}/cx")
    assert "hunter2" not in str(raised.value)


def indexed_keys(database: str) -> dict[str, str]:
    """The key index of each table, as `table -> indexed columns`."""
    with psycopg.connect(database) as other:
        rows = other.execute(
            "SELECT tablename, indexdef FROM pg_indexes WHERE indexname LIKE 'cx\\_%\\_key'"
        ).fetchall()
    return {str(t): str(d).rsplit("(", 1)[1].rstrip(")") for t, d in rows}


def test_every_key_is_indexed_and_an_older_store_gets_the_indexes(database: str) -> None:
    from cxscore.store.store import ALL_TABLES

    store = Store.postgres(database)
    try:
        store.create_schema()
        keyed = {name: ", ".join(t.key) for name, t in ALL_TABLES.items() if t.key}
        assert indexed_keys(database) == keyed
        assert indexed_keys(database)["trainings"] == "person_id, course, completed_on"
        # A store made before schema version 4 has no indexes; opening it adds them.
        for name in keyed:
            store.execute(f"DROP INDEX cx_{name}_key")
        store.execute("UPDATE _cxscore_meta SET value = '3' WHERE key = 'schema_version'")
        store.ensure_schema()
        assert indexed_keys(database) == keyed
        assert store.schema_version() == SCHEMA_VERSION
    finally:
        store.close()
