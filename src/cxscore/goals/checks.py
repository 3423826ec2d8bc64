"""Checking a project's goals: every metric of every team's scorecard, flagged when set too low."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cxscore.goals.goal import Goal
from cxscore.goals.setting import set_goals

if TYPE_CHECKING:
    from cxscore.store import Project

__all__ = ["WEAK", "check"]

#: The flags that make a goal too low.
WEAK = ("below_industry", "below_last_year")


def check(project: Project, year: int, industry: str | None = None) -> tuple[list[Goal], int]:
    """The goals of `year` below the published benchmark or below last year, and how many were checked.

    Each team is checked on the metrics of its function's scorecard.
    """
    from cxscore.scorecards.api import open_evaluator

    store = project.store()
    try:
        evaluator = open_evaluator(project, store, industry)
        results = evaluator.results
        checked: list[Goal] = []
        for team in results.teams["team_id"]:
            card = evaluator.scorecards.for_function(results.function(str(team)))
            for item in card.items if card else ():
                checked += set_goals(
                    results, item.metric, "team", year, evaluator.settings, evaluator.benchmarks, [str(team)]
                )
    finally:
        store.close()
    return [g for g in checked if set(WEAK) & set(g.flags)], len(checked)
