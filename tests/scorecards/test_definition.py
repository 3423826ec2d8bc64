"""Scorecard definitions: the shipped defaults, the customer share and its warning, a project's own files."""

from __future__ import annotations

from pathlib import Path

import pytest

from cxscore.errors import ScorecardDefinitionError
from cxscore.metrics import load_catalog
from cxscore.scorecards import CUSTOMER_SHARE_WARNING, Category, load_scorecards

METRICS = frozenset(m.name for m in load_catalog())


def test_defaults_cover_every_role_of_the_mission() -> None:
    cards = load_scorecards(None, METRICS)
    expected = {
        "sales": {"new_business_arr", "renewal_rate", "net_revenue_retention", "post_sale_engagement", "nps"},
        "product": {"upgrade_rate", "time_to_upgrade"},
        "support": {"cases_satisfied", "reopen_rate", "ces"},
        "events": {
            "repeat_attendee_share",
            "customer_talk_share",
            "testimonials_per_event",
            "conference_growth_vs_base",
        },
        "back_office": {"touchpoint_satisfaction"},
    }
    for function, metrics in expected.items():
        card = cards.for_function(function)
        assert card is not None, function
        assert metrics <= {i.metric for i in card.items}
    assert cards.for_role("support_agent") is cards.for_function("support")


def test_weights_add_up_to_one_and_every_default_is_mostly_about_customers() -> None:
    for card in load_scorecards(None, METRICS):
        assert sum(i.weight for i in card.items) == pytest.approx(1.0)
        assert card.customer_share >= CUSTOMER_SHARE_WARNING and card.warnings == ()
    sales = load_scorecards(None, METRICS).get("sales_rep")
    assert sales.share(Category.FINANCIAL) == pytest.approx(0.25)
    assert sales.customer_share == pytest.approx(0.75)


def _write(root: Path, name: str, text: str) -> None:
    (root / "scorecards").mkdir(exist_ok=True)
    (root / "scorecards" / name).write_text(text, encoding="utf-8")


def test_a_mostly_financial_scorecard_is_warned_about(tmp_path: Path) -> None:
    _write(
        tmp_path,
        "sales_rep.yml",
        """name: sales_rep
applies_to: {roles: [sales_rep]}
metrics:
  - {metric: new_business_arr, weight: 60}
  - {metric: expansion_arr, weight: 20}
  - {metric: nps, weight: 20}
""",
    )
    card = load_scorecards(tmp_path, METRICS).get("sales_rep")
    assert card.origin == "project"
    assert card.customer_share == pytest.approx(0.2)
    (warning,) = card.warnings
    assert "mostly financial" in warning and "20%" in warning and "80%" in warning


def test_every_problem_is_reported_with_its_file(tmp_path: Path) -> None:
    _write(
        tmp_path,
        "bad.yml",
        """name: bad
colour: red
metrics:
  - {metric: npss, weight: 1}
  - {metric: csat, weight: -2}
  - {metric: ces, weight: 1, category: money}
  - {metric: ces, weight: 1}
""",
    )
    with pytest.raises(ScorecardDefinitionError) as error:
        load_scorecards(tmp_path, METRICS)
    message = str(error.value)
    for expected in (
        "scorecards/bad.yml: unknown key 'colour'",
        "scorecards/bad.yml: metric 1: there is no metric 'npss'",
        "scorecards/bad.yml: metric 2: weight -2 must be a positive number",
        "scorecards/bad.yml: metric 3: category 'money' is not one of",
    ):
        assert expected in message
