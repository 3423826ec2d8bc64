"""The company's scorecard summary: every team's scorecard for one period, their goals, attainment and
the largest gaps, as data, JSON and CSV (the end of `make demo`)."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from cxscore.goals.goal import bounds
from cxscore.metrics import Direction
from cxscore.scorecards.attainment import Attainment
from cxscore.scorecards.evaluation import Evaluator, Line, ScorecardResult, evaluate_many
from cxscore.scorecards.export import result_rows, to_data
from cxscore.scorecards.period import Period, latest_complete_quarter

if TYPE_CHECKING:
    from cxscore.store import Project

__all__ = ["CompanySummary", "Gap", "company_summary", "summarize"]

#: How many gaps the summary lists.
GAPS = 10


@dataclass(frozen=True)
class Gap:
    """A goal missed (or likely missed) by a team: by how much, in the metric's unit and relative."""

    team_id: str
    team: str
    line: Line

    @property
    def shortfall(self) -> float:
        """How far the value is from the goal, in the metric's unit (positive: short of it)."""
        assert self.line.estimate is not None
        gap = self.line.target - self.line.estimate.value
        return gap if self.line.metric.direction is Direction.HIGHER else -gap

    @property
    def relative(self) -> float:
        """The shortfall as a share of the metric's range (bounded metrics) or of the goal (others)."""
        limits = bounds(self.line.metric)
        scale = (limits[1] - limits[0]) if limits else abs(self.line.target)
        return self.shortfall / scale if scale else math.inf


@dataclass(frozen=True)
class CompanySummary:
    """Every team's evaluated scorecard for one period, and the largest gaps."""

    period: Period
    results: tuple[ScorecardResult, ...]
    gaps: tuple[Gap, ...]

    def to_frame(self) -> pd.DataFrame:
        """One row per team and metric (the CSV)."""
        rows = [row for result in self.results for row in result_rows(result)]
        return pd.DataFrame(rows)

    def to_data(self) -> dict[str, Any]:
        """Teams, their scores and scorecards, and the gaps (the JSON)."""
        return {
            "period": self.period.label,
            "teams": [_team(result) for result in self.results],
            "largest_gaps": [_gap(gap) for gap in self.gaps],
            "scorecards": [to_data(result) for result in self.results],
        }

    def write(self, folder: Path) -> tuple[Path, Path]:
        """Write scorecard-summary-PERIOD.json and .csv into `folder`; returns both paths."""
        folder.mkdir(parents=True, exist_ok=True)
        stem = folder / f"scorecard-summary-{self.period.label}"
        json_path, csv_path = stem.with_suffix(".json"), stem.with_suffix(".csv")
        json_path.write_text(json.dumps(self.to_data(), indent=2) + "\n", encoding="utf-8")
        self.to_frame().to_csv(csv_path, index=False)
        return json_path, csv_path


def _team(result: ScorecardResult) -> dict[str, Any]:
    counts = {a.value: sum(line.attainment is a for line in result.lines) for a in Attainment}
    return {
        "team_id": result.scope_id,
        "team": result.name,
        "scorecard": result.scorecard.name,
        "score": result.score,
        "coverage": result.coverage,
        "customer_share": result.scorecard.customer_share,
        "attainment": counts,
    }


def _gap(gap: Gap) -> dict[str, Any]:
    line = gap.line
    assert line.estimate is not None
    return {
        "team_id": gap.team_id,
        "team": gap.team,
        "metric": line.item.metric,
        "value": line.estimate.value,
        "lower": line.estimate.lower,
        "upper": line.estimate.upper,
        "n": line.estimate.n,
        "goal": line.target,
        "shortfall": gap.shortfall,
        "relative_shortfall": gap.relative,
        "attainment": line.attainment.value,
    }


def summarize(evaluator: Evaluator, period: Period) -> CompanySummary:
    """Evaluate every team that has a scorecard (its function's) for `period`, and rank the gaps."""
    teams = [str(t) for t in evaluator.results.teams["team_id"]]
    results = evaluate_many(evaluator, "team", teams, period)
    missed = (Attainment.NOT_MET, Attainment.LIKELY_NOT_MET)
    gaps = [
        Gap(result.scope_id, result.name, line)
        for result in results
        for line in result.lines
        if line.attainment in missed and line.estimate is not None
    ]
    gaps.sort(key=lambda g: (g.line.attainment is not Attainment.NOT_MET, -g.relative))
    return CompanySummary(period, tuple(results), tuple(gaps[:GAPS]))


def company_summary(
    project: Project, period: str | Period | None = None, industry: str | None = None
) -> CompanySummary:
    """The company's scorecard summary for a period (default: the latest complete quarter).

    Gaps are goals not met or likely not met, surest first (not met before likely not met), then by the
    shortfall relative to the metric's range (shares, NPS) or to the goal (other metrics).
    """
    from cxscore.scorecards.api import open_evaluator

    store = project.store()
    try:
        evaluator = open_evaluator(project, store, industry)
        chosen = Period.parse(period) if isinstance(period, str) else period or latest_complete_quarter(store)
        return summarize(evaluator, chosen)
    finally:
        store.close()
