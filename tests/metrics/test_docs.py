"""docs/metrics.md cannot rot: every built-in metric, field, kind, view and attribution table is in it."""

from __future__ import annotations

from pathlib import Path

from cxscore.metrics import load_catalog
from cxscore.metrics.attribution import OWNERSHIPS, TEAM_CREDITS
from cxscore.metrics.conditions import OPERATORS
from cxscore.metrics.definition import AGGREGATIONS
from cxscore.metrics.loader import FIELDS
from cxscore.metrics.result import COLUMNS
from cxscore.metrics.views import VIEWS

DOCS = Path(__file__).resolve().parents[2] / "docs"
PAGE = (DOCS / "metrics.md").read_text(encoding="utf-8")


def test_every_built_in_metric_has_a_section_with_its_reference() -> None:
    for metric in load_catalog():
        assert f"### `{metric.name}`" in PAGE, f"{metric.name} is not documented in docs/metrics.md"
        section = PAGE.split(f"### `{metric.name}`", 1)[1].split("\n### ", 1)[0]
        assert "Reference:" in section, f"{metric.name} needs its reference in docs/metrics.md"
        assert f"`{metric.facts.source}`" in section or metric.numerator, f"{metric.name}: name its source"


def test_every_field_kind_operator_view_and_column_is_documented() -> None:
    for word in [*FIELDS, *AGGREGATIONS, *OPERATORS, *VIEWS, *OWNERSHIPS, *TEAM_CREDITS, *COLUMNS]:
        assert f"`{word}" in PAGE, f"`{word}` is not documented in docs/metrics.md"


def test_attribution_concept_page_exists_and_is_linked() -> None:
    assert (DOCS / "concepts" / "attribution.md").is_file()
    assert "concepts/attribution.md" in PAGE
