"""The small demo company (seed 7) with its shipped sales plans, built once per test session."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from cxscore.demo import generate
from cxscore.plans import Payroll, open_payroll
from cxscore.store import Project, open_project


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Project:
    root = tmp_path_factory.mktemp("plans-demo") / "company"
    generate(root, "small", 7)
    return open_project(root)


@pytest.fixture(scope="session")
def payroll(demo: Project) -> Iterator[Payroll]:
    opened = open_payroll(demo.root)
    yield opened
    opened.close()
