"""A cxscore project: a folder with `cxscore.yaml`, the configuration folders and the embedded store.

my-company/
  cxscore.yaml     name and store settings
  cxscore.duckdb   the embedded store (the default)
  metrics/ scorecards/ goals/ programs/ plans/   configuration as code

The store is the first of: the `CXSCORE_STORE` environment variable, `store: {url: ...}` in
`cxscore.yaml`, `store: {database: FILE}` (a DuckDB file in the project folder). URLs are described in
`cxscore.store.settings` and `docs/engines.md`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from cxscore.errors import ConfigError, ProjectNotFoundError
from cxscore.store.settings import StoreSettings, parse_store_url
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
    #: The `store: url:` setting of cxscore.yaml, if any.
    url: str | None = None

    @property
    def database_path(self) -> Path:
        return self.root / self.database

    @property
    def store_settings(self) -> StoreSettings:
        """Where the store is: `CXSCORE_STORE`, else the `url` setting, else the DuckDB file."""
        chosen = os.environ.get(STORE_ENV) or self.url
        if not chosen:
            return StoreSettings("duckdb", path=str(self.database_path))
        settings = parse_store_url(chosen)
        relative = settings.path not in (None, ":memory:") and not Path(str(settings.path)).is_absolute()
        if settings.engine == "duckdb" and relative:
            # A relative DuckDB file in cxscore.yaml is relative to the project, not to the shell.
            base = Path.cwd() if os.environ.get(STORE_ENV) else self.root
            return StoreSettings("duckdb", path=str(base / str(settings.path)))
        return settings

    def config_version(self) -> tuple[tuple[str, int, int], ...]:
        """Each configuration file (`cxscore.yaml` and the files under the configuration folders and
        `surveys/`) with its modification time and size: changes when a definition is edited, added or
        removed. Long-running readers (the web app) compare it to see that they must read them again."""
        files = [self.root / CONFIG_FILE]
        for folder in (*CONFIG_FOLDERS, "surveys"):
            if (self.root / folder).is_dir():
                files.extend(path for path in (self.root / folder).rglob("*") if path.is_file())
        found = []
        for path in sorted(files):
            try:
                stat = path.stat()
            except FileNotFoundError:  # removed while we looked
                continue
            found.append((str(path.relative_to(self.root)), stat.st_mtime_ns, stat.st_size))
        return tuple(found)

    def open_store(self) -> Store:
        """Open the project's store as it is, without checking its schema."""
        return Store.open(self.store_settings)

    def store(self) -> Store:
        """Open the project's store, upgrading an older schema on the way."""
        store = self.open_store()
        try:
            store.ensure_schema()
        except BaseException:
            store.close()
            raise
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
    store = project.open_store()
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
    url = store.get("url")
    if url is not None:
        parse_store_url(str(url))  # a bad URL is reported when the project is read, not later
    return Project(
        root=root,
        name=str(settings.get("name") or root.name),
        database=str(store.get("database") or DEFAULT_DATABASE),
        url=str(url) if url is not None else None,
    )
