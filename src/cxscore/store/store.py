"""A connection to where the canonical tables live, through Ibis.

The embedded DuckDB file is the default; the same tables can live in PostgreSQL. Schema changes are
versioned: an older store upgrades itself when opened, a newer one is refused with the fix.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import ibis
from ibis.backends import BaseBackend

from cxscore.errors import SchemaError
from cxscore.model import TABLES, Table
from cxscore.store import bookkeeping

__all__ = ["SCHEMA_VERSION", "Store", "ibis_schema"]

#: Version of the store schema this cxscore writes. Bump it with every schema change and describe the
#: change in `_CHANGES`; additive changes (new tables, new nullable columns) are applied automatically.
SCHEMA_VERSION = 1

_CHANGES: dict[int, str] = {1: "initial schema"}

ALL_TABLES: dict[str, Table] = {**{t.name: t for t in bookkeeping.TABLES}, **TABLES}


def ibis_schema(table: Table) -> ibis.Schema:
    """The Ibis schema of a canonical table: every column nullable, types from the model."""
    return ibis.schema({c.name: c.kind.ibis for c in table.columns})


class Store:
    """The canonical tables on one backend, with versioned schema and transactions."""

    def __init__(self, con: BaseBackend) -> None:
        self.con = con

    @classmethod
    def duckdb(cls, path: Path | str = ":memory:") -> Store:
        """Open (or create) an embedded DuckDB store at `path`."""
        return cls(ibis.duckdb.connect(str(path)))

    @property
    def backend(self) -> str:
        return str(self.con.name)

    def close(self) -> None:
        self.con.disconnect()

    def table(self, name: str) -> ibis.Table:
        """The canonical or bookkeeping table `name` as an Ibis expression."""
        return self.con.table(name)

    def count(self, name: str) -> int:
        return int(self.table(name).count().execute())

    def schema_version(self) -> int | None:
        """The schema version recorded in the store, or None when it has no cxscore schema."""
        if bookkeeping.META.name not in self.con.list_tables():
            return None
        meta = self.table(bookkeeping.META.name)
        rows = meta.filter(meta.key == "schema_version").value.to_pyarrow().to_pylist()
        return int(rows[0]) if rows else None

    def create_schema(self) -> None:
        """Create every missing table and column, and record the schema version."""
        existing = set(self.con.list_tables())
        with self.transaction():
            for table in ALL_TABLES.values():
                if table.name not in existing:
                    self.con.create_table(table.name, schema=ibis_schema(table))
                else:
                    self._add_missing_columns(table)
            self._set_version(SCHEMA_VERSION)

    def ensure_schema(self) -> None:
        """Check the schema version; upgrade an older store, refuse a newer one."""
        version = self.schema_version()
        if version is None:
            raise SchemaError("This store has no cxscore tables. Create them with `cxscore init`.")
        if version > SCHEMA_VERSION:
            raise SchemaError(
                f"This store has schema version {version}, newer than the {SCHEMA_VERSION} this "
                "cxscore understands. Upgrade cxscore: pip install --upgrade cxscore."
            )
        if version < SCHEMA_VERSION:
            self.create_schema()

    def _add_missing_columns(self, table: Table) -> None:
        present = set(self.con.get_schema(table.name).names)
        for column in table.columns:
            if column.name not in present:
                self.execute(f'ALTER TABLE "{table.name}" ADD COLUMN "{column.name}" {column.kind.sql}')

    def _set_version(self, version: int) -> None:
        self.execute(f"DELETE FROM \"{bookkeeping.META.name}\" WHERE key = 'schema_version'")
        self.execute(f"INSERT INTO \"{bookkeeping.META.name}\" VALUES ('schema_version', '{version}')")

    def execute(self, sql: str, parameters: list[Any] | None = None) -> Any:
        """Run one SQL statement on the backend's own connection (for DDL and bulk DML)."""
        raw = self.con.con
        if parameters is None:
            return raw.execute(sql)
        return raw.execute(sql, parameters)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """All statements inside happen together or not at all."""
        self.execute("BEGIN TRANSACTION")
        try:
            yield
        except BaseException:
            self.execute("ROLLBACK")
            raise
        self.execute("COMMIT")
