"""Goals: set a high bar, above the industry and above our own past, and explain every target.

>>> from cxscore.goals import Policy, PolicyKind
>>> Policy().kind is PolicyKind.HIGH_BAR
True
"""

from __future__ import annotations

from cxscore.goals.benchmarks import Benchmark, BenchmarkTable, load_benchmarks
from cxscore.goals.goal import Goal, sample_size_needed
from cxscore.goals.policy import GoalSettings, Policy, PolicyKind, load_goal_settings, parse_policy
from cxscore.goals.results import SCOPES, Results
from cxscore.goals.setting import estimate_of, set_goals

__all__ = [
    "SCOPES",
    "Benchmark",
    "BenchmarkTable",
    "Goal",
    "GoalSettings",
    "Policy",
    "PolicyKind",
    "Results",
    "estimate_of",
    "load_benchmarks",
    "load_goal_settings",
    "parse_policy",
    "sample_size_needed",
    "set_goals",
]
