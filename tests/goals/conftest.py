"""The small demo company (seed 7), built once per test session, and a results cache over its store."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from cxscore.demo import generate
from cxscore.goals import Results
from cxscore.metrics import MetricEngine, load_catalog
from cxscore.store import Project, open_project


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Project:
    root = tmp_path_factory.mktemp("goals-demo") / "company"
    generate(root, "small", 7)
    return open_project(root)


@pytest.fixture(scope="session")
def results(demo: Project) -> Iterator[Results]:
    store = demo.store()
    yield Results(MetricEngine(store, load_catalog()))
    store.close()


@pytest.fixture
def project_root(tmp_path: Path) -> Path:
    (tmp_path / "goals").mkdir()
    return tmp_path
