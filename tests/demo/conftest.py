"""One small demo company per test session, read by every demo test (building it takes seconds)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from cxscore.demo import DemoSummary, generate

SEED = 7


@pytest.fixture(scope="session")
def demo_company(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, DemoSummary]:
    """The small demo company built with SEED, and its summary."""
    root = tmp_path_factory.mktemp("demo") / "company"
    return root, generate(root, "small", SEED)


@pytest.fixture
def sql(demo_company: tuple[Path, DemoSummary]) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection to the demo company's store."""
    con = duckdb.connect(str(demo_company[0] / "cxscore.duckdb"), read_only=True)
    yield con
    con.close()
