"""The few pieces of survey SQL that differ between the engines the survey service runs on.

The survey tables are written with raw SQL that DuckDB and PostgreSQL both accept (standard functions,
explicit casts, intervals as ``n * INTERVAL '1 millisecond'``, aggregates with ``FILTER`` and
``percentile_cont(...) WITHIN GROUP``). What has no common form is looked up here by the store's
engine, as a table rather than as branches spread over the modules. Spark is not supported: it has no
transactions, and the survey service needs them.

>>> SHA256_HEX["postgres"].format("a.response_id")
"encode(sha256(convert_to(a.response_id, 'UTF8')), 'hex')"
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from cxscore.errors import ConfigError
from cxscore.store import Store

__all__ = [
    "ENGINES",
    "EXCLUSIVE_KEYS",
    "SENDING_LOCK",
    "SENDING_LOCK_KEY",
    "SHA256_HEX",
    "changed_rows",
    "exclusive",
    "require_engine",
]

#: The engines the survey service runs on.
ENGINES = ("duckdb", "postgres")

#: The lower-case hex SHA-256 of a text expression (`{}`): DuckDB's `sha256` returns hex text,
#: PostgreSQL's takes and returns bytes.
SHA256_HEX = {
    "duckdb": "sha256({})",
    "postgres": "encode(sha256(convert_to({}, 'UTF8')), 'hex')",
}


#: The statements that take (without waiting) and release the lock one sending process holds, on the
#: engines that several processes share; the embedded DuckDB store has one process and needs none.
SENDING_LOCK = {
    "postgres": (
        "SELECT pg_try_advisory_lock(CAST(? AS BIGINT))",
        "SELECT pg_advisory_unlock(CAST(? AS BIGINT))",
    ),
}
#: The key of that lock (any number the database's other users do not take: "cxsend" in ASCII).
SENDING_LOCK_KEY = 0x637873656E64


#: Keys of the database locks that serialise work several processes could otherwise do twice at once.
EXCLUSIVE_KEYS = {
    "webhook": 0x637877656268,
    "followups": 0x6378666F6C6C,
    "definitions": 0x637864656673,
    "unsubscribes": 0x6378756E7375,
}


@contextmanager
def exclusive(store: Store, work: str) -> Iterator[None]:
    """One transaction in which no other process does the same `work` (a key of `EXCLUSIVE_KEYS`).

    On PostgreSQL several servers share the store: the transaction takes a lock of the database that the
    others wait for, and that the commit releases. The embedded store has one process: nothing to do."""
    if store.backend != "postgres":
        yield
        return
    with store.transaction():
        store.execute("SELECT pg_advisory_xact_lock(CAST(? AS BIGINT))", [EXCLUSIVE_KEYS[work]])
        yield


def require_engine(store: Store) -> None:
    """Refuse a store the survey service cannot run on, naming the engines it can."""
    if store.backend not in ENGINES:
        raise ConfigError(
            f"Surveys and follow-ups need a DuckDB or PostgreSQL store, not {store.backend}: they write "
            "in transactions, which Spark does not have. Put the project on PostgreSQL "
            "(docs/how-to/postgresql.md) or keep the embedded DuckDB store."
        )


def changed_rows(store: Store, result: Any) -> int:
    """How many rows an INSERT, UPDATE or DELETE changed: DuckDB returns them as a row, psycopg's cursor
    has `rowcount`."""
    if store.backend == "postgres":
        return max(int(result.rowcount), 0)
    row = result.fetchone()
    return int(row[0]) if row else 0
