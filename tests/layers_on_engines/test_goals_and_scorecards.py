"""Goals and scorecards on PostgreSQL give the answers they give on DuckDB (see conftest.py)."""

from __future__ import annotations

from typing import Any

import pytest

from cxscore.goals import Results, load_benchmarks, load_goal_settings, set_goals
from cxscore.goals.checks import check
from cxscore.metrics import MetricEngine, load_catalog
from cxscore.scorecards.api import scorecard
from cxscore.scorecards.attainment import Attainment
from cxscore.scorecards.summary import company_summary
from cxscore.store import Project

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


def goals_of(project: Project, metric: str, scope: str, year: int) -> list[Any]:
    store = project.store()
    try:
        results = Results(MetricEngine(store, load_catalog(project.root)))
        settings, benchmarks = load_goal_settings(project.root), load_benchmarks(project.root)
        return set_goals(results, metric, scope, year, settings, benchmarks)
    finally:
        store.close()


def test_goals_of_a_year_are_the_same(duckdb_demo: Project, postgres_demo: Project, assert_same: Any) -> None:
    for metric, scope in (("nps", "team"), ("csat", "person")):
        on_duckdb = goals_of(duckdb_demo, metric, scope, 2025)
        assert len(on_duckdb) > 5 and any(g.last_year for g in on_duckdb)
        assert_same(on_duckdb, goals_of(postgres_demo, metric, scope, 2025))


def test_the_goals_check_flags_the_same_goals(
    duckdb_demo: Project, postgres_demo: Project, assert_same: Any
) -> None:
    flagged, checked = check(duckdb_demo, 2025, "b2b_saas")
    assert checked > 50  # the demo sets no weak goal for 2025: nothing is flagged on either engine
    assert_same((flagged, checked), check(postgres_demo, 2025, "b2b_saas"))


def test_the_scorecard_summary_of_the_latest_quarter_is_the_same(
    duckdb_demo: Project, postgres_demo: Project, assert_same: Any
) -> None:
    # Every team's scorecard, the goal statuses (attainment) and the largest gaps; the period is found
    # from the store's latest answer, on each engine.
    on_duckdb = company_summary(duckdb_demo, industry="b2b_saas")
    on_postgres = company_summary(postgres_demo, industry="b2b_saas")
    assert on_duckdb.period.label == "2025-Q4" and len(on_duckdb.results) > 10
    statuses = {line.attainment for result in on_duckdb.results for line in result.lines}
    assert {Attainment.MET, Attainment.NOT_MET} <= statuses
    assert_same(on_duckdb, on_postgres)
    assert_same(on_duckdb.to_data(), on_postgres.to_data())
    assert_same(on_duckdb.to_frame(), on_postgres.to_frame())


def test_a_person_and_the_company_scorecard_of_a_year_are_the_same(
    duckdb_demo: Project, postgres_demo: Project, assert_same: Any
) -> None:
    for who in ({"person": "P-00027"}, {}):
        on_duckdb = scorecard(**who, period="2025", project=duckdb_demo.root)
        assert on_duckdb.score is not None
        assert_same(on_duckdb, scorecard(**who, period="2025", project=postgres_demo.root))
