"""A scorecard and a payout statement from Spark match DuckDB's (see conftest.py). Spark spends seconds
on every query, so this covers one team's quarter and one person's statement, not every layer."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from cxscore.metrics import MetricEngine, load_catalog
from cxscore.plans import Payroll, statements
from cxscore.plans.facts import Facts
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
