"""Where an import writes, seen from the DuckDB workspace where its rows are read, typed and checked.

Reading (DuckDB's CSV, Parquet and JSON readers) and validation (the SQL of `rules` and `validate`) always
run in DuckDB: the *workspace*. What differs between the engines is only how the workspace sees the
store's rows (the keys that references point at, the open quarantine) and how the accepted and rejected
rows get into the store, in one transaction. On a DuckDB store the workspace *is* the store's connection
(with a scratch database attached), so nothing is copied; a PostgreSQL store gets an in-memory DuckDB
workspace and receives the rows through COPY (`cxscore.ingest.target_postgres`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager

from cxscore.errors import LoadError
from cxscore.ingest.quarantine import apply_quarantine, resolve_stored
from cxscore.ingest.scratch import scratch_database
from cxscore.ingest.sources import STAGE
from cxscore.ingest.sql import ident
from cxscore.ingest.upsert import Changes, Plan, apply_upsert, plan_upsert
from cxscore.model import Table
from cxscore.store import Store

__all__ = ["OPEN_QUARANTINE", "DuckDBTarget", "Target", "target_for", "workspace_session"]

_MEMORY_LIMIT = "1536MB"

#: The open quarantined rows of one table and one set of import options, for a retry (portable SQL with
#: three parameters: the table, the options as JSON, and the start of a malformed line's raw JSON).
OPEN_QUARANTINE = (
    "SELECT q.file, q.line, q.raw FROM _quarantine q LEFT JOIN _imports i USING (import_id) "
    "WHERE q.status = 'open' AND q.table_name = ? AND coalesce(i.options, '{}') = ? "
    "AND NOT starts_with(q.raw, ?)"
)


class Target:
    """The store an import writes to: how the workspace reads from it and how the results are stored.

    The importer calls, in order: `session()` (yields the workspace), `reference_keys` while validating,
    `prepare` before the store's transaction, then inside it `lock`, `store_quarantine`, `upsert` and
    `resolve`.
    """

    def __init__(self, store: Store) -> None:
        self.store = store

    def session(self) -> AbstractContextManager[Store]:
        """The workspace for one import: a DuckDB store with the scratch database attached."""
        raise NotImplementedError

    def reference_keys(self, work: Store, table: str, column: str, candidates: str) -> str:
        """A query, in the workspace, giving as `k` the stored values of `table.column` among the values of
        the `candidates` query (the distinct non-blank values the staged rows refer to)."""
        raise NotImplementedError

    def open_quarantine(self, work: Store, name: str, parameters: list[str]) -> None:
        """Create the workspace table `name` from `OPEN_QUARANTINE` run on the store."""
        raise NotImplementedError

    def prepare(self, work: Store, table: Table, present: set[str]) -> None:
        """Work out, before the store's transaction, what can be (nothing by default)."""

    def lock(self, table: Table) -> None:
        """Keep other imports into `table` out until this transaction ends (nothing by default)."""

    def store_quarantine(self, work: Store) -> None:
        raise NotImplementedError

    def upsert(self, work: Store, table: Table, present: set[str]) -> Changes:
        raise NotImplementedError

    def resolve(self, work: Store, table: Table) -> int:
        raise NotImplementedError


class DuckDBTarget(Target):
    """A DuckDB store: the workspace is the store's own connection, so its tables are read in place."""

    _plan = Plan(first_load=True, matched=0, updated=0)

    @contextmanager
    def session(self) -> Iterator[Store]:
        with workspace_session(self.store):
            yield self.store

    def reference_keys(self, work: Store, table: str, column: str, candidates: str) -> str:
        return f"SELECT {ident(column)} AS k FROM {ident(table)}"

    def open_quarantine(self, work: Store, name: str, parameters: list[str]) -> None:
        work.execute(f"CREATE OR REPLACE TABLE {name} AS {OPEN_QUARANTINE}", parameters)

    def prepare(self, work: Store, table: Table, present: set[str]) -> None:
        self._plan = plan_upsert(work, table, present)

    def store_quarantine(self, work: Store) -> None:
        apply_quarantine(work)

    def upsert(self, work: Store, table: Table, present: set[str]) -> Changes:
        return apply_upsert(work, table, present, self._plan)

    def resolve(self, work: Store, table: Table) -> int:
        return resolve_stored(work, table)


@contextmanager
def workspace_session(work: Store) -> Iterator[None]:
    """Session settings for an import's workspace: moments in UTC, bounded memory (DuckDB spills beyond
    it), and a scratch database for the intermediate tables."""
    work.execute("SET TimeZone = 'UTC'")
    work.execute(f"SET memory_limit = '{_MEMORY_LIMIT}'")
    try:
        with scratch_database(work):
            yield
    finally:
        work.execute(f"DROP VIEW IF EXISTS {STAGE}")
        work.execute("RESET memory_limit")
        work.execute("RESET preserve_insertion_order")


def target_for(store: Store) -> Target:
    """The import target for `store`'s engine; Spark, which has no transactions, cannot be imported into.

    The PostgreSQL target is imported only for a PostgreSQL store: it needs psycopg, which only the
    `postgres` extra installs.
    """
    if store.backend == "duckdb":
        return DuckDBTarget(store)
    if store.backend != "postgres":
        raise LoadError(
            f"Cannot import into a {store.backend} store: an import is one transaction, and {store.backend} "
            "has none. Import into a DuckDB or PostgreSQL store, then copy the tables with "
            "Store.copy_from (docs/how-to/spark-cluster.md)."
        )
    from cxscore.ingest.target_postgres import PostgresTarget

    return PostgresTarget(store)
