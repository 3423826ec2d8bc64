"""The shipped benchmark table: every row sourced; lookups; a project's own rows and their problems."""

from __future__ import annotations

from pathlib import Path

import pytest

from cxscore.errors import GoalDefinitionError
from cxscore.goals import load_benchmarks
from cxscore.goals.benchmarks import QUALITIES


def test_every_shipped_value_has_a_source_population_definition_and_quality() -> None:
    table = load_benchmarks()
    assert len(table) >= 5
    for row in table:
        assert row.source and row.url.startswith("https://") and row.population and row.definition
        assert row.quality in QUALITIES and row.quality_reason
        assert row.origin == "built-in"


def test_shares_are_fractions_and_nps_is_in_points() -> None:
    for row in load_benchmarks():
        if row.metric in ("csat", "first_contact_resolution", "survey_response_rate"):
            assert 0 <= row.value <= 1
        if row.metric == "nps":
            assert -100 <= row.value <= 100


def test_find_prefers_the_industry_and_segment_asked_for() -> None:
    table = load_benchmarks()
    found = table.find("net_revenue_retention", "b2b_saas", "acv_over_250k")
    assert found is not None and found.segment == "acv_over_250k" and found.value == pytest.approx(1.10)
    assert table.find("net_revenue_retention", "b2b_saas").segment == "all"  # type: ignore[union-attr]
    assert table.find("net_revenue_retention", "restaurants") is None
    cross = table.find("first_contact_resolution", "b2b_saas")
    assert cross is not None and cross.industry == "all" and cross.statistic == "average"
    assert table.find("first_contact_resolution", "b2b_saas", statistic="world_class").value == 0.80  # type: ignore[union-attr]


def test_a_project_row_is_added_and_wins_a_tie(project_root: Path) -> None:
    (project_root / "goals" / "benchmarks.yaml").write_text(
        """benchmarks:
  - {metric: csat, industry: b2b_saas, value: 0.81, statistic: median, year: 2025, source: Our panel,
     url: https://example.org/panel, population: 40 peers, definition: top-2-box, quality: high,
     quality_reason: our own panel}
""",
        encoding="utf-8",
    )
    table = load_benchmarks(project_root)
    found = table.find("csat", "b2b_saas")
    assert found is not None and found.origin == "project" and found.value == 0.81


def test_every_problem_of_a_project_table_is_reported_at_once(project_root: Path) -> None:
    (project_root / "goals" / "benchmarks.yml").write_text(
        """benchmarks:
  - {metric: csat, industry: x, value: high, statistic: median, source: s, url: u, population: p,
     definition: d, quality: great}
  - {metric: nps, value: 3, colour: red}
""",
        encoding="utf-8",
    )
    with pytest.raises(GoalDefinitionError) as error:
        load_benchmarks(project_root)
    message = str(error.value)
    assert "value 'high' is not a number" in message
    assert "quality 'great'" in message
    assert "benchmark 2: missing field 'industry'" in message
    assert "unknown field 'colour'" in message
