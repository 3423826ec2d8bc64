"""Where the canonical tables live: embedded DuckDB by default, PostgreSQL or Spark, through Ibis."""

from __future__ import annotations

from cxscore.store.project import CONFIG_FILE, Project, init_project, open_project
from cxscore.store.settings import StoreSettings, parse_store_url
from cxscore.store.store import SCHEMA_VERSION, Store

__all__ = [
    "CONFIG_FILE",
    "SCHEMA_VERSION",
    "Project",
    "Store",
    "StoreSettings",
    "init_project",
    "open_project",
    "parse_store_url",
]
