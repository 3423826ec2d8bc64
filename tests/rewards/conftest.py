"""The small demo company (seed 7), built once per test session, and leaderboards over its store."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from cxscore.demo import generate
from cxscore.metrics import MetricEngine, load_catalog
from cxscore.rewards import Leaderboards
from cxscore.store import Project, open_project


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Project:
    root = tmp_path_factory.mktemp("rewards-demo") / "company"
    generate(root, "small", 7)
    return open_project(root)


@pytest.fixture(scope="session")
def boards(demo: Project) -> Iterator[Leaderboards]:
    store = demo.store()
    yield Leaderboards(MetricEngine(store, load_catalog(demo.root)))
    store.close()
