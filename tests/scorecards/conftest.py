"""The small demo company (seed 7), built once per test session, and an evaluator over its store."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from cxscore.demo import generate
from cxscore.scorecards.api import open_evaluator
from cxscore.scorecards.evaluation import Evaluator
from cxscore.store import Project, open_project


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Project:
    root = tmp_path_factory.mktemp("scorecards-demo") / "company"
    generate(root, "small", 7)
    return open_project(root)


@pytest.fixture(scope="session")
def evaluator(demo: Project) -> Iterator[Evaluator]:
    store = demo.store()
    yield open_evaluator(demo, store, industry="b2b_saas")
    store.close()
