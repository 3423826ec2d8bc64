"""A connection to where the canonical tables live, through Ibis: DuckDB, PostgreSQL or Spark.

The embedded DuckDB file is the default; the same tables can live in PostgreSQL (a shared server) or in
Spark (Parquet, for data that outgrows a machine). Schema changes are versioned: an older store upgrades
itself when opened, a newer one is refused with the fix. What differs between the engines is kept in
`cxscore.store.engine_*`; this class is the same everywhere.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import ibis
import pyarrow as pa
from ibis.backends import BaseBackend

from cxscore.errors import EngineNotInstalledError, SchemaError, StoreConnectionError, StoreURLError
from cxscore.model import TABLES, Table
from cxscore.store import bookkeeping
from cxscore.store.arrow import conform
from cxscore.store.engine import Engine
from cxscore.store.engine_duckdb import DuckDBEngine
from cxscore.store.engine_postgres import PostgresEngine
from cxscore.store.engine_spark import SparkEngine
from cxscore.store.settings import StoreSettings, parse_store_url

__all__ = ["ALL_TABLES", "SCHEMA_VERSION", "Store", "ibis_schema"]

#: Version of the store schema this cxscore writes. Bump it with every schema change and describe the
#: change in `_CHANGES`; additive changes (new tables, new nullable columns) are applied automatically.
SCHEMA_VERSION = 6

_CHANGES: dict[int, str] = {
    1: "initial schema",
    2: "surveys collected by cxscore (unsubscribes, followups, followup_notes and their bookkeeping), "
    "web accounts, sessions, API tokens and the audit log",
    3: "invitations.answered_anonymously, so that anonymous answers count in the response rate",
    4: "on PostgreSQL, an index on each table's key (imports, webhooks and survey pages look rows up by it)",
    5: "_audit_log.seq, the order entries were written in (occurred_at is to the second)",
    6: "_audit_log.seq filled from a sequence (cx__audit_log_seq, started after the highest number), "
    "not one more than the highest entry, which scanned the log and gave two servers the same number; "
    "on PostgreSQL, an index on _audit_log in the audit page's order (cx__audit_log_listed)",
}

ALL_TABLES: dict[str, Table] = {**{t.name: t for t in bookkeeping.TABLES}, **TABLES}

#: The engine class of each Ibis backend name, for stores built from an Ibis connection.
_ENGINES: dict[str, type[Engine]] = {
    "duckdb": DuckDBEngine,
    "postgres": PostgresEngine,
    "pyspark": SparkEngine,
}

#: The pip command that installs each optional engine, for the message when it is missing.
INSTALL: dict[str, str] = {
    "postgres": "pip install 'cxscore[postgres]'",
    "spark": "pip install 'cxscore[spark]'",
}

#: Rows per chunk when `copy_from` streams a table from one store to another.
COPY_CHUNK_ROWS = 250_000


def ibis_schema(table: Table) -> ibis.Schema:
    """The Ibis schema of a canonical table: every column nullable, types from the model."""
    return ibis.schema({c.name: c.kind.ibis for c in table.columns})


class Store:
    """The canonical tables on one engine, with versioned schema, transactions and bulk loads.

    >>> import pyarrow as pa
    >>> store = Store.duckdb()
    >>> store.create_schema()
    >>> store.load("products", pa.table({"product_id": ["atlas"], "name": ["Atlas"]}))
    1
    >>> copy = Store.duckdb()
    >>> copy.create_schema()
    >>> copy.copy_from(store, tables=["products"])
    {'products': 1}
    >>> copy.backend, copy.count("products")
    ('duckdb', 1)
    """

    def __init__(self, con: BaseBackend, engine: Engine | None = None) -> None:
        self.con = con
        self.engine = engine or _ENGINES[str(con.name)](con)
        #: The settings a PostgreSQL store was opened with, for `another_connection()`.
        self.settings: StoreSettings | None = None

    # -- opening -------------------------------------------------------------------------------------

    @classmethod
    def duckdb(cls, path: Path | str = ":memory:") -> Store:
        """Open (or create) an embedded DuckDB store at `path`."""
        import duckdb

        try:
            return cls(ibis.duckdb.connect(str(path)))
        except duckdb.IOException as error:
            if "lock" not in str(error).lower():
                raise
            held = re.search(r"PID (\d+)", str(error))
            by = f" (process {held.group(1)})" if held else ""
            raise StoreConnectionError(
                f"The store {path} is open in another program{by}: an embedded DuckDB store has one writer "
                "at a time. Stop the other program (for instance `cxscore serve` or a running import) and "
                "try again, or import through the web app's Import page (/imports, for admins) while "
                "`cxscore serve` runs, or put the project on PostgreSQL to work on it from several programs "
                "at once (docs/how-to/postgresql.md)."
            ) from error

    @classmethod
    def postgres(cls, url: str) -> Store:
        """Connect to a PostgreSQL database given as ``postgresql://user:password@host:port/database``."""
        settings = parse_store_url(url)
        if settings.engine != "postgres":
            raise StoreURLError(
                f"Store.postgres needs a postgresql:// URL, not {settings.redacted()!r}. "
                "Use Store.open(url) for any engine."
            )
        return cls._postgres(settings)

    @classmethod
    def spark(cls, session: Any, database: str = "cxscore", path: str | None = None) -> Store:
        """Use the Spark `session`; tables live in `database`, as Parquet folders under `path` if given.

        The session stays the caller's: closing the store does not stop it.
        """
        return cls._spark(session, database, path, owns_session=False)

    @classmethod
    def open(cls, url: str | Path | StoreSettings) -> Store:
        """Open the store a URL (or plain DuckDB path) names; see `cxscore.store.settings`."""
        settings = url if isinstance(url, StoreSettings) else parse_store_url(url)
        if settings.engine == "postgres":
            return cls._postgres(settings)
        if settings.engine == "spark":
            session = _spark_session(settings.master or "local[*]")
            return cls._spark(session, settings.database or "cxscore", settings.path, owns_session=True)
        return cls.duckdb(settings.path or ":memory:")

    @classmethod
    def _postgres(cls, settings: StoreSettings) -> Store:
        _require("psycopg", "postgres")
        import psycopg

        try:
            con = ibis.postgres.connect(
                host=settings.host,
                port=settings.port or 5432,
                user=settings.user,
                password=settings.password,
                database=settings.database,
                schema=settings.schema,
            )
        except psycopg.OperationalError as error:
            reason = " ".join(str(error).split())
            reason += "" if reason.endswith((".", "?")) else "."
            raise StoreConnectionError(
                f"Cannot connect to the store {settings.redacted()}: {reason} Check that the server runs "
                "and accepts the user, or fix the URL (`store: url:` in cxscore.yaml, or CXSCORE_STORE)."
            ) from None
        store = cls(con)
        store.settings = settings
        if settings.schema:
            store.execute(f"CREATE SCHEMA IF NOT EXISTS {store.engine.quote(settings.schema)}")
        return store

    @classmethod
    def _spark(cls, session: Any, database: str, path: str | None, owns_session: bool) -> Store:
        _require("pyspark", "spark")
        con = ibis.pyspark.connect(session)
        engine = SparkEngine(con, path=path, owns_session=owns_session)
        engine.execute(f"CREATE DATABASE IF NOT EXISTS {engine.quote(database)}")
        session.catalog.setCurrentDatabase(database)
        engine.register_folders(list(ALL_TABLES.values()))
        return cls(con, engine)

    def another_connection(self) -> Store:
        """A second connection to the same database, for a thread that must not wait for this one.

        Each connection serves one thread at a time; two of them run statements at the same time, and
        each sees what the other has committed (not what it has yet to commit). DuckDB: another
        connection to this process's open database, file or memory (one process holds the file;
        connections within it write at once as long as they change different rows), closed at the latest
        with this store. PostgreSQL: a new connection with the same settings. Spark has none.

        >>> store = Store.duckdb()
        >>> store.create_schema()
        >>> other = store.another_connection()
        >>> with other.transaction():
        ...     _ = other.execute("INSERT INTO products (product_id) VALUES ('atlas')")
        ...     store.count("products")
        0
        >>> store.count("products")
        1
        """
        if self.backend == "duckdb":
            return Store(ibis.duckdb.from_connection(self.con.con.cursor()))
        if self.backend == "postgres" and self.settings is not None:
            return Store._postgres(self.settings)
        if self.backend == "postgres":
            raise StoreConnectionError(
                "This PostgreSQL store was made from an existing connection, so it cannot open another "
                "one. Open it from its URL instead (Store.open or Store.postgres)."
            )
        raise StoreConnectionError(
            f"A {self.backend} store has no second connection: the web app and the survey pages need "
            "DuckDB or PostgreSQL (docs/how-to/postgresql.md)."
        )

    @property
    def backend(self) -> str:
        """The engine's name: ``duckdb``, ``postgres`` or ``spark``."""
        return self.engine.name

    def close(self) -> None:
        self.engine.close()

    # -- reading -------------------------------------------------------------------------------------

    def table(self, name: str) -> ibis.Table:
        """The canonical or bookkeeping table `name` as an Ibis expression."""
        return self.con.table(name)

    def count(self, name: str) -> int:
        return int(self.table(name).count().execute())

    def schema_version(self) -> int | None:
        """The schema version recorded in the store, or None when it has no cxscore schema."""
        if bookkeeping.META.name not in self.engine.list_tables():
            return None
        meta = self.table(bookkeeping.META.name)
        rows = meta.filter(meta.key == "schema_version").value.to_pyarrow().to_pylist()
        return int(rows[0]) if rows else None

    # -- schema --------------------------------------------------------------------------------------

    def create_schema(self) -> None:
        """Create every missing table and column, and record the schema version."""
        existing = set(self.engine.list_tables())
        with self.transaction():
            self.engine.create_tables([t for t in ALL_TABLES.values() if t.name not in existing])
            for table in ALL_TABLES.values():
                if table.name in existing:
                    self._add_missing_columns(table)
            self.engine.number_columns(list(ALL_TABLES.values()))
            self.engine.create_indexes(list(ALL_TABLES.values()))
            self.engine.replace_fact(bookkeeping.META, "schema_version", str(SCHEMA_VERSION))

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
                self.engine.add_column(table, column)

    # -- writing -------------------------------------------------------------------------------------

    def execute(self, sql: str, parameters: Sequence[Any] | None = None) -> Any:
        """Run one SQL statement on the engine's own connection (for DDL and bulk DML).

        Placeholders are ``?`` on every engine. The result has ``fetchall()`` and ``fetchone()``.
        """
        return self.engine.execute(sql, parameters)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """All statements inside happen together or not at all; blocks may nest.

        On Spark this is a no-op (Spark has no transactions on Parquet tables): there, statements take
        effect one by one, which is why imports go to DuckDB or PostgreSQL.
        """
        with self.engine.transaction():
            yield

    def load(self, name: str, data: pa.Table | pa.RecordBatch) -> int:
        """Append `data` to table `name` in one bulk operation; returns the number of rows loaded.

        Columns are put in the model's order and cast to the model's types; columns the data lacks are
        null. No validation beyond types happens here: that is the importer's job.
        """
        table = ALL_TABLES.get(name)
        if table is None:
            from cxscore.model import table as model_table

            table = model_table(name)  # raises the ModelError listing the tables there are
        rows = data if isinstance(data, pa.Table) else pa.Table.from_batches([data])
        conformed = conform(table, rows)
        self.engine.load(table, conformed)
        return conformed.num_rows

    def copy_from(
        self, other: Store, tables: Iterable[str] | None = None, chunk_rows: int = COPY_CHUNK_ROWS
    ) -> dict[str, int]:
        """Append every row of `other`'s tables (default: all canonical tables) to this store.

        Rows stream in chunks of about `chunk_rows`, so a store larger than memory can be copied (except
        from Spark, whose Ibis backend collects a table before handing out chunks); each table that got
        rows has its planner statistics refreshed. Returns the rows copied per table. Run
        `create_schema()` on this store first.
        """
        copied: dict[str, int] = {}
        for name in tables if tables is not None else TABLES:
            reader = other.table(name).to_pyarrow_batches(chunk_size=chunk_rows)
            copied[name] = sum(self.load(name, batch) for batch in reader if batch.num_rows)
            if copied[name]:
                self.engine.analyze(name)
        return copied


def _require(module: str, engine: str) -> None:
    try:
        __import__(module)
    except ImportError:
        raise EngineNotInstalledError(
            f"The {engine} engine needs the Python package '{module}', which is not installed. "
            f"Install it with: {INSTALL[engine]}"
        ) from None


def _spark_session(master: str) -> Any:
    """A Spark session for a store URL, with the settings cxscore relies on (UTC, Arrow transfers)."""
    _require("pyspark", "spark")
    from pyspark.sql import SparkSession

    # Python workers must run this interpreter, or Ibis's UDFs cannot import ibis.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    builder = SparkSession.builder.master(master).appName("cxscore")
    for key, value in SPARK_SETTINGS.items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    # Spark's WARN level reports, among others, every table folder it has yet to create.
    session.sparkContext.setLogLevel("ERROR")
    return session


#: Session settings cxscore relies on: UTC timestamps and Arrow for moving rows to and from Python.
SPARK_SETTINGS = {
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.execution.arrow.pyspark.enabled": "true",
}
