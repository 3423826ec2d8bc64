"""The engine fixtures themselves: a missing engine fails the run (with the fix) unless it is skipped."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ONE_POSTGRES_TEST = "tests/store/test_engines.py::test_fresh_store_has_every_table_and_the_version[postgres]"


def run_pytest(node: str, **env: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", node]
    return subprocess.run(
        command, cwd=ROOT, env={**os.environ, **env}, capture_output=True, text=True, check=False, timeout=300
    )


@pytest.mark.postgres
@pytest.mark.slow
def test_missing_postgres_fails_with_the_install_command(tmp_path: Path) -> None:
    done = run_pytest(ONE_POSTGRES_TEST, CXSCORE_POSTGRES_BIN=str(tmp_path), CXSCORE_SKIP_ENGINES="")
    assert done.returncode == 1, done.stdout
    assert "apt-get install -y postgresql" in done.stdout
    assert "1 error" in done.stdout  # an error, not a skip: CI cannot lose an engine quietly


@pytest.mark.postgres
@pytest.mark.slow
def test_an_engine_listed_in_the_skip_variable_is_skipped(tmp_path: Path) -> None:
    done = run_pytest(
        ONE_POSTGRES_TEST, CXSCORE_POSTGRES_BIN=str(tmp_path), CXSCORE_SKIP_ENGINES="spark,postgres"
    )
    assert done.returncode == 0, done.stdout
    assert "1 skipped" in done.stdout
