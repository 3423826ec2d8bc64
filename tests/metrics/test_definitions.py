"""Parsing and validating metric files: every problem is reported, each with its file:line and a fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from cxscore.errors import MetricDefinitionError
from cxscore.metrics import Aggregation, load_catalog
from cxscore.metrics.definition import AllOf, AnyOf, Comparison, Not
from cxscore.metrics.loader import parse_text
from cxscore.metrics.validation import validate

GOOD = """\
name: agent_csat
label: Agent CSAT
kind: share
source: responses
filters:
  - {column: csat, is_null: false}
  - any:
      - {column: touchpoint_id, eq: delivery}
success: {column: csat, ge: 4}
time: responded_at
attribution: {person: person_id, team: team_id}
direction: higher
min_n: 5
"""


def test_a_definition_keeps_file_and_line_of_every_field() -> None:
    metric, problems = parse_text(GOOD, "metrics/agent_csat.yml")
    assert problems == []
    assert metric is not None
    assert metric.aggregation is Aggregation.SHARE
    assert str(metric.location) == "metrics/agent_csat.yml:1"
    assert metric.where("success").line == 9
    assert metric.where("attribution").line == 11
    assert metric.facts.attribution is not None and metric.facts.attribution.person == "person_id"
    assert isinstance(metric.facts.filters, AllOf)
    first, second = metric.facts.filters.conditions
    assert first == Comparison("csat", "is_null", False, first.location)
    assert first.location.line == 6
    assert isinstance(second, AnyOf) and second.location.line == 7


def test_validation_reports_every_problem_with_its_line() -> None:
    text = """\
name: broken
kind: share
source: responses
filters:
  - {column: score, ge: 4}
  - {column: csat, ge: high}
  - {column: csat, around: 3}
