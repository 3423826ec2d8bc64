"""Where the canonical tables live: an embedded DuckDB file by default, through Ibis."""

from __future__ import annotations

from cxscore.store.project import CONFIG_FILE, Project, init_project, open_project
from cxscore.store.store import SCHEMA_VERSION, Store

__all__ = ["CONFIG_FILE", "SCHEMA_VERSION", "Project", "Store", "init_project", "open_project"]
