"""Goal policy files: parsed into frozen policies; every problem reported with its file."""

from __future__ import annotations

from pathlib import Path

import pytest

from cxscore.errors import GoalDefinitionError
from cxscore.goals import GoalSettings, Policy, PolicyKind, load_goal_settings, parse_policy


def test_a_project_without_goal_files_gets_the_high_bar_everywhere(tmp_path: Path) -> None:
    settings = load_goal_settings(tmp_path)
    assert settings == GoalSettings()
    assert settings.policy("nps").kind is PolicyKind.HIGH_BAR


def test_policies_are_read_per_metric(project_root: Path) -> None:
    (project_root / "goals" / "goals.yml").write_text(
        """industry: b2b_saas
default: {policy: high_bar, gap: 0.2}
metrics:
  nps: {policy: beat_industry, margin: 4}
  reopen_rate: {policy: absolute, target: 0.08}
  cases_satisfied: {policy: beat_ourselves, basis: top_quartile}
""",
        encoding="utf-8",
    )
    settings = load_goal_settings(project_root)
    assert settings.industry == "b2b_saas"
    assert settings.policy("nps") == Policy(PolicyKind.BEAT_INDUSTRY, margin=4.0)
    assert settings.policy("reopen_rate").target == 0.08
    assert settings.policy("cases_satisfied").basis == "top_quartile"
    assert settings.policy("csat") == Policy(gap=0.2)
    assert settings.files == ("goals/goals.yml",)


def test_every_problem_is_reported_with_its_file(project_root: Path) -> None:
    (project_root / "goals" / "a.yml").write_text(
        "metrics:\n  nps: {policy: beat_the_rest}\n  csat: {policy: absolute}\n", encoding="utf-8"
    )
    (project_root / "goals" / "b.yml").write_text(
        "colour: red\nmetrics:\n  nps: {policy: high_bar, margin: lots, basis: vibes}\n", encoding="utf-8"
    )
    with pytest.raises(GoalDefinitionError) as error:
        load_goal_settings(project_root)
    message = str(error.value)
    for expected in (
        "goals/a.yml: nps: policy 'beat_the_rest' is not one of",
        "goals/a.yml: csat: an absolute policy needs a target",
        "goals/b.yml: unknown key 'colour'",
        "goals/b.yml: metric 'nps' already has a policy",
        "goals/b.yml: nps: margin 'lots' is not a number",
        "goals/b.yml: nps: basis 'vibes' is not one of",
    ):
        assert expected in message


def test_unknown_policy_fields_are_problems() -> None:
    _, problems = parse_policy({"policy": "high_bar", "stepp": 2}, "here")
    assert problems and "unknown field 'stepp'" in problems[0]