success: {column: anonymous, eq: 1}
time: comment
attribution: {owner: account_managers}
column: nps
min_n: 0
"""
    metric, problems = parse_text(text, "metrics/broken.yml")
    assert metric is not None
    problems += validate([metric])
    lines = sorted(p.location.line for p in problems)
    messages = "\n".join(str(p) for p in problems)
    assert "metrics/broken.yml:5: Metric 'broken' filters on column 'score' but table 'responses'" in messages
    assert "(has: response_id, survey_id" in messages
    assert "metrics/broken.yml:6:" in messages and "holds numbers, 'high' is not one" in messages
    assert "metrics/broken.yml:7:" in messages and "unknown operator 'around'" in messages
    assert "metrics/broken.yml:8:" in messages and "true/false" in messages
    assert (
        "metrics/broken.yml:9: Metric 'broken': time 'comment' is string, not a date or timestamp" in messages
    )
    assert "metrics/broken.yml:10:" in messages and "account_managers" in messages
    assert "metrics/broken.yml:11:" in messages and "takes no 'column'" in messages
    assert "metrics/broken.yml:12:" in messages and "min_n must be a whole number" in messages
    assert len(lines) == 8, messages


def test_missing_fields_and_bad_kind_are_reported_together() -> None:
    metric, problems = parse_text("name: x\nkind: average\nlabel: X\n", "metrics/x.yml")
    assert metric is None
    text = "\n".join(str(p) for p in problems)
    assert "metrics/x.yml:2: Metric 'x' has kind 'average', which is not one of: nps, share" in text
    assert "has no 'source'" in text and "has no 'time'" in text


def test_unknown_fields_and_kind_specific_fields_are_problems() -> None:
    metric, problems = parse_text(
        "name: y\nkind: nps\nsource: responses\ntime: responded_at\nculumn: nps\n", "y.yml"
    )
    assert metric is not None
    problems += validate([metric])
    text = "\n".join(str(p) for p in problems)
    assert "y.yml:5: Metric 'y' has an unknown field 'culumn'" in text
    assert "y.yml:1: Metric 'y' (nps) needs 'column'" in text


def test_values_are_checked_against_the_column_choices() -> None:
    metric, problems = parse_text(
        "name: z\nkind: share\nsource: cases\ntime: resolved_at\nsuccess: {column: resolution, eq: fixed}\n",
        "z.yml",
    )
    assert metric is not None and problems == []
    found = validate([metric])
    assert len(found) == 1
    assert str(found[0]).startswith(
        "z.yml:5: Metric 'z': resolution eq 'fixed': not one of the allowed values"
    )


def test_not_and_any_conditions_parse() -> None:
    metric, problems = parse_text(
        "name: w\nkind: share\nsource: cases\ntime: resolved_at\n"
        "success: {not: {any: [{column: channel, in: [email, chat]}, {column: priority, eq: urgent}]}}\n",
        "w.yml",
    )
    assert problems == [] and metric is not None and validate([metric]) == []
    assert isinstance(metric.success, Not) and isinstance(metric.success.condition, AnyOf)


def test_invalid_yaml_names_the_line() -> None:
    metric, problems = parse_text("name: a\nkind: [nps\n", "a.yml")
    assert metric is None and problems[0].location.line >= 2
    assert "Not valid YAML" in problems[0].message


def test_built_in_catalogue_is_valid_and_complete() -> None:
    catalog = load_catalog()
    expected = {
        "nps", "csat", "csat_mean", "ces", "survey_response_rate", "cases_satisfied", "reopen_rate",
        "first_contact_resolution", "time_to_resolution", "logo_retention", "gross_revenue_retention",
        "net_revenue_retention", "renewal_rate", "churn_rate", "post_sale_engagement", "upgrade_rate",
        "time_to_upgrade", "repeat_attendee_share", "customer_talk_share", "testimonials_per_event",
        "conference_growth_vs_base", "new_business_arr", "expansion_arr", "touchpoint_satisfaction",
        "quarterly_engagement", "followups_contacted", "followup_time_to_contact", "followups_recovered",
        "followup_renewal_rate",
    }  # fmt: skip
    assert set(catalog.metrics) == expected
    for metric in catalog:
        assert metric.reference and metric.description and metric.label != metric.name, metric.name


def test_project_metric_overrides_a_built_in_and_adds_its_own(tmp_path: Path) -> None:
    (tmp_path / "metrics").mkdir()
    (tmp_path / "metrics" / "nps.yml").write_text(GOOD.replace("agent_csat", "nps"), encoding="utf-8")
    (tmp_path / "metrics" / "mine.yaml").write_text(GOOD.replace("agent_csat", "mine"), encoding="utf-8")
    catalog = load_catalog(tmp_path)
    assert catalog.overrides == {"nps"}
    assert catalog.get("nps").aggregation is Aggregation.SHARE
    assert catalog.get("nps").origin == "project"
    assert "mine" in catalog and len(catalog) == 30


def test_problems_in_project_files_raise_one_error_with_all_of_them(tmp_path: Path) -> None:
    (tmp_path / "metrics").mkdir()
    (tmp_path / "metrics" / "a.yml").write_text("name: a\nkind: nps\nsource: nowhere\ntime: t\ncolumn: c\n")
    (tmp_path / "metrics" / "b.yml").write_text("name: b\nkind: count\nsource: cases\ntime: opened\n")
    (tmp_path / "metrics" / "c.yml").write_text("name: a\nkind: count\nsource: cases\ntime: opened_at\n")
    with pytest.raises(MetricDefinitionError) as caught:
        load_catalog(tmp_path)
    text = str(caught.value)
    assert "metrics/a.yml:3: Metric 'a' reads table 'nowhere', which does not exist" in text
    assert (
        "metrics/b.yml:4: Metric 'b' uses column 'opened' as its time but table 'cases' has no such column"
        in text
    )
    assert "metrics/c.yml:1: Metric 'a' is also defined in metrics/a.yml:1. Rename one of them." in text
    assert len(caught.value.problems) == 3


def test_ratio_sides_inherit_from_the_metric() -> None:
    text = """\
name: reopenings_per_case
kind: rate
source: cases
time: resolved_at
attribution: {person: agent_id}
numerator: {sum: reopen_count}
denominator: {filters: [{column: resolved_at, is_null: false}]}
"""
    metric, problems = parse_text(text, "r.yml")
    assert problems == [] and metric is not None and validate([metric]) == []
    assert metric.numerator is not None and metric.numerator.sum == "reopen_count"
    assert metric.denominator is not None and metric.denominator.attribution is not None
    assert metric.denominator.source == "cases"
