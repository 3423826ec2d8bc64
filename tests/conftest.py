"""Fixtures shared by every test: fresh projects and stores on the embedded DuckDB."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from cxscore.store import Project, Store, init_project

# Hypothesis fails a test whose example takes longer than its deadline (200 ms unless set), and one whose
# data takes too long to draw: timings, not results. On CI's shared 2-core machine any example can stall
# for a moment (another process, the Spark JVM, garbage collection), so neither may fail a run. A test's
# own @settings still set its number of examples; settings it gives itself replace these.
settings.register_profile("cxscore", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("cxscore")


def _find_datasets() -> Path | None:
    """$CXSCORE_DATASETS, else the first shared/datasets above the checkout, else /work/shared/datasets."""
    if os.environ.get("CXSCORE_DATASETS"):
        return Path(os.environ["CXSCORE_DATASETS"]).expanduser()
    here = Path(__file__).resolve()
    found = [p / "shared" / "datasets" for p in here.parents if (p / "shared" / "datasets").is_dir()]
    fallback = Path("/work/shared/datasets")
    return found[0] if found else fallback if fallback.is_dir() else None


DATASETS = _find_datasets()


@pytest.fixture
def project(tmp_path: Path) -> Project:
    """A new, empty project folder."""
    return init_project(tmp_path / "company")


@pytest.fixture
def project_on_engine(
    tmp_path: Path, engine: str, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Project]:
    """A new, empty project on the `engine` its folder's conftest gives (duckdb or postgres); on PostgreSQL
    its store is a new database of the run's server, chosen with CXSCORE_STORE as a deployment does (so
    `cxscore serve`, the CLI, subprocesses and `project.store()` all use it)."""
    from cxscore.store.project import STORE_ENV

    if engine == "duckdb":
        yield init_project(tmp_path / "company")
        return
    server = request.getfixturevalue("postgres_server")
    database = server.create_database()
    monkeypatch.setenv(STORE_ENV, server.url(database))
    yield init_project(tmp_path / "company")
    monkeypatch.delenv(STORE_ENV)
    server.drop_database(database)


@pytest.fixture
def store(project: Project) -> Iterator[Store]:
    """The store of a new, empty project."""
    opened = project.store()
    yield opened
    opened.close()


@pytest.fixture
def datasets() -> Path:
    """The shared public datasets; tests that use them skip when the folder is absent."""
    if DATASETS is None or not DATASETS.is_dir():
        where = f"not at {DATASETS}" if DATASETS else "not above the checkout nor at /work/shared/datasets"
        pytest.skip(f"the shared datasets are {where}; set CXSCORE_DATASETS to their folder")
    return DATASETS


# --- engines: any_store on DuckDB, PostgreSQL and Spark (owned by the store/engines area) -----------------
# The helpers live in tests/engines.py, loaded by path because --import-mode=importlib makes test files
# unimportable by name. PostgreSQL and Spark start once per run, and only when a test asks for them.

import importlib.util  # noqa: E402
import sys  # noqa: E402
from typing import Any  # noqa: E402


def _load_engines() -> Any:
    name = "cxscore_test_engines"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, Path(__file__).with_name("engines.py"))
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module  # dataclasses look their module up here
        spec.loader.exec_module(module)
    return sys.modules[name]


engines = _load_engines()


def _available(engine: str, start: Any) -> Any:
    if engine in engines.skipped_engines():
        pytest.skip(f"{engine} is listed in {engines.SKIP_ENV}")
    try:
        return start()
    except engines.EngineUnavailable as error:
        pytest.fail(str(error), pytrace=False)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[Any]:
    """One throwaway PostgreSQL server for the whole run (see tests/engines.py)."""
    server = _available("postgres", engines.PostgresServer.start)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def spark_databases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """One local Spark session for the whole run; hands out a fresh database per test."""
    root = tmp_path_factory.mktemp("spark")
    session = _available("spark", lambda: engines.start_spark(root / "warehouse"))
    yield engines.SparkDatabases(session, root / "tables")
    session.stop()


@contextmanager
def _duckdb_store(request: pytest.FixtureRequest) -> Iterator[Store]:
    store = Store.duckdb()
    try:
        yield store
    finally:
        store.close()


@contextmanager
def _postgres_store(request: pytest.FixtureRequest) -> Iterator[Store]:
    server = request.getfixturevalue("postgres_server")
    database = server.create_database()
    store = Store.postgres(server.url(database))
    try:
        yield store
    finally:
        store.close()
        server.drop_database(database)


@contextmanager
def _spark_store(request: pytest.FixtureRequest) -> Iterator[Store]:
    databases = request.getfixturevalue("spark_databases")
    session, database, folder = databases.new()
    store = Store.spark(session, database=database, path=str(folder))
    try:
        yield store
    finally:
        store.close()
        databases.drop(database, folder)


_STORES = {"duckdb": _duckdb_store, "postgres": _postgres_store, "spark": _spark_store}
_ENGINE_PARAMS = [pytest.param(name, marks=getattr(pytest.mark, name)) for name in engines.ENGINES]


@pytest.fixture(params=_ENGINE_PARAMS)
def empty_store(request: pytest.FixtureRequest) -> Iterator[Store]:
    """A fresh store without any table, once on each engine (as any_store, before create_schema)."""
    if request.param in engines.skipped_engines():
        pytest.skip(f"{request.param} is listed in {engines.SKIP_ENV}")
    with _STORES[request.param](request) as store:
        yield store


@pytest.fixture(params=_ENGINE_PARAMS)
def any_store(request: pytest.FixtureRequest) -> Iterator[Store]:
    """A fresh, empty store with the full schema, once on each engine: duckdb, postgres and spark.

    DuckDB in memory; a new database on the run's PostgreSQL server; a new Spark database whose tables
    are Parquet folders. Select engines with `-m duckdb` etc.; skip some with CXSCORE_SKIP_ENGINES.
    """
    if request.param in engines.skipped_engines():
        pytest.skip(f"{request.param} is listed in {engines.SKIP_ENV}")
    with _STORES[request.param](request) as store:
        store.create_schema()
        yield store


# --- end of engines block --------------------------------------------------------------------------------


class AppServer:
    """A test's own uvicorn server in a thread. The socket is bound first (`socket()`) and handed to
    uvicorn, so no other process can take the port before it listens; the app is made knowing its port."""

    @staticmethod
    def socket() -> socket.socket:
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        return sock

    @staticmethod
    @contextmanager
    def serve(app: Any, sock: socket.socket) -> Iterator[str]:
        """Serve `app` on `sock` until the block ends (then close the socket); yields its URL."""
        import uvicorn

        port = int(sock.getsockname()[1])
        config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
        running = uvicorn.Server(config)
        thread = threading.Thread(target=running.run, kwargs={"sockets": [sock]}, daemon=True)
        thread.start()
        deadline = time.monotonic() + 30
        while not running.started:
            assert thread.is_alive() and time.monotonic() < deadline, "the server did not start in 30 s"
            time.sleep(0.05)
        try:
            yield f"http://127.0.0.1:{port}"
        finally:
            running.should_exit = True
            thread.join(timeout=10)
            sock.close()


@pytest.fixture(scope="session")
def app_server() -> type[AppServer]:
    return AppServer
