"""What differs between the engines a store can live on, behind one small interface.

`Store` speaks only to an `Engine`; each engine (`engine_duckdb`, `engine_postgres`, `engine_spark`) says
how it runs raw SQL, groups statements in a transaction, creates a table, adds a column, replaces the
store's own facts and bulk-loads Arrow rows. Everything else goes through Ibis and is the same everywhere.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from typing import Any

import ibis
import pyarrow as pa
import sqlglot as sg
from ibis.backends import BaseBackend

from cxscore.model import Column, Kind, Table

__all__ = ["Engine", "Rows", "sequence_name"]


class Rows:
    """The rows a statement returned, with the DB-API `fetchall`/`fetchone` of the other drivers."""

    def __init__(self, rows: Sequence[tuple[Any, ...]]) -> None:
        self._rows = iter(list(rows))

    def fetchall(self) -> list[tuple[Any, ...]]:
        return list(self._rows)

    def fetchone(self) -> tuple[Any, ...] | None:
        return next(self._rows, None)

    def __iter__(self) -> Iterator[tuple[Any, ...]]:
        return self._rows


class Engine:
    """How one engine does the few things Ibis does not do the same way everywhere."""

    #: Name used in store URLs, test markers and messages.
    name = ""
    #: Whether `transaction()` really makes statements atomic (False only for Spark).
    transactional = True

    def __init__(self, con: BaseBackend) -> None:
        self.con = con

    def close(self) -> None:
        self.con.disconnect()

    def execute(self, sql: str, parameters: Sequence[Any] | None = None) -> Any:
        """Run one statement with `?` placeholders on the engine's own connection."""
        raise NotImplementedError

    def transaction(self) -> AbstractContextManager[None]:
        raise NotImplementedError

    def load(self, table: Table, data: pa.Table) -> None:
        """Append `data`, already conformed to `table`, as fast as the engine can take it."""
        raise NotImplementedError

    def list_tables(self) -> list[str]:
        return list(self.con.list_tables())

    def quote(self, identifier: str) -> str:
        return str(sg.to_identifier(identifier, quoted=True).sql(self.con.dialect))

    def column_type(self, kind: Kind) -> str:
        """The engine's SQL type for a column kind, from Ibis's own type mapping."""
        mapper = self.con.compiler.type_mapper
        return str(mapper.from_ibis(ibis.dtype(kind.ibis)).sql(self.con.dialect))

    def column_definitions(self, table: Table) -> str:
        return ", ".join(f"{self.quote(c.name)} {self.column_type(c.kind)}" for c in table.columns)

    def create_table(self, table: Table) -> None:
        self.execute(f"CREATE TABLE {self.quote(table.name)} ({self.column_definitions(table)})")

    def create_tables(self, tables: Sequence[Table]) -> None:
        for table in tables:
            self.create_table(table)

    def create_indexes(self, tables: Sequence[Table]) -> None:
        """Index each table's key and its listing order (`Table.listed_by`) where the engine looks rows
        up and lists them through indexes (nothing by default: DuckDB and Spark scan and hash-join
        instead, and DuckDB keeps a listing's first rows while scanning, skipping row groups by their
        minimum and maximum, without an index)."""

    def number_columns(self, tables: Sequence[Table]) -> None:
        """Fill every `numbered` column of `tables` from a sequence of its own (`cx_<table>_<column>`).

        A sequence hands each writer its own next value without reading the table, so two servers
        writing at once never share a number and nothing scans the table. A new sequence starts after the
        highest number already in the column (a store from before it numbered rows this way); an existing
        one is kept as it is. DuckDB and PostgreSQL speak the same SQL for this.
        """
        for table in tables:
            for column in (c for c in table.columns if c.numbered):
                name, numbered = self.quote(table.name), self.quote(column.name)
                sequence = sequence_name(table, column)
                (highest,) = self.execute(f"SELECT max({numbered}) FROM {name}").fetchone()
                self.execute(
                    f"CREATE SEQUENCE IF NOT EXISTS {self.quote(sequence)} START WITH {int(highest or 0) + 1}"
                )
                self.execute(f"ALTER TABLE {name} ALTER COLUMN {numbered} SET DEFAULT nextval('{sequence}')")

    def analyze(self, name: str) -> None:
        """Refresh the planner's statistics of table `name` after a bulk change (nothing by default:
        DuckDB keeps its statistics as it writes, Spark plans without them)."""

    def add_column(self, table: Table, column: Column) -> None:
        self.execute(
            f"ALTER TABLE {self.quote(table.name)} ADD COLUMN "
            f"{self.quote(column.name)} {self.column_type(column.kind)}"
        )

    def replace_fact(self, table: Table, key: str, value: str) -> None:
        """Set one key-value fact in a bookkeeping table such as `_cxscore_meta`."""
        name = self.quote(table.name)
        self.execute(f"DELETE FROM {name} WHERE {self.quote('key')} = ?", [key])
        self.execute(f"INSERT INTO {name} VALUES (?, ?)", [key, value])


def sequence_name(table: Table, column: Column) -> str:
    """The name of the sequence that numbers `column` of `table`.

    >>> from cxscore.web.tables import AUDIT_LOG
    >>> sequence_name(AUDIT_LOG, AUDIT_LOG.column("seq"))
    'cx__audit_log_seq'
    """
    return f"cx_{table.name}_{column.name}"
