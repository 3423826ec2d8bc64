"""One small demo company per test session for the diagnosis tests (its planted truths are the answers)."""

from __future__ import annotations

from pathlib import Path

import pytest

from cxscore.demo import generate

SEED = 7


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder of the small demo company built with SEED."""
    root = tmp_path_factory.mktemp("diagnose") / "company"
    generate(root, "small", SEED)
    return root


@pytest.fixture(scope="session")
def clean(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder of the same small company built without its planted truths (`cxscore demo --no-truths`)."""
    root = tmp_path_factory.mktemp("diagnose-clean") / "company"
    generate(root, "small", SEED, truths=False)
    return root
