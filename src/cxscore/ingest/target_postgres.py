"""Importing into PostgreSQL: checked in an in-memory DuckDB workspace, stored with COPY and set-based SQL.

The workspace asks PostgreSQL only for what validation needs (the referenced keys among the values the
rows name; the open quarantine when retrying). Inside the store's one transaction the rejected rows and
the accepted rows are each copied into a temporary table (Arrow batches as CSV through COPY, about 100
times faster than inserting row by row), then merged: changed rows updated, new keys inserted, and the
counts (inserted, updated, unchanged) taken from what PostgreSQL did. A transaction-level advisory lock
per table keeps two imports into the same table from inserting the same new key twice.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
import pyarrow as pa

from cxscore.errors import LoadError
from cxscore.ingest.quarantine import REJECTED
from cxscore.ingest.scratch import scratch
from cxscore.ingest.sql import ident, literal
from cxscore.ingest.target import OPEN_QUARANTINE, Target, workspace_session
from cxscore.ingest.upsert import GOOD, Changes
from cxscore.model import Kind, Table
from cxscore.store import Store
from cxscore.store.engine_postgres import COPY_BATCH_ROWS, PostgresEngine

__all__ = ["PostgresTarget"]

#: Imports that insert or change at least this many rows refresh the table's planner statistics at once
#: (small ones, such as webhook deliveries, leave it to autovacuum).
ANALYZE_AFTER_ROWS = 10_000

_GOOD = "_cx_good"
_REJECTED = "_cx_rejected"


class PostgresTarget(Target):
    """A PostgreSQL store, written from a DuckDB workspace in memory (spilling to the scratch file)."""

    #: Rows the last `upsert` stored (or found unchanged); `resolve` has nothing to do without any.
    _stored = 0

    @contextmanager
    def session(self) -> Iterator[Store]:
        work = Store.duckdb()
        self.store.execute("SET TimeZone = 'UTC'")
        try:
            with workspace_session(work):
                yield work
        finally:
            work.close()

    @property
    def _engine(self) -> PostgresEngine:
        assert isinstance(self.store.engine, PostgresEngine)
        return self.store.engine

    def _q(self, name: str) -> str:
        return self._engine.quote(name)

    def reference_keys(self, work: Store, table: str, column: str, candidates: str) -> str:
        values = [str(r[0]) for r in work.execute(candidates).fetchall() if r[0] is not None]
        found = self.store.execute(
            f"SELECT u.k FROM unnest(?::text[]) AS u(k) WHERE EXISTS "
            f"(SELECT 1 FROM {self._q(table)} r WHERE r.{self._q(column)} = u.k)",
            [values],
        ).fetchall()
        name = scratch(f"_cx_keys_{table}_{column}")
        _to_workspace(work, name, pa.table({"k": pa.array([r[0] for r in found], pa.string())}))
        return f"SELECT k FROM {name}"

    def open_quarantine(self, work: Store, name: str, parameters: list[str]) -> None:
        rows = self.store.execute(OPEN_QUARANTINE, parameters).fetchall()
        columns: list[pa.Array[Any]] = [
            pa.array([r[0] for r in rows], pa.string()),
            pa.array([r[1] for r in rows], pa.int64()),
            pa.array([r[2] for r in rows], pa.string()),
        ]
        _to_workspace(work, name, pa.table(columns, names=["file", "line", "raw"]))

    def lock(self, table: Table) -> None:
        self.store.execute("SELECT pg_advisory_xact_lock(hashtext(?))", [f"cxscore import {table.name}"])

    def store_quarantine(self, work: Store) -> None:
        if not self._upload(work, f"SELECT * FROM {REJECTED}", _REJECTED, "_quarantine"):
            return
        self.store.execute(
            f"DELETE FROM _quarantine WHERE quarantine_id IN (SELECT quarantine_id FROM {_REJECTED})"
        )
        self.store.execute(f"INSERT INTO _quarantine SELECT * FROM {_REJECTED}")

    def upsert(self, work: Store, table: Table, present: set[str]) -> Changes:
        columns = [c for c in table.column_names if c in present]
        select = f"SELECT {', '.join(ident(c) for c in columns)} FROM {GOOD}"
        try:
            good = self._stored = self._upload(work, select, _GOOD, table.name)
        except psycopg.errors.CharacterNotInRepertoire:
            raise LoadError(_nul_message(work, table, columns)) from None
        if not good:
            return Changes(inserted=0, updated=0, unchanged=0)
        target, q = self._q(table.name), self._q
        on = " AND ".join(f"t.{q(k)} = g.{q(k)}" for k in table.key)
        values = [c for c in columns if c not in table.key]
        updated = 0
        if values:
            assignments = ", ".join(f"{q(c)} = g.{q(c)}" for c in values)
            differs = " OR ".join(f"t.{q(c)} IS DISTINCT FROM g.{q(c)}" for c in values)
            updated = self.store.execute(
                f"UPDATE {target} t SET {assignments} FROM {_GOOD} g WHERE {on} AND ({differs})"
            ).rowcount
        names = ", ".join(q(c) for c in columns)
        inserted = self.store.execute(
            f"INSERT INTO {target} ({names}) SELECT {names} FROM {_GOOD} g "
            f"WHERE NOT EXISTS (SELECT 1 FROM {target} t WHERE {on})"
        ).rowcount
        if inserted + updated >= ANALYZE_AFTER_ROWS:
            self._engine.analyze(table.name)
        return Changes(inserted=inserted, updated=updated, unchanged=good - inserted - updated)

    def resolve(self, work: Store, table: Table) -> int:
        """Mark open quarantined rows of `table` resolved when a row with the same key was just stored."""
        if not self._stored:
            return 0
        stored = " AND ".join(
            f"trim(q.raw::json ->> {literal(k)}) = CAST(g.{self._q(k)} AS TEXT)" for k in table.key
        )
        return int(
            self.store.execute(
                f"UPDATE _quarantine q SET status = 'resolved' FROM {_GOOD} g "
                f"WHERE q.table_name = ? AND q.status = 'open' AND {stored}",
                [table.name],
            ).rowcount
        )

    def _upload(self, work: Store, select: str, name: str, like: str) -> int:
        """Copy the workspace rows of `select` into a new temporary table `name` shaped like `like`, dropped
        when the transaction ends; returns how many rows it holds."""
        self.store.execute(f"DROP TABLE IF EXISTS pg_temp.{name}")
        self.store.execute(f"CREATE TEMPORARY TABLE {name} (LIKE {self._q(like)}) ON COMMIT DROP")
        reader = work.con.con.execute(select).to_arrow_reader(COPY_BATCH_ROWS)
        rows = self._engine.copy(name, reader.schema.names, reader)
        # Temporary tables have no statistics until analysed; without them the merge plans badly.
        self.store.execute(f"ANALYZE {name}")
        return rows


def _nul_message(work: Store, table: Table, columns: list[str]) -> str:
    """Say which accepted row holds a NUL character, which PostgreSQL text cannot store."""
    texts = [c.name for c in table.columns if c.name in columns and c.kind is Kind.STRING]
    found = " OR ".join(f"contains({ident(c)}, chr(0))" for c in texts) or "FALSE"
    values = ", ".join(ident(c) for c in texts) or "NULL"
    row = work.execute(f"SELECT _file, _line, {values} FROM {GOOD} WHERE {found} LIMIT 1").fetchone()
    where = "a value has a NUL character (\\0)"
    if row:
        column = next(c for c, v in zip(texts, row[2:], strict=False) if v and "\0" in v)
        where = f"{row[0]} record {row[1]} has a NUL character (\\0) in {column}"
    return (
        f"Cannot import into {table.name} on PostgreSQL: {where}, which PostgreSQL text cannot hold. "
        "Remove it from the file and import again (nothing was stored)."
    )


def _to_workspace(work: Store, name: str, rows: pa.Table) -> None:
    """Create the workspace table `name` holding `rows`."""
    view = "_cx_arrow_rows"
    work.con.con.register(view, rows)
    try:
        work.execute(f"CREATE OR REPLACE TABLE {name} AS SELECT * FROM {view}")
    finally:
        work.con.con.unregister(view)
