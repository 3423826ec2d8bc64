"""kill -9 during submissions loses no acknowledged answer (a small, bounded run of the load benchmark).

The real server runs in a subprocess on a real DuckDB file; it is killed with SIGKILL while answers
arrive, restarted, and the unacknowledged answers are sent again, as browsers would. Every acknowledged
answer must be stored exactly once. The full-size run (500/s) is `benchmarks/survey_load.py`.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

BENCHMARK = Path(__file__).resolve().parents[2] / "benchmarks" / "survey_load.py"


def load_benchmark() -> ModuleType:
    spec = importlib.util.spec_from_file_location("survey_load", BENCHMARK)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["survey_load"] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_kill_9_during_submissions_loses_no_acknowledged_answer() -> None:
    # `cxscore serve` as it runs, with the web pages' warm-up computing scorecards just as the survey
    # pages are fetched (after the start and again after the restart): the survey endpoints have their
    # own store connection and lock, so they do not wait for it.
    benchmark = load_benchmark()
    args = argparse.Namespace(rate=80.0, duration=6.0, connections=16, kill_after=2.5, bare=False, existing=0)
    result = benchmark.run(args)
    assert result["acknowledged_before_kill"] > 50, result
    assert result["sent_again_after_restart"] > 0, result
    assert result["unacknowledged_at_end"] == 0, result
    assert result["acknowledged"] == 480, result  # every submission is acknowledged in the end
    assert result["lost"] == 0 and result["duplicates"] == 0, result
    assert result["stored"] == result["acknowledged_and_stored"] == result["links_used"] == 480, result
    assert result["retries_different_ack"] == 0, result
