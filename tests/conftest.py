"""Fixtures shared by every test: fresh projects and stores on the embedded DuckDB."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from cxscore.store import Project, Store, init_project

DATASETS = Path(__file__).resolve().parents[2] / "shared" / "datasets"


@pytest.fixture
def project(tmp_path: Path) -> Project:
    """A new, empty project folder."""
    return init_project(tmp_path / "company")


@pytest.fixture
def store(project: Project) -> Iterator[Store]:
    """The store of a new, empty project."""
    opened = project.store()
    yield opened
    opened.close()


@pytest.fixture
def datasets() -> Path:
    """The shared public datasets; tests that use them skip when the folder is absent."""
    if not DATASETS.is_dir():
        pytest.skip(f"the shared datasets are not at {DATASETS}")
    return DATASETS
