"""The embedded DuckDB engine: a file (or memory) in the same process, the default store."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import pyarrow as pa
from ibis.backends import BaseBackend

from cxscore.model import Table
from cxscore.store.engine import Engine

__all__ = ["DuckDBEngine"]


class DuckDBEngine(Engine):
    """DuckDB through Ibis; raw SQL, transactions and bulk loads on its own connection."""

    name = "duckdb"

    def __init__(self, con: BaseBackend) -> None:
        super().__init__(con)
        self._depth = 0

    def execute(self, sql: str, parameters: Sequence[Any] | None = None) -> Any:
        raw = self.con.con
        if parameters is None:
            return raw.execute(sql)
        return raw.execute(sql, list(parameters))

    @contextmanager
    def transaction(self) -> Iterator[None]:
        # DuckDB has no nested transactions: an inner block joins the outer one.
        if self._depth:
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
            return
        self.execute("BEGIN TRANSACTION")
        self._depth = 1
        try:
            yield
        except BaseException:
            self._depth = 0
            self.execute("ROLLBACK")
            raise
        self._depth = 0
        self.execute("COMMIT")

    def load(self, table: Table, data: pa.Table) -> None:
        raw = self.con.con
        view = f"_cxscore_load_{table.name}"
        columns = ", ".join(self.quote(n) for n in data.column_names)
        raw.register(view, data)
        try:
            raw.execute(f"INSERT INTO {self.quote(table.name)} ({columns}) SELECT {columns} FROM {view}")
        finally:
            raw.unregister(view)
