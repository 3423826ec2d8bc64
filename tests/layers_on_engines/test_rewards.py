"""Rankings and awards on PostgreSQL give the answers they give on DuckDB (see conftest.py): the same
order, bands and numbers, given the same seed for the draws behind P(beats the next)."""

from __future__ import annotations

from typing import Any

import pytest

from cxscore.metrics import MetricEngine, load_catalog
from cxscore.rewards import Leaderboards, Ranking
from cxscore.rewards.awards import evaluate_programs
from cxscore.scorecards.period import Period
from cxscore.store import Project

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


def rankings(project: Project) -> list[Ranking]:
    store = project.store()
    try:
        boards = Leaderboards(
            MetricEngine(store, load_catalog(project.root)), seed=3, project_root=project.root
        )
        return [
            boards.rank("csat", "team", Period.parse("2025"), within="T-SUP"),
            boards.rank("nps", "person", Period.parse("2025-Q4"), min_n=5),
            boards.rank("csat", "team", Period.parse("2024"), adjust_for="priority"),
        ]
    finally:
        store.close()


def test_rankings_are_the_same(duckdb_demo: Project, postgres_demo: Project, assert_same: Any) -> None:
    on_duckdb, on_postgres = rankings(duckdb_demo), rankings(postgres_demo)
    assert all(len(board.entries) >= 4 for board in on_duckdb)
    assert any(board.excluded for board in on_duckdb)
    assert_same(on_duckdb, on_postgres)
    assert_same([b.rows() for b in on_duckdb], [b.rows() for b in on_postgres])


def test_awards_of_a_quarter_and_a_year_are_the_same(
    duckdb_demo: Project, postgres_demo: Project, assert_same: Any
) -> None:
    for period in ("2025-Q4", "2025"):
        on_duckdb = evaluate_programs(period, project=duckdb_demo.root)
        assert len(on_duckdb) >= 4 and any(result.winners for result in on_duckdb)
        on_postgres = evaluate_programs(period, project=postgres_demo.root)
        assert_same(on_duckdb, on_postgres)
        assert_same([r.rows() for r in on_duckdb], [r.rows() for r in on_postgres])
