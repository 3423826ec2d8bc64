"""Diagnosis on PostgreSQL gives the answers it gives on DuckDB (see conftest.py): obstacle verdicts,
integrity findings, key drivers (the same seed draws the same bootstrap) and verbatims."""

from __future__ import annotations

from typing import Any

import pytest

from cxscore.diagnose import integrity, key_drivers, obstacles, verbatims
from cxscore.store import Project

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


def test_obstacle_verdicts_are_the_same(
    duckdb_demo: Project, postgres_demo: Project, assert_same: Any
) -> None:
    # Against a goal in a year, and against the peers over the whole history (no period).
    for team, period, goal in (("T-SUP-EMEA", "2024", 0.85), ("T-SUP-LATAM", None, None)):
        on_duckdb = obstacles("csat", team=team, period=period, goal=goal, project=duckdb_demo.root)
        assert on_duckdb.decided and on_duckdb.components
        on_postgres = obstacles("csat", team=team, period=period, goal=goal, project=postgres_demo.root)
        assert_same(on_duckdb, on_postgres)
        assert_same(on_duckdb.to_dict(), on_postgres.to_dict())


def test_integrity_findings_are_the_same(
    duckdb_demo: Project, postgres_demo: Project, assert_same: Any
) -> None:
    # Before the fix, selective invitations (and four other checks) failed on PostgreSQL: they cast a
    # boolean to bigint, which PostgreSQL refuses.
    on_duckdb = integrity(threshold=0.8, project=duckdb_demo.root)
    assert all(not check.skipped for check in on_duckdb.checks) and on_duckdb.findings
    on_postgres = integrity(threshold=0.8, project=postgres_demo.root)
    assert_same(on_duckdb, on_postgres)
    assert_same(on_duckdb.to_dict(), on_postgres.to_dict())
    mine = integrity(period="2025", team="T-SUP-EMEA", project=duckdb_demo.root)
    assert_same(mine, integrity(period="2025", team="T-SUP-EMEA", project=postgres_demo.root))


def test_key_drivers_are_the_same_with_the_same_seed(
    duckdb_demo: Project, postgres_demo: Project, assert_same: Any
) -> None:
    for metric, scope, drivers in (
        ("csat", "team:T-SUP", ("version", "team", "training", "resolution", "channel")),
        ("nps", None, ("segment", "team")),
    ):
        asked = {"scope": scope, "period": "2025", "drivers": drivers, "resamples": 30, "seed": 5}
        on_duckdb = key_drivers(metric, **asked, project=duckdb_demo.root)
        assert on_duckdb.r2 > 0 and len(on_duckdb.drivers) == len(drivers)
        on_postgres = key_drivers(metric, **asked, project=postgres_demo.root)
        assert_same(on_duckdb, on_postgres)
        assert_same(on_duckdb.to_dict(), on_postgres.to_dict())


def test_verbatims_have_the_same_topics_and_sentiment(
    duckdb_demo: Project, postgres_demo: Project, assert_same: Any
) -> None:
    for scope, topics in ((None, 8), ("team:T-SUP-LATAM", 4)):
        on_duckdb = verbatims(scope=scope, period="2025", topics=topics, project=duckdb_demo.root)
        assert len(on_duckdb.topics) == topics and on_duckdb.analysed > 40
        on_postgres = verbatims(scope=scope, period="2025", topics=topics, project=postgres_demo.root)
        assert_same(on_duckdb, on_postgres)
        assert_same(on_duckdb.to_dict(), on_postgres.to_dict())


def test_key_drivers_sample_the_same_facts_on_every_engine(
    duckdb_demo: Project, postgres_demo: Project, assert_same: Any
) -> None:
    # Above `sample_size` facts, the intervals come from a sample of them: the same seed must pick the same
    # facts on every engine, or the intervals differ with the engine's hash function.
    asked = {"scope": "team:T-SUP", "period": "2025", "drivers": ("version", "team"), "resamples": 30}
    asked["sample_size"] = 500
    on_duckdb = key_drivers("csat", **asked, project=duckdb_demo.root)
    assert any("random sample of 500" in note for note in on_duckdb.notes)
    assert_same(on_duckdb, key_drivers("csat", **asked, project=postgres_demo.root))
