"""Store URLs: every accepted form parses, every bad one is refused with the value and the forms."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cxscore.errors import ConfigError, EngineNotInstalledError, StoreURLError
from cxscore.store import Store, StoreSettings, init_project, open_project, parse_store_url
from cxscore.store.project import STORE_ENV
from cxscore.store.store import _require


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("cxscore.duckdb", StoreSettings("duckdb", path="cxscore.duckdb")),
        ("/data/cx.duckdb", StoreSettings("duckdb", path="/data/cx.duckdb")),
        ("duckdb:///data/cx.duckdb", StoreSettings("duckdb", path="/data/cx.duckdb")),
        ("duckdb://data/cx.duckdb", StoreSettings("duckdb", path="data/cx.duckdb")),
        ("duckdb://:memory:", StoreSettings("duckdb", path=":memory:")),
        (
            "postgresql://cx:s%40cret@db.example:5433/cxscore",
            StoreSettings(
                "postgres", host="db.example", port=5433, user="cx", password="s@cret", database="cxscore"
            ),
        ),
        (
            "postgres://cx@db.example/cxscore?schema=analytics",
            StoreSettings(
                "postgres", host="db.example", port=5432, user="cx", database="cxscore", schema="analytics"
            ),
        ),
        ("postgresql:///cxscore", StoreSettings("postgres", port=5432, database="cxscore")),
        ("spark:///cx", StoreSettings("spark", database="cx", master="local[*]")),
        ("spark://", StoreSettings("spark", database="cxscore", master="local[*]")),
        (
            "spark://spark-master:7077/cx?path=/data/cx",
            StoreSettings("spark", database="cx", master="spark://spark-master:7077", path="/data/cx"),
        ),
        (
            "spark:///cx?master=yarn&path=hdfs:///cx",
            StoreSettings("spark", database="cx", master="yarn", path="hdfs:///cx"),
        ),
    ],
)
def test_accepted_forms(url: str, expected: StoreSettings) -> None:
    assert parse_store_url(url) == expected


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("", "it is empty"),
        ("mysql://db/cx", "the scheme 'mysql' is not one cxscore knows"),
        ("postgresql://db.example", "exactly one database"),
        ("postgresql://db.example/a/b", "exactly one database"),
        ("postgresql://db.example:port/cx", "its port is not a number"),
        ("postgresql://db.example/cx?sslmode=require&colour=red", r"unknown option\(s\) colour, sslmode"),
        ("spark:local", "starts with spark://"),
        ("spark:///a/b", "at most one database"),
        ("duckdb://", "it names no file"),
    ],
)
def test_bad_urls_name_the_value_the_reason_and_the_forms(url: str, why: str) -> None:
    with pytest.raises(StoreURLError, match=why) as raised:
        parse_store_url(url)
    message = str(raised.value)
    assert repr(url) in message
    assert "postgresql://user:password@host:5432/database" in message
    assert "CXSCORE_STORE" in message
    assert isinstance(raised.value, ConfigError)


def test_a_password_never_appears_in_a_message() -> None:
    with pytest.raises(StoreURLError) as raised:
        parse_store_url("postgresql://cx:hunter2@db.example/")
    assert "hunter2" not in str(raised.value)
    assert "cx:***@db.example" in str(raised.value)
    assert "hunter2" not in parse_store_url("postgresql://cx:hunter2@db/cx").redacted()


names = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789_", min_size=1, max_size=12)


@given(user=names, host=names, port=st.integers(1, 65535), database=names)
def test_redacted_postgres_urls_parse_back(user: str, host: str, port: int, database: str) -> None:
    settings = StoreSettings("postgres", host=host, port=port, user=user, database=database)
    assert parse_store_url(settings.redacted()) == settings


@given(database=names, path=st.sampled_from([None, "/data/cx", "hdfs:///cx"]))
def test_redacted_spark_urls_parse_back(database: str, path: str | None) -> None:
    settings = StoreSettings("spark", database=database, master="local[*]", path=path)
    assert parse_store_url(settings.redacted()) == settings


def test_store_postgres_refuses_another_engines_url() -> None:
    with pytest.raises(StoreURLError, match=r"postgresql:// URL.*Store\.open"):
        Store.postgres("duckdb:///tmp/x.duckdb")


def test_a_missing_engine_package_says_how_to_install_it() -> None:
    with pytest.raises(EngineNotInstalledError, match=r"pip install 'cxscore\[spark\]'"):
        _require("cxscore_no_such_module", "spark")


def test_project_url_setting_is_read_and_relative_duckdb_paths_are_the_projects(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(STORE_ENV, raising=False)
    root = tmp_path / "company"
    root.mkdir()
    (root / "cxscore.yaml").write_text("name: acme\nstore:\n  url: duckdb://data/acme.duckdb\n")
    (root / "data").mkdir()
    project = init_project(root)
    assert project.store_settings == StoreSettings("duckdb", path=str(root / "data" / "acme.duckdb"))
    assert (root / "data" / "acme.duckdb").is_file()
    monkeypatch.setenv(STORE_ENV, "postgresql://cx@db.example/cx")
    assert open_project(root).store_settings.engine == "postgres"


def test_project_with_a_bad_url_is_refused_when_read(tmp_path: Path) -> None:
    (tmp_path / "cxscore.yaml").write_text("store:\n  url: oracle://db/cx\n")
    with pytest.raises(StoreURLError, match="oracle"):
        open_project(tmp_path)


@pytest.mark.postgres
def test_env_var_puts_a_project_on_postgres(
    postgres_server: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = postgres_server.create_database()  # type: ignore[attr-defined]
    monkeypatch.setenv(STORE_ENV, postgres_server.url(database))  # type: ignore[attr-defined]
    project = init_project(tmp_path / "company")
    store = project.store()
    try:
        assert store.backend == "postgres"
        assert store.count("responses") == 0
        assert not (tmp_path / "company" / "cxscore.duckdb").exists()
    finally:
        store.close()
        postgres_server.drop_database(database)  # type: ignore[attr-defined]
