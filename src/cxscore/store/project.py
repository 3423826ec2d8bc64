"""A cxscore project: a folder with `cxscore.yaml`, the configuration folders and the embedded store.

my-company/
  cxscore.yaml     name and store settings
  cxscore.duckdb   the embedded store (the default)
  metrics/ scorecards/ goals/ programs/ plans/   configuration as code
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from cxscore.errors import ConfigError, ProjectNotFoundError
from cxscore.store.store import Store

__all__ = ["CONFIG_FILE", "CONFIG_FOLDERS", "Project", "init_project", "open_project"]

CONFIG_FILE = "cxscore.yaml"
CONFIG_FOLDERS = ("metrics", "scorecards", "goals", "programs", "plans")
DEFAULT_DATABASE = "cxscore.duckdb"
#: Environment variable that overrides the store of any project (for production set-ups).
STORE_ENV = "CXSCORE_STORE"


@dataclass(frozen=True)
class Project:
    """A project folder and its settings."""

    root: Path
    name: str
    database: str

    @property
    def database_path(self) -> Path:
        return self.root / self.database

    def store(self) -> Store:
        """Open the project's store, upgrading an older schema on the way."""
        store = Store.duckdb(os.environ.get(STORE_ENV) or self.database_path)
        store.ensure_schema()
        return store


def init_project(root: Path, name: str | None = None) -> Project:
    """Create a project folder with its configuration and an empty store with every table.

    Running it again on an existing project is harmless: it adds what is missing.
    """
    root = root.resolve()
    if root.exists() and not root.is_dir():
        raise ConfigError(f"Cannot create a project at {root}: it is a file. Pick a folder.")
    root.mkdir(parents=True, exist_ok=True)
    config = root / CONFIG_FILE
    if not config.exists():
        settings = {"name": name or root.name, "store": {"database": DEFAULT_DATABASE}}
        config.write_text(
            "# cxscore project settings; see docs/tutorial.md\n" + yaml.safe_dump(settings),
            encoding="utf-8",
        )
    for folder in CONFIG_FOLDERS:
        (root / folder).mkdir(exist_ok=True)
    project = _read(root)
    store = Store.duckdb(project.database_path)
    try:
        store.create_schema()
    finally:
        store.close()
    return project


def open_project(start: Path | None = None) -> Project:
    """The project at `start`, or in the nearest folder above it that has a `cxscore.yaml`."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / CONFIG_FILE).is_file():
            return _read(folder)
    raise ProjectNotFoundError(
        f"No {CONFIG_FILE} in {here} or any folder above it. Create a project with "
        "`cxscore init DIR` (or `cxscore demo`), or pass --project DIR."
    )


def _read(root: Path) -> Project:
    path = root / CONFIG_FILE
    try:
        settings: Any = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as error:
        raise ConfigError(f"{path} is not valid YAML ({error}). Fix the file.") from None
    if not isinstance(settings, dict):
        raise ConfigError(f"{path} must hold a mapping such as 'name: my-company'. Fix the file.")
    store = settings.get("store") or {}
    if not isinstance(store, dict):
        raise ConfigError(
            f"{path}: 'store' must be a mapping such as 'store: {{database: cxscore.duckdb}}', "
            f"not {store!r}. Fix the file."
        )
    return Project(
        root=root,
        name=str(settings.get("name") or root.name),
        database=str(store.get("database") or DEFAULT_DATABASE),
    )
