"""The Python API: `cxscore.scorecards.scorecard(team="T-SUP-EMEA", period="2025-Q4")`."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from cxscore.errors import ConfigError

if TYPE_CHECKING:
    from cxscore.scorecards.evaluation import Evaluator, ScorecardResult
    from cxscore.store import Project, Store

__all__ = ["open_evaluator", "scorecard"]


def open_evaluator(project: Project, store: Store, industry: str | None = None) -> Evaluator:
    """An evaluator over an open store with the project's metrics, goal policies, benchmarks and scorecards.

    `industry` overrides the `industry:` of the project's goal settings (which benchmarks apply).
    """
    from cxscore.goals import Results, load_benchmarks, load_goal_settings
    from cxscore.metrics import MetricEngine, load_catalog
    from cxscore.scorecards.definition import load_scorecards
    from cxscore.scorecards.evaluation import Evaluator

    catalog = load_catalog(project.root)
    settings = load_goal_settings(project.root)
    if industry is not None:
        settings = replace(settings, industry=industry)
    results = Results(MetricEngine(store, catalog))
    scorecards = load_scorecards(project.root, frozenset(m.name for m in catalog))
    return Evaluator(results, settings, load_benchmarks(project.root), scorecards)


def scorecard(
    team: str | None = None,
    person: str | None = None,
    period: str | None = None,
    *,
    name: str | None = None,
    industry: str | None = None,
    project: Path | str | None = None,
) -> ScorecardResult:
    """Evaluate the scorecard of one team or person (or the company, with neither) for a quarter or year.

    `period` is e.g. "2025-Q4" or "2025" (default: the latest complete quarter); `name` picks a scorecard
    instead of the one for the team's function or the person's role. `.to_frame()` gives the CSV rows,
    `cxscore.scorecards.export.to_data(result)` the JSON.
    """
    from cxscore.scorecards.period import Period, latest_complete_quarter
    from cxscore.store import open_project

    if team and person:
        raise ConfigError("Give a team or a person, not both.")
    found = open_project(None if project is None else Path(project))
    store = found.store()
    try:
        evaluator = open_evaluator(found, store, industry)
        chosen = Period.parse(period) if period else latest_complete_quarter(store)
        scope, scope_id = ("team", team) if team else ("person", person) if person else ("company", "company")
        card = evaluator.scorecards.get(name) if name else None
        return evaluator.evaluate(scope, str(scope_id), chosen, card)
    finally:
        store.close()
