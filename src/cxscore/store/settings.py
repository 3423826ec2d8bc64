"""Where a store lives, said as one URL: parsed into a small frozen `StoreSettings`.

The accepted forms (also in `docs/engines.md`):

- ``duckdb:///abs/path/file.duckdb``, ``duckdb://relative/file.duckdb``, ``duckdb://:memory:`` or a plain
  path such as ``cxscore.duckdb``: the embedded DuckDB file (the default);
- ``postgresql://user:password@host:port/database`` (also ``postgres://``), optional ``?schema=NAME``;
  without a host (``postgresql:///database``) psycopg uses the local socket;
- ``spark://host:port/database?path=/data/cx`` for a standalone Spark master, ``spark:///database`` for a
  local Spark (``local[*]``), ``?master=yarn`` (or any master) to override; ``path`` is the folder of
  Parquet tables (one sub-folder per table). Without ``path`` the tables are the catalogue's managed
  tables in the session's warehouse.

>>> parse_store_url("postgresql://cx@db.example:5433/cxscore").port
5433
>>> parse_store_url("cxscore.duckdb").engine
'duckdb'
>>> parse_store_url("spark:///cx?path=/data/cx").master
'local[*]'
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from cxscore.errors import StoreURLError

__all__ = ["ACCEPTED_FORMS", "StoreSettings", "parse_store_url"]

ACCEPTED_FORMS = (
    "a DuckDB file path (cxscore.duckdb) or duckdb:///abs/path/file.duckdb, "
    "postgresql://user:password@host:5432/database, "
    "or spark://master-host:7077/database?path=/folder/of/parquet (spark:///database for a local Spark)"
)
_POSTGRES_SCHEMES = ("postgresql", "postgres")
_QUERY_KEYS = {"duckdb": (), "postgres": ("schema",), "spark": ("path", "master")}


@dataclass(frozen=True)
class StoreSettings:
    """A parsed store URL: which engine, and how to reach it. Fields an engine does not use stay None."""

    engine: str
    path: str | None = None
    host: str | None = None
    port: int | None = None
    user: str | None = None
    password: str | None = None
    database: str | None = None
    schema: str | None = None
    master: str | None = None

    def redacted(self) -> str:
        """The settings as a URL without the password, for messages and `cxscore status`."""
        if self.engine == "duckdb":
            return f"duckdb://{self.path}"
        if self.engine == "postgres":
            user = f"{self.user}@" if self.user else ""
            port = f":{self.port}" if self.port else ""
            return f"postgresql://{user}{self.host or ''}{port}/{self.database or ''}"
        path = f"&path={self.path}" if self.path else ""
        return f"spark:///{self.database}?master={self.master}{path}"


def parse_store_url(url: str | Path) -> StoreSettings:
    """Parse a store URL or a plain DuckDB path; a StoreURLError names the value and the accepted forms."""
    text = str(url).strip()
    if not text:
        raise _bad(text, "it is empty")
    scheme, sep, _ = text.partition("://")
    if not sep and text.startswith("spark:"):
        scheme, sep = "spark", ":"
    if not sep or (len(scheme) == 1 and scheme.isalpha()):  # a plain path, or a Windows drive letter
        return StoreSettings("duckdb", path=text)
    scheme = scheme.lower()
    if scheme == "duckdb":
        return _duckdb(text)
    if scheme in _POSTGRES_SCHEMES:
        return _postgres(text)
    if scheme == "spark":
        return _spark(text)
    raise _bad(text, f"the scheme '{scheme}' is not one cxscore knows")


def _duckdb(text: str) -> StoreSettings:
    rest = text.partition("://")[2]
    if not rest:
        raise _bad(text, "it names no file")
    # duckdb:///abs/path keeps its leading slash; duckdb://relative/path stays relative.
    return StoreSettings("duckdb", path=unquote(rest))


def _postgres(text: str) -> StoreSettings:
    parts = urlsplit(text)
    query = _query(text, parts.query, "postgres")
    try:
        port = parts.port
    except ValueError:
        raise _bad(text, "its port is not a number") from None
    database = unquote(parts.path.lstrip("/")) or None
    if database is None or "/" in database:
        raise _bad(text, "it must name exactly one database after the host, as in /cxscore")
    return StoreSettings(
        "postgres",
        host=parts.hostname,
        port=port or 5432,
        user=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
        database=database,
        schema=query.get("schema"),
    )


def _spark(text: str) -> StoreSettings:
    body = text[len("spark:") :]
    if not body.startswith("//"):
        raise _bad(text, "a Spark URL starts with spark:// (spark:///database for a local Spark)")
    parts = urlsplit("spark:" + body)
    query = _query(text, parts.query, "spark")
    database = unquote(parts.path.lstrip("/")) or "cxscore"
    if "/" in database:
        raise _bad(text, "it must name at most one database after the master, as in /cxscore")
    master = query.get("master") or (f"spark://{parts.netloc}" if parts.netloc else "local[*]")
    return StoreSettings("spark", path=query.get("path"), database=database, master=master)


def _query(text: str, query: str, engine: str) -> dict[str, str]:
    values = {key: items[-1] for key, items in parse_qs(query, keep_blank_values=True).items()}
    unknown = sorted(set(values) - set(_QUERY_KEYS[engine]))
    if unknown:
        allowed = ", ".join(_QUERY_KEYS[engine]) or "none"
        raise _bad(text, f"it has the unknown option(s) {', '.join(unknown)} (allowed: {allowed})")
    return values


def _bad(text: str, why: str) -> StoreURLError:
    return StoreURLError(
        f"The store URL {_hide_password(text)!r} cannot be used: {why}. Accepted forms: {ACCEPTED_FORMS}. "
        "Fix `store: url:` in cxscore.yaml or the CXSCORE_STORE environment variable."
    )


def _hide_password(text: str) -> str:
    scheme, sep, rest = text.partition("://")
    credentials, at, host = rest.rpartition("@")
    if not (sep and at and ":" in credentials):
        return text
    return f"{scheme}://{credentials.partition(':')[0]}:***@{host}"
