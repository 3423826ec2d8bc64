"""Throwaway engines for the test suite: one PostgreSQL server and one local Spark per test run.

`tests/conftest.py` loads this file by path (pytest runs with --import-mode=importlib, so test helpers
are not importable by name) and builds the `any_store` fixture on it. An engine whose software is
missing makes its tests fail with the install command, unless it is listed in CXSCORE_SKIP_ENGINES
(comma-separated, e.g. ``CXSCORE_SKIP_ENGINES=spark,postgres`` for a quick local run).
"""

from __future__ import annotations

import itertools
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ENGINES = ("duckdb", "postgres", "spark")
SKIP_ENV = "CXSCORE_SKIP_ENGINES"
#: Where Debian puts the server programs; CXSCORE_POSTGRES_BIN names another folder (Homebrew, /usr/local).
POSTGRES_BIN_ENV = "CXSCORE_POSTGRES_BIN"
POSTGRES_BINARIES = "/usr/lib/postgresql/*/bin"

INSTALL_HINTS = {
    "postgres-server": (
        f"PostgreSQL server programs (initdb, pg_ctl) are not in {POSTGRES_BINARIES} (nor in "
        f"${POSTGRES_BIN_ENV}, if set). Install them with "
        "`apt-get update && apt-get install -y postgresql` (`make test` does it), "
        f"or set {SKIP_ENV}=postgres to skip the PostgreSQL tests locally."
    ),
    "postgres-driver": (
        "The PostgreSQL driver is not installed. Install it with "
        f"`pip install -e '.[dev,postgres,spark]'` (`make test` does it), or set {SKIP_ENV}=postgres."
    ),
    "spark": (
        "PySpark is not installed. Install it with `pip install -e '.[dev,postgres,spark]'` "
        f"(`make test` does it), or set {SKIP_ENV}=spark."
    ),
    "java": (
        "Spark needs Java 17, and `java` is not on the PATH. Install it with "
        f"`apt-get install -y openjdk-17-jre-headless`, or set {SKIP_ENV}=spark."
    ),
}

#: The Spark settings of the test session (see ../shared/STACK-NOTES.md for why each one).
SPARK_TEST_SETTINGS = {
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.shuffle.partitions": "4",
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.execution.arrow.pyspark.enabled": "true",
    "spark.sql.catalogImplementation": "in-memory",
    "spark.driver.memory": "1g",
}


class EngineUnavailable(Exception):
    """An engine cannot run here; the message says what to install."""


def skipped_engines() -> set[str]:
    """The engines named in CXSCORE_SKIP_ENGINES."""
    return {name.strip() for name in os.environ.get(SKIP_ENV, "").split(",") if name.strip()}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def postgres_bin() -> Path:
    """The newest PostgreSQL server bin folder, or EngineUnavailable with the install command."""
    if chosen := os.environ.get(POSTGRES_BIN_ENV):
        found = [Path(chosen)]
    else:
        found = sorted(Path("/").glob(POSTGRES_BINARIES.lstrip("/")), key=lambda p: _version(p.parent.name))
    found = [p for p in found if (p / "initdb").exists() and (p / "pg_ctl").exists()]
    if not found:
        raise EngineUnavailable(INSTALL_HINTS["postgres-server"])
    return found[-1]


def _version(name: str) -> tuple[int, ...]:
    return tuple(int(part) for part in name.split(".") if part.isdigit())


@dataclass
class PostgresServer:
    """A PostgreSQL cluster in a temporary folder, listening on 127.0.0.1 only, removed by `stop()`."""

    bin: Path
    root: Path
    port: int
    _names: Any = None

    @property
    def data(self) -> Path:
        return self.root / "data"

    @classmethod
    def start(cls) -> PostgresServer:
        try:
            import psycopg  # noqa: F401
        except ImportError:
            raise EngineUnavailable(INSTALL_HINTS["postgres-driver"]) from None
        server = cls(postgres_bin(), Path(tempfile.mkdtemp(prefix="cxscore-pg-")), 0)  # port: at start
        try:
            server._init_and_start()
        except BaseException:
            server.stop()
            raise
        return server

    def _init_and_start(self) -> None:
        if os.geteuid() == 0:
            # PostgreSQL refuses to run as root: the cluster belongs to the postgres user.
            shutil.chown(self.root, "postgres", "postgres")
        initdb = [str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust"]
        self._run([*initdb, "--encoding=UTF8", "--locale=C", "--no-sync"])
        log = self.data / "server.log"  # inside the data folder, which postgres may write
        # The port is chosen just before the server binds it, not before initdb's seconds; should another
        # process take it in between all the same, the server is started again on another port.
        for attempt in range(3):
            self.port = free_port()
            options = (
                f"-p {self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={self.root} "
                "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
            )
            pg_ctl = [str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(log), "-o", options]
            try:
                self._run([*pg_ctl, "-w", "start"])
                return
            except RuntimeError as error:
                if attempt == 2 or "Address already in use" not in str(error):
                    raise

    def _run(self, command: list[str]) -> None:
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        done = subprocess.run([*prefix, *command], capture_output=True, text=True, check=False)
        if done.returncode:
            log = self.data / "server.log"
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise RuntimeError(f"{' '.join(command)} failed:\n{done.stdout}{done.stderr}{tail}")

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def admin(self, statement: str) -> None:
        import psycopg

        with psycopg.connect(self.url(), autocommit=True) as con:
            con.execute(statement)

    def create_database(self) -> str:
        """A new, empty database with a name unique in this run."""
        if self._names is None:
            self._names = itertools.count(1)
        name = f"cxscore_test_{next(self._names)}"
        self.admin(f'CREATE DATABASE "{name}"')
        return name

    def drop_database(self, name: str) -> None:
        self.admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self._run([str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop"])
        shutil.rmtree(self.root, ignore_errors=True)


def start_spark(warehouse: Path) -> Any:
    """A local[2] Spark session with its own warehouse, or EngineUnavailable with the install command."""
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise EngineUnavailable(INSTALL_HINTS["spark"]) from None
    if not shutil.which("java") and not os.environ.get("JAVA_HOME"):
        raise EngineUnavailable(INSTALL_HINTS["java"])
    # Python workers must run this interpreter (or UDFs cannot import ibis); stay off the network.
    os.environ["PYSPARK_PYTHON"] = sys.executable
    os.environ["SPARK_LOCAL_IP"] = "127.0.0.1"
    builder = SparkSession.builder.master("local[2]").appName("cxscore-tests")
    for key, value in {**SPARK_TEST_SETTINGS, "spark.sql.warehouse.dir": str(warehouse)}.items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session


class SparkDatabases:
    """Hands out a new Spark database, in a session of its own, for every test."""

    def __init__(self, session: Any, root: Path) -> None:
        self.session = session
        self.root = root
        self._names = itertools.count(1)

    def new(self) -> tuple[Any, str, Path]:
        """A new session (own current database and temporary views), a database name and its folder."""
        name = f"cxscore_test_{next(self._names)}"
        return self.session.newSession(), name, self.root / name

    def drop(self, name: str, folder: Path) -> None:
        self.session.sql(f"DROP DATABASE IF EXISTS `{name}` CASCADE")
        shutil.rmtree(folder, ignore_errors=True)
