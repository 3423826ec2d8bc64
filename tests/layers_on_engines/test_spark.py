"""Every layer on Spark answers as on DuckDB (see conftest.py). Spark spends seconds on every query, so
each layer is asked one small question: one team's quarter scorecard, one person's payout statement, one
team's goals, ranking, integrity findings and obstacle verdict, the awards of a quarter, two drivers and
one team's verbatims."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from cxscore.diagnose import integrity, key_drivers, obstacles, verbatims
from cxscore.goals import Results, load_benchmarks, load_goal_settings, set_goals
from cxscore.metrics import MetricEngine, load_catalog
from cxscore.plans import Payroll, statements
from cxscore.plans.facts import Facts
from cxscore.rewards import Leaderboards
from cxscore.rewards.awards import evaluate_programs
from cxscore.scorecards.api import open_evaluator
from cxscore.scorecards.evaluation import ScorecardResult
from cxscore.scorecards.period import Period
from cxscore.store import Project, Store

pytestmark = [pytest.mark.spark, pytest.mark.slow]


def team_scorecard(project: Project, store: Store) -> ScorecardResult:
    evaluator = open_evaluator(project, store, industry="b2b_saas")
    return evaluator.evaluate("team", "T-SUP-EMEA", Period.parse("2025-Q4"))


def test_a_team_scorecard_of_a_quarter_is_the_same(
    duckdb_demo: Project, spark_demo: Store, assert_same: Any
) -> None:
    duckdb = duckdb_demo.store()
    try:
        on_duckdb = team_scorecard(duckdb_demo, duckdb)
    finally:
        duckdb.close()
    assert on_duckdb.score is not None and len(on_duckdb.lines) >= 4
    assert_same(on_duckdb, team_scorecard(duckdb_demo, spark_demo))


def payroll_on(project: Project, store: Store) -> Payroll:
    engine = MetricEngine(store, load_catalog(project.root))
    return Payroll(project, store, engine, Facts(engine, project.root))


def test_a_payout_statement_is_the_same_to_the_cent(
    duckdb_demo: Project, spark_demo: Store, assert_same: Any
) -> None:
    duckdb = duckdb_demo.store()
    try:
        payroll = payroll_on(duckdb_demo, duckdb)
        on_duckdb = statements(payroll, payroll.plan("plans/current.yml"), "2025-Q4", "P-00027")
    finally:
        duckdb.close()
    payroll = payroll_on(duckdb_demo, spark_demo)  # closing it would close the shared Spark store
    on_spark = statements(payroll, payroll.plan("plans/current.yml"), "2025-Q4", "P-00027")
    assert on_spark[0].total == Decimal("63990.37")  # 38,435.86 + 25,143.70 + 410.81 (tests/plans)
    assert_same(on_duckdb, on_spark)


def _goals(root: Path, store: Store) -> Any:
    results = Results(MetricEngine(store, load_catalog(root)))
    return set_goals(results, "nps", "team", 2025, load_goal_settings(root), load_benchmarks(root))


def _ranking(root: Path, store: Store) -> Any:
    boards = Leaderboards(MetricEngine(store, load_catalog(root)), seed=3, project_root=root)
    return boards.rank("csat", "team", Period.parse("2025"), within="T-SUP")


LAYERS: dict[str, Callable[[Path, Store], Any]] = {
    "goals": _goals,
    "ranking": _ranking,
    "awards": lambda root, store: evaluate_programs("2025-Q4", project=root, store=store),
    "integrity": lambda root, store: integrity(period="2025", team="T-SUP-EMEA", store=store),
    "obstacles": lambda root, store: obstacles(
        "csat", team="T-SUP-EMEA", period="2024", goal=0.85, store=store
    ),
    "drivers": lambda root, store: key_drivers(
        "nps", period="2025", drivers=("segment", "team"), resamples=20, sample_size=500, store=store
    ),
    "verbatims": lambda root, store: verbatims(
        scope="team:T-SUP-LATAM", period="2025", topics=4, store=store
    ),
}


@pytest.mark.parametrize("layer", LAYERS)
def test_each_layer_answers_the_same(
    duckdb_demo: Project, spark_demo: Store, assert_same: Any, layer: str
) -> None:
    ask = LAYERS[layer]
    duckdb = duckdb_demo.store()
    try:
        on_duckdb = ask(duckdb_demo.root, duckdb)
    finally:
        duckdb.close()
    assert on_duckdb
    assert_same(on_duckdb, ask(duckdb_demo.root, spark_demo))
